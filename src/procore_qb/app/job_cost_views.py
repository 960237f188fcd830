"""Job cost syncing, the read model: the Job Costs report of a project from procore-qb's own
store (budget, job-to-date cost and variance per cost code, its transactions, the lines
that could not be placed), as the last sync kept them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from procore_qb.app.actors import Actor, require
from procore_qb.app.company import load_settings
from procore_qb.app.context import AppContext
from procore_qb.app.errors import NotFound
from procore_qb.app.job_costs import JobCostSyncState, sync_state, waiting_for
from procore_qb.domain.job_costs import DirectCostColumns
from procore_qb.domain.permissions import Action
from procore_qb.store.repositories.job_costs import JobCosts, LineRow

__all__ = ["MAX_PER_PAGE", "CostCodeRow", "JobCostsView", "LineView", "job_costs_view", "line_view"]

MAX_PER_PAGE = 500


@dataclass(frozen=True, slots=True)
class CostCodeRow:
    cost_code_id: int
    code: str
    name: str
    budget: Decimal | None
    job_to_date_cost: Decimal
    variance: Decimal | None
    """Budget minus job-to-date cost (None without a budget line)."""
    transactions: int
    lines: int
    written_to_procore: Decimal | None
    """The job-to-date cost Procore holds (None when never written, or when the answer to
    the last write of it was not seen)."""
    written_at: datetime | None = None
    """When that figure was written to Procore."""


@dataclass(frozen=True, slots=True)
class LineView:
    source: str
    txn_id: str
    line_id: str
    txn_date: date
    ref_number: str
    vendor_name: str
    memo: str
    item_id: str | None
    account_id: str | None
    amount: Decimal
    status: str
    cost_code_id: int | None
    reason: str | None
    message: str | None
    in_procore: bool
    procore_direct_cost_id: int | None
    push_error: str | None


@dataclass(frozen=True, slots=True)
class JobCostsView:
    """What the Job Costs page and ``GET /projects/{id}/job-costs`` show."""

    state: JobCostSyncState
    budget_direct_cost_columns: DirectCostColumns
    cost_codes: list[CostCodeRow]
    budget_total: Decimal
    job_to_date_total: Decimal
    counts: dict[str, int]
    transactions: list[LineView]
    transactions_total: int
    not_mapped: list[LineView]
    not_mapped_total: int
    page: int
    per_page: int
    waiting_for: str | None


def line_view(row: LineRow) -> LineView:
    """A stored line as people read it (amount in currency units)."""
    return LineView(
        source=row.source,
        txn_id=row.txn_id,
        line_id=row.line_id,
        txn_date=row.txn_date,
        ref_number=row.ref_number,
        vendor_name=row.vendor_name,
        memo=row.memo,
        item_id=row.item_id,
        account_id=row.account_id,
        amount=Decimal(row.amount_cents) / 100,
        status=row.status,
        cost_code_id=row.cost_code_id,
        reason=row.reason,
        message=row.message,
        in_procore=row.procore_line_id is not None,
        procore_direct_cost_id=row.procore_direct_cost_id,
        push_error=row.push_error,
    )


def _money(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


def job_costs_view(
    ctx: AppContext,
    actor: Actor,
    project_id: int,
    *,
    cost_code_id: int | None = None,
    page: int = 1,
    per_page: int = 100,
) -> JobCostsView:
    """The project's job costs per cost code (budget, job-to-date cost, variance), one page of
    its transactions (of one cost code when ``cost_code_id`` is given) and the first page of
    the lines that could not be placed, with their reasons. Reads procore-qb's own store only:
    the budget is as Procore had it at the last write."""
    require(ctx, actor, Action.VIEW_JOB_COSTS)
    if not 1 <= per_page <= MAX_PER_PAGE or not 1 <= page <= 1_000_000:
        raise ValueError(f"page must be 1 or more and per_page 1-{MAX_PER_PAGE}")
    offset = (page - 1) * per_page
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        row = repo.project(ctx.company_id, project_id)
        if row is None:
            raise NotFound(
                f"project {project_id} never had job cost syncing; turn it on with "
                f"POST /api/v1/projects/{project_id}/job-cost-sync"
            )
        settings = load_settings(session, ctx.company_id)
        sums = {s.cost_code_id: s for s in repo.sums(ctx.company_id, project_id)}
        totals = repo.totals(ctx.company_id, project_id)
        rows: list[CostCodeRow] = []
        for cc in sorted(
            set(sums) | set(totals), key=lambda c: (totals[c].code if c in totals else "", c)
        ):
            total = totals.get(cc)
            found = sums.get(cc)
            jtd = Decimal(found.cents if found else 0) / 100
            budget = _money(total.budget_cents) if total else None
            rows.append(
                CostCodeRow(
                    cost_code_id=cc,
                    code=total.code if total else "",
                    name=total.name if total else "",
                    budget=budget,
                    job_to_date_cost=jtd,
                    variance=None if budget is None else budget - jtd,
                    transactions=found.transactions if found else 0,
                    lines=found.lines if found else 0,
                    written_to_procore=_money(total.written_cents) if total else None,
                    written_at=total.written_at if total else None,
                )
            )
        listed = repo.listing(
            ctx.company_id,
            project_id,
            statuses=("mapped",),
            limit=per_page,
            offset=offset,
            cost_code_id=cost_code_id,
        )
        unplaced = repo.listing(
            ctx.company_id, project_id, statuses=("not_mapped",), limit=per_page, offset=0
        )
        return JobCostsView(
            state=sync_state(row),
            budget_direct_cost_columns=settings.budget_direct_cost_columns,
            cost_codes=rows,
            budget_total=sum((r.budget for r in rows if r.budget is not None), Decimal(0)),
            job_to_date_total=sum((r.job_to_date_cost for r in rows), Decimal(0)),
            counts=repo.counts(ctx.company_id, project_id),
            transactions=[line_view(r) for r in listed],
            transactions_total=repo.count(
                ctx.company_id, project_id, statuses=("mapped",), cost_code_id=cost_code_id
            ),
            not_mapped=[line_view(r) for r in unplaced],
            not_mapped_total=repo.count(ctx.company_id, project_id, statuses=("not_mapped",)),
            page=page,
            per_page=per_page,
            waiting_for=waiting_for(ctx) if row.pending_command else None,
        )
