"""The ``qb_commands`` outbox: record commands with the state change that needs them, hand them
to an edition driver, and store what QuickBooks answered.

Idempotency keys are scoped by company: every look-up by key names the company too, so two
companies can never see or complete each other's commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.domain.commands import (
    Command,
    CommandResult,
    command_from_json,
    command_to_json,
    result_from_json,
    result_to_json,
)
from procore_qb.store.errors import NotFound
from procore_qb.store.models import QbCommand

__all__ = ["Outbox", "ResultHandler"]

ResultHandler = Callable[[Session, QbCommand, CommandResult], None]
"""Applies a finished command's result. An edition driver calls it right after
:meth:`Outbox.complete`, with the same session, so the result and what it changes are committed
in one transaction (or not at all)."""


class Outbox:
    """Repository of :class:`~procore_qb.store.models.QbCommand` rows for one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(
        self,
        company_id: int,
        command: Command,
        *,
        now: datetime,
        subject_type: str | None = None,
        subject_id: int | None = None,
    ) -> QbCommand:
        """Add ``command`` as pending. A command with the same idempotency key that is already
        recorded is returned as it is, so recording twice never queues the work twice."""
        existing = self.find(company_id, command.idempotency_key)
        if existing is not None:
            return existing
        row = QbCommand(
            company_id=company_id,
            idempotency_key=command.idempotency_key,
            kind=command.kind,
            payload=command_to_json(command),
            state="pending",
            subject_type=subject_type,
            subject_id=subject_id,
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return row

    def find(self, company_id: int, idempotency_key: str) -> QbCommand | None:
        return self._session.scalars(
            sa.select(QbCommand).where(
                QbCommand.company_id == company_id,
                QbCommand.idempotency_key == idempotency_key,
            )
        ).one_or_none()

    def get(self, company_id: int, idempotency_key: str) -> QbCommand:
        row = self.find(company_id, idempotency_key)
        if row is None:
            raise NotFound(
                f"company {company_id} has no QuickBooks command with idempotency key "
                f"{idempotency_key!r}"
            )
        return row

    def by_id(self, command_id: int) -> QbCommand:
        row = self._session.get(QbCommand, command_id)
        if row is None:
            raise NotFound(f"no QuickBooks command with id {command_id}")
        return row

    def pending(self, company_id: int, *, limit: int) -> list[QbCommand]:
        """The oldest pending commands of a company, oldest first."""
        return list(
            self._session.scalars(
                sa.select(QbCommand)
                .where(QbCommand.company_id == company_id, QbCommand.state == "pending")
                .order_by(QbCommand.id)
                .limit(limit)
            )
        )

    def in_flight(self, company_id: int) -> list[QbCommand]:
        return list(
            self._session.scalars(
                sa.select(QbCommand)
                .where(QbCommand.company_id == company_id, QbCommand.state == "in_flight")
                .order_by(QbCommand.id)
            )
        )

    def hand_out(self, rows: Sequence[QbCommand], *, to: str, now: datetime) -> None:
        """Mark ``rows`` as given to a driver session ``to`` (a Web Connector ticket, a batch);
        the first hand-out of each is kept as its ``first_attempt_at``."""
        for row in rows:
            row.state = "in_flight"
            row.attempts += 1
            row.handed_out_at = now
            if row.first_attempt_at is None:
                row.first_attempt_at = now
            row.handed_out_to = to
        self._session.flush()

    def outcome_unknown(self, rows: Sequence[QbCommand]) -> None:
        """Return handed-out commands whose answer never came back to the queue. They are
        flagged ``needs_lookup``: the driver must look the object up before issuing them again."""
        for row in rows:
            if row.state != "in_flight":
                continue
            row.state = "pending"
            row.needs_lookup = True
            row.handed_out_to = None
        self._session.flush()

    def complete(self, company_id: int, result: CommandResult, *, now: datetime) -> QbCommand:
        """Store QuickBooks' answer to company ``company_id``'s command ``result.idempotency_key``:
        ``done`` when it succeeded, ``failed`` when refused."""
        row = self.get(company_id, result.idempotency_key)
        row.result = result_to_json(result)
        row.state = "done" if result.ok else "failed"
        row.error_code = None if result.error is None else result.error.code
        row.error_message = None if result.error is None else result.error.message
        row.needs_lookup = False
        row.completed_at = now
        self._session.flush()
        return row

    @staticmethod
    def command(row: QbCommand) -> Command:
        return command_from_json(row.payload)

    @staticmethod
    def result(row: QbCommand) -> CommandResult | None:
        return None if row.result is None else result_from_json(row.result)

    def counts(self, company_id: int) -> dict[str, int]:
        rows = self._session.execute(
            sa.select(QbCommand.state, sa.func.count())
            .where(QbCommand.company_id == company_id)
            .group_by(QbCommand.state)
        )
        return {state: int(n) for state, n in rows}
