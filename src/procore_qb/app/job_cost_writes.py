"""Job cost syncing, the write: the dirty lines of a project reach Procore as direct costs,
and the job-to-date cost per cost code as its ERP job costs (how the lines get here:
:mod:`procore_qb.app.job_costs`).

**Writing to Procore** (:func:`push_job_costs`, the ``procore-job-costs`` task, on the company's
lock): it walks the dirty lines in pages of at most :data:`PAGE_SIZE`, placing each line read
since the last write on a project cost code (its item; or its account, through the company's
account-to-cost-code table) or keeping it *not mapped* with the reason, the place stored with
the page's settlement (when what places lines changed, every line placed before is placed
again first, and those whose place changed are written again). Each page's transactions go
out as direct costs and their lines as direct cost line items through Procore's sync
endpoints (one call each per page; ``origin_id`` ``"<job id>|<transaction id>"`` and
``"…|<line id>"``), and lines gone from QuickBooks leave Procore (their line item, or the
whole direct cost). Last, the job-to-date cost per cost code goes to Procore's ERP job costs
(matched by cost code and cost type) after making sure each cost code with costs has a budget
line (looked up by cost code and cost type first: Procore's create is a POST). With the
company's budget direct cost columns set to "Editable, Do Not Populate" no direct costs are
written, only the job-to-date costs. Then the budget lines and direct cost lines the project
has on another cost type than 'Other' are kept with the write
(:mod:`procore_qb.app.cost_type_checks`), for the Job Costs report: the budget lines from the
write's own read of the budget (every cost type, read once) and the lines it created, the
direct cost lines from one more read, of the lines on the other cost types.

Nothing is written twice: every write is an upsert Procore matches by ``origin_id`` or by its
natural key, and a line is settled only at the version it was read at. As a page is read,
before any of it goes out, the project keeps the ids of the lines that may be in flight (that
page's and the one before it, whose answer may not be kept yet); once a page's answer is
kept, its lines Procore did not settle (refused, or changed meanwhile) are marked *sent*, and
a write that died leaves the ids for the next one to mark its lines still dirty *sent* first.
A line marked sent may be in Procore without its id known, so taking it out of Procore looks
it up first. After a crash anywhere the next run repeats at most the pages in flight, which
updates what the lost answers had created.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from procore_qb.app import cost_type_checks
from procore_qb.app.company import CompanySettings, load_settings
from procore_qb.app.context import AppContext
from procore_qb.app.errors import UpstreamError
from procore_qb.app.job_costs import audit_project
from procore_qb.app.rules import PROJECT_JOB
from procore_qb.domain.commands import JobCostSource
from procore_qb.domain.cost_types import CostType
from procore_qb.domain.job_costs import (
    SOURCE_LABELS,
    CostCodeMap,
    DirectCostColumns,
    MappingReason,
    direct_cost_origin_id,
    direct_cost_type,
    line_origin_id,
    map_line,
    to_cents,
)
from procore_qb.domain.project import ProcoreProject
from procore_qb.procore.errors import ProcoreError
from procore_qb.procore.gateway import (
    BudgetLine,
    BudgetRow,
    DirectCostEntry,
    DirectCostLine,
    JobToDate,
    ProcoreGateway,
)
from procore_qb.procore.sync import MAX_SYNC_BATCH, SyncResult
from procore_qb.store.repositories.job_costs import JobCosts, LineRow
from procore_qb.store.repositories.links import RecordLinks

__all__ = ["PAGE_SIZE", "PushReport", "push_job_costs"]

log = logging.getLogger(__name__)

PAGE_SIZE = 1000
"""Lines per page of the Procore write: Procore's sync endpoints take at most 1,000 items."""


@dataclass
class PushReport:
    mapped: int = 0
    not_mapped: int = 0
    lines_written: int = 0
    lines_refused: int = 0
    lines_deleted: int = 0
    direct_costs_deleted: int = 0
    pages: int = 0
    budget_lines_created: int = 0
    cost_codes_written: int = 0
    procore_calls: int = 0
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class _Target:
    """What one Procore write of a project needs to know."""

    project: ProcoreProject
    job_id: str
    cost_type_id: int
    cost_types: tuple[CostType, ...]
    """The company's cost types, as read for this write (the cost type check uses them too)."""
    cost_codes: CostCodeMap
    columns: DirectCostColumns


def _cost_code_map(
    gateway: ProcoreGateway, project: ProcoreProject, job_id: str, settings: CompanySettings
) -> CostCodeMap:
    by_code = {c.full_code.casefold(): c.id for c in project.cost_codes}
    by_item: dict[str, int] = {}
    # A cost code exported with its project carries "<job id>|<item id>" (writeback).
    for code in project.cost_codes:
        job, _, item = (code.origin_id or "").rpartition("|")
        if job == job_id and item:
            by_item[item] = code.id
    # A cost code copied from the QuickBooks list is its standard cost code, which carries
    # the item id as origin_id (setup), matched by code.
    list_id = settings.quickbooks_cost_code_list_id or project.standard_cost_code_list_id
    if list_id is not None:
        for standard in gateway.standard_cost_codes(list_id):
            found = by_code.get(standard.full_code.casefold())
            if standard.origin_id and found is not None:
                by_item.setdefault(standard.origin_id, found)
    return CostCodeMap(
        by_item=by_item, account_codes=dict(settings.job_cost_account_cost_codes), by_code=by_code
    )


def _target(ctx: AppContext, gateway: ProcoreGateway, project_id: int, job_id: str) -> _Target:
    with ctx.sessions.begin() as session:
        settings = load_settings(session, ctx.company_id)
    project = gateway.project(project_id)
    types = tuple(gateway.cost_types())
    return _Target(
        project=project,
        job_id=job_id,
        cost_type_id=gateway.cost_type_id(types),
        cost_types=types,
        cost_codes=_cost_code_map(gateway, project, job_id, settings),
        columns=settings.budget_direct_cost_columns,
    )


def push_job_costs(ctx: AppContext, project_id: int, *, page_size: int | None = None) -> PushReport:
    """Bring Procore in line with the lines kept for ``project_id`` (the ``procore-job-costs``
    task), in pages of ``page_size`` lines (default :data:`PAGE_SIZE`). Idempotent: run it
    again at any point and it finishes what is left."""
    page_size = PAGE_SIZE if page_size is None else page_size
    if not 1 <= page_size <= MAX_SYNC_BATCH:
        raise ValueError(f"page_size must be 1-{MAX_SYNC_BATCH} (Procore's sync cap)")
    report = PushReport()
    with ctx.sessions.begin() as session:
        row = JobCosts(session).project(ctx.company_id, project_id)
        link = RecordLinks(session).by_procore(ctx.company_id, PROJECT_JOB, project_id)
        if row is None or not row.enabled:
            report.skipped = "job cost syncing is off"
            return report
        if link is None or link.qb_id != row.qb_job_id:
            row.last_error = (
                "the project is no longer synced with QuickBooks job "
                f"{row.qb_job_id}; job costs are not written"
            )
            report.skipped = row.last_error
            return report
        job_id = row.qb_job_id
        fingerprint = row.map_fingerprint
        recovered = JobCosts(session).recover_in_flight(ctx.company_id, project_id)
        if recovered:
            log.info(
                "job costs of project %s: %s lines of a write that did not finish may be in "
                "Procore; they are looked up before they are taken out",
                project_id,
                recovered,
            )
    gateway = ctx.procore()
    calls = gateway.client.calls
    try:
        target = _target(ctx, gateway, project_id, job_id)
        placer = _Placer(target.cost_codes)
        _map_lines(ctx, target, placer, project_id, fingerprint, page_size, report)
        _write_lines(ctx, gateway, target, placer, project_id, page_size, report)
        errors, budget = _write_totals(ctx, gateway, target, project_id, report)
        cost_types = cost_type_checks.read_check(
            gateway,
            project_id,
            target.project.cost_codes,
            cost_types=target.cost_types,
            budget=budget,
        )
    except ProcoreError as exc:
        message = f"Procore refused the job costs of project {project_id}: {exc}"
        with ctx.sessions.begin() as session:
            failed = JobCosts(session).project(ctx.company_id, project_id)
            if failed is not None:
                failed.last_error = message
            audit_project(
                ctx, session, "job_costs_write_failed", "procore-qb", project_id, {"error": message}
            )
        raise UpstreamError(message) from exc
    report.procore_calls = gateway.client.calls - calls
    with ctx.sessions.begin() as session:
        done = JobCosts(session).project(ctx.company_id, project_id)
        if done is not None:
            done.in_flight_from_id = done.in_flight_to_id = None
            done.pushed_at = ctx.now()
            done.last_error = "; ".join(errors)[:4000] or None
        cost_type_checks.save_check(session, ctx.company_id, project_id, cost_types, ctx.now())
        audit_project(
            ctx,
            session,
            "job_costs_written",
            "procore-qb",
            project_id,
            {
                "mapped": report.mapped,
                "not_mapped": report.not_mapped,
                "lines_written": report.lines_written,
                "lines_refused": report.lines_refused,
                "lines_deleted": report.lines_deleted,
                "direct_costs_deleted": report.direct_costs_deleted,
                "budget_lines_created": report.budget_lines_created,
                "cost_codes_written": report.cost_codes_written,
                "errors": errors[:5],
            },
        )
    return report


class _Placer:
    """Where lines go on this write's cost codes: each item/account pair placed once."""

    def __init__(self, cost_codes: CostCodeMap) -> None:
        self._cost_codes = cost_codes
        self._places: dict[
            tuple[str | None, str | None], tuple[str, int | None, str | None, str | None]
        ] = {}

    def __call__(
        self, item_id: str | None, account_id: str | None
    ) -> tuple[str, int | None, str | None, str | None]:
        """(status, cost_code_id, reason, message) of a line on ``item_id`` / ``account_id``."""
        place = self._places.get((item_id, account_id))
        if place is None:
            placed = map_line(item_id, account_id, self._cost_codes)
            place = (
                "mapped" if placed.mapped else "not_mapped",
                placed.cost_code_id,
                placed.reason.value if placed.reason else None,
                placed.message or None,
            )
            self._places[(item_id, account_id)] = place
        return place


def _map_lines(
    ctx: AppContext,
    target: _Target,
    placer: _Placer,
    project_id: int,
    fingerprint: str | None,
    page_size: int,
    report: PushReport,
) -> None:
    """When what places lines changed (the project's cost codes, the QuickBooks list, the
    account table), place again every line placed before; a line whose place changes is
    written again. Lines read since the last write (``pending``) are placed as they are
    written (:func:`_write_lines`)."""
    current = target.cost_codes.fingerprint()
    if current == fingerprint:
        return
    out_of_range = MappingReason.AMOUNT_OUT_OF_RANGE.value
    after = 0
    while True:
        with ctx.sessions.begin() as session:
            repo = JobCosts(session)
            rows = repo.placing_page(
                ctx.company_id,
                project_id,
                after_id=after,
                limit=page_size,
                statuses=("mapped", "not_mapped"),
            )
            changes: list[tuple[int, int, str, int | None, str | None, str | None]] = []
            for line_id, version, item_id, account_id, status, cost_code_id, reason in rows:
                if reason == out_of_range:
                    continue
                place = placer(item_id, account_id)
                if place[1] is not None:
                    report.mapped += 1
                else:
                    report.not_mapped += 1
                if (status, cost_code_id, reason) == place[:3]:
                    continue
                changes.append((line_id, version, *place))
            repo.place_many(changes)
            if not rows:
                saved = repo.project(ctx.company_id, project_id)
                if saved is not None:
                    saved.map_fingerprint = current
                return
        after = rows[-1][0]


_PLACE = LineRow._fields.index("status")
_PLACE_END = _PLACE + 4
"""Where a :class:`LineRow` holds its placement: status, cost_code_id, reason, message."""


def _placed(row: LineRow, place: tuple[str, int | None, str | None, str | None]) -> LineRow:
    """``row`` with ``place`` (status, cost_code_id, reason, message, as :class:`_Placer`
    gives it): ``row._replace`` builds the same row in nearly three times as long (1.7
    against 0.6 us a row of a page of 1,000), rebuilding every field by keyword."""
    return LineRow._make(row[:_PLACE] + place + row[_PLACE_END:])


def _placement(row: LineRow) -> dict[str, Any]:
    return {
        "status": row.status,
        "cost_code_id": row.cost_code_id,
        "reason": row.reason,
        "message": row.message,
    }


def _write_lines(
    ctx: AppContext,
    gateway: ProcoreGateway,
    target: _Target,
    placer: _Placer,
    project_id: int,
    page_size: int,
    report: PushReport,
) -> None:
    """Walk the dirty lines in pages: lines gone (or no longer on a cost code) leave Procore,
    the others are written as direct costs (unless the budget's direct cost columns are
    editable).

    One page's write is in flight while the next page is read (and kept as in flight) and
    placed, so procore-qb's work on a page overlaps Procore's on the page before. Procore
    still gets one call at a time: a page's write is sent once the one before has its
    answer, and lines leave Procore only once no write is in flight."""
    write = target.columns is DirectCostColumns.READ_ONLY
    after = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="procore-write") as writer:
        in_flight: _InFlight | None = None
        while True:
            with ctx.sessions.begin() as session:
                repo = JobCosts(session)
                rows = repo.page(
                    ctx.company_id, project_id, after_id=after, limit=page_size, dirty=True
                )
                if rows and write:
                    # Kept before any of these goes out: what may be in flight once this
                    # page's write is, this page and the one before it until its answer is
                    # kept. If an answer is lost, the next run knows Procore may hold these
                    # and looks them up rather than guessing.
                    since = in_flight.page.rows[0].id if in_flight is not None else rows[0].id
                    repo.mark_in_flight(ctx.company_id, project_id, since, rows[-1].id)
            if not rows:
                break
            after = rows[-1].id
            report.pages += 1
            # Lines read since the last write are placed here; their place is stored with
            # what becomes of them (settled after the write, or with their retirement).
            placed: set[int] = set()
            for n, row in enumerate(rows):
                if row.status == "pending" and not row.removed:
                    place = placer(row.item_id, row.account_id)
                    rows[n] = _placed(row, place)
                    placed.add(row.id)
                    if place[1] is not None:
                        report.mapped += 1
                    else:
                        report.not_mapped += 1
            retire = [r for r in rows if r.removed or r.status != "mapped"]
            unsent = [r for r in retire if _never_sent(r)]
            if unsent:
                _settle_unsent(ctx, unsent, placed)
            if len(unsent) < len(retire):
                # Lines Procore may hold leave it once no write is in flight.
                _land(ctx, target, in_flight, report)
                in_flight = None
                quiet = {r.id for r in unsent}
                retire = [r for r in retire if r.id not in quiet]
                _retire(ctx, gateway, target, placer, project_id, retire, placed, report)
            upsert = [r for r in rows if not r.removed and r.status == "mapped"]
            if write and upsert:
                page = _prepare(target, upsert, placed)
                landing = in_flight
                answer = landing.answer.result() if landing is not None else None
                in_flight = _InFlight(
                    page, writer.submit(gateway.write_direct_costs, project_id, page.entries)
                )
                if landing is not None and answer is not None:
                    _settle(ctx, target, landing.page, answer, report)
            elif upsert and placed:
                with ctx.sessions.begin() as session:
                    JobCosts(session).place_many(
                        [
                            (r.id, r.version, r.status, r.cost_code_id, r.reason, r.message)
                            for r in upsert
                            if r.id in placed
                        ]
                    )
        _land(ctx, target, in_flight, report)


def _never_sent(row: LineRow) -> bool:
    """Procore never held the line: never sent, no Procore id."""
    return not row.sent and row.procore_line_id is None and row.procore_direct_cost_id is None


def _settle_unsent(ctx: AppContext, rows: Sequence[LineRow], placed: set[int]) -> None:
    """Lines gone from QuickBooks, or not on a cost code, that Procore never held: nothing
    to ask Procore, they are only settled (or deleted, when gone)."""
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        repo.delete_lines([(r.id, r.version) for r in rows if r.removed])
        repo.settle_many(
            [
                (
                    r.id,
                    r.version,
                    {
                        "dirty": False,
                        "push_error": None,
                        **(_placement(r) if r.id in placed else {}),
                    },
                )
                for r in rows
                if not r.removed
            ]
        )


def _retire(
    ctx: AppContext,
    gateway: ProcoreGateway,
    target: _Target,
    placer: _Placer,
    project_id: int,
    rows: Sequence[LineRow],
    placed: set[int],
    report: PushReport,
) -> None:
    """Take lines that are gone from QuickBooks, or no longer on a cost code, out of Procore:
    the whole direct cost when its transaction keeps no line there, else the line item. What
    may be in Procore without its id known (a write whose answer was lost) is looked up by
    ``origin_id`` first. Lines Procore never held are :func:`_settle_unsent`'s, not these."""
    job = target.job_id
    txns = sorted({r.txn_id for r in rows})
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        live = repo.live_txns(ctx.company_id, project_id, txns)
        # Lines not placed yet keep their transaction in Procore when they go on a cost code.
        for txn_id, item_id, account_id in repo.pending_of_txns(ctx.company_id, project_id, txns):
            if placer(item_id, account_id)[1] is not None:
                live.add(txn_id)
        known = repo.direct_cost_ids(ctx.company_id, project_id, txns)
    unknown = [t for t in txns if t not in known and any(r.sent for r in rows if r.txn_id == t)]
    if unknown:
        found = gateway.find_direct_costs(
            project_id, [direct_cost_origin_id(job, t) for t in unknown]
        )
        for txn_id in unknown:
            direct_cost_id = found.get(direct_cost_origin_id(job, txn_id))
            if direct_cost_id is not None:
                known[txn_id] = direct_cost_id
    line_ids: dict[str, int] = {}
    for txn_id in txns:
        if txn_id in live and txn_id in known:
            needing = [
                r for r in rows if r.txn_id == txn_id and r.procore_line_id is None and r.sent
            ]
            if needing:
                line_ids.update(gateway.direct_cost_line_ids(project_id, known[txn_id]))
    gone_costs: set[str] = set()
    for txn_id in txns:
        if txn_id in live or txn_id not in known:
            continue
        if gateway.delete_direct_cost(project_id, known[txn_id]):
            report.direct_costs_deleted += 1
        gone_costs.add(txn_id)
    deleted_lines: set[int] = set()
    for row in rows:
        if row.txn_id in gone_costs or row.txn_id not in known:
            continue
        line_id = row.procore_line_id or line_ids.get(line_origin_id(job, row.txn_id, row.line_id))
        if line_id is not None:
            if gateway.delete_direct_cost_line(project_id, known[row.txn_id], line_id):
                report.lines_deleted += 1
            deleted_lines.add(row.id)
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        for txn_id in gone_costs:
            repo.forget_direct_cost(ctx.company_id, project_id, txn_id)
        repo.delete_lines([(row.id, row.version) for row in rows if row.removed])
        changes: list[tuple[int, int, dict[str, Any]]] = []
        for row in rows:
            if row.removed:
                continue
            values: dict[str, Any] = {"dirty": False, "push_error": None}
            if row.id in placed:
                values.update(_placement(row))
            if row.txn_id in gone_costs or row.id in deleted_lines or not row.sent:
                values.update(procore_line_id=None, sent=False)
            if row.txn_id in gone_costs:
                values["procore_direct_cost_id"] = None
            changes.append((row.id, row.version, values))
        repo.settle_many(changes)


def _describe(row: LineRow) -> str:
    label = SOURCE_LABELS.get(row.source, row.source)
    parts = [f"QuickBooks {label}", row.ref_number, row.vendor_name]
    return " ".join(p for p in parts if p)[:255]


@dataclass(frozen=True)
class _Page:
    """A page of lines on their way to Procore as direct costs, kept as in flight."""

    rows: Sequence[LineRow]
    placed: set[int]
    entries: list[DirectCostEntry]


@dataclass(frozen=True)
class _InFlight:
    page: _Page
    answer: Future[tuple[SyncResult, SyncResult]]


def _land(
    ctx: AppContext, target: _Target, in_flight: _InFlight | None, report: PushReport
) -> None:
    """Wait for the write in flight, if any, and settle its page."""
    if in_flight is not None:
        _settle(ctx, target, in_flight.page, in_flight.answer.result(), report)


def _prepare(target: _Target, rows: Sequence[LineRow], placed: set[int]) -> _Page:
    """One page of lines as direct costs for one ``direct_costs/sync`` call (the headers) and
    one ``direct_costs/line_items/sync`` call (the lines), both upserts by ``origin_id``
    (the project keeps them as in flight from when the page is read)."""
    job, cost_type = target.job_id, target.cost_type_id
    grouped: dict[str, list[LineRow]] = defaultdict(list)
    for row in rows:
        grouped[row.txn_id].append(row)
    entries = [
        DirectCostEntry(
            origin_id=direct_cost_origin_id(job, txn_id),
            direct_cost_date=lines[0].txn_date,
            lines=tuple(
                DirectCostLine(
                    int(line.cost_code_id or 0),
                    cost_type,
                    Decimal(line.amount_cents) / 100,
                    (line.memo or "")[:255],
                    line_origin_id(job, txn_id, line.line_id),
                )
                for line in lines
            ),
            direct_cost_type=direct_cost_type(JobCostSource(lines[0].source)),
            invoice_number=lines[0].ref_number,
            description=_describe(lines[0]),
        )
        for txn_id, lines in grouped.items()
    ]
    return _Page(rows=rows, placed=placed, entries=entries)


def _settle(
    ctx: AppContext,
    target: _Target,
    page: _Page,
    answer: tuple[SyncResult, SyncResult],
    report: PushReport,
) -> None:
    """Keep what Procore answered for a page: each line it took is settled with its Procore
    ids, each line it refused keeps Procore's reason; the lines it did not settle (refused,
    or read again since) are marked sent."""
    job = target.job_id
    headers, written = answer
    cost_ids = headers.ids_by_origin(what="direct cost")
    line_ids = written.ids_by_origin(what="direct cost line item")
    header_errors = {str(e.item.get("origin_id")): e.message for e in headers.errors}
    line_errors = {str(e.item.get("origin_id")): e.message for e in written.errors}
    changes: list[tuple[int, int, dict[str, Any]]] = []
    settled: list[tuple[int, int, int, int | None, int]] = []
    for row in page.rows:
        origin = line_origin_id(job, row.txn_id, row.line_id)
        procore_line = line_ids.get(origin)
        if procore_line is not None:
            cost_origin = direct_cost_origin_id(job, row.txn_id)
            settled.append(
                (
                    row.id,
                    row.version,
                    procore_line,
                    cost_ids.get(cost_origin, row.procore_direct_cost_id),
                    int(row.cost_code_id or 0),
                )
            )
            continue
        cost_origin = direct_cost_origin_id(job, row.txn_id)
        error = (
            line_errors.get(origin)
            or header_errors.get(cost_origin)
            or "Procore did not say what became of this line"
        )
        values: dict[str, Any] = {"push_error": f"Procore refused it: {error}"[:4000]}
        if row.id in page.placed:
            values.update(_placement(row))
        changes.append((row.id, row.version, values))
        report.lines_refused += 1
    report.lines_written += len(settled)
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        repo.settle_written(settled)
        repo.settle_many(changes)
        repo.mark_sent_between(ctx.company_id, target.project.id, page.rows[0].id, page.rows[-1].id)


def _write_totals(
    ctx: AppContext, gateway: ProcoreGateway, target: _Target, project_id: int, report: PushReport
) -> tuple[list[str], list[BudgetRow]]:
    """The job-to-date cost per cost code: a budget line for each cost code with costs (found
    by cost code and cost type, created when missing), then Procore's ERP job costs for every
    cost code whose figure differs from the one Procore last got (zero for one whose costs
    went away). A cost code Procore never got a figure for holds none there: it is written
    once it has costs, never as a zero. Returns the errors Procore answered, and the
    project's whole budget: read once, on every cost type, with the lines created here
    added from Procore's answers (the cost type check lists those on other cost types).

    Each figure is marked sent (no figure, the time) before it goes out: if the answer is
    lost, Procore may hold it, so the next write sends the figure whatever it is."""
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        sums = {s.cost_code_id: s for s in repo.sums(ctx.company_id, project_id)}
        written = {
            cc: (t.written_cents, t.written_at)
            for cc, t in repo.totals(ctx.company_id, project_id).items()
        }
    codes = {c.id: c for c in target.project.cost_codes}
    other = target.cost_type_id
    rows = gateway.budget_rows(project_id)
    budget = {r.cost_code_id: r for r in rows if r.line_item_type_id == other}
    missing = [cc for cc in sorted(sums) if cc in codes and cc not in budget]
    if missing:
        before = len(budget)
        known = {r.id for r in rows}
        made_rows = gateway.add_budget_lines(
            project_id,
            [BudgetLine(cost_code_id=cc, line_item_type_id=other) for cc in missing],
            budget=rows,
        )
        for made in made_rows:
            budget[made.cost_code_id] = made
        rows = [*rows, *(m for m in made_rows if m.id not in known)]
        report.budget_lines_created += len(budget) - before
    figures: list[JobToDate] = []
    for cc in sorted(set(sums) | set(written)):
        if cc not in codes:
            continue
        cents = sums[cc].cents if cc in sums else 0
        last, last_at = written.get(cc, (None, None))
        # No figure and no time: never sent, Procore holds none (as good as a zero). No
        # figure with a time: sent without its answer seen, Procore's figure is unknown.
        if (last is not None or last_at is None) and (last or 0) == cents:
            continue
        figures.append(JobToDate(cc, other, Decimal(cents) / 100))
    errors: list[str] = []
    refused: set[int] = set()
    now = ctx.now()
    if figures:
        with ctx.sessions.begin() as session:
            repo = JobCosts(session)
            for figure in figures:
                named = codes[figure.cost_code_id]
                repo.save_total(
                    ctx.company_id,
                    project_id,
                    figure.cost_code_id,
                    code=named.full_code[:255],
                    name=named.name[:255],
                    written_cents=None,
                    written_at=now,
                )
        result = gateway.write_job_to_date(target.job_id, figures)
        for error in result.errors:
            code = error.item.get("cost_code_id")
            if isinstance(code, int):
                refused.add(code)
            errors.append(f"ERP job cost of cost code {code}: {error.message}")
        report.cost_codes_written += len(figures) - len(refused)
    sent = {f.cost_code_id for f in figures}
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        for cc in sorted(codes):
            code = codes[cc]
            values: dict[str, Any] = {"code": code.full_code[:255], "name": code.name[:255]}
            row = budget.get(cc)
            if row is not None:
                values["budget_line_item_id"] = row.id
                try:
                    values["budget_cents"] = to_cents(row.original_budget_amount)
                except ValueError:
                    values["budget_cents"] = None
            if cc in refused:
                # Procore kept what it had: what it last got stands.
                values["written_cents"], values["written_at"] = written.get(cc, (None, None))
            elif cc in sent:
                values["written_cents"] = sums[cc].cents if cc in sums else 0
                values["written_at"] = now
            repo.save_total(ctx.company_id, project_id, cc, **values)
    return errors, rows
