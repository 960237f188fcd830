"""A per-realm request limiter that keeps us under QuickBooks Online's limits instead of
learning them from 429 answers.

Limits (spec §A.12, https://blogs.intuit.com/2016/08/08/idg-concurrent-api-use-changes-coming-soon
and the 2023 batch blog): 500 requests per minute per realm, batch calls included; at most 10
concurrent requests per app and realm; 40 batch calls per minute per realm. All three are
configurable. One limiter is shared by every client of the process (pass it in); the clock and
the sleep are injectable.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["RealmLimiter"]

WINDOW_SECONDS = 60.0


@dataclass
class _Realm:
    calls: deque[float] = field(default_factory=deque)
    batch_calls: deque[float] = field(default_factory=deque)
    in_flight: int = 0


class RealmLimiter:
    def __init__(
        self,
        *,
        per_minute: int = 500,
        batch_per_minute: int = 40,
        max_concurrent: int = 10,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if min(per_minute, batch_per_minute, max_concurrent) < 1:
            raise ValueError("RealmLimiter limits must be at least 1")
        self.per_minute = per_minute
        self.batch_per_minute = batch_per_minute
        self.max_concurrent = max_concurrent
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._realms: dict[str, _Realm] = {}
        self.waited = 0.0

    @contextmanager
    def slot(self, realm_id: str, *, batch: bool = False) -> Iterator[None]:
        """Hold one request slot of ``realm_id`` for the duration of the block."""
        self._acquire(realm_id, batch)
        try:
            yield
        finally:
            with self._cond:
                self._realms[realm_id].in_flight -= 1
                self._cond.notify_all()

    def _acquire(self, realm_id: str, batch: bool) -> None:
        while True:
            with self._cond:
                realm = self._realms.setdefault(realm_id, _Realm())
                now = self._clock()
                for queue in (realm.calls, realm.batch_calls):
                    while queue and queue[0] <= now - WINDOW_SECONDS:
                        queue.popleft()
                if realm.in_flight >= self.max_concurrent:
                    # Another thread's exit notifies; the timeout guards a lost wake-up.
                    self._cond.wait(timeout=1.0)
                    continue
                wait = 0.0
                if len(realm.calls) >= self.per_minute:
                    wait = realm.calls[0] + WINDOW_SECONDS - now
                if batch and len(realm.batch_calls) >= self.batch_per_minute:
                    wait = max(wait, realm.batch_calls[0] + WINDOW_SECONDS - now)
                if wait <= 0:
                    realm.calls.append(now)
                    if batch:
                        realm.batch_calls.append(now)
                    realm.in_flight += 1
                    return
            self.waited += wait
            self._sleep(wait)
