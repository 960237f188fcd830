"""The Web Connector session state machine over the persistent outbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from desktop_support import START, Clock, make_service
from qb_fake import customer_ret, message, requests_of, rs
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.domain.commands import CommandResult, CreateJob, QueryJobs, UpdateJob
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.quickbooks.desktop.gateway import marker
from procore_qb.quickbooks.desktop.session import WebConnectorService
from procore_qb.store.models import QbCommand, QbwcSession
from procore_qb.store.repositories.outbox import Outbox

JOB = QuickBooksJob(name="Ridge Clinic", parent_full_name="Summit Health", number="24-017")


def record(sessions: sessionmaker[Session], *commands: object) -> None:
    with sessions.begin() as db:
        for command in commands:
            Outbox(db).record(1, command, now=START)  # type: ignore[arg-type]


def state_of(sessions: sessionmaker[Session], key: str) -> tuple[str, bool]:
    with sessions.begin() as db:
        row = Outbox(db).get(1, key)
        return row.state, row.needs_lookup


def login(service: WebConnectorService) -> str:
    assert service.server_version()
    assert service.client_version("2.3.0.215") == ""
    ticket, company_file = service.authenticate("demo", "demo")
    assert company_file == ""
    return ticket


def test_bad_password_is_nvu_and_no_work_is_none(service: WebConnectorService) -> None:
    assert service.authenticate("demo", "wrong")[1] == "nvu"
    assert service.authenticate("nobody", "demo")[1] == "nvu"
    assert service.authenticate("demo", "demo")[1] == "none"


def test_old_web_connector_gets_a_warning(service: WebConnectorService) -> None:
    assert service.client_version("2.0.1.6").startswith("W:")
    # Digits int() cannot read (superscripts) end the version instead of raising.
    assert service.client_version("2.1.\u00b2") == ""
    assert service.client_version("1.\u00b2").startswith("W:")


def test_create_job_round_trip(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    record(sessions, CreateJob(idempotency_key="job-1", job=JOB))
    ticket = login(service)
    sent = service.send_request_xml(ticket, "", "", "US", 13, 0)
    assert 'onError="continueOnError"' in sent
    (rq,) = requests_of(sent)
    assert rq.tag == "CustomerAddRq"
    assert rq.get("requestID") == "job-1.0.0"
    assert rq.findtext("CustomerAdd/ExternalGUID") == marker("job-1")
    assert state_of(sessions, "job-1") == ("in_flight", False)
    ret = customer_ret("80000002-1", "Ridge Clinic", parent=("80000001-1", "Summit Health"))
    assert service.receive_response_xml(ticket, message(rs(rq, ret)), "", "") == 100
    with sessions.begin() as db:
        row = Outbox(db).get(1, "job-1")
        result = Outbox.result(row)
    assert row.state == "done"
    assert result is not None
    assert result.jobs[0].id == "80000002-1"
    assert service.close_connection(ticket).startswith("OK")


def test_refusal_is_kept_with_quickbooks_words(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    record(sessions, CreateJob(idempotency_key="job-1", job=JOB))
    ticket = login(service)
    (rq,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    text = (
        "There is an invalid reference to a parent &quot;Summit Health&quot; in the Customers list."
    )
    assert (
        service.receive_response_xml(ticket, message(rs(rq, code=3130, message=text)), "", "")
        == 100
    )
    with sessions.begin() as db:
        row = Outbox(db).get(1, "job-1")
    assert (row.state, row.error_code) == ("failed", "3130")
    assert row.error_message is not None
    assert row.error_message.startswith("There is an invalid")


def test_batches_respect_the_maximum_and_percent_grows(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    service = make_service(sessions, clock, max_requests=2)
    record(sessions, *(QueryJobs(idempotency_key=f"q{i}") for i in range(5)))
    ticket = login(service)
    percents = []
    for _ in range(3):
        batch = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
        assert 1 <= len(batch) <= 2
        percents.append(
            service.receive_response_xml(
                ticket, message(*(rs(rq, code=1, message="No match") for rq in batch)), "", ""
            )
        )
    assert percents == [40, 80, 100]


def test_iterator_pages_continue_in_the_next_message(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    record(sessions, QueryJobs(idempotency_key="all-jobs"))
    ticket = login(service)
    (rq,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    assert rq.get("iterator") == "Start"
    assert rq.findtext("MaxReturned") == "500"
    page1 = rs(rq, customer_ret("1-1", "A"), remaining=1, iterator_id="{it-1}")
    assert service.receive_response_xml(ticket, message(page1), "", "") == 0
    assert state_of(sessions, "all-jobs") == ("in_flight", False)
    (rq2,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    assert (rq2.get("iterator"), rq2.get("iteratorID"), rq2.get("requestID")) == (
        "Continue",
        "{it-1}",
        "all-jobs.0.1",
    )
    page2 = rs(rq2, customer_ret("1-2", "B"), remaining=0, iterator_id="{it-1}")
    assert service.receive_response_xml(ticket, message(page2), "", "") == 100
    with sessions.begin() as db:
        result = Outbox.result(Outbox(db).get(1, "all-jobs"))
    assert result is not None
    assert [j.name for j in result.jobs] == ["A", "B"]
    assert result.as_of == START


def test_transport_error_is_negative_with_last_error_and_requeues(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    record(sessions, CreateJob(idempotency_key="job-1", job=JOB))
    ticket = login(service)
    service.send_request_xml(ticket, "", "", "US", 13, 0)
    assert service.receive_response_xml(ticket, "", "0x80040400", "parse error") == -1
    assert "0x80040400" in service.get_last_error(ticket)
    assert state_of(sessions, "job-1") == ("pending", True)


def test_unreadable_response_is_negative(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    record(sessions, CreateJob(idempotency_key="job-1", job=JOB))
    ticket = login(service)
    service.send_request_xml(ticket, "", "", "US", 13, 0)
    assert service.receive_response_xml(ticket, "<not-qbxml/>", "", "") == -1
    assert "could not read" in service.get_last_error(ticket)


def test_lost_response_is_reissued_after_a_lookup_that_finds_our_job(
    service: WebConnectorService, sessions: sessionmaker[Session], clock: Clock
) -> None:
    record(sessions, CreateJob(idempotency_key="job-1", job=JOB))
    ticket = login(service)
    service.send_request_xml(ticket, "", "", "US", 13, 0)
    clock.advance(minutes=3)
    # The response never arrives; the Web Connector asks for the next message: the look-up
    # goes alone, by modified date since the first attempt (less the clock-skew margin).
    (lookup,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    assert lookup.tag == "CustomerQueryRq"
    assert lookup.findtext("FullName") is None
    assert lookup.findtext("ActiveStatus") == "All"
    assert lookup.findtext("FromModifiedDate") == "2026-11-28T08:50:00+00:00"
    assert lookup.get("iterator") == "Start"
    # Renamed in QuickBooks since: the marker, not the name, finds it.
    found = customer_ret(
        "80000002-1",
        "Ridge Clinic West",
        parent=("80000001-1", "Summit Health"),
        guid=marker("job-1"),
    )
    assert service.receive_response_xml(ticket, message(rs(lookup, found)), "", "") == 100
    with sessions.begin() as db:
        row = Outbox(db).get(1, "job-1")
        result = Outbox.result(row)
    assert row.state == "done"
    assert not row.needs_lookup
    assert row.first_attempt_at == START
    assert result is not None
    assert result.jobs[0].id == "80000002-1"
    assert result.jobs[0].name == "Ridge Clinic West"
    assert service.send_request_xml(ticket, "", "", "US", 13, 0) == ""


def test_lookup_ignores_a_namesake_without_our_marker(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as db:
        row = Outbox(db).record(1, CreateJob(idempotency_key="job-1", job=JOB), now=START)
        row.needs_lookup = True
        row.first_attempt_at = START
    ticket = login(service)
    (lookup,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    other = customer_ret("9-9", "Ridge Clinic", parent=("80000001-1", "Summit Health"))
    percent = service.receive_response_xml(ticket, message(rs(lookup, other)), "", "")
    assert 0 <= percent < 100  # the Add is still to go
    assert state_of(sessions, "job-1") == ("in_flight", True)
    (add,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    assert add.tag == "CustomerAddRq"
    assert add.get("requestID") == "job-1.1.0"
    in_use = "The name &quot;Ridge Clinic&quot; of the list element is already in use."
    service.receive_response_xml(ticket, message(rs(add, code=3100, message=in_use)), "", "")
    assert state_of(sessions, "job-1") == ("failed", False)


def test_lookup_pages_through_what_changed_until_it_finds_our_marker(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as db:
        row = Outbox(db).record(1, CreateJob(idempotency_key="job-1", job=JOB), now=START)
        row.needs_lookup = True
        row.first_attempt_at = START
    ticket = login(service)
    (first,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    other = customer_ret("9-9", "Elsewhere", parent=("80000001-1", "Summit Health"))
    page = message(rs(first, other, remaining=1, iterator_id="{IT-1}"))
    assert service.receive_response_xml(ticket, page, "", "") < 100
    (second,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    assert (second.tag, second.get("iterator"), second.get("iteratorID")) == (
        "CustomerQueryRq",
        "Continue",
        "{IT-1}",
    )
    ours = customer_ret(
        "80000002-1", "Renamed", parent=("80000001-1", "Summit Health"), guid=marker("job-1")
    )
    assert service.receive_response_xml(ticket, message(rs(second, ours)), "", "") == 100
    with sessions.begin() as db:
        result = Outbox.result(Outbox(db).get(1, "job-1"))
    assert result is not None
    assert [j.id for j in result.jobs] == ["80000002-1"]


def test_lookup_that_finds_nothing_sends_the_add_once(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as db:
        row = Outbox(db).record(1, CreateJob(idempotency_key="job-1", job=JOB), now=START)
        row.needs_lookup = True
        row.first_attempt_at = START
    ticket = login(service)
    (lookup,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    service.receive_response_xml(ticket, message(rs(lookup, code=1, message="no match")), "", "")
    (add,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    assert add.tag == "CustomerAddRq"
    ret = customer_ret("80000003-1", "Ridge Clinic", parent=("80000001-1", "Summit Health"))
    assert service.receive_response_xml(ticket, message(rs(add, ret)), "", "") == 100
    assert state_of(sessions, "job-1") == ("done", False)
    assert service.send_request_xml(ticket, "", "", "US", 13, 0) == ""


def test_lookup_quickbooks_refuses_ends_the_command_without_the_add(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as db:
        row = Outbox(db).record(1, CreateJob(idempotency_key="job-1", job=JOB), now=START)
        row.needs_lookup = True
        row.first_attempt_at = START
    ticket = login(service)
    (lookup,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    busy = message(rs(lookup, code=1010, message="QuickBooks is busy"))
    assert service.receive_response_xml(ticket, busy, "", "") == 100
    with sessions.begin() as db:
        result = Outbox.result(Outbox(db).get(1, "job-1"))
    assert result is not None
    assert result.error is not None
    assert (result.error.code, result.error.retriable) == ("1010", True)


def test_update_found_already_applied_is_not_sent_again(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    wanted = QuickBooksJob(
        name="Ridge Clinic",
        id="80000002-1",
        version="1",
        parent_id="80000001-1",
        number="24-018",
    )
    with sessions.begin() as db:
        row = Outbox(db).record(1, UpdateJob(idempotency_key="upd-1", job=wanted), now=START)
        row.needs_lookup = True
    ticket = login(service)
    (lookup,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    assert lookup.findtext("ListID") == "80000002-1"
    current = customer_ret(
        "80000002-1",
        "Ridge Clinic",
        parent=("80000001-1", "Summit Health"),
        edit_sequence="2",
        number="24-018",
    )
    assert service.receive_response_xml(ticket, message(rs(lookup, current)), "", "") == 100
    with sessions.begin() as db:
        result = Outbox.result(Outbox(db).get(1, "upd-1"))
    assert result is not None
    assert result.ok
    assert result.jobs[0].version == "2"


def test_update_not_yet_applied_goes_after_the_lookup(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    wanted = QuickBooksJob(
        name="Ridge Clinic", id="80000002-1", version="2", parent_id="80000001-1", number="24-018"
    )
    with sessions.begin() as db:
        row = Outbox(db).record(1, UpdateJob(idempotency_key="upd-1", job=wanted), now=START)
        row.needs_lookup = True
    ticket = login(service)
    (lookup,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    older = customer_ret(
        "80000002-1",
        "Ridge Clinic",
        parent=("80000001-1", "Summit Health"),
        edit_sequence="2",
        number="24-017",
    )
    service.receive_response_xml(ticket, message(rs(lookup, older)), "", "")
    (mod,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    assert mod.tag == "CustomerModRq"
    modified = customer_ret(
        "80000002-1",
        "Ridge Clinic",
        parent=("80000001-1", "Summit Health"),
        edit_sequence="3",
        number="24-018",
    )
    assert service.receive_response_xml(ticket, message(rs(mod, modified)), "", "") == 100
    with sessions.begin() as db:
        result = Outbox.result(Outbox(db).get(1, "upd-1"))
    assert result is not None
    assert result.jobs[0].version == "3"


def test_new_session_takes_back_what_a_vanished_one_held(
    service: WebConnectorService, sessions: sessionmaker[Session], clock: Clock
) -> None:
    record(sessions, CreateJob(idempotency_key="job-1", job=JOB))
    first = login(service)
    service.send_request_xml(first, "", "", "US", 13, 0)
    clock.advance(minutes=10)
    second = login(service)
    assert second != first
    assert state_of(sessions, "job-1") == ("pending", True)
    # The old ticket now ends its session instead of faulting.
    assert service.send_request_xml(first, "", "", "US", 13, 0) == ""
    assert service.receive_response_xml(first, message(), "", "") == 100
    batch = requests_of(service.send_request_xml(second, "", "", "US", 13, 0))
    assert [r.tag for r in batch] == ["CustomerQueryRq"]


def test_tickets_expire(
    service: WebConnectorService, sessions: sessionmaker[Session], clock: Clock
) -> None:
    record(sessions, CreateJob(idempotency_key="job-1", job=JOB))
    ticket = login(service)
    service.send_request_xml(ticket, "", "", "US", 13, 0)
    clock.advance(hours=1)
    assert service.send_request_xml(ticket, "", "", "US", 13, 0) == ""
    assert state_of(sessions, "job-1") == ("pending", True)
    with sessions.begin() as db:
        assert db.get(QbwcSession, ticket).state == "expired"  # type: ignore[union-attr]


def test_restart_between_send_and_receive(sessions: sessionmaker[Session], clock: Clock) -> None:
    record(sessions, CreateJob(idempotency_key="job-1", job=JOB))
    before = make_service(sessions, clock)
    ticket = login(before)
    (rq,) = requests_of(before.send_request_xml(ticket, "", "", "US", 13, 0))
    after = make_service(sessions, clock)  # a new process over the same database
    ret = customer_ret("80000002-1", "Ridge Clinic", parent=("80000001-1", "Summit Health"))
    assert after.receive_response_xml(ticket, message(rs(rq, ret)), "", "") == 100
    assert state_of(sessions, "job-1") == ("done", False)


def test_connection_error_is_recorded_and_shown(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    record(sessions, CreateJob(idempotency_key="job-1", job=JOB))
    ticket = login(service)
    service.send_request_xml(ticket, "", "", "US", 13, 0)
    assert service.connection_error(ticket, "0x80040408", "Could not start QuickBooks.") == "done"
    assert state_of(sessions, "job-1") == ("pending", True)
    status = service.status(1)
    assert status.connection_errors[0][1:] == ("0x80040408", "Could not start QuickBooks.")
    assert status.last_error is not None
    assert "Could not start" in status.last_error
    assert status.pending == 1


def test_older_quickbooks_gets_its_qbxml_version(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    record(sessions, QueryJobs(idempotency_key="q"))
    ticket = login(service)
    assert '<?qbxml version="8.0"?>' in service.send_request_xml(ticket, "", "", "US", 8, 0)


def test_a_command_qbxml_cannot_express_fails_instead_of_looping(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    bad = QuickBooksJob(name="A:B", parent_full_name="Summit Health")
    record(sessions, CreateJob(idempotency_key="bad", job=bad), QueryJobs(idempotency_key="q"))
    ticket = login(service)
    (rq,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    assert rq.tag == "CustomerQueryRq"
    with sessions.begin() as db:
        row = Outbox(db).get(1, "bad")
    assert row.state == "failed"
    assert "':'" in (row.error_message or "")


def test_incremental_refresh_sends_deleted_query(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    since = datetime(2026, 11, 27, tzinfo=UTC)
    record(sessions, QueryJobs(idempotency_key="inc", modified_since=since))
    ticket = login(service)
    customers, deleted = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    assert customers.findtext("FromModifiedDate") == "2026-11-27T00:00:00+00:00"
    assert customers.findtext("ActiveStatus") == "All"
    assert deleted.tag == "ListDeletedQueryRq"
    gone = (
        "<ListDeletedRet><ListDelType>Customer</ListDelType><ListID>5-5</ListID>"
        "<TimeCreated>2026-01-01T00:00:00+00:00</TimeCreated>"
        "<TimeDeleted>2026-11-27T10:00:00+00:00</TimeDeleted><FullName>Old</FullName></ListDeletedRet>"
    )
    service.receive_response_xml(
        ticket, message(rs(customers, customer_ret("1-1", "A")), rs(deleted, gone)), "", ""
    )
    with sessions.begin() as db:
        result = Outbox.result(Outbox(db).get(1, "inc"))
    assert result is not None
    assert [j.id for j in result.jobs] == ["1-1"]
    assert result.deleted_ids == ("5-5",)


def test_results_are_handed_to_the_handler_in_the_outbox_transaction(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    seen: list[tuple[str, str, bool]] = []

    def handler(db: Session, row: QbCommand, result: CommandResult) -> None:
        assert row in db
        seen.append((row.idempotency_key, row.state, result.ok))

    service = make_service(sessions, clock, on_result=handler)
    bad = QuickBooksJob(name="A:B", parent_full_name="Summit Health")
    record(
        sessions,
        CreateJob(idempotency_key="bad", job=bad),
        CreateJob(idempotency_key="ok", job=JOB),
    )
    ticket = login(service)
    (rq,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    assert seen == [("bad", "failed", False)]
    ret = customer_ret("80000002-1", "Ridge Clinic", parent=("80000001-1", "Summit Health"))
    assert service.receive_response_xml(ticket, message(rs(rq, ret)), "", "") == 100
    assert seen == [("bad", "failed", False), ("ok", "done", True)]


def test_a_failing_handler_rolls_the_result_back(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    def refuse(db: Session, row: QbCommand, result: CommandResult) -> None:
        raise RuntimeError("the use case refused the result")

    service = make_service(sessions, clock, on_result=refuse)
    record(sessions, CreateJob(idempotency_key="job-1", job=JOB))
    ticket = login(service)
    (rq,) = requests_of(service.send_request_xml(ticket, "", "", "US", 13, 0))
    ret = customer_ret("80000002-1", "Ridge Clinic", parent=("80000001-1", "Summit Health"))
    with pytest.raises(RuntimeError, match="refused"):
        service.receive_response_xml(ticket, message(rs(rq, ret)), "", "")
    assert state_of(sessions, "job-1") == ("in_flight", False)


FILE_A = "C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\Summit.qbw"
FILE_B = "C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\Practice.qbw"


def test_the_company_file_is_pinned_on_first_contact(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    from procore_qb.store.repositories.companies import Companies
    from procore_qb.store.repositories.qbwc import PINNED_COMPANY_FILE

    record(sessions, QueryJobs(idempotency_key="jobs-1"))
    ticket = login(service)
    assert service.send_request_xml(ticket, "", FILE_A, "US", 13, 0)
    with sessions.begin() as db:
        assert Companies(db).setting(1, PINNED_COMPANY_FILE) == FILE_A
        session = db.get(QbwcSession, ticket)
        assert session is not None
        assert session.company_file == FILE_A
    service.close_connection(ticket)  # its command goes back to the queue

    # Another file open: no work is handed out, and the Web Connector shows why.
    ticket = login(service)
    assert service.send_request_xml(ticket, "", FILE_B, "US", 13, 0) == ""
    error = service.get_last_error(ticket)
    assert f"QuickBooks has the company file {FILE_B} open" in error
    assert f"procore-qb works with {FILE_A}" in error
    assert state_of(sessions, "jobs-1")[0] == "pending"
    service.close_connection(ticket)

    # The same file, spelled as Windows allows (case, slashes), is the pinned one.
    ticket = login(service)
    same = FILE_A.upper().replace("\\", "/")
    assert 'requestID="jobs-1' in service.send_request_xml(ticket, "", same, "US", 13, 0)
    assert state_of(sessions, "jobs-1")[0] == "in_flight"


def test_without_a_reported_file_nothing_is_pinned(
    service: WebConnectorService, sessions: sessionmaker[Session]
) -> None:
    from procore_qb.store.repositories.companies import Companies
    from procore_qb.store.repositories.qbwc import PINNED_COMPANY_FILE

    record(sessions, QueryJobs(idempotency_key="jobs-1"))
    ticket = login(service)
    assert service.send_request_xml(ticket, "", "", "US", 13, 0)
    with sessions.begin() as db:
        assert Companies(db).setting(1, PINNED_COMPANY_FILE) is None
