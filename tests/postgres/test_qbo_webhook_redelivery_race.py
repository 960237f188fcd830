"""PostgreSQL: two deliveries of one QuickBooks webhook event racing to record it.

SQLite serialises writers (``BEGIN IMMEDIATE``), so the race exists only here: our look-up
finds nothing, another request commits the same event, our insert hits the unique key. The
receiver redoes its transaction once, finds the event recorded and enqueues nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.quickbooks.online.webhooks import WebhookEvent, parse_payload
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import QboWebhookEvent
from procore_qb.web.quickbooks_webhooks import record_events

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
EVENT = [
    {
        "specversion": "1.0",
        "id": "5b0f3c1e-race",
        "type": "qbo.customer.updated.v1",
        "time": "2026-11-28T11:31:25Z",
        "intuitentityid": "61",
        "intuitaccountid": "9130357992221046",
        "data": {},
    }
]


@pytest.fixture
def engine(postgres_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(postgres_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def test_a_concurrent_redelivery_that_wins_the_insert_is_not_recorded_twice(
    engine: sa.Engine,
) -> None:
    ours: sessionmaker[Session] = create_session_factory(engine)
    other_request = create_session_factory(engine)
    events = parse_payload(json.dumps(EVENT).encode())
    enqueued: list[int] = []
    raced: list[int] = []

    def race(session: Session, context: object, instances: object) -> None:
        if not raced:
            raced.append(1)
            record_events(other_request, events, lambda s, e: None, NOW)

    def enqueue(session: Session, new: Sequence[WebhookEvent]) -> None:
        enqueued.append(len(new))

    sa.event.listen(ours, "before_flush", race)
    assert record_events(ours, events, enqueue, NOW) == 0
    assert raced == [1]
    assert enqueued == []
    with ours() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(QboWebhookEvent)) == 1
