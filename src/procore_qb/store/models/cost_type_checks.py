"""What the last job cost sync found in Procore on another cost type than 'Other' (spec
procore-workflow §1.4: QuickBooks-synced projects use 'Other' only), so the Job Costs report
shows it without asking Procore again.

* :class:`CostTypeCheck`: one per project, when the sync read the budget and direct costs,
  the company's 'Other' cost type then, how many budget lines and direct cost lines were on
  another cost type, and the error when the read failed.
* :class:`OffTypeLineRecord`: the budget lines (``kind`` ``budget``) and direct cost lines
  (``direct_cost``) found on another cost type, at most a fixed number of each per project.

Amounts are whole cents.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base

__all__ = ["OFF_TYPE_KINDS", "CostTypeCheck", "OffTypeLineRecord"]

OFF_TYPE_KINDS = ("budget", "direct_cost")


class CostTypeCheck(Base):
    __tablename__ = "cost_type_checks"
    __table_args__ = (sa.UniqueConstraint("company_id", "procore_project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    procore_project_id: Mapped[int] = mapped_column(sa.BigInteger)
    read_at: Mapped[datetime | None]
    """When the figures kept were read from Procore (None: no read succeeded yet)."""
    failed_at: Mapped[datetime | None]
    """When the last read failed, if it did (then ``error`` says why)."""
    other_cost_type_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    budget_total: Mapped[int] = mapped_column(default=0)
    direct_cost_total: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    """Why the last read failed (the lines kept are those of the read before)."""


class OffTypeLineRecord(Base):
    __tablename__ = "cost_type_check_lines"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "procore_project_id", "kind", "procore_id"),
        sa.CheckConstraint("kind IN ('budget', 'direct_cost')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    procore_project_id: Mapped[int] = mapped_column(sa.BigInteger)
    kind: Mapped[str] = mapped_column(sa.String(16))
    procore_id: Mapped[int] = mapped_column(sa.BigInteger)
    """The budget line item, or the direct cost line item."""
    direct_cost_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    cost_code_id: Mapped[int] = mapped_column(sa.BigInteger)
    code: Mapped[str] = mapped_column(sa.String(255), default="")
    name: Mapped[str] = mapped_column(sa.String(255), default="")
    cost_type_id: Mapped[int] = mapped_column(sa.BigInteger)
    cost_type: Mapped[str] = mapped_column(sa.String(255), default="")
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    description: Mapped[str] = mapped_column(sa.String(255), default="")
