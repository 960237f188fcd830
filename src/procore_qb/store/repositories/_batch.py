"""One statement run for many rows as a single driver ``executemany``, compiled once; and,
on SQLite, inserts and keyed updates of many rows as a few statements of many rows each.

A statement is compiled for a dialect the first time it is run under its key, and kept with
each bound parameter's bind processor (SQLAlchemy's compiled cache is not used: the rows go
to the driver without SQLAlchemy's per-row parameter building, which costs more than the
database's own work for a page of lines). Each later run only processes and passes values.

On SQLite every row of an ``executemany`` is one run of the statement, which opens the table
and each index it writes anew: for a page of 1,000 job cost lines that is most of the
database's work. :func:`insert_many` and :func:`update_many` send up to
:data:`ROWS_PER_STATEMENT` rows in one statement there instead (a multi-row ``VALUES``; an
``UPDATE … FROM`` a ``VALUES`` list, SQLite 3.33 and later), which measured 6.2 against 9.8 us
a line for the insert of a page of lines and 4.3 against 7.1 us for its settlement. On other
databases they are :func:`execute_many` (psycopg sends an ``executemany`` in one pipeline).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

__all__ = ["ROWS_PER_STATEMENT", "execute_many", "insert_many", "update_many"]

ROWS_PER_STATEMENT = 500
"""Rows in one multi-row statement on SQLite: 500 job cost lines are 11,500 bound values,
well under SQLite's limit of 32,766 (``SQLITE_MAX_VARIABLE_NUMBER`` since 3.32)."""
_SQLITE_MAX_PARAMS = 32_766
_UPDATE_FROM = sqlite3.sqlite_version_info >= (3, 33, 0)
"""``UPDATE … FROM`` came with SQLite 3.33."""

_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Param:
    name: str
    processor: _Processor
    fixed: bool
    """Given once for every row of a run (``fixed`` of :func:`execute_many`)."""
    required: bool
    """Left open by the statement: a value per row or per run; else ``value`` always."""
    value: Any


@dataclass(frozen=True, slots=True)
class _Prepared:
    sql: str
    params: tuple[_Param, ...]
    positional: bool


_PREPARED: WeakKeyDictionary[Dialect, dict[Hashable, _Prepared]] = WeakKeyDictionary()


def _prepare(dialect: Dialect, statement: UpdateBase, fixed: Mapping[str, Any]) -> _Prepared:
    compiled = statement.compile(dialect=dialect)
    names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
    params: list[_Param] = []
    for name in names:
        bind = compiled.binds[name]
        processor: _Processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None and dialect.name == "sqlite" and type(bind.type) is sa.Date:
            processor = _iso_date(processor)
        value = None
        if not bind.required:
            value = bind.effective_value
            if processor is not None and value is not None:
                value = processor(value)
        params.append(_Param(name, processor, name in fixed, bind.required, value))
    return _Prepared(compiled.string, tuple(params), bool(compiled.positional))


def execute_many(
    session: Session,
    key: Hashable,
    build: Callable[[], UpdateBase],
    columns: Mapping[str, Sequence[Any]],
    fixed: Mapping[str, Any] | None = None,
) -> None:
    """Run the statement ``build()`` makes once per row, as one driver ``executemany``.

    ``key`` names the statement: the same key must always build the same statement (its
    literal values included), as it is compiled once per dialect. ``columns`` holds the values
    of the bound parameters left open for each row, column by column (all of one length, the
    number of rows); ``fixed`` the values of parameters left open that are the same for every
    row of this run (a company, a time)."""
    count = _count(columns)
    if count == 0:
        return
    connection = session.connection()
    prepared = _prepared(connection.dialect, key, build, fixed or {})
    _run(connection, prepared, _rows(prepared, columns, fixed or {}, count))


def insert_many(
    session: Session,
    key: Hashable,
    build: Callable[[], UpdateBase],
    columns: Mapping[str, Sequence[Any]],
    fixed: Mapping[str, Any] | None = None,
) -> None:
    """:func:`execute_many` for a single-row ``INSERT … VALUES``: on SQLite its rows go as
    multi-row inserts of up to :data:`ROWS_PER_STATEMENT` rows each."""
    count = _count(columns)
    if count == 0:
        return
    connection = session.connection()
    prepared = _prepared(connection.dialect, key, build, fixed or {})
    rows = _rows(prepared, columns, fixed or {}, count)
    width = len(prepared.params)
    group = "(" + ", ".join("?" * width) + ")"
    if not (_sqlite(connection) and prepared.positional and prepared.sql.endswith(group)):
        _run(connection, prepared, rows)
        return
    head = prepared.sql[: -len(group)]
    for part in _parts(rows, width):
        sql = head + ", ".join([group] * len(part))
        connection.exec_driver_sql(sql, tuple(chain.from_iterable(part)))


def update_many(
    session: Session,
    key: Hashable,
    table: sa.Table,
    *,
    match: Sequence[str],
    columns: Mapping[str, Sequence[Any]],
    values: Mapping[str, Any] | None = None,
) -> None:
    """Per row, ``UPDATE table SET`` each column of ``columns`` not in ``match`` to the row's
    value, and each of ``values`` to its value (the same for every row), ``WHERE`` each
    column of ``match`` equals the row's. ``columns`` holds the values column by column (all
    of one length, the number of rows). On SQLite one ``UPDATE … FROM (VALUES …)`` runs per
    :data:`ROWS_PER_STATEMENT` rows; elsewhere (and before SQLite 3.33) one
    :func:`execute_many`, compiled under ``key`` (as there: the same key, the same columns
    and ``values``)."""
    count = _count(columns)
    if count == 0:
        return
    values = dict(values or {})
    names = list(columns)
    setting = [n for n in names if n not in match]
    connection = session.connection()
    if not (_sqlite(connection) and _UPDATE_FROM):
        execute_many(
            session,
            key,
            lambda: (
                sa.update(table)
                .where(*(table.c[m] == sa.bindparam(f"b_{m}") for m in match))
                .values(**{n: sa.bindparam(f"b_{n}") for n in setting}, **values)
            ),
            {f"b_{n}": columns[n] for n in names},
        )
        return
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    target = dialect.identifier_preparer.format_table(table)
    alias = [f"c{i}" for i in range(len(names))]
    sets = [f"{quote(n)} = v.{alias[names.index(n)]}" for n in setting]
    sets += [f"{quote(n)} = ?" for n in values]
    where = " AND ".join(f"{target}.{quote(m)} = v.{alias[names.index(m)]}" for m in match)
    fixed = tuple(_processed(table, dialect, n, [v])[0] for n, v in values.items())
    by_column = [_processed(table, dialect, n, columns[n]) for n in names]
    if any(len(c) != count for c in by_column):
        raise ValueError(f"columns of unequal lengths for {count} rows")
    rows: list[tuple[Any, ...]] = list(zip(*by_column, strict=True))
    width = len(names)
    group = "(" + ", ".join("?" * width) + ")"
    for part in _parts(rows, width + len(fixed)):
        # Names are the table's own columns (looked up above), quoted; every value is bound.
        head = f"WITH v({', '.join(alias)}) AS (VALUES {', '.join([group] * len(part))}) "
        sql = head + f"UPDATE {target} SET {', '.join(sets)} FROM v WHERE {where}"  # noqa: S608
        connection.exec_driver_sql(sql, (*chain.from_iterable(part), *fixed))


def _iso_date(stored_form: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """SQLite's bind processor of a ``Date`` column, with ``date.isoformat`` for dates: the
    same text (``YYYY-MM-DD``, the year in four digits) at a third of the cost, which counts
    for a page of lines; anything else (a datetime) goes the processor's own way."""

    def process(value: Any) -> Any:
        return value.isoformat() if type(value) is date else stored_form(value)

    return process


def _count(columns: Mapping[str, Sequence[Any]]) -> int:
    return len(next(iter(columns.values()))) if columns else 0


def _sqlite(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite"


def _parts(rows: list[tuple[Any, ...]], width: int) -> Iterator[list[tuple[Any, ...]]]:
    size = max(1, min(ROWS_PER_STATEMENT, (_SQLITE_MAX_PARAMS - width) // max(width, 1)))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _processed(table: sa.Table, dialect: Dialect, name: str, values: Sequence[Any]) -> list[Any]:
    processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:
        return list(values)
    return [v if v is None else processor(v) for v in values]


def _prepared(
    dialect: Dialect, key: Hashable, build: Callable[[], UpdateBase], fixed: Mapping[str, Any]
) -> _Prepared:
    prepared = _PREPARED.setdefault(dialect, {}).get(key)
    if prepared is None:
        prepared = _prepare(dialect, build(), fixed)
        _PREPARED[dialect][key] = prepared
    return prepared


def _rows(
    prepared: _Prepared,
    columns: Mapping[str, Sequence[Any]],
    fixed: Mapping[str, Any],
    count: int,
) -> list[tuple[Any, ...]]:
    """The rows' values in the order of the statement's parameters."""
    values: list[Sequence[Any]] = []
    for param in prepared.params:
        processor = param.processor
        if not param.required:
            values.append([param.value] * count)
        elif param.fixed:
            value = fixed[param.name]
            if processor is not None and value is not None:
                value = processor(value)
            values.append([value] * count)
        else:
            column = columns[param.name]
            if len(column) != count:
                raise ValueError(f"{param.name}: {len(column)} values for {count} rows")
            if processor is not None:
                column = [v if v is None else processor(v) for v in column]
            values.append(column)
    return list(zip(*values, strict=True))


def _run(connection: Connection, prepared: _Prepared, rows: list[tuple[Any, ...]]) -> None:
    if prepared.positional:
        connection.exec_driver_sql(prepared.sql, rows)
        return
    names = [param.name for param in prepared.params]
    connection.exec_driver_sql(prepared.sql, [dict(zip(names, row, strict=True)) for row in rows])
