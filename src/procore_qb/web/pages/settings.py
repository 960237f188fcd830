"""``/settings``: the connections and their health, the company settings and the mail
settings (spec procore-workflow §3.1 "Configure Settings", §3.2 sync schedule, §3.10).

Anyone with access to the ERP Integrations tool reads the page; changing anything needs
'Admin' on it (spec §4 "Configure settings / sync schedule"): the forms are shown read-only
to everyone else, and the server answers their posts with 403 whatever the page shows.

- ``POST /settings/general``, ``/settings/schedule``, ``/settings/items``,
  ``/settings/job-costs``: one form each (:mod:`.settings_forms`); bad input shows the page
  again (422) with each rule and its fix.
- ``POST /settings/procore/check``: read the service account's permission manifest now.
- QuickBooks Online (connect, the OAuth callback, check, disconnect): :mod:`.quickbooks_online`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import NoMatchFound

from procore_qb.app import company, connections, project_templates, refresh
from procore_qb.app.errors import AppError
from procore_qb.domain.permissions import Action
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.web.pages.kit import PageKit, PageUser
from procore_qb.web.pages.settings_forms import (
    ACCOUNT_FIELDS,
    CHANGE_POLICY_LABELS,
    COLUMN_LABELS,
    FORMS,
    MODE_LABELS,
    PATTERN_FIELD,
    PATTERN_LABEL,
    SCHEDULE_LABELS,
    FieldError,
    account_table_text,
    parse_form,
    schedule_fields,
    schedule_label,
)
from procore_qb.web.qbwc import QWC_ROUTE

__all__ = ["build_router", "render_settings"]

_ANCHORS = {
    "general": "general",
    "schedule": "schedule",
    "items": "items",
    "job_costs": "job-costs",
}
_MAX_FORM_FIELDS = 50


def _qwc_url(request: Request) -> str | None:
    """Where this app serves the Web Connector's ``.qwc`` file, or None (the endpoint is on
    once its password hash is configured)."""
    try:
        return str(request.app.url_path_for(QWC_ROUTE))
    except NoMatchFound:
        return None


def _current_values(settings: company.CompanySettings) -> dict[str, dict[str, str]]:
    data = settings.to_json()

    def text(name: str) -> str:
        value = data.get(name)
        return "" if value is None else str(value)

    values = {form: {name: text(name) for name in names()} for form, names in FORMS.items()}
    values["job_costs"]["job_cost_account_cost_codes"] = account_table_text(
        settings.job_cost_account_cost_codes
    )
    return values


def render_settings(
    kit: PageKit,
    request: Request,
    user: PageUser,
    *,
    status: int = 200,
    form: str | None = None,
    posted: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> Response:
    """The settings page (``form``'s fields as ``posted`` and its ``errors`` when a form
    was refused)."""
    ctx = kit.ctx
    actor = user.actor
    current = company.read_settings(ctx, actor)
    values = _current_values(current)
    if form is not None and posted is not None:
        values[form] = posted
    templates: list[project_templates.ProjectTemplate] | None
    templates_problem = ""
    try:
        templates = project_templates.project_templates(ctx, actor)
    except AppError as exc:
        templates, templates_problem = None, str(exc)
    online = ctx.edition is QuickBooksEdition.ONLINE
    return kit.render(
        request,
        "settings.html",
        user=user,
        status=status,
        may_configure=user.may(Action.CONFIGURE),
        values=values,
        form=form,
        errors={name: [e for e in errors or [] if name == form] for name in FORMS},
        error_fields={e.field: e for e in errors or []},
        templates=templates,
        templates_problem=templates_problem,
        mode_labels={m.value: label for m, label in MODE_LABELS.items()},
        change_labels={c.value: label for c, label in CHANGE_POLICY_LABELS.items()},
        schedule_labels={s.value: label for s, label in SCHEDULE_LABELS.items()},
        column_labels={c.value: label for c, label in COLUMN_LABELS.items()},
        schedules=[(name, schedule_label(name)) for name in schedule_fields()],
        accounts=list(ACCOUNT_FIELDS.items()),
        labels={
            "customer_job_mode": "Customer/job mode",
            "default_template_id": "Default project template",
            "quickbooks_changes": "Changes made in QuickBooks to synced jobs",
            "general": "General settings",
            "schedule": "Sync schedule",
            "items": "Item accounts",
            "job_costs": "Job costs",
            "budget_direct_cost_columns": "Procore's Budget Direct Cost Columns",
            "job_cost_account_cost_codes": "Accounts to cost codes",
            **dict(ACCOUNT_FIELDS),
            PATTERN_FIELD: PATTERN_LABEL,
            **{name: schedule_label(name) for name in schedule_fields()},
        },
        refresh_status=refresh.refresh_status(ctx),
        procore=connections.procore_health(ctx, actor),
        desktop=None if online else connections.desktop_health(ctx, actor),
        online=connections.online_health(ctx, actor) if online else None,
        qwc_url=None if online else _qwc_url(request),
        mail=ctx.mail,
    )


def build_router(kit: PageKit) -> APIRouter:
    router = APIRouter()
    reader = Depends(kit.need(Action.VIEW_JOBS))
    admin = Depends(kit.need(Action.CONFIGURE))

    @router.get("/settings", include_in_schema=False)
    def show(request: Request, user: PageUser = reader) -> Response:
        return render_settings(kit, request, user)

    async def posted(request: Request) -> dict[str, Any]:
        found = await request.form(max_fields=_MAX_FORM_FIELDS)
        return {k: v for k, v in found.items() if isinstance(v, str)}

    def save(request: Request, user: PageUser, form: str, data: dict[str, Any]) -> Response:
        result = parse_form(form, data)
        errors = list(result.errors)
        template = result.changes.get("default_template_id")
        if not errors and template is not None:
            try:
                project_templates.check_template(kit.ctx, user.actor, template)
            except ValueError as exc:
                errors.append(
                    FieldError("default_template_id", "invalid_default_template_id", str(exc))
                )
        if not errors:
            try:
                company.update_settings(kit.ctx, user.actor, result.changes)
            except ValueError as exc:
                errors.append(FieldError(form, "invalid_setting", str(exc)))
        if errors:
            return render_settings(
                kit, request, user, status=422, form=form, posted=result.values, errors=errors
            )
        return kit.redirect(
            request,
            f"/settings#{_ANCHORS[form]}",
            flash=("success", "Settings saved."),
        )

    @router.post("/settings/general", include_in_schema=False)
    async def save_general(request: Request, user: PageUser = admin) -> Response:
        data = await posted(request)
        answer: Response = await run_in_threadpool(save, request, user, "general", data)
        return answer

    @router.post("/settings/schedule", include_in_schema=False)
    async def save_schedule(request: Request, user: PageUser = admin) -> Response:
        data = await posted(request)
        answer: Response = await run_in_threadpool(save, request, user, "schedule", data)
        return answer

    @router.post("/settings/items", include_in_schema=False)
    async def save_items(request: Request, user: PageUser = admin) -> Response:
        data = await posted(request)
        answer: Response = await run_in_threadpool(save, request, user, "items", data)
        return answer

    @router.post("/settings/job-costs", include_in_schema=False)
    async def save_job_costs(request: Request, user: PageUser = admin) -> Response:
        data = await posted(request)
        answer: Response = await run_in_threadpool(save, request, user, "job_costs", data)
        return answer

    @router.post("/settings/procore/check", include_in_schema=False)
    def check_procore(request: Request, user: PageUser = admin) -> Response:
        checked = connections.check_procore(kit.ctx, user.actor)
        return kit.redirect(
            request,
            "/settings#procore",
            flash=("success" if checked.ok else "error", checked.message),
        )

    return router
