"""What the dashboard shows: for the job list and the cost code list their last and next sync,
the items waiting under each Jobs tab filter, the failures of the last day, the health of the
QuickBooks connection (the Web Connector's last contact, last error and queue on Desktop; the
OAuth tokens on Online) and the throughput of recent runs.

Read in one transaction with a fixed number of queries, however many items, commands and
sessions there are (``tests/integration/web/pages/test_dashboard.py`` counts them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.app import queries
from procore_qb.app.actors import Actor, require
from procore_qb.app.company import load_settings
from procore_qb.app.context import AppContext
from procore_qb.app.refresh import status_in
from procore_qb.app.setup import COST_CODE_LIST_SUBJECT
from procore_qb.domain.permissions import Action
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.quickbooks.online.oauth import realm_subject
from procore_qb.store.models import (
    Company,
    Connection,
    ExportEvent,
    ExportItem,
    QbCommand,
    QbwcConnectionError,
    QbwcSession,
)
from procore_qb.store.repositories.connections import QUICKBOOKS_ONLINE

__all__ = [
    "DAY",
    "RECENT",
    "Dashboard",
    "Failure",
    "ListSync",
    "OnlineHealth",
    "Throughput",
    "WebConnectorHealth",
    "WebConnectorRun",
    "dashboard",
]

DAY = timedelta(days=1)
RECENT = 5
"""How many recent failures and Web Connector runs are listed."""
QUIET_AFTER = timedelta(hours=2)
"""A Web Connector not heard from for this long is reported as not running."""
REFRESH_TOKEN_WARNING = timedelta(days=14)
"""QuickBooks Online refresh tokens expire after about 100 days unused: warn this early."""


@dataclass(frozen=True, slots=True)
class ListSync:
    """One list kept in sync: when it last came back, when it was asked for, when next."""

    name: str
    last_at: datetime | None
    requested_at: datetime | None
    next_at: datetime | None
    schedule: str
    """In words: "hourly", "on demand", ..."""
    waiting: bool
    """Asked for and not answered yet."""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    name: str
    error: str
    at: datetime
    item_id: str


@dataclass(frozen=True, slots=True)
class WebConnectorRun:
    started_at: datetime
    last_seen_at: datetime
    completed: int
    """QuickBooks requests answered in the run."""
    state: str
    error: str | None

    @property
    def seconds(self) -> float:
        return max((self.last_seen_at - self.started_at).total_seconds(), 0.0)


@dataclass(frozen=True, slots=True)
class WebConnectorHealth:
    last_contact_at: datetime | None
    company_file: str
    last_error: str | None
    last_error_at: datetime | None
    queue: int
    """Commands waiting for its next run (pending or handed out without an answer)."""
    runs: tuple[WebConnectorRun, ...]
    status: str
    """"ok", "quiet" (not heard from for a while), "error" (its last run failed) or "never"."""


@dataclass(frozen=True, slots=True)
class OnlineHealth:
    realm_id: str | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    refreshed_at: datetime | None
    queue: int
    status: str
    """"ok", "expiring" (the refresh token runs out soon), "expired" or "not_connected"."""


@dataclass(frozen=True, slots=True)
class Throughput:
    completed_last_hour: int
    completed_last_day: int
    failed_last_day: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    now: datetime
    edition: QuickBooksEdition
    counts: dict[str, int]
    """Items under each Jobs tab filter (``queries.JobFilter`` values)."""
    lists: tuple[ListSync, ...]
    failed_exports_last_day: int
    recent_failures: tuple[Failure, ...]
    throughput: Throughput
    webconnector: WebConnectorHealth | None
    online: OnlineHealth | None


def _schedule_words(every: timedelta | None) -> str:
    if every is None:
        return "on demand only"
    hours = every.total_seconds() / 3600
    if hours == 1:
        return "hourly"
    if hours == 24:
        return "daily"
    return f"every {hours:g} hours"


def _jobs_list(session: Session, company_id: int) -> ListSync:
    every = load_settings(session, company_id).job_list_schedule.every
    status = status_in(session, company_id)
    nxt = None
    if every is not None:
        base = status.requested_at or status.refreshed_at
        nxt = None if base is None else base + every
    return ListSync(
        "QuickBooks job list",
        status.refreshed_at,
        status.requested_at,
        nxt,
        _schedule_words(every),
        status.waiting,
    )


def _cost_code_list(session: Session, company_id: int) -> ListSync:
    """The cost code list is built on connect and on demand (Settings): its last request and
    last success are its ``QueryItems`` commands."""
    mine = (QbCommand.company_id == company_id) & (QbCommand.subject_type == COST_CODE_LIST_SUBJECT)
    last_done = session.scalar(
        sa.select(sa.func.max(QbCommand.completed_at)).where(mine, QbCommand.state == "done")
    )
    latest = session.execute(
        sa.select(QbCommand.state, QbCommand.created_at, QbCommand.error_message)
        .where(mine)
        .order_by(QbCommand.id.desc())
        .limit(1)
    ).first()
    waiting = latest is not None and latest.state in ("pending", "in_flight")
    error = latest.error_message if latest is not None and latest.state == "failed" else None
    return ListSync(
        "QuickBooks Standard Cost Codes",
        last_done,
        None if latest is None else latest.created_at,
        None,
        _schedule_words(None),
        waiting,
        error,
    )


def _failures(session: Session, company_id: int, since: datetime) -> tuple[int, list[Failure]]:
    count = session.scalar(
        sa.select(sa.func.count())
        .select_from(ExportEvent)
        .join(ExportItem, ExportItem.id == ExportEvent.export_item_id)
        .where(
            ExportItem.company_id == company_id,
            ExportEvent.to_state == "failed_to_export",
            ExportEvent.at >= since,
        )
    )
    rows = session.scalars(
        sa.select(ExportItem)
        .where(ExportItem.company_id == company_id, ExportItem.state == "failed_to_export")
        .order_by(ExportItem.updated_at.desc(), ExportItem.id.desc())
        .limit(RECENT)
    ).all()
    recent = [
        Failure(
            str(
                (r.snapshot or {}).get("name")
                or r.qb_full_name
                or f"project {r.procore_project_id}"
            ),
            r.error or "",
            r.updated_at,
            f"export-{r.id}",
        )
        for r in rows
    ]
    return int(count or 0), recent


def _commands(session: Session, company_id: int, now: datetime) -> tuple[int, Throughput]:
    """Commands waiting, and those completed or failed lately: one aggregate query."""
    hour, day = now - timedelta(hours=1), now - DAY

    def total(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    row = session.execute(
        sa.select(
            total(QbCommand.state.in_(("pending", "in_flight"))),
            total((QbCommand.state == "done") & (QbCommand.completed_at >= hour)),
            total((QbCommand.state == "done") & (QbCommand.completed_at >= day)),
            total((QbCommand.state == "failed") & (QbCommand.completed_at >= day)),
        ).where(
            QbCommand.company_id == company_id,
            QbCommand.state.in_(("pending", "in_flight")) | (QbCommand.completed_at >= day),
        )
    ).one()
    waiting, last_hour, last_day, failed = (int(v or 0) for v in row)
    return waiting, Throughput(last_hour, last_day, failed)


def _webconnector(
    session: Session, company_id: int, now: datetime, queue: int
) -> WebConnectorHealth:
    sessions = session.scalars(
        sa.select(QbwcSession)
        .where(QbwcSession.company_id == company_id)
        .order_by(QbwcSession.created_at.desc())
        .limit(RECENT)
    ).all()
    error = session.scalars(
        sa.select(QbwcConnectionError)
        .where(QbwcConnectionError.company_id == company_id)
        .order_by(QbwcConnectionError.id.desc())
        .limit(1)
    ).first()
    runs = tuple(
        WebConnectorRun(s.created_at, s.last_seen_at, s.completed, s.state, s.last_error)
        for s in sessions
    )
    last = max(sessions, key=lambda s: s.last_seen_at, default=None)
    last_error, last_error_at = (None, None)
    if last is not None and last.last_error:
        last_error, last_error_at = last.last_error, last.last_seen_at
    if error is not None and (last_error_at is None or error.created_at > last_error_at):
        last_error, last_error_at = error.message or error.hresult, error.created_at
    if last is None:
        status = "never"
    elif last_error_at is not None and last_error_at >= last.last_seen_at:
        status = "error"
    elif now - last.last_seen_at > QUIET_AFTER:
        status = "quiet"
    else:
        status = "ok"
    return WebConnectorHealth(
        None if last is None else last.last_seen_at,
        "" if last is None else last.company_file,
        last_error,
        last_error_at,
        queue,
        runs,
        status,
    )


def _online(session: Session, company_id: int, now: datetime, queue: int) -> OnlineHealth:
    realm = session.scalar(sa.select(Company.qb_realm_id).where(Company.id == company_id))
    row = None
    if realm:
        row = session.execute(
            sa.select(
                Connection.access_expires_at, Connection.refresh_expires_at, Connection.updated_at
            ).where(
                Connection.company_id == company_id,
                Connection.provider == QUICKBOOKS_ONLINE,
                Connection.subject == realm_subject(realm),
            )
        ).first()
    if not realm or row is None:
        return OnlineHealth(realm or None, None, None, None, queue, "not_connected")
    refresh_expires = row.refresh_expires_at
    if refresh_expires is not None and refresh_expires <= now:
        status = "expired"
    elif refresh_expires is not None and refresh_expires - now <= REFRESH_TOKEN_WARNING:
        status = "expiring"
    else:
        status = "ok"
    return OnlineHealth(
        realm, row.access_expires_at, refresh_expires, row.updated_at, queue, status
    )


def dashboard(ctx: AppContext, actor: Actor) -> Dashboard:
    """The dashboard's figures; needs access to the ERP Integrations tool (any level)."""
    require(ctx, actor, Action.VIEW_JOBS)
    now = ctx.now()
    with ctx.sessions.begin() as session:
        counts = queries.filter_counts(session, ctx.company_id)
        lists = (_jobs_list(session, ctx.company_id), _cost_code_list(session, ctx.company_id))
        failed, recent = _failures(session, ctx.company_id, now - DAY)
        queue, throughput = _commands(session, ctx.company_id, now)
        desktop = ctx.edition is QuickBooksEdition.DESKTOP
        return Dashboard(
            now=now,
            edition=ctx.edition,
            counts=counts,
            lists=lists,
            failed_exports_last_day=failed,
            recent_failures=tuple(recent),
            throughput=throughput,
            webconnector=_webconnector(session, ctx.company_id, now, queue) if desktop else None,
            online=None if desktop else _online(session, ctx.company_id, now, queue),
        )
