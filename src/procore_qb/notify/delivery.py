"""Draining the mail outbox: hand pending mail to the mail server in a bounded batch.

The outbox itself belongs to the caller (:class:`MailStore`; the store implements it), so this
module holds no database code. Each store call is expected to be its own short transaction: no
transaction stays open while the mail server is talked to.

What happens to a mail:

* no mail server configured (``sender`` is None): pending mail becomes ``held``. It stays in the
  outbox, shown on the Outbox page, and goes out once a server is configured;
* accepted by the server: ``sent`` (recipients the server refused while accepting the others are
  noted with its reply);
* refused for good (a 5xx reply): ``failed``, with the server's reply;
* anything transient (server down, a 4xx reply, the connection lost): back to ``pending``, tried
  again after a capped exponential delay, however long the server stays away.

A claimed mail is leased (``lease``): if the process dies while sending, the mail is claimed again
once the lease has run out. The mail may then arrive twice, never not at all; its Message-ID is
the same every time, so mail clients can tell.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Protocol

from procore_qb.domain.times import require_aware
from procore_qb.notify.addresses import MailAddress
from procore_qb.notify.errors import ConnectionFailed, DeliveryError, NotifyUsageError

__all__ = [
    "MAX_BATCH",
    "DeliveryReport",
    "MailConnection",
    "MailSender",
    "MailStore",
    "OutgoingMail",
    "build_message",
    "deliver",
    "retry_delay",
]

log = logging.getLogger(__name__)

MAX_BATCH = 500
DEFAULT_LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingMail:
    """A mail taken from the outbox to be sent. ``attempts`` counts the earlier attempts."""

    id: int
    company_id: int
    recipients: tuple[str, ...]
    subject: str
    body: str
    dedupe_key: str
    attempts: int = 0


class MailStore(Protocol):
    """The outbox of one company, as :func:`deliver` drains it. Every method is one short
    transaction of its own."""

    def claim(
        self, *, now: datetime, limit: int, lease: timedelta, include_held: bool
    ) -> Sequence[OutgoingMail]:
        """Up to ``limit`` due mails, oldest first, leased until ``now + lease``. Held mails
        are included when ``include_held``."""
        ...

    def hold(self, *, now: datetime) -> int:
        """Mark every pending mail held (no mail server is configured); return how many."""
        ...

    def mark_sent(self, mail_id: int, *, now: datetime, note: str | None) -> None: ...

    def mark_retry(self, mail_id: int, *, now: datetime, error: str, retry_at: datetime) -> None:
        """Back to pending, not to be claimed before ``retry_at``."""
        ...

    def mark_failed(self, mail_id: int, *, now: datetime, error: str) -> None: ...


class MailConnection(Protocol):
    def send(self, message: EmailMessage) -> dict[str, str]:
        """Hand over one message; return the refused recipients (address → reply)."""
        ...


class MailSender(Protocol):
    @property
    def from_address(self) -> MailAddress: ...

    def connect(self) -> AbstractContextManager[MailConnection]: ...


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one :func:`deliver` call did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    error: str | None = None
    """Why the mail server could not be used at all, when that happened."""


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, ... minutes, at most
    an hour."""
    if attempts < 1:
        raise NotifyUsageError(f"attempts={attempts}: pass the number of attempts made, from 1")
    if attempts > 7:  # 2**6 minutes is already past the cap
        return LONGEST_RETRY
    delay: timedelta = FIRST_RETRY * (1 << (attempts - 1))
    return min(delay, LONGEST_RETRY)


def build_message(mail: OutgoingMail, *, sender: MailAddress, now: datetime) -> EmailMessage:
    """The RFC 5322 message for ``mail``: plain UTF-8 text, dated ``now``, with a Message-ID
    that is the same on every attempt."""
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(display_name=sender.name, addr_spec=sender.address)
    message["To"] = ", ".join(mail.recipients)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(require_aware(now))
    digest = hashlib.sha256(f"{mail.company_id}:{mail.dedupe_key}".encode()).hexdigest()[:20]
    message["Message-ID"] = f"<procore-qb.{mail.id}.{digest}@{sender.domain}>"
    # Mail written by a program, not a person: auto-responders stay quiet (RFC 3834 §5).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body, charset="utf-8")
    return message


def deliver(
    store: MailStore,
    sender: MailSender | None,
    *,
    now: datetime,
    limit: int = 50,
    lease: timedelta = DEFAULT_LEASE,
) -> DeliveryReport:
    """Send up to ``limit`` due mails through ``sender``, or hold them when it is None."""
    require_aware(now)
    if not 1 <= limit <= MAX_BATCH:
        raise NotifyUsageError(f"limit={limit}: send between 1 and {MAX_BATCH} mails per batch")
    if sender is None:
        held = store.hold(now=now)
        if held:
            log.info("no mail server is configured: %d mail(s) held in the outbox", held)
        return DeliveryReport(held=held)
    batch = list(store.claim(now=now, limit=limit, lease=lease, include_held=True))
    if not batch:
        return DeliveryReport()
    sent = retried = failed = 0
    remaining = list(batch)
    try:
        with sender.connect() as connection:
            while remaining:
                mail = remaining[0]
                try:
                    message = build_message(mail, sender=sender.from_address, now=now)
                except (ValueError, TypeError) as exc:
                    remaining.pop(0)
                    store.mark_failed(mail.id, now=now, error=f"the mail cannot be written: {exc}")
                    failed += 1
                    continue
                try:
                    refused = connection.send(message)
                except ConnectionFailed:
                    raise
                except DeliveryError as exc:
                    remaining.pop(0)
                    if exc.transient:
                        _retry(store, mail, now, str(exc))
                        retried += 1
                    else:
                        log.warning("mail %d refused for good: %s", mail.id, exc)
                        store.mark_failed(mail.id, now=now, error=str(exc))
                        failed += 1
                    continue
                remaining.pop(0)
                note = None
                if refused:
                    note = "refused recipients: " + "; ".join(
                        f"{address}: {reply}" for address, reply in sorted(refused.items())
                    )
                store.mark_sent(mail.id, now=now, note=note)
                sent += 1
    except ConnectionFailed as exc:
        log.warning("mail server unavailable, %d mail(s) kept for later: %s", len(remaining), exc)
        for mail in remaining:
            _retry(store, mail, now, str(exc))
        return DeliveryReport(
            sent=sent, retried=retried + len(remaining), failed=failed, error=str(exc)
        )
    return DeliveryReport(sent=sent, retried=retried, failed=failed)


def _retry(store: MailStore, mail: OutgoingMail, now: datetime, error: str) -> None:
    store.mark_retry(mail.id, now=now, error=error, retry_at=now + retry_delay(mail.attempts + 1))
