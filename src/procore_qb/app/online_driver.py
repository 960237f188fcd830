"""The Online driver: runs a company's pending ``qb_commands`` through the Online gateway.

One run: hand the oldest pending commands out (one short transaction), execute them at once in
batches (no transaction open while QuickBooks works), then store each answer (one short
transaction), handing each stored result to the optional ``on_result`` handler in that same
transaction (done and failed ones alike; not the ones that go back to pending). A command whose
answer was lost, or that could not be sent for now (throttled, QuickBooks unreachable, the
connection needs the user to reconnect), goes back to ``pending``
flagged ``needs_lookup``; the next run passes it to the gateway in ``look_up_first``, so it is
looked up before anything is created again. Commands left ``in_flight`` by a run that died are
treated the same way once they are older than ``stale_after``.

A job cost read (``QueryJobCosts``) is streamed when the driver has an ``on_chunk`` handler:
its lines come in page by page and each chunk of at most ``chunk_lines`` lines is handed to
``on_chunk`` in its own transaction, which also renews the command's hand-out time (so a long
read is not taken for a dead one); the stored answer then holds only the deleted
transactions, the watermark and whether it was a full read. A read cut short (a crash, a
throttled call) is read again from the start, under a new attempt: what its chunks kept is
written again idempotently and nothing is lost.

Run one driver per company at a time (give its job the company as lock key).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from procore_qb.app.job_costs import INGEST_BATCH, batches
from procore_qb.domain.commands import Command, CommandResult, QueryJobCosts
from procore_qb.quickbooks.online.errors import QboError
from procore_qb.quickbooks.online.gateway import RECONNECT_REQUIRED, OnlineGateway, command_error
from procore_qb.store.repositories.outbox import Outbox, ResultHandler

__all__ = ["DriverRun", "OnlineDriver"]


@dataclass
class DriverRun:
    """What one or more runs did."""

    done: int = 0
    failed: int = 0
    retry_later: int = 0
    reconnect_required: bool = False
    results: list[CommandResult] = field(default_factory=list)

    def add(self, other: DriverRun) -> None:
        self.done += other.done
        self.failed += other.failed
        self.retry_later += other.retry_later
        self.reconnect_required = self.reconnect_required or other.reconnect_required
        self.results.extend(other.results)


class OnlineDriver:
    """Moves company ``company_id``'s commands between the outbox and ``gateway``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        gateway: OnlineGateway,
        *,
        company_id: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        per_run: int = 300,
        stale_after: timedelta = timedelta(minutes=10),
        on_result: ResultHandler | None = None,
        on_chunk: ResultHandler | None = None,
        chunk_lines: int = INGEST_BATCH,
    ) -> None:
        if per_run < 1:
            raise ValueError("per_run must be at least 1")
        if not 1 <= chunk_lines <= 100_000:
            raise ValueError("chunk_lines must be 1-100000")
        self._sessions = sessions
        self._gateway = gateway
        self._company_id = company_id
        self._clock = clock
        self._per_run = per_run
        self._stale_after = stale_after
        self._on_result = on_result
        self._on_chunk = on_chunk
        self._chunk_lines = chunk_lines

    def run_once(self) -> DriverRun:
        now = self._clock()
        ticket = f"qbo:{uuid.uuid4().hex[:20]}"
        with self._sessions.begin() as session:
            outbox = Outbox(session)
            abandoned = [
                row
                for row in outbox.in_flight(self._company_id)
                if row.handed_out_at is None or row.handed_out_at <= now - self._stale_after
            ]
            outbox.outcome_unknown(abandoned)
            rows = outbox.pending(self._company_id, limit=self._per_run)
            commands = [Outbox.command(row) for row in rows]
            look_up_first = {row.idempotency_key for row in rows if row.needs_lookup}
            outbox.hand_out(rows, to=ticket, now=now)
        run = DriverRun()
        if not commands:
            return run
        streamed = [c for c in commands if self._streams(c)]
        others = [c for c in commands if not self._streams(c)]
        results = self._gateway.execute(others, look_up_first=look_up_first) if others else []
        self._store(results, run)
        stop: CommandResult | None = None
        for command in streamed:
            assert isinstance(command, QueryJobCosts)  # noqa: S101 - _streams checked it
            if stop is not None:
                result: CommandResult | None = CommandResult(
                    command.idempotency_key, error=stop.error
                )
            else:
                result = self._stream(command, ticket)
            if result is None:
                continue  # another run took the command over
            if result.error is not None and result.error.code == RECONNECT_REQUIRED:
                stop = result
            self._store([result], run)
        return run

    def _streams(self, command: Command) -> bool:
        return self._on_chunk is not None and isinstance(command, QueryJobCosts)

    def _stream(self, command: QueryJobCosts, ticket: str) -> CommandResult | None:
        """Read ``command``'s lines chunk by chunk into ``on_chunk``; the rest of the answer,
        or None when the command is no longer this run's."""
        key = command.idempotency_key
        read = self._gateway.stream_job_costs(command)
        try:
            for chunk in batches(read, self._chunk_lines):
                with self._sessions.begin() as session:
                    row = Outbox(session).get(self._company_id, key)
                    if row.state != "in_flight" or row.handed_out_to != ticket:
                        return None
                    assert self._on_chunk is not None  # noqa: S101 - _streams checked it
                    self._on_chunk(session, row, CommandResult(key, job_costs=tuple(chunk)))
                    row.handed_out_at = self._clock()
        except QboError as exc:
            return CommandResult(key, error=command_error(exc))
        return CommandResult(
            key,
            deleted_ids=read.deleted_ids,
            as_of=read.as_of,
            full_read=read.full_read and command.modified_since is not None,
        )

    def _store(self, results: list[CommandResult], run: DriverRun) -> None:
        if not results:
            return
        with self._sessions.begin() as session:
            outbox = Outbox(session)
            for result in results:
                run.results.append(result)
                if result.error is not None and result.error.retriable:
                    outbox.outcome_unknown([outbox.get(self._company_id, result.idempotency_key)])
                    run.retry_later += 1
                    if result.error.code == RECONNECT_REQUIRED:
                        run.reconnect_required = True
                    continue
                stored = outbox.complete(self._company_id, result, now=self._clock())
                if self._on_result is not None:
                    self._on_result(session, stored, result)
                if result.ok:
                    run.done += 1
                else:
                    run.failed += 1

    def drain(self, *, max_runs: int = 100) -> DriverRun:
        """Run until nothing is pending or a run makes no progress (everything left must wait:
        throttled, unreachable, or the user must reconnect QuickBooks)."""
        total = DriverRun()
        for _ in range(max_runs):
            run = self.run_once()
            total.add(run)
            if run.done + run.failed == 0 or run.reconnect_required:
                break
        return total
