"""Mail from the outbox to a real SMTP server on 127.0.0.1: delivery, a server that is down,
STARTTLS, implicit TLS, logins, refusals, and mail held while no server is configured."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.app.notifications import deliver_mail, queue_rejection_mail
from procore_qb.notify.addresses import MailAddress
from procore_qb.notify.smtp import Security, SmtpConfig, SmtpSender
from procore_qb.store.models import MailMessage
from procore_qb.store.repositories.mail import MailOutbox

from .conftest import (
    BEN,
    CARA,
    HOST,
    NOW,
    Certificate,
    MailServer,
    Recorder,
    password_checker,
    reject,
    send_to_erp,
)

FROM = MailAddress("erp@summit.example", "Summit ERP")


def _sender(
    server: MailServer,
    security: Security = "none",
    *,
    username: str = "",
    password: str = "",
    certificate: Certificate | None = None,
) -> SmtpSender:
    return SmtpSender(
        SmtpConfig(
            host=HOST,
            port=server.port,
            from_address=FROM,
            security=security,
            username=username,
            password=password,
            timeout_seconds=10,
            ca_file=None if certificate is None else certificate.cert,
        )
    )


def _rejected(sessions: sessionmaker[Session], company_id: int, comment: str = "") -> int:
    """Cara's project rejected by Ben, with its rejection mail queued; returns the mail id."""
    item = send_to_erp(sessions, company_id, 9001, "Riverside Clinic TI", at=NOW)
    with sessions.begin() as session:
        reject(session, item, by=BEN, comment=comment, at=NOW)
        queue_rejection_mail(
            session,
            company_id=company_id,
            export_item_id=item,
            project_name="Riverside Clinic TI",
            comment=comment,
            rejected_by=BEN,
            sent_by=CARA,
            now=NOW,
        )
    with sessions() as session:
        (mail,) = MailOutbox(session).page(company_id)
        return mail.id


def _row(sessions: sessionmaker[Session], mail_id: int) -> MailMessage:
    with sessions() as session:
        return MailOutbox(session).get(mail_id)


def _parsed(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_the_rejection_notice_reaches_the_sender_and_the_approvers(
    sessions: sessionmaker[Session], company_id: int, smtp_server: MailServer
) -> None:
    mail = _rejected(sessions, company_id, "Add the suite number to the address.")
    report = deliver_mail(sessions, _sender(smtp_server), company_id=company_id, now=NOW)
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    (received,) = smtp_server.recorder.messages
    assert received.mail_from == "erp@summit.example"
    assert received.rcpt_tos == ["cara@summit.example", "ada@summit.example", "ben@summit.example"]
    message = _parsed(received.data)
    assert message["Subject"] == "ERP Project Rejection Notification: Riverside Clinic TI"
    assert message["From"] == "Summit ERP <erp@summit.example>"
    body = message.get_content()
    assert "rejected for export to QuickBooks by Ben Okafor" in body
    assert "    Add the suite number to the address." in body
    assert '"Re-send to ERP"' in body
    row = _row(sessions, mail)
    assert (row.state, row.attempts, row.sent_at, row.last_error) == ("sent", 1, NOW, None)
    # Nothing is sent twice.
    again = deliver_mail(sessions, _sender(smtp_server), company_id=company_id, now=NOW)
    assert again.sent == 0
    assert len(smtp_server.recorder.messages) == 1


def test_mail_waits_while_the_server_is_down_and_goes_out_when_it_is_back(
    sessions: sessionmaker[Session], company_id: int, smtp_server: MailServer
) -> None:
    mail = _rejected(sessions, company_id)
    smtp_server.stop()
    report = deliver_mail(sessions, _sender(smtp_server), company_id=company_id, now=NOW)
    assert (report.sent, report.retried) == (0, 1)
    assert report.error is not None
    assert f"cannot reach the mail server at {HOST}:{smtp_server.port}" in report.error
    row = _row(sessions, mail)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error == report.error
    assert row.next_attempt_at == NOW + timedelta(minutes=1)

    # Still down a minute later: the next wait is longer.
    later = NOW + timedelta(minutes=1)
    deliver_mail(sessions, _sender(smtp_server), company_id=company_id, now=later)
    row = _row(sessions, mail)
    assert (row.state, row.attempts, row.next_attempt_at) == (
        "pending",
        2,
        later + timedelta(minutes=2),
    )

    smtp_server.start()
    early = deliver_mail(
        sessions, _sender(smtp_server), company_id=company_id, now=later + timedelta(minutes=1)
    )
    assert early.sent == 0  # not yet due
    back = later + timedelta(minutes=2)
    report = deliver_mail(sessions, _sender(smtp_server), company_id=company_id, now=back)
    assert report.sent == 1
    assert len(smtp_server.recorder.messages) == 1
    row = _row(sessions, mail)
    assert (row.state, row.attempts, row.sent_at) == ("sent", 3, back)


def test_without_a_mail_server_mail_is_held_and_sent_once_one_is_configured(
    sessions: sessionmaker[Session], company_id: int, smtp_server: MailServer
) -> None:
    mail = _rejected(sessions, company_id)
    report = deliver_mail(sessions, None, company_id=company_id, now=NOW)
    assert report.held == 1
    with sessions() as session:
        (shown,) = MailOutbox(session).page(company_id, states=["held"])
        assert shown.id == mail
        assert shown.subject == "ERP Project Rejection Notification: Riverside Clinic TI"
    assert smtp_server.recorder.messages == []
    report = deliver_mail(sessions, _sender(smtp_server), company_id=company_id, now=NOW)
    assert report.sent == 1
    assert _row(sessions, mail).state == "sent"


def test_a_recipient_refused_for_good_fails_the_mail_with_the_servers_reply(
    sessions: sessionmaker[Session], company_id: int, smtp_server: MailServer
) -> None:
    everyone = ["cara@summit.example", "ada@summit.example", "ben@summit.example"]
    smtp_server.recorder.refuse = dict.fromkeys(everyone, "550 5.1.1 No such user here")
    mail = _rejected(sessions, company_id)
    report = deliver_mail(sessions, _sender(smtp_server), company_id=company_id, now=NOW)
    assert report.failed == 1
    row = _row(sessions, mail)
    assert row.state == "failed"
    assert row.last_error is not None
    assert "cara@summit.example: 550 5.1.1 No such user here" in row.last_error


def test_a_recipient_refused_for_now_is_tried_again(
    sessions: sessionmaker[Session], company_id: int, smtp_server: MailServer
) -> None:
    everyone = ["cara@summit.example", "ada@summit.example", "ben@summit.example"]
    smtp_server.recorder.refuse = dict.fromkeys(everyone, "451 4.3.0 Mailbox busy, try later")
    mail = _rejected(sessions, company_id)
    report = deliver_mail(sessions, _sender(smtp_server), company_id=company_id, now=NOW)
    assert report.retried == 1
    row = _row(sessions, mail)
    assert (row.state, row.next_attempt_at) == ("pending", NOW + timedelta(minutes=1))
    assert "451 4.3.0 Mailbox busy" in (row.last_error or "")


def test_one_refused_recipient_does_not_stop_the_others(
    sessions: sessionmaker[Session], company_id: int, smtp_server: MailServer
) -> None:
    smtp_server.recorder.refuse = {"ada@summit.example": "550 5.1.1 No such user here"}
    mail = _rejected(sessions, company_id)
    report = deliver_mail(sessions, _sender(smtp_server), company_id=company_id, now=NOW)
    assert report.sent == 1
    (received,) = smtp_server.recorder.messages
    assert received.rcpt_tos == ["cara@summit.example", "ben@summit.example"]
    row = _row(sessions, mail)
    assert row.state == "sent"
    assert row.last_error == "refused recipients: ada@summit.example: 550 5.1.1 No such user here"


@pytest.fixture
def tls_server(certificate: Certificate) -> MailServer:
    server = MailServer(
        Recorder(),
        {
            "tls_context": certificate.server_context(),
            "require_starttls": True,
            "authenticator": password_checker("procore-qb", "correct horse"),
            "auth_required": True,
        },
    )
    server.start()
    yield server  # type: ignore[misc]
    server.stop()


def test_starttls_and_a_login(
    sessions: sessionmaker[Session],
    company_id: int,
    tls_server: MailServer,
    certificate: Certificate,
) -> None:
    mail = _rejected(sessions, company_id)
    sender = _sender(
        tls_server,
        "starttls",
        username="procore-qb",
        password="correct horse",
        certificate=certificate,
    )
    assert "correct horse" not in repr(sender)
    report = deliver_mail(sessions, sender, company_id=company_id, now=NOW)
    assert report.sent == 1
    assert len(tls_server.recorder.messages) == 1
    assert _row(sessions, mail).state == "sent"


def test_a_refused_login_keeps_the_mail_and_never_shows_the_password(
    sessions: sessionmaker[Session],
    company_id: int,
    tls_server: MailServer,
    certificate: Certificate,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mail = _rejected(sessions, company_id)
    sender = _sender(
        tls_server,
        "starttls",
        username="procore-qb",
        password="wrong pony",
        certificate=certificate,
    )
    report = deliver_mail(sessions, sender, company_id=company_id, now=NOW)
    assert report.retried == 1
    assert report.error is not None
    assert "refused the login of 'procore-qb': 535" in report.error
    row = _row(sessions, mail)
    assert row.state == "pending"
    assert "wrong pony" not in (row.last_error or "")
    assert "wrong pony" not in caplog.text


def test_an_untrusted_certificate_stops_the_connection(
    sessions: sessionmaker[Session], company_id: int, tls_server: MailServer
) -> None:
    mail = _rejected(sessions, company_id)
    sender = _sender(tls_server, "starttls", username="procore-qb", password="correct horse")
    report = deliver_mail(sessions, sender, company_id=company_id, now=NOW)
    assert report.retried == 1
    assert "CERTIFICATE_VERIFY_FAILED" in (report.error or "")
    assert _row(sessions, mail).state == "pending"
    assert tls_server.recorder.messages == []


def test_starttls_is_required_when_configured(
    sessions: sessionmaker[Session], company_id: int, smtp_server: MailServer
) -> None:
    mail = _rejected(sessions, company_id)
    report = deliver_mail(
        sessions, _sender(smtp_server, "starttls"), company_id=company_id, now=NOW
    )
    assert report.retried == 1
    assert "does not offer STARTTLS" in (report.error or "")
    assert _row(sessions, mail).state == "pending"
    assert smtp_server.recorder.messages == []


def test_implicit_tls(
    sessions: sessionmaker[Session], company_id: int, certificate: Certificate
) -> None:
    server = MailServer(Recorder(), {"ssl_context": certificate.server_context()})
    server.start()
    try:
        mail = _rejected(sessions, company_id)
        sender = _sender(server, "ssl", certificate=certificate)
        report = deliver_mail(sessions, sender, company_id=company_id, now=NOW)
        assert report.sent == 1
        assert len(server.recorder.messages) == 1
        assert _row(sessions, mail).state == "sent"
    finally:
        server.stop()
