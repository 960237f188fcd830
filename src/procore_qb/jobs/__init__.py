"""Background work: the :class:`~procore_qb.jobs.port.JobQueue` port and its two adapters,
:mod:`procore_qb.jobs.embedded` (SQLite, in-process) and
:mod:`procore_qb.jobs.procrastinate_queue` (Procrastinate on PostgreSQL)."""

from __future__ import annotations

from procore_qb.jobs.clock import Clock, ManualClock, system_clock
from procore_qb.jobs.errors import (
    InvalidJobArguments,
    InvalidSchedule,
    JobFailure,
    JobsConfigurationError,
    JobsError,
    RetryableJobError,
    TerminalJobError,
    UnknownTask,
    is_terminal,
)
from procore_qb.jobs.port import (
    JobContext,
    JobQueue,
    JobStatus,
    JobView,
    RunReport,
    TaskFunction,
)
from procore_qb.jobs.retry import DEFAULT_MAX_ATTEMPTS, Backoff, equal_jitter, no_jitter

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "Backoff",
    "Clock",
    "InvalidJobArguments",
    "InvalidSchedule",
    "JobContext",
    "JobFailure",
    "JobQueue",
    "JobStatus",
    "JobView",
    "JobsConfigurationError",
    "JobsError",
    "ManualClock",
    "RetryableJobError",
    "RunReport",
    "TaskFunction",
    "TerminalJobError",
    "UnknownTask",
    "equal_jitter",
    "is_terminal",
    "no_jitter",
    "system_clock",
]
