"""The WAL checkpointer: it copies the log back into the database file on a thread of its
own, and only for a SQLite file."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from procore_qb.store.checkpoints import WalCheckpointer
from procore_qb.store.engine import create_engine

ROWS = 1000
ROW_BYTES = 2000


def _wait_for_checkpoints(checkpointer: WalCheckpointer) -> None:
    """Until the thread has run a checkpoint (at most 30 s; not a measure of time)."""
    for _ in range(3000):
        if checkpointer.checkpoints:
            return
        time.sleep(0.01)


def test_the_thread_copies_the_log_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    engine = create_engine(f"sqlite:///{path}")
    connection = engine.connect()
    # SQLite's own checkpoint on commit off for this connection: only the thread's copies.
    connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
    connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    connection.exec_driver_sql(
        "INSERT INTO t (body) VALUES " + ", ".join(["(?)"] * ROWS), ("x" * ROW_BYTES,) * ROWS
    )
    connection.commit()
    before = path.stat().st_size
    assert before < ROWS * ROW_BYTES / 10, "the rows are still in the log only"
    checkpointer = WalCheckpointer(engine, every_seconds=0.01)
    with checkpointer:
        assert checkpointer.running
        _wait_for_checkpoints(checkpointer)
    assert not checkpointer.running
    assert checkpointer.checkpoints >= 1
    assert path.stat().st_size >= ROWS * ROW_BYTES, "the rows are in the database file"
    connection.close()
    engine.dispose()


def test_nothing_runs_for_a_database_in_memory_or_on_postgresql() -> None:
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql+psycopg://127.0.0.1:5432/test"):
        checkpointer = WalCheckpointer(create_engine(url))
        checkpointer.start()
        assert not checkpointer.running
        checkpointer.stop()


def test_a_missing_file_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    checkpointer = WalCheckpointer(create_engine(f"sqlite:///{path}"), every_seconds=0.01)
    checkpointer.start()
    checkpointer.stop()
    assert not checkpointer.running
    assert checkpointer.checkpoints == 0
    assert not path.exists()


@pytest.mark.parametrize("every", [0.0, -1.0, 3601.0, math.nan, math.inf])
def test_the_interval_is_bounded(tmp_path: Path, every: float) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with pytest.raises(ValueError, match="every_seconds"):
        WalCheckpointer(engine, every_seconds=every)
