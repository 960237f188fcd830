"""Throttling per company (realm): requests per minute, concurrent requests, batch calls.

Spec A.12: 500 requests per minute per realm (batch calls included) and at most 10 concurrent
requests per app and realm, beyond which QuickBooks answers HTTP 429 with code 3001; the batch
endpoint allows 120 calls per minute per realm (2025-08-13 Intuit blog; 40 before). Windows are
measured on the injected clock so tests need not wait.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from procore_qb.sandbox.qbo import faults
from procore_qb.sandbox.qbo.config import SimulatorConfig

__all__ = ["Throttle"]

WINDOW = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


class Throttle:
    def __init__(self, config: SimulatorConfig) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._calls: dict[str, deque[datetime]] = {}
        self._batches: dict[str, deque[datetime]] = {}
        self._in_flight: dict[str, int] = {}

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._batches.clear()
            self._in_flight.clear()

    @staticmethod
    def _count(window: deque[datetime], now: datetime) -> int:
        while window and now - window[0] >= WINDOW:
            window.popleft()
        return len(window)

    @staticmethod
    def _recent(window: deque[datetime], now: datetime) -> int:
        return sum(1 for when in window if now - when < SECOND)

    def acquire(self, realm_id: str, now: datetime, *, batch: bool = False) -> None:
        """Admit one request or raise the 3001 fault; pair every success with ``release``."""
        with self._lock:
            calls = self._calls.setdefault(realm_id, deque())
            if self._count(calls, now) >= self._config.requests_per_minute:
                raise faults.throttled()
            per_second = self._config.requests_per_second
            if per_second is not None and self._recent(calls, now) >= per_second:
                raise faults.throttled()
            if self._in_flight.get(realm_id, 0) >= self._config.max_concurrent:
                raise faults.throttled()
            if batch:
                batches = self._batches.setdefault(realm_id, deque())
                if self._count(batches, now) >= self._config.batch_requests_per_minute:
                    raise faults.throttled()
                batches.append(now)
            calls.append(now)
            self._in_flight[realm_id] = self._in_flight.get(realm_id, 0) + 1

    def release(self, realm_id: str) -> None:
        with self._lock:
            self._in_flight[realm_id] = max(0, self._in_flight.get(realm_id, 0) - 1)

    def in_flight(self, realm_id: str) -> int:
        with self._lock:
            return self._in_flight.get(realm_id, 0)
