"""Job-cost lines read straight from the markup of cost transactions, fast.

The records of ``BillQuery``, ``CheckQuery``, ``CreditCardChargeQuery``, ``VendorCreditQuery``
and ``JournalEntryQuery`` answers are the bulk of what procore-qb reads from QuickBooks
Desktop. :func:`job_cost_lines` reads one such record with a handful of regular expressions
that follow the element order of qbXML 13.0 (``qbxml130.xsd``: ``BillRet``, ``CheckRet``,
``CreditCardChargeRet``, ``VendorCreditRet``, ``JournalEntryRet`` and their line elements),
which QuickBooks always writes. Each expression matches complete elements only, and the
record must be matched from its start tag to its end tag, so what is read is well-formed.

Anything else (another order, an element the expressions do not know, attributes, comments,
CDATA, a value the reading refuses) is read by the tree parser and
:func:`~procore_qb.quickbooks.desktop.qbxml.records.read_txn_lines` instead, the reference
reading, which also gives the error. Both give the same lines: the property tests check it on
generated records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import itemgetter

from procore_qb.domain.commands import JobCostLine, JobCostSource
from procore_qb.quickbooks.desktop.errors import QbxmlParseError
from procore_qb.quickbooks.desktop.qbxml.records import TxnLine, amount_value, read_txn_lines
from procore_qb.quickbooks.desktop.qbxml.scanner import RawRecord, decode_text

__all__ = ["COST_RECORD_TAGS", "job_cost_lines", "reference_job_cost_lines"]

# ----------------------------------------------------------------------------- patterns

_GAP = "[^<]*+"  # text between elements: ignored by the reading, checked for the record


_PLAIN = r"[+-]?[0-9]{1,15}(?:\.[0-9]{0,10})?"
"""An amount every check of amount_value() passes: read with Decimal() at once."""


def _leaf(name: str, group: str | None = None) -> str:
    if group is not None and group.endswith("amount"):
        # A plain amount in one group, anything else in another (checked the slow way).
        inner = f"(?:(?P<{group}>{_PLAIN})|(?P<{group}_raw>[^<]*+))"
    elif group:
        inner = f"(?P<{group}>[^<]*+)"
    else:
        inner = "[^<]*+"
    return f"(?:<{name}>{inner}</{name}>{_GAP})?+"


def _container(name: str, children: str, *, repeat: bool = False) -> str:
    return f"(?:<{name}>{_GAP}{children}</{name}>{_GAP}){'*+' if repeat else '?+'}"


def _ref(name: str, list_id: str | None = None, full_name: str | None = None) -> str:
    return _container(name, _leaf("ListID", list_id) + _leaf("FullName", full_name))


_ADDRESS = "Addr1 Addr2 Addr3 Addr4 Addr5 City State PostalCode Country Note"
_CONTAINERS = {
    "VendorAddress": _ADDRESS,
    "Address": _ADDRESS,
    "AddressBlock": "Addr1 Addr2 Addr3 Addr4 Addr5",
    "LinkedTxn": "TxnID TxnType TxnDate RefNumber LinkType Amount",
    "DataExtRet": "OwnerID DataExtName DataExtType DataExtValue",
}
_REPEATED = frozenset({"LinkedTxn", "DataExtRet"})


def _element(name: str, captures: dict[str, str]) -> str:
    if name.endswith("Ref"):
        return _ref(name, captures.get(f"{name}/ListID"), captures.get(f"{name}/FullName"))
    if name in _CONTAINERS:
        children = "".join(_leaf(child) for child in _CONTAINERS[name].split())
        return _container(name, children, repeat=name in _REPEATED)
    return _leaf(name, captures.get(name))


def _sequence(spec: str, captures: dict[str, str]) -> str:
    """The pattern of a sequence of optional elements in schema order. Names ending in
    ``Ref`` are list references (``ListID``, ``FullName``); ``captures`` maps ``Name`` or
    ``NameRef/ListID`` to a group name.

    Each run of elements nothing is read from is guarded by the first letters of their
    names: when the next tag starts with none of them, none of the run's elements is there
    and the run is passed by one test instead of one failed attempt per element (the
    element an optional element costs most is the one that is not there). The guard only
    skips what could not match: the pattern matches exactly the same text."""
    out: list[str] = []
    run: list[str] = []

    def close_run() -> None:
        if len(run) >= 2:
            letters = "".join(sorted({name[0] for name in run}))
            body = "".join(_element(name, captures) for name in run)
            out.append(f"(?:(?=<[{letters}])(?:{body})|)")
        else:
            out.extend(_element(name, captures) for name in run)
        run.clear()

    for name in spec.split():
        if any(path == name or path.startswith(f"{name}/") for path in captures):
            close_run()
            out.append(_element(name, captures))
        else:
            run.append(name)
    close_run()
    return "".join(out)


_TXN_CORE = "TxnID TimeCreated TimeModified EditSequence TxnNumber"
_HEADER_CAPTURES = {
    "TxnID": "txn_id",
    "VendorRef/FullName": "payee",
    "PayeeEntityRef/FullName": "payee",
    "TxnDate": "txn_date",
    "RefNumber": "ref_number",
    "Memo": "memo",
}
# qbxml130.xsd: the children of each *Ret before its lines, and after them.
_HEADERS = {
    "Bill": (
        f"{_TXN_CORE} VendorRef VendorAddress APAccountRef TxnDate DueDate AmountDue "
        "CurrencyRef ExchangeRate AmountDueInHomeCurrency RefNumber TermsRef Memo "
        "IsTaxIncluded SalesTaxCodeRef IsPaid ExternalGUID LinkedTxn",
        "OpenAmount DataExtRet",
    ),
    "Check": (
        f"{_TXN_CORE} AccountRef PayeeEntityRef RefNumber TxnDate Amount CurrencyRef "
        "ExchangeRate AmountInHomeCurrency Memo Address AddressBlock IsToBePrinted "
        "IsTaxIncluded SalesTaxCodeRef ExternalGUID LinkedTxn",
        "DataExtRet",
    ),
    "CreditCardCharge": (
        f"{_TXN_CORE} AccountRef PayeeEntityRef TxnDate Amount CurrencyRef ExchangeRate "
        "AmountInHomeCurrency RefNumber Memo IsTaxIncluded SalesTaxCodeRef ExternalGUID",
        "DataExtRet",
    ),
    "VendorCredit": (
        f"{_TXN_CORE} VendorRef APAccountRef TxnDate CreditAmount CurrencyRef ExchangeRate "
        "CreditAmountInHomeCurrency RefNumber Memo IsTaxIncluded SalesTaxCodeRef ExternalGUID "
        "LinkedTxn",
        "OpenAmount DataExtRet",
    ),
    "JournalEntry": (
        f"{_TXN_CORE} TxnDate RefNumber Memo IsAdjustment IsHomeCurrencyAdjustment "
        "IsAmountsEnteredInHomeCurrency CurrencyRef ExchangeRate ExternalGUID",
        "DataExtRet",
    ),
}
_EXPENSE_SPEC = (
    "TxnLineID AccountRef Amount TaxAmount Memo CustomerRef ClassRef SalesTaxCodeRef "
    "BillableStatus SalesRepRef DataExtRet"
)
_GROUP_SPEC = "TxnLineID ItemGroupRef Desc Quantity UnitOfMeasure OverrideUOMSetRef TotalAmount"
_JOURNAL_SPEC = (
    "TxnLineID AccountRef Amount TaxAmount Memo EntityRef ClassRef ItemSalesTaxRef BillableStatus"
)
_ITEM_SPEC = (
    "TxnLineID ItemRef InventorySiteRef InventorySiteLocationRef SerialNumber LotNumber Desc "
    "Quantity UnitOfMeasure OverrideUOMSetRef Cost Amount TaxAmount CustomerRef ClassRef "
    "SalesTaxCodeRef BillableStatus SalesRepRef DataExtRet"
)
# SerialNumber and LotNumber are a choice: at most one of them is there.


def _line_pattern(tag: str, spec: str, prefix: str, captures: dict[str, str]) -> str:
    """One line element, its name captured in group ``prefix`` and its values in groups
    ``prefix_<name>``."""
    named = {path: f"{prefix}_{name}" for path, name in captures.items()}
    return f"<(?P<{prefix}>{tag})>{_GAP}{_sequence(spec, named)}</{tag}>{_GAP}"


_ITEM = _line_pattern(
    "ItemLineRet",
    _ITEM_SPEC,
    "i",
    {
        "TxnLineID": "line_id",
        "ItemRef/ListID": "item",
        "Desc": "memo",
        "Amount": "amount",
        "CustomerRef/ListID": "customer",
    },
)
_EXPENSE = _line_pattern(
    "ExpenseLineRet",
    _EXPENSE_SPEC,
    "e",
    {
        "TxnLineID": "line_id",
        "AccountRef/ListID": "account",
        "Amount": "amount",
        "Memo": "memo",
        "CustomerRef/ListID": "customer",
    },
)
_GROUP_HEAD = f"<(?P<group>ItemGroupLineRet)>{_GAP}{_sequence(_GROUP_SPEC, {})}"
_GROUP_TAIL = f"</(?P<group_end>ItemGroupLineRet)>{_GAP}"
_JOURNAL = (
    "<(?P<j>JournalDebitLine|JournalCreditLine)>"
    + _GAP
    + _sequence(
        _JOURNAL_SPEC,
        {
            "TxnLineID": "j_line_id",
            "AccountRef/ListID": "j_account",
            "Amount": "j_amount",
            "Memo": "j_memo",
            "EntityRef/ListID": "j_customer",
        },
    )
    + "</(?P=j)>"
    + _GAP
)
# Anything else where a line or the end of the record should be: the rest of the record,
# which the reference then reads.
_OTHER = "[\\s\\S]+"


def _lines_pattern(kind: str, lines: tuple[str, ...], tail: str) -> re.Pattern[str]:
    """The lines of a ``kind`` record and what follows them up to its end tag, read by
    ``findall`` from the end of its head: one tuple of groups per line element (or group
    start or end), then the tail's (group ``end``: the record's end tag, at the very end),
    and a tuple of empty groups for anything else (the rest of the record, at once)."""
    tail_pattern = f"{_sequence(tail, {})}</(?P<end>{kind}Ret)>\\Z"
    return re.compile("|".join((*lines, tail_pattern, _OTHER)))


@dataclass(frozen=True, slots=True)
class _Record:
    head: re.Pattern[str]
    lines: re.Pattern[str]
    journal: bool

    @property
    def header(self) -> Callable[[tuple[str | None, ...]], tuple[str | None, ...]]:
        """Picks TxnID, TxnDate, Memo, RefNumber and the payee out of the head's groups()."""
        index = self.head.groupindex
        return itemgetter(
            index["txn_id"] - 1,
            index["txn_date"] - 1,
            index["memo"] - 1,
            index["ref_number"] - 1,
            # A journal entry has no payee: its TxnID again, replaced by "" below.
            index.get("payee", index["txn_id"]) - 1,
        )


_RECORDS = {
    f"{kind}Ret": _Record(
        # Vendor (bills, credits) and payee (checks, charges) are one group: no record has
        # both, and a record with both is left to the reference reading.
        head=re.compile(f"<{kind}Ret>{_GAP}" + _sequence(head, _HEADER_CAPTURES)),
        lines=_lines_pattern(
            kind,
            (_JOURNAL,) if kind == "JournalEntry" else (_ITEM, _EXPENSE, _GROUP_HEAD, _GROUP_TAIL),
            tail,
        ),
        journal=kind == "JournalEntry",
    )
    for kind, (head, tail) in _HEADERS.items()
}
_HEADERS_OF = {tag: spec.header for tag, spec in _RECORDS.items()}
COST_RECORD_TAGS = frozenset(_RECORDS)
"""The records :func:`job_cost_lines` reads without the tree parser."""

_BAD_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,10}|#x[0-9A-Fa-f]{1,8});)")


def _unusual(markup: str) -> bool:
    """Whether ``markup`` has a comment, CDATA, a processing instruction or ``]]>`` (one
    character is found much faster than two: look for it first)."""
    return (
        ("!" in markup and "<!" in markup)
        or ("?" in markup and "<?" in markup)
        or ("]" in markup and "]]>" in markup)
    )


class _Unread(Exception):
    """The fast reading does not take this record; the reference reading does."""


# ----------------------------------------------------------------------------- reading


def reference_job_cost_lines(
    record: RawRecord, *, source: JobCostSource, sign: int, wanted: Container[str]
) -> list[JobCostLine]:
    """The cost lines of ``record`` coded to a ``wanted`` job, read by the tree parser and
    :func:`read_txn_lines` (the reference reading)."""
    return [
        _cost_line(line, source, sign)
        for line in read_txn_lines(record.element())
        if line.customer_id is not None and line.customer_id in wanted
    ]


def _cost_line(line: TxnLine, source: JobCostSource, sign: int) -> JobCostLine:
    return JobCostLine(
        source=source,
        txn_id=line.txn_id,
        line_id=line.line_id,
        txn_date=line.txn_date,
        job_id=line.customer_id or "",
        amount=line.amount * sign * (1 if line.debit else -1),
        item_id=line.item_id,
        account_id=line.account_id,
        vendor_name=line.payee_name,
        memo=line.memo,
        ref_number=line.ref_number,
        txn_memo=line.txn_memo,
    )


def job_cost_lines(
    record: RawRecord, *, source: JobCostSource, sign: int, wanted: Container[str]
) -> list[JobCostLine]:
    """The cost lines of one cost transaction record that are coded to a ``wanted`` job
    (``CustomerRef``, or ``EntityRef`` on journal lines), signed: ``sign`` is -1 for credits
    (vendor credits), and journal credit lines count against the job.

    Raises :class:`QbxmlParseError` for malformed markup or values, as the reference does.
    """
    spec = _RECORDS.get(record.tag)
    if spec is not None:
        try:
            return _fast(record, spec, source, sign, wanted)
        except _Unread:
            pass
    return reference_job_cost_lines(record, source=source, sign=sign, wanted=wanted)


def _fast(
    record: RawRecord,
    spec: _Record,
    source: JobCostSource,
    sign: int,
    wanted: Container[str],
) -> list[JobCostLine]:
    tag, text, start, end, checked, references = record
    decode: Callable[[str], str] | None = None
    if not checked and _unusual(text[start:end]):
        raise _Unread
    if references and text.find("&", start, end) != -1:
        if _BAD_AMPERSAND.search(text, start, end) is not None:
            raise _Unread
        decode = decode_text
    head = spec.head.match(text, start, end)
    if head is None:
        raise _Unread
    txn_id, raw_date, header_memo, ref_number, payee = _HEADERS_OF[tag](head.groups())
    if spec.journal:
        payee = None
    if decode is not None:
        txn_id, raw_date, header_memo, ref_number, payee = (
            None if value is None else decode(value)
            for value in (txn_id, raw_date, header_memo, ref_number, payee)
        )
    if not txn_id or not raw_date:
        raise _Unread
    try:
        txn_date = date.fromisoformat(raw_date.strip())
    except ValueError:
        raise _Unread from None
    # What every line of the transaction shares, in the order of JobCostLine's fields.
    txn = (source, txn_id, txn_date, payee or "", ref_number or "", header_memo or "")
    rows = spec.lines.findall(text, head.end(), end)
    # The last row is the tail's (its end tag at the record's end) or the rest of a record
    # the pattern does not take.
    if not rows[-1][-1]:
        raise _Unread
    del rows[-1]
    if spec.journal:
        return _journal_lines(rows, txn, sign, wanted, decode)
    return _item_and_expense_lines(rows, txn, sign, wanted, decode)


_Shared = tuple[JobCostSource, str, date, str, str, str]
"""What every line of one transaction shares: its source, TxnID, TxnDate, payee, RefNumber
and Memo."""


def _amount(plain: str, raw: str) -> Decimal:
    if plain:
        return Decimal(plain)
    try:
        return amount_value(raw, "Amount")
    except QbxmlParseError:
        raise _Unread from None


def _groups(pattern: re.Pattern[str], names: tuple[str, ...]) -> None:
    """Check that ``pattern``'s groups are ``names`` in that order (``findall`` gives them
    by number: the readers below unpack them in this order)."""
    if tuple(pattern.groupindex) != names:  # pragma: no cover
        raise ImportError(f"the groups of a cost line pattern are not {names}")


_ITEM_GROUPS = ("i", "i_line_id", "i_item", "i_memo", "i_amount", "i_amount_raw", "i_customer")
_EXPENSE_GROUPS = (
    "e", "e_line_id", "e_account", "e_amount", "e_amount_raw", "e_memo", "e_customer",
)  # fmt: skip
_JOURNAL_GROUPS = (
    "j", "j_line_id", "j_account", "j_amount", "j_amount_raw", "j_memo", "j_customer",
)  # fmt: skip
for _tag, _spec in _RECORDS.items():
    if _spec.journal:
        _groups(_spec.lines, (*_JOURNAL_GROUPS, "end"))
    else:
        _groups(_spec.lines, (*_ITEM_GROUPS, *_EXPENSE_GROUPS, "group", "group_end", "end"))

# JobCostLine is a named tuple: tuple.__new__(JobCostLine, values) makes the same object as
# JobCostLine(*values) without the call of its generated __new__, which matters at hundreds of
# thousands of lines a second. The values are given in the order of its fields:
_FIELDS = (
    "source",
    "txn_id",
    "line_id",
    "txn_date",
    "job_id",
    "amount",
    "item_id",
    "account_id",
    "vendor_name",
    "memo",
    "ref_number",
    "txn_memo",
)
if not issubclass(JobCostLine, tuple) or JobCostLine._fields != _FIELDS:  # pragma: no cover
    raise ImportError(
        "JobCostLine changed: qbxml/costs.py makes it from its values in field order (_line, "
        "_item_and_expense_lines and _journal_lines); read the new values there (add their "
        "groups to the patterns) and check with "
        "tests/unit/quickbooks/desktop/qbxml/test_qbxml_fast_reading.py"
    )
_NEW = tuple.__new__


def _line(
    source: JobCostSource,
    txn_id: str,
    line_id: str,
    txn_date: date,
    job_id: str,
    amount: Decimal,
    item_id: str | None,
    account_id: str | None,
    vendor_name: str,
    memo: str,
    ref_number: str,
    txn_memo: str,
) -> JobCostLine:
    """``JobCostLine(...)`` with the same fields, made the way the readers below make it."""
    return _NEW(
        JobCostLine,
        (source, txn_id, line_id, txn_date, job_id, amount, item_id, account_id, vendor_name,
         memo, ref_number, txn_memo),
    )  # fmt: skip


def _decoded(values: tuple[str, ...], decode: Callable[[str], str]) -> tuple[str, ...]:
    return tuple(decode(value) if value else value for value in values)


def _item_and_expense_lines(
    rows: list[tuple[str, ...]],
    txn: _Shared,
    sign: int,
    wanted: Container[str],
    decode: Callable[[str], str] | None,
) -> list[JobCostLine]:
    # The reference order: expense lines, then item lines, then the item lines of groups.
    # Item lines are appended as they come, each expense line is inserted after the expense
    # lines read before it (at the end when the expense lines come first).
    out: list[JobCostLine] = []
    expenses = 0
    grouped: list[JobCostLine] | None = None
    append = out.append
    source, txn_id, txn_date, payee, ref_number, header_memo = txn
    in_group = False
    for row in rows:
        # The groups of the row (findall gives "" for a group that did not take part).
        (item, line_id, ref, memo, plain, raw, customer,
         expense, e_line_id, e_ref, e_plain, e_raw, e_memo, e_customer,
         group, group_end, _) = row  # fmt: skip
        if item:
            is_item = True
        elif expense and not in_group:
            is_item = False
            line_id, ref, plain, raw, memo, customer = (
                e_line_id, e_ref, e_plain, e_raw, e_memo, e_customer
            )  # fmt: skip
        elif group and not in_group:
            in_group = True
            if grouped is None:
                grouped = []
            append = grouped.append
            continue
        elif group_end and in_group:
            in_group = False
            append = out.append
            continue
        else:
            # An expense line or a group inside a group, the end of a group outside one.
            raise _Unread
        if decode is not None:
            line_id, ref, memo, plain, raw, customer = _decoded(
                (line_id, ref, memo, plain, raw, customer), decode
            )
            if plain:
                plain, raw = "", plain  # decoded: checked the slow way
        if not line_id:
            raise _Unread
        if not plain:
            amount = _amount(plain, raw)
        if not customer or customer not in wanted:
            continue
        if plain:
            amount = Decimal(plain)
        if sign != 1:
            amount = -amount
        line = _NEW(
            JobCostLine,
            (source, txn_id, line_id, txn_date, customer, amount,
             ref or None if is_item else None, None if is_item else ref or None,
             payee, memo or header_memo, ref_number, header_memo),
        )  # fmt: skip
        if is_item:
            append(line)
        else:
            out.insert(expenses, line)
            expenses += 1
    if in_group:
        raise _Unread
    return out if grouped is None else out + grouped


def _journal_lines(
    rows: list[tuple[str, ...]],
    txn: _Shared,
    sign: int,
    wanted: Container[str],
    decode: Callable[[str], str] | None,
) -> list[JobCostLine]:
    out: list[JobCostLine] = []
    source, txn_id, txn_date, _, ref_number, header_memo = txn
    for row in rows:
        kind, line_id, account, plain, raw, memo, customer, _ = row
        if not kind:
            raise _Unread
        if decode is not None:
            line_id, account, plain, raw, memo, customer = _decoded(
                (line_id, account, plain, raw, memo, customer), decode
            )
            if plain:
                plain, raw = "", plain
        if not plain:
            amount = _amount(plain, raw)
        if not customer or customer not in wanted:
            continue
        if plain:
            amount = Decimal(plain)
        if (sign if kind == "JournalDebitLine" else -sign) != 1:
            amount = -amount
        # No vendor: the line's EntityRef is the customer:job it is coded to (read above as
        # the job), not a payee (as records.read_txn_lines reads it).
        line = _NEW(
            JobCostLine,
            (source, txn_id, line_id, txn_date, customer, amount, None, account or None,
             "", memo or header_memo, ref_number, header_memo),
        )  # fmt: skip
        out.append(line)
    return out
