"""A job-list refresh of 10,000 QuickBooks jobs end to end, with each edition: *Refresh Job
List* through the API, QuickBooks read (Online: pages of 1,000 as queries of one batch call;
Desktop: a CustomerQuery iterator of 500 a page through the Web Connector), the mirror updated
and every new job staged in *Ready to Import*. Then an incremental refresh after 5 jobs change.

The jobs are put into the simulators in bulk through their own Python APIs (the Online
simulator's entity operations; the Desktop company file's qbXML request processor), not through
throttled HTTP.

Figures: QuickBooks Online API calls or Web Connector round trips against the theoretical
minimum, our CPU time per job (``time.process_time`` less the time spent inside the in-process
simulators) and peak Python memory (tracemalloc, simulators included).
"""

from __future__ import annotations

import math
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bench._figures import Figure
from bench._workflow import Meter, stack_class

__all__ = ["RefreshFigures", "main", "run"]

JOBS = 10_000
CHANGED = 5
PARENT = "Bench Holdings"
QBO_PAGES_PER_CALL = 30 * 1000
QBD_PAGE = 500
QBD_ADDS_PER_MESSAGE = 1000
HOUR = 3600.0


@dataclass(frozen=True)
class RefreshFigures:
    edition: str
    jobs: int
    staged: int
    calls: int
    minimum: int
    incremental_calls: int
    incremental_minimum: int
    cpu_per_job: float
    peak_bytes: int

    def line(self) -> str:
        unit = "API calls" if self.edition == "online" else "Web Connector round trips"
        return (
            f"{self.edition:<8} refresh of {self.jobs:,} jobs, {self.staged:,} staged: "
            f"{unit} {self.calls} (minimum {self.minimum}); "
            f"then {CHANGED} changed: {self.incremental_calls} (minimum "
            f"{self.incremental_minimum}); our CPU {self.cpu_per_job * 1_000_000:.0f} µs/job; "
            f"peak {self.peak_bytes / 1_048_576:.1f} MiB"
        )


def _seed_online(stack: Any, count: int) -> list[str]:
    from procore_qb.sandbox.qbo.entities import spec_by_name
    from procore_qb.sandbox.qbo.operations import create

    sim = stack.qbo.app.state.simulator
    spec = spec_by_name("Customer")

    def add_all(ctx: Any, events: list[Any]) -> list[str]:
        parent = create(ctx, spec, {"DisplayName": PARENT}, events)
        return [
            create(
                ctx,
                spec,
                {
                    "DisplayName": f"Bench Job {n:05d}",
                    "Job": True,
                    "BillWithParent": True,
                    "ParentRef": {"value": parent["Id"]},
                },
                events,
            )["Id"]
            for n in range(count)
        ]

    return list(sim.apply(sim.config.realm_id, add_all))


def _change_online(stack: Any, ids: list[str]) -> None:
    from procore_qb.sandbox.qbo.entities import spec_by_name
    from procore_qb.sandbox.qbo.operations import update

    sim = stack.qbo.app.state.simulator
    spec = spec_by_name("Customer")

    def change(ctx: Any, events: list[Any]) -> None:
        for job_id in ids:
            current = ctx.realm.table("Customer")[job_id]
            body = {"Id": job_id, "SyncToken": current["SyncToken"], "sparse": True}
            update(ctx, spec, {**body, "Notes": "changed"}, events)

    sim.apply(sim.config.realm_id, change)


def _qbxml(requests: list[str]) -> str:
    body = "".join(requests)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
        f'<QBXML><QBXMLMsgsRq onError="stopOnError">{body}</QBXMLMsgsRq></QBXML>'
    )


def _seed_desktop(stack: Any, count: int) -> list[str]:
    processor = stack.qbd.processor
    parent = f"<CustomerAddRq><CustomerAdd><Name>{PARENT}</Name></CustomerAdd></CustomerAddRq>"
    answer = processor.process(_qbxml([parent]))
    if 'statusSeverity="Error"' in answer:
        raise RuntimeError(answer[:500])
    names = [f"Bench Job {n:05d}" for n in range(count)]
    for start in range(0, count, QBD_ADDS_PER_MESSAGE):
        adds = [
            f"<CustomerAddRq><CustomerAdd><Name>{escape(name)}</Name><ParentRef><FullName>"
            f"{PARENT}</FullName></ParentRef></CustomerAdd></CustomerAddRq>"
            for name in names[start : start + QBD_ADDS_PER_MESSAGE]
        ]
        answer = processor.process(_qbxml(adds))
        if 'statusSeverity="Error"' in answer:
            raise RuntimeError(answer[:500])
    return names


def _change_desktop(stack: Any, names: list[str]) -> None:
    company = stack.qbd.company
    found = {o.name: o for o in company.lists(["Customer"])}
    mods = [
        f"<CustomerModRq><CustomerMod><ListID>{found[n].list_id}</ListID>"
        f"<EditSequence>{found[n].edit_sequence}</EditSequence><Notes>changed</Notes>"
        "</CustomerMod></CustomerModRq>"
        for n in names
    ]
    answer = stack.qbd.processor.process(_qbxml(mods))
    if 'statusSeverity="Error"' in answer:
        raise RuntimeError(answer[:500])


def _advance(stack: Any, edition: str, seconds: float) -> None:
    """Time passes on our side and in QuickBooks alike."""
    stack.clock.advance(seconds=seconds)
    if edition == "online":
        stack.qbo_clock.advance(seconds)
    else:
        stack.qbd.clock.advance(seconds)


def _calls(meter: Meter, edition: str) -> int:
    return meter.qbo_calls if edition == "online" else meter.wc_round_trips


def run(edition: str, count: int, directory: Path) -> RefreshFigures:
    stack = stack_class()(edition, directory)
    try:
        meter = Meter()
        meter.attach(stack)
        seeded = _seed_online(stack, count) if edition == "online" else _seed_desktop(stack, count)
        # An hour passes between the jobs' creation and each refresh (the hourly schedule), so
        # the incremental refresh's look-back (the last refresh's time less its overlap) does
        # not reach back to the bulk load.
        _advance(stack, edition, HOUR)

        meter.reset()
        tracemalloc.start()
        started = time.process_time()
        stack.ok("ada", "POST", "/erp/jobs/refresh")
        meter.settle(stack, rounds=2)
        cpu = time.process_time() - started - meter.simulator_cpu
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        calls = _calls(meter, edition)
        listed = stack.ok("ada", "GET", "/erp/jobs?filter=ready_to_import&per_page=1")
        total = count + 8  # the seed's customers and jobs, and the bench parent
        minimum = (
            math.ceil(total / QBO_PAGES_PER_CALL)
            if edition == "online"
            else math.ceil(total / QBD_PAGE)
        )

        _advance(stack, edition, HOUR / 2)
        if edition == "online":
            _change_online(stack, seeded[:CHANGED])
        else:
            _change_desktop(stack, seeded[:CHANGED])
        _advance(stack, edition, HOUR / 2)
        meter.reset()
        stack.ok("ada", "POST", "/erp/jobs/refresh")
        meter.settle(stack, rounds=2)
        return RefreshFigures(
            edition=edition,
            jobs=count,
            staged=int(listed["total"]),
            calls=calls,
            minimum=minimum,
            incremental_calls=_calls(meter, edition),
            incremental_minimum=1,
            cpu_per_job=cpu / count,
            peak_bytes=peak,
        )
    finally:
        stack.close()


SMALL = 12


def main(small: bool = False) -> list[Figure]:
    """Both editions; prints and returns one figure each (``small``: the size make test runs)."""
    count = SMALL if small else JOBS
    figures: list[Figure] = []
    for edition in ("online", "desktop"):
        with tempfile.TemporaryDirectory() as tmp:
            found = run(edition, count, Path(tmp))
        print(found.line(), flush=True)
        figures.append(
            Figure(
                f"{edition}: refresh of {count:,} jobs, our CPU",
                records=found.jobs,
                seconds=max(found.cpu_per_job * found.jobs, 1e-9),
                peak_bytes=found.peak_bytes,
                calls=found.calls,
                minimum=found.minimum,
                allowed=math.floor(found.minimum * 1.1),
                calls_name="API calls" if edition == "online" else "Web Connector round trips",
            ).show()
        )
    return figures


if __name__ == "__main__":
    main()
