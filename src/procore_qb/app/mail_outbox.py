"""What the Outbox page reads: the company's mail as :mod:`procore_qb.app.notifications` queued
it and delivery left it (pending, held, sent, failed), a page at a time, and one message in
full.

The outbox holds mail to every approver and sender, so reading it needs 'Admin' on ERP
Integrations (spec §4 "Configure settings"; the daily summary and rejection notices go to
accounting approvers, spec §3.10).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from procore_qb.app.actors import Actor, require
from procore_qb.app.context import AppContext, MailServer
from procore_qb.app.errors import NotFound
from procore_qb.domain.permissions import Action
from procore_qb.store.models import MAIL_STATES, MailMessage
from procore_qb.store.repositories.mail import MailOutbox

__all__ = [
    "MAIL_STATES",
    "PER_PAGE",
    "MailPage",
    "MailRow",
    "outbox_message",
    "outbox_page",
]

PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_ID = 2**62


@dataclass(frozen=True, slots=True)
class MailRow:
    """One mail; ``body`` is empty in lists (read it with :func:`outbox_message`)."""

    id: int
    kind: str
    recipients: tuple[str, ...]
    subject: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None
    body: str = ""


@dataclass(frozen=True, slots=True)
class MailPage:
    state: str | None
    items: list[MailRow]
    counts: dict[str, int]
    """How many mails are in each state (all of them, zero included)."""
    next_before_id: int | None
    mail_server: MailServer | None
    """Where mail goes; None: no mail server is configured, mail is held here."""


def _row(row: MailMessage, *, body: bool) -> MailRow:
    return MailRow(
        id=row.id,
        kind=row.kind,
        recipients=tuple(row.recipients),
        subject=row.subject,
        state=row.state,
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
        next_attempt_at=row.next_attempt_at,
        body=row.body if body else "",
    )


def outbox_page(
    ctx: AppContext,
    actor: Actor,
    *,
    state: str | None = None,
    before_id: int | None = None,
    per_page: int = PER_PAGE,
) -> MailPage:
    """Newest first, in ``state`` (None: every state), older than ``before_id``."""
    require(ctx, actor, Action.CONFIGURE)
    if state is not None and state not in MAIL_STATES:
        raise ValueError(f"state must be one of {', '.join(MAIL_STATES)}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be 1-{MAX_PER_PAGE}")
    if before_id is not None and not 1 <= before_id <= MAX_ID:
        raise ValueError(f"before_id must be 1-{MAX_ID}")
    with ctx.sessions.begin() as session:
        outbox = MailOutbox(session)
        rows = outbox.page(
            ctx.company_id,
            states=None if state is None else [state],
            limit=per_page + 1,
            before_id=before_id,
        )
        counts = outbox.counts(ctx.company_id)
        items = [_row(r, body=False) for r in rows[:per_page]]
    more = len(rows) > per_page
    return MailPage(state, items, counts, items[-1].id if more and items else None, ctx.mail)


def outbox_message(ctx: AppContext, actor: Actor, mail_id: int) -> MailRow:
    """One mail of the company with its body."""
    require(ctx, actor, Action.CONFIGURE)
    with ctx.sessions.begin() as session:
        row = session.get(MailMessage, mail_id) if 1 <= mail_id <= MAX_ID else None
        if row is None or row.company_id != ctx.company_id:
            raise NotFound(f"there is no mail {mail_id} in the outbox")
        return _row(row, body=True)
