"""The Cost Codes tab's routes of ``/api/v1`` (DESIGN §3): the standard cost codes waiting to
be exported to QuickBooks as Service items, Accept / Reject / Retry (one or many), and Refresh.

Ids are the tab's entry ids (``cost_code_id`` in the answers is Procore's standard cost code).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query

from procore_qb.app import cost_codes
from procore_qb.app.actors import Actor
from procore_qb.app.context import AppContext
from procore_qb.app.cost_code_deletion import unlink_project_cost_code
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.web.api.auth import bearer_actor
from procore_qb.web.api.models import CostCodeIdsBody, CostCodeRejectBody, RejectBody

__all__ = ["build_cost_codes_router", "row_json"]

EntryId = Annotated[int, Path(ge=1, le=2**53, description="The Cost Codes tab entry id")]


def row_json(row: cost_codes.CostCodeRow) -> dict[str, Any]:
    data = asdict(row)
    data["actions"] = list(row.actions)
    return data


def build_cost_codes_router(ctx: AppContext) -> APIRouter:
    router = APIRouter()
    current = Depends(bearer_actor(ctx))

    def waiting_for() -> str:
        if ctx.edition is QuickBooksEdition.DESKTOP:
            return "the QuickBooks Web Connector's next run"
        return "QuickBooks Online"

    @router.get("/erp/cost-codes", summary="The Cost Codes tab")
    def list_cost_codes(
        *,
        actor: Actor = current,
        filter: Annotated[
            cost_codes.CostCodeFilter, Query()
        ] = cost_codes.CostCodeFilter.READY_TO_EXPORT,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=cost_codes.MAX_PER_PAGE)] = 50,
        search: Annotated[str, Query(max_length=200)] = "",
    ) -> dict[str, Any]:
        found = cost_codes.tab(ctx, actor, filter, page=page, per_page=per_page, search=search)
        return {
            "filter": found.filter.value,
            "items": [row_json(r) for r in found.items],
            "total": found.total,
            "page": found.page,
            "per_page": found.per_page,
            "counts": found.counts,
        }

    @router.post("/erp/cost-codes/accept", summary="Accept many standard cost codes")
    def accept_many(*, actor: Actor = current, body: CostCodeIdsBody) -> dict[str, Any]:
        done = cost_codes.accept_many(ctx, actor, body.ids)
        return {"items": [row_json(r) for r in done], "waiting_for": waiting_for()}

    @router.post("/erp/cost-codes/reject", summary="Reject many standard cost codes")
    def reject_many(*, actor: Actor = current, body: CostCodeRejectBody) -> dict[str, Any]:
        done = cost_codes.reject_many(ctx, actor, body.ids, body.comment)
        return {"items": [row_json(r) for r in done]}

    @router.post(
        "/erp/cost-codes/refresh",
        summary="Refresh the QuickBooks Standard Cost Codes list",
        status_code=202,
    )
    def refresh(*, actor: Actor = current) -> dict[str, Any]:
        done = cost_codes.refresh(ctx, actor)
        return {
            "ready_to_export": done.found,
            "command": done.command,
            "waiting_for": waiting_for(),
        }

    @router.get("/erp/cost-codes/{entry_id}", summary="One standard cost code of the tab")
    def show(*, actor: Actor = current, entry_id: EntryId) -> dict[str, Any]:
        return row_json(cost_codes.row(ctx, actor, entry_id))

    @router.post("/erp/cost-codes/{entry_id}/accept", summary="Accept: export as a Service item")
    def accept(*, actor: Actor = current, entry_id: EntryId) -> dict[str, Any]:
        return row_json(cost_codes.accept(ctx, actor, entry_id))

    @router.post("/erp/cost-codes/{entry_id}/reject", summary="Reject with an optional comment")
    def reject(
        *,
        actor: Actor = current,
        entry_id: EntryId,
        body: Annotated[RejectBody | None, Body()] = None,
    ) -> dict[str, Any]:
        return row_json(cost_codes.reject(ctx, actor, entry_id, (body or RejectBody()).comment))

    @router.post("/erp/cost-codes/{entry_id}/retry", summary="Retry a failed export")
    def retry(*, actor: Actor = current, entry_id: EntryId) -> dict[str, Any]:
        return row_json(cost_codes.retry(ctx, actor, entry_id))

    @router.post(
        "/projects/{project_id}/cost-codes/{cost_code_id}/unlink",
        summary="Unlink a synced project cost code (refused while QuickBooks or Procore uses it)",
    )
    def unlink(
        *,
        actor: Actor = current,
        project_id: Annotated[int, Path(ge=1, le=2**53)],
        cost_code_id: Annotated[int, Path(ge=1, le=2**53)],
    ) -> dict[str, Any]:
        return asdict(unlink_project_cost_code(ctx, actor, project_id, cost_code_id))

    return router
