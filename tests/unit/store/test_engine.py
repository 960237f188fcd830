from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from procore_qb.store.engine import create_engine, is_sqlite


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}", busy_timeout_ms=1234)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
        # A negative cache size is in KiB: 16 MiB a connection, what bounds its memory.
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -16 * 1024
    engine.dispose()


def test_every_transaction_takes_the_write_lock_at_begin(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: a second writer waits at BEGIN (here: times out at once) instead of
    failing half-way through its work with "database is locked"."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    holder = create_engine(url)
    other = create_engine(url, busy_timeout_ms=0)
    with holder.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with holder.connect() as held:
        held.begin()
        held.exec_driver_sql("SELECT 1")
        with pytest.raises(sa.exc.OperationalError, match="locked"), other.begin() as conn:
            conn.exec_driver_sql("SELECT 1")
        held.rollback()
    holder.dispose()
    other.dispose()


def test_is_sqlite() -> None:
    assert is_sqlite("sqlite:///x.db")
    assert not is_sqlite("postgresql+psycopg://postgres@127.0.0.1/x")
