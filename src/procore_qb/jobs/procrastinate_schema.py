"""Procrastinate's own schema on PostgreSQL: applied and upgraded by Procrastinate's files,
tracked apart from our Alembic history.

Procrastinate ships its schema (``schema.sql``, for a fresh database) and one migration file per
change (``sql/migrations/MM.mm.pp_NN_name.sql``, named by the release that brought it). Those
belong to the installed library, so our Alembic revisions never contain or read them: the same
Alembic revision always means the same schema of ours, whatever Procrastinate is installed.
Instead ``procore-qb db upgrade`` calls :func:`upgrade_procrastinate_schema` after the Alembic
upgrade, which

* on a database without Procrastinate's tables applies the installed ``schema.sql``;
* on a database whose Procrastinate schema is older than the installed library applies the
  library's migration files after the recorded version, up to the installed one, in order, each
  in its own transaction (PostgreSQL uses a new enum value only once it is committed), noting
  each file as it commits so an interrupted upgrade resumes where it stopped (stop the workers
  first: the ``pre`` and ``post`` files of a release run together);
* records the schema version in the one-row table ``procore_qb_queue_schema``.

The *schema version* of an installed Procrastinate is the release of its newest migration file
(``3.4.0`` for procrastinate 3.10.0): a release that changes no schema needs no upgrade.
:func:`check_procrastinate_schema` compares the recorded schema version with the installed
library's and refuses, in one line naming the fix, to run a worker on a mismatch. A database
whose Procrastinate tables were created before versions were recorded is adopted at the
installed library's schema version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import Connection, Engine

from procore_qb.jobs.errors import JobsConfigurationError

__all__ = [
    "VERSION_TABLE",
    "SchemaUpgrade",
    "check_procrastinate_schema",
    "installed_procrastinate_version",
    "installed_schema_version",
    "recorded_procrastinate_version",
    "upgrade_procrastinate_schema",
]

VERSION_TABLE = "procore_qb_queue_schema"
"""The one-row table recording which Procrastinate schema version the database is at."""

_MIGRATION = re.compile(r"^(\d+)\.(\d+)\.(\d+)_(\d+)_[\w-]+\.sql$")
_LOCK_KEY = 0x7072_6F63  # one upgrade at a time across processes (pg_advisory_xact_lock)

Version = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class SchemaUpgrade:
    """What :func:`upgrade_procrastinate_schema` did."""

    before: str | None
    after: str
    applied: tuple[str, ...]
    """``schema.sql``, or the migration files applied, in order; empty when nothing changed."""


def _parse(version: str) -> Version:
    match = re.match(r"^(\d+)\.(\d+)\.(\d+)", version)
    if match is None:
        raise JobsConfigurationError(f"cannot read the Procrastinate version {version!r}")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def installed_procrastinate_version() -> str:
    """The version of the installed ``procrastinate`` distribution (``3.10.0``)."""
    return metadata.version("procrastinate")


def _migrations() -> list[tuple[Version, int, Path]]:
    folder = Path(SchemaManager.get_migrations_path())
    found: list[tuple[Version, int, Path]] = []
    for path in folder.iterdir():
        match = _MIGRATION.match(path.name)
        if match is not None:
            found.append(((int(match[1]), int(match[2]), int(match[3])), int(match[4]), path))
    return sorted(found)


def _text(version: Version) -> str:
    return ".".join(str(part) for part in version)


def installed_schema_version() -> str:
    """The schema version of the installed Procrastinate: the release of its newest migration
    file."""
    migrations = _migrations()
    if not migrations:
        raise JobsConfigurationError(
            "the installed procrastinate ships no migration files; reinstall it (`make install`)"
        )
    return _text(migrations[-1][0])


def _pending(
    recorded: Version, last_file: str | None, installed: Version
) -> list[tuple[Version, Path]]:
    """Migration files after ``recorded`` (and after ``last_file``, the last one applied of an
    interrupted upgrade), up to ``installed``."""
    done: tuple[Version, int] | None = None
    if last_file is not None:
        match = _MIGRATION.match(last_file)
        if match is not None:
            done = ((int(match[1]), int(match[2]), int(match[3])), int(match[4]))
    return [
        (version, path)
        for version, number, path in _migrations()
        if recorded < version <= installed and (done is None or (version, number) > done)
    ]


def _ensure_version_table(conn: Connection) -> None:
    conn.execute(
        sa.text(
            f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
            " id integer PRIMARY KEY CHECK (id = 1),"
            " version text NOT NULL,"
            " last_file text,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
    )


def _recorded_row(conn: Connection) -> tuple[str, str | None] | None:
    exists = conn.execute(sa.text("SELECT to_regclass(:name)"), {"name": VERSION_TABLE}).scalar()
    if exists is None:
        return None
    row = conn.execute(
        sa.text(f"SELECT version, last_file FROM {VERSION_TABLE} WHERE id = 1")  # noqa: S608 - a constant name
    ).one_or_none()
    return None if row is None else (str(row[0]), row[1])


def _recorded(conn: Connection) -> str | None:
    row = _recorded_row(conn)
    return None if row is None else row[0]


def _has_procrastinate_tables(conn: Connection) -> bool:
    found = conn.execute(sa.text("SELECT to_regclass('procrastinate_jobs')")).scalar()
    return found is not None


def _run_script(conn: Connection, sql: str) -> None:
    # Many statements with dollar-quoted bodies: one simple query on the driver connection (no
    # parameters, so no placeholder parsing), inside this transaction.
    conn.connection.driver_connection.execute(sql)  # type: ignore[union-attr]


def _record(conn: Connection, version: str, last_file: str | None = None) -> None:
    conn.execute(
        sa.text(
            f"INSERT INTO {VERSION_TABLE} (id, version, last_file) "  # noqa: S608 - a constant name
            "VALUES (1, :version, :last_file) ON CONFLICT (id) DO UPDATE SET "
            "version = excluded.version, last_file = excluded.last_file, applied_at = now()"
        ),
        {"version": version, "last_file": last_file},
    )


def _require_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        raise JobsConfigurationError(
            f"Procrastinate's schema lives on PostgreSQL, not {engine.dialect.name}"
        )


def recorded_procrastinate_version(engine: Engine) -> str | None:
    """The Procrastinate schema version the database is at (None: not recorded)."""
    _require_postgresql(engine)
    with engine.connect() as conn:
        return _recorded(conn)


def upgrade_procrastinate_schema(engine: Engine) -> SchemaUpgrade:
    """Bring Procrastinate's schema to the installed library's schema version (see the module's
    docstring). One upgrade runs at a time (a PostgreSQL advisory lock)."""
    _require_postgresql(engine)
    installed = installed_schema_version()
    applied: list[str] = []
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
        conn.commit()
        try:
            with conn.begin():
                _ensure_version_table(conn)
                row = _recorded_row(conn)
                if row is None:
                    if not _has_procrastinate_tables(conn):
                        _run_script(conn, SchemaManager.get_schema())
                        applied.append("schema.sql")
                    # else: tables made before versions were recorded: adopted as installed.
                    _record(conn, installed)
            if row is None:
                return SchemaUpgrade(before=None, after=installed, applied=tuple(applied))
            before, last_file = row
            if _parse(before) > _parse(installed):
                raise JobsConfigurationError(_newer_message(before, installed))
            pending = _pending(_parse(before), last_file, _parse(installed))
            for index, (version, path) in enumerate(pending):
                release_done = index + 1 == len(pending) or pending[index + 1][0] != version
                with conn.begin():
                    _run_script(conn, path.read_text(encoding="utf-8"))
                    if release_done:
                        _record(conn, _text(version))
                    else:
                        _record(conn, _recorded(conn) or before, path.name)
                applied.append(path.name)
            with conn.begin():
                if _recorded(conn) != installed:
                    _record(conn, installed)
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
            conn.commit()
    return SchemaUpgrade(before=before, after=installed, applied=tuple(applied))


def _newer_message(recorded: str, installed: str) -> str:
    return (
        f"the database's Procrastinate schema is at {recorded}, newer than the installed "
        f"procrastinate {installed_procrastinate_version()} (schema {installed}): install the "
        f"procrastinate release that procore-qb pins (`make install`)"
    )


def check_procrastinate_schema(engine: Engine) -> str:
    """The recorded version when it matches the installed library; otherwise
    :class:`JobsConfigurationError` with one line naming the fix."""
    recorded = recorded_procrastinate_version(engine)
    installed = installed_schema_version()
    if recorded is None:
        raise JobsConfigurationError(
            "the database has no Procrastinate schema recorded: run `procore-qb db upgrade`"
        )
    if _parse(recorded) > _parse(installed):
        raise JobsConfigurationError(_newer_message(recorded, installed))
    if _parse(recorded) < _parse(installed):
        raise JobsConfigurationError(
            f"the database's Procrastinate schema is at {recorded} but the installed "
            f"procrastinate {installed_procrastinate_version()} needs {installed}: stop the "
            "workers and run `procore-qb db upgrade`"
        )
    return recorded
