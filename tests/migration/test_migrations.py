"""Alembic migrations go up and down on SQLite and PostgreSQL, and agree with the models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from procore_qb.store import migrate
from procore_qb.store.engine import create_engine
from procore_qb.store.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    yield engine
    engine.dispose()


def _our_tables(engine: Engine) -> set[str]:
    return {t for t in sa.inspect(engine).get_table_names() if t != "alembic_version"}


def test_upgrade_creates_every_model_table_and_downgrade_removes_them(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert set(Base.metadata.tables) <= _our_tables(engine)
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    assert not (set(Base.metadata.tables) & _our_tables(engine))


def test_every_revision_steps_down_and_up_again(engine: Engine) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    migrate.upgrade(engine)
    for revision in reversed(revisions):
        migrate.downgrade(engine, "-1")
        migrate.upgrade(engine, revision)
        migrate.downgrade(engine, "-1")
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_models_and_migrations_agree(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    # Tables created by a migration for another component (the Procrastinate schema on
    # PostgreSQL) are not ours to model.
    ours = [d for d in diff if not _procrastinates(d)]
    assert ours == []


def _procrastinates(change: tuple[object, ...]) -> bool:
    kind, item = change[0], change[1]
    if kind == "remove_table" and isinstance(item, sa.Table):
        return item.name.startswith("procrastinate") or item.name == "procore_qb_queue_schema"
    if kind == "remove_index" and isinstance(item, sa.Index) and item.table is not None:
        return item.table.name.startswith("procrastinate")
    return False


def test_single_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1


def test_outbox_keys_become_unique_per_company_and_rows_survive(engine: Engine) -> None:
    migrate.upgrade(engine, "0006")
    now = datetime(2026, 12, 3, tzinfo=UTC)
    companies = sa.table(
        "companies",
        sa.column("id", sa.Integer),
        sa.column("procore_company_id", sa.BigInteger),
        sa.column("name", sa.String),
        sa.column("qb_edition", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    commands = sa.table(
        "qb_commands",
        sa.column("company_id", sa.Integer),
        sa.column("idempotency_key", sa.String),
        sa.column("kind", sa.String),
        sa.column("payload", sa.JSON),
        sa.column("state", sa.String),
        sa.column("attempts", sa.Integer),
        sa.column("needs_lookup", sa.Boolean),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )

    def command(company_id: int, key: str) -> dict[str, object]:
        return {
            "company_id": company_id,
            "idempotency_key": key,
            "kind": "query_jobs",
            "payload": {},
            "state": "pending",
            "attempts": 0,
            "needs_lookup": False,
            "created_at": now,
        }

    with engine.begin() as conn:
        conn.execute(
            sa.insert(companies),
            [
                {
                    "id": n,
                    "procore_company_id": n,
                    "name": f"C{n}",
                    "qb_edition": "desktop",
                    "created_at": now,
                }
                for n in (1, 2)
            ],
        )
        conn.execute(sa.insert(commands), [command(1, "k-1")])
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(commands), [command(2, "k-1")])

    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(commands), [command(2, "k-1")])
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(commands), [command(1, "k-1")])
    with engine.connect() as conn:
        keys = conn.execute(
            sa.select(commands.c.company_id, commands.c.idempotency_key).order_by(
                commands.c.company_id
            )
        ).all()
    assert [tuple(k) for k in keys] == [(1, "k-1"), (2, "k-1")]
