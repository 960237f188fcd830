from __future__ import annotations

import threading

import pytest

from procore_qb.quickbooks.online.throttle import RealmLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_per_minute_window_waits_for_the_oldest_call() -> None:
    clock = FakeClock()
    limiter = RealmLimiter(per_minute=3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        with limiter.slot("1"):
            clock.now += 1
    with limiter.slot("1"):
        pass
    assert clock.now == pytest.approx(60.0)
    assert limiter.waited == pytest.approx(57.0)


def test_batch_calls_have_their_own_budget_and_realms_are_separate() -> None:
    clock = FakeClock()
    limiter = RealmLimiter(per_minute=100, batch_per_minute=2, clock=clock, sleep=clock.sleep)
    for _ in range(2):
        with limiter.slot("1", batch=True):
            pass
    with limiter.slot("2", batch=True):
        pass
    with limiter.slot("1"):
        pass
    assert clock.now == 0.0
    with limiter.slot("1", batch=True):
        pass
    assert clock.now == pytest.approx(60.0)


def test_concurrency_cap() -> None:
    limiter = RealmLimiter(max_concurrent=2)
    inside = threading.Semaphore(0)
    release = threading.Event()
    third_entered = threading.Event()

    def hold() -> None:
        with limiter.slot("1"):
            inside.release()
            release.wait(timeout=10)

    def third() -> None:
        with limiter.slot("1"):
            third_entered.set()

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for t in holders:
        t.start()
    for _ in holders:
        assert inside.acquire(timeout=10)
    late = threading.Thread(target=third)
    late.start()
    # Two slots are held: the third request waits (another realm would not).
    assert not third_entered.wait(timeout=0.2)
    with limiter.slot("2"):
        pass
    release.set()
    assert third_entered.wait(timeout=10)
    for t in [*holders, late]:
        t.join(timeout=10)


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RealmLimiter(per_minute=0)
