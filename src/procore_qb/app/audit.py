"""The audit log: :func:`record` appends an entry about one subject (the use cases' one way to
write it), and the Audit page and its CSV export read it: the filters (who, which action,
which project, which days) checked once for both, one page of entries, every matching entry
for the export, and the people and actions the filters offer.

Reading needs any access to the ERP Integrations tool (spec §3.1), as the JSON API's
``GET /api/v1/audit`` does (:func:`procore_qb.app.queries.audit_page`, which both use).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.app import queries
from procore_qb.app.actors import Actor, require
from procore_qb.app.context import AppContext
from procore_qb.app.errors import AppError
from procore_qb.domain.permissions import Action
from procore_qb.store.models import AuditEntry
from procore_qb.store.repositories.audit import AuditLog

__all__ = [
    "EXPORT_BATCH",
    "FIRST_DAY",
    "LAST_DAY",
    "MAX_PROJECT_ID",
    "PER_PAGE",
    "AuditChoices",
    "AuditFilter",
    "AuditPage",
    "AuditRow",
    "FilterProblem",
    "InvalidFilter",
    "audit_choices",
    "audit_export",
    "audit_page",
    "parse_audit_filter",
    "record",
]

PER_PAGE = 50
EXPORT_BATCH = 500
MAX_PROJECT_ID = 2**53
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2999, 12, 31)
MAX_USER = 254
MAX_ACTION = 64
_CHOICES = 500
_ACTION = re.compile(r"[a-z][a-z0-9_]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def record(
    session: Session,
    ctx: AppContext,
    actor: Actor | None,
    action: str,
    *,
    subject_type: str,
    subject_id: int | str,
    detail: Mapping[str, object],
) -> None:
    """Append ``action`` about one subject (``subject_type`` and its id) to the company's audit
    log, in the caller's transaction: by ``actor``, or by "system" when none."""
    AuditLog(session).append(
        at=ctx.now(),
        actor=actor.label if actor else "system",
        action=action,
        company_id=ctx.company_id,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=dict(detail),
    )


@dataclass(frozen=True, slots=True)
class FilterProblem:
    """One filter that is not valid: the field (``user``, ``action``, ``project``, ``from``,
    ``to``) and what it must be."""

    field: str
    message: str


class InvalidFilter(AppError, ValueError):
    """One or more filters are not valid; ``problems`` says which and how to fix each."""

    def __init__(self, problems: list[FilterProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Entries by ``user`` (as the log names them: an e-mail address, or ``system``), of one
    ``action``, about one Procore project, from ``date_from`` to ``date_to`` (whole UTC days,
    both included). None: any."""

    user: str | None = None
    action: str | None = None
    project_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def since(self) -> datetime | None:
        if self.date_from is None:
            return None
        return datetime.combine(self.date_from, time(), tzinfo=UTC)

    @property
    def until(self) -> datetime | None:
        """The first moment after ``date_to`` (exclusive)."""
        if self.date_to is None:
            return None
        return datetime.combine(self.date_to + timedelta(days=1), time(), tzinfo=UTC)

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.user, self.action, self.project_id)) or (
            self.date_from is not None or self.date_to is not None
        )

    def query(self) -> dict[str, str]:
        """The filter as the query of a link (the names :func:`parse_audit_filter` reads)."""
        values = {
            "user": self.user,
            "action": self.action,
            "project": None if self.project_id is None else str(self.project_id),
            "from": None if self.date_from is None else self.date_from.isoformat(),
            "to": None if self.date_to is None else self.date_to.isoformat(),
        }
        return {k: v for k, v in values.items() if v is not None}


def _day(raw: str, field: str, problems: list[FilterProblem]) -> date | None:
    text = raw.strip()
    if not text:
        return None
    found: date | None = None
    if _DATE.fullmatch(text):
        try:
            found = date.fromisoformat(text)
        except ValueError:
            found = None
    if found is None or not FIRST_DAY <= found <= LAST_DAY:
        problems.append(
            FilterProblem(
                field,
                f"a day as YYYY-MM-DD from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}, "
                "e.g. 2026-12-01",
            )
        )
        return None
    return found


def parse_audit_filter(
    *, user: str = "", action: str = "", project: str = "", date_from: str = "", date_to: str = ""
) -> AuditFilter:
    """The filter from the text a person typed; :class:`InvalidFilter` names each field that
    is not valid and what it must be. Empty text means any."""
    problems: list[FilterProblem] = []
    who = user.strip().lower() or None
    if who is not None and (len(who) > MAX_USER or not who.isprintable()):
        who = None
        problems.append(
            FilterProblem(
                "user",
                f"an e-mail address as the log shows it, or 'system' (at most {MAX_USER} "
                "characters, no control characters)",
            )
        )
    what = action.strip() or None
    if what is not None and (len(what) > MAX_ACTION or not _ACTION.fullmatch(what)):
        what = None
        problems.append(
            FilterProblem(
                "action",
                f"an action as the log names it, e.g. settings_changed (lower-case letters, "
                f"digits and _, at most {MAX_ACTION} characters)",
            )
        )
    project_id: int | None = None
    text = project.strip()
    if text:
        if (
            text.isascii()
            and text.isdigit()
            and len(text) <= 16
            and 1 <= int(text) <= MAX_PROJECT_ID
        ):
            project_id = int(text)
        else:
            problems.append(
                FilterProblem(
                    "project",
                    f"a Procore project id: a whole number from 1 to {MAX_PROJECT_ID}",
                )
            )
    first = _day(date_from, "from", problems)
    last = _day(date_to, "to", problems)
    if first is not None and last is not None and first > last:
        problems.append(
            FilterProblem("to", "a day on or after the From day: swap the two days, or clear one")
        )
    if problems:
        raise InvalidFilter(problems)
    return AuditFilter(who, what, project_id, first, last)


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditPage:
    filter: AuditFilter
    items: list[AuditRow]
    next_before_id: int | None
    """Pass as ``before_id`` for the next (older) page; None on the last page."""


@dataclass(frozen=True, slots=True)
class AuditChoices:
    """The people and actions the log holds (for the filters' pickers)."""

    users: list[str]
    actions: list[str]


def _row(entry: AuditEntry) -> AuditRow:
    return AuditRow(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        detail=dict(entry.detail or {}),
    )


def _read(
    ctx: AppContext, actor: Actor, found: AuditFilter, *, limit: int, before_id: int | None
) -> list[AuditRow]:
    entries = queries.audit_page(
        ctx,
        actor,
        limit=limit,
        before_id=before_id,
        action=found.action,
        actor_email=found.user,
        project_id=found.project_id,
        since=found.since,
        until=found.until,
    )
    return [_row(e) for e in entries]


def audit_page(
    ctx: AppContext,
    actor: Actor,
    found: AuditFilter,
    *,
    before_id: int | None = None,
    per_page: int = PER_PAGE,
) -> AuditPage:
    """Newest first, ``per_page`` entries older than ``before_id``."""
    if not 1 <= per_page < queries.MAX_PAGE:
        raise ValueError(f"per_page must be 1-{queries.MAX_PAGE - 1}")
    rows = _read(ctx, actor, found, limit=per_page + 1, before_id=before_id)
    more = len(rows) > per_page
    rows = rows[:per_page]
    return AuditPage(found, rows, rows[-1].id if more and rows else None)


def audit_export(ctx: AppContext, actor: Actor, found: AuditFilter) -> Iterator[AuditRow]:
    """Every entry the filter matches, newest first, read :data:`EXPORT_BATCH` at a time (one
    short transaction each, the permission checked again each time). The permission is checked
    before this returns, so a refusal comes before anything is sent."""
    require(ctx, actor, Action.VIEW_JOBS)

    def entries() -> Iterator[AuditRow]:
        before: int | None = None
        while True:
            batch = _read(ctx, actor, found, limit=EXPORT_BATCH, before_id=before)
            yield from batch
            if len(batch) < EXPORT_BATCH:
                return
            before = batch[-1].id

    return entries()


def audit_choices(ctx: AppContext, actor: Actor) -> AuditChoices:
    """Who appears in the log and which actions it holds, sorted, at most 500 of each."""
    require(ctx, actor, Action.VIEW_JOBS)
    with ctx.sessions.begin() as session:
        users = session.scalars(
            sa.select(AuditEntry.actor)
            .where(AuditEntry.company_id == ctx.company_id)
            .distinct()
            .order_by(AuditEntry.actor)
            .limit(_CHOICES)
        )
        actions = session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.company_id == ctx.company_id)
            .distinct()
            .order_by(AuditEntry.action)
            .limit(_CHOICES)
        )
        return AuditChoices(list(users), list(actions))
