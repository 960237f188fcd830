"""Transactions that carry job cost: Bill, Check, CreditCardCharge, VendorCredit, JournalEntry.

``TxnVoidRq`` voids one: QuickBooks keeps the transaction with its lines and sets its amounts to
zero ("Voids a bill by setting its amount to zero while preserving its record in QuickBooks",
Conductor's QuickBooks Desktop reference for TxnVoid) and marks its memo ``VOID:`` as the
QuickBooks register shows it [U]; the change is a modification (new EditSequence and
TimeModified), so modified-date queries see it.

Each line is coded to a customer:job (``CustomerRef``, or ``EntityRef`` on journal lines) and
to an item (``ItemLineRet``) or an account (``ExpenseLineRet``) (spec B.5). Queries take the
``TxnQuery`` filters of spec B.5; lines come back only with ``IncludeLineItems`` true.
Totals (``AmountDue``, ``Amount``, ``CreditAmount``, ``OpenAmount``) are the sums of the lines;
a journal entry's debits must equal its credits. Mods follow QuickBooks' line rules [U]: with
any line Mod of a kind, lines of that kind left out are deleted, ``TxnLineID`` -1 adds one.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from procore_qb.sandbox.qbd.common import (
    INVALID_ARGUMENT,
    REF_KINDS,
    Result,
    check_length,
    current_refs,
    is_list_id,
    not_found_warning,
    page,
    parse_amount,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_quantity,
    resolve_ref,
    upper_bound,
    utc_date,
    within,
)
from procore_qb.sandbox.qbd.company import ENTITY_KINDS, CompanyFile, TxnObject
from procore_qb.sandbox.qbd.errors import QbxmlParseError, StatusError
from procore_qb.sandbox.qbd.nodes import Node
from procore_qb.sandbox.qbd.schema import MATCH_CRITERIA, TXN_DEL_TYPES, order_of
from procore_qb.sandbox.qbd.txn_pages import PageWriter

__all__ = ["TXN_KINDS", "add_txn", "mod_txn", "render_txn", "txn_del", "txn_query", "txn_void"]

TXN_KINDS = ("Bill", "Check", "CreditCardCharge", "VendorCredit", "JournalEntry")
_TOTAL = {
    "Bill": "AmountDue",
    "Check": "Amount",
    "CreditCardCharge": "Amount",
    "VendorCredit": "CreditAmount",
}
# RefNumber lengths from the XSD (spec B.5: Bill 20, Check 11).
_REF_NUMBER_MAX = {
    "Bill": 20,
    "Check": 11,
    "CreditCardCharge": 11,
    "VendorCredit": 20,
    "JournalEntry": 11,
}
_LINE_TAGS = {
    "ExpenseLineAdd": "ExpenseLineRet",
    "ItemLineAdd": "ItemLineRet",
    "JournalDebitLine": "JournalDebitLine",
    "JournalCreditLine": "JournalCreditLine",
}
_LINE_ORDER = {
    "ExpenseLineRet": "ExpenseLineRet",
    "ItemLineRet": "ItemLineRet",
    "JournalDebitLine": "JournalLine",
    "JournalCreditLine": "JournalLine",
}


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _fill_line(company: CompanyFile, out: Node, fields: list[Node], context: str) -> Node:
    """Apply the children of a line Add or Mod to ``out`` (a line in ``*Ret`` form)."""
    order = order_of(_LINE_ORDER[out.tag])
    given = set()
    for child in fields:
        if child.tag not in order or child.tag == "TxnLineID":
            continue  # OverrideItemAccountRef, LinkToTxn, DataExt are not echoed on lines
        given.add(child.tag)
        if child.tag.endswith("Ref"):
            kinds = ENTITY_KINDS if child.tag == "EntityRef" else REF_KINDS.get(child.tag, ())
            out.set(child.tag, resolve_ref(company, child, kinds, context))
        elif child.tag == "Amount":
            out.set("Amount", Node("Amount", _money(parse_amount(child.text or "", "Amount"))))
        else:
            if child.tag == "TaxAmount":
                parse_amount(child.text or "", child.tag)
            elif child.tag in {"Quantity", "Cost"}:
                parse_quantity(child.text or "", child.tag)
            out.set(child.tag, Node(child.tag, child.text))
    if "Amount" not in given and (given & {"Quantity", "Cost"} or out.find("Amount") is None):
        # Amount is Quantity x Cost when it is not given (a missing Quantity counts as 1).
        cost = out.value("Cost")
        quantity = out.value("Quantity")
        amount = Decimal("0.00")
        if cost is not None:
            amount = (Decimal(quantity) if quantity else Decimal(1)) * Decimal(cost)
        out.set("Amount", Node("Amount", _money(amount)))
    if out.tag != "ItemLineRet" and out.find("AccountRef") is None:
        raise StatusError(3140, f"Every {out.tag} needs an AccountRef.  {INVALID_ARGUMENT}")
    if out.tag == "ItemLineRet" and out.find("ItemRef") is None:
        raise StatusError(3140, f"Every item line needs an ItemRef.  {INVALID_ARGUMENT}")
    out.children.sort(key=lambda child: order[child.tag])
    return out


def _new_line(company: CompanyFile, tag: str, fields: list[Node], context: str) -> Node:
    out = Node(tag, children=[Node("TxnLineID", company.new_id("next_line_id"))])
    return _fill_line(company, out, fields, context)


def _header_node(company: CompanyFile, kind: str, child: Node) -> Node:
    if child.tag.endswith("Ref"):
        return resolve_ref(company, child, REF_KINDS.get(child.tag, ()), kind)
    if child.tag == "TxnDate":
        parse_date(child.text or "", "TxnDate")
    elif child.tag == "RefNumber":
        check_length(child.text or "", _REF_NUMBER_MAX[kind], "RefNumber")
    elif child.tag in {"IsAdjustment", "IsToBePrinted", "IsTaxIncluded"}:
        parse_bool(child.text or "", child.tag)
    return Node(child.tag, child.text, [Node(c.tag, c.text) for c in child.children])


# Parts of transaction Adds and Mods this company file cannot honour (it keeps no item groups
# and no links between transactions): refused rather than silently dropped.
_NOT_KEPT = frozenset(
    {
        "ItemGroupLineAdd",
        "ItemGroupLineMod",
        "ApplyCheckToTxnAdd",
        "ApplyCheckToTxnMod",
        "LinkToTxnID",
    }
)


def _refuse_not_kept(payload: Node) -> None:
    for child in payload.children:
        if child.tag in _NOT_KEPT or child.find("LinkToTxn") is not None:
            raise StatusError(
                3250, "This feature is not enabled or not available in this version of QuickBooks."
            )


_TOTALS = frozenset({"AmountDue", "Amount", "CreditAmount", "OpenAmount", "IsPaid"})


def _finish(
    company: CompanyFile, kind: str, header: list[Node], lines: list[Node]
) -> tuple[Node, list[str], list[str]]:
    """The body with its totals, and the entities and list elements it refers to."""
    header = [node for node in header if node.tag not in _TOTALS]
    amounts = {tag: Decimal("0.00") for tag in (*_LINE_TAGS.values(),)}
    for line in lines:
        amounts[line.tag] += Decimal(line.value("Amount") or "0")
    if kind == "JournalEntry":
        debit, credit = amounts["JournalDebitLine"], amounts["JournalCreditLine"]
        if debit != credit:
            # Debits must equal credits; QuickBooks refuses an unbalanced entry [U: code].
            raise StatusError(
                3180,
                "There was an error when saving a JournalEntry.  QuickBooks error message: "
                f"Transaction is not in balance (debits {_money(debit)}, credits "
                f"{_money(credit)}).",
            )
    else:
        total = amounts["ExpenseLineRet"] + amounts["ItemLineRet"]
        if kind in {"Bill", "VendorCredit"} and not any(n.tag == "APAccountRef" for n in header):
            ap = company.find_list(("Account",), "Accounts Payable")
            if ap is not None:  # the default A/P account
                header.append(Node.ref("APAccountRef", ap.list_id, ap.full_name))
        header.append(Node(_TOTAL[kind], _money(total)))
        if kind in {"Bill", "VendorCredit"}:
            header.append(Node("OpenAmount", _money(total)))
        if kind == "Bill":
            header.append(Node("IsPaid", "false"))
    entities: set[str] = set()
    refs: set[str] = set()
    for ref in [*header, *(child for line in lines for child in line.children)]:
        if not ref.tag.endswith("Ref"):
            continue
        list_id = ref.value("ListID") or ""
        refs.add(list_id)
        if ref.tag in {"VendorRef", "PayeeEntityRef", "CustomerRef", "EntityRef"}:
            entities.add(list_id)
    return Node("Body", children=header + lines), sorted(entities), sorted(refs)


def add_txn(company: CompanyFile, kind: str, payload: Node) -> TxnObject:
    """BillAdd, CheckAdd, CreditCardChargeAdd, VendorCreditAdd, JournalEntryAdd."""
    _refuse_not_kept(payload)
    order = order_of(f"{kind}Ret")
    header: list[Node] = []
    lines: list[Node] = []
    for child in payload.children:
        if child.tag in _LINE_TAGS:
            lines.append(_new_line(company, _LINE_TAGS[child.tag], child.children, f"{kind} line"))
        elif child.tag in order:
            header.append(_header_node(company, kind, child))
    txn_date = payload.value("TxnDate")
    if txn_date is None:
        txn_date = utc_date(company)  # QuickBooks dates a transaction today when none is given
        header.append(Node("TxnDate", txn_date))
    body, entities, refs = _finish(company, kind, header, lines)
    when, stamp = company.now()
    obj = TxnObject(
        txn_id=company.new_id("next_txn_id"),
        kind=kind,
        txn_number=company.next_txn_number(),
        txn_date=txn_date,
        ref_number=payload.value("RefNumber"),
        edit_sequence=company.new_edit_sequence(),
        time_created=when,
        time_modified=when,
        modified_at=stamp,
        entity_ids=entities,
        list_refs=refs,
        body=body,
    )
    company.insert_txn(obj)
    return obj


_MOD_LINES = {
    "ExpenseLineMod": ("ExpenseLineRet", "ClearExpenseLines"),
    "ItemLineMod": ("ItemLineRet", "ClearItemLines"),
}


def _modded_lines(
    company: CompanyFile, kind: str, payload: Node, current: list[Node]
) -> list[Node]:
    """Lines after a Mod (QuickBooks' line Mod rules [U]: with any line Mod of a kind, lines of
    that kind left out are deleted; TxnLineID -1 adds a line; Clear*Lines true deletes all)."""
    context = f"{kind} line"
    by_id = {line.value("TxnLineID"): line for line in current}
    if kind == "JournalEntry":
        mods = payload.findall("JournalLineMod")
        if not mods:
            return current
        out: list[Node] = []
        for mod in mods:
            line_type = mod.value("JournalLineType")
            tag = None if line_type is None else f"Journal{line_type}Line"
            line_id = mod.value("TxnLineID") or ""
            if line_id == "-1":
                if tag is None:
                    raise StatusError(
                        3180,
                        "There was an error when saving a JournalEntry.  A new journal line "
                        "needs its JournalLineType (Debit or Credit).",
                    )
                out.append(_new_line(company, tag, mod.children, context))
                continue
            line = _existing_line(by_id, line_id)
            if tag is not None and tag != line.tag:
                line = Node(tag, children=line.children)
            out.append(_fill_line(company, line, mod.children, context))
        return out
    result: list[Node] = []
    for mod_tag, (ret_tag, clear_tag) in _MOD_LINES.items():
        lines = [line for line in current if line.tag == ret_tag]
        clear = payload.value(clear_tag)
        if clear is not None and parse_bool(clear, clear_tag):
            lines = []
        mods = payload.findall(mod_tag)
        if mods:
            lines = []
            for mod in mods:
                line_id = mod.value("TxnLineID") or ""
                if line_id == "-1":
                    lines.append(_new_line(company, ret_tag, mod.children, context))
                else:
                    existing = _existing_line(by_id, line_id)
                    if existing.tag != ret_tag:
                        _existing_line({}, line_id)
                    lines.append(_fill_line(company, existing, mod.children, context))
        result.extend(lines)
    return result


def _existing_line(by_id: dict[str | None, Node], line_id: str) -> Node:
    line = by_id.get(line_id)
    if line is None:
        raise StatusError(
            3120,
            f'Object "{line_id}" specified in the request cannot be found.  {INVALID_ARGUMENT}',
        )
    return line


def mod_txn(company: CompanyFile, kind: str, payload: Node) -> TxnObject:
    """BillMod, CheckMod, CreditCardChargeMod, VendorCreditMod, JournalEntryMod.

    Like every Mod it carries the EditSequence of the last read (3200 when stale, spec B.2);
    only the header fields it names change.
    """
    _refuse_not_kept(payload)
    txn_id = payload.value("TxnID") or ""
    if not is_list_id(txn_id):
        raise StatusError(3000, f'The given object ID "{txn_id}" in the field "TxnID" is invalid.')
    obj = company.get_txn(txn_id)
    if obj is None or obj.kind != kind:
        raise StatusError(
            3120, f'Object "{txn_id}" specified in the request cannot be found.  {INVALID_ARGUMENT}'
        )
    given = payload.value("EditSequence") or ""
    if given != obj.edit_sequence:
        raise StatusError(3200, f'The provided edit sequence "{given}" is out-of-date. ')
    order = order_of(f"{kind}Ret")
    header = [child for child in obj.body.children if child.tag not in _LINE_ORDER]
    current = [child for child in obj.body.children if child.tag in _LINE_ORDER]
    for child in payload.children:
        if child.tag in {"TxnID", "EditSequence"} or child.tag not in order:
            continue
        node = _header_node(company, kind, child)
        header = [n for n in header if n.tag != child.tag] + [node]
    lines = _modded_lines(company, kind, payload, current)
    obj.body, obj.entity_ids, obj.list_refs = _finish(company, kind, header, lines)
    obj.txn_date = obj.body.value("TxnDate") or obj.txn_date
    obj.ref_number = obj.body.value("RefNumber")
    obj.time_modified, obj.modified_at = company.now()
    obj.edit_sequence = company.new_edit_sequence(obj.edit_sequence)
    company.update_txn(obj)
    return obj


def render_txn(company: CompanyFile, obj: TxnObject, *, include_lines: bool) -> Node:
    tag = f"{obj.kind}Ret"
    order = order_of(tag)
    children = [
        Node("TxnID", obj.txn_id),
        Node("TimeCreated", obj.time_created),
        Node("TimeModified", obj.time_modified),
        Node("EditSequence", obj.edit_sequence),
        Node("TxnNumber", str(obj.txn_number)),
    ]
    for child in current_refs(company, obj.body.children):
        if child.tag in _LINE_ORDER and not include_lines:
            continue
        children.append(child)
    kept = [child for child in children if child.tag in order]
    kept.sort(key=lambda child: order[child.tag])
    return Node(tag, children=kept)


def txn_query(company: CompanyFile, request: Node, kind: str) -> Result:
    include = request.value("IncludeLineItems")
    include_lines = False if include is None else parse_bool(include, "IncludeLineItems")
    txn_ids = request.values("TxnID")
    ref_numbers = request.values("RefNumber")
    exact_refs = request.values("RefNumberCaseSensitive")
    if txn_ids or ref_numbers or exact_refs:
        found: list[TxnObject] = []
        missing: list[str] = []
        for txn_id in txn_ids:
            obj = company.get_txn(txn_id) if is_list_id(txn_id) else None
            if obj is None or obj.kind != kind:
                missing.append(txn_id)
            else:
                found.append(obj)
        everything = company.txns(kind) if ref_numbers or exact_refs else []
        for ref in ref_numbers:
            hits = [t for t in everything if (t.ref_number or "").casefold() == ref.casefold()]
            found.extend(hits) if hits else missing.append(ref)
        for ref in exact_refs:
            hits = [t for t in everything if t.ref_number == ref]
            found.extend(hits) if hits else missing.append(ref)
        result = Result(rets=[render_txn(company, t, include_lines=include_lines) for t in found])
        if missing:
            result.code, result.severity, result.message = not_found_warning(missing)
        return result
    matcher, needs_body, needs_refs = _txn_filter(company, request)

    def matching() -> list[str]:
        if matcher is None:
            return company.txn_ids(kind)  # no filter: every one, in the same order
        # Only PaidStatus looks inside a transaction; every other filter reads its columns.
        # Only Entity and Account filters read what a transaction refers to.
        found = company.txns(kind) if needs_body else company.txn_heads(kind, with_refs=needs_refs)
        return [t.txn_id for t in found if matcher(t)]

    # A page is written from the stored transactions at once, as render_txn would write them
    # (txn_pages.py); whole ``*Ret`` elements unless IncludeRetElement picks children.
    writer = PageWriter(
        company,
        kind,
        include_lines=include_lines,
        whole=request.find("IncludeRetElement") is None,
    )
    return page(company, request, matching, writer.rets)


def _ids_of(company: CompanyFile, node: Node, kinds: tuple[str, ...]) -> set[str]:
    """The ListIDs an EntityFilter/AccountFilter names, with descendants for ``*WithChildren``."""
    ids: set[str] = set()
    for list_id in node.values("ListID"):
        ids.add(list_id)
    for full_name in node.values("FullName"):
        obj = company.find_list(kinds, full_name)
        if obj is not None:
            ids.add(obj.list_id)
    roots: list[str] = []
    with_id = node.value("ListIDWithChildren")
    if with_id:
        roots.append(with_id)
    with_name = node.value("FullNameWithChildren")
    if with_name:
        obj = company.find_list(kinds, with_name)
        if obj is not None:
            roots.append(obj.list_id)
    while roots:
        current = roots.pop()
        ids.add(current)
        roots.extend(child.list_id for child in company.children_of(current))
    return ids


def _txn_filter(
    company: CompanyFile, request: Node
) -> tuple[Callable[[TxnObject], bool] | None, bool, bool]:
    """The request's filters as one test (None without any), whether that test reads a
    transaction's body, and whether it reads the entities and list elements it refers to."""
    tests: list[Callable[[TxnObject], bool]] = []
    modified = request.find("ModifiedDateRangeFilter")
    if modified is not None:
        start = modified.value("FromModifiedDate")
        end = modified.value("ToModifiedDate")
        low = None if start is None else parse_datetime(start, "FromModifiedDate")
        high = None if end is None else upper_bound(end, "ToModifiedDate")
        tests.append(lambda t: within(t.modified_at, low, high))
    dates = request.find("TxnDateRangeFilter")
    if dates is not None:
        if dates.find("DateMacro") is not None:
            raise StatusError(
                3250, "This feature is not enabled or not available in this version of QuickBooks."
            )
        first = dates.value("FromTxnDate")
        last = dates.value("ToTxnDate")
        for value, name in ((first, "FromTxnDate"), (last, "ToTxnDate")):
            if value is not None:
                parse_date(value, name)
        tests.append(
            lambda t: (
                (first is None or t.txn_date >= first) and (last is None or t.txn_date <= last)
            )
        )
    entity = request.find("EntityFilter")
    if entity is not None:
        # The payee/vendor or any line's customer:job counts as the transaction's entity, so
        # ListIDWithChildren on a customer finds the costs of its jobs (spec B.5 [S]).
        wanted = _ids_of(company, entity, ENTITY_KINDS)
        tests.append(lambda t: bool(wanted.intersection(t.entity_ids)))
    account = request.find("AccountFilter")
    if account is not None:
        accounts = _ids_of(company, account, ("Account",))
        tests.append(lambda t: bool(accounts.intersection(t.list_refs)))
    ref_filter = request.find("RefNumberFilter")
    if ref_filter is not None:
        criterion = ref_filter.value("MatchCriterion") or ""
        if criterion not in MATCH_CRITERIA:
            raise QbxmlParseError(
                f'MatchCriterion "{criterion}" is not one of {sorted(MATCH_CRITERIA)}'
            )
        needle = (ref_filter.value("RefNumber") or "").casefold()

        def ref_matches(t: TxnObject) -> bool:
            ref = (t.ref_number or "").casefold()
            if criterion == "StartsWith":
                return ref.startswith(needle)
            if criterion == "EndsWith":
                return ref.endswith(needle)
            return needle in ref

        tests.append(ref_matches)
    ref_range = request.find("RefNumberRangeFilter")
    if ref_range is not None:
        low_ref = ref_range.value("FromRefNumber")
        high_ref = ref_range.value("ToRefNumber")
        tests.append(
            lambda t: (
                (low_ref is None or (t.ref_number or "") >= low_ref)
                and (high_ref is None or (t.ref_number or "") <= high_ref)
            )
        )
    paid = request.value("PaidStatus")
    if paid is not None:
        if paid not in {"All", "PaidOnly", "NotPaidOnly"}:
            raise QbxmlParseError(f'PaidStatus "{paid}" is not All, PaidOnly or NotPaidOnly')
        if paid == "PaidOnly":
            tests.append(lambda t: t.body.value("IsPaid") == "true")
        elif paid == "NotPaidOnly":
            tests.append(lambda t: t.body.value("IsPaid") != "true")
    if not tests:
        return None, False, False
    return (
        tests[0] if len(tests) == 1 else (lambda t: all(test(t) for test in tests)),
        paid in {"PaidOnly", "NotPaidOnly"},
        entity is not None or account is not None,
    )


def txn_del(company: CompanyFile, request: Node) -> Result:
    del_type = request.value("TxnDelType") or ""
    txn_id = request.value("TxnID") or ""
    if not is_list_id(txn_id):
        raise StatusError(3000, f'The given object ID "{txn_id}" in the field "TxnID" is invalid.')
    obj = company.get_txn(txn_id)
    # Transaction types this company file does not keep have no transactions to find.
    if obj is None or obj.kind != del_type or del_type not in TXN_DEL_TYPES:
        raise StatusError(
            3120, f'Object "{txn_id}" specified in the request cannot be found.  {INVALID_ARGUMENT}'
        )
    when = company.delete_txn(obj)
    rets = [Node("TxnDelType", del_type), Node("TxnID", txn_id), Node("TimeDeleted", when)]
    if obj.ref_number:
        rets.append(Node("RefNumber", obj.ref_number))
    return Result(rets=rets)


_MEMO_MAX = 4095
"""Memo: at most 4095 characters (qbxml130.xsd, BillRet and the other transaction Rets)."""


def txn_void(company: CompanyFile, request: Node) -> Result:
    """TxnVoidRq (``TxnVoidType``, ``TxnID``): the transaction stays, its amounts become zero."""
    void_type = request.value("TxnVoidType") or ""
    txn_id = request.value("TxnID") or ""
    if not is_list_id(txn_id):
        raise StatusError(3000, f'The given object ID "{txn_id}" in the field "TxnID" is invalid.')
    obj = company.get_txn(txn_id)
    # Transaction types this company file does not keep have no transactions to find.
    if obj is None or obj.kind != void_type or void_type not in TXN_KINDS:
        raise StatusError(
            3120, f'Object "{txn_id}" specified in the request cannot be found.  {INVALID_ARGUMENT}'
        )
    header = [child for child in obj.body.children if child.tag not in _LINE_ORDER]
    lines = [child for child in obj.body.children if child.tag in _LINE_ORDER]
    for line in lines:
        line.set("Amount", Node("Amount", _money(Decimal("0"))))
    memo = next((n.text or "" for n in header if n.tag == "Memo"), "")
    if not memo.startswith("VOID:"):
        header = [n for n in header if n.tag != "Memo"]
        header.append(Node("Memo", f"VOID: {memo}".strip()[:_MEMO_MAX]))
        order = order_of(f"{obj.kind}Ret")
        header.sort(key=lambda n: order.get(n.tag, len(order)))
    obj.body, obj.entity_ids, obj.list_refs = _finish(company, obj.kind, header, lines)
    obj.time_modified, obj.modified_at = company.now()
    obj.edit_sequence = company.new_edit_sequence(obj.edit_sequence)
    company.update_txn(obj)
    rets = [
        Node("TxnVoidType", void_type),
        Node("TxnID", txn_id),
        Node("TimeCreated", obj.time_created),
        Node("TimeModified", obj.time_modified),
    ]
    if obj.ref_number:
        rets.append(Node("RefNumber", obj.ref_number))
    return Result(rets=rets)
