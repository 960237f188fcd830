"""Engine and session factories, with the SQLite settings encoded once.

SQLite: WAL journal, foreign keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for every
transaction so concurrent writers queue on the lock instead of failing with "database is
locked" half-way through (SQLAlchemy's documented pysqlite recipe).
PostgreSQL: psycopg 3.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["create_engine", "create_session_factory", "is_sqlite"]


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else sa.make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def create_engine(url: str, *, busy_timeout_ms: int = 10_000, echo: bool = False) -> Engine:
    """An engine for ``url`` with our per-dialect settings applied."""
    if not is_sqlite(url):
        return sa.create_engine(url, echo=echo, pool_pre_ping=True)

    engine = sa.create_engine(
        url,
        echo=echo,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself (see _on_begin) instead of pysqlite's deferred BEGIN.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            if sa.make_url(url).database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
