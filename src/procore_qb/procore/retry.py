"""Whether and when to retry a Procore call: decided here and nowhere else.

* 429 Too Many Requests: wait ``Retry-After`` seconds, else until ``X-Rate-Limit-Reset``, else
  back off (spec procore-api §1.5). The call was not processed, so any method may be repeated.
* 503 Service Unavailable with ``Retry-After``: Procore's heavy-load throttling (§1.5); the
  same holds.
* 502, 504, a 503 without ``Retry-After`` and transport errors: retried only for methods that
  are safe to repeat (GET, HEAD, OPTIONS, PUT, DELETE) since the call may have gone through.
* Everything else is final.

Backoff is capped exponential with full jitter; the random source is injectable.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["RetryPolicy"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _reset_in(headers: Mapping[str, str], now: float) -> float | None:
    value = headers.get("X-Rate-Limit-Reset")
    if value is None:
        return None
    try:
        return max(0.0, float(value) - now)
    except ValueError:
        return None


@dataclass(slots=True)
class RetryPolicy:
    """``max_attempts`` counts the first call; delays are capped at ``max_delay`` seconds."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 60.0
    random: Callable[[], float] = field(default=random.random)

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential delay for retry number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        jitter: float = self.random()
        return ceiling * (0.5 + 0.5 * jitter)

    def after_response(
        self, method: str, status: int, headers: Mapping[str, str], attempt: int, now: float
    ) -> float | None:
        """Seconds to wait before repeating a call that got ``status``, or None to stop."""
        if attempt >= self.max_attempts:
            return None
        if status == 429:
            wait = _retry_after(headers)
            if wait is None:
                wait = _reset_in(headers, now)
            if wait is None:
                wait = self.backoff(attempt)
            return min(wait, self.max_delay * 60)
        if status == 503 and _retry_after(headers) is not None:
            return min(_retry_after(headers) or 0.0, self.max_delay * 60)
        if status in {502, 503, 504} and method.upper() in _SAFE_METHODS:
            return self.backoff(attempt)
        return None

    def after_transport_error(self, method: str, attempt: int) -> float | None:
        """Seconds to wait after a call got no answer at all, or None to stop."""
        if attempt >= self.max_attempts or method.upper() not in _SAFE_METHODS:
            return None
        return self.backoff(attempt)
