"""What only the PostgreSQL queue does: Procrastinate's schema through our migrations, its
worker loop, and recovery of jobs whose worker is gone. The shared behaviour is in
tests/integration/jobs/test_queue_contract.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import procrastinate
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.jobs import JobContext, JobsConfigurationError, JobStatus, ManualClock
from procore_qb.jobs.procrastinate_queue import ProcrastinateJobQueue
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory

pytestmark = pytest.mark.postgres

WORKER_PROCESS = Path(__file__).parents[1] / "integration" / "jobs" / "worker_process.py"


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(postgres_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return create_session_factory(engine)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC) - timedelta(days=1))


def _names(conn: sa.Connection, sql: str) -> set[str]:
    return set(conn.execute(sa.text(sql)).scalars())


def _procrastinate_objects(engine: Engine) -> dict[str, set[str]]:
    with engine.connect() as conn:
        return {
            "tables": _names(
                conn, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'procrastinate%'"
            ),
            "functions": _names(
                conn, "SELECT proname FROM pg_proc WHERE proname LIKE 'procrastinate%'"
            ),
            "types": _names(
                conn,
                "SELECT typname FROM pg_type WHERE typname LIKE 'procrastinate%' "
                "AND typtype IN ('e', 'c')",
            ),
        }


def test_db_upgrade_creates_procrastinates_schema(engine: Engine) -> None:
    objects = _procrastinate_objects(engine)
    assert {"procrastinate_jobs", "procrastinate_workers", "procrastinate_events"} <= objects[
        "tables"
    ]
    assert {"procrastinate_fetch_job_v2", "procrastinate_retry_job_v2"} <= objects["functions"]
    assert "procrastinate_job_status" in objects["types"]

    app = procrastinate.App(
        connector=procrastinate.SyncPsycopgConnector(
            conninfo=engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        )
    )
    with app.open():
        assert app.check_connection()


def test_downgrade_removes_it_all_and_upgrade_brings_it_back(engine: Engine) -> None:
    migrate.downgrade(engine, "0001")
    assert _procrastinate_objects(engine) == {"tables": set(), "functions": set(), "types": set()}
    with engine.connect() as conn:
        assert "queued_jobs" in _names(conn, "SELECT tablename FROM pg_tables")

    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert "procrastinate_jobs" in _procrastinate_objects(engine)["tables"]


def test_procrastinates_tables_do_not_count_as_drift_from_our_models(engine: Engine) -> None:
    """Autogenerate (``alembic check``) must not offer to drop Procrastinate's tables, which
    are not our models; env.py leaves them out."""
    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.check(config)


def test_it_refuses_sqlite(tmp_path: Path) -> None:
    sqlite = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with pytest.raises(JobsConfigurationError, match="use the embedded queue"):
            ProcrastinateJobQueue(sqlite)
    finally:
        sqlite.dispose()


def test_it_refuses_a_stalled_window_shorter_than_two_heartbeats(engine: Engine) -> None:
    with pytest.raises(JobsConfigurationError, match="two heartbeat intervals"):
        ProcrastinateJobQueue(
            engine,
            heartbeat_interval=timedelta(seconds=10),
            stalled_after=timedelta(seconds=15),
        )


def test_the_worker_loop_runs_jobs_until_stopped(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock
) -> None:
    queue = ProcrastinateJobQueue(engine, clock=clock, poll_interval=0.05)
    done = threading.Event()
    seen: list[tuple[int, dict[str, Any]]] = []

    def sync(ctx: JobContext, **args: Any) -> None:
        seen.append((ctx.attempt, args))
        done.set()

    queue.register("sync", sync)
    stop = threading.Event()
    worker = threading.Thread(target=queue.run_worker, kwargs={"stop": stop, "concurrency": 2})
    worker.start()
    try:
        with sessions.begin() as session:
            job_id = queue.enqueue(session, "sync", {"company_id": 3}, lock="company:3")
        assert done.wait(30)
    finally:
        stop.set()
        worker.join(30)
    assert not worker.is_alive()
    assert seen == [(1, {"company_id": 3})]
    view = queue.get_job(job_id)
    assert view is not None
    assert view.status is JobStatus.SUCCEEDED
    with engine.connect() as conn:
        # The worker unregistered itself on the way out.
        assert conn.execute(sa.text("SELECT count(*) FROM procrastinate_workers")).scalar() == 0


def test_the_worker_loop_fires_schedules(engine: Engine, clock: ManualClock) -> None:
    queue = ProcrastinateJobQueue(engine, clock=clock, poll_interval=0.05)
    done = threading.Event()
    queue.register("refresh", lambda ctx: done.set())
    queue.schedule("refresh", "refresh", every=timedelta(seconds=1))
    stop = threading.Event()
    worker = threading.Thread(target=queue.run_worker, kwargs={"stop": stop})
    worker.start()
    try:
        assert done.wait(30)
    finally:
        stop.set()
        worker.join(30)
    assert not worker.is_alive()


def test_a_job_whose_worker_row_was_pruned_is_recovered(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock, postgres_url: str
) -> None:
    """A killed worker's row may be pruned by a worker starting later before anyone looked for
    stalled jobs (procrastinate-org/procrastinate#1518): its job must still be found."""
    queue = ProcrastinateJobQueue(engine, clock=clock)
    ran: list[int] = []
    queue.register("sync_company", lambda ctx, company_id: ran.append(ctx.attempt))
    with sessions.begin() as session:
        job_id = queue.enqueue(session, "sync_company", {"company_id": 1})

    process = subprocess.Popen(
        [
            sys.executable,
            str(WORKER_PROCESS),
            "procrastinate",
            postgres_url,
            clock().isoformat(),
            "30",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().split() == ["started", str(job_id), "1"]
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM procrastinate_workers"))  # what pruning does

    report = queue.run_until_idle()

    assert report.succeeded == 1
    assert ran == [2]


def test_a_session_of_another_database_is_refused(
    engine: Engine, clock: ManualClock, postgres_admin_url: str
) -> None:
    queue = ProcrastinateJobQueue(engine, clock=clock)
    queue.register("sync", lambda ctx: None)
    elsewhere = create_engine(postgres_admin_url)
    try:
        with (
            Session(elsewhere) as session,
            pytest.raises(JobsConfigurationError, match="queue's workers read"),
        ):
            queue.enqueue(session, "sync")
    finally:
        elsewhere.dispose()
