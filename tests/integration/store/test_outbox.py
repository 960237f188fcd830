from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.domain.commands import (
    CommandError,
    CommandResult,
    CreateJob,
    QueryCustomers,
)
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.store.errors import NotFound
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.outbox import Outbox

from .conftest import NOW


def _create(key: str) -> CreateJob:
    return CreateJob(
        idempotency_key=key,
        job=QuickBooksJob(name="Riverside Clinic TI", parent_full_name="Riverside Health"),
    )


def test_recording_is_idempotent_and_survives_a_new_session(
    session_factory: sessionmaker[Session], company_id: int
) -> None:
    with session_factory.begin() as session:
        outbox = Outbox(session)
        first = outbox.record(company_id, _create("exp-1-a"), now=NOW, subject_type="export")
        again = outbox.record(company_id, _create("exp-1-a"), now=NOW)
        assert first.id == again.id
    with session_factory() as session:
        rows = Outbox(session).pending(company_id, limit=10)
        assert [r.idempotency_key for r in rows] == ["exp-1-a"]
        command = Outbox.command(rows[0])
        assert command == _create("exp-1-a")


def test_rolled_back_transaction_leaves_no_command(
    session_factory: sessionmaker[Session], company_id: int
) -> None:
    with session_factory() as session:
        Outbox(session).record(company_id, _create("exp-2"), now=NOW)
        session.rollback()
    with session_factory() as session:
        assert Outbox(session).pending(company_id, limit=10) == []


def test_pending_is_oldest_first_and_limited(session: Session, company_id: int) -> None:
    outbox = Outbox(session)
    for n in range(5):
        outbox.record(company_id, QueryCustomers(idempotency_key=f"q-{n}"), now=NOW)
    assert [r.idempotency_key for r in outbox.pending(company_id, limit=3)] == [
        "q-0",
        "q-1",
        "q-2",
    ]


def test_hand_out_then_lost_answer_needs_a_lookup(session: Session, company_id: int) -> None:
    outbox = Outbox(session)
    row = outbox.record(company_id, _create("exp-3"), now=NOW)
    outbox.hand_out([row], to="ticket-1", now=NOW)
    assert (row.state, row.attempts, row.handed_out_to) == ("in_flight", 1, "ticket-1")
    assert outbox.pending(company_id, limit=10) == []
    assert outbox.in_flight(company_id) == [row]

    outbox.outcome_unknown([row])
    assert (row.state, row.needs_lookup, row.handed_out_to) == ("pending", True, None)
    assert outbox.pending(company_id, limit=10) == [row]


def test_complete_stores_success_and_refusal(session: Session, company_id: int) -> None:
    outbox = Outbox(session)
    ok_row = outbox.record(company_id, _create("exp-4"), now=NOW)
    bad_row = outbox.record(company_id, _create("exp-5"), now=NOW)
    outbox.hand_out([ok_row, bad_row], to="t", now=NOW)
    created = QuickBooksJob(
        name="Riverside Clinic TI",
        full_name="Riverside Health:Riverside Clinic TI",
        id="80000012-1764321000",
        version="1764321000",
        parent_full_name="Riverside Health",
    )
    later = NOW + timedelta(minutes=1)
    outbox.complete(company_id, CommandResult(idempotency_key="exp-4", jobs=(created,)), now=later)
    refusal = CommandError(
        code="3100", message='The name "X" of the list element is already in use.'
    )
    outbox.complete(company_id, CommandResult(idempotency_key="exp-5", error=refusal), now=later)

    assert ok_row.state == "done"
    assert ok_row.completed_at == later
    stored = Outbox.result(ok_row)
    assert stored is not None
    assert stored.jobs == (created,)
    assert (bad_row.state, bad_row.error_code) == ("failed", "3100")
    assert outbox.counts(company_id) == {"done": 1, "failed": 1}


def test_idempotency_keys_are_scoped_by_company(session: Session, company_id: int) -> None:
    other = (
        Companies(session)
        .add(procore_company_id=9001, name="Harbor Builders", qb_edition="online", now=NOW)
        .id
    )
    outbox = Outbox(session)
    ours = outbox.record(company_id, _create("shared-key"), now=NOW)
    theirs = outbox.record(other, _create("shared-key"), now=NOW)
    assert ours.id != theirs.id
    assert outbox.get(company_id, "shared-key") is ours
    assert outbox.get(other, "shared-key") is theirs
    assert outbox.by_id(theirs.id) is theirs

    outbox.hand_out([ours, theirs], to="t", now=NOW)
    outbox.complete(other, CommandResult(idempotency_key="shared-key"), now=NOW)
    assert (ours.state, theirs.state) == ("in_flight", "done")
    with pytest.raises(NotFound, match="company"):
        outbox.get(other, "exp-unknown")
