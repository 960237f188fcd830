"""Job cost syncing: the projects that sync QuickBooks costs, their cost lines, the totals
written to Procore.

Built for many lines: reads of lines come back as plain rows in pages (never the ORM identity
map of a whole project), writes are set-based statements, and every query that walks lines is
keyed by an index of ``job_cost_lines``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

from procore_qb.domain.job_costs import MappingReason
from procore_qb.store.models import JobCostLineRecord, JobCostProject, JobCostTotal

__all__ = ["CONTENT_FIELDS", "CostCodeSums", "JobCosts", "LineRow", "ProjectFigures"]

_L = JobCostLineRecord
_T: sa.Table = JobCostLineRecord.__table__  # type: ignore[assignment]

CONTENT_FIELDS = (
    "job_id",
    "source",
    "txn_date",
    "ref_number",
    "vendor_name",
    "memo",
    "item_id",
    "account_id",
    "amount_cents",
    "status",
    "reason",
    "message",
)
"""What a read from QuickBooks sets on a line; any change to it makes the line dirty. The last
three are the read's verdict: ``pending`` (to be placed on a cost code), or ``excluded`` /
``not_mapped`` with the reason when the read alone decides it (see :func:`_placed`)."""

_content = itemgetter(*CONTENT_FIELDS)
_STATUS = CONTENT_FIELDS.index("status")
_ITEM = CONTENT_FIELDS.index("item_id")
_ACCOUNT = CONTENT_FIELDS.index("account_id")
_READ_FIELDS = CONTENT_FIELDS[:_STATUS]
"""What a read sets on a line that was placed before and still is to be placed."""
_READ_REASONS = frozenset(
    {MappingReason.AMOUNT_OUT_OF_RANGE.value, MappingReason.CREATED_BY_PROCORE_QB.value}
)
"""``reason`` of a line the read itself took off the cost codes (not placing it)."""


def _placed(stored: Sequence[Any]) -> bool:
    """Whether a stored line's (status, reason) came from placing it (or it waits to be), not
    from the read: ``pending``, ``mapped``, or ``not_mapped`` for a reason of placing."""
    status, reason = stored[_STATUS], stored[_STATUS + 1]
    return status in ("pending", "mapped") or (
        status == "not_mapped" and reason not in _READ_REASONS
    )


_CHUNK = 500
"""Ids per ``IN (...)`` list: well under SQLite's bound-parameter limit."""


class LineRow(NamedTuple):
    """One line as the push and the read model see it (a plain row, not an ORM object; a
    named tuple, built from a database row at the cost of one tuple)."""

    id: int
    version: int
    job_id: str
    source: str
    txn_id: str
    line_id: str
    txn_date: Any
    ref_number: str
    vendor_name: str
    memo: str
    item_id: str | None
    account_id: str | None
    amount_cents: int
    status: str
    cost_code_id: int | None
    reason: str | None
    message: str | None
    dirty: bool
    removed: bool
    sent: bool
    procore_direct_cost_id: int | None
    procore_line_id: int | None
    push_error: str | None


_LINE_COLUMNS = tuple(getattr(_L, name) for name in LineRow._fields)


@dataclass(frozen=True, slots=True)
class CostCodeSums:
    cost_code_id: int
    cents: int
    lines: int
    transactions: int


@dataclass(frozen=True, slots=True)
class ProjectFigures:
    """One project's job cost figures for the company-wide view."""

    procore_project_id: int
    job_to_date_cents: int
    budget_cents: int
    not_mapped: int
    refused: int
    """Lines Procore refused at the last write."""


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class JobCosts:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _execute_many(self, statement: UpdateBase, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run ``statement`` once per row of bound values, as one driver ``executemany``.

        The statement is compiled once for the dialect and each row's values go through the
        column types' bind processors, without SQLAlchemy's per-row parameter building (which
        costs more than the database's own work for a page of lines)."""
        if not rows:
            return
        connection = self._session.connection()
        dialect = connection.dialect
        compiled = statement.compile(dialect=dialect)
        names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
        fixed: dict[str, Any] = {}
        processors: dict[str, Any] = {}
        for name in names:
            bind = compiled.binds[name]
            if not bind.required:
                fixed[name] = bind.effective_value
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        # Column by column: each a list the processor maps over, then zipped into rows.
        columns: list[list[Any]] = []
        for name in names:
            if name in fixed:
                column = [fixed[name]] * len(rows)
            else:
                column = list(map(itemgetter(name), rows))
            processor = processors.get(name)
            if processor is not None:
                column = [v if v is None else processor(v) for v in column]
            columns.append(column)
        params: list[Any] = list(zip(*columns, strict=True))
        if not compiled.positional:
            params = [dict(zip(names, row, strict=True)) for row in params]
        connection.exec_driver_sql(compiled.string, params)

    # ------------------------------------------------------------------ projects

    def project(self, company_id: int, project_id: int) -> JobCostProject | None:
        return self._session.scalars(
            sa.select(JobCostProject).where(
                JobCostProject.company_id == company_id,
                JobCostProject.procore_project_id == project_id,
            )
        ).one_or_none()

    def set_project(
        self,
        company_id: int,
        project_id: int,
        *,
        qb_job_id: str,
        enabled: bool,
        by: str,
        now: datetime,
    ) -> JobCostProject:
        row = self.project(company_id, project_id)
        if row is None:
            row = JobCostProject(
                company_id=company_id,
                procore_project_id=project_id,
                qb_job_id=qb_job_id,
                changed_at=now,
            )
            self._session.add(row)
        if row.qb_job_id != qb_job_id:
            # Relinked to another job: what was read for the old one no longer applies.
            row.watermark = None
            row.map_fingerprint = None
        row.qb_job_id = qb_job_id
        row.enabled = enabled
        row.changed_at = now
        row.changed_by = by
        self._session.flush()
        return row

    def enabled_projects(self, company_id: int) -> list[JobCostProject]:
        return list(
            self._session.scalars(
                sa.select(JobCostProject)
                .where(JobCostProject.company_id == company_id, JobCostProject.enabled.is_(True))
                .order_by(JobCostProject.procore_project_id)
            )
        )

    def projects_for_jobs(self, company_id: int, job_ids: Iterable[str]) -> list[JobCostProject]:
        wanted = sorted(set(job_ids))
        out: list[JobCostProject] = []
        for chunk in _chunks(wanted):
            out.extend(
                self._session.scalars(
                    sa.select(JobCostProject).where(
                        JobCostProject.company_id == company_id,
                        JobCostProject.enabled.is_(True),
                        JobCostProject.qb_job_id.in_(list(chunk)),
                    )
                )
            )
        return sorted(out, key=lambda p: p.procore_project_id)

    # ------------------------------------------------------------------ lines read

    def upsert_lines(
        self,
        company_id: int,
        project_id: int,
        lines: Sequence[Mapping[str, Any]],
        *,
        read_key: str,
        now: datetime,
    ) -> tuple[int, int]:
        """Store one batch of lines read for ``project_id`` (dicts of :data:`CONTENT_FIELDS`
        plus ``txn_id`` and ``line_id``). New lines are added dirty; a line whose content
        changed becomes dirty with its new content, keeping its placement when its item and
        account are the same (else it is placed again); a line read unchanged keeps its
        placement and what Procore was told (nothing to write); every line read gets
        ``read_key``. Returns (added, changed)."""
        if not lines:
            return 0, 0
        txn_ids = sorted({str(line["txn_id"]) for line in lines})
        known: dict[tuple[str, str], tuple[Any, ...]] = {}
        columns = (
            _L.id,
            _L.txn_id,
            _L.line_id,
            _L.removed,
            *(getattr(_L, f) for f in CONTENT_FIELDS),
        )
        for chunk in _chunks(txn_ids):
            for row in self._session.execute(
                sa.select(*columns).where(
                    _L.company_id == company_id,
                    _L.procore_project_id == project_id,
                    _L.txn_id.in_(list(chunk)),
                )
            ):
                known[(row[1], row[2])] = tuple(row)
        fresh = {
            "company_id": company_id,
            "procore_project_id": project_id,
            "cost_code_id": None,
            "dirty": True,
            "removed": False,
            "sent": False,
            "read_key": read_key,
            "version": 1,
            "updated_at": now,
        }
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        replaced: list[dict[str, Any]] = []
        seen: list[int] = []
        for line in lines:
            key = (str(line["txn_id"]), str(line["line_id"]))
            content = _content(line)
            old = known.get(key)
            if old is not None and old[0] is None:
                continue  # read twice in one batch: the first one stands
            if old is None:
                added = dict(zip(CONTENT_FIELDS, content, strict=True))
                added.update(fresh, txn_id=key[0], line_id=key[1])
                new.append(added)
                known[key] = (None, *key, False, *content)
                continue
            stored = old[4:]
            placeable = content[_STATUS] == "pending" and _placed(stored)
            if placeable:
                # Placed before: its placement stands unless what places it changed.
                same = stored[:_STATUS] == content[:_STATUS]
                keep = stored[_ITEM : _ACCOUNT + 1] == content[_ITEM : _ACCOUNT + 1]
            else:
                same, keep = stored == content, False
            if same and not old[3]:
                seen.append(int(old[0]))
            elif keep:
                changed.append(
                    {
                        "b_id": old[0],
                        **{f"b_{f}": line[f] for f in _READ_FIELDS},
                        "b_read_key": read_key,
                        "b_now": now,
                    }
                )
            else:
                replaced.append(
                    {
                        "b_id": old[0],
                        **{f"b_{f}": line[f] for f in CONTENT_FIELDS},
                        "b_read_key": read_key,
                        "b_now": now,
                    }
                )
        if new:
            self._execute_many(sa.insert(_T).values({k: sa.bindparam(k) for k in new[0]}), new)
        if changed:
            self._execute_many(
                sa.update(_T)
                .where(_T.c.id == sa.bindparam("b_id"))
                .values(
                    **{f: sa.bindparam(f"b_{f}") for f in _READ_FIELDS},
                    dirty=True,
                    removed=False,
                    read_key=sa.bindparam("b_read_key"),
                    version=_T.c.version + 1,
                    updated_at=sa.bindparam("b_now"),
                ),
                changed,
            )
        if replaced:
            self._execute_many(
                sa.update(_T)
                .where(_T.c.id == sa.bindparam("b_id"))
                .values(
                    **{f: sa.bindparam(f"b_{f}") for f in CONTENT_FIELDS},
                    cost_code_id=None,
                    dirty=True,
                    removed=False,
                    read_key=sa.bindparam("b_read_key"),
                    version=_T.c.version + 1,
                    updated_at=sa.bindparam("b_now"),
                ),
                replaced,
            )
        for chunk in _chunks(seen):
            self._session.execute(
                sa.update(_L)
                .where(_L.id.in_(list(chunk)))
                .values(read_key=read_key)
                .execution_options(synchronize_session=False)
            )
        return len(new), len(changed) + len(replaced)

    def _remove(self, where: Sequence[Any], now: datetime) -> int:
        result = self._session.execute(
            sa.update(_L)
            .where(*where, _L.removed.is_(False))
            .values(removed=True, dirty=True, version=_L.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def remove_unseen(
        self, company_id: int, project_ids: Sequence[int], read_key: str, now: datetime
    ) -> int:
        """After a full read: every line of the projects that the read did not see is gone."""
        removed = 0
        for chunk in _chunks(list(project_ids)):
            removed += self._remove(
                (
                    _L.company_id == company_id,
                    _L.procore_project_id.in_(list(chunk)),
                    _L.read_key != read_key,
                ),
                now,
            )
        return removed

    def remove_unseen_of_read_txns(
        self, company_id: int, project_ids: Sequence[int], read_key: str, now: datetime
    ) -> int:
        """After a changes-only read: the lines of a transaction the read saw that it did not
        see are gone (deleted in QuickBooks, or recoded to another job)."""
        removed = 0
        for chunk in _chunks(list(project_ids)):
            read_txns = (
                sa.select(_L.txn_id)
                .where(
                    _L.company_id == company_id,
                    _L.procore_project_id.in_(list(chunk)),
                    _L.read_key == read_key,
                )
                .scalar_subquery()
            )
            removed += self._remove(
                (
                    _L.company_id == company_id,
                    _L.procore_project_id.in_(list(chunk)),
                    _L.read_key != read_key,
                    _L.txn_id.in_(read_txns),
                ),
                now,
            )
        return removed

    def count_marked(self, company_id: int, project_ids: Sequence[int], read_key: str) -> int:
        """How many lines of the projects carry ``read_key`` (the lines one read saw)."""
        found = 0
        for chunk in _chunks(list(project_ids)):
            found += int(
                self._session.scalar(
                    sa.select(sa.func.count()).where(
                        _L.company_id == company_id,
                        _L.read_key == read_key,
                        _L.procore_project_id.in_(list(chunk)),
                    )
                )
                or 0
            )
        return found

    def remove_txns(
        self, company_id: int, project_ids: Sequence[int], txn_ids: Sequence[str], now: datetime
    ) -> int:
        """Every line of the transactions ``txn_ids`` of the projects is gone."""
        removed = 0
        ids = sorted(set(txn_ids))
        for projects in _chunks(list(project_ids)):
            for chunk in _chunks(ids):
                removed += self._remove(
                    (
                        _L.company_id == company_id,
                        _L.procore_project_id.in_(list(projects)),
                        _L.txn_id.in_(list(chunk)),
                    ),
                    now,
                )
        return removed

    # ------------------------------------------------------------------ lines pushed

    def page(
        self,
        company_id: int,
        project_id: int,
        *,
        after_id: int,
        limit: int,
        dirty: bool | None = None,
        removed: bool | None = None,
        statuses: Sequence[str] | None = None,
        cost_code_id: int | None = None,
    ) -> list[LineRow]:
        """Lines with id above ``after_id``, by id, at most ``limit``, filtered."""
        query = sa.select(*_LINE_COLUMNS).where(
            _L.company_id == company_id, _L.procore_project_id == project_id, _L.id > after_id
        )
        if dirty is not None:
            query = query.where(_L.dirty.is_(dirty))
        if removed is not None:
            query = query.where(_L.removed.is_(removed))
        if statuses is not None:
            query = query.where(_L.status.in_(list(statuses)))
        if cost_code_id is not None:
            query = query.where(_L.cost_code_id == cost_code_id)
        rows = self._session.execute(query.order_by(_L.id).limit(limit))
        return list(map(LineRow._make, rows))

    def placing_page(
        self,
        company_id: int,
        project_id: int,
        *,
        after_id: int,
        limit: int,
        statuses: Sequence[str],
    ) -> list[tuple[int, int, str | None, str | None, str, int | None, str | None]]:
        """What placing lines needs of them, by id above ``after_id``, at most ``limit``, of
        the lines still in QuickBooks in ``statuses``: (id, version, item_id, account_id,
        status, cost_code_id, reason) each."""
        rows = self._session.execute(
            sa.select(
                _L.id, _L.version, _L.item_id, _L.account_id, _L.status, _L.cost_code_id, _L.reason
            )
            .where(
                _L.company_id == company_id,
                _L.procore_project_id == project_id,
                _L.id > after_id,
                _L.removed.is_(False),
                _L.status.in_(list(statuses)),
            )
            .order_by(_L.id)
            .limit(limit)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]

    def place_many(
        self, placed: Sequence[tuple[int, int, str, int | None, str | None, str | None]]
    ) -> None:
        """Put lines (id, version, status, cost_code_id, reason, message) where placing them
        says, to be written again (``dirty``), each only at the version it was read at."""
        self._execute_many(
            sa.update(_T)
            .where(_T.c.id == sa.bindparam("b_id"), _T.c.version == sa.bindparam("b_version"))
            .values(
                status=sa.bindparam("b_status"),
                cost_code_id=sa.bindparam("b_code"),
                reason=sa.bindparam("b_reason"),
                message=sa.bindparam("b_message"),
                dirty=True,
            ),
            [
                {
                    "b_id": i,
                    "b_version": v,
                    "b_status": st,
                    "b_code": cc,
                    "b_reason": r,
                    "b_message": m,
                }
                for i, v, st, cc, r, m in placed
            ],
        )

    def settle_written(self, written: Sequence[tuple[int, int, int, int | None, int]]) -> None:
        """Lines Procore took: (id, version, procore_line_id, procore_direct_cost_id,
        cost_code_id) each, mapped on that cost code and no longer dirty, each only at the
        version it was read at."""
        self._execute_many(
            sa.update(_T)
            .where(_T.c.id == sa.bindparam("b_id"), _T.c.version == sa.bindparam("b_version"))
            .values(
                dirty=False,
                push_error=None,
                procore_line_id=sa.bindparam("b_line"),
                procore_direct_cost_id=sa.bindparam("b_cost"),
                status="mapped",
                cost_code_id=sa.bindparam("b_code"),
                reason=None,
                message=None,
            ),
            [
                {"b_id": i, "b_version": v, "b_line": line, "b_cost": cost, "b_code": code}
                for i, v, line, cost, code in written
            ],
        )

    def settle_many(self, changes: Sequence[tuple[int, int, Mapping[str, Any]]]) -> None:
        """Change lines only if no read changed them since they were read: (id, version,
        values) each, a line left alone when its version moved on. One statement per set of
        columns changed."""
        grouped: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for line_id, version, values in changes:
            keys = tuple(sorted(values))
            grouped.setdefault(keys, []).append(
                {"b_id": line_id, "b_version": version, **{f"v_{k}": values[k] for k in keys}}
            )
        for keys, params in grouped.items():
            if not keys:
                continue
            self._execute_many(
                sa.update(_T)
                .where(_T.c.id == sa.bindparam("b_id"), _T.c.version == sa.bindparam("b_version"))
                .values(**{k: sa.bindparam(f"v_{k}") for k in keys}),
                params,
            )

    def delete_lines(self, lines: Sequence[tuple[int, int]]) -> None:
        """Delete lines (id, version) still at the version they were read at."""
        if lines:
            self._execute_many(
                sa.delete(_T).where(
                    _T.c.id == sa.bindparam("b_id"), _T.c.version == sa.bindparam("b_version")
                ),
                [{"b_id": i, "b_version": v} for i, v in lines],
            )

    def mark_sent(self, line_ids: Sequence[int]) -> None:
        for chunk in _chunks(list(line_ids)):
            self._session.execute(
                sa.update(_L)
                .where(_L.id.in_(list(chunk)))
                .values(sent=True)
                .execution_options(synchronize_session=False)
            )

    def live_txns(self, company_id: int, project_id: int, txn_ids: Sequence[str]) -> set[str]:
        """The transactions among ``txn_ids`` that keep a mapped line in the project."""
        out: set[str] = set()
        for chunk in _chunks(sorted(set(txn_ids))):
            out.update(
                self._session.scalars(
                    sa.select(_L.txn_id)
                    .where(
                        _L.company_id == company_id,
                        _L.procore_project_id == project_id,
                        _L.txn_id.in_(list(chunk)),
                        _L.removed.is_(False),
                        _L.status == "mapped",
                    )
                    .distinct()
                )
            )
        return out

    def pending_of_txns(
        self, company_id: int, project_id: int, txn_ids: Sequence[str]
    ) -> list[tuple[str, str | None, str | None]]:
        """(txn_id, item_id, account_id) of the lines among ``txn_ids`` still in QuickBooks and
        not placed yet."""
        out: list[tuple[str, str | None, str | None]] = []
        for chunk in _chunks(sorted(set(txn_ids))):
            out.extend(
                (str(t), i, a)
                for t, i, a in self._session.execute(
                    sa.select(_L.txn_id, _L.item_id, _L.account_id).where(
                        _L.company_id == company_id,
                        _L.procore_project_id == project_id,
                        _L.txn_id.in_(list(chunk)),
                        _L.removed.is_(False),
                        _L.status == "pending",
                    )
                )
            )
        return out

    def direct_cost_ids(
        self, company_id: int, project_id: int, txn_ids: Sequence[str]
    ) -> dict[str, int]:
        """The Procore direct cost known for each transaction (from any of its lines)."""
        out: dict[str, int] = {}
        for chunk in _chunks(sorted(set(txn_ids))):
            for txn_id, direct_cost_id in self._session.execute(
                sa.select(_L.txn_id, _L.procore_direct_cost_id).where(
                    _L.company_id == company_id,
                    _L.procore_project_id == project_id,
                    _L.txn_id.in_(list(chunk)),
                    _L.procore_direct_cost_id.is_not(None),
                )
            ):
                if direct_cost_id is not None:
                    out[str(txn_id)] = int(direct_cost_id)
        return out

    def forget_direct_cost(self, company_id: int, project_id: int, txn_id: str) -> None:
        """The transaction's direct cost is gone from Procore: no line points at it."""
        self._session.execute(
            sa.update(_L)
            .where(
                _L.company_id == company_id,
                _L.procore_project_id == project_id,
                _L.txn_id == txn_id,
            )
            .values(procore_direct_cost_id=None, procore_line_id=None, sent=False)
            .execution_options(synchronize_session=False)
        )

    # ------------------------------------------------------------------ sums and counts

    def sums(self, company_id: int, project_id: int) -> list[CostCodeSums]:
        """Job-to-date cost per cost code: the mapped lines still in QuickBooks."""
        rows = self._session.execute(
            sa.select(
                _L.cost_code_id,
                sa.func.coalesce(sa.func.sum(_L.amount_cents), 0),
                sa.func.count(),
                sa.func.count(sa.distinct(_L.txn_id)),
            )
            .where(
                _L.company_id == company_id,
                _L.procore_project_id == project_id,
                _L.removed.is_(False),
                _L.status == "mapped",
            )
            .group_by(_L.cost_code_id)
        )
        return [
            CostCodeSums(int(cc), int(cents), int(lines), int(txns))
            for cc, cents, lines, txns in rows
            if cc is not None
        ]

    def counts(self, company_id: int, project_id: int) -> dict[str, int]:
        """Lines by status (lines gone from QuickBooks but not yet out of Procore left out),
        and ``dirty``: lines Procore has yet to be told about."""
        out = {"pending": 0, "mapped": 0, "not_mapped": 0, "excluded": 0}
        for status, n in self._session.execute(
            sa.select(_L.status, sa.func.count())
            .where(
                _L.company_id == company_id,
                _L.procore_project_id == project_id,
                _L.removed.is_(False),
            )
            .group_by(_L.status)
        ):
            out[str(status)] = int(n)
        out["dirty"] = int(
            self._session.scalar(
                sa.select(sa.func.count()).where(
                    _L.company_id == company_id,
                    _L.procore_project_id == project_id,
                    _L.dirty.is_(True),
                )
            )
            or 0
        )
        return out

    def has_dirty(self, company_id: int, project_id: int) -> bool:
        """Whether any line of the project waits to be written to Procore."""
        return (
            self._session.scalar(
                sa.select(_L.id)
                .where(
                    _L.company_id == company_id,
                    _L.procore_project_id == project_id,
                    _L.dirty.is_(True),
                )
                .limit(1)
            )
            is not None
        )

    def count(
        self,
        company_id: int,
        project_id: int,
        *,
        statuses: Sequence[str],
        cost_code_id: int | None = None,
    ) -> int:
        query = sa.select(sa.func.count()).where(
            _L.company_id == company_id,
            _L.procore_project_id == project_id,
            _L.removed.is_(False),
            _L.status.in_(list(statuses)),
        )
        if cost_code_id is not None:
            query = query.where(_L.cost_code_id == cost_code_id)
        return int(self._session.scalar(query) or 0)

    def listing(
        self,
        company_id: int,
        project_id: int,
        *,
        statuses: Sequence[str],
        limit: int,
        offset: int,
        cost_code_id: int | None = None,
    ) -> list[LineRow]:
        """Lines still in QuickBooks, newest transaction first (for people to read), read in
        the order of ``ix_job_cost_lines_listing`` (no sort however many lines)."""
        query = sa.select(*_LINE_COLUMNS).where(
            _L.company_id == company_id,
            _L.procore_project_id == project_id,
            _L.removed.is_(False),
            _L.status.in_(list(statuses)),
        )
        if cost_code_id is not None:
            query = query.where(_L.cost_code_id == cost_code_id)
        rows = self._session.execute(
            query.order_by(_L.txn_date.desc(), _L.txn_id.desc(), _L.line_id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(map(LineRow._make, rows))

    def lines_after(
        self,
        company_id: int,
        project_id: int,
        *,
        statuses: Sequence[str],
        after_id: int,
        limit: int,
        cost_code_id: int | None = None,
    ) -> list[LineRow]:
        """Lines still in QuickBooks with an id above ``after_id``, in id order: a long export
        read a page at a time by key, never by offset."""
        query = sa.select(*_LINE_COLUMNS).where(
            _L.company_id == company_id,
            _L.procore_project_id == project_id,
            _L.removed.is_(False),
            _L.status.in_(list(statuses)),
            _L.id > after_id,
        )
        if cost_code_id is not None:
            query = query.where(_L.cost_code_id == cost_code_id)
        rows = self._session.execute(query.order_by(_L.id).limit(limit))
        return list(map(LineRow._make, rows))

    def company_figures(self, company_id: int) -> dict[int, ProjectFigures]:
        """Every project's job-to-date cost, budget, unmapped and refused lines: two grouped
        queries for the whole company."""
        mapped = sa.and_(_L.status == "mapped", _L.cost_code_id.is_not(None))
        lines = {
            int(project): (int(cents or 0), int(unmapped or 0), int(refused or 0))
            for project, cents, unmapped, refused in self._session.execute(
                sa.select(
                    _L.procore_project_id,
                    sa.func.sum(sa.case((mapped, _L.amount_cents), else_=0)),
                    sa.func.sum(sa.case((_L.status == "not_mapped", 1), else_=0)),
                    sa.func.sum(sa.case((_L.push_error.is_not(None), 1), else_=0)),
                )
                .where(_L.company_id == company_id, _L.removed.is_(False))
                .group_by(_L.procore_project_id)
            )
        }
        budgets = {
            int(project): int(cents or 0)
            for project, cents in self._session.execute(
                sa.select(JobCostTotal.procore_project_id, sa.func.sum(JobCostTotal.budget_cents))
                .where(JobCostTotal.company_id == company_id)
                .group_by(JobCostTotal.procore_project_id)
            )
        }
        return {
            project: ProjectFigures(
                project,
                lines.get(project, (0, 0, 0))[0],
                budgets.get(project, 0),
                lines.get(project, (0, 0, 0))[1],
                lines.get(project, (0, 0, 0))[2],
            )
            for project in sorted(set(lines) | set(budgets))
        }

    # ------------------------------------------------------------------ totals

    def totals(self, company_id: int, project_id: int) -> dict[int, JobCostTotal]:
        return {
            t.cost_code_id: t
            for t in self._session.scalars(
                sa.select(JobCostTotal).where(
                    JobCostTotal.company_id == company_id,
                    JobCostTotal.procore_project_id == project_id,
                )
            )
        }

    def save_total(
        self, company_id: int, project_id: int, cost_code_id: int, **values: Any
    ) -> None:
        row = self._session.scalars(
            sa.select(JobCostTotal).where(
                JobCostTotal.company_id == company_id,
                JobCostTotal.procore_project_id == project_id,
                JobCostTotal.cost_code_id == cost_code_id,
            )
        ).one_or_none()
        if row is None:
            row = JobCostTotal(
                company_id=company_id, procore_project_id=project_id, cost_code_id=cost_code_id
            )
            self._session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        self._session.flush()
