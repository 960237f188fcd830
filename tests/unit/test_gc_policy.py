"""The long-running processes' garbage-collection policy sets what it says, and reverts."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from procore_qb import gc_policy

DEFAULTS = (700, 10, 10)


@pytest.fixture
def python_defaults() -> Iterator[None]:
    """The test starts and ends with Python's own policy: nothing frozen, default thresholds."""
    gc.unfreeze()
    gc.set_threshold(*DEFAULTS)
    yield
    gc.unfreeze()
    gc.set_threshold(*DEFAULTS)


@pytest.mark.usefixtures("python_defaults")
def test_apply_freezes_what_the_process_holds_and_raises_the_thresholds() -> None:
    before = gc_policy.apply()
    assert before == DEFAULTS
    assert gc.get_threshold() == gc_policy.THRESHOLDS
    assert gc.get_threshold()[0] > DEFAULTS[0]
    assert gc.get_freeze_count() > 0
    # What was frozen is out of the collector's generations: none of them holds anything.
    assert gc.get_objects(generation=2) == []


@pytest.mark.usefixtures("python_defaults")
def test_an_object_made_after_apply_is_not_frozen() -> None:
    gc_policy.apply()
    frozen = gc.get_freeze_count()
    made = [{"n": n} for n in range(1000)]
    assert gc.get_freeze_count() == frozen
    assert any(obj is made for obj in gc.get_objects())


@pytest.mark.usefixtures("python_defaults")
def test_revert_unfreezes_and_puts_the_thresholds_back() -> None:
    gc.set_threshold(1234, 5, 6)
    before = gc_policy.apply()
    assert before == (1234, 5, 6)
    gc_policy.revert(before)
    assert gc.get_threshold() == (1234, 5, 6)
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("python_defaults")
def test_cyclic_garbage_made_before_apply_is_collected_not_frozen() -> None:
    class Node:
        def __init__(self) -> None:
            self.other: Node | None = None

    gc.disable()
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
        del a, b
        assert alive() is not None
        gc_policy.apply()
        assert alive() is None
    finally:
        gc.enable()
