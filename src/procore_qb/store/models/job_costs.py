"""Job cost syncing: which projects sync QuickBooks costs, the cost lines read for them, and
what was last written to Procore.

* :class:`JobCostProject`: one per project that ever had job cost syncing; whether it is on,
  the QuickBooks job, the watermark of the last read and the state of the last sync.
* :class:`JobCostLineRecord`: one per QuickBooks line coded to the project's job (mapped, not
  mapped or excluded, with the reason), the Procore records it became, and whether Procore
  still has to be told (``dirty``) or the line is gone from QuickBooks (``removed``).
* :class:`JobCostTotal`: per project cost code, the budget and the job-to-date cost last
  written to Procore, so a cost code whose costs go away is written back to zero.

Amounts are whole cents.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base

__all__ = [
    "JOB_COST_LINE_STATUSES",
    "LISTED_STATUSES",
    "STATUS_CHECK",
    "JobCostLineRecord",
    "JobCostProject",
    "JobCostTotal",
]

JOB_COST_LINE_STATUSES = ("pending", "mapped", "not_mapped", "excluded")
"""``pending``: read, not placed yet; ``mapped``: on ``cost_code_id``; ``not_mapped``: kept with
``reason``; ``excluded``: written by procore-qb itself (not a cost again)."""


LISTED_STATUSES = ("mapped", "not_mapped")
"""The statuses whose lines the Job Costs report lists, each by a partial index of its own."""

STATUS_CHECK = " OR ".join(f"status = '{status}'" for status in JOB_COST_LINE_STATUSES)
"""The check on ``job_cost_lines.status``: one of :data:`JOB_COST_LINE_STATUSES`."""


class JobCostProject(Base):
    __tablename__ = "job_cost_projects"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "procore_project_id"),
        sa.Index(None, "company_id", "qb_job_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    procore_project_id: Mapped[int] = mapped_column(sa.BigInteger)
    qb_job_id: Mapped[str] = mapped_column(sa.String(64))
    enabled: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime]
    changed_by: Mapped[str] = mapped_column(sa.String(255), default="")
    procore_configured: Mapped[bool | None] = mapped_column(default=None)
    """Procore's own per-project "ERP job cost transaction syncing" flag as last set (None:
    Procore does not offer it for this company)."""
    watermark: Mapped[datetime | None]
    """QuickBooks' time of the last read applied; the next read asks for changes since."""
    pending_command: Mapped[str | None] = mapped_column(sa.String(36))
    requested_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    pushed_at: Mapped[datetime | None]
    map_fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    in_flight_from_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    in_flight_to_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    """The ids of the lines (from, to, both included) of the pages whose Procore write may be
    in flight: set before a page goes out, cleared when the write has settled every page. A
    write that died leaves them set, and the next one first marks the lines there still
    dirty as ``sent`` (Procore may hold them)."""


class JobCostLineRecord(Base):
    __tablename__ = "job_cost_lines"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "procore_project_id", "txn_id", "line_id"),
        # Comparisons, not ``status IN (...)``: SQLite builds a temporary table for an IN list
        # of more than two values each time it checks the constraint, so for every line
        # written and every status set.
        sa.CheckConstraint(STATUS_CHECK, name="status"),
        # Partial: a line leaving the dirty lines (each one Procore took) or placed on a cost
        # code moves in no index of these, it only enters or leaves one. The dirty lines are
        # only ever looked up as ``dirty IS true`` (the written form must match for SQLite to
        # use the index) and the lines of a cost code by ``cost_code_id = ?``.
        sa.Index(
            "ix_job_cost_lines_dirty",
            "company_id",
            "procore_project_id",
            "id",
            sqlite_where=sa.text("dirty IS 1"),
            postgresql_where=sa.text("dirty IS true"),
        ),
        sa.Index(None, "company_id", "procore_project_id", "removed", "id"),
        sa.Index(
            "ix_job_cost_lines_cost_code",
            "company_id",
            "procore_project_id",
            "cost_code_id",
            sqlite_where=sa.text("cost_code_id IS NOT NULL"),
            postgresql_where=sa.text("cost_code_id IS NOT NULL"),
        ),
        # Lines looked up by transaction always name the project: the unique constraint's
        # index serves them. The lines one read saw are counted and found by read_key.
        sa.Index(None, "company_id", "read_key"),
        # The Job Costs report's pages of lines, newest transaction first, without a sort: of
        # the mapped lines, and of the lines not mapped. Partial: a line read is in neither
        # until it is placed, and then it only enters one, so reading and settling a line
        # moves it in no listing index. The lines of one status are only ever looked up as
        # ``status = '<status>'`` (the written form must match for SQLite to use the index);
        # the index holds the status too, so that it serves one more equal term than the
        # index (company, project, removed, id), which SQLite would otherwise take as well.
        *(
            sa.Index(
                f"ix_job_cost_lines_{status}",
                "company_id",
                "procore_project_id",
                "status",
                "removed",
                "txn_date",
                "txn_id",
                "line_id",
                sqlite_where=sa.text(f"status = '{status}'"),
                postgresql_where=sa.text(f"status = '{status}'"),
            )
            for status in LISTED_STATUSES
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    procore_project_id: Mapped[int] = mapped_column(sa.BigInteger)
    job_id: Mapped[str] = mapped_column(sa.String(64))
    source: Mapped[str] = mapped_column(sa.String(32))
    txn_id: Mapped[str] = mapped_column(sa.String(64))
    line_id: Mapped[str] = mapped_column(sa.String(64))
    txn_date: Mapped[date] = mapped_column(sa.Date)
    ref_number: Mapped[str] = mapped_column(sa.String(64), default="")
    vendor_name: Mapped[str] = mapped_column(sa.String(255), default="")
    memo: Mapped[str] = mapped_column(sa.String(4095), default="")
    item_id: Mapped[str | None] = mapped_column(sa.String(64))
    account_id: Mapped[str | None] = mapped_column(sa.String(64))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    cost_code_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    message: Mapped[str | None] = mapped_column(sa.Text)
    dirty: Mapped[bool] = mapped_column(default=True)
    removed: Mapped[bool] = mapped_column(default=False)
    sent: Mapped[bool] = mapped_column(default=False)
    """Procore may hold it: a write with it went out and the line was not settled with its
    Procore ids (Procore refused it, or it changed since; or the write's answer was lost,
    which the project's in-flight ids tell the next write)."""
    procore_direct_cost_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    procore_line_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    push_error: Mapped[str | None] = mapped_column(sa.Text)
    read_key: Mapped[str] = mapped_column(sa.String(36))
    version: Mapped[int] = mapped_column(default=1)
    """Goes up with every change read from QuickBooks: a Procore write only settles the row
    it read (the same version), never a newer one read meanwhile."""
    updated_at: Mapped[datetime]


class JobCostTotal(Base):
    __tablename__ = "job_cost_totals"
    __table_args__ = (sa.UniqueConstraint("company_id", "procore_project_id", "cost_code_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    procore_project_id: Mapped[int] = mapped_column(sa.BigInteger)
    cost_code_id: Mapped[int] = mapped_column(sa.BigInteger)
    code: Mapped[str] = mapped_column(sa.String(255), default="")
    name: Mapped[str] = mapped_column(sa.String(255), default="")
    budget_line_item_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    budget_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    written_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    """The job-to-date cost last written to Procore's ERP job costs (None: never written, or,
    with ``written_at`` set, sent at that time without Procore's answer seen)."""
    written_at: Mapped[datetime | None]
