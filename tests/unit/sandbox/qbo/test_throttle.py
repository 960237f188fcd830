"""The per-realm throttle on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from procore_qb.sandbox.qbo import ManualClock, SimulatorConfig
from procore_qb.sandbox.qbo.errors import QboFault
from procore_qb.sandbox.qbo.throttle import Throttle


def test_concurrency_limit_frees_on_release() -> None:
    clock = ManualClock()
    throttle = Throttle(SimulatorConfig(max_concurrent=2))
    throttle.acquire("r", clock.now())
    throttle.acquire("r", clock.now())
    with pytest.raises(QboFault) as caught:
        throttle.acquire("r", clock.now())
    assert caught.value.code == "3001"
    assert caught.value.status == 429
    throttle.acquire("other", clock.now())
    throttle.release("r")
    throttle.acquire("r", clock.now())
    assert throttle.in_flight("r") == 2


def test_sliding_minute() -> None:
    clock = ManualClock()
    throttle = Throttle(SimulatorConfig(requests_per_minute=2))
    for _ in range(2):
        throttle.acquire("r", clock.now())
        throttle.release("r")
    with pytest.raises(QboFault):
        throttle.acquire("r", clock.now() + timedelta(seconds=59))
    throttle.acquire("r", clock.now() + timedelta(seconds=60))


def test_optional_sandbox_limit_per_second() -> None:
    clock = ManualClock()
    throttle = Throttle(SimulatorConfig(requests_per_second=2))
    for _ in range(2):
        throttle.acquire("r", clock.now())
        throttle.release("r")
    with pytest.raises(QboFault):
        throttle.acquire("r", clock.now() + timedelta(milliseconds=999))
    throttle.acquire("r", clock.now() + timedelta(seconds=1))
