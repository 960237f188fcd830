from __future__ import annotations

import random
from datetime import timedelta

import pytest

from procore_qb.jobs.errors import RetryableJobError, TerminalJobError
from procore_qb.jobs.retry import Backoff, equal_jitter, no_jitter, retry_delay
from procore_qb.retrying import RetryLater

EXACT = Backoff(base=timedelta(seconds=10), factor=2, cap=timedelta(minutes=1), jitter=no_jitter)


def test_delays_grow_exponentially_up_to_the_cap() -> None:
    assert [EXACT.delay(n).total_seconds() for n in range(1, 7)] == [10, 20, 40, 60, 60, 60]


def test_a_very_long_failing_job_stays_at_the_cap() -> None:
    assert EXACT.delay(10_000) == timedelta(minutes=1)


def test_equal_jitter_stays_between_half_and_the_whole_delay() -> None:
    backoff = Backoff(
        base=timedelta(seconds=10), cap=timedelta(minutes=1), jitter=equal_jitter(random.Random(7))
    )
    delays = [backoff.delay(3).total_seconds() for _ in range(200)]
    assert all(20 <= d <= 40 for d in delays)
    assert len(set(delays)) > 100


def test_jitter_never_goes_past_the_cap() -> None:
    backoff = Backoff(cap=timedelta(seconds=30), base=timedelta(seconds=30), jitter=lambda s: s * 3)
    assert backoff.delay(1) == timedelta(seconds=30)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base": timedelta(0)}, "base must be positive"),
        ({"factor": 0.5}, "factor must be at least 1"),
        ({"base": timedelta(minutes=2), "cap": timedelta(minutes=1)}, "cap must be at least"),
    ],
)
def test_nonsense_backoffs_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Backoff(**kwargs)  # type: ignore[arg-type]


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError, match="counts from 1"):
        EXACT.delay(0)


def test_retry_delay_follows_the_backoff() -> None:
    assert retry_delay(OSError(), attempt=2, max_attempts=5, backoff=EXACT) == timedelta(seconds=20)


def test_no_retry_after_the_last_attempt() -> None:
    assert retry_delay(OSError(), attempt=5, max_attempts=5, backoff=EXACT) is None


def test_no_retry_for_terminal_errors() -> None:
    assert retry_delay(TerminalJobError("x"), attempt=1, max_attempts=5, backoff=EXACT) is None


def test_retry_after_wins_when_longer_than_the_backoff() -> None:
    error = RetryableJobError("429", retry_after=timedelta(minutes=5))
    assert retry_delay(error, attempt=1, max_attempts=5, backoff=EXACT) == timedelta(minutes=5)


def test_backoff_wins_when_longer_than_retry_after() -> None:
    error = RetryableJobError("429", retry_after=timedelta(seconds=1))
    assert retry_delay(error, attempt=3, max_attempts=5, backoff=EXACT) == timedelta(seconds=40)


def test_retry_later_is_retried_after_exactly_the_wait_asked_for() -> None:
    error = RetryLater("wait an hour", retry_after=timedelta(hours=1))
    backoff = Backoff(base=timedelta(seconds=10), jitter=no_jitter)
    assert retry_delay(error, attempt=1, max_attempts=5, backoff=backoff) == timedelta(hours=1)
    assert retry_delay(error, attempt=5, max_attempts=5, backoff=backoff) is None
