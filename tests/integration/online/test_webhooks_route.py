from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from procore_qb.quickbooks.online.webhooks import WebhookEvent, sign
from procore_qb.store.models import QboWebhookEvent
from procore_qb.web.quickbooks_webhooks import MAX_BODY_BYTES, create_quickbooks_webhooks_router

TOKEN = "verifier-token-123"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

LEGACY = {
    "eventNotifications": [
        {
            "realmId": "9130357992221046",
            "dataChangeEvent": {
                "entities": [
                    {
                        "name": "Customer",
                        "id": "58",
                        "operation": "Update",
                        "lastUpdated": "2026-11-28T04:42:19-0700",
                    },
                    {
                        "name": "Bill",
                        "id": "140",
                        "operation": "Create",
                        "lastUpdated": "2026-11-28T04:42:20-0700",
                    },
                ]
            },
        }
    ]
}
CLOUD = [
    {
        "specversion": "1.0",
        "id": "88cd52aa-33b6-4351-9aa4-47572edbd068",
        "source": "intuit.abc",
        "type": "qbo.customer.created.v1",
        "datacontenttype": "application/json",
        "time": "2026-11-28T11:31:25.179851517Z",
        "intuitentityid": "61",
        "intuitaccountid": "9130357992221046",
        "data": {},
    }
]


@pytest.fixture
def app(any_db_sessions: sessionmaker[Session]) -> tuple[TestClient, list[list[WebhookEvent]]]:
    enqueued: list[list[WebhookEvent]] = []

    def enqueue(session: Session, events: Sequence[WebhookEvent]) -> None:
        assert session.in_transaction()
        enqueued.append(list(events))

    api = FastAPI()
    api.include_router(
        create_quickbooks_webhooks_router(
            verifier_token=TOKEN, sessions=any_db_sessions, enqueue=enqueue, clock=lambda: NOW
        )
    )
    return TestClient(api), enqueued


def post(
    client: TestClient, payload: object, *, token: str = TOKEN, signature: str | None = None
) -> object:
    body = json.dumps(payload).encode()
    headers = {
        "intuit-signature": signature if signature is not None else sign(body, token),
        "content-type": "application/json",
    }
    return client.post("/webhooks/quickbooks", content=body, headers=headers)


def test_legacy_payload_is_recorded_and_enqueued_once(
    app: tuple[TestClient, list[list[WebhookEvent]]], any_db_sessions: sessionmaker[Session]
) -> None:
    client, enqueued = app
    first = post(client, LEGACY)
    assert first.status_code == 200  # type: ignore[attr-defined]
    assert first.json() == {"received": 2, "new": 2}  # type: ignore[attr-defined]
    again = post(client, LEGACY)
    assert again.json() == {"received": 2, "new": 0}  # type: ignore[attr-defined]
    assert [[(e.entity, e.entity_id, e.operation) for e in batch] for batch in enqueued] == [
        [("Customer", "58", "Update"), ("Bill", "140", "Create")]
    ]
    with any_db_sessions() as session:
        rows = session.scalars(sa.select(QboWebhookEvent).order_by(QboWebhookEvent.id)).all()
    assert [r.entity_id for r in rows] == ["58", "140"]
    assert rows[0].occurred_at == datetime(2026, 11, 28, 11, 42, 19, tzinfo=UTC)
    assert rows[0].received_at == NOW


def test_cloudevents_payload(app: tuple[TestClient, list[list[WebhookEvent]]]) -> None:
    client, enqueued = app
    assert post(client, CLOUD).json() == {"received": 1, "new": 1}  # type: ignore[attr-defined]
    assert post(client, CLOUD).json() == {"received": 1, "new": 0}  # type: ignore[attr-defined]
    [[event]] = enqueued
    assert (event.realm_id, event.entity, event.entity_id, event.operation) == (
        "9130357992221046",
        "Customer",
        "61",
        "Created",
    )
    assert event.dedupe_key == "ce:88cd52aa-33b6-4351-9aa4-47572edbd068"


def test_bad_signature_is_refused_and_nothing_recorded(
    app: tuple[TestClient, list[list[WebhookEvent]]], any_db_sessions: sessionmaker[Session]
) -> None:
    client, enqueued = app
    for response in (post(client, LEGACY, token="wrong"), post(client, LEGACY, signature="")):
        assert response.status_code == 401  # type: ignore[attr-defined]
        assert response.json()["rule"] == "webhook_signature"  # type: ignore[attr-defined]
    assert enqueued == []
    with any_db_sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(QboWebhookEvent)) == 0


def test_malformed_payload_is_a_400_naming_the_formats(
    app: tuple[TestClient, list[list[WebhookEvent]]],
) -> None:
    client, _ = app
    response = post(client, {"hello": "world"})
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "CloudEvents" in response.json()["detail"]  # type: ignore[attr-defined]


def test_empty_verifier_token_is_refused(any_db_sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="verifier token"):
        create_quickbooks_webhooks_router(
            verifier_token="", sessions=any_db_sessions, enqueue=lambda s, e: None
        )


def test_oversized_bodies_are_refused_whether_declared_or_streamed(
    app: tuple[TestClient, list[list[WebhookEvent]]], any_db_sessions: sessionmaker[Session]
) -> None:
    client, enqueued = app
    big = b"[" + b" " * MAX_BODY_BYTES + b"]"
    headers = {"intuit-signature": sign(big, TOKEN), "content-type": "application/json"}
    declared = client.post("/webhooks/quickbooks", content=big, headers=headers)
    assert declared.status_code == 413
    assert declared.json()["rule"] == "webhook_size"

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(big), 1 << 20):
            yield big[start : start + (1 << 20)]

    streamed = client.post("/webhooks/quickbooks", content=pieces(), headers=headers)
    assert streamed.status_code == 413
    assert enqueued == []
    with any_db_sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(QboWebhookEvent)) == 0
