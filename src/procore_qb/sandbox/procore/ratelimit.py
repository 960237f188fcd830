"""Procore's two rate limits: an hourly window and a 10-second spike window.

Rules (spec procore-api.md §1.5, D-rate and D-rate-web):

* every response carries ``X-Rate-Limit-Limit``, ``-Remaining`` and ``-Reset`` (Unix seconds);
  they report "whichever limit the app is most likely to exceed first" — in most cases the spike
  limit, until the hourly one is nearly exhausted;
* exceeding either limit answers 429 Too Many Requests with ``Retry-After`` (seconds, D-errors);
* failed requests (400/403/404/...) count against the limit too (D-rate-web), so a request is
  counted before it is handled. A refused (429) request does not use up more of the budget.

Limits are kept per caller (application and user), in fixed windows that start with the first
request after the previous window ended.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from procore_qb.sandbox.procore.errors import TooManyRequests

__all__ = ["RateLimiter", "Window"]

HOUR = timedelta(hours=1)
SPIKE = timedelta(seconds=10)


@dataclass(slots=True)
class Window:
    limit: int
    length: timedelta
    started: datetime | None = None
    used: int = 0

    def roll(self, now: datetime) -> None:
        if self.started is None or now >= self.started + self.length:
            self.started = now
            self.used = 0

    def reset_at(self, now: datetime) -> datetime:
        return (self.started or now) + self.length

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


@dataclass
class RateLimiter:
    hourly_limit: int
    spike_limit: int
    _callers: dict[str, tuple[Window, Window]] = field(default_factory=dict)

    def _windows(self, caller: str) -> tuple[Window, Window]:
        windows = self._callers.get(caller)
        if windows is None:
            windows = (Window(self.hourly_limit, HOUR), Window(self.spike_limit, SPIKE))
            self._callers[caller] = windows
        return windows

    def hit(self, caller: str, now: datetime) -> dict[str, str]:
        """Count one request; return the headers, or raise 429 when a limit is used up."""
        hourly, spike = self._windows(caller)
        hourly.roll(now)
        spike.roll(now)
        for window, what in ((hourly, "an hour"), (spike, "10 seconds")):
            if window.remaining == 0:
                reset = window.reset_at(now)
                wait = max(1, math.ceil((reset - now).total_seconds()))
                headers = self._headers(window, now)
                headers["Retry-After"] = str(wait)
                raise TooManyRequests(
                    f"You have surpassed the max number of requests for {what} "
                    f"({window.limit}). Retry after {wait} seconds.",
                    headers=headers,
                )
        hourly.used += 1
        spike.used += 1
        return self.headers(caller, now)

    def headers(self, caller: str, now: datetime) -> dict[str, str]:
        hourly, spike = self._windows(caller)
        # Report the spike window unless the hourly one has fewer requests left.
        window = hourly if hourly.remaining < spike.remaining else spike
        return self._headers(window, now)

    @staticmethod
    def _headers(window: Window, now: datetime) -> dict[str, str]:
        return {
            "X-Rate-Limit-Limit": str(window.limit),
            "X-Rate-Limit-Remaining": str(window.remaining),
            "X-Rate-Limit-Reset": str(math.ceil(window.reset_at(now).timestamp())),
        }

    def clear(self) -> None:
        self._callers.clear()
