"""1,000 accepted exports end to end, with each QuickBooks edition: the projects are sent to
ERP, accepted in one bulk accept, and the jobs and the Web Connector run until every project is
synced (QuickBooks job created, Procore project marked synced).

Figures for the accept-and-export phase: QuickBooks Online API calls (and the largest batch)
or Web Connector round trips against the theoretical minimum (1,000 creates in batches of 30,
or in qbXML messages of 100 requests); Procore calls per item (the write-back); our CPU time
per item (``time.process_time`` less the time spent inside the in-process simulators); peak
Python memory (tracemalloc, simulators included); and the database transactions of the bulk
accept request (one that writes, whatever the number of items).

The projects are sent an hour before they are accepted (the Procore simulator's clock moves on),
as senders and the approver work at different times: the write-back of 1,000 exports then has
Procore's hourly rate limit (3,600 calls) to itself. Each line also shows, for comparison, the
figures of the write-back as it was before it was batched (one job and four Procore calls per
project, company settings and standard cost codes read for each), measured at 100 exports
because 1,000 did not finish then.
"""

from __future__ import annotations

import math
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from bench._figures import Figure
from bench._workflow import Meter, seed_projects, stack_class, transactions

__all__ = ["ExportFigures", "main", "run"]

EXPORTS = 1_000
QBO_BATCH = 30
QBD_REQUESTS_PER_MESSAGE = 100
BEFORE_BATCHING = {
    "online": "before batching (100 exports): Procore calls 4.0/item, our CPU 143.75 ms/item",
    "desktop": "before batching (100 exports): Procore calls 4.0/item, our CPU 172.12 ms/item",
}


@dataclass(frozen=True)
class ExportFigures:
    edition: str
    items: int
    synced: int
    calls: int
    """QuickBooks Online API calls, or Web Connector round trips (qbXML messages)."""
    minimum: int
    largest_batch: int
    procore_calls: int
    cpu_per_item: float
    peak_bytes: int
    accept_transactions: int
    accept_writing_transactions: int

    @property
    def ratio(self) -> float:
        return self.calls / self.minimum if self.minimum else 0.0

    def line(self) -> str:
        unit = "API calls" if self.edition == "online" else "Web Connector round trips"
        largest = f", largest batch {self.largest_batch}" if self.edition == "online" else ""
        return (
            f"{self.edition:<8} {self.items:,} exports, {self.synced:,} synced: "
            f"{unit} {self.calls} (minimum {self.minimum}, {self.ratio:.2f}x{largest}); "
            f"Procore calls {self.procore_calls / self.items:.1f}/item; "
            f"our CPU {self.cpu_per_item * 1000:.2f} ms/item; "
            f"peak {self.peak_bytes / 1_048_576:.1f} MiB; "
            f"bulk accept: {self.accept_writing_transactions} writing transaction(s) "
            f"of {self.accept_transactions}"
        )


def run(edition: str, count: int, directory: Path) -> ExportFigures:
    stack = stack_class()(edition, directory)
    try:
        meter = Meter()
        meter.attach(stack)
        projects = seed_projects(stack, count)
        stack.ok("ada", "POST", "/erp/jobs/refresh")
        meter.settle(stack)
        parent = stack.ok("ben", "GET", "/erp/customers")["items"][0]["id"]
        ids = [stack.ok("cara", "POST", f"/projects/{p}/send-to-erp")["id"] for p in projects]
        stack.procore_clock.advance(3600)  # the approver accepts an hour later

        meter.reset()
        tracemalloc.start()
        started = time.process_time()
        with transactions(stack.engine) as accept_tx:
            stack.ok("ben", "POST", "/erp/jobs/accept", {"ids": ids, "customer_id": parent})
        meter.settle(stack)
        cpu = time.process_time() - started - meter.simulator_cpu
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        synced = stack.ok("ben", "GET", "/erp/jobs?filter=synced&per_page=1")["total"]
        if edition == "online":
            calls, minimum = meter.qbo_calls, math.ceil(count / QBO_BATCH)
        else:
            calls, minimum = meter.wc_round_trips, math.ceil(count / QBD_REQUESTS_PER_MESSAGE)
        return ExportFigures(
            edition=edition,
            items=count,
            synced=int(synced),
            calls=calls,
            minimum=minimum,
            largest_batch=meter.largest_batch,
            procore_calls=meter.procore_calls,
            cpu_per_item=cpu / count,
            peak_bytes=peak,
            accept_transactions=accept_tx.total,
            accept_writing_transactions=accept_tx.writing,
        )
    finally:
        stack.close()


SMALL = 4


def main(small: bool = False) -> list[Figure]:
    """Both editions; prints and returns one figure each (``small``: the size make test runs)."""
    count = SMALL if small else EXPORTS
    figures: list[Figure] = []
    for edition in ("online", "desktop"):
        with tempfile.TemporaryDirectory() as tmp:
            found = run(edition, count, Path(tmp))
        print(found.line(), flush=True)
        print(f"{'':<9}{BEFORE_BATCHING[edition]}", flush=True)
        figures.append(
            Figure(
                f"{edition}: {count:,} accepted exports, our CPU",
                records=found.items,
                seconds=max(found.cpu_per_item * found.items, 1e-9),
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
