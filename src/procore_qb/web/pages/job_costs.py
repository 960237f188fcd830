"""Job costs on the pages (spec procore-workflow §2.6, §3.8):

- ``POST /projects/{id}/job-cost-sync``: the project page's "Enable ERP Job Cost Transaction
  Syncing" switch (``enabled`` ``true`` or ``false``; 'Admin' on the project's Admin tool).
- ``POST /projects/{id}/job-costs/sync``: "Sync Job Costs Now" ('Admin' on ERP Integrations).
- ``/projects/{id}/job-costs``: the project's Job Costs report: per cost code its budget,
  job-to-date cost, variance and last write to Procore, a bar chart of budget against actual,
  the transactions (of one cost code with ``?cost_code=``, a page at a time with ``page``) and
  the lines no cost code takes, with the reason, and the budget lines and direct cost lines on
  another cost type than 'Other' (not synced with QuickBooks), as the last job cost sync read
  them from Procore, with when;
  ``/projects/{id}/job-costs.csv`` (same ``cost_code``) downloads the transactions, streamed
  and safe to open in a spreadsheet.
- ``/job-costs``: every project with job cost syncing on, its totals, last sync, unmapped lines
  and failures.

The reports need 'Admin' on ERP Integrations, as ``GET /api/v1/projects/{id}/job-costs`` does;
each route calls the same use case as the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from procore_qb.app import cost_type_checks, job_cost_reports, job_cost_views, job_costs
from procore_qb.app.errors import NotFound
from procore_qb.domain.job_costs import SOURCE_LABELS, MappingReason
from procore_qb.domain.permissions import Action
from procore_qb.web.pages.csv_cells import csv_lines
from procore_qb.web.pages.kit import PageKit, PageUser

__all__ = [
    "CSV_HEADER",
    "MAX_PAGE",
    "PER_PAGE",
    "REASON_LABELS",
    "bars",
    "build_router",
    "money",
]

ProjectId = Annotated[int, Path(ge=1, le=2**53)]
MAX_PAGE = 1_000_000
PER_PAGE = 50
"""Transactions per page of the report."""
CostCode = Annotated[int | None, Query(alias="cost_code", ge=1, le=2**53)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
_LINES_PER_CHUNK = 500

CSV_HEADER = (
    "cost_code",
    "cost_code_name",
    "quickbooks_type",
    "number",
    "date",
    "vendor",
    "memo",
    "amount",
    "quickbooks_txn_id",
    "quickbooks_line_id",
    "in_procore",
    "procore_error",
)

REASON_LABELS: dict[str, str] = {
    MappingReason.NO_ITEM_OR_ACCOUNT: "No item or account",
    MappingReason.ITEM_NOT_COST_CODE: "Item is not a cost code of the project",
    MappingReason.ACCOUNT_LINE: "Account line, no account-to-cost-code table",
    MappingReason.ACCOUNT_NOT_IN_TABLE: "Account not in the account-to-cost-code table",
    MappingReason.ACCOUNT_CODE_NOT_ON_PROJECT: "The account's cost code is not on the project",
    MappingReason.AMOUNT_OUT_OF_RANGE: "Amount out of range",
    MappingReason.CREATED_BY_PROCORE_QB: "Written by procore-qb",
}
"""Why a line is not mapped, in words; others are shown with their code."""


def money(value: Decimal | None) -> str:
    """``12,345.67``, ``-25.00``; an em dash for no figure."""
    return "—" if value is None else f"{value:,.2f}"


def bars(
    rows: list[job_cost_views.CostCodeRow],
) -> list[tuple[job_cost_views.CostCodeRow, float, float]]:
    """Each cost code with its budget's and its actual cost's bar length, in percent of the
    largest figure (negative figures draw no bar)."""
    largest = max(
        (max(r.budget or Decimal(0), r.job_to_date_cost, Decimal(0)) for r in rows),
        default=Decimal(0),
    )
    if largest <= 0:
        return [(r, 0.0, 0.0) for r in rows]

    def share(value: Decimal | None) -> float:
        if value is None or value <= 0:
            return 0.0
        return round(float(value / largest * 100), 2)

    return [(r, share(r.budget), share(r.job_to_date_cost)) for r in rows]


def build_router(kit: PageKit) -> APIRouter:
    router = APIRouter()
    signed = Depends(kit.signed_in)
    erp_admin = Depends(kit.need(Action.VIEW_JOB_COSTS))

    @router.post("/projects/{project_id}/job-cost-sync", include_in_schema=False)
    def switch(
        request: Request,
        project_id: ProjectId,
        enabled: Annotated[Literal["true", "false"], Form()],
        user: PageUser = signed,
    ) -> Response:
        state = job_costs.set_job_cost_sync(kit.ctx, user.actor, project_id, enabled == "true")
        if state.enabled:
            text = (
                "Job cost syncing is on: procore-qb reads the job's costs from QuickBooks and "
                "writes them to the project's budget in Procore."
            )
        else:
            text = "Job cost syncing is off: QuickBooks costs no longer reach this project."
        kit.flash(request, "success", text)
        if state.procore_note:
            kit.flash(request, "info", state.procore_note)
        return kit.redirect(request, f"/projects/{project_id}")

    @router.post("/projects/{project_id}/job-costs/sync", include_in_schema=False)
    def sync_now(
        request: Request,
        project_id: ProjectId,
        back: Annotated[Literal["project", "report"], Form()] = "report",
        user: PageUser = signed,
    ) -> Response:
        asked = job_costs.request_sync(kit.ctx, user.actor, project_id)
        text = (
            f"A job cost sync is already waiting for {asked.waiting_for}."
            if asked.already_waiting
            else f"Job costs sync now: waiting for {asked.waiting_for}."
        )
        target = f"/projects/{project_id}" + ("/job-costs" if back == "report" else "")
        return kit.redirect(request, target, flash=("success", text))

    @router.get("/projects/{project_id}/job-costs", include_in_schema=False)
    def report(
        request: Request,
        project_id: ProjectId,
        cost_code: CostCode = None,
        page: PageNumber = 1,
        user: PageUser = erp_admin,
    ) -> Response:
        view = job_cost_views.job_costs_view(
            kit.ctx, user.actor, project_id, cost_code_id=cost_code, page=page, per_page=PER_PAGE
        )
        chosen = next((r for r in view.cost_codes if r.cost_code_id == cost_code), None)
        last_page = max(1, -(-view.transactions_total // PER_PAGE))
        off_type: cost_type_checks.OffTypeLines | None = None
        off_type_error = ""
        try:
            off_type = cost_type_checks.off_type_lines(kit.ctx, user.actor, project_id)
        except NotFound as exc:
            off_type_error = str(exc)
        return kit.render(
            request,
            "job_costs.html",
            user=user,
            project_id=project_id,
            view=view,
            chart=bars(view.cost_codes),
            chosen=chosen,
            cost_code=cost_code,
            page=page,
            last_page=last_page,
            money=money,
            sources=SOURCE_LABELS,
            reasons=REASON_LABELS,
            may_sync=user.may(Action.SYNC_JOB_COSTS),
            off_type=off_type,
            off_type_error=off_type_error,
        )

    @router.get("/projects/{project_id}/job-costs.csv", include_in_schema=False)
    def report_csv(
        project_id: ProjectId, cost_code: CostCode = None, user: PageUser = erp_admin
    ) -> Response:
        view = job_cost_views.job_costs_view(kit.ctx, user.actor, project_id, per_page=1)
        names: dict[int | None, tuple[str, str]] = {
            r.cost_code_id: (r.code, r.name) for r in view.cost_codes
        }
        found = job_cost_reports.job_cost_lines_export(
            kit.ctx, user.actor, project_id, cost_code_id=cost_code
        )

        def lines() -> Iterator[str]:
            yield from csv_lines(
                CSV_HEADER,
                (
                    (
                        *names.get(line.cost_code_id, ("", "")),
                        SOURCE_LABELS.get(line.source, line.source),
                        line.ref_number,
                        line.txn_date.isoformat(),
                        line.vendor_name,
                        line.memo,
                        line.amount,
                        line.txn_id,
                        line.line_id,
                        "yes" if line.in_procore else "no",
                        line.push_error or "",
                    )
                    for line in found
                ),
            )

        def chunks() -> Iterator[str]:
            # A few hundred lines a chunk: a message per line would cost more than the line.
            held: list[str] = []
            for line in lines():
                held.append(line)
                if len(held) >= _LINES_PER_CHUNK:
                    yield "".join(held)
                    held.clear()
            if held:
                yield "".join(held)

        day = kit.now().date().isoformat()
        suffix = f"-cost-code-{cost_code}" if cost_code is not None else ""
        name = f"procore-qb-job-costs-{project_id}{suffix}-{day}.csv"
        return StreamingResponse(
            chunks(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    @router.get("/job-costs", include_in_schema=False)
    def overview(request: Request, user: PageUser = erp_admin) -> Response:
        rows = job_cost_reports.job_costs_overview(kit.ctx, user.actor)
        return kit.render(
            request,
            "job_costs_overview.html",
            user=user,
            rows=rows,
            money=money,
            totals={
                "budget": sum((r.budget for r in rows), Decimal(0)),
                "job_to_date_cost": sum((r.job_to_date_cost for r in rows), Decimal(0)),
                "variance": sum((r.variance for r in rows), Decimal(0)),
            },
        )

    return router
