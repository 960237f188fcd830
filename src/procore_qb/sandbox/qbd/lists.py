"""List requests: customers and jobs, vendors, other names, items, accounts, terms, classes and
customer/vendor/job types; adds, mods, queries, deletes.

Rules (sources in spec B.2-B.4, B.8 and the issue's rule list):

- ``Name`` at most 41 characters (items 31); ``FullName`` is the colon path of names, at most
  209 characters (items 159); a job's ``Sublevel`` is its parent's plus one, at most 5.
- Names are unique case-insensitively among siblings; a top-level customer shares its name
  space with vendors, employees and other names (3100 "The name ... is already in use.").
- A ``ParentRef`` that names no customer is 3130 "There is an invalid reference to a parent".
- Every Mod carries the ``EditSequence`` of the last read; a stale one is 3200. Only the
  fields a Mod names change; renaming or moving renames the sub-elements' FullNames too (their
  own TimeModified stays [I]).
- Each write stamps ``TimeModified`` and a new ``EditSequence``.
- A list element with sub-elements or used by a transaction cannot be deleted, only made
  inactive [U]; deletions are recorded for ListDeletedQuery.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    parse_bool,
    parse_date,
    parse_datetime,
    resolve_ref,
    upper_bound,
    within,
)
from procore_qb.sandbox.qbd.company import (
    ENTITY_KINDS,
    ITEM_KINDS,
    CompanyFile,
    ListObject,
)
from procore_qb.sandbox.qbd.errors import QbxmlParseError, StatusError
from procore_qb.sandbox.qbd.nodes import Node
from procore_qb.sandbox.qbd.schema import (
    ACTIVE_STATUS,
    JOB_STATUS,
    LIST_DEL_TYPES,
    MATCH_CRITERIA,
    SMALL_LISTS,
    order_of,
)

__all__ = [
    "MAX_SUBLEVEL",
    "add_account",
    "add_account_from",
    "add_customer",
    "add_item",
    "add_simple",
    "add_small",
    "add_terms",
    "add_vendor",
    "list_del",
    "list_deleted_query",
    "list_query",
    "mod_customer",
    "mod_list",
    "render_list",
]

MAX_SUBLEVEL = 5
CUSTOMER_NAME_MAX = 41
CUSTOMER_FULL_NAME_MAX = 209
ITEM_NAME_MAX = 31
ITEM_FULL_NAME_MAX = 159

_RET_TAG = {
    "Customer": "CustomerRet",
    "Vendor": "VendorRet",
    "OtherName": "OtherNameRet",
    "ItemService": "ItemServiceRet",
    "ItemOtherCharge": "ItemOtherChargeRet",
    "ItemNonInventory": "ItemNonInventoryRet",
    "Account": "AccountRet",
    "StandardTerms": "StandardTermsRet",
    **{kind: f"{kind}Ret" for kind in SMALL_LISTS},
}
# Elements an Add or Mod carries that are not stored in the ``*Ret`` form.
_CORE = {"ListID", "EditSequence", "Name", "IsActive", "ParentRef"}


# ---------------------------------------------------------------------------- helpers
def _bool(value: bool) -> str:
    return "true" if value else "false"


def _list_context(payload: Node) -> str:
    kind = payload.tag.removesuffix("Add").removesuffix("Mod")
    return "Item list" if kind.startswith("Item") else f"{kind} list"


def _resolve_body(company: CompanyFile, payload: Node) -> Node:
    """The payload's non-core children with every reference resolved."""
    body = Node("Body")
    for child in payload.children:
        if child.tag in _CORE:
            continue
        body.children.append(_resolve_child(company, child, _list_context(payload)))
    return body


def _resolve_child(company: CompanyFile, child: Node, context: str) -> Node:
    if child.tag in REF_KINDS:
        return resolve_ref(company, child, REF_KINDS[child.tag], context)
    if child.tag.endswith("Ref") and child.tag != "ParentRef":
        # A reference to a list this company file does not keep cannot resolve (3140).
        return resolve_ref(company, child, (), context)
    if child.children:
        return Node(
            child.tag, children=[_resolve_child(company, c, context) for c in child.children]
        )
    return Node(child.tag, child.text)


def _check_name_free(
    company: CompanyFile,
    kind: str,
    name: str,
    parent_id: str | None,
    *,
    exclude: str | None = None,
) -> None:
    """3100 when the name is taken among the object's siblings (spec B.2, issue rules)."""
    if kind == "Customer" or kind in ENTITY_KINDS:
        # Top-level customers, vendors, employees and other names share one name space.
        kinds: Sequence[str] = ENTITY_KINDS if parent_id is None else ("Customer",)
    elif kind in ITEM_KINDS:
        kinds = ITEM_KINDS
    else:
        kinds = (kind,)
    clash = company.find_named(kinds, name, parent_id)
    if clash is not None and clash.list_id != exclude:
        raise StatusError(3100, f'The name "{name}" of the list element is already in use.')


def _parent(company: CompanyFile, ref: Node, kinds: Sequence[str], list_name: str) -> ListObject:
    list_id = ref.value("ListID")
    full_name = ref.value("FullName")
    found = None
    if list_id:
        found = company.get_list(list_id)
        if found is not None and found.kind not in kinds:
            found = None
    elif full_name:
        found = company.find_list(kinds, full_name)
    if found is None:
        # 3130 with QuickBooks' wording (spec B.2, hotglue fixture customer-batch-mixed).
        raise StatusError(
            3130,
            f'There is an invalid reference to a parent "{list_id or full_name or ""}" in the '
            f"{list_name} list.  {INVALID_ARGUMENT}",
        )
    return found


def _place(
    company: CompanyFile,
    kind: str,
    name: str,
    parent: ListObject | None,
    name_max: int,
    full_max: int,
) -> tuple[str, int]:
    check_length(name, name_max, "Name")
    if not name.strip():
        raise StatusError(3070, 'The field "Name" must not be empty.')
    if ":" in name:
        # ":" separates the levels of a FullName (Intuit sample QueryFilterRq.xml), so a name
        # cannot contain it [I].
        raise StatusError(
            3070, f'The name "{name}" contains ":", which QuickBooks uses between levels.'
        )
    if parent is None:
        return name, 0
    sublevel = parent.sublevel + 1
    if sublevel > MAX_SUBLEVEL:
        # At most five levels below a top-level object (spec B.2 [I]; the rule).
        raise StatusError(
            3130,
            f'"{name}" cannot go under "{parent.full_name}": QuickBooks allows Sublevel '
            f"{MAX_SUBLEVEL} at most.",
        )
    full_name = f"{parent.full_name}:{name}"
    check_length(full_name, full_max, "FullName")
    return full_name, sublevel


def _new_object(
    company: CompanyFile,
    kind: str,
    name: str,
    full_name: str,
    parent: ListObject | None,
    sublevel: int,
    is_active: bool,
    body: Node,
) -> ListObject:
    when, stamp = company.now()
    obj = ListObject(
        list_id=company.new_id(),
        kind=kind,
        name=name,
        parent_id=None if parent is None else parent.list_id,
        full_name=full_name,
        sublevel=sublevel,
        is_active=is_active,
        edit_sequence=company.new_edit_sequence(),
        time_created=when,
        time_modified=when,
        modified_at=stamp,
        body=body,
    )
    company.insert_list(obj)
    return obj


def _is_active(payload: Node) -> bool:
    value = payload.value("IsActive")
    return True if value is None else parse_bool(value, "IsActive")


def _check_customer_fields(payload: Node) -> None:
    status = payload.value("JobStatus")
    if status is not None and status not in JOB_STATUS:
        raise QbxmlParseError(f'JobStatus "{status}" is not one of {sorted(JOB_STATUS)}')
    for tag in ("JobStartDate", "JobProjectedEndDate", "JobEndDate"):
        value = payload.value(tag)
        if value is not None:
            parse_date(value, tag)
    for tag, limit in (
        ("CompanyName", 41),
        ("AccountNumber", 99),
        ("JobDesc", 99),
        ("Notes", 4095),
    ):
        value = payload.value(tag)
        if value is not None:
            check_length(value, limit, tag)


# ---------------------------------------------------------------------------- adds
def add_customer(company: CompanyFile, payload: Node) -> ListObject:
    name = payload.value("Name") or ""
    parent = None
    ref = payload.find("ParentRef")
    if ref is not None:
        parent = _parent(company, ref, ("Customer",), "Customers")
    full_name, sublevel = _place(
        company, "Customer", name, parent, CUSTOMER_NAME_MAX, CUSTOMER_FULL_NAME_MAX
    )
    _check_name_free(company, "Customer", name, None if parent is None else parent.list_id)
    _check_customer_fields(payload)
    body = _resolve_body(company, payload)
    return _new_object(
        company, "Customer", name, full_name, parent, sublevel, _is_active(payload), body
    )


def add_vendor(company: CompanyFile, payload: Node, kind: str = "Vendor") -> ListObject:
    """VendorAdd (and OtherNameAdd, the same rules for a payee that is neither)."""
    name = payload.value("Name") or ""
    _place(company, kind, name, None, CUSTOMER_NAME_MAX, CUSTOMER_NAME_MAX)
    _check_name_free(company, kind, name, None)
    for tag, limit in (("CompanyName", 41), ("NameOnCheck", 41), ("AccountNumber", 99)):
        value = payload.value(tag)
        if value is not None:
            check_length(value, limit, tag)
    body = _resolve_body(company, payload)
    return _new_object(company, kind, name, name, None, 0, _is_active(payload), body)


def add_item(company: CompanyFile, kind: str, payload: Node) -> ListObject:
    name = payload.value("Name") or ""
    parent = None
    ref = payload.find("ParentRef")
    if ref is not None:
        parent = _parent(company, ref, ITEM_KINDS, "Item")
    full_name, sublevel = _place(company, kind, name, parent, ITEM_NAME_MAX, ITEM_FULL_NAME_MAX)
    _check_name_free(company, kind, name, None if parent is None else parent.list_id)
    sales = payload.find("SalesOrPurchase") or payload.find("SalesAndPurchase")
    if sales is None or (payload.find("SalesOrPurchase") and payload.find("SalesAndPurchase")):
        raise QbxmlParseError(f"<{kind}Add> needs exactly one of SalesOrPurchase, SalesAndPurchase")
    if sales.tag == "SalesOrPurchase":
        if sales.find("Price") is not None and sales.find("PricePercent") is not None:
            raise QbxmlParseError("SalesOrPurchase takes Price or PricePercent, not both")
        if sales.find("AccountRef") is None:
            # A service/other-charge/non-inventory item must post to an account [I].
            raise StatusError(3140, f'The item "{name}" needs an AccountRef.')
    elif sales.find("IncomeAccountRef") is None or sales.find("ExpenseAccountRef") is None:
        raise StatusError(
            3140, f'The item "{name}" needs an IncomeAccountRef and an ExpenseAccountRef.'
        )
    body = _resolve_body(company, payload)
    return _new_object(company, kind, name, full_name, parent, sublevel, _is_active(payload), body)


def add_small(company: CompanyFile, kind: str, payload: Node) -> ListObject:
    """JobTypeAdd, ClassAdd, CustomerTypeAdd, VendorTypeAdd: a name in a hierarchy (Name <= 31)."""
    name = payload.value("Name") or ""
    parent = None
    ref = payload.find("ParentRef")
    if ref is not None:
        parent = _parent(company, ref, (kind,), kind)
    full_name, sublevel = _place(company, kind, name, parent, ITEM_NAME_MAX, ITEM_FULL_NAME_MAX)
    _check_name_free(company, kind, name, None if parent is None else parent.list_id)
    return _new_object(
        company, kind, name, full_name, parent, sublevel, _is_active(payload), Node("Body")
    )


def add_terms(company: CompanyFile, payload: Node) -> ListObject:
    """StandardTermsAdd: due days, and an early-payment discount."""
    name = payload.value("Name") or ""
    _place(company, "StandardTerms", name, None, ITEM_NAME_MAX, ITEM_NAME_MAX)
    _check_name_free(company, "StandardTerms", name, None)
    fields = [child for child in payload.children if child.tag not in _CORE]
    for child in fields:
        try:
            Decimal(child.text or "")
        except ArithmeticError:
            raise StatusError(
                3040, f'There is an invalid number "{child.text}" in the field "{child.tag}".'
            ) from None
    body = Node("Body", children=[Node(child.tag, child.text) for child in fields])
    return _new_object(company, "StandardTerms", name, name, None, 0, _is_active(payload), body)


def add_account(company: CompanyFile, name: str, account_type: str) -> ListObject:
    """Seed an account of the chart of accounts."""
    payload = Node("AccountAdd", children=[Node("Name", name), Node("AccountType", account_type)])
    return add_account_from(company, payload)


def add_account_from(company: CompanyFile, payload: Node) -> ListObject:
    """AccountAdd: Name <= 31, FullName <= 159, a sub-account has a parent of the same type [I]."""
    name = payload.value("Name") or ""
    parent = None
    ref = payload.find("ParentRef")
    if ref is not None:
        parent = _parent(company, ref, ("Account",), "Account")
        if parent.body.value("AccountType") != payload.value("AccountType"):
            raise StatusError(
                3130,
                f'The account "{name}" must have the type of its parent "{parent.full_name}" '
                f"({parent.body.value('AccountType')}).",
            )
    full_name, sublevel = _place(
        company, "Account", name, parent, ITEM_NAME_MAX, ITEM_FULL_NAME_MAX
    )
    _check_name_free(company, "Account", name, None if parent is None else parent.list_id)
    for tag, limit in (("AccountNumber", 7), ("Desc", 200)):
        value = payload.value(tag)
        if value is not None:
            check_length(value, limit, tag)
    body = _resolve_body(
        company,
        Node(
            "AccountAdd",
            children=[
                child
                for child in payload.children
                if child.tag not in {"OpenBalance", "OpenBalanceDate"}
            ],
        ),
    )
    return _new_object(
        company, "Account", name, full_name, parent, sublevel, _is_active(payload), body
    )


def add_simple(company: CompanyFile, kind: str, name: str, fields: Sequence[Node]) -> ListObject:
    """Seed an entry of a small list (StandardTerms, VendorType, ...)."""
    _check_name_free(company, kind, name, None)
    return _new_object(
        company, kind, name, name, None, 0, True, Node("Body", children=list(fields))
    )


# ---------------------------------------------------------------------------- mods
def _target(company: CompanyFile, list_id: str, kinds: Sequence[str]) -> ListObject:
    if not is_list_id(list_id):
        # 3000: the given object ID is invalid (spec B.8).
        raise StatusError(
            3000, f'The given object ID "{list_id}" in the field "ListID" is invalid.'
        )
    obj = company.get_list(list_id)
    if obj is None or obj.kind not in kinds:
        # 3120 object not found [U] (spec B.8).
        raise StatusError(
            3120,
            f'Object "{list_id}" specified in the request cannot be found.  {INVALID_ARGUMENT}',
        )
    return obj


def _check_edit_sequence(obj: ListObject, given: str) -> None:
    # Every Mod carries the EditSequence from the last read; an old one is 3200 (spec B.2).
    if given != obj.edit_sequence:
        raise StatusError(3200, f'The provided edit sequence "{given}" is out-of-date. ')


# Per list: the lists a ParentRef may name, the Name and FullName limits (spec "Key numbers").
_MOD_RULES: dict[str, tuple[tuple[str, ...], int, int]] = {
    "Customer": (("Customer",), CUSTOMER_NAME_MAX, CUSTOMER_FULL_NAME_MAX),
    "Vendor": ((), CUSTOMER_NAME_MAX, CUSTOMER_NAME_MAX),
    **dict.fromkeys(ITEM_KINDS, (ITEM_KINDS, ITEM_NAME_MAX, ITEM_FULL_NAME_MAX)),
}


def mod_customer(company: CompanyFile, payload: Node) -> ListObject:
    return mod_list(company, "Customer", payload)


def mod_list(company: CompanyFile, kind: str, payload: Node) -> ListObject:
    """CustomerMod, VendorMod, ItemServiceMod, ItemOtherChargeMod, ItemNonInventoryMod.

    Only the fields the Mod names change; a changed Name or ParentRef moves the object and
    renames its sub-elements, under the same rules as an Add.
    """
    parent_kinds, name_max, full_max = _MOD_RULES[kind]
    obj = _target(company, payload.value("ListID") or "", (kind,))
    _check_edit_sequence(obj, payload.value("EditSequence") or "")
    if kind == "Customer":
        _check_customer_fields(payload)
    name = payload.value("Name")
    name = obj.name if name is None else name
    parent = None if obj.parent_id is None else company.get_list(obj.parent_id)
    ref = payload.find("ParentRef")
    if ref is not None:
        parent = _parent(company, ref, parent_kinds, "Customers" if kind == "Customer" else "Item")
        cursor: ListObject | None = parent
        while cursor is not None:
            if cursor.list_id == obj.list_id:
                raise StatusError(
                    3130, f'"{obj.full_name}" cannot be moved under itself or one of its children.'
                )
            cursor = None if cursor.parent_id is None else company.get_list(cursor.parent_id)
    full_name, sublevel = _place(company, kind, name, parent, name_max, full_max)
    _check_name_free(
        company, kind, name, None if parent is None else parent.list_id, exclude=obj.list_id
    )
    depth = _subtree_depth(company, obj)
    if sublevel + depth > MAX_SUBLEVEL:
        raise StatusError(
            3130, f'Moving "{obj.full_name}" would put its children below Sublevel {MAX_SUBLEVEL}.'
        )
    changes = _resolve_body(company, payload)
    for change in changes.children:
        if change.tag in {"SalesOrPurchaseMod", "SalesAndPurchaseMod"}:
            _merge_sales(obj, change)
        else:
            obj.body.children = [c for c in obj.body.children if c.tag != change.tag]
    obj.body.children += [
        c for c in changes.children if c.tag not in {"SalesOrPurchaseMod", "SalesAndPurchaseMod"}
    ]
    if payload.value("IsActive") is not None:
        obj.is_active = _is_active(payload)
    renamed = full_name != obj.full_name
    obj.name, obj.full_name, obj.sublevel = name, full_name, sublevel
    obj.parent_id = None if parent is None else parent.list_id
    _touch(company, obj)
    company.update_list(obj)
    if renamed:
        _rename_children(company, obj, full_max)
    return obj


def _merge_sales(obj: ListObject, change: Node) -> None:
    """Apply a SalesOrPurchaseMod / SalesAndPurchaseMod to the item's stored form."""
    form = change.tag.removesuffix("Mod")
    current = obj.body.find(form)
    if current is None:
        # The item keeps the form it was created with [I].
        raise StatusError(
            3250, "This feature is not enabled or not available in this version of QuickBooks."
        )
    order = order_of(form)
    for field in change.children:
        if field.tag not in order:
            continue  # Apply*ToExistingTxns: lines keep no account of their own here
        if field.tag in {"Price", "PricePercent"}:
            current.remove("Price")
            current.remove("PricePercent")
        current.set(field.tag, field)
    current.children.sort(key=lambda child: order[child.tag])


def _touch(company: CompanyFile, obj: ListObject) -> None:
    obj.time_modified, obj.modified_at = company.now()
    obj.edit_sequence = company.new_edit_sequence(obj.edit_sequence)


def _subtree_depth(company: CompanyFile, obj: ListObject) -> int:
    children = company.children_of(obj.list_id)
    return 0 if not children else 1 + max(_subtree_depth(company, c) for c in children)


def _rename_children(company: CompanyFile, parent: ListObject, full_max: int) -> None:
    for child in company.children_of(parent.list_id):
        child.full_name = f"{parent.full_name}:{child.name}"
        child.sublevel = parent.sublevel + 1
        check_length(child.full_name, full_max, "FullName")
        company.update_list(child)
        _rename_children(company, child, full_max)


# ---------------------------------------------------------------------------- rendering
def render_list(company: CompanyFile, obj: ListObject) -> Node:
    """The object as its ``*Ret``, children in the XSD's order."""
    tag = _RET_TAG[obj.kind]
    order = order_of(tag)
    children = [
        Node("ListID", obj.list_id),
        Node("TimeCreated", obj.time_created),
        Node("TimeModified", obj.time_modified),
        Node("EditSequence", obj.edit_sequence),
        Node("Name", obj.name),
        Node("FullName", obj.full_name),
        Node("IsActive", _bool(obj.is_active)),
        Node("Sublevel", str(obj.sublevel)),
    ]
    if obj.parent_id is not None:
        parent = company.get_list(obj.parent_id)
        if parent is not None:
            children.append(Node.ref("ParentRef", parent.list_id, parent.full_name))
    if obj.kind == "Customer":
        # Balances come from sales transactions (invoices, payments), which this company file
        # does not keep, so every customer's balance is zero.
        children += [Node("Balance", "0.00"), Node("TotalBalance", "0.00")]
    elif obj.kind == "Vendor":
        children.append(Node("Balance", _vendor_balance(company, obj.list_id)))
    if obj.kind == "Customer":
        # Defaults QuickBooks fills in (CustomerRet in the QBWC log of
        # consolibyte/quickbooks-php#92).
        for default in ("JobStatus", "PreferredDeliveryMethod"):
            if obj.body.find(default) is None:
                children.append(Node(default, "None"))
    children.extend(current_refs(company, obj.body.children))
    kept = [child for child in children if child.tag in order]
    kept.sort(key=lambda child: order[child.tag])
    return Node(tag, children=kept)


def _vendor_balance(company: CompanyFile, list_id: str) -> str:
    """What the company owes the vendor: open bills less open vendor credits."""
    total = Decimal("0.00")
    for kind, field_name, sign in (("Bill", "OpenAmount", 1), ("VendorCredit", "OpenAmount", -1)):
        for txn in company.txns_of_entity(kind, list_id):
            ref = txn.body.find("VendorRef")
            if ref is not None and ref.value("ListID") == list_id:
                total += sign * Decimal(txn.body.value(field_name) or "0")
    return f"{total:.2f}"


# ---------------------------------------------------------------------------- queries
def list_query(company: CompanyFile, request: Node, kinds: Sequence[str]) -> Result:
    """CustomerQuery, VendorQuery, Item*Query, AccountQuery, TermsQuery (spec B.2 filters)."""
    list_ids = request.values("ListID")
    full_names = request.values("FullName")
    if list_ids or full_names:
        found: list[ListObject] = []
        missing: list[str] = []
        for list_id in list_ids:
            obj = company.get_list(list_id) if is_list_id(list_id) else None
            if obj is None or obj.kind not in kinds:
                missing.append(list_id)
            else:
                found.append(obj)
        for full_name in full_names:
            obj = company.find_list(kinds, full_name)
            if obj is None:
                missing.append(full_name)
            else:
                found.append(obj)
        result = Result(rets=[render_list(company, obj) for obj in found])
        if missing:
            result.code, result.severity, result.message = not_found_warning(missing)
        return result
    matcher = _list_filter(request)

    def matching() -> list[str]:
        return [obj.list_id for obj in company.lists(kinds) if matcher(obj)]

    def render(ids: list[str]) -> list[Node]:
        rets = []
        for list_id in ids:
            obj = company.get_list(list_id)
            if obj is not None:  # deleted since the iterator started
                rets.append(render_list(company, obj))
        return rets

    return page(company, request, matching, render)


def _list_filter(request: Node) -> Callable[[ListObject], bool]:
    active = request.value("ActiveStatus") or "ActiveOnly"
    if active not in ACTIVE_STATUS:
        raise QbxmlParseError(f'ActiveStatus "{active}" is not one of {sorted(ACTIVE_STATUS)}')
    low = request.value("FromModifiedDate")
    high = request.value("ToModifiedDate")
    low_stamp = None if low is None else parse_datetime(low, "FromModifiedDate")
    high_stamp = None if high is None else upper_bound(high, "ToModifiedDate")
    account_types = set(request.values("AccountType"))
    name_test = _name_test(request)

    def matches(obj: ListObject) -> bool:
        if active == "ActiveOnly" and not obj.is_active:
            return False
        if active == "InactiveOnly" and obj.is_active:
            return False
        if not within(obj.modified_at, low_stamp, high_stamp):
            return False
        if account_types and obj.body.value("AccountType") not in account_types:
            return False
        return name_test(obj.full_name)

    return matches


def _name_test(request: Node) -> Callable[[str], bool]:
    name_filter = request.find("NameFilter")
    if name_filter is not None:
        criterion = name_filter.value("MatchCriterion") or ""
        if criterion not in MATCH_CRITERIA:
            raise QbxmlParseError(
                f'MatchCriterion "{criterion}" is not one of {sorted(MATCH_CRITERIA)}'
            )
        wanted = (name_filter.value("Name") or "").casefold()
        if criterion == "StartsWith":
            return lambda full: full.casefold().startswith(wanted)
        if criterion == "EndsWith":
            return lambda full: full.casefold().endswith(wanted)
        return lambda full: wanted in full.casefold()
    name_range = request.find("NameRangeFilter")
    if name_range is not None:
        low = (name_range.value("FromName") or "").casefold()
        high = name_range.value("ToName")
        high_key = None if high is None else high.casefold()
        return lambda full: (
            full.casefold() >= low and (high_key is None or full.casefold() <= high_key)
        )
    return lambda full: True


# ---------------------------------------------------------------------------- deletes
_DEL_KINDS: dict[str, tuple[str, ...]] = {
    "OtherName": ("OtherName",),
    "StandardTerms": ("StandardTerms",),
    **{kind: (kind,) for kind in SMALL_LISTS},
    "Account": ("Account",),
    "Customer": ("Customer",),
    "ItemNonInventory": ("ItemNonInventory",),
    "ItemOtherCharge": ("ItemOtherCharge",),
    "ItemService": ("ItemService",),
    "Vendor": ("Vendor",),
}


def list_del(company: CompanyFile, request: Node) -> Result:
    """ListDel: delete a list element that nothing uses (spec B.5 deleted objects)."""
    del_type = request.value("ListDelType") or ""
    # Lists this company file does not keep (classes, sales reps, ...) are empty: whatever the
    # ListID, the object cannot be found.
    kinds = _DEL_KINDS.get(del_type, ()) if del_type in LIST_DEL_TYPES else ()
    obj = _target(company, request.value("ListID") or "", kinds)
    if company.children_of(obj.list_id) or company.list_in_use(obj.list_id):
        # QuickBooks will not delete a list element that has sub-elements or is used by
        # transactions; it can only be made inactive [U: code and wording].
        raise StatusError(
            3170,
            f'The list element "{obj.full_name}" cannot be deleted: it has sub-elements or '
            "transactions refer to it. Make it inactive instead.",
        )
    when = company.delete_list(obj, del_type)
    return Result(
        rets=[
            Node("ListDelType", del_type),
            Node("ListID", obj.list_id),
            Node("TimeDeleted", when),
            Node("FullName", obj.full_name),
        ]
    )


def list_deleted_query(company: CompanyFile, request: Node, *, txns: bool) -> Result:
    """ListDeletedQuery / TxnDeletedQuery with an optional DeletedDateRangeFilter."""
    tag = "TxnDelType" if txns else "ListDelType"
    types = request.values(tag)
    window = request.find("DeletedDateRangeFilter")
    low = high = None
    if window is not None:
        start = window.value("FromDeletedDate")
        end = window.value("ToDeletedDate")
        low = None if start is None else parse_datetime(start, "FromDeletedDate")
        high = None if end is None else upper_bound(end, "ToDeletedDate")
    rets = []
    for gone in company.deleted(txns, types):
        if not within(gone.deleted_at, low, high):
            continue
        if txns:
            children = [
                Node("TxnDelType", gone.del_type),
                Node("TxnID", gone.object_id),
                Node("TimeCreated", gone.time_created),
                Node("TimeDeleted", gone.time_deleted),
            ]
            if gone.name:
                children.append(Node("RefNumber", gone.name))
            rets.append(Node("TxnDeletedRet", children=children))
        else:
            rets.append(
                Node(
                    "ListDeletedRet",
                    children=[
                        Node("ListDelType", gone.del_type),
                        Node("ListID", gone.object_id),
                        Node("TimeCreated", gone.time_created),
                        Node("TimeDeleted", gone.time_deleted),
                        Node("FullName", gone.name or ""),
                    ],
                )
            )
    result = Result(rets=rets)
    if not rets:
        result.code, result.severity = 1, "Info"
        result.message = "A query request did not find a matching object in QuickBooks"
    return result
