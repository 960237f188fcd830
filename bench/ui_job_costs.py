"""Server-side rendering of a project's Job Costs report (``GET /projects/{id}/job-costs``) and
the company's ``/job-costs`` with up to 100,000 job cost lines, as an ERP Integrations admin
gets them through the app in-process; and the report's CSV export, streamed.

The lines are put straight into the store (one project synced with its QuickBooks job, with
job cost syncing on, 20 cost codes with their budgets, 1 % of the lines not mapped, and two
budget lines and two direct cost lines the last sync found on another cost type), so the
figures measure reading and rendering only. The report is read at its first, middle and last
page, and drilled down into one cost code at its first and last page.

Figures: the median and the 95th percentile of the render time, the SQL statements one render
runs and the requests it sends the Procore simulator. The statement count must not grow with
the page's position or the number of lines: each page is held to the count of the report's
first page at the smaller size. The export's statements are, besides what any page runs, one
read and one permission check per 1,000 lines. The report asks Procore nothing: what it shows
of Procore (the budget, the lines on another cost type than 'Other') is what the last job cost
sync read (before that, each render read the cost types, the budget view and its rows and the
project's cost codes: 4 requests).
"""

from __future__ import annotations

import math
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench._figures import Figure

__all__ = ["PageFigures", "main", "measure_size"]

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000)
SMALL_SIZES = (200, 1_000)
REPEATS = 11
SMALL_REPEATS = 3
PROJECT = 2009
JOB = "80000BENCH-JC"
CODES = 20
FIRST_CODE = 900_000
PER_PAGE = 50
OFF_TYPE = 2
"""Budget lines, and direct cost lines, on another cost type than 'Other'."""
PER_BATCH = 5
"""Statements per 1,000 exported lines: the permission checked again (four: its transaction,
the user, the cached permissions) and the read."""


def _batches(size: int) -> int:
    return (size - math.ceil(size / 100)) // 1000 + 1


@dataclass(frozen=True)
class PageFigures:
    label: str
    url: str
    size: int
    median: float
    p95: float
    queries: int
    bytes: int
    procore: int
    """Requests sent to Procore by one render."""


def _harness() -> tuple[Any, Any]:
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    warnings.filterwarnings("ignore", "You should not use the 'timeout' argument")
    from integration.web.pages.pages_client import PagesClient
    from integration.workflow.workflow_stack import Stack

    return Stack, PagesClient


def _seed(stack: Any, size: int) -> None:
    from procore_qb.app.rules import PROJECT_JOB
    from procore_qb.store.models import (
        CostTypeCheck,
        JobCostLineRecord,
        JobCostProject,
        JobCostTotal,
        OffTypeLineRecord,
        RecordLink,
    )

    now = stack.clock.now()
    company = stack.company_id
    lines: list[dict[str, Any]] = []
    for n in range(size):
        mapped = n % 100 != 0
        lines.append(
            {
                "company_id": company,
                "procore_project_id": PROJECT,
                "job_id": JOB,
                "source": ("bill", "check", "vendor_credit", "journal_entry")[n % 4],
                "txn_id": f"T{n // 3:07d}",
                "line_id": str(n % 3),
                "txn_date": date(2026, 1, 1) + timedelta(days=n % 300),
                "ref_number": f"B-{n // 3:07d}",
                "vendor_name": "Ace Concrete Supply",
                "memo": f"line {n}",
                "item_id": f"I{n % CODES}" if mapped else None,
                "account_id": None if mapped else "6",
                "amount_cents": (n % 997) * 100 + 25,
                "status": "mapped" if mapped else "not_mapped",
                "cost_code_id": FIRST_CODE + n % CODES if mapped else None,
                "reason": None if mapped else "account_line",
                "message": None if mapped else "coded to an account without an item",
                "dirty": False,
                "removed": False,
                "sent": mapped,
                "procore_direct_cost_id": n // 3 if mapped else None,
                "procore_line_id": n if mapped else None,
                "push_error": None,
                "read_key": "bench",
                "version": 1,
                "updated_at": now,
            }
        )
    with stack.engine.begin() as conn:
        conn.execute(
            sa.insert(RecordLink.__table__),
            [
                {
                    "company_id": company,
                    "kind": PROJECT_JOB,
                    "procore_id": PROJECT,
                    "qb_id": JOB,
                    "qb_full_name": "Bench Builders:Job costs",
                    "qb_version": "1",
                    "linked_at": now,
                    "updated_at": now,
                }
            ],
        )
        conn.execute(
            sa.insert(JobCostProject.__table__),
            [
                {
                    "company_id": company,
                    "procore_project_id": PROJECT,
                    "qb_job_id": JOB,
                    "enabled": True,
                    "changed_at": now,
                    "changed_by": "cara@summit.example",
                    "procore_configured": None,
                    "watermark": now,
                    "requested_at": now,
                    "read_at": now,
                    "pushed_at": now,
                }
            ],
        )
        for start in range(0, len(lines), 5_000):
            conn.execute(sa.insert(JobCostLineRecord.__table__), lines[start : start + 5_000])
        conn.execute(
            sa.insert(JobCostTotal.__table__),
            [
                {
                    "company_id": company,
                    "procore_project_id": PROJECT,
                    "cost_code_id": FIRST_CODE + c,
                    "code": f"{c:02d}-100",
                    "name": f"Cost code {c}",
                    "budget_cents": 50_000_000,
                    "written_at": now,
                }
                for c in range(CODES)
            ],
        )
        # What the last sync found on another cost type: two budget lines, two direct cost lines.
        conn.execute(
            sa.insert(CostTypeCheck.__table__),
            [
                {
                    "company_id": company,
                    "procore_project_id": PROJECT,
                    "read_at": now,
                    "other_cost_type_id": 1,
                    "budget_total": OFF_TYPE,
                    "direct_cost_total": OFF_TYPE,
                }
            ],
        )
        conn.execute(
            sa.insert(OffTypeLineRecord.__table__),
            [
                {
                    "company_id": company,
                    "procore_project_id": PROJECT,
                    "kind": kind,
                    "procore_id": n,
                    "direct_cost_id": n if kind == "direct_cost" else None,
                    "cost_code_id": FIRST_CODE + n,
                    "code": f"{n:02d}-100",
                    "name": f"Cost code {n}",
                    "cost_type_id": 2,
                    "cost_type": "Labor",
                    "amount_cents": 125_050,
                    "description": "entered in Procore" if kind == "direct_cost" else "",
                }
                for kind in ("budget", "direct_cost")
                for n in range(OFF_TYPE)
            ],
        )


@contextmanager
def _statements(engine: sa.Engine) -> Iterator[list[int]]:
    found = [0]

    def count(*_: Any) -> None:
        found[0] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield found
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _pages(size: int) -> list[tuple[str, str]]:
    report = f"/projects/{PROJECT}/job-costs"
    mapped = size - math.ceil(size / 100)
    last = max(1, math.ceil(mapped / PER_PAGE))
    one_code = max(1, math.ceil(mapped / CODES / PER_PAGE))
    out = [
        (f"report page {page}/{last}", f"{report}?page={page}")
        for page in sorted({1, (last + 1) // 2, last})
    ]
    out += [
        (f"report cost code page {page}/{one_code}", f"{report}?cost_code={FIRST_CODE}&page={page}")
        for page in sorted({1, one_code})
    ]
    out.append(("company /job-costs", "/job-costs"))
    return out


@contextmanager
def _procore_requests(stack: Any) -> Iterator[list[int]]:
    found = [0]
    send = stack.procore.send

    def counted(request: Any, **kwargs: Any) -> Any:
        found[0] += 1
        return send(request, **kwargs)

    stack.procore.send = counted
    try:
        yield found
    finally:
        del stack.procore.send


def _timed(stack: Any, browser: Any, url: str, repeats: int) -> tuple[list[float], int, int, int]:
    first = browser.get(url)  # templates compiled, caches warm
    if first.status_code != 200:
        raise RuntimeError(f"{url}: {first.status_code} {first.text[:500]}")
    times: list[float] = []
    queries: set[int] = set()
    procore: set[int] = set()
    for _ in range(repeats):
        with _statements(stack.engine) as counted, _procore_requests(stack) as asked:
            started = time.perf_counter()
            answer = browser.get(url)
            times.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise RuntimeError(f"{url}: {answer.status_code}")
        queries.add(counted[0])
        procore.add(asked[0])
    if len(queries) != 1:
        raise RuntimeError(f"{url}: the same page ran {sorted(queries)} statements")
    if len(procore) != 1:
        raise RuntimeError(f"{url}: the same page sent Procore {sorted(procore)} requests")
    return sorted(times), queries.pop(), len(first.content), procore.pop()


def measure_size(size: int, repeats: int, directory: Path) -> list[PageFigures]:
    stack_class, client_class = _harness()
    stack = stack_class("desktop", directory)
    try:
        _seed(stack, size)
        browser = client_class(stack)
        browser.sign_in("ada")
        found: list[PageFigures] = []
        for label, url in _pages(size):
            times, queries, length, procore = _timed(stack, browser, url, repeats)
            p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
            found.append(
                PageFigures(
                    label, url, size, statistics.median(times), p95, queries, length, procore
                )
            )
        url = f"/projects/{PROJECT}/job-costs.csv"
        times, queries, length, procore = _timed(stack, browser, url, 1 if size > 10_000 else 3)
        found.append(
            PageFigures("CSV export", url, size, times[0], times[-1], queries, length, procore)
        )
        return found
    finally:
        stack.close()


def main(small: bool = False) -> list[Figure]:
    """Two sizes; prints and returns one figure per page read (``small``: make test's size)."""
    sizes = SMALL_SIZES if small else SIZES
    repeats = SMALL_REPEATS if small else REPEATS
    measured: list[PageFigures] = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            measured += measure_size(size, repeats, Path(tmp))
    baseline: dict[str, int] = {}
    for page in measured:
        baseline.setdefault(page.label.split(" page ")[0], page.queries)
    exports = [p for p in measured if p.label == "CSV export"]
    # What an export runs besides its batches, from the smaller size.
    fixed = exports[0].queries - PER_BATCH * _batches(exports[0].size)
    figures: list[Figure] = []
    for page in measured:
        if page.label == "CSV export":
            batches = _batches(page.size)
            figures.append(
                Figure(
                    f"{page.size:,} lines: CSV export",
                    records=page.size - math.ceil(page.size / 100),
                    seconds=page.median,
                    calls=page.queries,
                    minimum=fixed + batches,
                    allowed=fixed + PER_BATCH * batches,
                    calls_name="SQL statements",
                    note=f"{page.bytes / 1_048_576:.1f} MiB, {page.procore} Procore requests",
                ).show()
            )
            continue
        allowed = baseline[page.label.split(" page ")[0]]
        figures.append(
            Figure(
                f"{page.size:,} lines: {page.label}",
                records=page.size,
                seconds=page.median,
                calls=page.queries,
                minimum=allowed,
                allowed=allowed,
                calls_name="SQL statements",
                note=(
                    f"median {page.median * 1000:.1f} ms, p95 {page.p95 * 1000:.1f} ms "
                    f"({repeats} renders, {page.bytes / 1024:.0f} KiB), "
                    f"{page.procore} Procore requests"
                ),
            ).show()
        )
    return figures


if __name__ == "__main__":
    main()
