"""The job queue as app/ sees it: one protocol, two adapters.

* :class:`~procore_qb.jobs.embedded.EmbeddedJobQueue` — SQLite (our ``queued_jobs`` table),
  worker threads in the same process; the single-machine default.
* :class:`~procore_qb.jobs.procrastinate_queue.ProcrastinateJobQueue` — Procrastinate on
  PostgreSQL; any number of worker processes on any number of machines.

Both keep the same promises, held by one contract test suite:

* ``enqueue`` writes the job in the caller's SQLAlchemy session and transaction: a rollback
  leaves no job, a commit makes the job and the state change that needed it visible together.
* Jobs sharing a ``lock`` (one per company: ``company:<id>``) run one at a time, in the order
  they were enqueued; a job waiting for its time (``run_at``, or its retry) holds back the
  later jobs of its lock.
* A failed job is retried with capped exponential backoff until ``max_attempts`` attempts have
  run, unless its error is terminal (:func:`procore_qb.jobs.errors.is_terminal`).
* A job whose worker died mid-run (killed, machine lost) is run again, not lost; it counts as an
  attempt, and a job that died on its last attempt fails.
* ``schedule`` runs a task every ``every``, at multiples of ``every`` since midnight UTC, once
  per period however many workers run.

A task is a plain function ``fn(ctx: JobContext, **args) -> None``. It may run more than once
(after a crash, or a retry), so it must be idempotent; it opens its own database session.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from procore_qb.jobs.retry import Backoff

__all__ = ["JobContext", "JobQueue", "JobStatus", "JobView", "RunReport", "TaskFunction"]


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a running task knows about its job."""

    job_id: int
    task: str
    attempt: int
    """1 on the first run, 2 on the first retry, ..."""
    max_attempts: int
    lock: str | None
    scheduled_at: datetime | None
    """When the job was due, if it was enqueued for later or is a retry."""

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts


TaskFunction = Callable[..., None]
"""``fn(ctx: JobContext, **args) -> None``."""


class JobStatus(enum.StrEnum):
    TODO = "todo"
    DOING = "doing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class JobView:
    id: int
    task: str
    args: dict[str, Any]
    lock: str | None
    status: JobStatus
    attempts: int
    """Attempts started so far (a running or finished attempt included)."""
    scheduled_at: datetime | None


@dataclass(frozen=True, slots=True)
class RunReport:
    """What one ``run_until_idle`` call did."""

    succeeded: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def ran(self) -> int:
        return self.succeeded + self.retried + self.failed


class JobQueue(Protocol):
    def register(
        self,
        name: str,
        fn: TaskFunction,
        *,
        max_attempts: int | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        """Make ``fn`` runnable as task ``name``. Every process that enqueues or runs the task
        registers it, before its worker starts. ``max_attempts`` and ``backoff`` default to the
        queue's own."""
        ...

    def enqueue(
        self,
        session: Session,
        task: str,
        args: Mapping[str, Any] | None = None,
        *,
        lock: str | None = None,
        run_at: datetime | None = None,
        max_attempts: int | None = None,
    ) -> int:
        """Add a job in ``session``'s transaction and return its id. The job exists only if
        the caller commits."""
        ...

    def schedule(
        self,
        name: str,
        task: str,
        *,
        every: timedelta,
        args: Mapping[str, Any] | None = None,
        lock: str | None = None,
    ) -> None:
        """Run ``task`` with ``args`` every ``every`` while a worker runs. ``name`` tells
        schedules of the same task apart (e.g. ``refresh-jobs:company-7``)."""
        ...

    def get_job(self, job_id: int) -> JobView | None: ...

    def purge_finished(self, *, older_than: timedelta) -> int:
        """Delete succeeded and failed jobs that finished at least ``older_than`` ago; returns
        how many. Run it now and then (a schedule) so the queue's table stays small."""
        ...

    def run_until_idle(self, *, concurrency: int = 1) -> RunReport:
        """Run due jobs (and due schedules) until none is left to run now, then return.
        Deterministic entry point for tests, the demo and one-shot commands. Jobs of workers
        that died are taken back first once their lease / heartbeat window has passed."""
        ...

    def run_worker(self, *, stop: threading.Event | None = None, concurrency: int = 1) -> None:
        """Work until ``stop`` is set (or, without one, until SIGINT/SIGTERM)."""
        ...
