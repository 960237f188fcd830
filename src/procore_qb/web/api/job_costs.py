"""The job cost routes of ``/api/v1`` (DESIGN §3): turn job cost syncing of a project on or
off, sync now, read the project's job costs, and list its budget lines and direct cost lines on
another cost type than 'Other' (not synced with QuickBooks) as the last job cost sync read
them. Amounts are decimal strings ("1234.50")."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from procore_qb.app import cost_type_checks, job_cost_views, job_costs
from procore_qb.app.actors import Actor
from procore_qb.app.context import AppContext
from procore_qb.web.api.auth import bearer_actor
from procore_qb.web.api.models import JobCostSyncBody

__all__ = ["build_job_costs_router"]

ProjectId = Annotated[int, Path(ge=1, le=2**53, description="The Procore project id")]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def state_json(state: job_costs.JobCostSyncState) -> dict[str, Any]:
    return {
        "project_id": state.project_id,
        "enabled": state.enabled,
        "quickbooks": {"job_id": state.job_id},
        "changed_at": state.changed_at,
        "changed_by": state.changed_by,
        "procore_configuration": {
            "erp_job_cost_transaction_syncing_enabled": state.procore_configured,
            "note": state.procore_note or None,
        },
        "last_sync": {
            "requested_at": state.requested_at,
            "read_at": state.read_at,
            "written_at": state.pushed_at,
            "waiting_command": state.pending_command,
            "error": state.last_error,
        },
    }


def _line_json(line: job_cost_views.LineView) -> dict[str, Any]:
    return {
        "source": line.source,
        "txn_id": line.txn_id,
        "line_id": line.line_id,
        "txn_date": line.txn_date,
        "ref_number": line.ref_number,
        "vendor": line.vendor_name,
        "memo": line.memo,
        "item_id": line.item_id,
        "account_id": line.account_id,
        "amount": _money(line.amount),
        "status": line.status,
        "cost_code_id": line.cost_code_id,
        "reason": line.reason,
        "message": line.message,
        "in_procore": line.in_procore,
        "procore_direct_cost_id": line.procore_direct_cost_id,
        "procore_error": line.push_error,
    }


def view_json(view: job_cost_views.JobCostsView, cost_code_id: int | None) -> dict[str, Any]:
    out = state_json(view.state)
    out["last_sync"]["waiting_for"] = view.waiting_for
    variance = view.budget_total - view.job_to_date_total
    out.update(
        {
            "budget_direct_cost_columns": view.budget_direct_cost_columns.value,
            "budget_direct_cost_columns_label": view.budget_direct_cost_columns.label,
            "totals": {
                "budget": _money(view.budget_total),
                "job_to_date_cost": _money(view.job_to_date_total),
                "variance": _money(variance),
            },
            "counts": view.counts,
            "cost_codes": [
                {
                    "cost_code_id": row.cost_code_id,
                    "code": row.code,
                    "name": row.name,
                    "budget": _money(row.budget),
                    "job_to_date_cost": _money(row.job_to_date_cost),
                    "variance": _money(row.variance),
                    "transactions": row.transactions,
                    "lines": row.lines,
                    "written_to_procore": _money(row.written_to_procore),
                    "written_at": row.written_at,
                }
                for row in view.cost_codes
            ],
            "transactions": {
                "cost_code_id": cost_code_id,
                "items": [_line_json(line) for line in view.transactions],
                "total": view.transactions_total,
                "page": view.page,
                "per_page": view.per_page,
            },
            "not_mapped": {
                "items": [_line_json(line) for line in view.not_mapped],
                "total": view.not_mapped_total,
            },
        }
    )
    return out


def build_job_costs_router(ctx: AppContext) -> APIRouter:
    router = APIRouter(tags=["job costs"])
    current = Depends(bearer_actor(ctx))

    @router.post(
        "/projects/{project_id}/job-cost-sync",
        summary="Turn job cost syncing of a synced project on or off (project Admin)",
    )
    def set_sync(*, actor: Actor = current, project_id: ProjectId, body: JobCostSyncBody) -> Any:
        state = job_costs.set_job_cost_sync(ctx, actor, project_id, body.enabled)
        return state_json(state)

    @router.post(
        "/projects/{project_id}/job-costs/sync",
        summary="Read the project's QuickBooks job costs now and write them to Procore",
        status_code=202,
    )
    def sync_now(*, actor: Actor = current, project_id: ProjectId) -> Any:
        asked = job_costs.request_sync(ctx, actor, project_id)
        return {
            "project_id": asked.project_id,
            "command": asked.command,
            "already_waiting": asked.already_waiting,
            "waiting_for": asked.waiting_for,
        }

    @router.get(
        "/projects/{project_id}/job-costs",
        summary="The project's job costs per cost code, its transactions and unmapped lines",
    )
    def read(
        *,
        actor: Actor = current,
        project_id: ProjectId,
        cost_code_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=job_cost_views.MAX_PER_PAGE)] = 100,
    ) -> Any:
        view = job_cost_views.job_costs_view(
            ctx, actor, project_id, cost_code_id=cost_code_id, page=page, per_page=per_page
        )
        return view_json(view, cost_code_id)

    @router.get(
        "/projects/{project_id}/job-costs/other-cost-types",
        summary="The synced project's budget lines and direct cost lines on another cost type "
        "than 'Other', which QuickBooks cannot take, as the last job cost sync read them",
    )
    def other_cost_types(*, actor: Actor = current, project_id: ProjectId) -> Any:
        found = cost_type_checks.off_type_lines(ctx, actor, project_id)
        return off_type_json(found)

    return router


def off_type_json(found: cost_type_checks.OffTypeLines) -> dict[str, Any]:
    return {
        "read_at": found.read_at,
        "failed_at": found.failed_at,
        "error": found.error,
        "other_cost_type_id": found.other_cost_type_id,
        "total": found.total,
        "items": [
            {
                "budget_line_item_id": line.budget_line_item_id,
                "cost_code_id": line.cost_code_id,
                "code": line.code,
                "name": line.name,
                "cost_type_id": line.cost_type_id,
                "cost_type": line.cost_type,
                "original_budget_amount": _money(line.original_budget_amount),
                "message": line.message,
            }
            for line in found.lines
        ],
        "direct_cost_total": found.direct_cost_total,
        "direct_cost_lines": [
            {
                "line_item_id": line.line_item_id,
                "direct_cost_id": line.direct_cost_id,
                "cost_code_id": line.cost_code_id,
                "code": line.code,
                "name": line.name,
                "cost_type_id": line.cost_type_id,
                "cost_type": line.cost_type,
                "amount": _money(line.amount),
                "description": line.description,
                "message": line.message,
            }
            for line in found.direct_costs
        ],
    }
