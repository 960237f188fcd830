"""What only the embedded queue does: leases, their renewal, and its own bookkeeping. The
behaviour both adapters share is in tests/integration/jobs/test_queue_contract.py."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.jobs import (
    Backoff,
    JobContext,
    JobsConfigurationError,
    JobStatus,
    ManualClock,
    no_jitter,
)
from procore_qb.jobs.embedded import EmbeddedJobQueue
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import QueuedJob, ScheduledJob

START = datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC)
BACKOFF = Backoff(base=timedelta(seconds=10), jitter=no_jitter)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return create_session_factory(engine)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def make(engine: Engine, clock: ManualClock, **kw: Any) -> EmbeddedJobQueue:
    options: dict[str, Any] = {"clock": clock, "backoff": BACKOFF, "poll_interval": 0.05, **kw}
    return EmbeddedJobQueue(engine, **options)


def enqueue(sessions: sessionmaker[Session], queue: EmbeddedJobQueue, task: str, **kw: Any) -> int:
    with sessions.begin() as session:
        return queue.enqueue(session, task, **kw)


def test_a_retry_is_not_run_before_its_time(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    queue = make(engine, clock)
    attempts: list[int] = []

    def flaky(ctx: JobContext) -> None:
        attempts.append(ctx.attempt)
        if ctx.attempt == 1:
            raise ConnectionError("down")

    queue.register("flaky", flaky)
    job_id = enqueue(sessions, queue, "flaky")

    assert queue.run_until_idle().retried == 1
    clock.advance(timedelta(seconds=9))
    assert queue.run_until_idle().ran == 0
    clock.advance(timedelta(seconds=1))
    assert queue.run_until_idle().succeeded == 1
    assert attempts == [1, 2]
    with sessions() as session:
        job = session.get(QueuedJob, job_id)
        assert job is not None
        assert job.last_error is None
        assert job.finished_at == START + timedelta(seconds=10)


def test_the_last_error_is_kept_on_a_failed_job(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    queue = make(engine, clock)

    def broken(ctx: JobContext) -> None:
        raise ValueError("QuickBooks said 3100: the name 'Riverside' is already in use")

    queue.register("broken", broken, max_attempts=1)
    job_id = enqueue(sessions, queue, "broken")
    assert queue.run_until_idle().failed == 1
    with sessions() as session:
        job = session.get(QueuedJob, job_id)
        assert job is not None
        assert job.status == "failed"
        assert (
            job.last_error
            == "ValueError: QuickBooks said 3100: the name 'Riverside' is already in use"
        )


def test_a_running_job_keeps_its_lease(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    lease = timedelta(seconds=0.3)
    queue = make(engine, clock, lease=lease, worker_name="worker-a")
    other = make(engine, clock, lease=lease, worker_name="worker-b")
    stolen: list[int] = []
    other.register("long", lambda ctx: stolen.append(ctx.attempt))
    outcome: list[int] = []

    def long(ctx: JobContext) -> None:
        clock.advance(timedelta(seconds=5))  # far past the lease taken at the claim
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the heartbeat renews it from the clock
            with sessions() as session:
                job = session.get(QueuedJob, ctx.job_id)
                assert job is not None
                assert job.lease_until is not None
                if job.lease_until > clock():
                    break
            time.sleep(0.02)
        outcome.append(other.run_until_idle().ran)

    queue.register("long", long)
    enqueue(sessions, queue, "long")

    assert queue.run_until_idle().succeeded == 1
    assert outcome == [0]
    assert stolen == []


def test_an_outcome_after_the_lease_was_lost_is_dropped(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    queue = make(engine, clock, worker_name="worker-a")
    other = make(engine, clock, worker_name="worker-b")
    second: list[int] = []
    other.register("slow", lambda ctx: second.append(ctx.attempt))

    def slow(ctx: JobContext) -> None:
        clock.advance(timedelta(minutes=6))  # the 5-minute lease runs out
        assert other.run_until_idle().succeeded == 1  # ...and worker-b takes the job over
        raise RuntimeError("late failure of the first attempt")

    queue.register("slow", slow)
    job_id = enqueue(sessions, queue, "slow")

    report = queue.run_until_idle()

    assert report.ran == 0
    assert second == [2]
    view = queue.get_job(job_id)
    assert view is not None
    assert (view.status, view.attempts) == (JobStatus.SUCCEEDED, 2)


def test_a_job_of_a_task_this_worker_lacks_fails_with_the_reason(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    producer = make(engine, clock)
    producer.register("export_project", lambda ctx: None)
    job_id = enqueue(sessions, producer, "export_project")

    worker = make(engine, clock, worker_name="old-worker")
    assert worker.run_until_idle().failed == 1
    with sessions() as session:
        job = session.get(QueuedJob, job_id)
        assert job is not None
        assert job.status == "failed"
        assert "no task named 'export_project' is registered in worker old-worker" in (
            job.last_error or ""
        )


def test_a_session_of_another_database_is_refused(
    engine: Engine, clock: ManualClock, tmp_path: Path
) -> None:
    queue = make(engine, clock)
    queue.register("t", lambda ctx: None)
    elsewhere = create_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        with (
            Session(elsewhere) as session,
            pytest.raises(JobsConfigurationError, match="enqueue with a session of the queue"),
        ):
            queue.enqueue(session, "t")
    finally:
        elsewhere.dispose()


def test_schedules_survive_a_restart_and_follow_a_new_period(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    runs: list[datetime | None] = []

    def started() -> EmbeddedJobQueue:
        queue = make(engine, clock)
        queue.register("refresh", lambda ctx: runs.append(ctx.scheduled_at))
        return queue

    queue = started()
    queue.schedule("refresh", "refresh", every=timedelta(hours=1))
    queue.run_until_idle()
    assert runs == [datetime(2026, 3, 2, 9, tzinfo=UTC)]

    restarted = started()  # a new process: the row remembers the 09:00 run
    restarted.schedule("refresh", "refresh", every=timedelta(hours=1))
    restarted.run_until_idle()
    assert len(runs) == 1

    restarted.schedule("refresh", "refresh", every=timedelta(minutes=30))
    clock.advance(timedelta(minutes=30))
    restarted.run_until_idle()
    with sessions() as session:
        row = session.get(ScheduledJob, "refresh")
        assert row is not None
        assert row.every_seconds == 1800
        assert row.next_run_at == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert runs == [datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 2, 9, 30, tzinfo=UTC)]


def test_run_worker_works_until_stopped(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    queue = make(engine, clock)
    done = threading.Event()
    seen: list[dict[str, Any]] = []

    def sync(ctx: JobContext, company_id: int) -> None:
        seen.append({"company_id": company_id, "attempt": ctx.attempt})
        done.set()

    queue.register("sync", sync)
    stop = threading.Event()
    worker = threading.Thread(target=queue.run_worker, kwargs={"stop": stop, "concurrency": 2})
    worker.start()
    try:
        enqueue(sessions, queue, "sync", args={"company_id": 3})
        assert done.wait(20)
    finally:
        stop.set()
        worker.join(20)
    assert not worker.is_alive()
    assert seen == [{"company_id": 3, "attempt": 1}]


def test_run_worker_survives_a_database_error(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    queue = make(engine, clock)
    done = threading.Event()
    queue.register("sync", lambda ctx: done.set())
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE queued_jobs RENAME TO queued_jobs_away"))
    failures = _FailedClaims()
    worker_log = logging.getLogger("procore_qb.jobs.embedded")
    worker_log.addHandler(failures)
    stop = threading.Event()
    worker = threading.Thread(target=queue.run_worker, kwargs={"stop": stop})
    worker.start()
    try:
        # Two failed claims in a row prove the worker outlived the first one.
        assert failures.twice.wait(20), "the worker never reported a failed claim"
        assert worker.is_alive()
        assert all("queued_jobs" in message for message in failures.errors), failures.errors
        with engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE queued_jobs_away RENAME TO queued_jobs"))
        enqueue(sessions, queue, "sync")
        assert done.wait(20)
    finally:
        stop.set()
        worker.join(20)
        worker_log.removeHandler(failures)
    assert not worker.is_alive()


class _FailedClaims(logging.Handler):
    """Collects the worker's "could not claim" reports; ``twice`` is set at the second."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.errors: list[str] = []
        self.twice = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "could not claim or finish a job" not in record.getMessage():
            return
        self.errors.append(str(record.exc_info[1]) if record.exc_info else "")
        if len(self.errors) >= 2:
            self.twice.set()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lease": timedelta(0)}, "lease must be a positive"),
        ({"max_attempts": 0}, "max_attempts must be at least 1"),
    ],
)
def test_bad_settings_are_refused(
    engine: Engine, clock: ManualClock, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(JobsConfigurationError, match=message):
        make(engine, clock, **kwargs)


def test_bad_registrations_and_calls_are_refused(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    queue = make(engine, clock)
    with pytest.raises(JobsConfigurationError, match="max_attempts of task 't'"):
        queue.register("t", lambda ctx: None, max_attempts=0)
    queue.register("t", lambda ctx: None)
    with sessions() as session, pytest.raises(JobsConfigurationError, match="max_attempts"):
        queue.enqueue(session, "t", max_attempts=0)
    with pytest.raises(JobsConfigurationError, match="concurrency"):
        queue.run_until_idle(concurrency=0)
    with pytest.raises(JobsConfigurationError, match="concurrency"):
        queue.run_worker(concurrency=0)
