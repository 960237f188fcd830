"""The ``qb_commands`` outbox: QuickBooks work recorded with the state change that needs it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base, JSONType

__all__ = ["QbCommand"]


class QbCommand(Base):
    """One command of :mod:`procore_qb.domain.commands`.

        ``state``: ``pending`` (not yet handed to QuickBooks), ``in_flight`` (handed out, no answer
        yet), ``done`` or ``failed``. ``needs_lookup`` marks a command whose outcome is unknown
        (handed out, answer lost): its driver must look the object up before issuing it again,
    among what changed since ``first_attempt_at``.
        ``subject_type``/``subject_id`` name what the result is for (an export item, an import
        refresh, ...), so one handler can route it. Idempotency keys are unique per company: two
        companies may use the same key without ever seeing each other's command.
    """

    __tablename__ = "qb_commands"
    __table_args__ = (
        sa.CheckConstraint("state IN ('pending', 'in_flight', 'done', 'failed')", name="state"),
        sa.Index(None, "company_id", "state", "id"),
        sa.UniqueConstraint("company_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(sa.String(36))
    kind: Mapped[str] = mapped_column(sa.String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(sa.String(16), default="pending")
    subject_type: Mapped[str | None] = mapped_column(sa.String(32))
    subject_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    attempts: Mapped[int] = mapped_column(default=0)
    needs_lookup: Mapped[bool] = mapped_column(default=False)
    handed_out_at: Mapped[datetime | None]
    first_attempt_at: Mapped[datetime | None]
    """When the command was first handed out; a look-up after a lost answer searches what
    QuickBooks changed since then."""
    handed_out_to: Mapped[str | None] = mapped_column(sa.String(64))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    error_code: Mapped[str | None] = mapped_column(sa.String(32))
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
