"""The query language (spec A.6) and its paging.

Grammar::

    SELECT * | count(*) FROM <Entity>
      [WHERE <prop> <op> <value> [AND ...]]
      [ORDERBY <prop> [ASC|DESC] [, ...]]
      [STARTPOSITION n] [MAXRESULTS n]

Operators ``=, <, >, <=, >=, IN, LIKE`` (LIKE with ``%`` wildcards); one entity per query; no OR,
no JOIN, no GROUP BY, no projections; strings are single-quoted with ``\\'`` as the escaped
quote. Errors are QuickBooks' own: 4000 ``QueryParserError`` for syntax, 4001
``QueryValidationError`` for values (spec A.6, A.11).

Keywords, entity names and property names match whatever their case: QuickBooks Online answers
``select * from customer where metadata.lastupdatedtime > '...'`` as it answers the canonical
spelling, and Intuit's own data-queries page filters on ``Metadata.LastUpdatedTime`` for the
``MetaData`` field (developer.intuit.com .../50_data_queries). Answers always use the entity's
own spelling (``QueryResponse.Customer``), which is what clients read.

Real clients' queries this grammar takes as they are sent (python-quickbooks, ``mixins.py`` and
``utils.py``): ``SELECT * FROM Item ORDER BY ... STARTPOSITION n MAXRESULTS n``;
``SELECT *, Sku FROM Item`` (``Item.all()`` names the ``Sku`` column after ``*``; every field
is returned anyway); ``WHERE Id in ('1', '2')`` (``choose``); ``DisplayName = 'O\\'Brien'`` with
the apostrophe escaped by a backslash (``filter``, Intuit's gist 6582149); ``Active = True``;
``SELECT COUNT(*) FROM Customer WHERE ...`` (``count``).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from procore_qb.sandbox.qbo import faults
from procore_qb.sandbox.qbo.clock import parse_time
from procore_qb.sandbox.qbo.entities import Context, EntitySpec, Record, spec_by_name
from procore_qb.sandbox.qbo.errors import QboFault
from procore_qb.sandbox.qbo.operations import render

__all__ = ["Condition", "Query", "execute", "parse"]

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:\\.|[^'\\])*')
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),*])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    """,
    re.VERBOSE,
)
_REFUSED = {"OR", "JOIN", "GROUP", "HAVING", "UNION", "LEFT", "INNER", "NOT"}
ACTIVE_LISTS = ("Customer", "Vendor", "Employee", "Item", "Account", "Class")
"""Lists whose queries return only active records unless the query filters on ``Active``
([S]: clients add ``Active IN (true, false)`` to see inactive ones, minimul/qbo_api#111)."""
QUERYABLE_META = ("MetaData.CreateTime", "MetaData.LastUpdatedTime")
DATE_FIELDS = ("TxnDate", "DueDate", "MetaData.CreateTime", "MetaData.LastUpdatedTime")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    column: int

    @property
    def upper(self) -> str:
        return self.text.upper()


@dataclass
class Condition:
    prop: str
    op: str
    values: list[Any]


@dataclass
class Query:
    entity: str
    count: bool = False
    where: list[Condition] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (prop, descending)
    start: int = 1
    max_results: int | None = None


def _tokens(text: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise faults.query_parse_error(
                f"Invalid content. Lexical error at line 1, column {pos + 1}.  Encountered: "
                f'"{text[pos]}"'
            )
        kind = match.lastgroup or "ws"
        if kind != "ws":
            out.append(Token(kind, match.group(), pos + 1))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        if not text.strip():
            raise faults.query_parse_error("The query provided was empty")
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def unexpected(self, token: Token | None, expecting: str) -> QboFault:
        if token is None:
            return faults.query_parse_error(f'Encountered "<EOF>". Was expecting: {expecting}')
        hint = ""
        if token.upper in _REFUSED:
            hint = (
                f" {token.upper} is not supported by the QuickBooks Online query language:"
                " combine conditions with AND, use IN for alternatives, one entity per query."
            )
        kind = token.upper if token.upper in _REFUSED else token.kind.upper()
        return faults.query_parse_error(
            f'Encountered " <{kind}> "{token.text} "" at line 1, column '
            f"{token.column}. Was expecting: {expecting}.{hint}"
        )

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise self.unexpected(None, "more of the query")
        self.pos += 1
        return token

    def keyword(self, word: str) -> None:
        token = self.peek()
        if token is None or token.upper != word:
            raise self.unexpected(token, f'"{word.lower()}"')
        self.pos += 1

    def at(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.upper == word

    def parse(self) -> Query:
        self.keyword("SELECT")
        count = False
        token = self.take()
        if token.text != "*" and token.upper == "COUNT":
            for expected in ("(", "*", ")"):
                nxt = self.take()
                if nxt.text != expected:
                    raise self.unexpected(nxt, f'"{expected}"')
            count = True
        elif token.text != "*":
            raise self.unexpected(
                token, '"*" or "count(*)" (projections of single fields are not supported)'
            )
        else:
            # "*, Sku": python-quickbooks' Item.all() asks for the Sku column by name after the
            # star; the answer holds every field either way.
            while (sep := self.peek()) is not None and sep.text == ",":
                self.pos += 1
                column = self.take()
                if column.kind != "word":
                    raise self.unexpected(column, "a property name")
        self.keyword("FROM")
        entity = self.take()
        if entity.kind != "word":
            raise self.unexpected(entity, "an entity name")
        query = Query(entity=entity.text, count=count)
        if self.at("WHERE"):
            self.pos += 1
            query.where.append(self.condition())
            while self.at("AND"):
                self.pos += 1
                query.where.append(self.condition())
        if self.at("ORDERBY") or self.at("ORDER"):
            if self.take().upper == "ORDER":
                self.keyword("BY")
            query.order.append(self.order_item())
            while (sep := self.peek()) is not None and sep.text == ",":
                self.pos += 1
                query.order.append(self.order_item())
        if self.at("STARTPOSITION"):
            self.pos += 1
            query.start = self.integer("STARTPOSITION")
        if self.at("MAXRESULTS"):
            self.pos += 1
            query.max_results = self.integer("MAXRESULTS")
        rest = self.peek()
        if rest is not None:
            raise self.unexpected(rest, '<EOF>, "and", "orderby", "startposition", "maxresults"')
        return query

    def integer(self, what: str) -> int:
        token = self.take()
        if token.kind != "number" or "." in token.text:
            raise self.unexpected(token, f"an integer after {what}")
        return int(token.text)

    def order_item(self) -> tuple[str, bool]:
        prop = self.take()
        if prop.kind != "word":
            raise self.unexpected(prop, "a property name")
        descending = False
        if self.at("ASC") or self.at("DESC"):
            descending = self.take().upper == "DESC"
        return prop.text, descending

    def condition(self) -> Condition:
        prop = self.take()
        if prop.kind != "word":
            raise self.unexpected(prop, "a property name")
        op_token = self.take()
        op = op_token.upper
        if op == "IN":
            opening = self.take()
            if opening.text != "(":
                raise self.unexpected(opening, '"("')
            values = [self.value()]
            while (sep := self.take()).text == ",":
                values.append(self.value())
            if sep.text != ")":
                raise self.unexpected(sep, '")" or ","')
            return Condition(prop.text, "IN", values)
        if op == "LIKE":
            value = self.value()
            if not isinstance(value, str):
                raise self.unexpected(op_token, "a quoted pattern after LIKE")
            return Condition(prop.text, "LIKE", [value])
        if op_token.kind != "op" or op in ("!=", "<>"):
            raise self.unexpected(op_token, '"=", "<", ">", "<=", ">=", "in", "like"')
        return Condition(prop.text, op, [self.value()])

    def value(self) -> Any:
        token = self.take()
        if token.kind == "string":
            return re.sub(r"\\(.)", r"\1", token.text[1:-1])
        if token.kind == "number":
            return Decimal(token.text)
        if token.upper in ("TRUE", "FALSE"):
            return token.upper == "TRUE"
        raise self.unexpected(token, "a quoted string, a number, true or false")


def parse(text: str) -> Query:
    return _Parser(text).parse()


def _member(value: dict[str, Any], name: str) -> Any:
    """``value[name]``, matching the key without regard to case (see the module docstring)."""
    if name in value:
        return value[name]
    folded = name.casefold()
    for key, member in value.items():
        if key.casefold() == folded:
            return member
    return None


def _lookup(record: Record, prop: str) -> Any:
    value: Any = record
    for part in prop.split("."):
        if not isinstance(value, dict):
            return None
        value = _member(value, part)
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def _coerce(prop: str, left: Any, right: Any) -> tuple[Any, Any]:
    """Compare like with like: dates as dates, numbers as numbers, strings ignoring case."""
    if left is None:
        return None, right
    if isinstance(right, bool) or isinstance(left, bool):
        return left, right
    if prop in DATE_FIELDS or prop.endswith("Date"):
        try:
            return parse_time(str(left)), parse_time(str(right))
        except ValueError:
            raise faults.query_validation_error(
                f"{right!r} is not a valid date or date-time for {prop}"
            ) from None
    try:
        return Decimal(str(left)), Decimal(str(right))
    except InvalidOperation:
        return str(left).casefold(), str(right).casefold()


def _matches(record: Record, cond: Condition) -> bool:
    raw = _lookup(record, cond.prop)
    if cond.op == "IN":
        return any(_compare(cond.prop, raw, "=", value) for value in cond.values)
    if cond.op == "LIKE":
        pattern = "^" + ".*".join(re.escape(p) for p in str(cond.values[0]).split("%")) + "$"
        return (
            raw is not None and re.match(pattern, str(raw), re.IGNORECASE | re.DOTALL) is not None
        )
    return _compare(cond.prop, raw, cond.op, cond.values[0])


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: bool(a == b),
    "<": lambda a, b: bool(a < b),
    ">": lambda a, b: bool(a > b),
    "<=": lambda a, b: bool(a <= b),
    ">=": lambda a, b: bool(a >= b),
}


def _compare(prop: str, raw: Any, op: str, value: Any) -> bool:
    left, right = _coerce(prop, raw, value)
    if left is None:
        return False
    try:
        return _OPS[op](left, right)
    except TypeError:
        return False


def _sort_key(record: Record, prop: str) -> tuple[int, Any]:
    value = _lookup(record, prop)
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if prop in DATE_FIELDS:
        try:
            return (2, parse_time(str(value)).timestamp())
        except ValueError:
            return (3, str(value))
    try:
        return (2, float(Decimal(str(value))))
    except InvalidOperation:
        return (3, str(value).casefold())


def _canonical(spec: EntitySpec, prop: str) -> str:
    """``prop`` spelt as the entity spells it (``metadata.lastupdatedtime`` ->
    ``MetaData.LastUpdatedTime``); unknown names come back as they are."""
    folded = prop.casefold()
    for known in (*QUERYABLE_META, "Id"):
        if known.casefold() == folded:
            return known
    top, dot, rest = prop.partition(".")
    for name in spec.accepted():
        if name.casefold() == top.casefold():
            return name + dot + rest
    return prop


def _check_prop(spec: EntitySpec, prop: str) -> None:
    top = prop.split(".", 1)[0]
    if prop in QUERYABLE_META or prop == "Id" or (top in spec.accepted() and top != "Line"):
        return
    raise faults.query_validation_error(
        f"property '{prop}' is not queryable for {spec.name}; filter on a field of the "
        f"{spec.name} itself (line fields cannot be filtered)"
    )


def _found(
    records: list[Record], conditions: list[Condition], order: list[tuple[str, bool]]
) -> list[Record]:
    """The records that meet every condition, in the query's order, ties by Id."""
    found = [r for r in records if all(_matches(r, c) for c in conditions)]
    if not any(prop == "Id" for prop, _ in order):
        # Ties are broken by Id; an order that names Id has none left to break.
        found.sort(key=lambda r: _sort_key(r, "Id"))
    for prop, descending in reversed(order):
        found.sort(key=lambda r, p=prop: _sort_key(r, p), reverse=descending)  # type: ignore[misc]
    return found


def _reused(
    ctx: Context,
    entity: str,
    records: list[Record],
    conditions: list[Condition],
    order: list[tuple[str, bool]],
) -> list[Record]:
    """:func:`_found`, reusing the last query's answer when it had the same conditions and
    order and the entity's visible records are still the very same objects.

    Paging through a large entity asks the same query once a page; filtering and sorting every
    record again each time would cost as much as the whole read per page. A stored record is
    never changed in place (every write stores a new record object, operations.py), and the
    records kept here cannot be freed and their addresses reused, so the identity check sees
    every create, update, void and delete since.
    """
    key = (repr(conditions), repr(order))
    last = ctx.realm.found.get(entity)
    if last is not None and last[0] == key and _same(last[1], records):
        return list(last[2])
    found = _found(records, conditions, order)
    ctx.realm.found[entity] = (key, records, found)
    return list(found)


def _same(before: list[Record], now: list[Record]) -> bool:
    return len(before) == len(now) and all(map(operator.is_, before, now))


def execute(ctx: Context, text: str) -> dict[str, Any]:
    """Run a query; returns the ``QueryResponse`` object."""
    query = parse(text)
    spec = spec_by_name(query.entity, ignore_case=True)
    if spec is None:
        raise faults.query_validation_error(
            f"Entity '{query.entity}' is not supported; query one of the entities this "
            "company serves, e.g. Customer, Item, Bill"
        )
    for cond in query.where:
        cond.prop = _canonical(spec, cond.prop)
        _check_prop(spec, cond.prop)
    query.order = [(_canonical(spec, prop), descending) for prop, descending in query.order]
    for prop, _ in query.order:
        _check_prop(spec, prop)
    maximum = ctx.config.query_max_results
    if query.max_results is not None and query.max_results > maximum:
        raise faults.query_validation_error(
            f"value {query.max_results} is too large. Max allowed value is {maximum}"
        )
    if query.max_results is not None and query.max_results < 1:
        raise faults.query_validation_error(
            f"value {query.max_results} is too small for MAXRESULTS; use 1 to {maximum}"
        )
    if query.start < 1:
        raise faults.query_validation_error(
            f"STARTPOSITION {query.start} is invalid; positions are 1-based (the first is 1)"
        )
    conditions = list(query.where)
    if spec.name in ACTIVE_LISTS and not any(c.prop == "Active" for c in conditions):
        conditions.append(Condition("Active", "=", [True]))
    # Filter and sort on the stored records; render (computed fields) only the page, unless
    # the query filters or sorts on a computed field such as FullyQualifiedName.
    props = [c.prop for c in conditions] + [prop for prop, _ in query.order]
    computed = any(prop.split(".", 1)[0] in spec.computed for prop in props)
    records = list(ctx.visible(spec.name))
    if computed:
        records = [render(ctx, spec, record) for record in records]
        found = _found(records, conditions, query.order)
    else:
        found = _reused(ctx, spec.name, records, conditions, query.order)
    if query.count:
        return {"totalCount": len(found)}
    size = query.max_results or ctx.config.query_default_max
    page = found[query.start - 1 : query.start - 1 + size]
    if not page:
        # Past the end QuickBooks returns an empty QueryResponse (spec A.6).
        return {}
    if not computed:
        page = [render(ctx, spec, record) for record in page]
    return {spec.name: page, "startPosition": query.start, "maxResults": len(page)}
