"""What only the PostgreSQL queue does: Procrastinate's schema applied and upgraded by
``db upgrade`` apart from our Alembic history, its worker loop, and recovery of jobs whose
worker is gone. The shared behaviour is in
tests/integration/jobs/test_queue_contract.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import procrastinate
import pytest
import sqlalchemy as sa
from alembic import command
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.jobs import JobContext, JobsConfigurationError, JobStatus, ManualClock
from procore_qb.jobs.procrastinate_queue import ProcrastinateJobQueue
from procore_qb.jobs.procrastinate_schema import (
    VERSION_TABLE,
    check_procrastinate_schema,
    installed_schema_version,
    recorded_procrastinate_version,
    upgrade_procrastinate_schema,
)
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory

pytestmark = pytest.mark.postgres

WORKER_PROCESS = Path(__file__).parents[1] / "integration" / "jobs" / "worker_process.py"


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(postgres_url)
    migrate.upgrade(engine)
    upgrade_procrastinate_schema(engine)
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


def test_our_alembic_history_creates_none_of_procrastinates_schema(postgres_url: str) -> None:
    """The same Alembic revision means the same schema whatever Procrastinate is installed."""
    engine = create_engine(postgres_url)
    try:
        migrate.upgrade(engine)
        assert _procrastinate_objects(engine) == {
            "tables": set(),
            "functions": set(),
            "types": set(),
        }
        assert recorded_procrastinate_version(engine) is None
        with pytest.raises(JobsConfigurationError, match="run `procore-qb db upgrade`"):
            check_procrastinate_schema(engine)
    finally:
        engine.dispose()


def test_the_schema_is_recorded_and_a_second_upgrade_changes_nothing(engine: Engine) -> None:
    assert recorded_procrastinate_version(engine) == installed_schema_version()
    assert check_procrastinate_schema(engine) == installed_schema_version()
    again = upgrade_procrastinate_schema(engine)
    assert (again.before, again.after, again.applied) == (
        installed_schema_version(),
        installed_schema_version(),
        (),
    )


def _apply_migrations_up_to(engine: Engine, last: tuple[int, int, int]) -> None:
    """Build Procrastinate's schema as an older release left it: its migration files up to
    ``last``, from the library's own folder."""
    folder = Path(SchemaManager.get_migrations_path())
    files = sorted(p for p in folder.iterdir() if p.suffix == ".sql")
    for path in files:
        version = tuple(int(part) for part in path.name.split("_")[0].split("."))
        if version <= last:
            with engine.begin() as conn:
                conn.connection.driver_connection.execute(path.read_text())  # type: ignore[union-attr]


def test_an_older_schema_gets_procrastinates_migration_files_in_order(
    postgres_url: str, postgres_admin_url: str
) -> None:
    fresh_schema = create_engine(postgres_url)
    migrate.upgrade(fresh_schema)
    upgrade_procrastinate_schema(fresh_schema)
    fresh = _procrastinate_objects(fresh_schema)
    fresh_schema.dispose()
    name = f"pqb_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    older = create_engine(postgres_url.rsplit("/", 1)[0] + "/" + name)
    try:
        migrate.upgrade(older)
        _apply_migrations_up_to(older, (3, 3, 0))
        # Tables from before versions were recorded are adopted; then say which release made
        # them.
        assert upgrade_procrastinate_schema(older).applied == ()
        with older.begin() as conn:
            conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version = '3.3.0'"))
        with pytest.raises(JobsConfigurationError, match="stop the workers and run `procore-qb"):
            check_procrastinate_schema(older)
        # An upgrade interrupted after the first file of 3.4.0 resumes after that file.
        folder = Path(SchemaManager.get_migrations_path())
        release = sorted(p.name for p in folder.iterdir() if p.name.startswith("03.04.00_"))
        assert len(release) >= 2
        with older.begin() as conn:
            conn.connection.driver_connection.execute((folder / release[0]).read_text())  # type: ignore[union-attr]
            conn.execute(
                sa.text(f"UPDATE {VERSION_TABLE} SET last_file = :name"),
                {"name": release[0]},
            )
        upgraded = upgrade_procrastinate_schema(older)
        assert upgraded.before == "3.3.0"
        assert upgraded.applied == tuple(release[1:])
        assert check_procrastinate_schema(older) == installed_schema_version()
        # Upgraded step by step, it has what a fresh schema.sql gives.
        assert _procrastinate_objects(older) == fresh
    finally:
        older.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_newer_schema_than_the_library_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version = '99.0.0'"))
    with pytest.raises(JobsConfigurationError, match="newer than the installed procrastinate"):
        check_procrastinate_schema(engine)
    with pytest.raises(JobsConfigurationError, match="newer than the installed procrastinate"):
        upgrade_procrastinate_schema(engine)
    queue = ProcrastinateJobQueue(engine)
    with pytest.raises(JobsConfigurationError, match="newer than the installed procrastinate"):
        queue.run_worker()


def test_tables_made_before_versions_were_recorded_are_adopted(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {VERSION_TABLE}"))
    adopted = upgrade_procrastinate_schema(engine)
    assert (adopted.before, adopted.applied) == (None, ())
    assert check_procrastinate_schema(engine) == installed_schema_version()


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
