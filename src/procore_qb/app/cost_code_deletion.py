"""Unlinking a synced project cost code (spec procore-workflow §3.4 [S34]): Procore lets a
project cost code of a QuickBooks project go only when (1) it is unused in the Procore project
and (2) "the cost code(s) must first be deleted from QuickBooks® Desktop, even if previously
synced"; it needs 'Admin' on the project's Admin tool.

:func:`unlink_project_cost_code` checks both against the live systems and refuses with a 422
naming what is still there:

* QuickBooks: the item of the code's ``origin_id`` (``"<job id>|<item id>"``) among the active
  service items — QuickBooks Online read now; QuickBooks Desktop, which answers only when the
  Web Connector runs, as of the company's last item list read (Refresh reads it again).
  QuickBooks Online cannot delete items, only make them inactive, so an inactive item counts
  as removed on both editions.
* Procore: the project's budget lines on the code, and QuickBooks costs procore-qb placed on
  it (job cost syncing).

When both are clear the code's ``origin_id`` is cleared in Procore, so Procore lets it be
deleted like any unsynced code.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from procore_qb.app.actors import Actor, require
from procore_qb.app.context import AppContext
from procore_qb.app.errors import Conflict, NotFound, UpstreamError
from procore_qb.app.setup import COST_CODE_LIST_SUBJECT
from procore_qb.domain.commands import QueryItems, result_from_json
from procore_qb.domain.permissions import Action
from procore_qb.domain.problems import Problem, RuleCode, ensure_no_problems
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.procore.errors import ProcoreError
from procore_qb.procore.gateway import OriginMark
from procore_qb.quickbooks.online.errors import QboError
from procore_qb.store.models import JobCostLineRecord, QbCommand
from procore_qb.store.repositories.audit import AuditLog

__all__ = ["Unlinked", "unlink_project_cost_code"]


@dataclass(frozen=True, slots=True)
class Unlinked:
    project_id: int
    cost_code_id: int
    code: str
    item_id: str


def _desktop_items(ctx: AppContext) -> tuple[set[str], datetime | None]:
    """The active items as QuickBooks Desktop last reported them: the last full item list,
    with the incremental reads answered after it applied in order."""
    with ctx.sessions.begin() as session:
        rows = list(
            session.scalars(
                sa.select(QbCommand)
                .where(
                    QbCommand.company_id == ctx.company_id,
                    QbCommand.subject_type == COST_CODE_LIST_SUBJECT,
                    QbCommand.kind == "query_items",
                    QbCommand.state == "done",
                )
                .order_by(QbCommand.completed_at, QbCommand.id)
            )
        )
    answered = [(r, result_from_json(r.result)) for r in rows if r.result is not None]
    answered = [(r, res) for r, res in answered if res.error is None]
    full = [i for i, (r, _) in enumerate(answered) if not r.payload.get("modified_since")]
    if not full:
        return set(), None
    active: dict[str, bool] = {}
    read_at: datetime | None = None
    for row, result in answered[full[-1] :]:
        for item in result.items:
            active[item.id] = item.active
        for gone in result.deleted_ids:
            active.pop(gone, None)
        read_at = row.completed_at
    return {k for k, v in active.items() if v}, read_at


def _online_items(ctx: AppContext) -> set[str]:
    if ctx.online is None:
        raise Conflict("QuickBooks Online is not connected")
    try:
        result = ctx.online().execute([QueryItems(idempotency_key=f"u{uuid.uuid4().hex[:24]}")])[0]
    except QboError as exc:
        raise UpstreamError(f"QuickBooks Online did not list its items: {exc}") from exc
    if result.error is not None:
        raise UpstreamError(f"QuickBooks Online did not list its items: {result.error.message}")
    return {i.id for i in result.items if i.active}


def unlink_project_cost_code(
    ctx: AppContext, actor: Actor, project_id: int, cost_code_id: int
) -> Unlinked:
    """Clear a synced project cost code's link once QuickBooks no longer has its item and the
    project does not use it; otherwise refuse, naming each thing still there."""
    require(ctx, actor, Action.DELETE_PROJECT_COST_CODE, project_id=project_id)
    gateway = ctx.procore()
    try:
        codes = {c.id: c for c in gateway.cost_codes(project_id)}
        budget = [r for r in gateway.budget_rows(project_id) if r.cost_code_id == cost_code_id]
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not return project {project_id}: {exc}") from exc
    code = codes.get(cost_code_id)
    if code is None:
        raise NotFound(f"project {project_id} has no cost code {cost_code_id}")
    if not code.origin_id:
        raise Conflict(
            f"cost code '{code.full_code}' is not synced with QuickBooks; delete it in Procore"
        )
    item_id = code.origin_id.rsplit("|", 1)[-1]
    problems: list[Problem] = []
    if ctx.edition is QuickBooksEdition.ONLINE:
        in_quickbooks, seen = item_id in _online_items(ctx), "now"
    else:
        items, read_at = _desktop_items(ctx)
        in_quickbooks = read_at is None or item_id in items
        seen = (
            f"in the item list read at {read_at:%Y-%m-%d %H:%M} UTC"
            if read_at
            else "(no item list has been read from QuickBooks yet)"
        )
    if in_quickbooks:
        problems.append(
            Problem(
                RuleCode.COST_CODE_IN_QUICKBOOKS,
                f"Cost code '{code.full_code}' is still an item in {ctx.limits.product_name} "
                f"(item {item_id}, {seen}). Delete the item in QuickBooks first (or make it "
                "inactive), then Refresh the Cost Codes tab and try again.",
            )
        )
    with ctx.sessions.begin() as session:
        costs = session.scalar(
            sa.select(sa.func.count())
            .select_from(JobCostLineRecord)
            .where(
                JobCostLineRecord.company_id == ctx.company_id,
                JobCostLineRecord.procore_project_id == project_id,
                JobCostLineRecord.cost_code_id == cost_code_id,
                JobCostLineRecord.removed.is_(False),
            )
        )
    if budget or costs:
        uses = []
        if budget:
            uses.append(f"{len(budget)} budget line{'' if len(budget) == 1 else 's'}")
        if costs:
            uses.append(f"{costs} QuickBooks cost line{'' if costs == 1 else 's'}")
        problems.append(
            Problem(
                RuleCode.COST_CODE_IN_USE,
                f"Cost code '{code.full_code}' is used in project {project_id}: "
                f"{' and '.join(uses)}. Move them to another cost code in Procore first.",
            )
        )
    ensure_no_problems(problems)
    try:
        written = gateway.mark_cost_codes_synced(project_id, [OriginMark(cost_code_id, None)])
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not unlink cost code '{code.full_code}': {exc}") from exc
    if written.errors:
        raise UpstreamError(
            f"Procore did not unlink cost code '{code.full_code}': {written.errors[0].message}"
        )
    with ctx.sessions.begin() as session:
        AuditLog(session).append(
            at=ctx.now(),
            actor=actor.label,
            action="project_cost_code_unlinked",
            company_id=ctx.company_id,
            subject_type="project",
            subject_id=project_id,
            detail={"cost_code_id": cost_code_id, "code": code.full_code, "item_id": item_id},
        )
    return Unlinked(project_id, cost_code_id, code.full_code, item_id)
