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
from sqlalchemy.orm import InstrumentedAttribute, Session

from procore_qb.domain.job_costs import MappingReason
from procore_qb.store.models import JobCostLineRecord, JobCostProject, JobCostTotal
from procore_qb.store.models.job_costs import JOB_COST_LINE_STATUSES
from procore_qb.store.repositories._batch import execute_many, insert_many, update_many

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


_LINE_COLUMNS = tuple(_T.c[name] for name in LineRow._fields)
"""The columns of a :class:`LineRow`, of the table (not the mapped class): a select of them
runs as Core, its rows without the ORM's loading."""


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


_Column = sa.ColumnElement[Any] | InstrumentedAttribute[Any]


def _not_indexed(column: _Column) -> sa.ColumnElement[Any]:
    """``COALESCE(column, NULL)``: the same value, in a term no index can serve, on SQLite
    and PostgreSQL.

    SQLite has no statistics here: between two indexes it estimates by the number of equal
    terms each serves, and between equal estimates takes the index it meets first, and the
    order of the indexes differs between databases (a table copy in the migrations
    re-creates them in no set order). Where the wrong index is a walk of a whole project,
    the terms it would use are taken out of index use:

    - the lines of one read (``read_key = ?``) in some projects (``project IN (...)``): the
      read_key index, not an index of the projects;
    - the lines of one cost code (``cost_code_id = ?``) of some statuses, still in
      QuickBooks: the cost code index, not the listing index of the status (company,
      project, removed, ...) nor the index (company, project, removed, id)."""
    return sa.func.coalesce(column, sa.null())


def _of_code(column: _Column, cost_code_id: int | None) -> _Column:
    """A status or removed term: out of index use when the lines of one cost code are asked
    for, so that the cost code index serves them (see ``_not_indexed``)."""
    return column if cost_code_id is None else _not_indexed(column)


def _status_is(statuses: Sequence[str], cost_code_id: int | None = None) -> sa.ColumnElement[bool]:
    """``status = '<status>'`` (``IN`` for several), the statuses written out, not bound: SQLite
    uses a partial index (``ix_job_cost_lines_mapped``, ``…_not_mapped``) only for a query
    whose WHERE holds the index's own term, and a bound parameter is not it. Out of index use
    for the lines of one cost code (``_of_code``)."""
    unknown = sorted(set(statuses) - set(JOB_COST_LINE_STATUSES))
    if unknown or not statuses:
        raise ValueError(f"statuses must be some of {JOB_COST_LINE_STATUSES}, got {unknown}")
    column = _of_code(_T.c.status, cost_code_id)
    written: list[sa.ColumnElement[Any]] = [sa.literal_column(f"'{status}'") for status in statuses]
    return column == written[0] if len(written) == 1 else column.in_(written)


class JobCosts:
    def __init__(self, session: Session) -> None:
        self._session = session

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
        known: dict[tuple[str, str], Sequence[Any]] = {}
        columns = (
            _T.c.id,
            _T.c.txn_id,
            _T.c.line_id,
            _T.c.removed,
            *(_T.c[f] for f in CONTENT_FIELDS),
        )
        for chunk in _chunks(txn_ids):
            rows = self._session.execute(
                sa.select(*columns).where(
                    _T.c.company_id == company_id,
                    _T.c.procore_project_id == project_id,
                    _T.c.txn_id.in_(list(chunk)),
                )
            ).all()  # one fetch of the driver's rows, not one call per row
            for row in rows:
                known[(row[1], row[2])] = row
        new: list[Mapping[str, Any]] = []
        new_keys: list[tuple[str, str]] = []
        changed: list[tuple[int, Mapping[str, Any]]] = []
        replaced: list[tuple[int, Mapping[str, Any]]] = []
        seen: list[int] = []
        for line in lines:
            key = (str(line["txn_id"]), str(line["line_id"]))
            old = known.get(key)
            if old is None:
                new.append(line)
                new_keys.append(key)
                known[key] = ()
                continue
            if not old:
                continue  # read twice in one batch: the first one stands
            content = _content(line)
            stored = tuple(old[4:])
            if content[_STATUS] == "pending" and _placed(stored):
                # Placed before: its placement stands unless what places it changed.
                same = stored[:_STATUS] == content[:_STATUS]
                keep = stored[_ITEM : _ACCOUNT + 1] == content[_ITEM : _ACCOUNT + 1]
            else:
                same, keep = stored == content, False
            if same and not old[3]:
                seen.append(int(old[0]))
            elif keep:
                changed.append((int(old[0]), line))
            else:
                replaced.append((int(old[0]), line))
        if new:
            fields = {f: list(map(itemgetter(f), new)) for f in CONTENT_FIELDS}
            insert_many(
                self._session,
                "job_cost_lines.insert",
                lambda: sa.insert(_T).values(
                    company_id=sa.bindparam("f_company"),
                    procore_project_id=sa.bindparam("f_project"),
                    txn_id=sa.bindparam("b_txn_id"),
                    line_id=sa.bindparam("b_line_id"),
                    **{f: sa.bindparam(f"b_{f}") for f in CONTENT_FIELDS},
                    cost_code_id=None,
                    dirty=True,
                    removed=False,
                    sent=False,
                    read_key=sa.bindparam("f_read_key"),
                    version=1,
                    updated_at=sa.bindparam("f_now"),
                ),
                {
                    "b_txn_id": [k[0] for k in new_keys],
                    "b_line_id": [k[1] for k in new_keys],
                    **{f"b_{f}": values for f, values in fields.items()},
                },
                {
                    "f_company": company_id,
                    "f_project": project_id,
                    "f_read_key": read_key,
                    "f_now": now,
                },
            )
        self._reread(changed, keep_placement=True, read_key=read_key, now=now)
        self._reread(replaced, keep_placement=False, read_key=read_key, now=now)
        for chunk in _chunks(seen):
            self._session.execute(
                sa.update(_T).where(_T.c.id.in_(list(chunk))).values(read_key=read_key)
            )
        return len(new), len(changed) + len(replaced)

    def _reread(
        self,
        lines: Sequence[tuple[int, Mapping[str, Any]]],
        *,
        keep_placement: bool,
        read_key: str,
        now: datetime,
    ) -> None:
        """Lines (id, line read) read again with changed content, made dirty, back in
        QuickBooks, at a new version. ``keep_placement``: only :data:`_READ_FIELDS` are set
        from the read, its status, cost code and reason stand; else every one of
        :data:`CONTENT_FIELDS` is, and the line is off its cost code (to be placed anew)."""
        if not lines:
            return
        fields = _READ_FIELDS if keep_placement else CONTENT_FIELDS
        reset = {} if keep_placement else {"cost_code_id": None}
        read = [line for _, line in lines]
        execute_many(
            self._session,
            ("job_cost_lines.reread", keep_placement),
            lambda: (
                sa.update(_T)
                .where(_T.c.id == sa.bindparam("b_id"))
                .values(
                    **{f: sa.bindparam(f"b_{f}") for f in fields},
                    **reset,
                    dirty=True,
                    removed=False,
                    read_key=sa.bindparam("f_read_key"),
                    version=_T.c.version + 1,
                    updated_at=sa.bindparam("f_now"),
                )
            ),
            {
                "b_id": [line_id for line_id, _ in lines],
                **{f"b_{f}": list(map(itemgetter(f), read)) for f in fields},
            },
            {"f_read_key": read_key, "f_now": now},
        )

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
        see are gone (deleted in QuickBooks, or recoded to another job).

        A transaction read is read whole for every job of the read: its lines in any of the
        projects that the read did not see are gone (a line recoded from one project's job to
        another's is seen in the one, gone from the other).

        The transactions the read saw are found by ``read_key``, then their lines by the
        unique index (company, project, transaction): the work follows what was read, not the
        size of the projects."""
        removed = 0
        for chunk in _chunks(sorted(set(project_ids))):
            # No DISTINCT: it would favour an index in (project, transaction) order, a walk of
            # the whole project, over the read's own lines by read_key.
            read = sorted(
                set(
                    self._session.scalars(
                        sa.select(_T.c.txn_id).where(
                            _T.c.company_id == company_id,
                            _T.c.read_key == read_key,
                            _not_indexed(_T.c.procore_project_id).in_(list(chunk)),
                        )
                    )
                )
            )
            if not read:
                continue
            for project_id in chunk:
                removed += self._remove_of_txns(
                    company_id, project_id, read, now, unless_read=read_key
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
                        _not_indexed(_L.procore_project_id).in_(list(chunk)),
                    )
                )
                or 0
            )
        return found

    def remove_txns(
        self, company_id: int, project_ids: Sequence[int], txn_ids: Sequence[str], now: datetime
    ) -> int:
        """Every line of the transactions ``txn_ids`` of the projects is gone."""
        ids = sorted(set(txn_ids))
        return sum(
            self._remove_of_txns(company_id, project_id, ids, now)
            for project_id in sorted(set(project_ids))
        )

    def _remove_of_txns(
        self,
        company_id: int,
        project_id: int,
        txn_ids: Sequence[str],
        now: datetime,
        *,
        unless_read: str | None = None,
    ) -> int:
        """Mark gone the lines of the project's transactions ``txn_ids`` (but those carrying
        ``unless_read``). The lines are found by the unique index alone: the lookup names
        only its leading columns (company, project, transaction), so no planner can prefer
        an index of the whole project (as it may for a condition on ``removed``); the update
        then goes by id."""
        gone: list[int] = []
        for chunk in _chunks(txn_ids):
            rows = self._session.execute(
                sa.select(_T.c.id, _T.c.read_key, _T.c.removed).where(
                    _T.c.company_id == company_id,
                    _T.c.procore_project_id == project_id,
                    _T.c.txn_id.in_(list(chunk)),
                )
            ).all()
            gone.extend(
                int(row_id)
                for row_id, key, removed in rows
                if not removed and (unless_read is None or key != unless_read)
            )
        removed = 0
        for chunk in _chunks(gone):
            removed += self._remove((_L.id.in_(list(chunk)),), now)
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
            _T.c.company_id == company_id,
            _T.c.procore_project_id == project_id,
            _T.c.id > after_id,
        )
        if dirty is not None:
            query = query.where(_T.c.dirty.is_(dirty))
        if removed is not None:
            query = query.where(_of_code(_T.c.removed, cost_code_id).is_(removed))
        if statuses is not None:
            query = query.where(_of_code(_T.c.status, cost_code_id).in_(list(statuses)))
        if cost_code_id is not None:
            query = query.where(_T.c.cost_code_id == cost_code_id)
        rows = self._session.execute(query.order_by(_T.c.id).limit(limit)).all()
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
        c = _T.c
        rows = self._session.execute(
            sa.select(c.id, c.version, c.item_id, c.account_id, c.status, c.cost_code_id, c.reason)
            .where(
                c.company_id == company_id,
                c.procore_project_id == project_id,
                c.id > after_id,
                c.removed.is_(False),
                c.status.in_(list(statuses)),
            )
            .order_by(c.id)
            .limit(limit)
        ).all()
        return [tuple(row) for row in rows]

    def place_many(
        self, placed: Sequence[tuple[int, int, str, int | None, str | None, str | None]]
    ) -> None:
        """Put lines (id, version, status, cost_code_id, reason, message) where placing them
        says, to be written again (``dirty``), each only at the version it was read at."""
        if not placed:
            return
        ids, versions, statuses, codes, reasons, messages = zip(*placed, strict=True)
        update_many(
            self._session,
            "job_cost_lines.place",
            _T,
            match=("id", "version"),
            columns={
                "id": ids,
                "version": versions,
                "status": statuses,
                "cost_code_id": codes,
                "reason": reasons,
                "message": messages,
            },
            values={"dirty": True},
        )

    def settle_written(self, written: Sequence[tuple[int, int, int, int | None, int]]) -> None:
        """Lines Procore took: (id, version, procore_line_id, procore_direct_cost_id,
        cost_code_id) each, mapped on that cost code and no longer dirty, each only at the
        version it was read at."""
        if not written:
            return
        ids, versions, procore_lines, procore_costs, codes = zip(*written, strict=True)
        update_many(
            self._session,
            "job_cost_lines.settle_written",
            _T,
            match=("id", "version"),
            columns={
                "id": ids,
                "version": versions,
                "procore_line_id": procore_lines,
                "procore_direct_cost_id": procore_costs,
                "cost_code_id": codes,
            },
            values={
                "dirty": False,
                "push_error": None,
                "status": "mapped",
                "reason": None,
                "message": None,
            },
        )

    def settle_many(self, changes: Sequence[tuple[int, int, Mapping[str, Any]]]) -> None:
        """Change lines only if no read changed them since they were read: (id, version,
        values) each, a line left alone when its version moved on. One statement per set of
        columns changed."""
        grouped: dict[tuple[str, ...], list[tuple[int, int, Mapping[str, Any]]]] = {}
        for change in changes:
            grouped.setdefault(tuple(sorted(change[2])), []).append(change)
        for keys, group in grouped.items():
            if not keys:
                continue
            sets = [values for _, _, values in group]
            update_many(
                self._session,
                ("job_cost_lines.settle_many", keys),
                _T,
                match=("id", "version"),
                columns={
                    "id": [line_id for line_id, _, _ in group],
                    "version": [version for _, version, _ in group],
                    **{k: list(map(itemgetter(k), sets)) for k in keys},
                },
            )

    def delete_lines(self, lines: Sequence[tuple[int, int]]) -> None:
        """Delete lines (id, version) still at the version they were read at."""
        if lines:
            ids, versions = zip(*lines, strict=True)
            execute_many(
                self._session,
                "job_cost_lines.delete",
                lambda: sa.delete(_T).where(
                    _T.c.id == sa.bindparam("b_id"), _T.c.version == sa.bindparam("b_version")
                ),
                {"b_id": ids, "b_version": versions},
            )

    def mark_in_flight(
        self, company_id: int, project_id: int, first_id: int | None, last_id: int | None
    ) -> None:
        """Keep with the project that the Procore write of its lines with ids ``first_id`` to
        ``last_id`` may be in flight (None, None: none is)."""
        self._session.execute(
            sa.update(JobCostProject)
            .where(
                JobCostProject.company_id == company_id,
                JobCostProject.procore_project_id == project_id,
            )
            .values(in_flight_from_id=first_id, in_flight_to_id=last_id)
            .execution_options(synchronize_session=False)
        )

    def mark_sent_between(
        self, company_id: int, project_id: int, first_id: int, last_id: int
    ) -> int:
        """Mark ``sent`` the lines with ids ``first_id`` to ``last_id`` still dirty: Procore
        may hold them (a write with them went out and did not settle them). Found by the
        partial index of the dirty lines, so after a page's settlement only the few left."""
        result = self._session.execute(
            sa.update(_T)
            .where(
                _T.c.company_id == company_id,
                _T.c.procore_project_id == project_id,
                _T.c.dirty.is_(True),
                _T.c.id >= first_id,
                _T.c.id <= last_id,
                _T.c.sent.is_(False),
            )
            .values(sent=True)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def recover_in_flight(self, company_id: int, project_id: int) -> int:
        """Before a write: if the last one died with pages in flight, Procore may hold their
        lines still dirty; they are marked ``sent``, and the project's in-flight ids cleared.
        Returns how many lines were marked."""
        row = self.project(company_id, project_id)
        if row is None or row.in_flight_from_id is None or row.in_flight_to_id is None:
            return 0
        marked = self.mark_sent_between(
            company_id, project_id, row.in_flight_from_id, row.in_flight_to_id
        )
        row.in_flight_from_id = row.in_flight_to_id = None
        self._session.flush()
        return marked

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
        not placed yet.

        Status and ``removed`` are checked on the rows found, not in the query: named there,
        they let a planner without statistics walk every pending line of the project by the
        listing index (all of them, before a project's first write) instead of the
        transactions' lines by the unique index."""
        out: list[tuple[str, str | None, str | None]] = []
        for chunk in _chunks(sorted(set(txn_ids))):
            out.extend(
                (str(t), i, a)
                for t, i, a, status, removed in self._session.execute(
                    sa.select(
                        _T.c.txn_id, _T.c.item_id, _T.c.account_id, _T.c.status, _T.c.removed
                    ).where(
                        _T.c.company_id == company_id,
                        _T.c.procore_project_id == project_id,
                        _T.c.txn_id.in_(list(chunk)),
                    )
                )
                if status == "pending" and not removed
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
            _T.c.company_id == company_id,
            _T.c.procore_project_id == project_id,
            _of_code(_T.c.removed, cost_code_id).is_(False),
            _status_is(statuses, cost_code_id),
        )
        if cost_code_id is not None:
            query = query.where(_T.c.cost_code_id == cost_code_id)
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
        the order of the status's listing index, ``ix_job_cost_lines_mapped`` or
        ``…_not_mapped`` (no sort however many lines)."""
        query = sa.select(*_LINE_COLUMNS).where(
            _T.c.company_id == company_id,
            _T.c.procore_project_id == project_id,
            _of_code(_T.c.removed, cost_code_id).is_(False),
            _status_is(statuses, cost_code_id),
        )
        if cost_code_id is not None:
            query = query.where(_T.c.cost_code_id == cost_code_id)
        rows = self._session.execute(
            query.order_by(_T.c.txn_date.desc(), _T.c.txn_id.desc(), _T.c.line_id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
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
            _T.c.company_id == company_id,
            _T.c.procore_project_id == project_id,
            _of_code(_T.c.removed, cost_code_id).is_(False),
            _status_is(statuses, cost_code_id),
            _T.c.id > after_id,
        )
        if cost_code_id is not None:
            query = query.where(_T.c.cost_code_id == cost_code_id)
        rows = self._session.execute(query.order_by(_T.c.id).limit(limit)).all()
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
