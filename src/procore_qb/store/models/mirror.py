"""What procore-qb last read of the QuickBooks Customer:Job list.

Every job-list refresh (a ``QueryJobs`` command) updates this mirror. The rules that compare a
Procore project with what QuickBooks already holds (name clashes, the customer picker, the
Ready to Import list) read it instead of asking QuickBooks, which on Desktop can only be asked
when the Web Connector polls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base, JSONType

__all__ = ["QbJobRecord"]


class QbJobRecord(Base):
    """One QuickBooks customer (``is_job`` false) or job, as last read.

    ``data`` is the job in the codec of :mod:`procore_qb.domain.commands` (``job_to_json``).
    ``deleted`` marks a record QuickBooks reported deleted; it is kept so the user sees it.
    """

    __tablename__ = "qb_jobs"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "qb_id"),
        sa.Index(None, "company_id", "is_job", "full_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    qb_id: Mapped[str] = mapped_column(sa.String(64))
    full_name: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(255))
    parent_id: Mapped[str | None] = mapped_column(sa.String(64))
    version: Mapped[str | None] = mapped_column(sa.String(32))
    is_job: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    deleted: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_at: Mapped[datetime]
