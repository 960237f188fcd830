"""What every request handler shares: results, statuses, value parsing, references, paging.

Status codes and their text follow QuickBooks (spec B.8): 0 "Status OK"; 1 for a query that
found nothing (Info, not an error); 500 (Warn) when some of the objects asked for by ID or
name do not exist; 3000-3099 format errors; 3100 and up for rule errors.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from procore_qb.sandbox.qbd.company import ENTITY_KINDS, ITEM_KINDS, CompanyFile, IteratorState
from procore_qb.sandbox.qbd.errors import QbxmlParseError, StatusError
from procore_qb.sandbox.qbd.nodes import Node

__all__ = [
    "INVALID_ARGUMENT",
    "ITERATOR_TTL_SECONDS",
    "REF_KINDS",
    "Result",
    "check_length",
    "current_refs",
    "is_list_id",
    "not_found_warning",
    "page",
    "parse_amount",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_quantity",
    "resolve_ref",
]

INVALID_ARGUMENT = (
    "QuickBooks error message: Invalid argument.  The specified record does not exist in the list."
)
ITERATOR_TTL_SECONDS = 20 * 60
"""An iterator nobody continued for this long is gone (the SDK keeps them per session only)."""

_ID = re.compile(r"^[0-9A-F]{1,8}-\d{1,10}$")
_AMOUNT = re.compile(r"[+\-]?[0-9]{1,13}(\.[0-9]{2})?")
_QUANTITY = re.compile(r"[+\-]?[0-9]{1,10}(\.[0-9]{1,5})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(T[0-9]{1,2}(:[0-9]{1,2}(:[0-9]{1,2}([+\-][0-9]{1,2}:[0-9]{1,2})?)?)?)?"
)

# Which lists a reference may point to. References to lists this company file does not keep
# (sales tax codes, price levels, sales reps, ...) can never resolve, as in a company file that
# has none of them: QuickBooks answers 3140 (invalid reference).
REF_KINDS: dict[str, tuple[str, ...]] = {
    "AccountRef": ("Account",),
    "APAccountRef": ("Account",),
    "IncomeAccountRef": ("Account",),
    "ExpenseAccountRef": ("Account",),
    "ClassRef": ("Class",),
    "CustomerRef": ("Customer",),
    "CustomerTypeRef": ("CustomerType",),
    "EntityRef": ENTITY_KINDS,
    "ItemRef": ITEM_KINDS,
    "JobTypeRef": ("JobType",),
    "PayeeEntityRef": ENTITY_KINDS,
    "PrefVendorRef": ("Vendor",),
    "TermsRef": ("StandardTerms",),
    "VendorRef": ("Vendor",),
    "VendorTypeRef": ("VendorType",),
}

_REF_LABELS = {
    "Customer": "Customer:Job",
    "StandardTerms": "Terms",
    "ItemService": "Item",
    "ItemOtherCharge": "Item",
    "ItemNonInventory": "Item",
    "Vendor": "Vendor",
}


@dataclass(slots=True)
class Result:
    """What a handler returns: the ``*Ret`` nodes and the status of the ``*Rs``."""

    rets: list[Node] = field(default_factory=list)
    code: int = 0
    severity: str = "Info"
    message: str = "Status OK"
    attrs: dict[str, str] = field(default_factory=dict)


def is_list_id(value: str) -> bool:
    return bool(_ID.match(value))


def parse_bool(value: str, name: str) -> bool:
    # BOOLTYPE accepts true/false and 1/0; anything else is a format error (spec B.8: 3010).
    lowered = value.strip().lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0"}:
        return False
    raise StatusError(3010, f'There is an invalid boolean value "{value}" in the field "{name}".')


def parse_date(value: str, name: str) -> date:
    # DATETYPE is YYYY-MM-DD (spec B.2); a bad one is 3020 "invalid date" (spec B.8). Python
    # also reads 20261128 and 2026-W48-6, which the schema's xsd:date does not.
    try:
        if not _DATE.fullmatch(value.strip()):
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise StatusError(
            3020, f'There is an invalid date "{value}" in the field "{name}".'
        ) from None


def parse_datetime(value: str, name: str) -> float:
    """DATETIMETYPE (or a bare date) as a Unix time; a time without offset is taken as UTC."""
    text = value.strip()
    try:
        # DATETIMETYPE (qbxmltypes130.xsd): a numeric offset only, no "Z", no fractions of a
        # second, both of which Python's fromisoformat would read.
        if not _DATETIME.fullmatch(text):
            raise ValueError(text)
        if len(text) == 10:
            when = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        else:
            when = datetime.fromisoformat(text)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
    except ValueError:
        raise StatusError(
            3020, f'There is an invalid date "{value}" in the field "{name}".'
        ) from None
    return when.timestamp()


def end_of_day(value: str) -> bool:
    """A bare date as an upper bound covers the whole day."""
    return len(value.strip()) == 10


def parse_amount(value: str, name: str) -> Decimal:
    # AMTTYPE is [+-]digits{1,13}(.dd)? (qbXML 13.0 qbxmltypes130.xsd): no NaN, Infinity or
    # exponent, which Decimal would otherwise read.
    if not _AMOUNT.fullmatch(value.strip()):
        raise StatusError(3040, f'There is an invalid amount "{value}" in the field "{name}".')
    return Decimal(value.strip()).quantize(Decimal("0.01"))


def parse_quantity(value: str, name: str) -> Decimal:
    # QUANTYPE and PRICETYPE (Quantity, Cost) are [+-]digits{1,10}(.d{1,5})? (qbXML 13.0
    # qbxmltypes130.xsd); the same refusal as an amount.
    if not _QUANTITY.fullmatch(value.strip()):
        raise StatusError(3040, f'There is an invalid amount "{value}" in the field "{name}".')
    return Decimal(value.strip())


def check_length(value: str, limit: int, name: str) -> None:
    # Field lengths from the XSD (spec "Key numbers": Name <= 41, items <= 31, FullName <= 209).
    # QuickBooks reports a string over its field's limit as 3070, worded as in an AccountAddRs
    # quoted in public code: 'The string "a5ad6d73" in the field "AccountNumber" is too long.'
    if len(value) > limit:
        raise StatusError(3070, f'The string "{value}" in the field "{name}" is too long.')


def resolve_ref(
    company: CompanyFile, ref: Node, kinds: Sequence[str], context: str = "request"
) -> Node:
    """Find the object a ``*Ref`` names and return the ref with both ListID and FullName.

    "If a CustomerRef aggregate includes both FullName and ListID, FullName will be ignored."
    (spec B.2, Intuit CustomerAdd reference). A reference to nothing is 3140, worded as in a
    QuickBooks response quoted in public code: 'There is an invalid reference to QuickBooks
    Item "X" in the SalesOrder line.  QuickBooks error message: Invalid argument.  The
    specified record does not exist in the list.' (spec B.8 lists 3140 as [U]).
    """
    list_id = ref.value("ListID")
    full_name = ref.value("FullName")
    found: tuple[str, str] | None = None
    if list_id:
        named = company.list_name(list_id)
        if named is not None and named[0] in kinds:
            found = (list_id, named[1])
    elif full_name:
        found = company.find_list_id(kinds, full_name)
    if found is None:
        label = _REF_LABELS.get(kinds[0], kinds[0]) if kinds else ref.tag.removesuffix("Ref")
        shown = list_id or full_name or ""
        raise StatusError(
            3140,
            f'There is an invalid reference to QuickBooks {label} "{shown}" in the {context}.  '
            f"{INVALID_ARGUMENT}",
        )
    return Node.ref(ref.tag, found[0], found[1])


def current_refs(company: CompanyFile, nodes: list[Node]) -> list[Node]:
    """Copies of ``nodes`` whose references show the referred object's current FullName.

    QuickBooks resolves a reference when it answers, so renaming a customer, vendor or item
    shows in every transaction and list element that refers to it.
    """
    names: dict[str, str | None] = {}

    def refresh(node: Node) -> Node:
        if node.tag.endswith("Ref") and node.find("ListID") is not None:
            list_id = node.value("ListID") or ""
            if list_id not in names:
                found = company.list_name(list_id)
                names[list_id] = None if found is None else found[1]
            full_name = names[list_id]
            if full_name is not None:
                return Node.ref(node.tag, list_id, full_name)
            return node
        if node.children:
            return Node(node.tag, children=[refresh(child) for child in node.children])
        return node

    return [refresh(node) for node in nodes]


def not_found_warning(missing: Sequence[str]) -> tuple[int, str, str]:
    # A query by ID or name that cannot find one of them: 500, Warn (spec B.8).
    return (
        500,
        "Warn",
        "The query request has not been fully completed. There was a required element "
        f'("{missing[0]}") that could not be found in QuickBooks.',
    )


NO_MATCH = "A query request did not find a matching object in QuickBooks"


def max_returned(request: Node) -> int | None:
    value = request.value("MaxReturned")
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise QbxmlParseError(f'MaxReturned "{value}" is not an integer') from None
    if number < 1:
        # qbXML 13.0: MaxReturned is an integer >= 1 (spec "Key numbers").
        raise StatusError(3010, f'MaxReturned "{value}" must be 1 or more.')
    return number


def page(
    company: CompanyFile,
    request: Node,
    matching: Callable[[], list[str]],
    render: Callable[[list[str]], list[Node]],
    *,
    options: dict[str, object] | None = None,
) -> Result:
    """Run a query, with or without an iterator, and render one page of it.

    Iterators (spec B.6): ``iterator="Start"`` takes a snapshot of the matching IDs and
    returns the first ``MaxReturned`` with ``iteratorRemainingCount`` and an ``iteratorID``;
    ``Continue`` with that ID returns the next page; ``Stop`` discards it. An unknown or
    expired ``iteratorID`` is an error [U: code 3175 is our choice, the OSR was not at hand].
    Every Continue must repeat the search criteria of its Start ("every subsequent request
    using this iterator must use the same search criteria and that search criteria must be
    sent with every request" [S]: consolibyte's iterator guide, quoted on
    sanmolsoftware.com/services/qbRequests/QbXML_for_Querying_for_Customers,_with_iterators).
    """
    criteria = [c.to_json() for c in request.children if c.tag != "MaxReturned"]
    mode = request.attrs.get("iterator")
    limit = max_returned(request)
    now = company.clock.now().timestamp()
    company.drop_iterators_before(now - ITERATOR_TTL_SECONDS)
    if mode is None:
        ids = matching()
        if limit is not None:
            ids = ids[:limit]
        return _result(render(ids), {})
    if mode == "Start":
        if "iteratorID" in request.attrs:
            raise QbxmlParseError('iterator="Start" must not carry an iteratorID')
        ids = matching()
        state = IteratorState(
            f"{{{uuid.uuid4()}}}", request.tag, ids, {**(options or {}), "criteria": criteria}, now
        )
    elif mode in {"Continue", "Stop"}:
        iterator_id = request.attrs.get("iteratorID", "")
        found = company.get_iterator(iterator_id)
        if found is None or found.request_type != request.tag:
            raise StatusError(
                3175,
                f'The iteratorID "{iterator_id}" is not valid: it is unknown, it has expired, '
                "or it belongs to another query. Start a new iterator.",
            )
        state = found
        if mode == "Continue" and criteria != state.options.get("criteria"):
            raise StatusError(
                3175,
                f'The iteratorID "{iterator_id}" was started with other search criteria: a '
                "Continue must repeat the criteria of its Start.",
            )
        if mode == "Stop":
            company.drop_iterator(state.iterator_id)
            return Result(attrs={"iteratorRemainingCount": "0", "iteratorID": state.iterator_id})
        stored = state.options.get("max_returned")
        if limit is None and isinstance(stored, int):
            limit = stored
    else:
        raise QbxmlParseError(f'iterator="{mode}" is not Start, Continue or Stop')
    start = state.offset
    if limit is None:
        limit = (len(state.remaining) - start) or 1
    state.options["max_returned"] = limit
    chunk = state.remaining[start : start + limit]
    state.offset = start + len(chunk)
    left = len(state.remaining) - state.offset
    state.touched_at = now
    if not left:
        company.drop_iterator(state.iterator_id)
    elif mode == "Start":
        # Saved once, with the Start's options: a Continue without MaxReturned takes the
        # Start's, a Continue's own MaxReturned counts for its page only.
        company.save_iterator(state)
    else:
        company.move_iterator(state)
    return _result(
        render(chunk),
        {"iteratorRemainingCount": str(left), "iteratorID": state.iterator_id},
    )


def _result(rets: list[Node], attrs: dict[str, str]) -> Result:
    result = Result(rets=rets, attrs=attrs)
    if not rets:
        result.code, result.severity, result.message = 1, "Info", NO_MATCH
    return result


def utc_date(company: CompanyFile) -> str:
    return company.clock.now().astimezone(UTC).date().isoformat()


def within(stamp: float, low: float | None, high: float | None) -> bool:
    return (low is None or stamp >= low) and (high is None or stamp <= high)


def upper_bound(value: str, name: str) -> float:
    stamp = parse_datetime(value, name)
    return stamp + timedelta(days=1).total_seconds() - 1 if end_of_day(value) else stamp
