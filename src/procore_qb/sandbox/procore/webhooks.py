"""Webhook events and their delivery: queue per hook, retries with backoff, 12-hour discard.

Rules (spec procore-api.md §1.8, D-webhooks, D-webhooks-api):

* a hook (destination plus company or project scope) has triggers (``resource_name``,
  ``event_type`` in create/update/delete); every matching change queues one event per hook;
* the event body is Procore's legacy ``v2.0`` payload (``id``, ``ulid``, ``timestamp``,
  ``metadata{source_user_id, source_project_id, source_operation_id, source_company_id,
  source_application_id}``, ``user_id``, ``company_id``, ``project_id``, ``api_version``,
  ``event_type``, ``resource_name``, ``resource_id``); ``v3.0`` adds ``related_resources``; for
  ``v4.0`` hooks, string ids with ``reason``/``resource_type`` and no ``ulid``/``metadata``;
* a delivery is an HTTP ``POST`` with ``application/json`` carrying the hook's
  ``destination_headers`` — that is how Procore lets the receiver authenticate a delivery (e.g.
  ``Authorization: Bearer <token>``); the receiver must answer 2xx within 5 seconds;
* on a non-2xx answer, a timeout or a connection error the hook's queue pauses and retries with
  exponential backoff from 1 s up to 1 h; after 12 h of failure the queue is flushed and its
  events are marked discarded; a success resets the counters;
* delivery records carry ``response_status``, ``response_headers``, ``response_error``,
  ``response_body``, ``outcome`` (ok, retried, discarded) and ``event``.

Deliveries happen only when :meth:`WebhookDelivery.deliver_due` runs (the ``/_sandbox/`` control,
or a loop in the command line), so tests drive them with the injected clock.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx2

from procore_qb.sandbox.procore.config import SandboxConfig
from procore_qb.sandbox.procore.fields import render_time
from procore_qb.sandbox.procore.world import World

__all__ = ["RESOURCE_NAMES", "WebhookDelivery", "emit_event"]

RESOURCE_NAMES = (
    "Projects",
    "Cost Codes",
    "Standard Cost Codes",
    "Line Item Types",
    "Budget Line Items",
    "Direct Costs",
    "Company Users",
    "ERP Requests",
)
"""Resources this simulator raises events for (names as Procore's webhook resources list)."""

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _ulid(now: datetime) -> str:
    millis = int(now.timestamp() * 1000)
    head = "".join(_CROCKFORD[(millis >> (5 * i)) & 31] for i in reversed(range(10)))
    return head + "".join(secrets.choice(_CROCKFORD) for _ in range(16))


def emit_event(
    world: World,
    now: datetime,
    *,
    company_id: int,
    project_id: int | None,
    resource_name: str,
    event_type: str,
    resource_id: int,
    user_id: int,
    application_id: str | None,
) -> None:
    """Queue one event for every hook whose scope and triggers match."""
    for hook in world.table("hooks").values():
        if hook["_company_id"] != company_id:
            continue
        if hook.get("_project_id") is not None and hook["_project_id"] != project_id:
            continue
        if not any(
            t["_hook_id"] == hook["id"]
            and t["resource_name"] == resource_name
            and t["event_type"] == event_type
            for t in world.table("triggers").values()
        ):
            continue
        event_id = world.new_id()
        if hook["payload_version"] == "v4.0":
            payload: dict[str, Any] = {
                "id": str(event_id),
                "timestamp": render_time(now),
                "user_id": str(user_id),
                "company_id": str(company_id),
                "project_id": None if project_id is None else str(project_id),
                "api_version": "v4.0",
                "reason": event_type,
                "resource_type": resource_name,
                "resource_id": str(resource_id),
            }
        else:
            payload = {
                "id": event_id,
                "ulid": _ulid(now),
                "timestamp": render_time(now),
                "metadata": {
                    "source_user_id": user_id,
                    "source_project_id": project_id,
                    "source_operation_id": None,
                    "source_company_id": company_id,
                    "source_application_id": application_id,
                },
                "user_id": user_id,
                "company_id": company_id,
                "project_id": project_id,
                "api_version": "v2.0",
                "event_type": event_type,
                "resource_name": resource_name,
                "resource_id": resource_id,
            }
            if hook["payload_version"] == "v3.0":
                # v3.0 adds related_resources to the v2.0 shape (spec §1.8).
                payload["api_version"] = "v3.0"
                payload["related_resources"] = []
        world.insert(
            "events",
            {
                "id": event_id,
                "_hook_id": hook["id"],
                "_company_id": company_id,
                "status": "pending",
                "payload": payload,
            },
            now,
        )


@dataclass
class WebhookDelivery:
    """Sends due events. ``client`` is any ``httpx2.Client`` (a TestClient in tests)."""

    config: SandboxConfig
    lock: threading.RLock
    client: httpx2.Client
    world: World = field(init=False)
    running: threading.Lock = field(default_factory=threading.Lock)
    """One delivery round at a time, so two rounds never send the same event twice."""
    duplicates: bool = False
    """Chaos mode: send every delivered event a second time ("Duplicates are possible, so dedupe
    on ulid or id", spec §1.8)."""

    def deliver_due(self, world: World, now: datetime) -> list[dict[str, Any]]:
        """Attempt every due event, in order per hook; return the delivery records made."""
        with self.running:
            self.world = world
            return self._round(now)

    def _round(self, now: datetime) -> list[dict[str, Any]]:
        with self.lock:
            hooks = [
                h["id"]
                for h in self.world.table("hooks").values()
                if h.get("_next_attempt_at") is None or h["_next_attempt_at"] <= now
            ]
        made: list[dict[str, Any]] = []
        for hook_id in hooks:
            while True:
                with self.lock:
                    hook = self.world.table("hooks").get(hook_id)
                    pending = self._pending(hook_id)
                    if hook is None or not pending:
                        break
                    event = pending[0]
                    url = hook["destination_url"]
                    headers = {
                        "Content-Type": "application/json",
                        **(hook.get("destination_headers") or {}),
                    }
                    body = json.dumps(event["payload"]).encode()
                record = self._post(url, headers, body)
                with self.lock:
                    record.update(
                        _hook_id=hook_id,
                        _company_id=hook["_company_id"],
                        event=event["payload"],
                        started_at=now,
                        completed_at=now,
                    )
                    ok = (
                        record["response_status"] is not None
                        and 200 <= int(record["response_status"]) < 300
                    )
                    if ok:
                        event["status"] = "ok"
                        record["outcome"] = "ok"
                        hook["_failing_since"] = None
                        hook["_attempts"] = 0
                        hook["_next_attempt_at"] = None
                        made.append(self.world.insert("deliveries", record, now))
                        if self.duplicates:
                            again = self._post(url, headers, body)
                            again.update(
                                _hook_id=hook_id,
                                _company_id=hook["_company_id"],
                                event=event["payload"],
                                started_at=now,
                                completed_at=now,
                                outcome="ok",
                                duplicate=True,
                            )
                            made.append(self.world.insert("deliveries", again, now))
                        continue
                    record["outcome"] = "retried"
                    made.append(self.world.insert("deliveries", record, now))
                    self._failed(hook, now, made)
                    break
        return made

    def _pending(self, hook_id: int) -> list[dict[str, Any]]:
        return [
            e
            for e in self.world.table("events").values()
            if e["_hook_id"] == hook_id and e["status"] == "pending"
        ]

    def _failed(self, hook: dict[str, Any], now: datetime, made: list[dict[str, Any]]) -> None:
        since = hook.get("_failing_since") or now
        hook["_failing_since"] = since
        attempts = int(hook.get("_attempts") or 0) + 1
        hook["_attempts"] = attempts
        if (now - since).total_seconds() >= self.config.webhook_discard_after_seconds:
            for event in self._pending(hook["id"]):
                event["status"] = "discarded"
                made.append(
                    self.world.insert(
                        "deliveries",
                        {
                            "_hook_id": hook["id"],
                            "_company_id": hook["_company_id"],
                            "event": event["payload"],
                            "started_at": now,
                            "completed_at": now,
                            "response_status": None,
                            "response_headers": {},
                            "response_body": None,
                            "response_error": "discarded after 12 hours of failed deliveries",
                            "outcome": "discarded",
                        },
                        now,
                    )
                )
            hook["_failing_since"] = None
            hook["_attempts"] = 0
            hook["_next_attempt_at"] = None
            return
        delay = min(
            self.config.webhook_first_retry_seconds * 2 ** (attempts - 1),
            self.config.webhook_max_retry_seconds,
        )
        hook["_next_attempt_at"] = now + timedelta(seconds=delay)

    def _post(self, url: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        try:
            response = self.client.post(
                url, content=body, headers=headers, timeout=self.config.webhook_timeout_seconds
            )
        except httpx2.HTTPError as exc:
            return {
                "response_status": None,
                "response_headers": {},
                "response_body": None,
                "response_error": f"{type(exc).__name__}: {exc}",
            }
        return {
            "response_status": response.status_code,
            "response_headers": dict(response.headers),
            "response_body": response.text[:2000],
            "response_error": None,
        }
