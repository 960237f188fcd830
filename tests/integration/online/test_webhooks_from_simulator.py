"""The simulator's webhooks, signed with the verifier token, land in our receiver exactly once."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from procore_qb.domain.commands import CreateCustomer
from procore_qb.quickbooks.online.webhooks import WebhookEvent
from procore_qb.sandbox.qbo import SimulatorConfig
from procore_qb.store.models import QboWebhookEvent
from procore_qb.web.quickbooks_webhooks import create_quickbooks_webhooks_router

from .sim import Harness

VERIFIER = "bench-verifier-token"


@pytest.mark.parametrize("payload_format", ["legacy", "cloudevents"])
def test_simulator_webhooks_are_verified_recorded_and_enqueued(
    sessions: sessionmaker[Session], payload_format: str
) -> None:
    enqueued: list[WebhookEvent] = []

    def enqueue(session: Session, events: Sequence[WebhookEvent]) -> None:
        enqueued.extend(events)

    ours = FastAPI()
    ours.include_router(
        create_quickbooks_webhooks_router(
            verifier_token=VERIFIER, sessions=sessions, enqueue=enqueue
        )
    )
    config = SimulatorConfig(
        webhook_url="http://ours/webhooks/quickbooks",
        webhook_verifier_token=VERIFIER,
        webhook_format=payload_format,
    )
    sim = Harness(sessions, config=config)
    sim.app.state.simulator.webhooks.set_client(TestClient(ours, base_url="http://ours"))
    sim.connect()
    [created] = sim.gateway().execute(
        [CreateCustomer(idempotency_key="hook-1", name="Webhook Works")]
    )
    assert created.ok
    assert sim.app.state.simulator.deliver_due() >= 1
    assert [(e.entity, e.entity_id) for e in enqueued] == [("Customer", created.jobs[0].id)]
    assert enqueued[0].realm_id == "9130357992221046"
    with sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(QboWebhookEvent)) == 1
