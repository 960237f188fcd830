"""Reading one page ahead keeps the source's order, raises what it raises where it raises it,
holds few items, and stops the thread when the caller stops early."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procore_qb.quickbooks.online.read_ahead import read_ahead


class Boom(Exception):
    pass


@given(st.lists(st.integers()), st.one_of(st.none(), st.integers(min_value=0, max_value=50)))
def test_items_come_in_order_then_the_error_where_it_was_raised(
    items: list[int], fail_at: int | None
) -> None:
    def source() -> Iterator[int]:
        for n, item in enumerate(items):
            if n == fail_at:
                raise Boom(n)
            yield item

    got: list[int] = []
    if fail_at is not None and fail_at < len(items):
        with pytest.raises(Boom):
            got.extend(read_ahead(source()))
        assert got == items[:fail_at]
    else:
        got.extend(read_ahead(source()))
        assert got == items


def test_the_source_runs_in_the_thread_one_item_ahead() -> None:
    fetched: list[int] = []
    threads: set[str] = set()

    def source() -> Iterator[int]:
        for n in range(20):
            threads.add(threading.current_thread().name)
            fetched.append(n)
            yield n

    for n in read_ahead(source(), name="pages"):
        # The caller's item, and the next one being fetched or handed over.
        assert len(fetched) <= n + 2
    assert threads == {"pages"}


def test_a_caller_that_stops_early_stops_the_thread_and_closes_the_source() -> None:
    closed = threading.Event()
    fetched: list[int] = []

    def source() -> Iterator[int]:
        try:
            for n in range(1_000_000):
                fetched.append(n)
                yield n
        finally:
            closed.set()

    reading = read_ahead(source())
    assert next(reading) == 0
    reading.close()
    assert closed.is_set()
    assert len(fetched) <= 2
    assert not any(t.name == "read-ahead" for t in threading.enumerate())
