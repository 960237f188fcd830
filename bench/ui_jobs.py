"""Server-side rendering of ERP Integrations → Jobs (``GET /erp/jobs``) with 10,000 items: the
page as a signed-in accounting approver gets it (sign-in cookie, permission check, the list,
the filter counts, the sync line, the template), through the app in-process.

The items are put straight into the store (export items in every state, each with its project
in the Procore simulator, and staged and archived QuickBooks jobs with the job-list mirror), so
the figures measure reading and rendering only. Several filters are read at their first,
middle and last page, and with a search, at two sizes; each page is rendered a number of times.

Figures: the median and the 95th percentile of the render time, and the SQL statements one
render runs (counted with a SQLAlchemy ``before_cursor_execute`` listener). That count must
not grow with the page's position or the list's size (no statement per row): each page is
held to the count of its filter's first page at the smaller size.
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench._figures import Figure
from bench._workflow import seed_projects

__all__ = ["PageFigures", "main", "measure_size"]

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000)
SMALL_SIZES = (60, 240)
REPEATS = 21
SMALL_REPEATS = 3
PER_PAGE = 50
# Where 10,000 items sit (and any other size in proportion).
MIX = (
    ("ready_to_export", 0.30),
    ("ready_to_update", 0.10),
    ("exporting", 0.05),
    ("failed_to_export", 0.05),
    ("synced", 0.20),
    ("ready_to_import", 0.20),
    ("archived", 0.10),
)
PARENT_ID = "80000BENCH-1"
PARENT = "Bench Holdings"


@dataclass(frozen=True)
class PageFigures:
    label: str
    url: str
    size: int
    rows: int
    median: float
    p95: float
    queries: int


def _harness() -> tuple[Any, Any]:
    """The workflow tests' stack and the pages' browser client."""
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    warnings.filterwarnings("ignore", "You should not use the 'timeout' argument")
    from integration.web.pages.pages_client import PagesClient
    from integration.workflow.workflow_stack import Stack

    return Stack, PagesClient


def _counts(size: int) -> dict[str, int]:
    found = {state: int(size * share) for state, share in MIX}
    found["ready_to_export"] += size - sum(found.values())
    return found


def _seed(stack: Any, size: int) -> None:
    """``size`` Jobs tab items in the store, in the proportions of :data:`MIX`."""
    from procore_qb.domain.commands import job_to_json
    from procore_qb.domain.project import project_to_json
    from procore_qb.domain.quickbooks_job import QuickBooksJob
    from procore_qb.store.models import ExportItem, ImportItem, QbJobRecord, User

    counts = _counts(size)
    exports = [s for s, _ in MIX if s not in ("ready_to_import", "archived")]
    total_exports = sum(counts[s] for s in exports)
    project_ids = seed_projects(stack, total_exports)
    template = stack.ctx.procore().project(2001)
    now = stack.clock.now()
    with stack.sessions.begin() as session:
        cara = session.scalars(sa.select(User).where(User.email == "cara@summit.example")).one()
        sender = cara.procore_user_id
    export_rows: list[dict[str, Any]] = []
    import_rows: list[dict[str, Any]] = []
    mirror: list[dict[str, Any]] = [
        {
            "company_id": stack.company_id,
            "qb_id": PARENT_ID,
            "full_name": PARENT,
            "name": PARENT,
            "parent_id": None,
            "version": "1",
            "is_job": False,
            "active": True,
            "deleted": False,
            "data": job_to_json(QuickBooksJob(name=PARENT, full_name=PARENT, id=PARENT_ID)),
            "updated_at": now,
        }
    ]

    def job(n: int, name: str) -> QuickBooksJob:
        return QuickBooksJob(
            name=name,
            full_name=f"{PARENT}:{name}",
            id=f"80{n:06d}-1",
            version="1",
            parent_id=PARENT_ID,
            parent_full_name=PARENT,
        )

    ids = iter(project_ids)
    n = 0
    for state in exports:
        for _ in range(counts[state]):
            project_id = next(ids)
            number = project_id - project_ids[0]
            name = f"Bench Project {number:05d}"
            snapshot = replace(
                template, id=project_id, name=name, project_number=f"BP-{number:05d}"
            )
            in_quickbooks = state in ("ready_to_update", "synced") or (
                state in ("exporting", "failed_to_export") and number % 2 == 0
            )
            made = job(n, name) if in_quickbooks else None
            n += 1
            if made is not None:
                mirror.append(
                    {
                        "company_id": stack.company_id,
                        "qb_id": made.id,
                        "full_name": made.full_name,
                        "name": made.name,
                        "parent_id": PARENT_ID,
                        "version": "1",
                        "is_job": True,
                        "active": True,
                        "deleted": False,
                        "data": job_to_json(made),
                        "updated_at": now,
                    }
                )
            pending = state in (
                "ready_to_export",
                "ready_to_update",
                "exporting",
                "failed_to_export",
            )
            export_rows.append(
                {
                    "company_id": stack.company_id,
                    "procore_project_id": project_id,
                    "state": state,
                    "snapshot": project_to_json(snapshot) if pending else None,
                    "sent_by": sender,
                    "sent_at": now,
                    "customer_id": PARENT_ID if not in_quickbooks else None,
                    "comment": "",
                    "error": (
                        'The name "' + name + '" of the list element is already in use.'
                        if state == "failed_to_export"
                        else None
                    ),
                    "qb_job_id": made.id if made else None,
                    "qb_full_name": made.full_name if made else None,
                    "qb_version": "1" if made else None,
                    "attempt": 1 if state in ("exporting", "failed_to_export") else 0,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
    for state in ("ready_to_import", "archived"):
        for _ in range(counts[state]):
            made = job(n, f"Bench Job {n:05d}")
            n += 1
            import_rows.append(
                {
                    "company_id": stack.company_id,
                    "qb_job_id": made.id,
                    "qb_full_name": made.full_name,
                    "state": state,
                    "snapshot": job_to_json(made),
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
            mirror.append(
                {
                    "company_id": stack.company_id,
                    "qb_id": made.id,
                    "full_name": made.full_name,
                    "name": made.name,
                    "parent_id": PARENT_ID,
                    "version": "1",
                    "is_job": True,
                    "active": True,
                    "deleted": False,
                    "data": job_to_json(made),
                    "updated_at": now,
                }
            )
    with stack.engine.begin() as conn:
        conn.execute(sa.insert(ExportItem.__table__), export_rows)
        conn.execute(sa.insert(ImportItem.__table__), import_rows)
        conn.execute(sa.insert(QbJobRecord.__table__), mirror)


@contextmanager
def _statements(engine: sa.Engine) -> Iterator[list[int]]:
    """Count the SQL statements run in the block: ``found[0]``."""
    found = [0]

    def count(*_: Any) -> None:
        found[0] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield found
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _pages(size: int) -> list[tuple[str, str]]:
    """(label, URL) of the pages read at ``size``."""
    counts = _counts(size)
    out: list[tuple[str, str]] = []
    for job_filter, total in (
        ("ready_to_export", counts["ready_to_export"]),
        ("ready_to_import", counts["ready_to_import"]),
        ("synced", counts["synced"]),
        ("failed_to_export", counts["exporting"] + counts["failed_to_export"]),
    ):
        last = max(1, math.ceil(total / PER_PAGE))
        for page in sorted({1, (last + 1) // 2, last}):
            out.append(
                (
                    f"{job_filter} page {page}/{last}",
                    f"/erp/jobs?filter={job_filter}&page={page}&per_page={PER_PAGE}",
                )
            )
    out.append(
        (
            "ready_to_export search 'bench project 000'",
            f"/erp/jobs?filter=ready_to_export&search=bench+project+000&per_page={PER_PAGE}",
        )
    )
    return out


def measure_size(size: int, repeats: int, directory: Path) -> list[PageFigures]:
    stack_class, client_class = _harness()
    stack = stack_class("desktop", directory)
    try:
        _seed(stack, size)
        browser = client_class(stack)
        browser.sign_in("ben")
        found: list[PageFigures] = []
        for label, url in _pages(size):
            first = browser.get(url)  # templates compiled, caches warm
            if first.status_code != 200:
                raise RuntimeError(f"{url}: {first.status_code} {first.text[:500]}")
            rows = first.text.count('<tr id="row-')
            times: list[float] = []
            queries: set[int] = set()
            for _ in range(repeats):
                with _statements(stack.engine) as counted:
                    started = time.perf_counter()
                    answer = browser.get(url)
                    times.append(time.perf_counter() - started)
                if answer.status_code != 200:
                    raise RuntimeError(f"{url}: {answer.status_code}")
                queries.add(counted[0])
            if len(queries) != 1:
                raise RuntimeError(f"{url}: the same page ran {sorted(queries)} statements")
            times.sort()
            p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
            found.append(
                PageFigures(label, url, size, rows, statistics.median(times), p95, queries.pop())
            )
        return found
    finally:
        stack.close()


def _filter_of(label: str) -> str:
    return label.split(" ", 1)[0]


def main(small: bool = False) -> list[Figure]:
    """Two sizes; prints and returns one figure per page read (``small``: make test's size)."""
    sizes = SMALL_SIZES if small else SIZES
    repeats = SMALL_REPEATS if small else REPEATS
    measured: list[PageFigures] = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            measured += measure_size(size, repeats, Path(tmp))
    # Each filter's first page at the smaller size: what every other page may cost.
    baseline: dict[str, int] = {}
    for page in measured:
        baseline.setdefault(_filter_of(page.label), page.queries)
    figures: list[Figure] = []
    for page in measured:
        allowed = baseline[_filter_of(page.label)]
        figures.append(
            Figure(
                f"{page.size:,} items: {page.label}",
                records=max(page.rows, 1),
                seconds=page.median,
                calls=page.queries,
                minimum=allowed,
                allowed=allowed,
                calls_name="SQL statements",
                note=(
                    f"median {page.median * 1000:.1f} ms, p95 {page.p95 * 1000:.1f} ms "
                    f"({repeats} renders, {page.rows} rows)"
                ),
            ).show()
        )
    return figures


if __name__ == "__main__":
    main()
