"""Outbox throughput on SQLite: commands recorded, handed out and completed per second, with the
number of SQL statements against the minimum and peak Python memory."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench._figures import Figure, measure
from procore_qb.domain.commands import CommandResult, CreateJob
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.outbox import Outbox

COMMANDS = 2_000
BATCH = 100
NOW = datetime(2026, 11, 2, tzinfo=UTC)


def main(small: bool = False) -> list[Figure]:
    commands = 200 if small else COMMANDS
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        with sessions.begin() as s:
            company_id = (
                Companies(s)
                .add(procore_company_id=1, name="Bench", qb_edition="desktop", now=NOW)
                .id
            )
        statements = 0

        def count(*_: object) -> None:
            nonlocal statements
            statements += 1

        sa.event.listen(engine, "before_cursor_execute", count)

        def record() -> None:
            for n in range(commands):
                with sessions.begin() as s:
                    job = QuickBooksJob(name=f"Job {n}", parent_full_name="Customer")
                    Outbox(s).record(
                        company_id, CreateJob(idempotency_key=f"k{n}", job=job), now=NOW
                    )

        def drain() -> int:
            done = 0
            while True:
                with sessions.begin() as s:
                    outbox = Outbox(s)
                    rows = outbox.pending(company_id, limit=BATCH)
                    if not rows:
                        return done
                    outbox.hand_out(rows, to="bench", now=NOW)
                    for row in rows:
                        outbox.complete(
                            company_id,
                            CommandResult(idempotency_key=row.idempotency_key),
                            now=NOW,
                        )
                    done += len(rows)

        _, recorded = measure(record)
        record_statements = statements
        drained, handed = measure(drain)
        engine.dispose()

    assert drained == commands, f"{drained} of {commands} commands handed out and completed"
    return [
        Figure(
            "record, one transaction each",
            commands,
            recorded.seconds,
            recorded.peak_bytes,
            calls=record_statements,
            # BEGIN, the idempotency look-up and the insert
            minimum=commands * 3,
            calls_name="SQL statements",
        ).show(),
        Figure(
            f"hand out + complete, batches of {BATCH}",
            drained,
            handed.seconds,
            handed.peak_bytes,
        ).show(),
    ]


if __name__ == "__main__":
    main()
