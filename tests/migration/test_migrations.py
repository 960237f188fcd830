"""Alembic migrations go up and down on SQLite and PostgreSQL, and agree with the models."""

from __future__ import annotations

from collections.abc import Iterator
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
        return item.name.startswith("procrastinate")
    if kind == "remove_index" and isinstance(item, sa.Index) and item.table is not None:
        return item.table.name.startswith("procrastinate")
    return False


def test_single_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1
