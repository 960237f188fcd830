"""Mail about the approval workflow (spec/procore-workflow.md §3.10).

* *ERP Project Rejection Notification*: when an accounting approver rejects a project, one mail
  to the user who sent it and to the company's accounting approvers, queued in the rejecting
  transaction (:func:`queue_rejection_mail`).
* *ERP Integrations Daily Summary*: once a day, while anything waits in Ready to Export or Ready
  to Update, one mail to each accounting approver who has not opted out
  (:func:`queue_daily_digest`, :func:`set_digest_opt_out`).

Mail is queued in the ``mail_outbox`` table and handed to the mail server later by
:func:`deliver_mail` (the ``send-mail`` task, every minute), so a rejection never waits for, or
fails with, the mail server. Who is an accounting approver is decided by
:mod:`procore_qb.domain.permissions` (the requirement of :attr:`Action.ACCEPT`) from the
permissions cached from Procore.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from procore_qb.app.actors import cached_permissions
from procore_qb.domain.export_workflow import ExportState
from procore_qb.domain.permissions import Action, missing_for
from procore_qb.domain.times import require_aware
from procore_qb.jobs.clock import Clock
from procore_qb.jobs.port import JobContext, JobQueue
from procore_qb.notify.addresses import parse_address
from procore_qb.notify.delivery import (
    DeliveryReport,
    MailSender,
    OutgoingMail,
    deliver,
)
from procore_qb.notify.messages import WaitingProject, digest_mail, rejection_mail
from procore_qb.store.models import MailMessage, User
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.mail import MailOutbox
from procore_qb.store.repositories.users import Users
from procore_qb.store.repositories.workflow import ExportItems

__all__ = [
    "DAILY_DIGEST_TASK",
    "SEND_MAIL_TASK",
    "DeliveryReport",
    "SenderFactory",
    "accounting_approvers",
    "deliver_mail",
    "queue_daily_digest",
    "queue_rejection_mail",
    "register_mail_tasks",
    "set_digest_opt_out",
]

log = logging.getLogger(__name__)

SEND_MAIL_TASK = "send-mail"
DAILY_DIGEST_TASK = "daily-digest"
SEND_MAIL_EVERY = timedelta(minutes=1)
DAILY_DIGEST_EVERY = timedelta(days=1)
_WAITING = (ExportState.READY_TO_EXPORT, ExportState.READY_TO_UPDATE)

SenderFactory = Callable[[], MailSender | None]
"""Returns the mail sender to use now, or None when no mail server is configured."""


# ---------------------------------------------------------------------- who gets mail


def accounting_approvers(session: Session, company_id: int) -> list[User]:
    """The company's users who may accept projects for export, by their cached permissions."""
    users = Users(session)
    cached = users.company_permissions(company_id)
    return [
        user
        for user in users.in_company(company_id)
        if not missing_for(cached_permissions(user, cached.get(user.id, {})), Action.ACCEPT)
    ]


def _address(user: User) -> str | None:
    try:
        return parse_address(user.email).lower()
    except ValueError as exc:
        log.warning("no mail for Procore user %d: %s", user.procore_user_id, exc)
        return None


def _who(user: User | None) -> str:
    if user is None:
        return ""
    return user.name or user.email


# ---------------------------------------------------------------------- queueing


def queue_rejection_mail(
    session: Session,
    *,
    company_id: int,
    export_item_id: int,
    project_name: str,
    comment: str,
    rejected_by: int | None,
    sent_by: int | None,
    now: datetime,
) -> None:
    """Queue the *ERP Project Rejection Notification* in the caller's transaction: to the user
    who sent the project (``sent_by``, a Procore user id) and every accounting approver. It
    names the project, who rejected it (``rejected_by``; None: the system) and the comment, and
    says what to do next. Queued once per item and rejection time, however often this runs.
    Users without a usable address are left out; with nobody to write to, nothing is queued."""
    require_aware(now)
    users = Users(session)
    sender = None if sent_by is None else users.by_procore_id(company_id, sent_by)
    rejecter = None if rejected_by is None else users.by_procore_id(company_id, rejected_by)
    recipients: dict[str, None] = {}
    for user in ([sender] if sender is not None else []) + accounting_approvers(
        session, company_id
    ):
        address = _address(user)
        if address is not None:
            recipients.setdefault(address)
    if not recipients:
        log.warning(
            "rejection of export item %d: no user with an address to notify", export_item_id
        )
        return
    stored = ExportItems(session).get(export_item_id)
    if stored.item.company_id != company_id:
        raise ValueError(f"export item {export_item_id} is not in company {company_id}")
    content = rejection_mail(
        project_name=project_name,
        rejected_by=_who(rejecter),
        comment=comment,
        rejected_at=now,
        # A rejected Re-send keeps the synced QuickBooks job (see domain.export_workflow).
        update=stored.item.in_quickbooks,
    )
    MailOutbox(session).queue(
        company_id,
        kind="rejection",
        dedupe_key=f"rejection:{export_item_id}:{now.astimezone(UTC).isoformat()}",
        recipients=list(recipients),
        subject=content.subject,
        body=content.body,
        now=now,
    )


def queue_daily_digest(session: Session, *, company_id: int, now: datetime) -> int:
    """Queue the *ERP Integrations Daily Summary* for each accounting approver who has not
    opted out, while any project waits in Ready to Export or Ready to Update. At most one per
    approver per UTC day, however often this runs. Returns how many were queued now."""
    require_aware(now)
    waiting = ExportItems(session).in_states(company_id, _WAITING)
    if not waiting:
        return 0
    users = Users(session)
    senders = {user.procore_user_id: user for user in users.in_company(company_id)}
    projects = []
    for stored in waiting:
        item = stored.item
        name = item.snapshot.name if item.snapshot is not None else f"project {item.project_id}"
        sent_by = None if item.sent_by is None else senders.get(item.sent_by)
        projects.append(
            WaitingProject(
                name=name,
                state=item.state,
                sent_by=_who(sent_by),
                sent_at=item.sent_at or stored.updated_at,
            )
        )
    day = now.astimezone(UTC).date().isoformat()
    outbox = MailOutbox(session)
    queued = 0
    for approver in accounting_approvers(session, company_id):
        if approver.digest_opt_out:
            continue
        address = _address(approver)
        if address is None:
            continue
        content = digest_mail(recipient_name=approver.name, waiting=projects, now=now)
        _, created = outbox.queue(
            company_id,
            kind="digest",
            dedupe_key=f"digest:{day}:{approver.procore_user_id}",
            recipients=[address],
            subject=content.subject,
            body=content.body,
            now=now,
        )
        queued += created
    return queued


def set_digest_opt_out(
    session: Session, *, company_id: int, procore_user_id: int, opt_out: bool
) -> None:
    """Turn the daily summary off (``opt_out``) or back on for one user ("Subscribe to ERP
    digest emails"). Raises :class:`procore_qb.store.errors.NotFound` for an unknown user."""
    Users(session).set_digest_opt_out(company_id, procore_user_id, opt_out)


# ---------------------------------------------------------------------- delivery


def _outgoing(row: MailMessage) -> OutgoingMail:
    return OutgoingMail(
        id=row.id,
        company_id=row.company_id,
        recipients=tuple(row.recipients),
        subject=row.subject,
        body=row.body,
        dedupe_key=row.dedupe_key,
        attempts=row.attempts,
    )


@dataclass(frozen=True, slots=True)
class _CompanyOutbox:
    """The mail outbox of one company as :func:`procore_qb.notify.deliver` drains it: every
    call is a short transaction of its own."""

    sessions: sessionmaker[Session]
    company_id: int

    def claim(
        self, *, now: datetime, limit: int, lease: timedelta, include_held: bool
    ) -> Sequence[OutgoingMail]:
        with self.sessions.begin() as session:
            rows = MailOutbox(session).claim_due(
                self.company_id, now=now, limit=limit, lease=lease, include_held=include_held
            )
            return [_outgoing(row) for row in rows]

    def hold(self, *, now: datetime) -> int:
        with self.sessions.begin() as session:
            return MailOutbox(session).hold_pending(self.company_id)

    def mark_sent(self, mail_id: int, *, now: datetime, note: str | None) -> None:
        with self.sessions.begin() as session:
            MailOutbox(session).mark_sent(mail_id, now=now, note=note)

    def mark_retry(self, mail_id: int, *, now: datetime, error: str, retry_at: datetime) -> None:
        with self.sessions.begin() as session:
            MailOutbox(session).mark_retry(mail_id, now=now, error=error, retry_at=retry_at)

    def mark_failed(self, mail_id: int, *, now: datetime, error: str) -> None:
        with self.sessions.begin() as session:
            MailOutbox(session).mark_failed(mail_id, now=now, error=error)


def deliver_mail(
    sessions: sessionmaker[Session],
    sender: MailSender | None,
    *,
    company_id: int,
    now: datetime,
    limit: int = 50,
) -> DeliveryReport:
    """Hand up to ``limit`` due mails of the company to ``sender``; with no sender (no mail
    server configured) pending mail is held in the outbox. Short transactions only: none is
    open while the mail server is talked to."""
    return deliver(_CompanyOutbox(sessions, company_id), sender, now=now, limit=limit)


# ---------------------------------------------------------------------- background tasks


def register_mail_tasks(
    queue: JobQueue,
    *,
    sessions: sessionmaker[Session],
    sender_factory: SenderFactory,
    clock: Clock,
    company_ids: Iterable[int] | None = None,
) -> None:
    """Register the ``send-mail`` and ``daily-digest`` tasks (argument ``company_id``) and
    schedule them for each company (``company_ids``, or every company in the store): mail is
    sent every minute, the daily summary queued once a day at midnight UTC. Both run under the
    company's lock ``company:<id>``."""

    def send_mail(ctx: JobContext, *, company_id: int) -> None:
        report = deliver_mail(sessions, sender_factory(), company_id=company_id, now=clock())
        if report.sent or report.retried or report.failed or report.held:
            log.info("mail for company %d: %s", company_id, report)

    def daily_digest(ctx: JobContext, *, company_id: int) -> None:
        with sessions.begin() as session:
            queued = queue_daily_digest(session, company_id=company_id, now=clock())
        log.info("daily summary for company %d: %d mail(s) queued", company_id, queued)

    queue.register(SEND_MAIL_TASK, send_mail)
    queue.register(DAILY_DIGEST_TASK, daily_digest)
    if company_ids is None:
        with sessions() as session:
            company_ids = [company.id for company in Companies(session).all()]
    for company_id in company_ids:
        args: dict[str, Any] = {"company_id": company_id}
        lock = f"company:{company_id}"
        queue.schedule(
            f"{SEND_MAIL_TASK}:company-{company_id}",
            SEND_MAIL_TASK,
            every=SEND_MAIL_EVERY,
            args=args,
            lock=lock,
        )
        queue.schedule(
            f"{DAILY_DIGEST_TASK}:company-{company_id}",
            DAILY_DIGEST_TASK,
            every=DAILY_DIGEST_EVERY,
            args=args,
            lock=lock,
        )
