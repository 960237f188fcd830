"""Export items (Path A) and import items (Path B), each with an append-only history.

The columns follow the domain entities :class:`procore_qb.domain.export_workflow.ExportItem` and
:class:`procore_qb.domain.import_workflow.ImportItem`. People are recorded by their Procore user
id (``*_by``), since Procore owns the users; ``None`` means the system acted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base, JSONType

__all__ = ["ExportEvent", "ExportItem", "ImportEvent", "ImportItem"]


class ExportItem(Base):
    """A Procore project on its way to QuickBooks. One row per project; it cycles through the
    export states. ``snapshot`` is what was sent (name and address are frozen while pending).
    ``version`` is an optimistic lock: two approvers acting at once cannot both win."""

    __tablename__ = "export_items"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "procore_project_id"),
        sa.Index(None, "company_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    procore_project_id: Mapped[int] = mapped_column(sa.BigInteger)
    state: Mapped[str] = mapped_column(sa.String(32))
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    sent_by: Mapped[int | None] = mapped_column(sa.BigInteger)
    sent_at: Mapped[datetime | None]
    customer_id: Mapped[str | None] = mapped_column(sa.String(64))
    new_customer_name: Mapped[str | None] = mapped_column(sa.String(255))
    decided_by: Mapped[int | None] = mapped_column(sa.BigInteger)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    error: Mapped[str | None] = mapped_column(sa.Text)
    qb_job_id: Mapped[str | None] = mapped_column(sa.String(64))
    qb_full_name: Mapped[str | None] = mapped_column(sa.String(255))
    qb_version: Mapped[str | None] = mapped_column(sa.String(32))
    changed_by: Mapped[int | None] = mapped_column(sa.BigInteger)
    attempt: Mapped[int] = mapped_column(default=0)
    """Counts accepts and retries; names the QuickBooks commands of each export attempt."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ExportEvent(Base):
    __tablename__ = "export_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    export_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("export_items.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(sa.String(32))
    from_state: Mapped[str] = mapped_column(sa.String(32))
    to_state: Mapped[str] = mapped_column(sa.String(32))
    actor: Mapped[int | None] = mapped_column(sa.BigInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class ImportItem(Base):
    """A QuickBooks job staged for Procore: ready to import, imported (as a new project or
    linked to an existing one, see ``method``) or archived. ``snapshot`` holds the job as last
    read from QuickBooks."""

    __tablename__ = "import_items"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "qb_job_id"),
        sa.Index(None, "company_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    qb_job_id: Mapped[str] = mapped_column(sa.String(64))
    qb_full_name: Mapped[str] = mapped_column(sa.String(255))
    state: Mapped[str] = mapped_column(sa.String(32))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)
    procore_project_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    method: Mapped[str | None] = mapped_column(sa.String(16))
    changed_by: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ImportEvent(Base):
    __tablename__ = "import_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("import_items.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(sa.String(32))
    from_state: Mapped[str] = mapped_column(sa.String(32))
    to_state: Mapped[str] = mapped_column(sa.String(32))
    actor: Mapped[int | None] = mapped_column(sa.BigInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
