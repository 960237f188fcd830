"""``/audit``: the audit log, filtered by user, action, project and days, a page at a time, and
its CSV export (``/audit.csv``, or ``/audit?format=csv``, with the same filters), streamed
and safe to open in a spreadsheet (:mod:`.csv_cells`). Anyone with access to the ERP
Integrations tool may read it (spec §3.1), as with ``GET /api/v1/audit``.

The filters come in the query: ``user``, ``action``, ``project``, ``from`` and ``to``
(``YYYY-MM-DD``, whole UTC days, both included), and ``before`` (the page after an entry id).
Bad ones show the page again (422) with each rule and its fix; the export answers 422.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from procore_qb.app import audit
from procore_qb.domain.permissions import Action
from procore_qb.web.api.problems import ApiProblem
from procore_qb.web.pages.csv_cells import csv_lines
from procore_qb.web.pages.kit import PageKit, PageUser

__all__ = ["CSV_HEADER", "MAX_BEFORE", "build_router", "detail_text", "read_filter", "shown"]

CSV_HEADER = ("id", "at", "user", "action", "subject_type", "subject_id", "detail")
MAX_BEFORE = 2**62
_FIELDS = {
    "user": "user",
    "action": "action",
    "project": "project",
    "from": "date_from",
    "to": "date_to",
}
_LABELS = {
    "user": "User",
    "action": "Action",
    "project": "Project",
    "from": "From",
    "to": "To",
    "before": "Page",
}
_MAX_QUERY_VALUE = 1000


def shown(query: Any) -> dict[str, str]:
    """The filters' text as typed, to show again: bounded, control characters dropped."""
    return {
        name: "".join(c for c in str(query.get(name, ""))[:200] if c.isprintable())
        for name in (*_FIELDS, "before")
    }


def read_filter(query: Any) -> tuple[audit.AuditFilter, int | None, dict[str, str]]:
    """The filter and the ``before`` id from a query, and the values as text (to show them
    again). :class:`procore_qb.app.audit.InvalidFilter` names each bad one."""
    text = {name: str(query.get(name, ""))[:_MAX_QUERY_VALUE] for name in (*_FIELDS, "before")}
    problems: list[audit.FilterProblem] = []
    try:
        found = audit.parse_audit_filter(**{_FIELDS[k]: text[k] for k in _FIELDS})
    except audit.InvalidFilter as exc:
        found = audit.AuditFilter()
        problems.extend(exc.problems)
    before = None
    raw = text["before"].strip()
    if raw:
        if raw.isascii() and raw.isdigit() and len(raw) <= 19 and 1 <= int(raw) <= MAX_BEFORE:
            before = int(raw)
        else:
            problems.append(
                audit.FilterProblem("before", f"an entry id, a whole number from 1 to {MAX_BEFORE}")
            )
    if problems:
        raise audit.InvalidFilter(problems)
    return found, before, text


def detail_text(detail: dict[str, Any]) -> str:
    """An entry's detail in one line: ``key: value`` pairs, values that are not text as
    JSON."""
    parts = []
    for key in sorted(detail):
        value = detail[key]
        shown = (
            value
            if isinstance(value, str)
            else json.dumps(value, ensure_ascii=False, sort_keys=True)
        )
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)


def build_router(kit: PageKit) -> APIRouter:
    router = APIRouter()
    reader = Depends(kit.need(Action.VIEW_JOBS))

    def export(user: PageUser, found: audit.AuditFilter) -> Response:
        rows = audit.audit_export(kit.ctx, user.actor, found)

        def lines() -> Iterator[str]:
            yield from csv_lines(
                CSV_HEADER,
                (
                    (
                        row.id,
                        row.at.isoformat(),
                        row.actor,
                        row.action,
                        row.subject_type,
                        row.subject_id,
                        json.dumps(row.detail, ensure_ascii=False, sort_keys=True),
                    )
                    for row in rows
                ),
            )

        day = kit.now().date().isoformat()
        return StreamingResponse(
            lines(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="procore-qb-audit-{day}.csv"',
                "Cache-Control": "no-store",
            },
        )

    def refused(exc: audit.InvalidFilter) -> ApiProblem:
        return ApiProblem(
            422,
            "Invalid request",
            str(exc),
            rule="invalid_filter",
            problems=[
                {"rule": "invalid_filter", "message": f"{_LABELS[p.field]}: {p.message}"}
                for p in exc.problems
            ],
        )

    @router.get("/audit.csv", include_in_schema=False)
    def audit_csv(request: Request, user: PageUser = reader) -> Response:
        try:
            found, _, _ = read_filter(request.query_params)
        except audit.InvalidFilter as exc:
            raise refused(exc) from exc
        return export(user, found)

    @router.get("/audit", include_in_schema=False)
    def audit_log(request: Request, user: PageUser = reader) -> Response:
        csv_wanted = request.query_params.get("format", "") == "csv"
        choices = audit.audit_choices(kit.ctx, user.actor)
        try:
            found, before, _ = read_filter(request.query_params)
        except audit.InvalidFilter as exc:
            if csv_wanted:
                raise refused(exc) from exc
            return kit.render(
                request,
                "audit.html",
                user=user,
                status=422,
                page=None,
                text=shown(request.query_params),
                choices=choices,
                problems=exc.problems,
                labels=_LABELS,
                query="",
                detail_text=detail_text,
            )
        if csv_wanted:
            return export(user, found)
        page = audit.audit_page(kit.ctx, user.actor, found, before_id=before)
        return kit.render(
            request,
            "audit.html",
            user=user,
            page=page,
            text=shown(request.query_params),
            choices=choices,
            problems=(),
            labels=_LABELS,
            query=urlencode(found.query()),
            before=before,
            detail_text=detail_text,
        )

    return router
