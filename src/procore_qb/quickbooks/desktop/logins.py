"""Throttling of Web Connector logins, per user name and per client address.

``authenticate`` checks a password with scrypt, so unthrottled guessing costs us CPU and lets
a guesser try as fast as we answer. After a few failures inside a window a user name (and,
with a higher allowance, an address: an office may run several Web Connectors behind one
address) waits a delay that doubles with each further failure, up to a cap; while it waits,
logins are refused without checking the password. A success clears both. Memory is bounded:
at most ``max_keys`` names and addresses are remembered, the least recently failed are
forgotten first. The clock is injected (monotonic seconds), so tests need no sleeps.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["LoginThrottle", "ThrottlePolicy"]

_MAX_KEY_CHARS = 200


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """``free_per_user`` (``free_per_address``) failures inside ``window`` seconds cost
    nothing; each further one doubles the wait, starting at ``first_delay`` seconds and
    never above ``max_delay``."""

    free_per_user: int = 5
    free_per_address: int = 20
    window: float = 15 * 60.0
    first_delay: float = 1.0
    max_delay: float = 15 * 60.0
    max_keys: int = 10_000

    def __post_init__(self) -> None:
        if self.free_per_user < 1 or self.free_per_address < 1 or self.max_keys < 1:
            raise ValueError("login throttle allowances and max_keys must be at least 1")


@dataclass(slots=True)
class _Failures:
    count: int
    first_at: float
    last_at: float


class LoginThrottle:
    """Counts failed logins and says how long a user name or address must still wait."""

    def __init__(self, clock: Callable[[], float], policy: ThrottlePolicy | None = None) -> None:
        self._clock = clock
        self.policy = policy or ThrottlePolicy()
        self._failures: OrderedDict[tuple[str, str], _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._failures)

    def wait(self, username: str, address: str) -> float:
        """Seconds until ``username`` from ``address`` may try again (0: now)."""
        now = self._clock()
        with self._lock:
            return max(
                self._wait(("user", username[:_MAX_KEY_CHARS]), self.policy.free_per_user, now),
                self._wait(("addr", address[:_MAX_KEY_CHARS]), self.policy.free_per_address, now),
            )

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            self._count(now, username, address)

    def _count(self, now: float, username: str, address: str) -> None:
        for key in (("user", username[:_MAX_KEY_CHARS]), ("addr", address[:_MAX_KEY_CHARS])):
            entry = self._failures.pop(key, None)
            if entry is None or now - entry.first_at > self.policy.window:
                entry = _Failures(0, now, now)
            entry.count += 1
            entry.last_at = now
            self._failures[key] = entry
        while len(self._failures) > self.policy.max_keys:
            self._failures.popitem(last=False)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop(("user", username[:_MAX_KEY_CHARS]), None)
            self._failures.pop(("addr", address[:_MAX_KEY_CHARS]), None)

    def _wait(self, key: tuple[str, str], free: int, now: float) -> float:
        entry = self._failures.get(key)
        if entry is None:
            return 0.0
        if now - entry.last_at > self.policy.window:
            del self._failures[key]
            return 0.0
        over = entry.count - free
        if over < 0:
            return 0.0
        delay = min(self.policy.first_delay * 2.0 ** min(over, 60), self.policy.max_delay)
        return max(0.0, entry.last_at + delay - now)
