from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procore_qb.jobs.errors import InvalidSchedule
from procore_qb.jobs.schedule import MAX_CATCH_UP, Schedule, check_every, first_run, next_run

HOUR = timedelta(hours=1)


def at(h: int, m: int = 0, s: int = 0) -> datetime:
    return datetime(2026, 3, 2, h, m, s, tzinfo=UTC)


@pytest.mark.parametrize(
    "every",
    [
        timedelta(seconds=1),
        timedelta(seconds=15),
        timedelta(minutes=1),
        timedelta(minutes=20),
        timedelta(hours=1),
        timedelta(hours=8),
        timedelta(days=1),
    ],
)
def test_periods_at_fixed_times_of_day(every: timedelta) -> None:
    assert check_every(every) == every


@pytest.mark.parametrize(
    "every",
    [
        timedelta(0),
        timedelta(seconds=-60),
        timedelta(seconds=1.5),
        timedelta(seconds=7),
        timedelta(minutes=7),
        timedelta(minutes=90),
        timedelta(hours=5),
        timedelta(days=2),
    ],
)
def test_other_periods_are_refused_with_the_choices(every: timedelta) -> None:
    with pytest.raises(InvalidSchedule, match=r"every="):
        check_every(every)


def test_the_refusal_lists_what_works() -> None:
    with pytest.raises(InvalidSchedule, match=r"hours\s+dividing a day \(1, 2, 3, 4, 6, 8, 12\)"):
        check_every(timedelta(hours=5))


def test_a_schedule_checks_its_period() -> None:
    with pytest.raises(InvalidSchedule):
        Schedule(name="x", task="t", every=timedelta(minutes=7))


def test_first_run_catches_up_a_recent_instant() -> None:
    assert first_run(at(10, 5), HOUR) == at(10)


def test_first_run_skips_an_old_instant() -> None:
    assert timedelta(minutes=10) == MAX_CATCH_UP
    assert first_run(at(10, 11), HOUR) == at(11)


def test_first_run_exactly_on_an_instant_takes_the_one_before() -> None:
    assert first_run(at(10), timedelta(minutes=5)) == at(9, 55)


def test_first_run_exactly_on_an_instant_long_after_the_last_is_now() -> None:
    assert first_run(at(11), HOUR) == at(11)


def test_next_run_is_strictly_later() -> None:
    assert next_run(at(10, 30), HOUR) == at(11)
    assert next_run(at(11), HOUR) == at(12)
    assert next_run(at(11, 0, 1), timedelta(seconds=30)) == at(11, 0, 30)


PERIODS = [timedelta(seconds=s) for s in (1, 2, 5, 10, 15, 30, 60, 300, 900, 1800, 3600, 7200)]
PERIODS += [timedelta(hours=h) for h in (3, 4, 6, 8, 12, 24)]


@given(
    now=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    every=st.sampled_from(PERIODS),
)
def test_instants_are_aligned_and_in_the_right_place(now: datetime, every: timedelta) -> None:
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    following = next_run(now, every)
    assert now < following <= now + every
    assert (following - midnight) % every == timedelta(0)
    first = first_run(now, every)
    assert (first - midnight) % every == timedelta(0)
    if first <= now:
        assert timedelta(0) <= now - first <= min(every, MAX_CATCH_UP)
    else:
        assert first == following
