"""The two rate-limit windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from procore_qb.sandbox.procore.errors import TooManyRequests
from procore_qb.sandbox.procore.ratelimit import RateLimiter

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_spike_window_rolls_after_ten_seconds() -> None:
    limiter = RateLimiter(hourly_limit=100, spike_limit=2)
    limiter.hit("a", T0)
    limiter.hit("a", T0)
    with pytest.raises(TooManyRequests) as refused:
        limiter.hit("a", T0 + timedelta(seconds=9))
    assert refused.value.headers["Retry-After"] == "1"
    headers = limiter.hit("a", T0 + timedelta(seconds=10))
    assert headers["X-Rate-Limit-Remaining"] == "1"


def test_refused_requests_do_not_use_more_budget() -> None:
    limiter = RateLimiter(hourly_limit=2, spike_limit=10)
    limiter.hit("a", T0)
    limiter.hit("a", T0)
    for _ in range(5):
        with pytest.raises(TooManyRequests):
            limiter.hit("a", T0)
    assert limiter.headers("a", T0)["X-Rate-Limit-Remaining"] == "0"
    assert limiter.hit("a", T0 + timedelta(hours=1))["X-Rate-Limit-Limit"] == "2"


def test_clear_forgets_callers() -> None:
    limiter = RateLimiter(hourly_limit=1, spike_limit=1)
    limiter.hit("a", T0)
    limiter.clear()
    limiter.hit("a", T0)
