"""Tables of the embedded (SQLite) job queue. The Procrastinate adapter uses its own schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base, JSONType

__all__ = ["QueuedJob", "ScheduledJob"]


class QueuedJob(Base):
    """``status``: ``todo``, ``doing`` (claimed; the lease runs until ``lease_until``),
    ``succeeded`` or ``failed``. A ``doing`` job whose lease ran out belongs to a worker that
    died and is claimed again. Jobs sharing a ``lock_key`` run one at a time, in id order."""

    __tablename__ = "queued_jobs"
    __table_args__ = (
        sa.CheckConstraint("status IN ('todo', 'doing', 'succeeded', 'failed')", name="status"),
        sa.Index(None, "status", "run_at"),
        sa.Index(None, "lock_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(128))
    args: Mapped[dict[str, Any]] = mapped_column(JSONType)
    lock_key: Mapped[str | None] = mapped_column(sa.String(128))
    status: Mapped[str] = mapped_column(sa.String(16), default="todo")
    run_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    worker: Mapped[str | None] = mapped_column(sa.String(128))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class ScheduledJob(Base):
    """A periodic task: enqueued every ``every_seconds`` from ``next_run_at`` on."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(128))
    args: Mapped[dict[str, Any]] = mapped_column(JSONType)
    lock_key: Mapped[str | None] = mapped_column(sa.String(128))
    every_seconds: Mapped[int]
    next_run_at: Mapped[datetime]
