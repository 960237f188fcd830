"""Many rows in few statements (``store/repositories/_batch.py``): inserts and keyed updates of
job cost lines give the same rows on SQLite (multi-row statements) as on PostgreSQL (one
``executemany``), across the statements' row limit and with rows whose version moved on."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.store.models import JobCostLineRecord
from procore_qb.store.repositories._batch import ROWS_PER_STATEMENT
from procore_qb.store.repositories.job_costs import JobCosts

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
PROJECT = 562949953421312
LINES = 2 * ROWS_PER_STATEMENT + 37
"""More lines than two multi-row statements hold."""


def _line(n: int) -> dict[str, Any]:
    return {
        "txn_id": f"{n // 4:06d}-1700000000",
        "line_id": str(n % 4 + 1),
        "job_id": "80000001-1700000000",
        "source": "bill" if n % 2 else "check",
        "txn_date": date(2026, 1 + n % 12, 1 + n % 28),
        "ref_number": f"B{n}",
        "vendor_name": "Granite Supply",
        "memo": f"line {n} \u2018quoted\u2019 'and' \"double\"",
        "item_id": f"I{n % 7}" if n % 5 else None,
        "account_id": None if n % 5 else "A9",
        "amount_cents": (n * 7919) % 100_000 - 50_000,
        "status": "pending",
        "reason": None,
        "message": None,
    }


@contextmanager
def _writes(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def grab(*args: Any) -> None:
        statement = args[2]
        if "job_cost_lines" in statement and not statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", grab)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", grab)


def _stored(session: Session, company_id: int) -> list[tuple[Any, ...]]:
    c = JobCostLineRecord.__table__.c  # type: ignore[attr-defined]
    return [
        tuple(row)
        for row in session.execute(
            sa.select(
                c.txn_id,
                c.line_id,
                c.source,
                c.txn_date,
                c.memo,
                c.item_id,
                c.account_id,
                c.amount_cents,
                c.status,
                c.cost_code_id,
                c.reason,
                c.message,
                c.dirty,
                c.procore_line_id,
                c.procore_direct_cost_id,
                c.push_error,
                c.version,
            )
            .where(c.company_id == company_id)
            .order_by(c.id)
        )
    ]


def test_an_insert_of_many_lines_keeps_every_value(
    engine: Engine, session_factory: sessionmaker[Session], company_id: int
) -> None:
    lines = [_line(n) for n in range(LINES)]
    with _writes(engine) as writes, session_factory.begin() as session:
        assert JobCosts(session).upsert_lines(
            company_id, PROJECT, lines, read_key="read-1", now=NOW
        ) == (LINES, 0)
    if engine.dialect.name == "sqlite":
        # A statement per ROWS_PER_STATEMENT lines, not one run per line.
        assert len(writes) == math.ceil(LINES / ROWS_PER_STATEMENT)
        assert writes[0].count("), (") == ROWS_PER_STATEMENT - 1
    with session_factory() as session:
        stored = _stored(session, company_id)
    assert [row[:8] for row in stored] == [
        (
            line["txn_id"],
            line["line_id"],
            line["source"],
            line["txn_date"],
            line["memo"],
            line["item_id"],
            line["account_id"],
            line["amount_cents"],
        )
        for line in lines
    ]
    assert {row[8:] for row in stored} == {("pending", None, None, None, True, None, None, None, 1)}


def test_keyed_updates_change_only_the_lines_still_at_their_version(
    engine: Engine, session_factory: sessionmaker[Session], company_id: int
) -> None:
    with session_factory.begin() as session:
        repo = JobCosts(session)
        repo.upsert_lines(
            company_id, PROJECT, [_line(n) for n in range(LINES)], read_key="read-1", now=NOW
        )
        rows = repo.page(company_id, PROJECT, after_id=0, limit=LINES, dirty=True)
    assert len(rows) == LINES
    # A read moves every third line on to version 2 before the write's answer is kept.
    moved = {r.id for r in rows[::3]}
    with session_factory.begin() as session:
        repo = JobCosts(session)
        repo.upsert_lines(
            company_id,
            PROJECT,
            [{**_line(n), "amount_cents": 1} for n in range(0, LINES, 3)],
            read_key="read-2",
            now=NOW,
        )
    written = rows[: ROWS_PER_STATEMENT + 100]
    placed = rows[ROWS_PER_STATEMENT + 100 : -20]
    refused = rows[-20:]
    with _writes(engine) as writes, session_factory.begin() as session:
        repo = JobCosts(session)
        repo.settle_written(
            [(r.id, r.version, 9_000 + r.id, 5_000 + r.id // 4, 77) for r in written]
        )
        repo.place_many([(r.id, r.version, "not_mapped", None, "no_item", "why") for r in placed])
        repo.settle_many([(r.id, r.version, {"push_error": "refused"}) for r in refused])
    if engine.dialect.name == "sqlite":
        assert len(writes) == math.ceil(len(written) / ROWS_PER_STATEMENT) + 1 + 1
        assert all(w.startswith("WITH v(") and " FROM v WHERE " in w for w in writes)
    with session_factory() as session:
        stored = {row[0] + "|" + row[1]: row for row in _stored(session, company_id)}
    for n, row in enumerate(rows):
        kept = stored[f"{row.txn_id}|{row.line_id}"]
        status, code, reason, message, dirty, line_id, cost_id, error, version = kept[8:]
        if row.id in moved:
            assert (kept[7], status, code, line_id, error, version) == (
                1,
                "pending",
                None,
                None,
                None,
                2,
            ), n
            assert dirty
        elif n < len(written):
            assert (status, code, reason, message, dirty, line_id, cost_id, error) == (
                "mapped",
                77,
                None,
                None,
                False,
                9_000 + row.id,
                5_000 + row.id // 4,
                None,
            ), n
        elif n < len(written) + len(placed):
            assert (status, code, reason, message, dirty, line_id) == (
                "not_mapped",
                None,
                "no_item",
                "why",
                True,
                None,
            ), n
        else:
            assert (status, dirty, error, line_id) == ("pending", True, "refused", None), n
