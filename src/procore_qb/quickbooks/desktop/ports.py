"""What the Web Connector service needs from persistence, as protocols.

:class:`~procore_qb.quickbooks.desktop.session.WebConnectorService` keeps its sessions
(tickets), the commands each ticket holds, iterator progress and received pages in a store so
that a restart loses nothing. It opens one :meth:`WebConnectorStore.transaction` per Web
Connector call and does everything of that call through the :class:`WebConnectorTransaction`
it yields: all of it is committed together when the block ends, or none of it when it raises.

The store lives outside this package (``procore_qb.store.repositories.qbwc`` implements these
protocols over the ``qb_commands`` outbox and the ``qbwc_*`` tables); records come back as
read-only snapshots, and every change goes through a method.

A job cost read's pages are applied as they arrive (:meth:`WebConnectorTransaction.apply_chunk`)
in the transaction that saves the read's progress, so a read of any size holds one message in
memory and nothing of it is kept as one row.

``parts`` is the progress of a handed-out command, one entry per qbXML request of it:
``{"page": int, "iterator_id": str | None, "sent": bool, "done": bool}``, stored as it is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from procore_qb.domain.commands import CommandResult

__all__ = [
    "ConnectionErrorRecord",
    "HeldCommand",
    "QueuedCommand",
    "TicketRecord",
    "WebConnectorStore",
    "WebConnectorTransaction",
]


class TicketRecord(Protocol):
    """One Web Connector session, by ticket. ``state``: ``open``, ``closed`` or ``expired``."""

    @property
    def ticket(self) -> str: ...
    @property
    def company_id(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def completed(self) -> int: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def qbxml_version(self) -> str | None: ...
    @property
    def last_seen_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime: ...


class QueuedCommand(Protocol):
    """A pending command of the outbox. ``payload`` is its JSON form
    (:func:`procore_qb.domain.commands.command_from_json` reads it); ``needs_lookup``: its
    earlier outcome is unknown, so the object is looked up before it is issued again, among
    what QuickBooks changed since ``first_attempt_at`` (when it was first handed out; None
    before that)."""

    @property
    def command_id(self) -> int: ...
    @property
    def idempotency_key(self) -> str: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...
    @property
    def needs_lookup(self) -> bool: ...
    @property
    def first_attempt_at(self) -> datetime | None: ...


class HeldCommand(Protocol):
    """A command handed out to a ticket, with its progress (``lookup``: its first part is a
    look-up; ``as_of``: when it was handed out; ``first_attempt_at``: when it was first handed
    out, in this or an earlier session)."""

    @property
    def command_id(self) -> int: ...
    @property
    def idempotency_key(self) -> str: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...
    @property
    def lookup(self) -> bool: ...
    @property
    def parts(self) -> Sequence[Mapping[str, Any]]: ...
    @property
    def as_of(self) -> datetime: ...
    @property
    def first_attempt_at(self) -> datetime | None: ...


class ConnectionErrorRecord(Protocol):
    @property
    def created_at(self) -> datetime: ...
    @property
    def hresult(self) -> str: ...
    @property
    def message(self) -> str: ...


class WebConnectorTransaction(Protocol):
    """Everything one Web Connector call reads and changes, inside one transaction."""

    # ---------------------------------------------------------------- sessions (tickets)

    def open_session(
        self,
        *,
        ticket: str,
        company_id: int,
        username: str,
        company_file: str,
        now: datetime,
        expires_at: datetime,
    ) -> None: ...

    def session(self, ticket: str) -> TicketRecord | None:
        """The session of ``ticket`` (any state), or None when there is none."""

    def last_session(self, company_id: int) -> TicketRecord | None:
        """The company's newest session."""

    def open_tickets(self, company_id: int) -> list[str]: ...

    def touch_session(self, ticket: str, *, now: datetime, expires_at: datetime) -> None: ...

    def end_session(self, ticket: str, *, state: str, now: datetime) -> None:
        """Set ``state`` (``closed`` or ``expired``) and the time it ended."""

    def set_qbxml_version(self, ticket: str, version: str) -> None: ...

    def set_last_error(self, ticket: str, text: str) -> None: ...

    def set_company_file(self, ticket: str, path: str) -> None:
        """The company file the Web Connector reported open in this session."""

    def pinned_company_file(self, company_id: int) -> str | None:
        """The company file the company is paired with (None until the first contact)."""

    def pin_company_file(self, company_id: int, path: str, *, now: datetime) -> None: ...

    def count_completed(self, ticket: str) -> None:
        """One more command finished in this session."""

    def record_connection_error(
        self, *, company_id: int, ticket: str | None, hresult: str, message: str, now: datetime
    ) -> None: ...

    def connection_errors(self, company_id: int, *, limit: int) -> Sequence[ConnectionErrorRecord]:
        """The company's newest connection errors, newest first."""

    # ---------------------------------------------------------------- commands

    def has_pending(self, company_id: int) -> bool: ...

    def pending(self, company_id: int, *, limit: int) -> Sequence[QueuedCommand]:
        """The company's oldest pending commands, oldest first."""

    def counts(self, company_id: int) -> Mapping[str, int]:
        """How many of the company's commands are in each state (``pending``, ``in_flight``,
        ``done``, ``failed``)."""

    def held(self, ticket: str) -> Sequence[HeldCommand]:
        """The in-flight commands ``ticket`` holds, by command id."""

    def orphans(self, company_id: int) -> list[int]:
        """Ids of the company's in-flight commands not held by any open session."""

    def hand_out(
        self,
        command_id: int,
        *,
        ticket: str,
        now: datetime,
        lookup: bool,
        parts: Sequence[Mapping[str, Any]],
    ) -> None:
        """Give a pending command to ``ticket`` (``in_flight``) with its initial progress."""

    def save_parts(self, command_id: int, parts: Sequence[Mapping[str, Any]]) -> None: ...

    def add_page(self, command_id: int, *, part: int, page: int, result: CommandResult) -> None:
        """Keep one response page of one part until the command is complete."""

    def apply_chunk(self, command_id: int, chunk: CommandResult) -> bool:
        """Apply one page of a streamed read (its job cost lines, the transactions it found
        gone) now, in this transaction, rather than keeping it until the command is complete.
        False when this store applies answers only whole (the page is then kept)."""

    def pages(self, command_id: int) -> list[tuple[int, CommandResult]]:
        """The kept pages as ``(part, result)``, by part then page."""

    def outcome_unknown(self, command_ids: Sequence[int]) -> None:
        """Return handed-out commands whose answer never came back to the queue, flagged for
        a look-up, and forget their progress and pages."""

    def complete(self, command_id: int, result: CommandResult, *, now: datetime) -> None:
        """Store the command's result in the outbox (``done`` or ``failed``), forget its
        progress and pages, and apply the result in this same transaction."""


class WebConnectorStore(Protocol):
    def transaction(self) -> AbstractContextManager[WebConnectorTransaction]:
        """A transaction: committed when the block ends normally, rolled back when it
        raises."""
