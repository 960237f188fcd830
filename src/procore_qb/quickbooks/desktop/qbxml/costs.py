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
    if group == "amount":
        # A plain amount in one group, anything else in another (checked the slow way).
        inner = f"(?:(?P<amount>{_PLAIN})|(?P<amount_raw>[^<]*+))"
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


def _sequence(spec: str, captures: dict[str, str]) -> str:
    """The pattern of a sequence of optional elements in schema order. Names ending in
    ``Ref`` are list references (``ListID``, ``FullName``); ``captures`` maps ``Name`` or
    ``NameRef/ListID`` to a group name."""
    out: list[str] = []
    for name in spec.split():
        if name.endswith("Ref"):
            out.append(_ref(name, captures.get(f"{name}/ListID"), captures.get(f"{name}/FullName")))
        elif name in _CONTAINERS:
            children = "".join(_leaf(child) for child in _CONTAINERS[name].split())
            out.append(_container(name, children, repeat=name in _REPEATED))
        else:
            out.append(_leaf(name, captures.get(name)))
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
_EXPENSE = re.compile(
    "<ExpenseLineRet>"
    + _GAP
    + _sequence(
        _EXPENSE_SPEC,
        {
            "TxnLineID": "line_id",
            "AccountRef/ListID": "account",
            "Amount": "amount",
            "Memo": "memo",
            "CustomerRef/ListID": "customer",
        },
    )
    + "</ExpenseLineRet>"
    + _GAP
)
_ITEM_SPEC = (
    "TxnLineID ItemRef InventorySiteRef InventorySiteLocationRef SerialNumber LotNumber Desc "
    "Quantity UnitOfMeasure OverrideUOMSetRef Cost Amount TaxAmount CustomerRef ClassRef "
    "SalesTaxCodeRef BillableStatus SalesRepRef DataExtRet"
)
_ITEM_CAPTURES = {
    "TxnLineID": "line_id",
    "ItemRef/ListID": "item",
    "Desc": "memo",
    "Amount": "amount",
    "CustomerRef/ListID": "customer",
}
# SerialNumber and LotNumber are a choice: at most one of them is there.
_ITEM = re.compile(
    "<ItemLineRet>" + _GAP + _sequence(_ITEM_SPEC, _ITEM_CAPTURES) + "</ItemLineRet>" + _GAP
)
_GROUP_HEAD = re.compile("<ItemGroupLineRet>" + _GAP + _sequence(_GROUP_SPEC, {}))
_GROUP_TAIL = re.compile("</ItemGroupLineRet>" + _GAP)
_JOURNAL = re.compile(
    "<(?P<kind>JournalDebitLine|JournalCreditLine)>"
    + _GAP
    + _sequence(
        _JOURNAL_SPEC,
        {
            "TxnLineID": "line_id",
            "AccountRef/ListID": "account",
            "Amount": "amount",
            "Memo": "memo",
            "EntityRef/ListID": "customer",
            "EntityRef/FullName": "payee",
        },
    )
    + "</(?P=kind)>"
    + _GAP
)


@dataclass(frozen=True, slots=True)
class _Record:
    head: re.Pattern[str]
    tail: re.Pattern[str]
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
        tail=re.compile(_sequence(tail, {}) + f"</{kind}Ret>"),
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
    if spec.journal:
        found, pos = _journal_lines(text, head.end(), end, txn, sign, wanted, decode)
    else:
        found, pos = _item_and_expense_lines(text, head.end(), end, txn, sign, wanted, decode)
    tail = spec.tail.match(text, pos, end)
    if tail is None or tail.end() != end:
        raise _Unread
    return found


_Shared = tuple[JobCostSource, str, date, str, str, str]
"""What every line of one transaction shares: its source, TxnID, TxnDate, payee, RefNumber
and Memo."""


def _amount(plain: str | None, raw: str | None) -> Decimal:
    if plain is not None:
        return Decimal(plain)
    try:
        return amount_value(raw, "Amount")
    except QbxmlParseError:
        raise _Unread from None


def _picker(
    pattern: re.Pattern[str], *names: str
) -> Callable[[tuple[str | None, ...]], tuple[str | None, ...]]:
    """Picks the groups ``names`` out of ``pattern``'s ``groups()``, in that order."""
    return itemgetter(*(pattern.groupindex[name] - 1 for name in names))


_LINE = ("line_id", "amount", "amount_raw", "memo", "customer")
_JOURNAL_GROUPS = _picker(_JOURNAL, *_LINE, "account", "kind", "payee")
if tuple(_ITEM.groupindex) != ("line_id", "item", "memo", "amount", "amount_raw", "customer"):
    raise ImportError("the groups of the item line pattern are not in document order")
if tuple(_EXPENSE.groupindex) != ("line_id", "account", "amount", "amount_raw", "memo", "customer"):
    raise ImportError("the groups of the expense line pattern are not in document order")

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


def _item_and_expense_lines(
    text: str,
    pos: int,
    end: int,
    txn: _Shared,
    sign: int,
    wanted: Container[str],
    decode: Callable[[str], str] | None,
) -> tuple[list[JobCostLine], int]:
    # The reference order: expense lines, then item lines, then the item lines of groups.
    # Item lines are appended as they come, each expense line is inserted after the expense
    # lines read before it (at the end when the expense lines come first).
    out: list[JobCostLine] = []
    expenses = 0
    grouped: list[JobCostLine] | None = None
    append = out.append
    startswith = text.startswith
    expense_match, item_match = _EXPENSE.match, _ITEM.match
    source, txn_id, txn_date, payee, ref_number, header_memo = txn
    in_group = False
    while True:
        if startswith("<ItemLineRet>", pos):
            m = item_match(text, pos, end)
            if m is None:
                raise _Unread
            is_item = True
            # The groups in document order: TxnLineID, ItemRef, Desc, Amount, CustomerRef.
            line_id, ref, memo, plain, raw, customer = m.groups()
        elif in_group:
            m = _GROUP_TAIL.match(text, pos, end)
            if m is None:
                raise _Unread
            pos = m.end()
            in_group = False
            append = out.append
            continue
        elif startswith("<ExpenseLineRet>", pos):
            m = expense_match(text, pos, end)
            if m is None:
                raise _Unread
            is_item = False
            # The groups in document order: TxnLineID, AccountRef, Amount, Memo, CustomerRef.
            line_id, ref, plain, raw, memo, customer = m.groups()
        elif startswith("<ItemGroupLineRet>", pos):
            m = _GROUP_HEAD.match(text, pos, end)
            if m is None:
                raise _Unread
            pos = m.end()
            in_group = True
            if grouped is None:
                grouped = []
            append = grouped.append
            continue
        else:
            return (out if grouped is None else out + grouped), pos
        pos = m.end()
        if decode is not None:
            line_id, plain, raw, memo, customer, ref = (
                None if value is None else decode(value)
                for value in (line_id, plain, raw, memo, customer, ref)
            )
            if plain is not None:
                plain, raw = None, plain  # decoded: checked the slow way
        if not line_id:
            raise _Unread
        amount = Decimal(plain) if plain is not None else _amount(None, raw)
        if not customer or customer not in wanted:
            continue
        if is_item:
            item_id, account_id = ref or None, None
        else:
            item_id, account_id = None, ref or None
        line = _NEW(
            JobCostLine,
            (source, txn_id, line_id, txn_date, customer,
             amount if sign == 1 else amount * sign, item_id, account_id, payee,
             memo or header_memo, ref_number, header_memo),
        )  # fmt: skip
        if is_item:
            append(line)
        else:
            out.insert(expenses, line)
            expenses += 1


def _journal_lines(
    text: str,
    pos: int,
    end: int,
    txn: _Shared,
    sign: int,
    wanted: Container[str],
    decode: Callable[[str], str] | None,
) -> tuple[list[JobCostLine], int]:
    out: list[JobCostLine] = []
    match = _JOURNAL.match
    source, txn_id, txn_date, _, ref_number, header_memo = txn
    while True:
        m = match(text, pos, end)
        if m is None:
            return out, pos
        pos = m.end()
        line_id, plain, raw, memo, customer, account, kind, payee = _JOURNAL_GROUPS(m.groups())
        if decode is not None:
            line_id, plain, raw, memo, customer, account, payee = (
                None if value is None else decode(value)
                for value in (line_id, plain, raw, memo, customer, account, payee)
            )
            if plain is not None:
                plain, raw = None, plain
        amount = _amount(plain, raw)
        if not customer or customer not in wanted:
            continue
        factor = sign if kind == "JournalDebitLine" else -sign
        line = _NEW(
            JobCostLine,
            (source, txn_id, line_id or "", txn_date, customer,
             amount if factor == 1 else amount * factor, None, account or None, payee or "",
             memo or header_memo, ref_number, header_memo),
        )  # fmt: skip
        out.append(line)
