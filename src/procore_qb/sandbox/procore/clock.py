"""Clocks for the simulator. Both can be moved forward (the ``/_sandbox/clock/advance`` control).

``WallClock`` follows real time plus whatever it has been advanced by (the command line uses it);
``ManualClock`` stands still until told to move (tests use it, so token expiry, rate-limit
windows and webhook retries never depend on the wall clock).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ManualClock", "WallClock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...

    def advance(self, seconds: float) -> datetime:
        """Move forward by ``seconds`` and return the new instant."""
        ...


def _check_forward(seconds: float) -> timedelta:
    if seconds < 0:
        raise ValueError("the clock only moves forward; pass seconds >= 0")
    return timedelta(seconds=seconds)


class WallClock:
    """Real time, shifted by the total of every ``advance``."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        self._offset += _check_forward(seconds)
        return self.now()


class ManualClock:
    """A clock that only moves when told to; starts at ``start``."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start, e.g. tzinfo=UTC")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        self._now += _check_forward(seconds)
        return self._now
