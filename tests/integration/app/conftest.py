"""Fixtures of the use-case integration tests: a migrated SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    migrate.upgrade(engine)
    yield create_session_factory(engine)
    engine.dispose()
