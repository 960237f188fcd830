"""The simulator's state and services, independent of HTTP: companies, OAuth, throttle, webhooks.

One ``Simulator`` per app; nothing is global. All state changes happen under one lock, so the
served app may call ``deliver_due`` from a timer thread while requests are handled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx2

from procore_qb.sandbox import seed as seed_data
from procore_qb.sandbox.qbo.clock import Clock, ManualClock, SystemClock
from procore_qb.sandbox.qbo.config import SimulatorConfig
from procore_qb.sandbox.qbo.entities import Context
from procore_qb.sandbox.qbo.errors import QboFault
from procore_qb.sandbox.qbo.injected import Injector
from procore_qb.sandbox.qbo.oauth import OAuthServer
from procore_qb.sandbox.qbo.operations import ChangeEvent
from procore_qb.sandbox.qbo.seeding import empty_company, load_bulk, seeded_company
from procore_qb.sandbox.qbo.store import RealmState, Snapshot, load_snapshot, save_snapshot
from procore_qb.sandbox.qbo.throttle import Throttle
from procore_qb.sandbox.qbo.webhooks import WebhookEmitter

__all__ = ["SNAPSHOT_FILE", "Simulator"]

SNAPSHOT_FILE = "qbo-sandbox.json"
T = TypeVar("T")


class Simulator:
    """Everything one QuickBooks Online simulator holds."""

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        *,
        clock: Clock | None = None,
        webhook_client: httpx2.Client | None = None,
        data_dir: Path | None = None,
        seed: bool = True,
    ) -> None:
        self.config = config or SimulatorConfig()
        self.clock: Clock = clock or SystemClock()
        self.data_dir = data_dir
        self.lock = threading.RLock()
        self.throttle = Throttle(self.config)
        self.webhooks = WebhookEmitter(self.config, webhook_client)
        self.injector = Injector()
        snapshot = load_snapshot(data_dir / SNAPSHOT_FILE) if data_dir else None
        if snapshot is not None:
            self.realms = snapshot.realms
            self.oauth = OAuthServer(self.config, snapshot.oauth)
        else:
            self.realms = {}
            self.oauth = OAuthServer(self.config)
            self.reset(seed=seed)

    # ------------------------------------------------------------------ companies

    def reset(self, *, seed: bool) -> None:
        """Back to the seed world (``seed``) or to an empty company; tokens survive."""
        with self.lock:
            now = self.clock.now()
            realm_id = self.config.realm_id
            make = seeded_company if seed else empty_company
            self.realms = {realm_id: make(realm_id, self.config, now)}
            self.throttle.reset()
            self.webhooks.reset()
            self.injector.clear()
            self.save()

    def add_company(self, realm_id: str, *, seed: bool) -> None:
        """Another company in this sandbox (sandbox control), empty or with the seed world."""
        if not realm_id.isdigit():
            raise ValueError("a realmId is a string of digits")
        with self.lock:
            if realm_id in self.realms:
                raise ValueError(f"company {realm_id} already exists")
            make = seeded_company if seed else empty_company
            self.realms[realm_id] = make(realm_id, self.config, self.clock.now())
            self.save()

    def load_bulk(self, size: int, realm_id: str | None = None) -> dict[str, int]:
        """Add ``seed.bulk_world(size)`` to a company in one step (sandbox control): no request
        of any caller is counted by the throttle, and no webhooks are sent. ``ValueError`` when
        the size is out of range or the company already holds bulk records of that name."""
        world = seed_data.bulk_world(size)
        with self.lock:
            realm = self.realm(realm_id or self.config.realm_id)
            names = {
                str(r.get(field, "")).casefold()
                for entity, field in (("Customer", "DisplayName"), ("Vendor", "DisplayName"))
                for r in realm.table(entity).values()
            } | {str(r.get("Name", "")).casefold() for r in realm.table("Item").values()}
            firsts = (world.customers[0].name, world.vendors[0].name, world.items[0].name)
            clash = next((name for name in firsts if name.casefold() in names), None)
            if clash is not None:
                raise ValueError(
                    f"the company already holds bulk records ({clash!r}); reset it first "
                    "(POST /_sandbox/seed or /_sandbox/reset)"
                )
            added = load_bulk(realm, self.config, self.clock.now(), size)
            self.save()
            return added

    def realm(self, realm_id: str) -> RealmState:
        found = self.realms.get(realm_id)
        if found is None:
            raise QboFault(
                "3100",
                "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                f"There is no company {realm_id} in this sandbox; the sandbox company is "
                f"{self.config.realm_id}.",
                status=403,
                fault_type="AUTHORIZATION",
            )
        return found

    def apply(self, realm_id: str, action: Callable[[Context, list[ChangeEvent]], T]) -> T:
        """Run ``action`` on a company under the lock; emit webhooks and persist its writes."""
        with self.lock:
            ctx = Context(realm=self.realm(realm_id), config=self.config, now=self.clock.now())
            events: list[ChangeEvent] = []
            try:
                return action(ctx, events)
            finally:
                if events:
                    self.webhooks.emit(events, ctx.now)
                    self.save()

    # ------------------------------------------------------------------ persistence, clock

    def save(self) -> None:
        if self.data_dir is None:
            return
        with self.lock:
            save_snapshot(
                self.data_dir / SNAPSHOT_FILE,
                Snapshot(realms=self.realms, oauth=self.oauth.state()),
            )

    def advance(self, seconds: float) -> str:
        """Move a ``ManualClock`` forward (sandbox control)."""
        if not isinstance(self.clock, ManualClock):
            raise ValueError(
                "the clock is the system clock; start the simulator with a ManualClock"
            )
        return self.clock.advance(seconds).isoformat()

    def deliver_due(self) -> int:
        """Send the webhook notifications that are due now."""
        return self.webhooks.deliver_due(self.clock.now())

    def describe(self) -> dict[str, Any]:
        return {
            "realm_ids": sorted(self.realms),
            "now": self.clock.now().isoformat(),
            "manual_clock": isinstance(self.clock, ManualClock),
        }
