"""Failed Web Connector logins slow down per user name and per address, in bounded memory."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.quickbooks.desktop.logins import LoginThrottle, ThrottlePolicy


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_delay_doubles_and_is_capped() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock, ThrottlePolicy(free_per_user=2, max_delay=8))
    for _ in range(2):
        throttle.failed("demo", "10.0.0.1")
    assert throttle.wait("demo", "10.0.0.1") == 1
    waits = []
    for _ in range(6):
        throttle.failed("demo", "10.0.0.1")
        waits.append(throttle.wait("demo", "10.0.0.1"))
    assert waits == [2, 4, 8, 8, 8, 8]
    assert throttle.wait("other", "10.0.0.2") == 0
    throttle.succeeded("demo", "10.0.0.1")
    assert throttle.wait("demo", "10.0.0.1") == 0


def test_an_address_trying_many_names_is_throttled() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock, ThrottlePolicy(free_per_address=5))
    for n in range(5):
        throttle.failed(f"user{n}", "10.0.0.9")
    assert throttle.wait("fresh-name", "10.0.0.9") > 0
    assert throttle.wait("fresh-name", "10.0.0.10") == 0


def test_failures_are_forgotten_after_the_window() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock, ThrottlePolicy(free_per_user=1, window=60))
    throttle.failed("demo", "a")
    throttle.failed("demo", "a")
    assert throttle.wait("demo", "a") > 0
    clock.now += 61
    assert throttle.wait("demo", "a") == 0
    assert len(throttle) == 0  # expired entries go when they are next looked at


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=300), st.text(max_size=50)), max_size=200))
def test_memory_is_bounded_whatever_the_names(attempts: list[tuple[str, str]]) -> None:
    throttle = LoginThrottle(Clock(), ThrottlePolicy(max_keys=16))
    for user, address in attempts:
        throttle.failed(user, address)
        assert throttle.wait(user, address) >= 0
    assert len(throttle) <= 16
