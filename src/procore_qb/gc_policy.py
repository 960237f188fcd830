"""The garbage-collection policy of procore-qb's long-running processes (``serve``, ``worker``
and ``demo``), applied once each has started and built what it keeps for its whole life.

Python's cyclic garbage collector runs a young collection every 700 net allocations of
container objects (dicts, lists, tuples, class instances), and now and then a full collection
that walks every object the process holds. A job cost sync allocates tens of objects a line
(each decoded QuickBooks transaction, each cost line, each row the store writes and each line
of a Procore page), nearly all freed at once by reference counting, so those collections find
almost nothing to free; and every full collection walks the modules, the application's wiring
and, in ``demo``, the simulators' whole seeded world again.

:func:`apply` therefore

* collects once, then moves everything the process holds into the permanent generation
  (``gc.freeze()``): no later collection walks it again;
* raises the young generation's threshold from 700 to :data:`THRESHOLDS`' 50,000; the older
  generations keep Python's ratios (10 and 10), so a full collection still comes after
  about 5,000,000 net allocations, and at most when the objects waiting for it have grown by
  a quarter of those it would walk (CPython's own rule).

The figures, from ``bench.job_costs_sync`` at 40,000 lines (the QuickBooks and Procore
simulators in the same process, their seeded world frozen with the rest), as CPU spent in
the collector per cost line, measured with ``gc.callbacks``:

=========================  ===========  ==========
policy                     Online       Desktop
=========================  ===========  ==========
Python's defaults          15 us        126 us
freeze, 700 / 10 / 10      4.1 us       45 us
freeze, 10,000 / 10 / 10   1.3 us       19 us
freeze, 50,000 / 10 / 10   0.9 us       12 us
freeze, 100,000 / 20 / 10  1.2 us       14 us
=========================  ===========  ==========

Past 50,000 the collector costs no less: what is left is the walk of the objects that stay
(such as the lines the Procore simulator keeps), which every threshold pays once.

What it costs in memory: only garbage in reference cycles waits for the collector (the rest
is freed at once), and it now waits up to 50,000 allocations instead of 700 before a young
collection, and proportionally longer in the older generations. The peak resident size of
the same runs grew by about 10 MiB (Online 233 to 244 MiB, Desktop 408 to 417 MiB), within
the runs' spread. Objects frozen are never collected: a cycle that was alive at startup and
dies later stays in memory, which is why :func:`apply` runs only once what it freezes is
meant to last as long as the process.
"""

from __future__ import annotations

import gc

__all__ = ["THRESHOLDS", "apply", "revert"]

THRESHOLDS = (50_000, 10, 10)
"""``gc.set_threshold`` of the long-running processes: young, middle and old generation."""


def apply() -> tuple[int, int, int]:
    """Collect once, freeze what the process holds and raise the collection thresholds to
    :data:`THRESHOLDS`; returns the thresholds in force before (for :func:`revert`)."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    return before


def revert(thresholds: tuple[int, int, int]) -> None:
    """Undo :func:`apply` in a process that goes on to other work (a benchmark that runs
    several syncs one after the other): unfreeze and put ``thresholds`` back."""
    gc.unfreeze()
    gc.set_threshold(*thresholds)
