"""Pacing calls under Procore's hourly and 10-second spike rate limits.

Procore reports one limit at a time in ``X-Rate-Limit-Limit`` / ``-Remaining`` / ``-Reset``
(Unix seconds): usually the spike window, the hourly one when it is close to running out
(spec procore-api §1.5, developers.procore.com/documentation/rate-limiting). Failed calls count
as well, so every answer, successful or not, updates the pacer, and every call sent is counted
down locally until the next headers arrive.

The pacer never sleeps itself: :meth:`RateLimitPacer.delay` says how long to wait before the
next call, and the API client sleeps through the injected sleeper (switched off in tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["RateLimitPacer", "RateLimitState", "parse_rate_limit"]


@dataclass(frozen=True, slots=True)
class RateLimitState:
    """The limit Procore last reported: calls allowed, calls left, and when the window resets."""

    limit: int
    remaining: int
    reset_at: float


def _int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(float(value))
    except (ValueError, OverflowError):
        # "nan" and "inf" are no count or time: read as absent, like any other garbage
        return None


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimitState | None:
    """The ``X-Rate-Limit-*`` headers, or None when an answer carries none of them."""
    limit = _int(headers, "X-Rate-Limit-Limit")
    remaining = _int(headers, "X-Rate-Limit-Remaining")
    reset = _int(headers, "X-Rate-Limit-Reset")
    if limit is None or remaining is None or reset is None:
        return None
    return RateLimitState(limit=limit, remaining=max(0, remaining), reset_at=float(reset))


class RateLimitPacer:
    """Spreads the calls left in the reported window over the time left in it.

    While more than ``reserve_fraction`` of the window is left, calls go out at once. Below
    that, each call waits ``time to reset / calls left`` so the window is never exhausted;
    with nothing left, the next call waits for the reset. Share one pacer between all clients
    that use the same token (the limit is per token).
    """

    def __init__(self, *, reserve_fraction: float = 0.2, max_wait: float = 3600.0) -> None:
        if not 0.0 <= reserve_fraction < 1.0:
            raise ValueError("reserve_fraction must be in [0, 1)")
        self.reserve_fraction = reserve_fraction
        self.max_wait = max_wait
        self.state: RateLimitState | None = None

    def observe(self, headers: Mapping[str, str]) -> None:
        """Take the limit from an answer's headers (any status)."""
        state = parse_rate_limit(headers)
        if state is not None:
            self.state = state

    def sent(self) -> None:
        """Count one call against the last reported window until new headers arrive."""
        if self.state is not None and self.state.remaining > 0:
            s = self.state
            self.state = RateLimitState(s.limit, s.remaining - 1, s.reset_at)

    def delay(self, now: float) -> float:
        """Seconds to wait before the next call, given the wall-clock time ``now``."""
        s = self.state
        if s is None:
            return 0.0
        to_reset = s.reset_at - now
        if to_reset <= 0:
            self.state = None
            return 0.0
        to_reset = min(to_reset, self.max_wait)
        if s.remaining <= 0:
            return to_reset
        reserve = max(1, int(s.limit * self.reserve_fraction))
        if s.remaining > reserve:
            return 0.0
        return to_reset / (s.remaining + 1)
