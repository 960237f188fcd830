"""Hostile Web Connector calls and QuickBooks answers: each fails only its own request, texts
are bounded, closed tickets are dead, and the log gets one line per message."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from desktop_support import START, Clock
from qb_fake import customer_ret, message, requests_of, rs
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.domain.commands import CreateJob, QueryJobs
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.quickbooks.desktop.session import MAX_TEXT_CHARS, WebConnectorService
from procore_qb.store.models import QbwcConnectionError, QbwcSession
from procore_qb.store.repositories.outbox import Outbox

JOB = QuickBooksJob(name="Ridge Clinic", parent_full_name="Summit Health")


def record(sessions: sessionmaker[Session], *commands: object) -> None:
    with sessions.begin() as db:
        for command in commands:
            Outbox(db).record(1, command, now=START)  # type: ignore[arg-type]


def login(service: WebConnectorService) -> str:
    ticket, company_file = service.authenticate("demo", "demo")
    assert company_file == ""
    return ticket


def test_a_version_of_thousands_of_digits_is_no_crash(service: WebConnectorService) -> None:
    assert service.client_version("9" * 5000) == ""
    warning = service.client_version("1." + "9" * 5000)
    assert warning.startswith("W:")
    assert len(warning) < 300


@pytest.mark.parametrize(
    ("country", "major", "minor", "announced"),
    [
        ("US", 12, 0, "12.0"),
        ("CA", 12, 0, "CA12.0"),
        ("XX", 12, 0, "13.0"),
        ("US", 10**8, 0, "13.0"),
        ("US", 12, 10**8, "13.0"),
        ("\u00b2", 2, 1, "13.0"),
        ("US", -3, 0, "13.0"),
    ],
)
def test_unsupported_versions_and_countries_fall_back_to_the_configured_version(
    service: WebConnectorService,
    sessions: sessionmaker[Session],
    country: str,
    major: int,
    minor: int,
    announced: str,
) -> None:
    record(sessions, QueryJobs(idempotency_key="q"))
    ticket = login(service)
    sent = service.send_request_xml(ticket, "", "", country, major, minor)
    assert f'<?qbxml version="{announced}"?>' in sent


def test_unknown_request_ids_are_one_log_line_per_message(
    service: WebConnectorService,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    record(sessions, CreateJob(idempotency_key="job-1", job=JOB))
    ticket = login(service)
    (rq,) = requests_of(service.send_request_xml(ticket))
    strangers = "".join(
        f'<CustomerAddRs requestID="x{n}.{"7" * 3000}" statusCode="0" statusSeverity="Info"/>'
        for n in range(2000)
    )
    ret = customer_ret("80000002-1", "Ridge Clinic", parent=("80000001-1", "Summit Health"))
    answer = message(rs(rq, ret)).replace("</QBXMLMsgsRs>", strangers + "</QBXMLMsgsRs>")
    with caplog.at_level(logging.INFO, logger="procore_qb"):
        assert service.receive_response_xml(ticket, answer, "", "") == 100
    lines = [r for r in caplog.records if "requestID" in r.getMessage()]
    assert len(lines) == 1
    assert "2000" in lines[0].getMessage()
    assert len(lines[0].getMessage()) < 400


def test_an_iterator_answer_without_iterator_id_fails_only_its_command(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    record(sessions, QueryJobs(idempotency_key="q"), CreateJob(idempotency_key="job-1", job=JOB))
    ticket = login(service)
    first = requests_of(service.send_request_xml(ticket))
    query = next(rq for rq in first if rq.tag == "CustomerQueryRq")
    add = next(rq for rq in first if rq.tag == "CustomerAddRq")
    ret = customer_ret("80000002-1", "Ridge Clinic", parent=("80000001-1", "Summit Health"))
    answer = message(rs(query, customer_ret("1", "A"), remaining=9), rs(add, ret))
    assert service.receive_response_xml(ticket, answer, "", "") == 100
    # The session goes on: a later message is built, not refused.
    record(sessions, QueryJobs(idempotency_key="q2"))
    assert "CustomerQueryRq" in service.send_request_xml(ticket)


def test_closed_tickets_are_dead_for_every_method(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    record(sessions, QueryJobs(idempotency_key="q"))
    ticket = login(service)
    service.receive_response_xml(ticket, "", "0x80040400", "first")
    assert service.get_last_error(ticket).startswith("QuickBooks could not run the request")
    assert service.close_connection(ticket).startswith("OK:")
    assert service.close_connection(ticket) == "OK"
    assert service.get_last_error(ticket).startswith("No open procore-qb session")
    assert service.connection_error(ticket, "0x1", "x" * 9_000_000) == "done"
    assert service.send_request_xml(ticket) == ""
    assert service.receive_response_xml(ticket, "<QBXML/>", "", "") == 100
    with sessions.begin() as db:
        errors = db.scalars(sa.select(QbwcConnectionError)).all()
        assert [e.message for e in errors] == ["first"]


def test_messages_are_kept_bounded(
    service: WebConnectorService, sessions: sessionmaker[Session], clock: Clock
) -> None:
    record(sessions, QueryJobs(idempotency_key="q"))
    ticket = login(service)
    huge = "m" * 9_000_000
    assert service.receive_response_xml(ticket, "", "h" * 10_000, huge) == -1
    assert service.connection_error(ticket, "h" * 10_000, huge) == "done"
    with sessions.begin() as db:
        for error in db.scalars(sa.select(QbwcConnectionError)):
            assert len(error.message) < MAX_TEXT_CHARS + 100
            assert len(error.hresult) < 200
        session = db.get(QbwcSession, ticket)
        assert session is not None
        assert len(session.last_error or "") < 2 * MAX_TEXT_CHARS + 300
