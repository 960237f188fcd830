"""Fixtures of the QuickBooks Online integration tests: migrated databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory


def _migrated(url: str) -> Iterator[sessionmaker[Session]]:
    engine = create_engine(url)
    migrate.upgrade(engine)
    yield create_session_factory(engine)
    engine.dispose()


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """SQLite: enough for the tests whose subject is the HTTP exchange."""
    yield from _migrated(f"sqlite:///{tmp_path / 'online.sqlite3'}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_sessions(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[sessionmaker[Session]]:
    """SQLite and PostgreSQL, for tests whose subject is what lands in the database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'online.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    yield from _migrated(url)
