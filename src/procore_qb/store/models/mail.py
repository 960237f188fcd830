"""The ``mail_outbox`` table: every mail procore-qb means to send, recorded in the transaction
that decided it, then handed to the mail server by :mod:`procore_qb.notify`."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base, JSONType

__all__ = ["MAIL_STATES", "MailMessage"]

MAIL_STATES = ("pending", "sent", "held", "failed")


class MailMessage(Base):
    """One mail to one or more recipients.

    ``state``: ``pending`` (to be sent, not before ``next_attempt_at`` when set), ``sent``,
    ``held`` (no mail server is configured: kept and shown, sent once one is) or ``failed`` (the
    server refused it for good; ``last_error`` has its reply). ``dedupe_key`` is unique per
    company, so a use case run twice never queues the same mail twice. ``kind`` tells what the
    mail is for: ``rejection``, ``digest``, ...
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "dedupe_key"),
        sa.CheckConstraint("state IN ('pending', 'sent', 'held', 'failed')", name="state"),
        sa.Index(None, "company_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    dedupe_key: Mapped[str] = mapped_column(sa.String(200))
    recipients: Mapped[list[str]] = mapped_column(JSONType)
    subject: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
