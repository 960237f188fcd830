"""Periodic work: a task run every ``every``, at multiples of ``every`` since midnight UTC.

Both adapters fire at the same instants. When a schedule is first seen, the latest instant
before now fires at once if it is at most ``MAX_CATCH_UP`` old (as Procrastinate's periodic
deferrer does); otherwise the first run is at the next instant.

Periods are those that fall at the same times every day, as a cron line would say them: whole
seconds dividing a minute, whole minutes dividing an hour, whole hours dividing a day, or one
day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from procore_qb.jobs.errors import InvalidSchedule

__all__ = ["MAX_CATCH_UP", "Schedule", "check_every", "first_run", "next_run"]

MAX_CATCH_UP = timedelta(minutes=10)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Schedule:
    name: str
    task: str
    every: timedelta
    args: Mapping[str, Any] = field(default_factory=dict)
    lock: str | None = None

    def __post_init__(self) -> None:
        check_every(self.every)


def check_every(every: timedelta) -> timedelta:
    seconds = every.total_seconds()
    if seconds != int(seconds) or seconds <= 0:
        raise InvalidSchedule(f"every={every} is not a positive whole number of seconds")
    s = int(seconds)
    if (
        (s < 60 and 60 % s == 0)
        or (s < 3600 and s % 60 == 0 and 60 % (s // 60) == 0)
        or (s < 86400 and s % 3600 == 0 and 24 % (s // 3600) == 0)
        or s == 86400
    ):
        return every
    raise InvalidSchedule(
        f"every={every} cannot be run at fixed times of day; use a number of seconds dividing "
        "a minute (1, 2, 5, 10, 15, 30), minutes dividing an hour (1, 5, 10, 15, 20, 30), hours "
        "dividing a day (1, 2, 3, 4, 6, 8, 12) or one day"
    )


def _previous(now: datetime, every: timedelta) -> datetime:
    """The latest multiple of ``every`` strictly before ``now``."""
    n = -((now - _EPOCH) // -every)  # ceiling division
    return _EPOCH + (n - 1) * every


def first_run(now: datetime, every: timedelta) -> datetime:
    """When a schedule first seen at ``now`` is first due."""
    previous = _previous(now, every)
    return previous if now - previous <= MAX_CATCH_UP else previous + every


def next_run(now: datetime, every: timedelta) -> datetime:
    """The first instant after ``now`` (strictly) at which the schedule is due again."""
    return _previous(now, every) + every if (now - _EPOCH) % every else now + every
