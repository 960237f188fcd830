"""Engine and session factories, with the SQLite settings encoded once.

SQLite: WAL journal, foreign keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for every
transaction so concurrent writers queue on the lock instead of failing with "database is
locked" half-way through (SQLAlchemy's documented pysqlite recipe).
PostgreSQL: psycopg 3, giving up on a connection attempt after ``CONNECT_TIMEOUT_S`` unless
the URL sets ``connect_timeout`` itself.

:func:`check_url` and :func:`probe` turn an unusable URL, an unreachable server and a damaged
SQLite file into one :class:`DatabaseUnavailable` line each, before a command starts work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.store.errors import DatabaseUnavailable

__all__ = ["check_url", "create_engine", "create_session_factory", "is_sqlite", "probe"]

CONNECT_TIMEOUT_S = 10
SQLITE_CACHE_KIB = 16 * 1024
"""Page cache of each SQLite connection (SQLite's default is 2 MiB): a sync walks and updates
the job cost lines and their indexes, which outgrow 2 MiB from a few thousand lines on. Each
connection in use fills its own cache once the tables outgrow it, so this bounds how much
memory the database takes in a process: in ``bench/job_costs_sync.py`` at a million lines,
16 MiB costs the same CPU per line as 32 MiB and holds ``procore-qb serve`` to 219-239 MiB
resident (276-306 MiB with 32 MiB; 8 MiB saved 18 MiB more on Desktop for 8% more CPU a
line)."""
_URL_FORMS = "postgresql+psycopg://USER@HOST:PORT/DBNAME, or sqlite:////absolute/path.sqlite3"


def check_url(url: str) -> sa.URL:
    """``url`` parsed, if it names a database procore-qb runs on with a driver it ships."""
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        # The text is not repeated: it may hold a password.
        raise DatabaseUnavailable(
            f"the database URL cannot be read: write it as {_URL_FORMS}"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in {"postgresql", "sqlite"}:
        raise DatabaseUnavailable(
            f"procore-qb keeps its data in PostgreSQL or SQLite, not {backend!r}: write the "
            f"database URL as {_URL_FORMS}"
        )
    driver = parsed.get_driver_name()
    if backend == "postgresql" and driver != "psycopg":
        raise DatabaseUnavailable(
            f"the database URL asks for the PostgreSQL driver {driver!r}; procore-qb ships "
            "psycopg 3: start the URL with postgresql+psycopg://"
        )
    if backend == "sqlite" and driver != "pysqlite":
        raise DatabaseUnavailable(
            f"the database URL asks for the SQLite driver {driver!r}: start it with sqlite:///"
        )
    return parsed


def probe(engine: Engine) -> None:
    """Connect once and read the schema version: :class:`DatabaseUnavailable` with the reason
    and the fix when the server cannot be reached or the SQLite file is not a database."""
    url = engine.url
    shown = url.render_as_string(hide_password=True)
    sqlite_file: Path | None = None
    if is_sqlite(engine) and url.database not in (None, "", ":memory:"):
        sqlite_file = Path(str(url.database))
    if sqlite_file is not None:
        if sqlite_file.exists() and not sqlite_file.is_file():
            raise DatabaseUnavailable(f"the SQLite database {sqlite_file} is not a file")
        if not sqlite_file.parent.is_dir():
            raise DatabaseUnavailable(
                f"the folder of the SQLite database {sqlite_file} does not exist: create it, "
                "or fix the database URL"
            )
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA schema_version" if sqlite_file else "SELECT 1")
    except sa.exc.DBAPIError as exc:
        reason = _first_line(exc.orig if exc.orig is not None else exc)
        if sqlite_file is None:
            raise DatabaseUnavailable(f"cannot connect to the database {shown}: {reason}") from None
        if any(word in reason for word in ("not a database", "malformed", "corrupt")):
            raise DatabaseUnavailable(
                f"the SQLite database {sqlite_file} is damaged ({reason}): restore it from a "
                "backup, or move it away and run `procore-qb db upgrade` to start a new one"
            ) from None
        raise DatabaseUnavailable(
            f"cannot open the SQLite database {sqlite_file}: {reason}"
        ) from None


def _first_line(error: BaseException) -> str:
    text = " ".join(str(error).split("\n")[:1]).strip()
    return text or error.__class__.__name__


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else sa.make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def create_engine(url: str, *, busy_timeout_ms: int = 10_000, echo: bool = False) -> Engine:
    """An engine for ``url`` with our per-dialect settings applied."""
    if not is_sqlite(url):
        connect_args: dict[str, Any] = {}
        if "connect_timeout" not in sa.make_url(url).query:
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
        return sa.create_engine(url, echo=echo, pool_pre_ping=True, connect_args=connect_args)

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
            cursor.execute(f"PRAGMA cache_size={-SQLITE_CACHE_KIB}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
