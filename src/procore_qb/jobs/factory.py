"""Choose and build the job queue for the configured database."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from procore_qb.jobs.clock import Clock, system_clock
from procore_qb.jobs.config import JobQueueSettings
from procore_qb.jobs.embedded import EmbeddedJobQueue
from procore_qb.jobs.errors import JobsConfigurationError
from procore_qb.jobs.port import JobQueue
from procore_qb.jobs.procrastinate_queue import ProcrastinateJobQueue

__all__ = ["create_job_queue"]


def create_job_queue(
    engine: Engine,
    settings: JobQueueSettings,
    *,
    clock: Clock = system_clock,
    worker_name: str | None = None,
) -> JobQueue:
    """``auto`` picks Procrastinate on PostgreSQL and the embedded queue on SQLite."""
    backend = settings.backend
    if backend == "auto":
        backend = "procrastinate" if engine.dialect.name == "postgresql" else "embedded"
    if backend == "procrastinate":
        return ProcrastinateJobQueue(engine, clock=clock, worker_name=worker_name)
    if engine.dialect.name != "sqlite":
        raise JobsConfigurationError(
            f"the embedded queue runs on SQLite, not {engine.dialect.name}: it serialises claims "
            "with SQLite's write lock and is meant for one machine; set "
            "PROCORE_QB_JOBS__BACKEND=procrastinate (or auto) on PostgreSQL"
        )
    return EmbeddedJobQueue(engine, clock=clock, worker_name=worker_name)
