"""Outbox throughput on SQLite: commands recorded, handed out and completed per second, with the
number of SQL statements against the minimum and peak Python memory."""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from procore_qb.domain.commands import CommandResult, CreateJob
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.outbox import Outbox

COMMANDS = 2_000
BATCH = 100
NOW = datetime(2026, 11, 2, tzinfo=UTC)


def main() -> None:
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
        tracemalloc.start()
        started = time.perf_counter()
        for n in range(COMMANDS):
            with sessions.begin() as s:
                job = QuickBooksJob(name=f"Job {n}", parent_full_name="Customer")
                Outbox(s).record(company_id, CreateJob(idempotency_key=f"k{n}", job=job), now=NOW)
        recorded = time.perf_counter()
        record_statements = statements
        done = 0
        while done < COMMANDS:
            with sessions.begin() as s:
                outbox = Outbox(s)
                rows = outbox.pending(company_id, limit=BATCH)
                outbox.hand_out(rows, to="bench", now=NOW)
                for row in rows:
                    outbox.complete(
                        company_id, CommandResult(idempotency_key=row.idempotency_key), now=NOW
                    )
                done += len(rows)
        finished = time.perf_counter()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        engine.dispose()

    record_s = recorded - started
    drain_s = finished - recorded
    print(f"commands:                {COMMANDS}")
    print(f"record, one txn each:    {COMMANDS / record_s:,.0f} commands/s")
    print(
        f"  SQL statements:        {record_statements} "
        f"(minimum {COMMANDS * 3}: BEGIN, the idempotency look-up and the insert)"
    )
    print(f"hand out + complete:     {COMMANDS / drain_s:,.0f} commands/s in batches of {BATCH}")
    print(f"peak Python memory:      {peak / 1_048_576:.1f} MiB")
