"""The QuickBooks Customer:Job mirror (:class:`~procore_qb.store.models.QbJobRecord`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.domain.commands import job_from_json, job_to_json
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.store.models import QbJobRecord

__all__ = ["QbJobs"]


class QbJobs:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _rows(self, company_id: int, ids: Iterable[str]) -> dict[str, QbJobRecord]:
        wanted = list(dict.fromkeys(ids))
        out: dict[str, QbJobRecord] = {}
        # Bounded IN lists: SQLite allows 32,766 bound parameters, PostgreSQL 65,535.
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            for row in self._session.scalars(
                sa.select(QbJobRecord).where(
                    QbJobRecord.company_id == company_id, QbJobRecord.qb_id.in_(chunk)
                )
            ):
                out[row.qb_id] = row
        return out

    def upsert(
        self, company_id: int, jobs: Iterable[QuickBooksJob], *, now: datetime
    ) -> tuple[list[QuickBooksJob], list[tuple[QuickBooksJob, QuickBooksJob]]]:
        """Store what a refresh read. Returns the jobs seen for the first time, and the
        (before, after) pairs of jobs whose values changed."""
        listed = [job for job in jobs if job.id]
        rows = self._rows(company_id, (job.id or "" for job in listed))
        new: list[QuickBooksJob] = []
        changed: list[tuple[QuickBooksJob, QuickBooksJob]] = []
        for job in listed:
            job_id = job.id or ""
            data = job_to_json(job)
            row = rows.get(job_id)
            if row is None:
                row = QbJobRecord(company_id=company_id, qb_id=job_id)
                self._session.add(row)
                rows[job_id] = row
                new.append(job)
            elif row.data != data or row.deleted:
                changed.append((job_from_json(row.data), job))
            row.full_name = (job.full_name or job.name)[:255]
            row.name = job.name[:255]
            row.parent_id = job.parent_id
            row.version = job.version
            row.is_job = job.is_job
            row.active = job.active
            row.deleted = False
            row.data = data
            row.updated_at = now
        self._session.flush()
        return new, changed

    def mark_deleted(self, company_id: int, ids: Iterable[str], *, now: datetime) -> list[str]:
        """Flag records QuickBooks reported deleted; returns the ids that were known."""
        rows = self._rows(company_id, ids)
        for row in rows.values():
            row.deleted = True
            row.active = False
            row.updated_at = now
        self._session.flush()
        return sorted(rows)

    def get(self, company_id: int, qb_id: str) -> QuickBooksJob | None:
        row = self._rows(company_id, [qb_id]).get(qb_id)
        return None if row is None else job_from_json(row.data)

    def is_deleted(self, company_id: int, qb_id: str) -> bool:
        row = self._rows(company_id, [qb_id]).get(qb_id)
        return row is not None and row.deleted

    def all(self, company_id: int, *, include_deleted: bool = False) -> list[QuickBooksJob]:
        query = sa.select(QbJobRecord.data).where(QbJobRecord.company_id == company_id)
        if not include_deleted:
            query = query.where(QbJobRecord.deleted.is_(False))
        return [
            job_from_json(data)
            for data in self._session.scalars(query.order_by(QbJobRecord.full_name))
        ]

    def customers(
        self, company_id: int, *, search: str = "", limit: int = 100, offset: int = 0
    ) -> tuple[list[QuickBooksJob], int]:
        """Active, top-level customers whose full name contains ``search`` (case-insensitive),
        and how many there are in all."""
        where = [
            QbJobRecord.company_id == company_id,
            QbJobRecord.is_job.is_(False),
            QbJobRecord.deleted.is_(False),
            QbJobRecord.active.is_(True),
        ]
        if search:
            where.append(
                sa.func.lower(QbJobRecord.full_name).contains(search.lower(), autoescape=True)
            )
        total = self._session.scalar(
            sa.select(sa.func.count()).select_from(QbJobRecord).where(*where)
        )
        rows = self._session.scalars(
            sa.select(QbJobRecord.data)
            .where(*where)
            .order_by(QbJobRecord.full_name)
            .limit(limit)
            .offset(offset)
        )
        return [job_from_json(data) for data in rows], int(total or 0)

    def count(self, company_id: int) -> int:
        return int(
            self._session.scalar(
                sa.select(sa.func.count())
                .select_from(QbJobRecord)
                .where(QbJobRecord.company_id == company_id)
            )
            or 0
        )
