"""QuickBooks' request processor: one qbXML request message in, one response message out.

``RequestProcessor.process`` behaves like ``ProcessRequest`` of the QuickBooks SDK:

- text that is not well-formed qbXML, or that breaks the qbXML 13.0 schema, is refused as a
  whole with HRESULT 0x80040400 (:class:`QbxmlParseError`), nothing is run (spec B.8, §E.6);
- otherwise every ``*Rq`` gets a ``*Rs`` with ``statusCode``/``statusSeverity``/``statusMessage``
  and its ``requestID`` echoed (spec B.1); with ``onError="stopOnError"`` the requests after the
  first error are not run and get no response, with ``continueOnError`` they all run;
- ``newMessageSetID`` saves the response for error recovery; ``oldMessageSetID`` replays or
  forgets it (Intuit samples ErrRecovery1-3).
"""

from __future__ import annotations

from collections.abc import Callable

from procore_qb.sandbox.qbd.common import Result
from procore_qb.sandbox.qbd.company import ITEM_KINDS, CompanyFile
from procore_qb.sandbox.qbd.errors import QbxmlParseError, StatusError
from procore_qb.sandbox.qbd.lists import (
    add_account_from,
    add_customer,
    add_item,
    add_small,
    add_terms,
    add_vendor,
    list_del,
    list_deleted_query,
    list_query,
    mod_customer,
    mod_list,
    render_list,
)
from procore_qb.sandbox.qbd.nodes import Node, parse_xml, to_text
from procore_qb.sandbox.qbd.schema import (
    REQUEST_TYPES,
    SEQUENCES,
    SMALL_LISTS,
    check_children,
    check_value,
)
from procore_qb.sandbox.qbd.txns import (
    TXN_KINDS,
    add_txn,
    mod_txn,
    render_txn,
    txn_del,
    txn_query,
    txn_void,
)

__all__ = ["MAX_REQUESTS_PER_MESSAGE", "PRODUCT_NAME", "SUPPORTED_VERSIONS", "RequestProcessor"]

MAX_REQUESTS_PER_MESSAGE = 10_000
PRODUCT_NAME = "QuickBooks Premier Contractor Edition 2014"
# QuickBooks 2014 speaks qbXML 13.0 and every older US version (spec B.9).
SUPPORTED_VERSIONS = (
    "1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0", "8.0", "9.0",
    "10.0", "11.0", "12.0", "13.0",
)  # fmt: skip

# Children of requests and payloads checked against their own sequence.
_AGGREGATE_KINDS = {
    "BillAddress": "Address",
    "ShipAddress": "Address",
    "VendorAddress": "Address",
    "OtherNameAddress": "Address",
    "Address": "Address",
    "NameFilter": "NameFilter",
    "ModifiedDateRangeFilter": "ModifiedDateRangeFilter",
    "TxnDateRangeFilter": "TxnDateRangeFilter",
    "EntityFilter": "EntityFilter",
    "AccountFilter": "EntityFilter",
    "DeletedDateRangeFilter": "DeletedDateRangeFilter",
    "SalesOrPurchase": "SalesOrPurchase",
    "SalesAndPurchase": "SalesAndPurchase",
    "SalesOrPurchaseMod": "SalesOrPurchaseMod",
    "SalesAndPurchaseMod": "SalesAndPurchaseMod",
    "ExpenseLineAdd": "ExpenseLineAdd",
    "ItemLineAdd": "ItemLineAdd",
    "JournalDebitLine": "JournalLine",
    "JournalCreditLine": "JournalLine",
    "ExpenseLineMod": "ExpenseLineMod",
    "ItemLineMod": "ItemLineMod",
    "JournalLineMod": "JournalLineMod",
}
# Query requests that take iterator attributes (spec B.6: not AccountQuery, TermsQuery,
# ListDeletedQuery, TxnDeletedQuery, HostQuery, CompanyQuery).
_ITERATOR_QUERIES = frozenset(
    {
        "CustomerQueryRq",
        "VendorQueryRq",
        "ItemQueryRq",
        "ItemServiceQueryRq",
        "ItemOtherChargeQueryRq",
        "ItemNonInventoryQueryRq",
        *(f"{kind}QueryRq" for kind in TXN_KINDS),
    }
)
_ADD_MOD = {
    "CustomerAddRq": "CustomerAdd",
    "CustomerModRq": "CustomerMod",
    "VendorModRq": "VendorMod",
    "ItemServiceModRq": "ItemServiceMod",
    "ItemOtherChargeModRq": "ItemOtherChargeMod",
    "ItemNonInventoryModRq": "ItemNonInventoryMod",
    "VendorAddRq": "VendorAdd",
    "OtherNameAddRq": "OtherNameAdd",
    "ItemServiceAddRq": "ItemServiceAdd",
    "ItemOtherChargeAddRq": "ItemOtherChargeAdd",
    "ItemNonInventoryAddRq": "ItemNonInventoryAdd",
    "StandardTermsAddRq": "StandardTermsAdd",
    "AccountAddRq": "AccountAdd",
    **{f"{kind}AddRq": f"{kind}Add" for kind in TXN_KINDS},
    **{f"{kind}ModRq": f"{kind}Mod" for kind in TXN_KINDS},
    **{f"{kind}AddRq": f"{kind}Add" for kind in SMALL_LISTS},
}

Handler = Callable[[CompanyFile, Node], Result]


def _list_query(kinds: tuple[str, ...]) -> Handler:
    return lambda company, request: list_query(company, request, kinds)


def _txn_query(kind: str) -> Handler:
    return lambda company, request: txn_query(company, request, kind)


def _one(ret: Node) -> Result:
    return Result(rets=[ret])


def _customer_add(company: CompanyFile, request: Node) -> Result:
    return _one(render_list(company, add_customer(company, _payload(request))))


def _customer_mod(company: CompanyFile, request: Node) -> Result:
    return _one(render_list(company, mod_customer(company, _payload(request))))


def _list_mod(kind: str) -> Handler:
    return lambda company, request: _one(
        render_list(company, mod_list(company, kind, _payload(request)))
    )


def _vendor_add(company: CompanyFile, request: Node) -> Result:
    return _one(render_list(company, add_vendor(company, _payload(request))))


def _item_add(kind: str) -> Handler:
    return lambda company, request: _one(
        render_list(company, add_item(company, kind, _payload(request)))
    )


def _txn_mod(kind: str) -> Handler:
    return lambda company, request: _one(
        render_txn(company, mod_txn(company, kind, _payload(request)), include_lines=True)
    )


def _txn_add(kind: str) -> Handler:
    return lambda company, request: _one(
        render_txn(company, add_txn(company, kind, _payload(request)), include_lines=True)
    )


def _small_add(kind: str) -> Handler:
    return lambda company, request: _one(
        render_list(company, add_small(company, kind, _payload(request)))
    )


def _terms_add(company: CompanyFile, request: Node) -> Result:
    return _one(render_list(company, add_terms(company, _payload(request))))


def _payload(request: Node) -> Node:
    return request.children[0]


def _host(company: CompanyFile, request: Node) -> Result:
    children = [
        Node("ProductName", PRODUCT_NAME),
        Node("MajorVersion", "24"),
        Node("MinorVersion", "0"),
        Node("Country", "US"),
        *(Node("SupportedQBXMLVersion", version) for version in SUPPORTED_VERSIONS),
        Node("IsAutomaticLogin", "false"),
        Node("QBFileMode", "SingleUser"),
    ]
    return _one(Node("HostRet", children=children))


def _company(company: CompanyFile, request: Node) -> Result:
    name = company.get_meta("company_name") or "My Company"
    children = [
        Node("IsSampleCompany", "false"),
        Node("CompanyName", name),
        Node("LegalCompanyName", name),
        Node("FirstMonthFiscalYear", "January"),
        Node("FirstMonthIncomeTaxYear", "January"),
    ]
    return _one(Node("CompanyRet", children=children))


HANDLERS: dict[str, Handler] = {
    "HostQueryRq": _host,
    "CompanyQueryRq": _company,
    "CustomerAddRq": _customer_add,
    "CustomerModRq": _customer_mod,
    "CustomerQueryRq": _list_query(("Customer",)),
    "VendorAddRq": _vendor_add,
    "VendorQueryRq": _list_query(("Vendor",)),
    "VendorModRq": _list_mod("Vendor"),
    "ItemServiceModRq": _list_mod("ItemService"),
    "ItemOtherChargeModRq": _list_mod("ItemOtherCharge"),
    "ItemNonInventoryModRq": _list_mod("ItemNonInventory"),
    "OtherNameAddRq": lambda company, request: _one(
        render_list(company, add_vendor(company, _payload(request), "OtherName"))
    ),
    "OtherNameQueryRq": _list_query(("OtherName",)),
    "ItemServiceAddRq": _item_add("ItemService"),
    "ItemOtherChargeAddRq": _item_add("ItemOtherCharge"),
    "ItemNonInventoryAddRq": _item_add("ItemNonInventory"),
    "ItemServiceQueryRq": _list_query(("ItemService",)),
    "ItemOtherChargeQueryRq": _list_query(("ItemOtherCharge",)),
    "ItemNonInventoryQueryRq": _list_query(("ItemNonInventory",)),
    "ItemQueryRq": _list_query(ITEM_KINDS),
    "AccountQueryRq": _list_query(("Account",)),
    "AccountAddRq": lambda company, request: _one(
        render_list(company, add_account_from(company, _payload(request)))
    ),
    "TermsQueryRq": _list_query(("StandardTerms",)),
    "StandardTermsQueryRq": _list_query(("StandardTerms",)),
    "StandardTermsAddRq": _terms_add,
    **{f"{kind}AddRq": _small_add(kind) for kind in SMALL_LISTS},
    **{f"{kind}QueryRq": _list_query((kind,)) for kind in SMALL_LISTS},
    "ListDelRq": list_del,
    "TxnDelRq": txn_del,
    "TxnVoidRq": txn_void,
    "ListDeletedQueryRq": lambda company, request: list_deleted_query(company, request, txns=False),
    "TxnDeletedQueryRq": lambda company, request: list_deleted_query(company, request, txns=True),
    **{f"{kind}AddRq": _txn_add(kind) for kind in TXN_KINDS},
    **{f"{kind}ModRq": _txn_mod(kind) for kind in TXN_KINDS},
    **{f"{kind}QueryRq": _txn_query(kind) for kind in TXN_KINDS},
}

# Query responses that carry retCount (every query the simulator runs but Host and Company).
_RET_COUNT = frozenset(
    tag
    for tag in HANDLERS
    if tag.endswith("QueryRq") and tag not in {"HostQueryRq", "CompanyQueryRq"}
)
_NOT_AVAILABLE = "This feature is not enabled or not available in this version of QuickBooks."
_ON_ERROR = frozenset({"stopOnError", "continueOnError", "rollbackOnError"})
_ALLOWED_ATTRS = frozenset({"requestID", "metaData", "iterator", "iteratorID"})
_META_DATA = frozenset({"NoMetaData", "MetaDataOnly", "MetaDataAndResponseData"})


class RequestProcessor:
    """Runs qbXML request messages against one company file."""

    def __init__(self, company: CompanyFile) -> None:
        self.company = company

    # ------------------------------------------------------------------ public
    def end_session(self) -> None:
        """The caller's session with QuickBooks ended: its open iterators end with it.

        Iterators live only as long as the session that started them (spec B.6 [U]: the SDK
        keeps iterator state per session), so the next Web Connector run must start anew.
        """
        self.company.drop_all_iterators()

    def process(self, qbxml_text: str) -> str:
        """Run every request of the message; return the response message.

        Raises :class:`QbxmlParseError` (HRESULT 0x80040400) when the text cannot be used.
        """
        messages = self._read(qbxml_text)
        old_id = messages.attrs.get("oldMessageSetID")
        new_id = messages.attrs.get("newMessageSetID")
        if old_id is not None:
            saved = self.company.get_message_set(old_id)
            if new_id is None:
                # Only oldMessageSetID: forget the saved status (Intuit sample ErrRecovery3).
                self.company.drop_message_set(old_id)
                return _document(Node("QBXMLMsgsRs"))
            if saved is not None and not messages.children:
                # Both IDs and no requests: the saved response of that message set
                # (Intuit sample ErrRecovery2).
                return saved
        responses = self._run(messages)
        rs = Node("QBXMLMsgsRs", children=responses)
        if new_id is not None:
            rs.attrs["newMessageSetID"] = new_id
            rs.attrs["messageSetStatusCode"] = "0"
        text = _document(rs)
        if new_id is not None:
            self.company.save_message_set(new_id, text)
        return text

    # ------------------------------------------------------------------ reading
    def _read(self, text: str) -> Node:
        root, instructions = parse_xml(text)
        versions = [body for target, body in instructions if target == "qbxml"]
        if not versions:
            raise QbxmlParseError('the <?qbxml version="..."?> processing instruction is missing')
        version = versions[-1].replace("version", "").replace("=", "").strip().strip("\"'")
        if version not in SUPPORTED_VERSIONS:
            raise QbxmlParseError(
                f'qbXML version "{version}" is not supported by {PRODUCT_NAME}; '
                f"use one of {', '.join(SUPPORTED_VERSIONS)}"
            )
        if root.tag != "QBXML" or len(root.children) != 1 or root.children[0].tag != "QBXMLMsgsRq":
            raise QbxmlParseError("the document must be <QBXML> holding one <QBXMLMsgsRq>")
        messages = root.children[0]
        on_error = messages.attrs.get("onError")
        if on_error not in _ON_ERROR:
            raise QbxmlParseError('<QBXMLMsgsRq> needs onError="stopOnError" or "continueOnError"')
        if on_error == "rollbackOnError":
            # "rollbackOnError is not valid and will produce an error" (spec B.1 [S]).
            raise QbxmlParseError(
                'onError="rollbackOnError" is not supported by QuickBooks Desktop'
            )
        if len(messages.children) > MAX_REQUESTS_PER_MESSAGE:
            # A resource bound of the simulator, not a documented QuickBooks rule: far above
            # what Web Connector applications send (procore-qb sends at most 100), low enough
            # that one message cannot hold the company file for long.
            raise QbxmlParseError(
                f"the message holds {len(messages.children)} requests; the simulator runs at "
                f"most {MAX_REQUESTS_PER_MESSAGE} per message"
            )
        for request in messages.children:
            self._validate(request)
        return messages

    def _validate(self, request: Node) -> None:
        tag = request.tag
        if not tag.endswith("Rq") or tag[:-2] not in REQUEST_TYPES:
            raise QbxmlParseError(f"<{tag}> is not a qbXML 13.0 request")
        unknown = set(request.attrs) - _ALLOWED_ATTRS
        if unknown:
            raise QbxmlParseError(f"<{tag}> has unknown attributes {sorted(unknown)}")
        if ("iterator" in request.attrs or "iteratorID" in request.attrs) and (
            tag not in _ITERATOR_QUERIES
        ):
            raise QbxmlParseError(f"<{tag}> does not take an iterator")
        iterator = request.attrs.get("iterator")
        if iterator is not None and iterator not in {"Start", "Continue", "Stop"}:
            raise QbxmlParseError(f'iterator="{iterator}" is not Start, Continue or Stop')
        if iterator == "Start" and "iteratorID" in request.attrs:
            raise QbxmlParseError('iterator="Start" must not carry an iteratorID')
        if iterator in {"Continue", "Stop"} and "iteratorID" not in request.attrs:
            raise QbxmlParseError(f'iterator="{iterator}" needs the iteratorID of its Start')
        meta = request.attrs.get("metaData")
        if meta is not None and (meta not in _META_DATA or tag not in _RET_COUNT):
            raise QbxmlParseError(f'<{tag}> does not take metaData="{meta}"')
        if tag in _ADD_MOD:
            payload_tag = _ADD_MOD[tag]
            names = [child.tag for child in request.children]
            if (
                not names
                or names[0] != payload_tag
                or any(n != "IncludeRetElement" for n in names[1:])
            ):
                raise QbxmlParseError(f"<{tag}> must hold one <{payload_tag}>")
            _check_tree(payload_tag, request.children[0])
        elif tag in SEQUENCES:
            _check_tree(tag, request)

    # ------------------------------------------------------------------ running
    def _run(self, messages: Node) -> list[Node]:
        stop = messages.attrs.get("onError") == "stopOnError"
        responses: list[Node] = []
        for request in messages.children:
            response = self._run_one(request)
            responses.append(response)
            if stop and response.attrs.get("statusSeverity") == "Error":
                break  # stopOnError: the remaining requests are not run (spec B.1)
        return responses

    def _run_one(self, request: Node) -> Node:
        rs_tag = request.tag[:-2] + "Rs"
        handler = HANDLERS.get(request.tag)
        try:
            if len(request.attrs.get("requestID", "")) > 50:
                # 1060: a requestID is at most 50 characters (spec B.8).
                raise StatusError(
                    1060, "The requestID is not valid: it is longer than 50 characters."
                )
            if handler is None:
                raise StatusError(3250, _NOT_AVAILABLE)
            with self.company.transaction():
                result = handler(self.company, request)
        except StatusError as exc:
            result = Result(code=exc.code, severity=exc.severity, message=exc.message)
        attrs: dict[str, str] = {}
        if "requestID" in request.attrs:
            attrs["requestID"] = request.attrs["requestID"]
        attrs["statusCode"] = str(result.code)
        attrs["statusSeverity"] = result.severity
        attrs["statusMessage"] = result.message
        rets = result.rets
        includes = request.values("IncludeRetElement")
        if includes:
            wanted = set(includes)
            for ret in rets:
                ret.children = [child for child in ret.children if child.tag in wanted]
        if request.tag in _RET_COUNT:
            attrs["retCount"] = str(len(rets))
            if request.attrs.get("metaData") == "MetaDataOnly":
                rets = []  # only the count (qbXML metaData attribute, spec B.1)
        attrs.update(result.attrs)
        return Node(rs_tag, children=rets, attrs=attrs)


def _check_tree(kind: str, node: Node) -> None:
    check_children(kind, node.tag, [child.tag for child in node.children])
    for child in node.children:
        if not child.children and child.text is not None:
            check_value(child.tag, child.text)
        if child.tag in _AGGREGATE_KINDS:
            _check_tree(_AGGREGATE_KINDS[child.tag], child)
        elif child.tag.endswith("Ref") and child.children:
            _check_tree("Ref", child)


def _document(messages: Node) -> str:
    """The response as QuickBooks writes it: an XML declaration, then <QBXML> with one element
    per line and no indentation, and no <?qbxml?> instruction (QBWC log in
    consolibyte/quickbooks-php#92, spec B.6)."""
    return f'<?xml version="1.0" ?>\n{to_text(Node("QBXML", children=[messages]))}'
