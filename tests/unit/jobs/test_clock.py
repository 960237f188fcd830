from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from procore_qb.jobs.clock import ManualClock, system_clock


def test_system_clock_is_aware_utc() -> None:
    assert system_clock().tzinfo is UTC


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=1))))
    assert clock() == datetime(2026, 1, 1, 11, tzinfo=UTC)
    assert clock() == clock()
    assert clock.advance(timedelta(minutes=5)) == datetime(2026, 1, 1, 11, 5, tzinfo=UTC)
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    assert clock() == datetime(2027, 1, 1, tzinfo=UTC)


def test_manual_clock_refuses_naive_times_and_going_back() -> None:
    with pytest.raises(ValueError, match="aware"):
        ManualClock(datetime(2026, 1, 1))  # noqa: DTZ001
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2026, 1, 1))  # noqa: DTZ001
