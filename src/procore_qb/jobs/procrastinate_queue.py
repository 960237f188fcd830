"""The job queue on PostgreSQL: Procrastinate, for any number of worker machines.

* **Transactional enqueue.** Jobs are inserted on the SQLAlchemy session's own psycopg
  connection, inside its transaction (``configure(connection=...)``, Procrastinate ≥ 3.8): a
  rollback leaves no job.
* **One job at a time per company.** The job's ``lock``: Procrastinate runs jobs sharing a lock
  one at a time, in id order. ``queueing_lock`` is never used: combined with retries it can
  refuse or strand jobs (procrastinate-org/procrastinate#1543).
* **Retries** follow :class:`~procore_qb.jobs.retry.Backoff` (capped exponential, jitter)
  through a Procrastinate retry strategy; each job carries its own ``max_attempts``.
* **Schedules** are deferred by every worker from our clock through Procrastinate's periodic
  deferral, which lets one job per (schedule, instant) into the table however many workers try.
* **Stalled jobs.** Workers send heartbeats; a ``doing`` job whose worker stopped sending them
  (killed, machine lost) is put back to ``todo`` by :meth:`ProcrastinateJobQueue.recover_stalled`,
  which every worker runs on a timer in its own event loop rather than as a job, so the recovery
  itself can never be the job that stalls (procrastinate-org/procrastinate#1408). Jobs whose
  worker row was already pruned are found too (their ``worker_id`` is NULL). Worker names are
  ``host-pid`` (unique, stable for a process; procrastinate-org/procrastinate#1518).

The Procrastinate schema is created by our Alembic revision 0002 (``procore-qb db upgrade``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import procrastinate
import psycopg
import sqlalchemy as sa
from procrastinate import jobs as procrastinate_jobs
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from procore_qb.jobs.arguments import (
    RESERVED_PREFIX,
    check_args,
    check_lock,
    check_session,
    check_when,
)
from procore_qb.jobs.clock import Clock, system_clock
from procore_qb.jobs.errors import JobsConfigurationError
from procore_qb.jobs.port import JobContext, JobStatus, JobView, RunReport, TaskFunction
from procore_qb.jobs.procrastinate_schema import check_procrastinate_schema
from procore_qb.jobs.registry import TaskRegistry, TaskSpec
from procore_qb.jobs.retry import DEFAULT_MAX_ATTEMPTS, Backoff, retry_delay
from procore_qb.jobs.schedule import first_run, next_run
from procore_qb.jobs.workers import default_worker_name

__all__ = ["META_KEY", "ProcrastinateJobQueue"]

logger = logging.getLogger(__name__)

META_KEY = f"{RESERVED_PREFIX}__"
"""Job argument holding what the queue itself needs (``max_attempts``, the schedule's name)."""

_STATUSES = {
    "todo": JobStatus.TODO,
    "doing": JobStatus.DOING,
    "succeeded": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "cancelled": JobStatus.FAILED,
    "aborting": JobStatus.DOING,
    "aborted": JobStatus.FAILED,
}


def _max_attempts_of(task_kwargs: Mapping[str, Any], default: int) -> int:
    meta = task_kwargs.get(META_KEY)
    value = meta.get("max_attempts") if isinstance(meta, dict) else None
    return value if isinstance(value, int) and value >= 1 else default


class _Counts:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = {"succeeded": 0, "retried": 0, "failed": 0}

    def add(self, outcome: str) -> None:
        with self._lock:
            self._values[outcome] += 1

    def report(self) -> RunReport:
        with self._lock:
            return RunReport(**self._values)


class _RetryStrategy(procrastinate.BaseRetryStrategy):
    """Our backoff and terminal-error rules, in Procrastinate's terms."""

    def __init__(self, queue: ProcrastinateJobQueue, name: str) -> None:
        self._queue = queue
        self._name = name

    def get_retry_decision(
        self, *, exception: BaseException, job: procrastinate_jobs.Job
    ) -> procrastinate.RetryDecision | None:
        return self._queue._retry_decision(self._name, exception, job)


class ProcrastinateJobQueue:
    """:class:`~procore_qb.jobs.port.JobQueue` over Procrastinate.

    ``engine`` is the application's PostgreSQL engine (``postgresql+psycopg://``); the worker
    opens its own connection pool to the same database.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = system_clock,
        backoff: Backoff | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        worker_name: str | None = None,
        heartbeat_interval: timedelta = timedelta(seconds=10),
        stalled_after: timedelta = timedelta(minutes=1),
        poll_interval: float = 1.0,
        pool_size: int = 4,
    ) -> None:
        if engine.dialect.name != "postgresql":
            raise JobsConfigurationError(
                f"the Procrastinate queue needs PostgreSQL, not {engine.dialect.name}; "
                "use the embedded queue (PROCORE_QB_JOBS__BACKEND=embedded) on SQLite"
            )
        if engine.dialect.driver != "psycopg":
            raise JobsConfigurationError(
                f"the Procrastinate queue needs the psycopg 3 driver, not {engine.dialect.driver}; "
                "write the database URL as postgresql+psycopg://..."
            )
        if stalled_after < heartbeat_interval * 2:
            raise JobsConfigurationError(
                "stalled_after must be at least two heartbeat intervals, or live workers' jobs "
                "would be taken from them"
            )
        if max_attempts < 1:
            raise JobsConfigurationError("max_attempts must be at least 1")
        self._engine = engine
        conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(
                conninfo=conninfo, min_size=1, max_size=max(pool_size, 2)
            )
        )
        # Enqueueing only ever runs on the caller's connection: this connector is never opened.
        self._defer_app = procrastinate.App(
            connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo)
        )
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._max_attempts = max_attempts
        self._name = worker_name or default_worker_name()
        self._heartbeat = heartbeat_interval
        self._stalled_after = stalled_after
        self._poll = poll_interval
        self._registry = TaskRegistry(max_attempts=self._max_attempts, backoff=self._backoff)
        self._next_fire: dict[str, datetime] = {}
        self._counts = _Counts()

    @property
    def worker_name(self) -> str:
        return self._name

    # ------------------------------------------------------------------ registration

    def register(
        self,
        name: str,
        fn: TaskFunction,
        *,
        max_attempts: int | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        spec = self._registry.add_task(name, fn, max_attempts=max_attempts, backoff=backoff)
        runner = self._runner(name, spec)
        strategy = _RetryStrategy(self, name)
        self._app.task(name=name, pass_context=True, retry=strategy)(runner)
        self._defer_app.task(name=name, pass_context=True, retry=strategy)(runner)

    def schedule(
        self,
        name: str,
        task: str,
        *,
        every: timedelta,
        args: Mapping[str, Any] | None = None,
        lock: str | None = None,
    ) -> None:
        self._registry.add_schedule(name, task, every=every, args=args, lock=lock)
        self._next_fire.pop(name, None)

    def _task(self, name: str) -> TaskSpec:
        return self._registry.task(name)

    # ------------------------------------------------------------------ enqueue

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
        spec = self._task(task)
        kwargs = check_args(task, args)
        check_lock(lock)
        if max_attempts is not None and max_attempts < 1:
            raise JobsConfigurationError("max_attempts must be at least 1")
        kwargs[META_KEY] = {"max_attempts": max_attempts or spec.max_attempts}
        check_session(session, self._engine)
        connection = session.connection().connection.driver_connection
        if not isinstance(connection, psycopg.Connection):
            raise JobsConfigurationError(
                "enqueue needs a session on PostgreSQL through psycopg 3 "
                f"(got a {type(connection).__name__} connection); the job must be written on "
                "the session's own connection to commit or roll back with it"
            )
        deferrer = self._defer_app.configure_task(
            task,
            lock=lock,
            schedule_at=check_when("run_at", run_at),
            task_kwargs=kwargs,
            connection=connection,
        )
        job_id: int = deferrer.defer()
        return job_id

    # ------------------------------------------------------------------ inspection

    def get_job(self, job_id: int) -> JobView | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT id, task_name, args, lock, status::text AS status, attempts, "
                    "scheduled_at FROM procrastinate_jobs WHERE id = :id"
                ),
                {"id": job_id},
            ).first()
        if row is None:
            return None
        status = _STATUSES[row.status]
        args = {k: v for k, v in dict(row.args).items() if k not in (META_KEY, "timestamp")}
        # Procrastinate counts an attempt when it ends (retried or finished); ours counts it
        # when it starts, so a running attempt is added.
        running = 1 if row.status == "doing" else 0
        scheduled_at: datetime | None = row.scheduled_at
        return JobView(
            id=row.id,
            task=row.task_name,
            args=args,
            lock=row.lock,
            status=status,
            attempts=row.attempts + running,
            scheduled_at=scheduled_at.astimezone(UTC) if scheduled_at else None,
        )

    def purge_finished(self, *, older_than: timedelta) -> int:
        """As the port says; "finished" is measured by the database's clock, from the job's
        last event."""
        if older_than < timedelta(0):
            raise JobsConfigurationError("older_than must not be negative")
        with self._engine.begin() as conn:
            result = conn.execute(
                sa.text(
                    "DELETE FROM procrastinate_jobs AS job "
                    "WHERE job.status IN ('succeeded', 'failed', 'cancelled', 'aborted') "
                    "AND (SELECT max(event.at) FROM procrastinate_events AS event "
                    "     WHERE event.job_id = job.id) "
                    "    <= now() - make_interval(secs => :seconds)"
                ),
                {"seconds": older_than.total_seconds()},
            )
            return result.rowcount

    # ------------------------------------------------------------------ running

    def _runner(self, name: str, spec: TaskSpec) -> Any:
        def run(context: procrastinate.JobContext, **kwargs: Any) -> None:
            job = context.job
            max_attempts = _max_attempts_of(kwargs, spec.max_attempts)
            kwargs.pop(META_KEY, None)
            timestamp = kwargs.pop("timestamp", None)
            scheduled = job.scheduled_at.astimezone(UTC) if job.scheduled_at else None
            if scheduled is None and isinstance(timestamp, int):
                scheduled = datetime.fromtimestamp(timestamp, UTC)
            ctx = JobContext(
                job_id=job.id or 0,
                task=name,
                attempt=job.attempts + 1,
                max_attempts=max_attempts,
                lock=job.lock,
                scheduled_at=scheduled,
            )
            spec.fn(ctx, **kwargs)
            self._counts.add("succeeded")

        run.__name__ = run.__qualname__ = name.replace(":", "_").replace(".", "_")
        return run

    def _retry_decision(
        self, name: str, error: BaseException, job: procrastinate_jobs.Job
    ) -> procrastinate.RetryDecision | None:
        spec = self._registry.tasks[name]
        max_attempts = _max_attempts_of(job.task_kwargs, spec.max_attempts)
        attempt = job.attempts + 1
        delay = retry_delay(error, attempt=attempt, max_attempts=max_attempts, backoff=spec.backoff)
        text = f"{type(error).__name__}: {error}"
        if delay is None:
            self._counts.add("failed")
            logger.error(
                "job %s (%s) failed for good on attempt %s/%s: %s",
                job.id,
                name,
                attempt,
                max_attempts,
                text,
            )
            return None
        self._counts.add("retried")
        logger.info(
            "job %s (%s) failed on attempt %s/%s, retrying in %s: %s",
            job.id,
            name,
            attempt,
            max_attempts,
            delay,
            text,
        )
        return procrastinate.RetryDecision(retry_at=self._clock() + delay)

    async def _defer_due_schedules(self) -> int:
        """Defer every schedule whose instant has come; returns how many jobs were added."""
        now = self._clock()
        added = 0
        for name, schedule in self._registry.schedules.items():
            due = self._next_fire.setdefault(name, first_run(now, schedule.every))
            if due > now:
                continue
            timestamp = int(due.timestamp())
            spec = self._registry.tasks[schedule.task]
            kwargs: dict[str, Any] = {
                **schedule.args,
                META_KEY: {"max_attempts": spec.max_attempts, "schedule": name},
                "timestamp": timestamp,
            }
            job = self._app.configure_task(
                schedule.task, lock=schedule.lock, task_kwargs=kwargs
            ).job
            job_id = await self._app.job_manager.defer_periodic_job(
                job=job, periodic_id=name, defer_timestamp=timestamp
            )
            if job_id is not None:
                added += 1
            self._next_fire[name] = next_run(now, schedule.every)
        return added

    async def _recover_stalled(self, stalled_after: timedelta) -> list[int]:
        manager = self._app.job_manager
        stalled = await manager.get_stalled_jobs(
            seconds_since_heartbeat=stalled_after.total_seconds()
        )
        recovered: list[int] = []
        for job in stalled:
            if job.id is None:
                continue
            spec = self._registry.tasks.get(job.task_name)
            max_attempts = _max_attempts_of(
                job.task_kwargs, spec.max_attempts if spec else self._max_attempts
            )
            try:
                if job.attempts + 1 >= max_attempts:
                    await manager.finish_job(
                        job=job, status=procrastinate_jobs.Status.FAILED, delete_job=False
                    )
                    logger.error(
                        "job %s (%s): its worker stopped during the last attempt (%s/%s); failed",
                        job.id,
                        job.task_name,
                        job.attempts + 1,
                        max_attempts,
                    )
                else:
                    await manager.retry_job(job=job, retry_at=self._clock())
                    logger.warning(
                        "job %s (%s): its worker stopped during attempt %s; queued again",
                        job.id,
                        job.task_name,
                        job.attempts + 1,
                    )
            except procrastinate.exceptions.ConnectorException:
                # Another worker recovered it first, or it finished after all.
                logger.info("job %s was no longer stalled when recovered", job.id)
                continue
            recovered.append(job.id)
        return recovered

    def recover_stalled(self, *, stalled_after: timedelta | None = None) -> list[int]:
        """Put back (or fail, when no attempt is left) the ``doing`` jobs of workers silent for
        ``stalled_after`` (default: the queue's). Workers run this on a timer; call it by hand
        after a crash to skip the wait. Returns the ids handled."""

        window = self._stalled_after if stalled_after is None else stalled_after

        async def main() -> list[int]:
            async with self._app.open_async():
                return await self._recover_stalled(window)

        return asyncio.run(main())

    def _worker_options(self, *, concurrency: int, wait: bool) -> dict[str, Any]:
        return {
            "name": self._name,
            "concurrency": concurrency,
            "wait": wait,
            "listen_notify": wait,
            "install_signal_handlers": False,
            "fetch_job_polling_interval": self._poll,
            "update_heartbeat_interval": self._heartbeat.total_seconds(),
            "stalled_worker_timeout": self._stalled_after.total_seconds(),
            "delete_jobs": "never",
        }

    def run_until_idle(self, *, concurrency: int = 1) -> RunReport:
        if concurrency < 1:
            raise JobsConfigurationError("concurrency must be at least 1")

        async def main() -> None:
            async with self._app.open_async():
                await self._recover_stalled(self._stalled_after)
                while True:
                    before = self._counts.report()
                    await self._defer_due_schedules()
                    await self._app.run_worker_async(
                        **self._worker_options(concurrency=concurrency, wait=False)
                    )
                    if (self._counts.report().ran - before.ran) == 0:
                        return

        start = self._counts.report()
        asyncio.run(main())
        end = self._counts.report()
        return RunReport(
            succeeded=end.succeeded - start.succeeded,
            retried=end.retried - start.retried,
            failed=end.failed - start.failed,
        )

    def run_worker(self, *, stop: threading.Event | None = None, concurrency: int = 1) -> None:
        check_procrastinate_schema(self._engine)
        if concurrency < 1:
            raise JobsConfigurationError("concurrency must be at least 1")
        on_signals = stop is None and threading.current_thread() is threading.main_thread()
        stop = stop or threading.Event()

        async def timers() -> None:
            last_recovery = -1.0
            loop = asyncio.get_running_loop()
            while True:
                try:
                    await self._defer_due_schedules()
                    if loop.time() - last_recovery >= self._heartbeat.total_seconds():
                        await self._recover_stalled(self._stalled_after)
                        last_recovery = loop.time()
                except Exception:
                    # The database may be restarting: log, and try again on the next tick.
                    logger.exception("could not defer schedules or recover stalled jobs")
                await asyncio.sleep(self._poll)

        async def main() -> None:
            async with self._app.open_async():
                options = self._worker_options(concurrency=concurrency, wait=True)
                options["install_signal_handlers"] = on_signals
                worker = asyncio.create_task(self._app.run_worker_async(**options))
                side = asyncio.create_task(timers())
                try:
                    while not worker.done() and not stop.is_set():
                        await asyncio.wait({worker}, timeout=self._poll)
                finally:
                    side.cancel()
                    worker.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await side
                    with contextlib.suppress(asyncio.CancelledError):
                        await worker

        logger.info("worker %s started (Procrastinate, concurrency %s)", self._name, concurrency)
        asyncio.run(main())
        logger.info("worker %s stopped", self._name)
