"""Webhook notifications to the app's endpoint (spec A.14).

- Legacy payload ``{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [...]}}]}``
  or CloudEvents ``[{"specversion": "1.0", "type": "qbo.<entity>.<event>.v1", ...}]``.
- Header ``intuit-signature`` = Base64(HMAC-SHA256(verifier token, raw body)).
- The app must answer 2xx within 3 s; otherwise retries at 0s, 10s, 20s, 30s, 5m, 20m, 2h, 4h,
  6h, then every 6 h; events are delivered in order, later ones wait for the first
  (https://blogs.a.intuit.com/2025/10/14/introducing-enhanced-webhooks-monitoring).

Nothing is sent in the background here: ``deliver_due()`` sends what is due on the injected
clock, so tests are deterministic; the served simulator calls it on a timer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx2

from procore_qb.sandbox.qbo.clock import format_time, parse_time
from procore_qb.sandbox.qbo.config import SimulatorConfig
from procore_qb.sandbox.qbo.errors import SimulatorError
from procore_qb.sandbox.qbo.operations import ChangeEvent

__all__ = ["Delivery", "WebhookEmitter", "sign"]

CLOUDEVENT_VERBS = {
    "Create": "created",
    "Update": "updated",
    "Delete": "deleted",
    "Void": "voided",
}


def sign(body: bytes, verifier_token: str) -> str:
    """The ``intuit-signature`` header value for ``body``."""
    digest = hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass
class Delivery:
    id: int
    realm_id: str
    body: str
    created: str
    next_attempt: str
    attempts: list[dict[str, Any]] = field(default_factory=list)
    delivered: bool = False


class WebhookEmitter:
    """An ordered queue of notifications and their delivery attempts."""

    def __init__(self, config: SimulatorConfig, client: httpx2.Client | None) -> None:
        self._config = config
        self._client = client
        self._lock = threading.Lock()
        self._running = threading.Lock()
        self._queue: list[Delivery] = []
        self._next_id = 1

    def set_client(self, client: httpx2.Client | None) -> None:
        self._client = client

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()

    def deliveries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(d) for d in self._queue]

    def payload(self, events: list[ChangeEvent]) -> str:
        if self._config.webhook_format == "cloudevents":
            cloud = [
                {
                    "specversion": "1.0",
                    "id": str(uuid.uuid4()),
                    "source": "intuit.sandbox",
                    "type": f"qbo.{e.entity.lower()}.{CLOUDEVENT_VERBS[e.operation]}.v1",
                    "datacontenttype": "application/json",
                    "time": e.time,
                    "intuitentityid": e.entity_id,
                    "intuitaccountid": e.realm_id,
                    "data": {},
                }
                for e in events
            ]
            return json.dumps(cloud)
        notifications = [
            {
                "realmId": events[0].realm_id,
                "dataChangeEvent": {
                    "entities": [
                        {
                            "name": e.entity,
                            "id": e.entity_id,
                            "operation": e.operation,
                            "lastUpdated": e.time,
                        }
                        for e in events
                    ]
                },
            }
        ]
        return json.dumps({"eventNotifications": notifications})

    def emit(self, events: list[ChangeEvent], now: datetime) -> None:
        """Queue one notification per realm for ``events`` (sandbox: near real time)."""
        if not events or not self._config.webhook_url:
            return
        by_realm: dict[str, list[ChangeEvent]] = {}
        for event in events:
            by_realm.setdefault(event.realm_id, []).append(event)
        with self._lock:
            for realm_id, realm_events in by_realm.items():
                stamp = format_time(now)
                self._queue.append(
                    Delivery(self._next_id, realm_id, self.payload(realm_events), stamp, stamp)
                )
                self._next_id += 1

    def _delay(self, attempt: int) -> float:
        schedule = self._config.webhook_retry_schedule
        if attempt < len(schedule):
            return float(schedule[attempt])
        extra = attempt - len(schedule) + 1
        return float(schedule[-1] if schedule else 0) + extra * self._config.webhook_retry_every

    def deliver_due(self, now: datetime) -> int:
        """Send every notification that is due, in order; returns how many were acknowledged.

        The queue lock is not held while a notification is in flight, so the app receiving it
        may be served by the same event loop as the simulator; one delivery run at a time.
        """
        url = self._config.webhook_url
        if not url:
            return 0
        if self._client is None:
            raise SimulatorError(
                "webhook_url is set but the simulator has no HTTP client for webhooks; pass "
                "webhook_client= to Simulator or create_app"
            )
        if not self._running.acquire(blocking=False):
            return 0
        try:
            acknowledged = 0
            while (delivery := self._next_due(now)) is not None:
                ok, outcome = self._post(url, delivery.body)
                with self._lock:
                    delivery.attempts.append({"at": format_time(now), "outcome": outcome})
                    if not ok:
                        when = parse_time(delivery.created) + timedelta(
                            seconds=self._delay(len(delivery.attempts))
                        )
                        delivery.next_attempt = format_time(max(when, now))
                        break
                    delivery.delivered = True
                    acknowledged += 1
            return acknowledged
        finally:
            self._running.release()

    def _next_due(self, now: datetime) -> Delivery | None:
        """The oldest undelivered notification if it is due; later ones wait for it."""
        with self._lock:
            for delivery in self._queue:
                if delivery.delivered:
                    continue
                return delivery if parse_time(delivery.next_attempt) <= now else None
            return None

    def _post(self, url: str, body: str) -> tuple[bool, str]:
        assert self._client is not None  # noqa: S101 - checked by the caller
        raw = body.encode("utf-8")
        headers = {
            "content-type": "application/json",
            "intuit-signature": sign(raw, self._config.webhook_verifier_token),
        }
        try:
            # The injected client carries the 3 s timeout (``webhook_timeout_seconds``).
            response = self._client.post(url, content=raw, headers=headers)
        except httpx2.HTTPError as exc:
            return False, f"error: {type(exc).__name__}"
        if 200 <= response.status_code < 300:
            return True, f"HTTP {response.status_code}"
        return False, f"HTTP {response.status_code}"
