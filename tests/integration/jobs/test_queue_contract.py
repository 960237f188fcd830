"""The JobQueue contract, held against both adapters: the embedded queue on SQLite and the
Procrastinate queue on a fresh PostgreSQL database.

Time is a ManualClock. For the PostgreSQL adapter it starts a day in the past, so every retry
it computes is already due by the database's clock and the test decides, through the clock,
which instant each job sees; the embedded queue reads only the ManualClock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.jobs import (
    Backoff,
    InvalidJobArguments,
    JobContext,
    JobQueue,
    JobsConfigurationError,
    JobStatus,
    ManualClock,
    RetryableJobError,
    TerminalJobError,
    UnknownTask,
    no_jitter,
)
from procore_qb.jobs.embedded import EmbeddedJobQueue
from procore_qb.jobs.procrastinate_queue import ProcrastinateJobQueue
from procore_qb.jobs.procrastinate_schema import upgrade_procrastinate_schema
from procore_qb.retrying import RetryPolicy
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import Company

WORKER_PROCESS = Path(__file__).with_name("worker_process.py")
LEASE = timedelta(seconds=30)
BACKOFF = Backoff(base=timedelta(seconds=10), factor=2, cap=timedelta(minutes=5), jitter=no_jitter)


@dataclass
class Harness:
    backend: str
    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    clock: ManualClock
    queues: list[JobQueue] = field(default_factory=list)

    def queue(self, **overrides: Any) -> JobQueue:
        options: dict[str, Any] = {"clock": self.clock, "backoff": BACKOFF, **overrides}
        queue: JobQueue
        if self.backend == "embedded":
            queue = EmbeddedJobQueue(self.engine, lease=LEASE, poll_interval=0.05, **options)
        else:
            queue = ProcrastinateJobQueue(
                self.engine,
                stalled_after=timedelta(minutes=10),
                poll_interval=0.05,
                **options,
            )
        self.queues.append(queue)
        return queue

    def declare_dead_workers(self, queue: JobQueue) -> None:
        """Let the crash-detection window pass for workers that were killed."""
        if isinstance(queue, EmbeddedJobQueue):
            self.clock.advance(LEASE + timedelta(seconds=1))
        else:
            assert isinstance(queue, ProcrastinateJobQueue)
            # Their heartbeats stopped; treat any silence as death (no live worker is running).
            queue.recover_stalled(stalled_after=timedelta(0))

    def enqueue(
        self, queue: JobQueue, task: str, args: dict[str, Any] | None = None, **kw: Any
    ) -> int:
        with self.sessions.begin() as session:
            return queue.enqueue(session, task, args, **kw)


@pytest.fixture(params=["embedded", "procrastinate"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    if request.param == "embedded":
        url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    migrate.upgrade(engine)
    if engine.dialect.name == "postgresql":
        upgrade_procrastinate_schema(engine)
    # A minute boundary plus one second, a day back (see the module docstring).
    start = datetime.now(UTC).replace(second=1, microsecond=0) - timedelta(days=1)
    try:
        yield Harness(
            backend=request.param,
            url=url,
            engine=engine,
            sessions=create_session_factory(engine),
            clock=ManualClock(start),
        )
    finally:
        engine.dispose()


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, JobContext, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def task(self, name: str, body: Callable[..., None] | None = None) -> Callable[..., None]:
        def run(ctx: JobContext, **args: Any) -> None:
            with self._lock:
                self.calls.append((name, ctx, args))
            if body is not None:
                body(ctx, **args)

        return run

    def of(self, name: str) -> list[tuple[JobContext, dict[str, Any]]]:
        return [(ctx, args) for n, ctx, args in self.calls if n == name]


# ---------------------------------------------------------------------- transactional enqueue


def test_a_rolled_back_transaction_leaves_no_job(harness: Harness) -> None:
    queue = harness.queue()
    rec = Recorder()
    queue.register("sync_company", rec.task("sync_company"))
    with harness.sessions() as session:
        job_id = queue.enqueue(session, "sync_company", {"company_id": 7}, lock="company:7")
        session.rollback()

    assert queue.get_job(job_id) is None
    assert queue.run_until_idle().ran == 0
    assert rec.calls == []


def test_a_committed_job_runs_with_its_arguments(harness: Harness) -> None:
    queue = harness.queue()
    rec = Recorder()
    queue.register("sync_company", rec.task("sync_company"))
    job_id = harness.enqueue(queue, "sync_company", {"company_id": 7}, lock="company:7")

    view = queue.get_job(job_id)
    assert view is not None
    assert (view.status, view.attempts, view.args, view.lock) == (
        JobStatus.TODO,
        0,
        {"company_id": 7},
        "company:7",
    )

    report = queue.run_until_idle()

    assert (report.succeeded, report.retried, report.failed) == (1, 0, 0)
    [(ctx, args)] = rec.of("sync_company")
    assert args == {"company_id": 7}
    assert (ctx.job_id, ctx.task, ctx.attempt, ctx.lock) == (job_id, "sync_company", 1, "company:7")
    view = queue.get_job(job_id)
    assert view is not None
    assert (view.status, view.attempts) == (JobStatus.SUCCEEDED, 1)


def test_the_job_commits_together_with_the_state_change(harness: Harness) -> None:
    queue = harness.queue()
    seen: list[str | None] = []

    def notify(ctx: JobContext, procore_company_id: int) -> None:
        with harness.sessions() as session:
            seen.append(
                session.scalar(
                    sa.select(Company.name).where(Company.procore_company_id == procore_company_id)
                )
            )

    queue.register("notify", notify)
    with harness.sessions() as session:
        session.add(
            Company(
                procore_company_id=42,
                name="Summit Ridge Builders",
                qb_edition="desktop",
                created_at=harness.clock(),
            )
        )
        queue.enqueue(session, "notify", {"procore_company_id": 42})
        session.rollback()
    assert queue.run_until_idle().ran == 0

    with harness.sessions.begin() as session:
        session.add(
            Company(
                procore_company_id=42,
                name="Summit Ridge Builders",
                qb_edition="desktop",
                created_at=harness.clock(),
            )
        )
        queue.enqueue(session, "notify", {"procore_company_id": 42})

    assert queue.run_until_idle().succeeded == 1
    assert seen == ["Summit Ridge Builders"]


def test_a_job_for_later_waits_for_its_time(harness: Harness) -> None:
    queue = harness.queue()
    rec = Recorder()
    queue.register("refresh", rec.task("refresh"))
    job_id = harness.enqueue(queue, "refresh", run_at=harness.clock() + timedelta(days=3))

    assert queue.run_until_idle().ran == 0
    view = queue.get_job(job_id)
    assert view is not None
    assert view.status is JobStatus.TODO
    assert view.scheduled_at == harness.clock() + timedelta(days=3)


def test_bad_calls_are_refused_with_the_fix(harness: Harness) -> None:
    queue = harness.queue()
    queue.register("refresh", Recorder().task("refresh"))
    with harness.sessions() as session:
        with pytest.raises(UnknownTask, match=r"register\(name, function\)"):
            queue.enqueue(session, "refesh")
        with pytest.raises(InvalidJobArguments, match="pass its id"):
            queue.enqueue(session, "refresh", {"when": datetime.now(UTC)})
        with pytest.raises(JobsConfigurationError, match="timezone-aware"):
            queue.enqueue(session, "refresh", run_at=datetime(2026, 1, 1))  # noqa: DTZ001
        session.rollback()
    with pytest.raises(UnknownTask):
        queue.schedule("hourly", "refesh", every=timedelta(hours=1))
    with pytest.raises(JobsConfigurationError, match="already registered"):
        queue.register("refresh", Recorder().task("refresh"))
    with pytest.raises(JobsConfigurationError, match="task name"):
        queue.register("has space", Recorder().task("x"))


def test_a_job_of_a_task_the_worker_lacks_fails(harness: Harness) -> None:
    producer = harness.queue()
    producer.register("export_project", Recorder().task("export_project"))
    job_id = harness.enqueue(producer, "export_project", {"export_item_id": 3})

    worker = harness.queue()  # an older release that has no such task
    worker.run_until_idle()

    view = worker.get_job(job_id)
    assert view is not None
    assert (view.status, view.attempts) == (JobStatus.FAILED, 1)


def test_finished_jobs_are_purged_and_waiting_ones_kept(harness: Harness) -> None:
    queue = harness.queue()

    def work(ctx: JobContext, fail: bool) -> None:
        if fail:
            raise TerminalJobError("refused")

    queue.register("work", work)
    succeeded = harness.enqueue(queue, "work", {"fail": False})
    failed = harness.enqueue(queue, "work", {"fail": True})
    waiting = harness.enqueue(
        queue, "work", {"fail": False}, run_at=harness.clock() + timedelta(days=3)
    )
    queue.run_until_idle()

    assert queue.purge_finished(older_than=timedelta(days=1)) == 0
    assert queue.purge_finished(older_than=timedelta(0)) == 2
    assert queue.get_job(succeeded) is None
    assert queue.get_job(failed) is None
    assert queue.get_job(waiting) is not None
    with pytest.raises(JobsConfigurationError, match="negative"):
        queue.purge_finished(older_than=timedelta(seconds=-1))


# ---------------------------------------------------------------------- per-company serialization


def test_jobs_of_one_company_never_overlap_and_keep_their_order(harness: Harness) -> None:
    queue = harness.queue()
    running: dict[str, int] = defaultdict(int)
    most: dict[str, int] = defaultdict(int)
    order: dict[str, list[int]] = defaultdict(list)
    failures: list[str] = []
    finished = 0
    guard = threading.Lock()
    second_company_done = threading.Event()
    all_done = threading.Event()

    def sync(ctx: JobContext, n: int) -> None:
        nonlocal finished
        assert ctx.lock is not None
        with guard:
            running[ctx.lock] += 1
            most[ctx.lock] = max(most[ctx.lock], running[ctx.lock])
            order[ctx.lock].append(n)
        try:
            if (ctx.lock, n) == ("company:1", 0) and not second_company_done.wait(20):
                # Company 1's first job holds its thread until all of company 2 has run. The
                # other threads stay free meanwhile, and company 1's later jobs were queued
                # before company 2's last one, so a queue that let one company's jobs overlap
                # would hand one of them out in the meantime.
                failures.append("company 2 did not run beside company 1")
        finally:
            with guard:
                running[ctx.lock] -= 1
                finished += 1
                if (ctx.lock, n) == ("company:2", 3):
                    second_company_done.set()
                if finished == 8:
                    all_done.set()

    queue.register("sync", sync, max_attempts=1)
    for n in range(4):
        harness.enqueue(queue, "sync", {"n": n}, lock="company:1")
        harness.enqueue(queue, "sync", {"n": n}, lock="company:2")

    # The long-running worker: it keeps claiming while a job runs, which is what gives an
    # overlap its chance.
    stop = threading.Event()
    worker = threading.Thread(target=queue.run_worker, kwargs={"stop": stop, "concurrency": 3})
    worker.start()
    try:
        assert all_done.wait(60), f"only {finished} of 8 jobs ran"
    finally:
        stop.set()
        worker.join(30)
    assert not worker.is_alive()
    assert failures == []
    assert most == {"company:1": 1, "company:2": 1}
    assert order == {"company:1": [0, 1, 2, 3], "company:2": [0, 1, 2, 3]}


def test_jobs_of_different_companies_run_side_by_side(harness: Harness) -> None:
    queue = harness.queue()
    both_running = threading.Barrier(2, timeout=20)

    def sync(ctx: JobContext) -> None:
        both_running.wait()  # breaks (and fails the job) unless the other job runs meanwhile

    queue.register("sync", sync, max_attempts=1)
    harness.enqueue(queue, "sync", lock="company:1")
    harness.enqueue(queue, "sync", lock="company:2")

    report = queue.run_until_idle(concurrency=2)

    assert (report.succeeded, report.failed) == (2, 0)


def test_a_job_waiting_for_its_retry_holds_back_its_company(harness: Harness) -> None:
    queue = harness.queue()
    rec = Recorder()

    def first(ctx: JobContext) -> None:
        if ctx.attempt == 1:
            raise RetryableJobError("QuickBooks is busy")

    queue.register("first", rec.task("first", first))
    queue.register("second", rec.task("second"))
    harness.enqueue(queue, "first", lock="company:1")
    harness.enqueue(queue, "second", lock="company:1")

    for _ in range(3):
        queue.run_until_idle(concurrency=2)
        harness.clock.advance(timedelta(minutes=1))

    assert [(name, ctx.attempt) for name, ctx, _ in rec.calls] == [
        ("first", 1),
        ("first", 2),
        ("second", 1),
    ]


def test_a_job_for_later_holds_back_its_company(harness: Harness) -> None:
    queue = harness.queue()
    rec = Recorder()
    queue.register("sync", rec.task("sync"))
    later = harness.enqueue(
        queue, "sync", lock="company:1", run_at=harness.clock() + timedelta(days=3)
    )
    now = harness.enqueue(queue, "sync", lock="company:1")
    other = harness.enqueue(queue, "sync", lock="company:2")

    assert queue.run_until_idle().succeeded == 1
    assert [ctx.job_id for ctx, _ in rec.of("sync")] == [other]
    for job_id in (later, now):
        view = queue.get_job(job_id)
        assert view is not None
        assert view.status is JobStatus.TODO


# ---------------------------------------------------------------------- retries


def _drive(harness: Harness, queue: JobQueue, rounds: int = 8) -> None:
    for _ in range(rounds):
        queue.run_until_idle()
        harness.clock.advance(timedelta(minutes=10))


def test_a_failing_job_is_retried_with_exponential_backoff(harness: Harness) -> None:
    queue = harness.queue()
    failed_at: dict[int, datetime] = {}
    seen: list[JobContext] = []

    def flaky(ctx: JobContext) -> None:
        seen.append(ctx)
        if ctx.attempt < 3:
            failed_at[ctx.attempt] = harness.clock()
            raise ConnectionError("QuickBooks Online answered 503")

    queue.register("flaky", flaky)
    job_id = harness.enqueue(queue, "flaky")

    _drive(harness, queue)

    assert [ctx.attempt for ctx in seen] == [1, 2, 3]
    assert seen[1].scheduled_at == failed_at[1] + timedelta(seconds=10)
    assert seen[2].scheduled_at == failed_at[2] + timedelta(seconds=20)
    view = queue.get_job(job_id)
    assert view is not None
    assert (view.status, view.attempts) == (JobStatus.SUCCEEDED, 3)


def test_backoff_is_capped_and_the_job_fails_after_max_attempts(harness: Harness) -> None:
    queue = harness.queue(
        backoff=Backoff(
            base=timedelta(seconds=10), factor=10, cap=timedelta(seconds=30), jitter=no_jitter
        )
    )
    failed_at: dict[int, datetime] = {}
    seen: list[JobContext] = []

    def down(ctx: JobContext) -> None:
        seen.append(ctx)
        failed_at[ctx.attempt] = harness.clock()
        raise ConnectionError("connection refused")

    queue.register("down", down)
    job_id = harness.enqueue(queue, "down", max_attempts=4)

    reports = [queue.run_until_idle()]
    for _ in range(6):
        harness.clock.advance(timedelta(minutes=1))
        reports.append(queue.run_until_idle())

    assert [ctx.attempt for ctx in seen] == [1, 2, 3, 4]
    assert all(ctx.max_attempts == 4 for ctx in seen)
    assert seen[-1].is_last_attempt
    delays = [seen[n].scheduled_at - failed_at[n] for n in (1, 2, 3)]  # type: ignore[operator]
    assert delays == [timedelta(seconds=10), timedelta(seconds=30), timedelta(seconds=30)]
    assert sum(r.retried for r in reports) == 3
    assert sum(r.failed for r in reports) == 1
    view = queue.get_job(job_id)
    assert view is not None
    assert (view.status, view.attempts) == (JobStatus.FAILED, 4)


class _RefusedByQuickBooks(Exception):
    retryable = False


@pytest.mark.parametrize(
    "error",
    [TerminalJobError("the customer name is taken"), _RefusedByQuickBooks("3100: bad name")],
)
def test_a_terminal_error_fails_the_job_at_once(harness: Harness, error: Exception) -> None:
    queue = harness.queue()
    calls: list[int] = []

    def refuse(ctx: JobContext) -> None:
        calls.append(ctx.attempt)
        raise error

    queue.register("refuse", refuse)
    job_id = harness.enqueue(queue, "refuse")

    _drive(harness, queue, rounds=3)

    assert calls == [1]
    view = queue.get_job(job_id)
    assert view is not None
    assert (view.status, view.attempts) == (JobStatus.FAILED, 1)


def test_retry_after_from_the_error_is_honoured(harness: Harness) -> None:
    queue = harness.queue()
    seen: list[JobContext] = []
    failed_at: list[datetime] = []

    def limited(ctx: JobContext) -> None:
        seen.append(ctx)
        if ctx.attempt == 1:
            failed_at.append(harness.clock())
            raise RetryableJobError("429 Too Many Requests", retry_after=timedelta(minutes=1))

    queue.register("limited", limited)
    harness.enqueue(queue, "limited")

    _drive(harness, queue, rounds=3)

    assert [ctx.attempt for ctx in seen] == [1, 2]
    assert seen[1].scheduled_at == failed_at[0] + timedelta(minutes=1)


def test_a_long_retry_after_becomes_a_job_retry_at_that_time(harness: Harness) -> None:
    """A service asking for a wait longer than the retry policy sleeps in-process: the call
    raises RetryLater instead of blocking the worker, and the job runs again then."""
    queue = harness.queue()
    seen: list[JobContext] = []
    failed_at: list[datetime] = []
    slept: list[float] = []
    policy = RetryPolicy(max_inline_wait=60, sleep=slept.append)

    def throttled() -> None:
        raise ConnectionRefusedError("429 Too Many Requests")

    def limited(ctx: JobContext) -> None:
        seen.append(ctx)
        if ctx.attempt == 1:
            failed_at.append(harness.clock())
            policy.run(throttled, retriable=lambda e: True, hint=lambda e: 1800.0)

    queue.register("limited", limited)
    harness.enqueue(queue, "limited")

    _drive(harness, queue, rounds=5)

    assert [ctx.attempt for ctx in seen] == [1, 2]
    assert seen[1].scheduled_at == failed_at[0] + timedelta(minutes=30)
    assert slept == []


# ---------------------------------------------------------------------- crashed workers


def _start_worker_process(harness: Harness) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            str(WORKER_PROCESS),
            harness.backend,
            harness.url,
            harness.clock().isoformat(),
            str(LEASE.total_seconds()),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _kill_mid_job(harness: Harness, job_id: int) -> None:
    process = _start_worker_process(harness)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.split() == ["started", str(job_id), "1"], line
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
    assert process.returncode == -signal.SIGKILL


def test_a_job_whose_worker_is_killed_runs_again(harness: Harness) -> None:
    queue = harness.queue()
    rec = Recorder()
    queue.register("sync_company", rec.task("sync_company"))
    job_id = harness.enqueue(queue, "sync_company", {"company_id": 7}, lock="company:7")

    _kill_mid_job(harness, job_id)

    view = queue.get_job(job_id)
    assert view is not None
    assert (view.status, view.attempts) == (JobStatus.DOING, 1)
    # Until the worker is known to be dead its job is left alone...
    assert queue.run_until_idle().ran == 0
    assert rec.calls == []

    harness.declare_dead_workers(queue)
    report = queue.run_until_idle()

    # ... then it runs again: retried, not lost.
    assert report.succeeded == 1
    [(ctx, args)] = rec.of("sync_company")
    assert (ctx.job_id, ctx.attempt, args) == (job_id, 2, {"company_id": 7})
    view = queue.get_job(job_id)
    assert view is not None
    assert (view.status, view.attempts) == (JobStatus.SUCCEEDED, 2)


def test_a_job_killed_on_its_last_attempt_fails(harness: Harness) -> None:
    queue = harness.queue()
    rec = Recorder()
    queue.register("sync_company", rec.task("sync_company"))
    job_id = harness.enqueue(queue, "sync_company", {"company_id": 7}, max_attempts=1)

    _kill_mid_job(harness, job_id)
    harness.declare_dead_workers(queue)
    queue.run_until_idle()

    assert rec.calls == []
    view = queue.get_job(job_id)
    assert view is not None
    assert (view.status, view.attempts) == (JobStatus.FAILED, 1)


def test_a_worker_stops_cleanly_on_sigterm(harness: Harness) -> None:
    queue = harness.queue()
    queue.register("hello", Recorder().task("hello"))
    job_id = harness.enqueue(queue, "hello")

    process = _start_worker_process(harness)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().split() == ["hello", str(job_id)]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    view = queue.get_job(job_id)
    assert view is not None
    assert view.status is JobStatus.SUCCEEDED


# ---------------------------------------------------------------------- schedules


def test_a_schedule_fires_once_per_period(harness: Harness) -> None:
    queue = harness.queue()
    rec = Recorder()
    queue.register("refresh_jobs", rec.task("refresh_jobs"))
    queue.schedule(
        "refresh-jobs:company-7",
        "refresh_jobs",
        every=timedelta(minutes=1),
        args={"company_id": 7},
        lock="company:7",
    )
    boundary = harness.clock() - timedelta(seconds=1)

    queue.run_until_idle()
    queue.run_until_idle()
    harness.clock.advance(timedelta(seconds=30))
    queue.run_until_idle()
    harness.clock.advance(timedelta(seconds=30))
    queue.run_until_idle()
    harness.clock.advance(timedelta(minutes=1))
    queue.run_until_idle()

    calls = rec.of("refresh_jobs")
    assert [args for _, args in calls] == [{"company_id": 7}] * 3
    assert [ctx.scheduled_at for ctx, _ in calls] == [
        boundary,
        boundary + timedelta(minutes=1),
        boundary + timedelta(minutes=2),
    ]
    assert {ctx.lock for ctx, _ in calls} == {"company:7"}


def test_two_workers_fire_a_schedule_once(harness: Harness) -> None:
    rec = Recorder()
    workers = [harness.queue(), harness.queue()]
    for queue in workers:
        queue.register("refresh_jobs", rec.task("refresh_jobs"))
        queue.schedule("refresh-jobs", "refresh_jobs", every=timedelta(hours=1))
    harness.clock.set(harness.clock().replace(minute=0, second=30))

    for queue in workers:
        queue.run_until_idle()
    harness.clock.advance(timedelta(hours=1))
    for queue in workers:
        queue.run_until_idle()

    assert len(rec.calls) == 2
