"""The Web Connector's persistence: sessions (tickets), the commands each ticket holds, their
iterator progress and received pages, over the ``qb_commands`` outbox and the ``qbwc_*`` tables
(:mod:`procore_qb.store.models.qbwc`).

:class:`SqlWebConnectorStore` implements the store protocol the Desktop Web Connector service
declares (``WebConnectorStore`` in ``procore_qb.quickbooks.desktop.ports``) structurally: each
:meth:`SqlWebConnectorStore.transaction` is one database transaction, and a finished command's
result is stored with :meth:`Outbox.complete` and handed to the optional ``on_result`` handler
in that same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.domain.commands import CommandResult, result_from_json, result_to_json
from procore_qb.store.errors import NotFound
from procore_qb.store.models import (
    QbCommand,
    QbdCommandProgress,
    QbdResultPage,
    QbwcConnectionError,
    QbwcSession,
)
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.outbox import Outbox, ResultHandler

__all__ = [
    "PINNED_COMPANY_FILE",
    "ConnectionErrorSnapshot",
    "HeldCommandSnapshot",
    "QueuedCommandSnapshot",
    "SqlWebConnectorStore",
    "SqlWebConnectorTransaction",
    "TicketSnapshot",
]

PINNED_COMPANY_FILE = "qbwc_company_file"
"""Company setting: the QuickBooks company file the Web Connector had open on first contact."""


@dataclass(frozen=True, slots=True)
class TicketSnapshot:
    ticket: str
    company_id: int
    state: str
    completed: int
    last_error: str | None
    qbxml_version: str | None
    last_seen_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class QueuedCommandSnapshot:
    command_id: int
    idempotency_key: str
    payload: Mapping[str, Any]
    needs_lookup: bool
    first_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class HeldCommandSnapshot:
    command_id: int
    idempotency_key: str
    payload: Mapping[str, Any]
    lookup: bool
    parts: Sequence[Mapping[str, Any]]
    as_of: datetime
    first_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class ConnectionErrorSnapshot:
    created_at: datetime
    hresult: str
    message: str


def _ticket(row: QbwcSession) -> TicketSnapshot:
    return TicketSnapshot(
        ticket=row.ticket,
        company_id=row.company_id,
        state=row.state,
        completed=row.completed,
        last_error=row.last_error,
        qbxml_version=row.qbxml_version,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
    )


class SqlWebConnectorStore:
    """``on_result`` is called with the session, the stored outbox row and the result right
    after each :meth:`Outbox.complete`, inside the same transaction; ``on_chunk`` likewise
    with each page of a streamed read (without it, pages are kept until the command is
    complete)."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        on_result: ResultHandler | None = None,
        on_chunk: ResultHandler | None = None,
    ) -> None:
        self._sessions = session_factory
        self._on_result = on_result
        self._on_chunk = on_chunk

    @contextmanager
    def transaction(self) -> Iterator[SqlWebConnectorTransaction]:
        with self._sessions.begin() as db:
            yield SqlWebConnectorTransaction(db, on_result=self._on_result, on_chunk=self._on_chunk)


class SqlWebConnectorTransaction:
    """The Web Connector's reads and writes inside one open ``Session``; never commits."""

    def __init__(
        self,
        db: Session,
        *,
        on_result: ResultHandler | None = None,
        on_chunk: ResultHandler | None = None,
    ) -> None:
        self._db = db
        self._outbox = Outbox(db)
        self._on_result = on_result
        self._on_chunk = on_chunk

    # ---------------------------------------------------------------- sessions (tickets)

    def _session_row(self, ticket: str) -> QbwcSession:
        row = self._db.get(QbwcSession, ticket)
        if row is None:
            raise NotFound(f"no Web Connector session with ticket {ticket!r}")
        return row

    def open_session(
        self,
        *,
        ticket: str,
        company_id: int,
        username: str,
        company_file: str,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        self._db.add(
            QbwcSession(
                ticket=ticket,
                company_id=company_id,
                username=username,
                state="open",
                company_file=company_file,
                completed=0,
                created_at=now,
                last_seen_at=now,
                expires_at=expires_at,
            )
        )
        self._db.flush()

    def session(self, ticket: str) -> TicketSnapshot | None:
        row = self._db.get(QbwcSession, ticket)
        return None if row is None else _ticket(row)

    def last_session(self, company_id: int) -> TicketSnapshot | None:
        row = self._db.scalars(
            sa.select(QbwcSession)
            .where(QbwcSession.company_id == company_id)
            .order_by(QbwcSession.created_at.desc())
            .limit(1)
        ).one_or_none()
        return None if row is None else _ticket(row)

    def open_tickets(self, company_id: int) -> list[str]:
        return list(
            self._db.scalars(
                sa.select(QbwcSession.ticket).where(
                    QbwcSession.company_id == company_id, QbwcSession.state == "open"
                )
            )
        )

    def touch_session(self, ticket: str, *, now: datetime, expires_at: datetime) -> None:
        row = self._session_row(ticket)
        row.last_seen_at = now
        row.expires_at = expires_at

    def end_session(self, ticket: str, *, state: str, now: datetime) -> None:
        row = self._session_row(ticket)
        row.state = state
        row.closed_at = now

    def set_qbxml_version(self, ticket: str, version: str) -> None:
        self._session_row(ticket).qbxml_version = version

    def set_last_error(self, ticket: str, text: str) -> None:
        self._session_row(ticket).last_error = text

    def set_company_file(self, ticket: str, path: str) -> None:
        self._session_row(ticket).company_file = path

    def pinned_company_file(self, company_id: int) -> str | None:
        value = Companies(self._db).setting(company_id, PINNED_COMPANY_FILE)
        return value if isinstance(value, str) and value else None

    def pin_company_file(self, company_id: int, path: str, *, now: datetime) -> None:
        Companies(self._db).set_setting(company_id, PINNED_COMPANY_FILE, path, now=now)

    def count_completed(self, ticket: str) -> None:
        self._session_row(ticket).completed += 1

    def record_connection_error(
        self, *, company_id: int, ticket: str | None, hresult: str, message: str, now: datetime
    ) -> None:
        self._db.add(
            QbwcConnectionError(
                company_id=company_id,
                ticket=ticket,
                hresult=hresult,
                message=message,
                created_at=now,
            )
        )

    def connection_errors(self, company_id: int, *, limit: int) -> list[ConnectionErrorSnapshot]:
        rows = self._db.scalars(
            sa.select(QbwcConnectionError)
            .where(QbwcConnectionError.company_id == company_id)
            .order_by(QbwcConnectionError.id.desc())
            .limit(limit)
        )
        return [ConnectionErrorSnapshot(e.created_at, e.hresult, e.message) for e in rows]

    # ---------------------------------------------------------------- commands

    def has_pending(self, company_id: int) -> bool:
        return bool(self._outbox.pending(company_id, limit=1))

    def pending(self, company_id: int, *, limit: int) -> list[QueuedCommandSnapshot]:
        return [
            QueuedCommandSnapshot(
                row.id, row.idempotency_key, row.payload, row.needs_lookup, row.first_attempt_at
            )
            for row in self._outbox.pending(company_id, limit=limit)
        ]

    def counts(self, company_id: int) -> dict[str, int]:
        return self._outbox.counts(company_id)

    def _held_rows(self, ticket: str) -> list[tuple[QbdCommandProgress, QbCommand]]:
        rows = self._db.execute(
            sa.select(QbdCommandProgress, QbCommand)
            .join(QbCommand, QbCommand.id == QbdCommandProgress.command_id)
            .where(QbdCommandProgress.ticket == ticket, QbCommand.state == "in_flight")
            .order_by(QbCommand.id)
        )
        return [(progress, command) for progress, command in rows]

    def held(self, ticket: str) -> list[HeldCommandSnapshot]:
        return [
            HeldCommandSnapshot(
                command_id=row.id,
                idempotency_key=row.idempotency_key,
                payload=row.payload,
                lookup=progress.lookup,
                parts=[dict(p) for p in progress.parts],
                as_of=progress.as_of,
                first_attempt_at=row.first_attempt_at,
            )
            for progress, row in self._held_rows(ticket)
        ]

    def orphans(self, company_id: int) -> list[int]:
        out: list[int] = []
        for row in self._outbox.in_flight(company_id):
            holder = None if not row.handed_out_to else self._db.get(QbwcSession, row.handed_out_to)
            if holder is None or holder.state != "open":
                out.append(row.id)
        return out

    def hand_out(
        self,
        command_id: int,
        *,
        ticket: str,
        now: datetime,
        lookup: bool,
        parts: Sequence[Mapping[str, Any]],
    ) -> None:
        row = self._outbox.by_id(command_id)
        self._outbox.hand_out([row], to=ticket, now=now)
        self._db.add(
            QbdCommandProgress(
                command_id=command_id,
                ticket=ticket,
                lookup=lookup,
                parts=[dict(p) for p in parts],
                as_of=now,
            )
        )
        self._db.flush()

    def save_parts(self, command_id: int, parts: Sequence[Mapping[str, Any]]) -> None:
        progress = self._db.get(QbdCommandProgress, command_id)
        if progress is None:
            raise NotFound(f"QuickBooks command {command_id} is not handed out")
        progress.parts = [dict(p) for p in parts]
        self._db.flush()

    def add_page(self, command_id: int, *, part: int, page: int, result: CommandResult) -> None:
        self._db.add(
            QbdResultPage(
                command_id=command_id, part=part, page=page, result=result_to_json(result)
            )
        )

    def apply_chunk(self, command_id: int, chunk: CommandResult) -> bool:
        if self._on_chunk is None:
            return False
        self._on_chunk(self._db, self._outbox.by_id(command_id), chunk)
        return True

    def pages(self, command_id: int) -> list[tuple[int, CommandResult]]:
        rows = self._db.scalars(
            sa.select(QbdResultPage)
            .where(QbdResultPage.command_id == command_id)
            .order_by(QbdResultPage.part, QbdResultPage.page)
        )
        return [(row.part, result_from_json(row.result)) for row in rows]

    def _drop_progress(self, command_id: int) -> None:
        self._db.execute(sa.delete(QbdResultPage).where(QbdResultPage.command_id == command_id))
        self._db.execute(
            sa.delete(QbdCommandProgress).where(QbdCommandProgress.command_id == command_id)
        )

    def outcome_unknown(self, command_ids: Sequence[int]) -> None:
        rows = [self._outbox.by_id(command_id) for command_id in command_ids]
        for row in rows:
            self._drop_progress(row.id)
        self._outbox.outcome_unknown(rows)

    def complete(self, command_id: int, result: CommandResult, *, now: datetime) -> None:
        row = self._outbox.by_id(command_id)
        if row.idempotency_key != result.idempotency_key:
            raise ValueError(
                f"the result of {result.idempotency_key!r} cannot complete command "
                f"{row.idempotency_key!r}"
            )
        self._drop_progress(command_id)
        stored = self._outbox.complete(row.company_id, result, now=now)
        if self._on_result is not None:
            self._on_result(self._db, stored, result)
