"""What a QuickBooks-synced project has in Procore on another cost type than 'Other': budget
lines and direct cost lines that cannot reach QuickBooks (spec procore-workflow §1.4: "Projects
using QuickBooks cost codes will only use the cost type of 'Other' in Procore").

The job cost sync finds them after it writes the project's costs (:func:`read_check`): the
company's cost types and the project's budget are those the write itself read (the budget on
every cost type, with the budget lines the write created added from Procore's answers), so
they are not read twice; the direct cost lines on the other cost types are one more read.
It keeps them with the time they were read (:func:`save_check`). The Job Costs report and
``GET /projects/{id}/job-costs/other-cost-types`` show what was kept (:func:`off_type_lines`),
without asking Procore; "Sync Job Costs Now" reads them again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from procore_qb.app.actors import Actor, require
from procore_qb.app.context import AppContext
from procore_qb.app.errors import NotFound
from procore_qb.app.rules import PROJECT_JOB
from procore_qb.domain.cost_types import (
    OTHER_NAME,
    CostType,
    find_other,
    off_type_cost_message,
    off_type_message,
)
from procore_qb.domain.job_costs import to_cents
from procore_qb.domain.permissions import Action
from procore_qb.domain.project import CostCode
from procore_qb.procore.errors import ProcoreError
from procore_qb.procore.gateway import BudgetRow, ProcoreGateway
from procore_qb.store.models import OffTypeLineRecord
from procore_qb.store.repositories.cost_type_checks import CostTypeChecks
from procore_qb.store.repositories.links import RecordLinks

__all__ = [
    "MAX_OFF_TYPE_LINES",
    "CostTypeRead",
    "OffTypeBudgetLine",
    "OffTypeDirectCostLine",
    "OffTypeLines",
    "off_type_lines",
    "read_check",
    "save_check",
]

MAX_OFF_TYPE_LINES = 500
"""Budget lines, and direct cost lines, kept and listed at most per project (the totals say how
many there are)."""


@dataclass(frozen=True, slots=True)
class CostTypeRead:
    """One read of a project's budget and direct costs by cost type (``error`` when it failed)."""

    other_cost_type_id: int | None = None
    budget_total: int = 0
    direct_cost_total: int = 0
    lines: tuple[dict[str, Any], ...] = ()
    error: str | None = None


def _cents(value: Decimal) -> int:
    try:
        return to_cents(value)
    except ValueError:
        return 0


def read_check(
    gateway: ProcoreGateway,
    project_id: int,
    cost_codes: Sequence[CostCode],
    *,
    cost_types: Sequence[CostType],
    budget: Sequence[BudgetRow],
) -> CostTypeRead:
    """The project's budget lines and direct cost lines on a cost type other than 'Other' (every
    cost type when the company has no 'Other' yet), on its cost codes ``cost_codes``: the
    budget lines from ``budget`` (the project's budget rows on every cost type, as the write
    read them, with those it created), the cost type names from ``cost_types`` (the company's,
    as the write read them), the direct cost lines read from Procore. A refusal is returned as
    the read's ``error``: the job costs written before it stand."""
    codes = {c.id: c for c in cost_codes}
    types = list(cost_types)
    other = find_other(types)
    others = [t.id for t in types if other is None or t.id != other.id]
    off_budget = [
        r
        for r in budget
        if r.cost_code_id in codes and (other is None or r.line_item_type_id != other.id)
    ]
    try:
        costs = [
            c
            for c in gateway.direct_cost_lines_of_types(project_id, others)
            if c.cost_code_id in codes
        ]
    except ProcoreError as exc:
        why = f"Procore did not return the direct costs on other cost types than 'Other': {exc}"
        return CostTypeRead(error=why)
    names = {t.id: t.name for t in types}

    def line(kind: str, procore_id: int, cost_code_id: int, type_id: int) -> dict[str, Any]:
        code = codes[cost_code_id]
        return {
            "kind": kind,
            "procore_id": procore_id,
            "cost_code_id": cost_code_id,
            "code": code.full_code[:255],
            "name": code.name[:255],
            "cost_type_id": type_id,
            "cost_type": names.get(type_id, f"#{type_id}")[:255],
            "direct_cost_id": None,
            "description": "",
        }

    def order(item: dict[str, Any]) -> tuple[str, int, str, int]:
        item = {**item, "id": item["procore_id"]}
        return (
            item["code"].casefold(),
            item["cost_code_id"],
            item["cost_type"],
            item["procore_id"],
        )

    budget_lines = sorted(
        (
            {
                **line("budget", r.id, r.cost_code_id, r.line_item_type_id),
                "amount_cents": _cents(r.original_budget_amount),
            }
            for r in off_budget
        ),
        key=order,
    )
    cost_lines = sorted(
        (
            {
                **line("direct_cost", c.id, c.cost_code_id, c.line_item_type_id),
                "amount_cents": _cents(c.amount),
                "direct_cost_id": c.direct_cost_id or None,
                "description": c.description[:255],
            }
            for c in costs
        ),
        key=order,
    )
    return CostTypeRead(
        other_cost_type_id=other.id if other else None,
        budget_total=len(budget_lines),
        direct_cost_total=len(cost_lines),
        lines=(*budget_lines[:MAX_OFF_TYPE_LINES], *cost_lines[:MAX_OFF_TYPE_LINES]),
    )


def save_check(
    session: Session, company_id: int, project_id: int, read: CostTypeRead, now: datetime
) -> None:
    """Keep ``read`` as the project's check at ``now`` (a failed read keeps the last lines)."""
    checks = CostTypeChecks(session)
    if read.error is not None:
        checks.failed(company_id, project_id, failed_at=now, error=read.error)
        return
    checks.replace(
        company_id,
        project_id,
        read_at=now,
        other_cost_type_id=read.other_cost_type_id,
        budget_total=read.budget_total,
        direct_cost_total=read.direct_cost_total,
        lines=read.lines,
    )


# ----------------------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class OffTypeBudgetLine:
    """A budget line of a synced project on another cost type than 'Other'."""

    budget_line_item_id: int
    cost_code_id: int
    code: str
    name: str
    cost_type_id: int
    cost_type: str
    original_budget_amount: Decimal
    message: str


@dataclass(frozen=True, slots=True)
class OffTypeDirectCostLine:
    """A direct cost line of a synced project on another cost type than 'Other'."""

    line_item_id: int
    direct_cost_id: int | None
    cost_code_id: int
    code: str
    name: str
    cost_type_id: int
    cost_type: str
    amount: Decimal
    description: str
    message: str


@dataclass(frozen=True, slots=True)
class OffTypeLines:
    read_at: datetime | None
    """When the last job cost sync read them from Procore (None: never)."""
    failed_at: datetime | None
    error: str | None
    """Why the last read failed (the lines are those of the read before)."""
    other_cost_type_id: int | None
    """The company's 'Other' cost type at the read (None when it had none)."""
    lines: list[OffTypeBudgetLine]
    """At most :data:`MAX_OFF_TYPE_LINES`, by cost code then cost type."""
    total: int
    direct_costs: list[OffTypeDirectCostLine]
    """At most :data:`MAX_OFF_TYPE_LINES`, by cost code then cost type."""
    direct_cost_total: int


def off_type_lines(ctx: AppContext, actor: Actor, project_id: int) -> OffTypeLines:
    """The budget lines and direct cost lines of QuickBooks-synced project ``project_id`` on a
    cost type other than 'Other', each with why it is not synced and the fix, as the last job
    cost sync read them from Procore. Needs 'Admin' on ERP Integrations, like the Job Costs
    report (spec procore-workflow §3.8)."""
    require(ctx, actor, Action.VIEW_JOB_COSTS)
    with ctx.sessions.begin() as session:
        if RecordLinks(session).by_procore(ctx.company_id, PROJECT_JOB, project_id) is None:
            raise NotFound(
                f"project {project_id} is not synced with a QuickBooks job; only synced "
                "projects have their cost types checked"
            )
        checks = CostTypeChecks(session)
        check = checks.check(ctx.company_id, project_id)
        rows = checks.lines(ctx.company_id, project_id) if check is not None else []
        if check is None:
            return OffTypeLines(None, None, None, None, [], 0, [], 0)
        read_at, failed_at, error = check.read_at, check.failed_at, check.error
        other = check.other_cost_type_id
        budget_total, cost_total = check.budget_total, check.direct_cost_total
    note = (
        ""
        if other is not None
        else (
            f" (the company had no '{OTHER_NAME}' cost type: refresh the cost code list on the "
            "Cost Codes tab, which adds it)"
        )
    )
    return OffTypeLines(
        read_at=read_at,
        failed_at=failed_at,
        error=error,
        other_cost_type_id=other,
        lines=[_budget_line(r, note) for r in rows if r.kind == "budget"],
        total=budget_total,
        direct_costs=[_cost_line(r, note) for r in rows if r.kind == "direct_cost"],
        direct_cost_total=cost_total,
    )


def _budget_line(row: OffTypeLineRecord, note: str) -> OffTypeBudgetLine:
    return OffTypeBudgetLine(
        budget_line_item_id=row.procore_id,
        cost_code_id=row.cost_code_id,
        code=row.code,
        name=row.name,
        cost_type_id=row.cost_type_id,
        cost_type=row.cost_type,
        original_budget_amount=Decimal(row.amount_cents) / 100,
        message=off_type_message(row.cost_type) + note,
    )


def _cost_line(row: OffTypeLineRecord, note: str) -> OffTypeDirectCostLine:
    return OffTypeDirectCostLine(
        line_item_id=row.procore_id,
        direct_cost_id=row.direct_cost_id,
        cost_code_id=row.cost_code_id,
        code=row.code,
        name=row.name,
        cost_type_id=row.cost_type_id,
        cost_type=row.cost_type,
        amount=Decimal(row.amount_cents) / 100,
        description=row.description,
        message=off_type_cost_message(row.cost_type) + note,
    )
