"""A migrated SQLite store with one Desktop company, a settable clock, and a Web Connector
service over them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop_support import START, Clock, make_service
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.quickbooks.desktop.session import WebConnectorService
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import Company


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    migrate.upgrade(engine)
    factory = create_session_factory(engine)
    with factory.begin() as db:
        db.add(
            Company(
                id=1,
                procore_company_id=4001,
                name="Summit Ridge Builders",
                qb_edition="desktop",
                created_at=START,
            )
        )
    yield factory
    engine.dispose()


@pytest.fixture
def service(sessions: sessionmaker[Session], clock: Clock) -> WebConnectorService:
    return make_service(sessions, clock)
