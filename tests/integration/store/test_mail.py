"""The mail outbox repository on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.store.errors import Conflict, InvalidQuery
from procore_qb.store.repositories.mail import MailOutbox
from procore_qb.store.repositories.users import Users

from .conftest import NOW

LEASE = timedelta(minutes=10)


def _queue(outbox: MailOutbox, company_id: int, key: str, *, to: str = "ben@summit.example") -> int:
    row, _ = outbox.queue(
        company_id,
        kind="digest" if key.startswith("digest") else "rejection",
        dedupe_key=key,
        recipients=[to],
        subject=f"subject {key}",
        body="body\n",
        now=NOW,
    )
    return row.id


def test_queueing_the_same_key_twice_keeps_one_mail(
    session_factory: sessionmaker[Session], company_id: int
) -> None:
    with session_factory.begin() as session:
        first, created = MailOutbox(session).queue(
            company_id,
            kind="rejection",
            dedupe_key="rejection:1:t",
            recipients=["Ben@Summit.example", "cara@summit.example"],
            subject="s",
            body="b",
            now=NOW,
        )
        assert created
    with session_factory.begin() as session:
        again, created = MailOutbox(session).queue(
            company_id,
            kind="rejection",
            dedupe_key="rejection:1:t",
            recipients=["someone@else.example"],
            subject="other",
            body="other",
            now=NOW,
        )
        assert not created
        assert again.id == first.id
        assert again.recipients == ["ben@summit.example", "cara@summit.example"]
        assert MailOutbox(session).counts(company_id) == {
            "pending": 1,
            "sent": 0,
            "held": 0,
            "failed": 0,
        }


def test_a_mail_queued_meanwhile_by_another_transaction_is_found_not_doubled(
    session_factory: sessionmaker[Session], company_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_factory.begin() as session:
        first = _queue(MailOutbox(session), company_id, "digest:2026-11-02:102")
    # The other transaction looked before the first committed, so its look-up found nothing.
    real_find = MailOutbox.find
    looks: list[str] = []

    def find_nothing_first(self: MailOutbox, company: int, key: str) -> object:
        looks.append(key)
        return None if len(looks) == 1 else real_find(self, company, key)

    monkeypatch.setattr(MailOutbox, "find", find_nothing_first)
    with session_factory.begin() as session:
        # Its insert hits the unique key; its transaction goes on with the mail found.
        assert _queue(MailOutbox(session), company_id, "digest:2026-11-02:102") == first
        _queue(MailOutbox(session), company_id, "digest:2026-11-02:101")
    assert len(looks) == 3
    with session_factory() as session:
        assert MailOutbox(session).counts(company_id)["pending"] == 2


def test_a_rolled_back_transaction_leaves_no_mail(
    session_factory: sessionmaker[Session], company_id: int
) -> None:
    with session_factory() as session:
        _queue(MailOutbox(session), company_id, "rejection:2:t")
        session.rollback()
    with session_factory() as session:
        assert MailOutbox(session).page(company_id) == []


def test_claimed_mail_is_leased_and_comes_back_when_the_lease_runs_out(
    session: Session, company_id: int
) -> None:
    outbox = MailOutbox(session)
    ids = [_queue(outbox, company_id, f"k{n}") for n in range(3)]
    claimed = outbox.claim_due(company_id, now=NOW, limit=2, lease=LEASE, include_held=False)
    assert [row.id for row in claimed] == ids[:2]
    again = outbox.claim_due(company_id, now=NOW, limit=10, lease=LEASE, include_held=False)
    assert [row.id for row in again] == ids[2:]
    later = outbox.claim_due(company_id, now=NOW + LEASE, limit=10, lease=LEASE, include_held=False)
    assert [row.id for row in later] == ids


def test_sent_retry_failed_and_held(session: Session, company_id: int) -> None:
    outbox = MailOutbox(session)
    sent, retry, failed, held = (_queue(outbox, company_id, f"k{n}") for n in range(4))
    outbox.mark_sent(sent, now=NOW, note=None)
    outbox.mark_retry(retry, now=NOW, error="451 later", retry_at=NOW + timedelta(minutes=1))
    outbox.mark_failed(failed, now=NOW, error="550 no such user")
    assert outbox.hold_pending(company_id) == 2  # the retried one and the untouched one
    row = outbox.get(sent)
    assert (row.state, row.attempts, row.sent_at) == ("sent", 1, NOW)
    row = outbox.get(retry)
    assert (row.state, row.attempts, row.last_error) == ("held", 1, "451 later")
    assert outbox.get(failed).state == "failed"
    # Held mail is claimed only by a delivery that has a server to send it to.
    assert outbox.claim_due(company_id, now=NOW, limit=10, lease=LEASE, include_held=False) == []
    claimed = outbox.claim_due(company_id, now=NOW, limit=10, lease=LEASE, include_held=True)
    assert sorted(row.id for row in claimed) == sorted([retry, held])
    with pytest.raises(Conflict, match="sent already"):
        outbox.mark_failed(sent, now=NOW, error="x")
    outbox.requeue(failed)
    assert outbox.get(failed).state == "pending"
    with pytest.raises(Conflict, match="only failed or held"):
        outbox.requeue(sent)


def test_a_retry_waits_for_its_time(session: Session, company_id: int) -> None:
    outbox = MailOutbox(session)
    mail = _queue(outbox, company_id, "k")
    outbox.mark_retry(mail, now=NOW, error="down", retry_at=NOW + timedelta(minutes=4))
    early = NOW + timedelta(minutes=3)
    assert outbox.claim_due(company_id, now=early, limit=5, lease=LEASE, include_held=True) == []
    due = NOW + timedelta(minutes=4)
    claimed = outbox.claim_due(company_id, now=due, limit=5, lease=LEASE, include_held=True)
    assert [row.id for row in claimed] == [mail]


def test_the_outbox_page_filters_and_pages(session: Session, company_id: int) -> None:
    outbox = MailOutbox(session)
    a = _queue(outbox, company_id, "digest:1", to="ben@summit.example")
    b = _queue(outbox, company_id, "rejection:1", to="ada@summit.example")
    c = _queue(outbox, company_id, "digest:2", to="ada_b@summit.example")
    outbox.mark_sent(a, now=NOW)
    assert [r.id for r in outbox.page(company_id)] == [c, b, a]
    assert [r.id for r in outbox.page(company_id, limit=2)] == [c, b]
    assert [r.id for r in outbox.page(company_id, before_id=b)] == [a]
    assert [r.id for r in outbox.page(company_id, states=["pending"])] == [c, b]
    assert [r.id for r in outbox.page(company_id, kind="digest")] == [c, a]
    # A whole address, any case; '_' is no wildcard.
    assert [r.id for r in outbox.page(company_id, recipient="ADA@summit.example")] == [b]
    assert [r.id for r in outbox.page(company_id, recipient="ada_b@summit.example")] == [c]
    assert outbox.page(company_id, recipient="summit.example") == []
    with pytest.raises(InvalidQuery, match="unknown mail state"):
        outbox.page(company_id, states=["queued"])
    with pytest.raises(InvalidQuery, match="between 1 and 500"):
        outbox.page(company_id, limit=0)


def test_a_mail_needs_recipients(session: Session, company_id: int) -> None:
    with pytest.raises(InvalidQuery, match="recipients"):
        MailOutbox(session).queue(
            company_id, kind="x", dedupe_key="k", recipients=[], subject="", body="", now=NOW
        )


def test_the_digest_opt_out_is_kept_per_user(session: Session, company_id: int) -> None:
    users = Users(session)
    users.upsert(company_id, procore_user_id=7, email="ben@summit.example")
    assert users.by_procore_id(company_id, 7).digest_opt_out is False  # type: ignore[union-attr]
    users.set_digest_opt_out(company_id, 7, True)
    # A refresh from Procore leaves the choice alone.
    users.upsert(company_id, procore_user_id=7, email="ben@summit.example", name="Ben")
    assert users.by_procore_id(company_id, 7).digest_opt_out is True  # type: ignore[union-attr]
