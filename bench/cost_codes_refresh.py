"""A refresh of the QuickBooks Standard Cost Codes list from 2,000 QuickBooks service items
end to end, with each edition: *Refresh* on the Cost Codes tab through the API, the service
items read from QuickBooks (Online: query pages of 1,000; Desktop: an ItemServiceQuery
iterator of 500 a page, sent with the other-charge and non-inventory queries, through the Web
Connector), and the items written into the list in Procore (sync calls of 1,000).

The items are put into the simulators in bulk through their own Python APIs.

Figures: QuickBooks Online API calls or Web Connector round trips against the theoretical
minimum, the Procore calls, items per second of our CPU (``time.process_time`` less the time
spent inside the in-process simulators) and peak Python memory (simulators included).
"""

from __future__ import annotations

import math
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench._figures import Figure
from bench._workflow import Meter, stack_class
from procore_qb.sandbox import seed

__all__ = ["main", "run"]

ITEMS = 2_000
SMALL = 15
QBO_PAGE = 1_000
QBD_PAGE = 500
QBD_ADDS_PER_MESSAGE = 500
SEED_ITEMS = 11  # the seed company's items that are read with them


def _seed_online(stack: Any, count: int) -> None:
    from procore_qb.sandbox.qbo.entities import spec_by_name
    from procore_qb.sandbox.qbo.operations import create

    sim = stack.qbo.app.state.simulator
    spec = spec_by_name("Item")
    income = next(
        a["Id"]
        for a in sim.realm(sim.config.realm_id).table("Account").values()
        if a["Name"] == "Construction Income"
    )

    def add_all(ctx: Any, events: list[Any]) -> None:
        for n in range(count):
            create(
                ctx,
                spec,
                {
                    "Name": f"B{n:05d} Bench code {n}",
                    "Type": "Service",
                    "IncomeAccountRef": {"value": income},
                },
                events,
            )

    sim.apply(sim.config.realm_id, add_all)


def _seed_desktop(stack: Any, count: int) -> None:
    processor = stack.qbd.processor
    for start in range(0, count, QBD_ADDS_PER_MESSAGE):
        adds = "".join(
            f"<ItemServiceAddRq><ItemServiceAdd><Name>B{n:05d} Bench {n}</Name>"
            "<SalesOrPurchase><Desc>Bench code</Desc><AccountRef><FullName>Subcontractors"
            "</FullName></AccountRef></SalesOrPurchase></ItemServiceAdd></ItemServiceAddRq>"
            for n in range(start, min(count, start + QBD_ADDS_PER_MESSAGE))
        )
        answer = processor.process(
            '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML>'
            f'<QBXMLMsgsRq onError="stopOnError">{adds}</QBXMLMsgsRq></QBXML>'
        )
        if 'statusSeverity="Error"' in answer:
            raise RuntimeError(answer[:500])


def run(edition: str, count: int, directory: Path) -> tuple[Figure, int]:
    stack = stack_class()(edition, directory)
    try:
        meter = Meter()
        meter.attach(stack)
        if edition == "online":
            _seed_online(stack, count)
        else:
            _seed_desktop(stack, count)
        stack.settle()  # what the stack's setup left in the outbox (the first job list)
        meter.reset()
        tracemalloc.start()
        cpu = time.process_time()
        stack.ok("ada", "POST", "/erp/cost-codes/refresh")
        meter.settle(stack, rounds=2)
        cpu = time.process_time() - cpu - meter.simulator_cpu
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        codes = stack.ctx.procore().standard_cost_codes(seed.QUICKBOOKS_LIST_ID)
        written = sum(1 for c in codes if c.code.startswith("B"))
        if written != count:
            raise RuntimeError(f"{written} of {count} items became standard cost codes")
        total = count + SEED_ITEMS
        if edition == "online":
            calls, minimum = meter.qbo_calls, math.ceil(total / QBO_PAGE)
            name = "API calls"
        else:
            calls = meter.wc_round_trips
            # The item queries go out together; the service items' iterator pages after that.
            minimum = math.ceil(total / QBD_PAGE)
            name = "Web Connector round trips"
        figure = Figure(
            f"{edition}: cost code list from {count:,} items, our CPU",
            records=count,
            seconds=max(cpu, 1e-9),
            peak_bytes=peak,
            calls=calls,
            minimum=minimum,
            calls_name=name,
            note=f"Procore calls {meter.procore_calls}",
        )
        return figure, meter.procore_calls
    finally:
        stack.close()


def main(small: bool = False) -> list[Figure]:
    """Both editions; prints and returns one figure each (``small``: the size make test runs)."""
    count = SMALL if small else ITEMS
    figures: list[Figure] = []
    for edition in ("online", "desktop"):
        with tempfile.TemporaryDirectory() as tmp:
            figure, _ = run(edition, count, Path(tmp))
        figures.append(figure.show())
    return figures


if __name__ == "__main__":
    main()
