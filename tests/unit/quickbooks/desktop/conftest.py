"""A migrated SQLite store with one Desktop company, a settable clock, and a Web Connector
service over them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.quickbooks.desktop.passwords import hash_password
from procore_qb.quickbooks.desktop.session import (
    WebConnectorAccount,
    WebConnectorOptions,
    WebConnectorService,
)
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import Company

START = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
PASSWORD_HASH = hash_password("demo", salt=b"0123456789abcdef")


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


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


def make_service(
    sessions: sessionmaker[Session], clock: Clock, **options: object
) -> WebConnectorService:
    return WebConnectorService(
        sessions,
        {"demo": WebConnectorAccount("demo", PASSWORD_HASH, company_id=1)},
        clock=clock,
        options=WebConnectorOptions(**options),  # type: ignore[arg-type]
    )


@pytest.fixture
def service(sessions: sessionmaker[Session], clock: Clock) -> WebConnectorService:
    return make_service(sessions, clock)
