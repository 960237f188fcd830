"""The append-only audit log. Migrations add triggers that refuse UPDATE and DELETE."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base, JSONType

__all__ = ["AuditEntry"]


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index(None, "company_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    company_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="SET NULL")
    )
    actor: Mapped[str] = mapped_column(sa.String(255))
    action: Mapped[str] = mapped_column(sa.String(64))
    subject_type: Mapped[str] = mapped_column(sa.String(32), default="")
    subject_id: Mapped[str] = mapped_column(sa.String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
