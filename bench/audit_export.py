"""The audit log's CSV export on SQLite, as ``/audit.csv`` streams it: every entry read in
batches of 500 (the reader's permission checked again each batch, from its cache) and written
as formula-safe CSV lines. Records per second, SQL statements against the minimum (one read
per batch), and peak Python memory, which stays that of one batch however long the log is."""

from __future__ import annotations

import math
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench._figures import Figure, measure
from procore_qb.app.actors import Actor
from procore_qb.app.audit import EXPORT_BATCH, AuditFilter, audit_export
from procore_qb.app.context import AppContext
from procore_qb.app.errors import NotConnected
from procore_qb.domain.permissions import Tool
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.jobs.embedded import EmbeddedJobQueue
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import COMPANY_LEVEL
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.users import Users
from procore_qb.web.pages.audit import CSV_HEADER
from procore_qb.web.pages.csv_cells import csv_lines

ENTRIES = 50_000
NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
PER_BATCH = 5
"""Statements per batch: its read (BEGIN, SELECT) and the permission check before it, from the
cache (BEGIN, the user, their levels). The check before the export starts is three more."""


def _offline(*_: object) -> object:
    raise NotConnected("the benchmark reads permissions from the cache only")


def main(small: bool = False) -> list[Figure]:
    entries = 1_200 if small else ENTRIES
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
            users = Users(s)
            user = users.upsert(company_id, procore_user_id=7, email="ada@bench.example")
            users.replace_permissions(
                user, {(Tool.ERP_INTEGRATIONS.value, COMPANY_LEVEL): "admin"}, now=NOW
            )
            actor = Actor(user.id, 7, user.email)
            log = AuditLog(s)
            for n in range(entries):
                log.append(
                    at=NOW - timedelta(seconds=n),
                    actor="=cmd|' /C calc'!A0" if n % 100 == 0 else "ada@bench.example",
                    action="settings_changed",
                    company_id=company_id,
                    subject_type="project",
                    subject_id=2000 + n % 10,
                    detail={"n": n, "comment": "+1 a formula"},
                )
        ctx = AppContext(
            sessions=sessions,
            queue=EmbeddedJobQueue(engine, clock=lambda: NOW),
            clock=lambda: NOW,
            company_id=company_id,
            procore_company_id=1,
            edition=QuickBooksEdition.DESKTOP,
            procore=_offline,  # type: ignore[arg-type]
            procore_as_user=_offline,  # type: ignore[arg-type]
            procore_authorize_url=_offline,  # type: ignore[arg-type]
            procore_sign_in=_offline,  # type: ignore[arg-type]
        )
        statements = 0

        def count(*_: object) -> None:
            nonlocal statements
            statements += 1

        sa.event.listen(engine, "before_cursor_execute", count)

        def export() -> tuple[int, int]:
            lines = csv_lines(
                CSV_HEADER,
                (
                    (r.id, r.at.isoformat(), r.actor, r.action, r.subject_type, r.subject_id, "")
                    for r in audit_export(ctx, actor, AuditFilter())
                ),
            )
            rows = size = 0
            for line in lines:
                rows += 1
                size += len(line.encode())
            return rows - 1, size

        (rows, size), measured = measure(export)
        engine.dispose()
    assert rows == entries, f"{rows} of {entries} entries exported"
    batches = entries // EXPORT_BATCH + 1  # the last read finds fewer than a batch
    return [
        Figure(
            "audit log to CSV, streamed in batches",
            rows,
            measured.seconds,
            peak_bytes=measured.peak_bytes,
            calls=statements,
            minimum=batches,
            allowed=batches * PER_BATCH + 3,
            calls_name="SQL statements",
            note=f"{size / 1_048_576:.1f} MiB of CSV, {math.ceil(entries / EXPORT_BATCH)} batches",
        ).show()
    ]


if __name__ == "__main__":
    main()
