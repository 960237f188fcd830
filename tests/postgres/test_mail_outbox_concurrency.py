"""PostgreSQL: two deliveries of one company's mail running at once.

SQLite serialises writers (``BEGIN IMMEDIATE``); on PostgreSQL two workers can claim at the same
moment. Rows one is claiming are skipped by the other, so no mail is handed to the mail server
twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.mail import MailOutbox

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
LEASE = timedelta(minutes=10)


@pytest.fixture
def sessions(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    engine = create_engine(postgres_url)
    migrate.upgrade(engine)
    yield create_session_factory(engine)
    engine.dispose()


@pytest.fixture
def company_id(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return (
            Companies(session)
            .add(
                procore_company_id=4263, name="Summit Ridge Builders", qb_edition="desktop", now=NOW
            )
            .id
        )


def _queue(session: Session, company_id: int, key: str) -> int:
    row, _ = MailOutbox(session).queue(
        company_id,
        kind="digest",
        dedupe_key=key,
        recipients=["ben@summit.example"],
        subject="s",
        body="b",
        now=NOW,
    )
    return row.id


def test_two_claims_at_once_take_different_mail(
    sessions: sessionmaker[Session], company_id: int
) -> None:
    with sessions.begin() as session:
        ids = [_queue(session, company_id, f"k{n}") for n in range(4)]
    with sessions() as first, sessions() as second:
        taken = MailOutbox(first).claim_due(
            company_id, now=NOW, limit=2, lease=LEASE, include_held=False
        )
        # The first transaction is still open, holding its rows.
        other = MailOutbox(second).claim_due(
            company_id, now=NOW, limit=10, lease=LEASE, include_held=False
        )
        assert [row.id for row in taken] == ids[:2]
        assert [row.id for row in other] == ids[2:]
        first.commit()
        second.commit()
