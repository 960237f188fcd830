"""The routes of ``/api/v1`` (DESIGN §3). Each one names the actor (bearer token), calls one use
case and returns its result; the use case checks the Procore permission of spec §4."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from procore_qb.app import company as company_settings
from procore_qb.app import export, import_, queries, refresh
from procore_qb.app.actors import Actor, permissions, require
from procore_qb.app.context import AppContext
from procore_qb.domain.export_workflow import CustomerChoice
from procore_qb.domain.permissions import AccessLevel, Action, Tool, allowed_actions
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.web.api.auth import bearer_actor
from procore_qb.web.api.cost_codes import build_cost_codes_router
from procore_qb.web.api.job_costs import build_job_costs_router
from procore_qb.web.api.models import (
    AcceptBody,
    BulkAcceptBody,
    BulkRejectBody,
    ImportBody,
    JobItem,
    JobsList,
    RejectBody,
)
from procore_qb.web.api.problems import ApiProblem

__all__ = ["build_api_router"]


def _job_item(row: queries.JobRow) -> JobItem:
    data = asdict(row)
    data["quickbooks_flags"] = list(row.quickbooks_flags)
    return JobItem(**data)


def _item_id(value: str, kind: str | None = None) -> tuple[str, int]:
    try:
        found_kind, number = queries.parse_item_id(value)
    except ValueError as exc:
        raise ApiProblem(404, "Not found", str(exc)) from exc
    if kind is not None and found_kind != kind:
        action = "accepted, rejected or retried" if kind == "export" else "imported or archived"
        raise ApiProblem(
            409,
            "State conflict",
            f"{value} is a {found_kind} item; only {kind} items can be {action}.",
        )
    return found_kind, number


def _choice(body: AcceptBody) -> CustomerChoice | None:
    if body.customer_id is not None:
        return CustomerChoice.existing(body.customer_id)
    if body.new_customer is not None:
        return CustomerChoice.new(body.new_customer)
    return None


def _project_json(row: queries.ProjectRow) -> dict[str, Any]:
    p = row.project
    return {
        "id": p.id,
        "name": p.name,
        "project_number": p.project_number,
        "active": p.active,
        "erp_sync": p.erp_sync,
        "address": asdict(p.address),
        "start_date": p.start_date,
        "completion_date": p.completion_date,
        "standard_cost_code_list_id": p.standard_cost_code_list_id,
        "cost_codes": len(p.cost_codes),
        "origin_id": p.origin_id,
        "erp": {
            "state": row.state.value,
            "state_label": row.state.label,
            "item_id": f"export-{row.export_item_id}" if row.export_item_id else None,
            "changed_since_sent": row.changed_since_sent,
            "quickbooks": row.quickbooks,
        },
        "problems": [{"rule": pr.rule.value, "message": pr.message} for pr in row.problems],
        "actions": row.actions,
    }


def build_api_router(ctx: AppContext) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["api"])
    current = Depends(bearer_actor(ctx))

    # ------------------------------------------------------------------ who

    @router.get("/me", summary="The user and their Procore permissions")
    def me(*, actor: Actor = current) -> dict[str, Any]:
        perms = permissions(ctx, actor)
        return {
            "user": {
                "email": actor.email,
                "name": actor.name,
                "procore_user_id": actor.procore_user_id,
            },
            "company": {
                "procore_company_id": ctx.procore_company_id,
                "quickbooks": ctx.edition.value,
            },
            "permissions": {
                "erp_integrations": perms.level(Tool.ERP_INTEGRATIONS).label,
                "directory": perms.level(Tool.DIRECTORY).label,
                "can_push_to_accounting": perms.can_push_to_accounting,
                "project_admin": {
                    str(pid): level.label
                    for pid, level in perms.project_admin.items()
                    if level > AccessLevel.NONE
                },
            },
            "actions": sorted(a.value for a in allowed_actions(perms)),
        }

    # ------------------------------------------------------------------ projects (Path A)

    @router.get("/projects", summary="Procore projects with their ERP state and problems")
    def list_projects(*, actor: Actor = current) -> dict[str, Any]:
        rows = queries.projects(ctx, actor)
        return {"items": [_project_json(r) for r in rows], "total": len(rows)}

    @router.get("/projects/{project_id}", summary="One project with its ERP state")
    def show_project(*, actor: Actor = current, project_id: int) -> dict[str, Any]:
        return _project_json(queries.projects(ctx, actor, project_id=project_id)[0])

    @router.post("/projects/{project_id}/send-to-erp", summary="Send (or re-send) to ERP")
    def send_to_erp(*, actor: Actor = current, project_id: int) -> JobItem:
        stored = export.send(ctx, actor, project_id)
        return _job_item(queries.job_row(ctx, "export", stored.id))

    @router.post("/projects/{project_id}/retrieve-from-erp", summary="Retrieve from ERP")
    def retrieve_from_erp(*, actor: Actor = current, project_id: int) -> JobItem:
        stored = export.retrieve(ctx, actor, project_id)
        return _job_item(queries.job_row(ctx, "export", stored.id))

    # ------------------------------------------------------------------ the Jobs tab

    @router.get("/erp/jobs", summary="The ERP Integrations Jobs tab")
    def list_jobs(
        *,
        actor: Actor = current,
        filter: Annotated[queries.JobFilter, Query()] = queries.JobFilter.READY_TO_EXPORT,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 50,
        search: Annotated[str, Query(max_length=200)] = "",
    ) -> JobsList:
        found = queries.jobs_page(ctx, actor, filter, page=page, per_page=per_page, search=search)
        return JobsList(
            filter=found.filter.value,
            items=[_job_item(r) for r in found.items],
            total=found.total,
            page=found.page,
            per_page=found.per_page,
            counts=found.counts,
        )

    @router.post("/erp/jobs/accept", summary="Accept many items at once")
    def accept_many(*, actor: Actor = current, body: BulkAcceptBody) -> dict[str, Any]:
        ids = [_item_id(i, "export")[1] for i in body.ids]
        done = export.accept_many(ctx, actor, ids, _choice(body))
        return {"items": [_job_item(r) for r in queries.export_rows(ctx, [s.id for s in done])]}

    @router.post("/erp/jobs/reject", summary="Reject many items at once")
    def reject_many(*, actor: Actor = current, body: BulkRejectBody) -> dict[str, Any]:
        ids = [_item_id(i, "export")[1] for i in body.ids]
        done = export.reject_many(ctx, actor, ids, body.comment)
        return {"items": [_job_item(r) for r in queries.export_rows(ctx, [s.id for s in done])]}

    @router.post(
        "/erp/jobs/refresh", summary="Refresh the QuickBooks job list now", status_code=202
    )
    def refresh_jobs(*, actor: Actor = current) -> dict[str, Any]:
        key = refresh.request_refresh(ctx, actor)
        status = refresh.refresh_status(ctx)
        return {
            "command": key,
            "requested_at": status.requested_at,
            "last_refreshed_at": status.refreshed_at,
            "waiting_for": "the QuickBooks Web Connector's next run"
            if ctx.edition is QuickBooksEdition.DESKTOP
            else "QuickBooks Online",
        }

    @router.get("/erp/jobs/{item_id}", summary="One Jobs tab item")
    def show_job(*, actor: Actor = current, item_id: str) -> JobItem:
        require(ctx, actor, Action.VIEW_JOBS)
        kind, number = _item_id(item_id)
        return _job_item(queries.job_row(ctx, kind, number))

    @router.post("/erp/jobs/{item_id}/accept", summary="Accept and export to QuickBooks")
    def accept(
        *, actor: Actor = current, item_id: str, body: Annotated[AcceptBody | None, Body()] = None
    ) -> JobItem:
        _, number = _item_id(item_id, "export")
        stored = export.accept(ctx, actor, number, _choice(body or AcceptBody()))
        return _job_item(queries.job_row(ctx, "export", stored.id))

    @router.post("/erp/jobs/{item_id}/reject", summary="Reject with an optional comment")
    def reject(
        *, actor: Actor = current, item_id: str, body: Annotated[RejectBody | None, Body()] = None
    ) -> JobItem:
        _, number = _item_id(item_id, "export")
        stored = export.reject(ctx, actor, number, (body or RejectBody()).comment)
        return _job_item(queries.job_row(ctx, "export", stored.id))

    @router.post("/erp/jobs/{item_id}/retry", summary="Retry a failed export")
    def retry(*, actor: Actor = current, item_id: str) -> JobItem:
        _, number = _item_id(item_id, "export")
        stored = export.retry(ctx, actor, number)
        return _job_item(queries.job_row(ctx, "export", stored.id))

    @router.post("/erp/jobs/{item_id}/reset", summary="Unlink a synced project (ERP admin)")
    def reset(*, actor: Actor = current, item_id: str) -> JobItem:
        _, number = _item_id(item_id, "export")
        stored = export.reset(ctx, actor, number)
        return _job_item(queries.job_row(ctx, "export", stored.id))

    @router.post("/erp/jobs/{item_id}/import", summary="Add to Procore, or link to a project")
    def import_job(*, actor: Actor = current, item_id: str, body: ImportBody) -> JobItem:
        _, number = _item_id(item_id, "import")
        if body.method == "link" and body.project_id is not None:
            stored = import_.link_to_project(ctx, actor, number, body.project_id)
        else:
            stored = import_.add_to_procore(ctx, actor, number)
        return _job_item(queries.job_row(ctx, "import", stored.id))

    @router.post("/erp/jobs/{item_id}/archive", summary="Archive a staged QuickBooks job")
    def archive(*, actor: Actor = current, item_id: str) -> JobItem:
        _, number = _item_id(item_id, "import")
        return _job_item(queries.job_row(ctx, "import", import_.archive(ctx, actor, number).id))

    @router.post("/erp/jobs/{item_id}/restore", summary="Restore an archived QuickBooks job")
    def restore(*, actor: Actor = current, item_id: str) -> JobItem:
        _, number = _item_id(item_id, "import")
        return _job_item(queries.job_row(ctx, "import", import_.restore(ctx, actor, number).id))

    @router.get("/erp/customers", summary="QuickBooks customers for the accept step")
    def customers(
        *,
        actor: Actor = current,
        search: Annotated[str, Query(max_length=200)] = "",
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 100,
    ) -> dict[str, Any]:
        found, total = queries.customers(ctx, actor, search=search, page=page, per_page=per_page)
        return {"items": found, "total": total, "page": page, "per_page": per_page}

    # ------------------------------------------------------------------ job costs

    router.include_router(build_job_costs_router(ctx))

    # ------------------------------------------------------------------ the Cost Codes tab

    router.include_router(build_cost_codes_router(ctx))

    # ------------------------------------------------------------------ settings and audit

    @router.get("/settings", summary="The integration's company settings")
    def get_settings(*, actor: Actor = current) -> dict[str, Any]:
        require(ctx, actor, Action.VIEW_JOBS)
        with ctx.sessions.begin() as session:
            return company_settings.load_settings(session, ctx.company_id).to_json()

    @router.patch("/settings", summary="Change settings (ERP Integrations Admin)")
    def patch_settings(
        *, actor: Actor = current, changes: Annotated[dict[str, Any], Body(max_length=20)]
    ) -> dict[str, Any]:
        try:
            return company_settings.update_settings(ctx, actor, changes).to_json()
        except ValueError as exc:
            raise ApiProblem(
                422,
                "Invalid request",
                str(exc),
                rule="invalid_setting",
                problems=[{"rule": "invalid_setting", "message": str(exc)}],
            ) from exc

    @router.get("/audit", summary="The append-only audit log, newest first")
    def audit(
        *,
        actor: Actor = current,
        limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 100,
        before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
        action: Annotated[str | None, Query(max_length=64)] = None,
        user: Annotated[str | None, Query(max_length=255)] = None,
        project_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str, Any]:
        for value in (since, until):
            if value is not None and value.tzinfo is None:
                raise ApiProblem(
                    422,
                    "Invalid request",
                    "since and until need a time zone, e.g. 2026-12-01T00:00:00Z",
                    rule="invalid_request",
                    problems=[],
                )
        entries = queries.audit_page(
            ctx,
            actor,
            limit=limit,
            before_id=before_id,
            action=action,
            actor_email=user,
            project_id=project_id,
            since=since,
            until=until,
        )
        return {
            "items": [
                {
                    "id": e.id,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "subject_type": e.subject_type,
                    "subject_id": e.subject_id,
                    "detail": e.detail,
                }
                for e in entries
            ],
            "next_before_id": entries[-1].id if len(entries) == limit else None,
        }

    return router
