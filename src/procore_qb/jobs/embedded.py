"""The embedded job queue: our ``queued_jobs`` table, worker threads in this process.

The single-machine default on SQLite. A worker *claims* a due job in one short write
transaction (``BEGIN IMMEDIATE`` on SQLite, so claims never race): it marks the job ``doing``,
counts the attempt and takes a lease (``lease_until``). While the job runs a heartbeat thread
keeps extending the lease. A worker killed mid-job stops extending it; once the lease has run
out, the next claim puts the job back to ``todo`` (or fails it if no attempt is left) and it
runs again. Time comes from the injected clock, so tests move it by hand.

Jobs sharing a lock run one at a time in id order: a job is claimable only when no other job
of its lock is ``doing`` and none with a smaller id is still waiting.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, aliased, sessionmaker

from procore_qb.jobs.arguments import (
    check_args,
    check_lock,
    check_session,
    check_when,
)
from procore_qb.jobs.clock import Clock, system_clock
from procore_qb.jobs.errors import JobsConfigurationError, TerminalJobError
from procore_qb.jobs.port import JobContext, JobStatus, JobView, RunReport, TaskFunction
from procore_qb.jobs.registry import TaskRegistry, TaskSpec
from procore_qb.jobs.retry import DEFAULT_MAX_ATTEMPTS, Backoff, retry_delay
from procore_qb.jobs.schedule import first_run, next_run
from procore_qb.jobs.workers import default_worker_name, stop_on_signals
from procore_qb.store.models.queue import QueuedJob, ScheduledJob

__all__ = ["EmbeddedJobQueue"]

logger = logging.getLogger(__name__)

_ERROR_TEXT_LIMIT = 4000


@dataclass(frozen=True, slots=True)
class _Claim:
    id: int
    task: str
    args: dict[str, Any]
    lock: str | None
    attempt: int
    max_attempts: int
    scheduled_at: datetime | None


class _Outcome:
    SUCCEEDED = "succeeded"
    RETRIED = "retried"
    FAILED = "failed"
    LOST = "lost"  # the lease ran out and another worker took the job over


class EmbeddedJobQueue:
    """:class:`~procore_qb.jobs.port.JobQueue` over the ``queued_jobs`` table."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = system_clock,
        backoff: Backoff | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        lease: timedelta = timedelta(minutes=5),
        worker_name: str | None = None,
        poll_interval: float = 1.0,
    ) -> None:
        if lease <= timedelta(0):
            raise JobsConfigurationError("lease must be a positive timedelta, e.g. 5 minutes")
        if max_attempts < 1:
            raise JobsConfigurationError("max_attempts must be at least 1")
        self._engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._max_attempts = max_attempts
        self._lease = lease
        self._name = worker_name or default_worker_name()
        self._poll_interval = poll_interval
        self._registry = TaskRegistry(max_attempts=self._max_attempts, backoff=self._backoff)
        self._claim_lock = threading.Lock()
        self._held: set[int] = set()
        self._held_lock = threading.Lock()
        self._wake = threading.Event()

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
        self._registry.add_task(name, fn, max_attempts=max_attempts, backoff=backoff)

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
        stored_args = check_args(task, args)
        check_lock(lock)
        if max_attempts is not None and max_attempts < 1:
            raise JobsConfigurationError("max_attempts must be at least 1")
        check_session(session, self._engine)
        now = self._clock()
        job = QueuedJob(
            task=task,
            args=stored_args,
            lock_key=lock,
            status="todo",
            run_at=check_when("run_at", run_at) or now,
            attempts=0,
            max_attempts=max_attempts or spec.max_attempts,
            created_at=now,
        )
        session.add(job)
        session.flush()
        if not event.contains(session, "after_commit", self._on_commit):
            event.listen(session, "after_commit", self._on_commit)
        return job.id

    def _on_commit(self, session: Session) -> None:
        self._wake.set()

    # ------------------------------------------------------------------ inspection

    def get_job(self, job_id: int) -> JobView | None:
        with self._sessions() as s:
            job = s.get(QueuedJob, job_id)
            if job is None:
                return None
            return JobView(
                id=job.id,
                task=job.task,
                args=dict(job.args),
                lock=job.lock_key,
                status=JobStatus(job.status),
                attempts=job.attempts,
                scheduled_at=job.run_at if job.run_at != job.created_at else None,
            )

    def purge_finished(self, *, older_than: timedelta) -> int:
        if older_than < timedelta(0):
            raise JobsConfigurationError("older_than must not be negative")
        with self._sessions.begin() as s:
            result = s.execute(
                sa.delete(QueuedJob).where(
                    QueuedJob.status.in_(("succeeded", "failed")),
                    QueuedJob.finished_at <= self._clock() - older_than,
                )
            )
            deleted: int = result.rowcount  # type: ignore[attr-defined]
            return deleted

    # ------------------------------------------------------------------ claiming

    def _claim(self) -> _Claim | None:
        with self._claim_lock, self._sessions.begin() as s:
            now = self._clock()
            self._recover_expired(s, now)
            self._fire_schedules(s, now)
            other = aliased(QueuedJob)
            blocked = (
                sa.select(other.id)
                .where(
                    other.lock_key == QueuedJob.lock_key,
                    other.id != QueuedJob.id,
                    sa.or_(
                        other.status == "doing",
                        sa.and_(other.status == "todo", other.id < QueuedJob.id),
                    ),
                )
                .exists()
            )
            job = s.scalars(
                sa.select(QueuedJob)
                .where(
                    QueuedJob.status == "todo",
                    QueuedJob.run_at <= now,
                    sa.or_(QueuedJob.lock_key.is_(None), ~blocked),
                )
                .order_by(QueuedJob.id)
                .limit(1)
            ).first()
            if job is None:
                return None
            # Conditional on the status, so two claimers can never both win, whatever the
            # transaction mode of the engine.
            taken = s.execute(
                sa.update(QueuedJob)
                .where(QueuedJob.id == job.id, QueuedJob.status == "todo")
                .values(
                    status="doing",
                    attempts=QueuedJob.attempts + 1,
                    worker=self._name,
                    lease_until=now + self._lease,
                )
                .execution_options(synchronize_session="fetch")
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                return None
            s.refresh(job)
            with self._held_lock:
                self._held.add(job.id)
            return _Claim(
                id=job.id,
                task=job.task,
                args=dict(job.args),
                lock=job.lock_key,
                attempt=job.attempts,
                max_attempts=job.max_attempts,
                scheduled_at=job.run_at if job.run_at != job.created_at else None,
            )

    def _recover_expired(self, s: Session, now: datetime) -> None:
        """Give back the jobs of workers that stopped renewing their lease."""
        expired = s.scalars(
            sa.select(QueuedJob).where(QueuedJob.status == "doing", QueuedJob.lease_until < now)
        ).all()
        for job in expired:
            note = (
                f"worker {job.worker} stopped during attempt {job.attempts} "
                f"(its lease ran out at {job.lease_until:%Y-%m-%d %H:%M:%S} UTC)"
            )
            logger.warning("job %s (%s): %s", job.id, job.task, note)
            job.last_error = note
            job.worker = None
            job.lease_until = None
            if job.attempts >= job.max_attempts:
                job.status = "failed"
                job.finished_at = now
            else:
                job.status = "todo"
                job.run_at = now

    def _fire_schedules(self, s: Session, now: datetime) -> None:
        for schedule in self._registry.schedules.values():
            every_seconds = int(schedule.every.total_seconds())
            row = s.get(ScheduledJob, schedule.name)
            if row is None:
                row = ScheduledJob(
                    name=schedule.name,
                    task=schedule.task,
                    args=dict(schedule.args),
                    lock_key=schedule.lock,
                    every_seconds=every_seconds,
                    next_run_at=first_run(now, schedule.every),
                )
                s.add(row)
            elif (row.task, row.args, row.lock_key, row.every_seconds) != (
                schedule.task,
                dict(schedule.args),
                schedule.lock,
                every_seconds,
            ):
                if row.every_seconds != every_seconds:
                    row.next_run_at = first_run(now, schedule.every)
                row.task = schedule.task
                row.args = dict(schedule.args)
                row.lock_key = schedule.lock
                row.every_seconds = every_seconds
            if row.next_run_at <= now:
                s.add(
                    QueuedJob(
                        task=schedule.task,
                        args=dict(schedule.args),
                        lock_key=schedule.lock,
                        status="todo",
                        run_at=row.next_run_at,
                        attempts=0,
                        max_attempts=self._task(schedule.task).max_attempts,
                        created_at=now,
                    )
                )
                row.next_run_at = next_run(now, schedule.every)
        s.flush()

    # ------------------------------------------------------------------ running

    def _execute(self, claim: _Claim) -> str:
        spec = self._registry.tasks.get(claim.task)
        ctx = JobContext(
            job_id=claim.id,
            task=claim.task,
            attempt=claim.attempt,
            max_attempts=claim.max_attempts,
            lock=claim.lock,
            scheduled_at=claim.scheduled_at,
        )
        try:
            if spec is None:
                raise TerminalJobError(
                    f"no task named {claim.task!r} is registered in worker {self._name}"
                )
            spec.fn(ctx, **claim.args)
        except Exception as error:  # noqa: BLE001 - every task error is recorded and retried or failed
            backoff = spec.backoff if spec else self._backoff
            delay = retry_delay(
                error, attempt=claim.attempt, max_attempts=claim.max_attempts, backoff=backoff
            )
            return self._finish(claim, error=error, retry_in=delay)
        finally:
            with self._held_lock:
                self._held.discard(claim.id)
        return self._finish(claim, error=None, retry_in=None)

    def _finish(self, claim: _Claim, *, error: Exception | None, retry_in: timedelta | None) -> str:
        with self._sessions.begin() as s:
            job = s.get(QueuedJob, claim.id)
            if (
                job is None
                or job.status != "doing"
                or job.worker != self._name
                or job.attempts != claim.attempt
            ):
                logger.warning(
                    "job %s (%s): attempt %s finished after its lease ran out; "
                    "the job was handed to another attempt, this outcome is dropped",
                    claim.id,
                    claim.task,
                    claim.attempt,
                )
                return _Outcome.LOST
            now = self._clock()
            job.worker = None
            job.lease_until = None
            if error is None:
                job.status = "succeeded"
                job.finished_at = now
                job.last_error = None
                return _Outcome.SUCCEEDED
            job.last_error = f"{type(error).__name__}: {error}"[:_ERROR_TEXT_LIMIT]
            if retry_in is None:
                job.status = "failed"
                job.finished_at = now
                logger.error(
                    "job %s (%s) failed for good on attempt %s/%s: %s",
                    claim.id,
                    claim.task,
                    claim.attempt,
                    claim.max_attempts,
                    job.last_error,
                )
                return _Outcome.FAILED
            job.status = "todo"
            job.run_at = now + retry_in
            logger.info(
                "job %s (%s) failed on attempt %s/%s, retrying in %s: %s",
                claim.id,
                claim.task,
                claim.attempt,
                claim.max_attempts,
                retry_in,
                job.last_error,
            )
            return _Outcome.RETRIED

    def _renew_leases(self) -> None:
        with self._held_lock:
            held = list(self._held)
        if not held:
            return
        with self._sessions.begin() as s:
            s.execute(
                sa.update(QueuedJob)
                .where(
                    QueuedJob.id.in_(held),
                    QueuedJob.worker == self._name,
                    QueuedJob.status == "doing",
                )
                .values(lease_until=self._clock() + self._lease)
            )

    def _heartbeat(self, stop: threading.Event) -> None:
        interval = max(self._lease.total_seconds() / 3, 0.05)
        while not stop.wait(interval):
            try:
                self._renew_leases()
            except sa.exc.SQLAlchemyError:
                logger.exception("could not renew job leases; retrying in %.1f s", interval)

    def run_until_idle(self, *, concurrency: int = 1) -> RunReport:
        if concurrency < 1:
            raise JobsConfigurationError("concurrency must be at least 1")
        counts = {_Outcome.SUCCEEDED: 0, _Outcome.RETRIED: 0, _Outcome.FAILED: 0}
        state = threading.Condition()
        in_flight = 0
        errors: list[BaseException] = []

        def loop() -> None:
            nonlocal in_flight
            while True:
                with state:
                    if errors:
                        return
                    claim = self._claim()
                    if claim is None:
                        if in_flight == 0:
                            state.notify_all()
                            return
                        state.wait()
                        continue
                    in_flight += 1
                try:
                    outcome = self._execute(claim)
                finally:
                    with state:
                        in_flight -= 1
                        state.notify_all()
                with state:
                    if outcome in counts:
                        counts[outcome] += 1

        def guarded() -> None:
            try:
                loop()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
                with state:
                    errors.append(exc)
                    state.notify_all()

        with self._heartbeat_running():
            if concurrency == 1:
                loop()
            else:
                threads = [
                    threading.Thread(target=guarded, name=f"{self._name}-job-{i}")
                    for i in range(concurrency)
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                if errors:
                    raise errors[0]
        return RunReport(
            succeeded=counts[_Outcome.SUCCEEDED],
            retried=counts[_Outcome.RETRIED],
            failed=counts[_Outcome.FAILED],
        )

    def run_worker(self, *, stop: threading.Event | None = None, concurrency: int = 1) -> None:
        if concurrency < 1:
            raise JobsConfigurationError("concurrency must be at least 1")
        own_stop = stop is None
        stop = stop or threading.Event()

        def loop() -> None:
            while not stop.is_set():
                try:
                    claim = self._claim()
                    if claim is None:
                        self._wake.wait(self._poll_interval)
                        self._wake.clear()
                        continue
                    self._execute(claim)
                except Exception:
                    # The database went away or refused a write: keep the worker alive; leases
                    # of jobs it could not finish run out and the jobs are claimed again.
                    logger.exception("worker %s could not claim or finish a job", self._name)
                    stop.wait(self._poll_interval)

        logger.info("worker %s started with %s thread(s)", self._name, concurrency)
        signals = stop_on_signals(stop) if own_stop else contextlib.nullcontext()
        with signals, self._heartbeat_running():
            threads = [
                threading.Thread(target=loop, name=f"{self._name}-job-{i}", daemon=True)
                for i in range(concurrency)
            ]
            for thread in threads:
                thread.start()
            stop.wait()
            self._wake.set()  # idle threads see the stop at once
            for thread in threads:
                thread.join()
        logger.info("worker %s stopped", self._name)

    def _heartbeat_running(self) -> _Background:
        return _Background(self._heartbeat, name=f"{self._name}-heartbeat")


class _Background:
    """Runs ``target(stop)`` in a thread for the duration of a ``with`` block."""

    def __init__(self, target: Callable[[threading.Event], None], *, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=target, args=(self._stop,), name=name, daemon=True)

    def __enter__(self) -> None:
        self._thread.start()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
