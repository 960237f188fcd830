"""The Cost Codes tab: standard cost codes created in Procore on the company's "QuickBooks
Standard Cost Codes" list, waiting for an accounting approver, and what became of their export
to QuickBooks as a Service item."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base

__all__ = ["COST_CODE_STATES", "CostCodeExport"]

COST_CODE_STATES = ("ready_to_export", "exporting", "failed_to_export", "synced", "rejected")


class CostCodeExport(Base):
    """One standard cost code of the company list on the Cost Codes tab."""

    __tablename__ = "cost_code_exports"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "standard_cost_code_id"),
        sa.Index(None, "company_id", "state", "id"),
        sa.CheckConstraint(
            "state IN ('ready_to_export', 'exporting', 'failed_to_export', 'synced', 'rejected')",
            name="state",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    list_id: Mapped[int] = mapped_column(sa.BigInteger)
    standard_cost_code_id: Mapped[int] = mapped_column(sa.BigInteger)
    code: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str] = mapped_column(sa.String(255), default="")
    state: Mapped[str] = mapped_column(sa.String(20))
    item_id: Mapped[str | None] = mapped_column(sa.String(64))
    """The QuickBooks Service item (ListID on Desktop, Id on Online) once exported."""
    error: Mapped[str | None] = mapped_column(sa.Text)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    attempt: Mapped[int] = mapped_column(default=0)
    decided_by: Mapped[int | None] = mapped_column(sa.BigInteger)
    found_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)
