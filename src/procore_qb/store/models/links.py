"""The pairing of a Procore record with a QuickBooks record."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base

__all__ = ["RecordLink"]


class RecordLink(Base):
    """``kind`` says what is paired: ``project_job``, ``cost_code_item``, ``vendor``, ...

    Each side is linked at most once per kind: this is what stops two records that exist
    separately from being merged silently. ``qb_version`` is the EditSequence (Desktop) or
    SyncToken (Online) last seen, sent back on the next update.
    """

    __tablename__ = "record_links"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "kind", "procore_id"),
        sa.UniqueConstraint("company_id", "kind", "qb_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    procore_id: Mapped[int] = mapped_column(sa.BigInteger)
    qb_id: Mapped[str] = mapped_column(sa.String(64))
    qb_full_name: Mapped[str] = mapped_column(sa.String(255), default="")
    qb_version: Mapped[str | None] = mapped_column(sa.String(32))
    linked_at: Mapped[datetime]
    updated_at: Mapped[datetime]
