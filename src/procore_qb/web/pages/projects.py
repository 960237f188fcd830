"""Projects: ``/projects`` lists the Procore projects a person may act on (everyone with access
to the ERP Integrations tool sees all of them; a project admin the ones they administer), with
their ERP state and what stands in the way of sending each; ``/projects/{id}`` is one project:
its ERP status banner, the send checklist with the fix of each unmet rule, *Send to ERP*,
*Retrieve from ERP*, *Re-send to ERP*, the QuickBooks job it is synced with, its cost codes,
its job cost syncing switch (:mod:`.job_costs` takes its form) and its history.

A synced cost code has *Unlink…*: ``/projects/{id}/cost-codes/{cc}/unlink`` asks to confirm,
saying what Procore and QuickBooks must let go first, and its form posts there
(:func:`procore_qb.app.cost_code_deletion.unlink_project_cost_code`, as
``POST /api/v1/projects/{id}/cost-codes/{cc}/unlink``); a refusal is shown with its rule and fix.

Sending, re-sending, retrieving and unlinking need 'Admin' on the project's Admin tool (spec §4,
§3.4 [S34]); the use cases check it again.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from procore_qb.app import export, job_costs, project_history, queries
from procore_qb.app.cost_code_deletion import unlink_project_cost_code
from procore_qb.app.errors import Conflict, NotFound
from procore_qb.domain.eligibility import send_checklist
from procore_qb.domain.export_workflow import ExportState
from procore_qb.domain.permissions import Action
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.web.pages.kit import PageKit, PageUser

__all__ = ["HISTORY_LABELS", "build_router"]

ProjectId = Annotated[int, Path(ge=1, le=2**53)]
CostCodeId = Annotated[int, Path(ge=1, le=2**53)]

HISTORY_LABELS = {
    "export_send": "Sent to ERP",
    "export_resend": "Re-sent to ERP",
    "export_retrieve": "Retrieved from ERP",
    "export_accept": "Accepted for export",
    "export_reject": "Rejected",
    "export_retry": "Export retried",
    "export_reset": "Reset to unsynced",
    "export_succeeded": "Export succeeded",
    "export_failed": "Export failed",
    "quickbooks_job_created": "QuickBooks job created",
    "quickbooks_job_updated": "QuickBooks job updated",
    "procore_project_marked_synced": "Marked synced in Procore",
    "procore_project_updated_from_quickbooks": "Updated from QuickBooks",
    "quickbooks_change_applied": "Change in QuickBooks applied",
    "quickbooks_change_held": "Change in QuickBooks held for review",
    "quickbooks_job_deleted": "QuickBooks job deleted",
    "import_add_new": "Added to Procore from QuickBooks",
    "import_link": "Linked to the QuickBooks job",
    "import_archive": "QuickBooks job archived",
    "import_restore": "QuickBooks job restored",
    "job_cost_sync_enabled": "Job cost syncing turned on",
    "job_cost_sync_disabled": "Job cost syncing turned off",
    "job_costs_read_requested": "Job costs asked of QuickBooks",
    "job_costs_sync_requested": "Sync Job Costs Now",
    "job_costs_read": "Job costs read from QuickBooks",
    "job_costs_read_failed": "Job cost read failed",
    "job_costs_written": "Job costs written to Procore",
    "job_costs_write_failed": "Job cost write to Procore failed",
    "project_cost_code_unlinked": "Cost code unlinked from QuickBooks",
}
"""Audit actions in words; others are shown with their code."""

_DETAIL_KEYS = (
    ("comment", "Comment"),
    ("error", "Error"),  # named for the side that failed: see _details
    ("new_customer", "New customer"),
    ("full_name", "QuickBooks job"),
    ("changed", "Changed"),
    ("project_name", "Project name"),
    ("procore_note", "Procore"),
    ("reason", "Why"),
    ("code", "Cost code"),
)

# Where each state can go from the project's side, and the button that does it.
_SEND_STATES = {ExportState.UNSYNCED}
_RESEND_STATES = {ExportState.REJECTED, ExportState.SYNCED}
_RETRIEVE_STATES = {ExportState.READY_TO_EXPORT, ExportState.READY_TO_UPDATE}
_CHECKED_STATES = _SEND_STATES | _RESEND_STATES


def _details(entry: project_history.HistoryEntry) -> list[tuple[str, str]]:
    """An entry's details in words; its ``error`` is labelled with the side that failed
    ("QuickBooks error", "Procore error"), or "Error" when the action does not say."""
    out = []
    detail = entry.detail
    side = entry.failed_side
    for key, label in _DETAIL_KEYS:
        value = detail.get(key)
        if value in (None, "", []):
            continue
        if key == "error" and side is not None:
            label = f"{side} error"
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        out.append((label, text[:500]))
    return out


def _item_of(origin_id: str | None) -> str:
    """The QuickBooks item id of a project cost code's ``origin_id`` (``"<job id>|<item id>"``)."""
    return (origin_id or "").rpartition("|")[2]


def build_router(kit: PageKit) -> APIRouter:
    router = APIRouter()
    signed = Depends(kit.signed_in)

    def waiting_for() -> str:
        if kit.ctx.edition is QuickBooksEdition.DESKTOP:
            return "the QuickBooks Web Connector's next run"
        return "QuickBooks Online"

    @router.get("/projects", include_in_schema=False)
    def projects(request: Request, user: PageUser = signed) -> Response:
        rows = queries.projects(kit.ctx, user.actor)
        rows.sort(key=lambda r: (r.project.name.casefold(), r.project.id))
        return kit.render(
            request,
            "projects.html",
            user=user,
            rows=rows,
            checked_states=_CHECKED_STATES,
            sees_all=user.may(Action.VIEW_JOBS),
        )

    @router.get("/projects/{project_id}", include_in_schema=False)
    def project(request: Request, project_id: ProjectId, user: PageUser = signed) -> Response:
        row = queries.projects(kit.ctx, user.actor, project_id=project_id)[0]
        item = (
            queries.job_row(kit.ctx, "export", row.export_item_id)
            if row.export_item_id is not None
            else None
        )
        history = project_history.project_history(kit.ctx, user.actor, project_id)
        checklist = [(c.label, c.unmet(row.problems)) for c in send_checklist(kit.ctx.limits)]
        state = row.state
        may_switch = Action.ENABLE_JOB_COST_SYNC.value in row.actions
        may_view_costs = user.may(Action.VIEW_JOB_COSTS)
        job_cost = (
            job_costs.job_cost_switch(kit.ctx, user.actor, project_id)
            if may_switch or may_view_costs
            else None
        )
        return kit.render(
            request,
            "project.html",
            user=user,
            row=row,
            p=row.project,
            state=state.value,
            item=item,
            history=history,
            labels=HISTORY_LABELS,
            details=_details,
            checklist=checklist if state in _CHECKED_STATES else [],
            can_send=state in _SEND_STATES and Action.SEND.value in row.actions,
            can_resend=state in _RESEND_STATES and Action.RESEND.value in row.actions,
            can_retrieve=state in _RETRIEVE_STATES and Action.RETRIEVE.value in row.actions,
            waiting_for=waiting_for(),
            job_cost=job_cost,
            job_cost_shown=(may_switch or may_view_costs)
            and (history.link is not None or job_cost is not None),
            may_switch=may_switch,
            may_view_costs=may_view_costs,
            may_sync_costs=user.may(Action.SYNC_JOB_COSTS),
            may_unlink=Action.DELETE_PROJECT_COST_CODE.value in row.actions,
            item_of=_item_of,
        )

    @router.get("/projects/{project_id}/cost-codes/{cost_code_id}/unlink", include_in_schema=False)
    def unlink_confirm(
        request: Request, project_id: ProjectId, cost_code_id: CostCodeId, user: PageUser = signed
    ) -> Response:
        kit.require(user, Action.DELETE_PROJECT_COST_CODE, project_id=project_id)
        row = queries.projects(kit.ctx, user.actor, project_id=project_id)[0]
        code = next((c for c in row.project.cost_codes if c.id == cost_code_id), None)
        if code is None:
            raise NotFound(f"project {project_id} has no cost code {cost_code_id}")
        if not code.origin_id:
            raise Conflict(
                f"cost code '{code.full_code}' is not synced with QuickBooks; delete it in Procore"
            )
        return kit.render(
            request,
            "cost_code_unlink.html",
            user=user,
            p=row.project,
            code=code,
            item_id=_item_of(code.origin_id),
            product=kit.ctx.limits.product_name,
        )

    @router.post("/projects/{project_id}/cost-codes/{cost_code_id}/unlink", include_in_schema=False)
    def unlink(
        request: Request, project_id: ProjectId, cost_code_id: CostCodeId, user: PageUser = signed
    ) -> Response:
        done = unlink_project_cost_code(kit.ctx, user.actor, project_id, cost_code_id)
        return kit.redirect(
            request,
            f"/projects/{project_id}",
            flash=(
                "success",
                f"Cost code '{done.code}' is unlinked from QuickBooks item {done.item_id}: "
                "Procore now lets you delete it from the project like any unsynced cost code.",
            ),
        )

    @router.post("/projects/{project_id}/send-to-erp", include_in_schema=False)
    def send(request: Request, project_id: ProjectId, user: PageUser = signed) -> Response:
        done = export.send(kit.ctx, user.actor, project_id)
        words = "Re-sent" if done.item.state is ExportState.READY_TO_UPDATE else "Sent"
        where = done.item.state.label
        return kit.redirect(
            request,
            f"/projects/{project_id}",
            flash=(
                "success",
                f"{words} '{done.item.snapshot.name if done.item.snapshot else project_id}' to "
                f"ERP: it waits in {where} for an accounting approver. Its name and address "
                "are locked until then.",
            ),
        )

    @router.post("/projects/{project_id}/retrieve-from-erp", include_in_schema=False)
    def retrieve(request: Request, project_id: ProjectId, user: PageUser = signed) -> Response:
        done = export.retrieve(kit.ctx, user.actor, project_id)
        return kit.redirect(
            request,
            f"/projects/{project_id}",
            flash=(
                "success",
                f"Retrieved from ERP: the project is {done.item.state.label} and can be edited "
                "again; send it when it is ready.",
            ),
        )

    return router
