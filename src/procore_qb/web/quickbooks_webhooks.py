"""``POST /webhooks/quickbooks``: QuickBooks Online change notifications.

Intuit expects an HTTP 200 within 3 seconds and redelivers until it gets one (spec §A.14,
https://blogs.a.intuit.com/2025/10/14/introducing-enhanced-webhooks-monitoring). So the
handler only verifies the ``intuit-signature`` (constant time), records each entity change in
``qbo_webhook_events`` (a redelivered event is recognised by its key and skipped) and hands the
new events to ``enqueue`` in the same transaction; the real work (re-reading the entity) runs
later in a worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from procore_qb.quickbooks.online.webhooks import (
    WebhookEvent,
    WebhookPayloadError,
    parse_payload,
    verify_signature,
)
from procore_qb.store.models import QboWebhookEvent

__all__ = [
    "MAX_BODY_BYTES",
    "EnqueueWebhookEvents",
    "create_quickbooks_webhooks_router",
    "record_events",
]

MAX_BODY_BYTES = 5 * 1024 * 1024
EnqueueWebhookEvents = Callable[[Session, Sequence[WebhookEvent]], None]


def _problem(status: int, title: str, detail: str, rule: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail, "rule": rule},
        status_code=status,
        media_type="application/problem+json",
    )


async def _bounded_body(request: Request, limit: int) -> bytes | None:
    """The body, or ``None`` once it is known to exceed ``limit`` bytes: by its declared
    length, else while it streams in, so an oversized body is never held whole in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)


def record_events(
    sessions: sessionmaker[Session],
    events: Sequence[WebhookEvent],
    enqueue: EnqueueWebhookEvents,
    now: datetime,
) -> int:
    """Store the events not seen before and enqueue them, in one transaction. Returns how
    many were new. When a concurrent redelivery inserts the same keys first (unique
    violation), the transaction is redone once and then finds them recorded."""
    try:
        return _record(sessions, events, enqueue, now)
    except IntegrityError:
        return _record(sessions, events, enqueue, now)


def _record(
    sessions: sessionmaker[Session],
    events: Sequence[WebhookEvent],
    enqueue: EnqueueWebhookEvents,
    now: datetime,
) -> int:
    with sessions.begin() as session:
        keys = {e.dedupe_key for e in events}
        seen = set(
            session.scalars(
                sa.select(QboWebhookEvent.dedupe_key).where(QboWebhookEvent.dedupe_key.in_(keys))
            )
        )
        fresh: list[WebhookEvent] = []
        for event in events:
            if event.dedupe_key in seen:
                continue
            seen.add(event.dedupe_key)
            fresh.append(event)
            session.add(
                QboWebhookEvent(
                    dedupe_key=event.dedupe_key,
                    realm_id=event.realm_id,
                    entity=event.entity,
                    entity_id=event.entity_id,
                    operation=event.operation,
                    occurred_at=event.occurred_at,
                    payload_format=event.payload_format,
                    payload=event.payload,
                    received_at=now,
                )
            )
        session.flush()
        if fresh:
            enqueue(session, fresh)
        return len(fresh)


def create_quickbooks_webhooks_router(
    *,
    verifier_token: str,
    sessions: sessionmaker[Session],
    enqueue: EnqueueWebhookEvents,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> APIRouter:
    """The router; ``verifier_token`` is the app's webhook verifier token from Intuit's
    developer portal. ``enqueue(session, new_events)`` runs inside the recording transaction."""
    if not verifier_token:
        raise ValueError(
            "the QuickBooks webhook verifier token is empty; copy it from the app's Webhooks "
            "page on developer.intuit.com"
        )
    router = APIRouter()

    @router.post("/webhooks/quickbooks", include_in_schema=True)
    async def quickbooks_webhook(request: Request) -> Any:
        body = await _bounded_body(request, MAX_BODY_BYTES)
        if body is None:
            return _problem(
                413,
                "Payload too large",
                f"webhook bodies above {MAX_BODY_BYTES} bytes are refused",
                "webhook_size",
            )
        if not verify_signature(body, request.headers.get("intuit-signature"), verifier_token):
            return _problem(
                401,
                "Invalid signature",
                "intuit-signature is not the Base64 HMAC-SHA256 of the body under the "
                "configured verifier token; check the verifier token in the settings",
                "webhook_signature",
            )
        try:
            events = parse_payload(body)
        except WebhookPayloadError as exc:
            return _problem(400, "Malformed webhook payload", str(exc), "webhook_payload")
        new = await run_in_threadpool(record_events, sessions, events, enqueue, clock())
        return {"received": len(events), "new": new}

    return router
