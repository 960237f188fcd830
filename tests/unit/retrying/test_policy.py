"""The one retry policy: what is repeated, how long to wait, and when to hand the wait to the
job queue instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procore_qb.retrying import (
    RetryLater,
    RetryPolicy,
    capped_exponential,
    equal_jitter,
    no_sleep,
    wait_hint,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("status", "idempotent", "headers", "expected"),
    [
        (429, False, {}, True),
        (503, False, {"Retry-After": "5"}, True),
        (503, False, {}, False),
        (503, True, {}, True),
        (500, True, {}, True),
        (502, False, {}, False),
        (None, True, {}, True),
        (None, False, {}, False),
        (400, True, {}, False),
        (401, True, {}, False),
        (404, True, {}, False),
    ],
)
def test_what_is_repeated(
    status: int | None, idempotent: bool, headers: dict[str, str], expected: bool
) -> None:
    assert RetryPolicy.is_retriable(status, idempotent=idempotent, headers=headers) is expected


def test_wait_hint_reads_retry_after_and_the_rate_limit_reset() -> None:
    assert wait_hint({"Retry-After": "7"}, now=NOW) == 7.0
    assert wait_hint({"Retry-After": "Thu, 03 Dec 2026 12:02:00 GMT"}, now=NOW) == 120.0
    assert wait_hint({"X-Rate-Limit-Reset": str(int(NOW) + 30)}, now=NOW) == 30.0
    assert wait_hint({"Retry-After": "soon"}, now=NOW) is None
    assert wait_hint({}, now=NOW) is None
    assert wait_hint({"Retry-After": "-3"}, now=NOW) == 0.0


@given(
    attempt=st.integers(min_value=1, max_value=200),
    base=st.floats(min_value=0.01, max_value=60),
    cap=st.floats(min_value=0.01, max_value=3600),
    r=st.floats(min_value=0, max_value=1),
)
def test_backoff_is_capped_and_never_below_half(
    attempt: int, base: float, cap: float, r: float
) -> None:
    policy = RetryPolicy(base_delay=base, max_delay=cap, random=lambda: r)
    ceiling = capped_exponential(attempt, base=base, cap=cap)
    assert ceiling <= cap
    assert ceiling / 2 <= policy.backoff(attempt) <= ceiling


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [capped_exponential(n, base=1.0, cap=8.0) for n in range(1, 6)] == [1, 2, 4, 8, 8]
    assert equal_jitter(8.0, lambda: 0.0) == 4.0
    assert equal_jitter(8.0, lambda: 1.0) == 8.0


def test_run_retries_what_is_retriable_and_sleeps_through_the_injected_sleep() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=4, base_delay=1.0, random=lambda: 1.0, sleep=sleeps.append)
    calls = iter([ConnectionError("down"), ConnectionError("down"), "ok"])

    def call() -> str:
        item = next(calls)
        if isinstance(item, Exception):
            raise item
        return item

    assert policy.run(call, retriable=lambda e: isinstance(e, ConnectionError)) == "ok"
    assert sleeps == [1.0, 2.0]


def test_run_gives_up_after_max_attempts_with_the_last_error() -> None:
    attempts: list[int] = []

    def call() -> None:
        attempts.append(1)
        raise ConnectionError(f"down {len(attempts)}")

    policy = RetryPolicy(max_attempts=3, sleep=no_sleep)
    with pytest.raises(ConnectionError, match="down 3"):
        policy.run(call, retriable=lambda e: True)
    assert len(attempts) == 3


def test_a_final_error_is_not_repeated() -> None:
    attempts: list[int] = []

    def call() -> None:
        attempts.append(1)
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        RetryPolicy(sleep=no_sleep).run(call, retriable=lambda e: isinstance(e, OSError))
    assert attempts == [1]


def test_the_service_hint_is_slept_when_short() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(max_inline_wait=60, sleep=sleeps.append)
    answers = iter([TimeoutError("429"), "ok"])

    def call() -> str:
        item = next(answers)
        if isinstance(item, Exception):
            raise item
        return item

    assert policy.run(call, retriable=lambda e: True, hint=lambda e: 42.0) == "ok"
    assert sleeps == [42.0]


def test_a_long_hint_raises_retry_later_instead_of_sleeping() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(max_inline_wait=60, sleep=sleeps.append)
    throttled = TimeoutError("429 Too Many Requests")

    def call() -> None:
        raise throttled

    with pytest.raises(RetryLater) as caught:
        policy.run(call, retriable=lambda e: True, hint=lambda e: 3600.0)
    assert caught.value.retry_after == timedelta(hours=1)
    assert caught.value.__cause__ is throttled
    assert caught.value.retryable is True
    assert sleeps == []


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(max_inline_wait=-1)
    with pytest.raises(ValueError, match="from 1"):
        capped_exponential(0, base=1, cap=2)
