"""``seed.bulk_world``: the same size gives the same records, names are unique and fit the
services' limits, and sizes outside 1..BULK_MAX are refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.sandbox import seed


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=400))
def test_sizes_give_stable_unique_records_within_the_name_limits(size: int) -> None:
    world = seed.bulk_world(size)
    assert world == seed.bulk_world(size)
    assert len(world.customers) == len(world.jobs) == len(world.transactions) == size
    assert len(world.projects) == size
    assert len(world.vendors) == len(world.items) == max(1, -(-size // 10))
    names = [c.name for c in world.customers] + [v.name for v in world.vendors]
    names += [j.name for j in world.jobs]
    assert len({n.casefold() for n in names}) == len(names)
    seeded = {c.name for c in seed.CUSTOMERS} | {v.name for v in seed.VENDORS}
    assert not seeded & set(names)
    # QuickBooks Desktop: customer and job names up to 41 characters, item names up to 31.
    assert all(len(n) <= 41 for n in names)
    assert all(len(i.name) <= 31 for i in world.items)
    items = {i.name for i in world.items}
    jobs = {j.full_name for j in world.jobs}
    for bill in world.transactions:
        [line] = bill.lines
        assert line.item in items
        assert line.job in jobs
        assert line.amount > 0
    assert len({p.id for p in world.projects} | {p.id for p in seed.PROJECTS}) == size + len(
        seed.PROJECTS
    )


@pytest.mark.parametrize("size", [0, -1, seed.BULK_MAX + 1, True, 2.0, "10", None])
def test_sizes_out_of_range_are_refused(size: object) -> None:
    with pytest.raises(ValueError, match="from 1 to"):
        seed.bulk_world(size)
