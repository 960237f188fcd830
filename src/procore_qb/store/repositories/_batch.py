"""One statement run for many rows as a single driver ``executemany``, compiled once.

A statement is compiled for a dialect the first time it is run under its key, and kept with
each bound parameter's bind processor (SQLAlchemy's compiled cache is not used: the rows go
to the driver without SQLAlchemy's per-row parameter building, which costs more than the
database's own work for a page of lines). Each later run only processes and passes values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

__all__ = ["execute_many"]

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
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
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
    count = len(next(iter(columns.values()))) if columns else 0
    if count == 0:
        return
    fixed = fixed or {}
    connection = session.connection()
    dialect = connection.dialect
    prepared = _PREPARED.setdefault(dialect, {}).get(key)
    if prepared is None:
        prepared = _prepare(dialect, build(), fixed)
        _PREPARED[dialect][key] = prepared
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
    rows: list[Any] = list(zip(*values, strict=True))
    if not prepared.positional:
        names = [param.name for param in prepared.params]
        rows = [dict(zip(names, row, strict=True)) for row in rows]
    connection.exec_driver_sql(prepared.sql, rows)
