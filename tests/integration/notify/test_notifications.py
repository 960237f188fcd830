"""The notification use cases: who is written to, what is queued, how often, and the send-mail
and daily-digest tasks on the job queue (with a real SMTP server on 127.0.0.1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.app.notifications import (
    accounting_approvers,
    queue_daily_digest,
    queue_rejection_mail,
    register_mail_tasks,
    set_digest_opt_out,
)
from procore_qb.domain.export_workflow import ExportItem, ExportState, QuickBooksLink
from procore_qb.domain.project import ProcoreProject
from procore_qb.jobs.clock import ManualClock
from procore_qb.jobs.embedded import EmbeddedJobQueue
from procore_qb.notify.addresses import MailAddress
from procore_qb.notify.smtp import SmtpConfig, SmtpSender
from procore_qb.store.errors import NotFound
from procore_qb.store.models import MailMessage
from procore_qb.store.repositories.mail import MailOutbox
from procore_qb.store.repositories.users import Users
from procore_qb.store.repositories.workflow import ExportItems

from .conftest import ADA, BEN, CARA, HOST, NOW, MailServer, reject, send_to_erp


def _mails(sessions: sessionmaker[Session], company_id: int, kind: str) -> list[MailMessage]:
    with sessions() as session:
        return list(reversed(MailOutbox(session).page(company_id, kind=kind)))


def _reject_and_queue(
    sessions: sessionmaker[Session],
    company_id: int,
    item: int,
    *,
    at: datetime,
    rejected_by: int | None = BEN,
    sent_by: int | None = CARA,
    comment: str = "Fix the address.",
) -> None:
    with sessions.begin() as session:
        if ExportItems(session).get(item).item.state in {
            ExportState.READY_TO_EXPORT,
            ExportState.READY_TO_UPDATE,
        }:
            reject(session, item, by=BEN, comment=comment, at=at)
        queue_rejection_mail(
            session,
            company_id=company_id,
            export_item_id=item,
            project_name="Riverside Clinic TI",
            comment=comment,
            rejected_by=rejected_by,
            sent_by=sent_by,
            now=at,
        )


def test_the_accounting_approvers_are_decided_by_the_accept_permission(
    sessions: sessionmaker[Session], company_id: int
) -> None:
    with sessions() as session:
        approvers = accounting_approvers(session, company_id)
    # Not Cara (no ERP access), Dan (no 'Can Push to Accounting') or Eve (Read Only).
    assert [user.procore_user_id for user in approvers] == [ADA, BEN]


def test_a_rejection_is_queued_once_per_item_and_rejection_time(
    sessions: sessionmaker[Session], company_id: int
) -> None:
    item = send_to_erp(sessions, company_id, 9001, "Riverside Clinic TI", at=NOW)
    _reject_and_queue(sessions, company_id, item, at=NOW)
    _reject_and_queue(sessions, company_id, item, at=NOW)  # the same rejection again
    (mail,) = _mails(sessions, company_id, "rejection")
    assert mail.recipients == ["cara@summit.example", "ada@summit.example", "ben@summit.example"]
    assert mail.state == "pending"
    assert mail.subject == "ERP Project Rejection Notification: Riverside Clinic TI"
    assert "by Ben Okafor" in mail.body
    # Re-sent, rejected again later: a second notice.
    later = NOW + timedelta(hours=2)
    _resend(sessions, item, at=later)
    _reject_and_queue(sessions, company_id, item, at=later + timedelta(minutes=5))
    assert len(_mails(sessions, company_id, "rejection")) == 2


def _resend(sessions: sessionmaker[Session], item_id: int, *, at: datetime) -> None:
    with sessions.begin() as session:
        items = ExportItems(session)
        stored = items.get(item_id)
        project = ProcoreProject(
            id=stored.item.project_id, company_id=stored.item.company_id, name="Riverside Clinic TI"
        )
        items.save(
            stored.item.resend(project, by=CARA, at=at),
            action="resend",
            from_state=stored.item.state,
            now=at,
            actor=CARA,
            expected_version=stored.version,
        )


def test_a_rejection_by_nobody_known_and_a_sender_who_is_also_an_approver(
    sessions: sessionmaker[Session], company_id: int
) -> None:
    item = send_to_erp(sessions, company_id, 9002, "Harbor View Lofts", at=NOW)
    _reject_and_queue(sessions, company_id, item, at=NOW, rejected_by=None, sent_by=ADA)
    (mail,) = _mails(sessions, company_id, "rejection")
    assert mail.recipients == ["ada@summit.example", "ben@summit.example"]
    assert "by an accounting approver" in mail.body


def test_users_without_a_usable_address_are_left_out(
    sessions: sessionmaker[Session], company_id: int
) -> None:
    with sessions.begin() as session:
        users = Users(session)
        users.upsert(company_id, procore_user_id=CARA, email="cara at summit", name="Cara")
    item = send_to_erp(sessions, company_id, 9003, "Riverside Clinic TI", at=NOW)
    _reject_and_queue(sessions, company_id, item, at=NOW)
    (mail,) = _mails(sessions, company_id, "rejection")
    assert mail.recipients == ["ada@summit.example", "ben@summit.example"]


def test_the_daily_summary_goes_to_each_approver_once_a_day_while_something_waits(
    sessions: sessionmaker[Session], company_id: int
) -> None:
    with sessions.begin() as session:
        assert queue_daily_digest(session, company_id=company_id, now=NOW) == 0
    send_to_erp(sessions, company_id, 9001, "Riverside Clinic TI", at=NOW - timedelta(days=2))
    send_to_erp(sessions, company_id, 9002, "Harbor View Lofts", at=NOW - timedelta(hours=3))
    with sessions.begin() as session:
        assert queue_daily_digest(session, company_id=company_id, now=NOW) == 2
    with sessions.begin() as session:
        # The same day, later: nothing new.
        later = NOW + timedelta(hours=14)
        assert queue_daily_digest(session, company_id=company_id, now=later) == 0
    mails = _mails(sessions, company_id, "digest")
    assert [mail.recipients for mail in mails] == [["ada@summit.example"], ["ben@summit.example"]]
    body = mails[1].body
    assert body.startswith("Hello Ben Okafor,")
    assert "  - Riverside Clinic TI, sent by Cara Lopez, waiting 2 days" in body
    assert "  - Harbor View Lofts, sent by Cara Lopez, waiting 3 hours" in body

    # Ben opts out; the next day only Ada gets it.
    with sessions.begin() as session:
        set_digest_opt_out(session, company_id=company_id, procore_user_id=BEN, opt_out=True)
    next_day = datetime(2026, 11, 3, 0, 0, tzinfo=UTC)
    with sessions.begin() as session:
        assert queue_daily_digest(session, company_id=company_id, now=next_day) == 1
    assert [m.recipients for m in _mails(sessions, company_id, "digest")][-1] == [
        "ada@summit.example"
    ]
    # And back in.
    with sessions.begin() as session:
        set_digest_opt_out(session, company_id=company_id, procore_user_id=BEN, opt_out=False)
        assert queue_daily_digest(session, company_id=company_id, now=next_day) == 1


def test_opting_out_an_unknown_user_is_refused(
    sessions: sessionmaker[Session], company_id: int
) -> None:
    with sessions.begin() as session, pytest.raises(NotFound, match="Procore id 999"):
        set_digest_opt_out(session, company_id=company_id, procore_user_id=999, opt_out=True)


def test_the_mail_tasks_queue_and_send_the_daily_summary(
    sessions: sessionmaker[Session], company_id: int, smtp_server: MailServer
) -> None:
    send_to_erp(sessions, company_id, 9001, "Riverside Clinic TI", at=NOW)
    # One second after midnight: both the daily and the every-minute schedule are due.
    clock = ManualClock(datetime(2026, 11, 3, 0, 0, 1, tzinfo=UTC))
    engine = sessions.kw["bind"]
    queue = EmbeddedJobQueue(engine, clock=clock, poll_interval=0.05)
    sender = SmtpSender(
        SmtpConfig(
            host=HOST,
            port=smtp_server.port,
            from_address=MailAddress("erp@summit.example"),
            security="none",
        )
    )
    register_mail_tasks(queue, sessions=sessions, sender_factory=lambda: sender, clock=clock)
    first = queue.run_until_idle()
    assert first.failed == 0
    assert len(_mails(sessions, company_id, "digest")) == 2
    # Whatever the first send-mail run found, the next minute's run sends the rest.
    clock.advance(timedelta(minutes=1))
    queue.run_until_idle()
    received = sorted(tuple(m.rcpt_tos) for m in smtp_server.recorder.messages)
    assert received == [("ada@summit.example",), ("ben@summit.example",)]
    subjects = {
        message_from_bytes(m.data, policy=policy.default)["Subject"]
        for m in smtp_server.recorder.messages
    }
    assert subjects == {"ERP Integrations Daily Summary: 1 project waiting for approval"}
    assert {m.state for m in _mails(sessions, company_id, "digest")} == {"sent"}
    # A day later the summary runs again, still once per approver.
    clock.advance(timedelta(days=1))
    queue.run_until_idle()
    assert len(_mails(sessions, company_id, "digest")) == 4


def test_without_a_mail_server_the_tasks_hold_the_mail(
    sessions: sessionmaker[Session], company_id: int
) -> None:
    send_to_erp(sessions, company_id, 9001, "Riverside Clinic TI", at=NOW)
    clock = ManualClock(datetime(2026, 11, 3, 0, 0, 1, tzinfo=UTC))
    queue = EmbeddedJobQueue(sessions.kw["bind"], clock=clock, poll_interval=0.05)
    register_mail_tasks(queue, sessions=sessions, sender_factory=lambda: None, clock=clock)
    queue.run_until_idle()
    clock.advance(timedelta(minutes=1))
    queue.run_until_idle()
    assert {m.state for m in _mails(sessions, company_id, "digest")} == {"held"}


def test_a_rejected_update_says_the_quickbooks_job_is_unchanged(
    sessions: sessionmaker[Session], company_id: int
) -> None:
    with sessions.begin() as session:
        linked = ExportItem.linked(
            project_id=9004,
            company_id=company_id,
            quickbooks=QuickBooksLink(job_id="80000004-1", full_name="Harbor:Lofts", version="7"),
            at=NOW,
        )
        item = (
            ExportItems(session)
            .save(
                linked,
                action="link",
                from_state=ExportState.UNSYNCED,
                now=NOW,
                actor=ADA,
                expected_version=None,
            )
            .id
        )
    _resend(sessions, item, at=NOW)
    _reject_and_queue(sessions, company_id, item, at=NOW + timedelta(minutes=1))
    with sessions() as session:
        assert ExportItems(session).get(item).item.state is ExportState.SYNCED
    (mail,) = _mails(sessions, company_id, "rejection")
    assert "the update of the project was rejected" in mail.body
    assert "The QuickBooks job keeps the values it had before this update." in mail.body
