"""Helpers of the Desktop unit tests: the start time, a settable clock, a Web Connector service
over a store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from procore_qb.quickbooks.desktop.passwords import hash_password
from procore_qb.quickbooks.desktop.session import (
    WebConnectorAccount,
    WebConnectorOptions,
    WebConnectorService,
)
from procore_qb.store.repositories.outbox import ResultHandler
from procore_qb.store.repositories.qbwc import SqlWebConnectorStore

START = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
PASSWORD_HASH = hash_password("demo", salt=b"0123456789abcdef")


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def make_service(
    sessions: sessionmaker[Session],
    clock: Clock,
    *,
    on_result: ResultHandler | None = None,
    **options: object,
) -> WebConnectorService:
    return WebConnectorService(
        SqlWebConnectorStore(sessions, on_result=on_result),
        {"demo": WebConnectorAccount("demo", PASSWORD_HASH, company_id=1)},
        clock=clock,
        options=WebConnectorOptions(**options),  # type: ignore[arg-type]
    )
