"""The QuickBooks Desktop sandbox console at ``/_sandbox/console``: the company file in a browser.

The Customer:Job list, a new customer or job, renaming and making inactive; items, vendors and
accounts; bills, checks, credit card charges and journal entries coded to jobs (created and
deleted). Every read and every change is a qbXML request message run by the simulator's own
request processor, so the company file's rules apply exactly as to a Web Connector request and
refusals carry QuickBooks' status code and message.

The Web Connector panel shows the last run of the simulated Web Connector (its calls, each
request and response as pretty-printed qbXML) and runs one session now against the application
URL the simulator was started with (:class:`WebConnectorTarget`), or through the poller the
demo runs on a schedule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import httpx2
from lxml import etree
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from procore_qb.sandbox.console import CONSOLE_PATH, ConsoleKit, FormError
from procore_qb.sandbox.console.kit import text
from procore_qb.sandbox.qbd.errors import QbxmlParseError
from procore_qb.sandbox.qbd.nodes import Node, parse_tree
from procore_qb.sandbox.qbd.poller import WebConnectorPoller
from procore_qb.sandbox.qbd.seeding import request_message
from procore_qb.sandbox.qbd.webconnector import Transcript

if TYPE_CHECKING:
    from procore_qb.sandbox.qbd.app import QbdSimulator

__all__ = ["CONSOLE_PATH", "QbdConsole", "QbdRefusal", "WebConnectorTarget", "console_routes"]

TXN_KINDS = {
    "Bill": "Bill",
    "Check": "Check",
    "CreditCardCharge": "Credit card charge",
    "JournalEntry": "Journal entry",
}
PAID_FROM = {"Check": "Bank", "CreditCardCharge": "CreditCard"}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters an XML 1.0 document cannot carry, so no qbXML request can hold them."""
SHOWN_XML_MAX = 200_000
"""Characters of one request or response shown in the Web Connector panel."""


@dataclass(frozen=True, slots=True)
class WebConnectorTarget:
    """Where "Run Web Connector now" connects: the application's SOAP URL and its login."""

    url: str
    username: str
    password: str = field(repr=False)
    timeout_seconds: float = 60.0


class QbdRefusal(Exception):
    """A request QuickBooks answered with an error status (code and message as sent)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"QuickBooks refused (status {code}): {message}")


def _ref(tag: str, list_id: str) -> Node:
    return Node(tag, children=[Node("ListID", list_id)])


def _child_text(element: etree._Element, path: str) -> str:
    found = element.find(path)
    return "" if found is None or found.text is None else str(found.text)


def pretty(xml: str) -> str:
    """qbXML indented for reading; the text as it came when it is not XML."""
    shown = xml[:SHOWN_XML_MAX]
    try:
        root = parse_tree(xml)
    except QbxmlParseError:
        return shown
    for element in root.iter():
        if element.text is not None and not element.text.strip() and len(element):
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    body = etree.tostring(root.getroottree(), pretty_print=True, encoding="unicode")
    return body[:SHOWN_XML_MAX]


class QbdConsole:
    """The console of one :class:`QbdSimulator`."""

    def __init__(
        self,
        simulator: QbdSimulator,
        web_connector: WebConnectorTarget | WebConnectorPoller | None = None,
    ) -> None:
        self.simulator = simulator
        self.kit = ConsoleKit("QuickBooks Desktop sandbox console")
        self.target = web_connector if isinstance(web_connector, WebConnectorTarget) else None
        if isinstance(web_connector, WebConnectorTarget):
            target = web_connector

            def client() -> httpx2.Client:
                # Straight to the application, never through proxies from the environment.
                return httpx2.Client(timeout=target.timeout_seconds, trust_env=False)

            self.poller: WebConnectorPoller | None = WebConnectorPoller(
                client, target.url, target.username, target.password, simulator.processor
            )
        else:
            self.poller = web_connector

    # ---------------------------------------------------------------- qbXML through the processor

    def run(self, request: Node) -> etree._Element:
        """One request through the request processor; its ``*Rs``, or :class:`QbdRefusal`."""
        answer = self.simulator.processor.process(request_message([request]))
        root = parse_tree(answer)
        rs = root.find(f"QBXMLMsgsRs/{request.tag[:-2]}Rs")
        if rs is None:
            raise QbdRefusal("-", f"no {request.tag[:-2]}Rs in the answer")
        if rs.get("statusSeverity") == "Error":
            raise QbdRefusal(rs.get("statusCode", "?"), rs.get("statusMessage", ""))
        return rs

    def query(self, tag: str, *children: Node) -> list[etree._Element]:
        rs = self.run(Node(f"{tag}QueryRq", children=list(children)))
        return [child for child in rs if str(child.tag).endswith("Ret")]

    # ---------------------------------------------------------------- data for the pages

    def customers(self) -> list[dict[str, Any]]:
        rows = []
        for ret in self.query("Customer", Node("ActiveStatus", "All")):
            rows.append(
                {
                    "list_id": _child_text(ret, "ListID"),
                    "edit_sequence": _child_text(ret, "EditSequence"),
                    "name": _child_text(ret, "Name"),
                    "full_name": _child_text(ret, "FullName"),
                    "active": _child_text(ret, "IsActive") == "true",
                    "parent": _child_text(ret, "ParentRef/FullName"),
                    "sublevel": int(_child_text(ret, "Sublevel") or "0"),
                    "job_status": _child_text(ret, "JobStatus"),
                    "number": _child_text(ret, "AccountNumber"),
                    "modified": _child_text(ret, "TimeModified"),
                }
            )
        return sorted(rows, key=lambda r: r["full_name"].lower())

    def items(self) -> list[dict[str, Any]]:
        rows = []
        for ret in self.query("Item", Node("ActiveStatus", "All")):
            rows.append(
                {
                    "list_id": _child_text(ret, "ListID"),
                    "name": _child_text(ret, "FullName"),
                    "type": str(ret.tag).removeprefix("Item").removesuffix("Ret"),
                    "active": _child_text(ret, "IsActive") == "true",
                    "description": _child_text(ret, "SalesAndPurchase/PurchaseDesc")
                    or _child_text(ret, "SalesOrPurchase/Desc"),
                    "expense_account": _child_text(
                        ret, "SalesAndPurchase/ExpenseAccountRef/FullName"
                    )
                    or _child_text(ret, "SalesOrPurchase/AccountRef/FullName"),
                }
            )
        return sorted(rows, key=lambda r: r["name"].lower())

    def vendors(self) -> list[dict[str, Any]]:
        rows = [
            {
                "list_id": _child_text(ret, "ListID"),
                "name": _child_text(ret, "Name"),
                "active": _child_text(ret, "IsActive") == "true",
                "city": _child_text(ret, "VendorAddress/City"),
            }
            for ret in self.query("Vendor", Node("ActiveStatus", "All"))
        ]
        return sorted(rows, key=lambda r: r["name"].lower())

    def accounts(self) -> list[dict[str, Any]]:
        return [
            {
                "list_id": _child_text(ret, "ListID"),
                "name": _child_text(ret, "FullName"),
                "type": _child_text(ret, "AccountType"),
                "active": _child_text(ret, "IsActive") != "false",
            }
            for ret in self.query("Account")
        ]

    def transactions(self) -> list[dict[str, Any]]:
        rows = []
        for kind in TXN_KINDS:
            for ret in self.query(kind, Node("IncludeLineItems", "true")):
                lines = []
                for line in ret:
                    tag = str(line.tag)
                    if tag not in (
                        "ItemLineRet",
                        "ExpenseLineRet",
                        "JournalDebitLine",
                        "JournalCreditLine",
                    ):
                        continue
                    lines.append(
                        {
                            "job": _child_text(line, "CustomerRef/FullName")
                            or _child_text(line, "EntityRef/FullName"),
                            "what": _child_text(line, "ItemRef/FullName")
                            or _child_text(line, "AccountRef/FullName"),
                            "posting": {
                                "JournalDebitLine": "Debit",
                                "JournalCreditLine": "Credit",
                            }.get(tag, ""),
                            "amount": _child_text(line, "Amount"),
                            "memo": _child_text(line, "Desc") or _child_text(line, "Memo"),
                        }
                    )
                rows.append(
                    {
                        "kind": kind,
                        "txn_id": _child_text(ret, "TxnID"),
                        "date": _child_text(ret, "TxnDate"),
                        "ref": _child_text(ret, "RefNumber"),
                        "payee": _child_text(ret, "VendorRef/FullName")
                        or _child_text(ret, "PayeeEntityRef/FullName"),
                        "lines": lines
                        or [{"job": "", "what": "", "posting": "", "amount": "", "memo": ""}],
                    }
                )
        return sorted(rows, key=lambda r: (r["date"], r["kind"], r["txn_id"]))

    def web_connector(self) -> dict[str, Any]:
        poller = self.poller
        last: Transcript | None = None if poller is None else poller.last_transcript
        return {
            "configured": poller is not None,
            "url": None if self.target is None else self.target.url,
            "username": None if self.target is None else self.target.username,
            "runs": 0 if poller is None else poller.runs,
            "last": None
            if last is None
            else {
                "lines": last.lines(),
                "ended": last.ended,
                "exchanges": [
                    {"request": pretty(request), "response": pretty(response)}
                    for request, response in last.exchanges
                ],
            },
        }

    # ---------------------------------------------------------------- pages

    def overview(self, request: Request, *, error: str | None = None, form: Any = None) -> Response:
        customers = self.customers()
        return self.kit.page(
            request,
            "qbd.html",
            status=200 if error is None else 422,
            error=error,
            form=form or {},
            customers=customers,
            active_customers=[c for c in customers if c["active"]],
            items=self.items(),
            vendors=self.vendors(),
            accounts=self.accounts(),
            transactions=self.transactions(),
            kinds=TXN_KINDS,
            wc=self.web_connector(),
            company=self.simulator.company.get_meta("company_name") or "",
        )

    # ---------------------------------------------------------------- actions

    async def _values(self, request: Request) -> dict[str, Any] | Response:
        try:
            values = await self.kit.form(request)
        except FormError as exc:
            return self.kit.refused(str(exc))
        for name, value in values.items():
            for one in value if isinstance(value, list) else [value]:
                bad = _NOT_XML.search(one)
                if bad is not None:
                    return self.overview(
                        request,
                        error=(
                            f"{name}: the character {bad.group()!r} cannot be sent to QuickBooks "
                            "in a qbXML request; remove it."
                        ),
                        form={},
                    )
        return values

    def _customer(self, list_id: str) -> dict[str, Any]:
        for customer in self.customers():
            if customer["list_id"] == list_id:
                return customer
        raise FormError(f"there is no customer or job with ListID {list_id!r}")

    async def create_customer(self, request: Request) -> Response:
        values = await self._values(request)
        if isinstance(values, Response):
            return values
        try:
            children = [Node("Name", text(values, "name", limit=1000))]
            parent = text(values, "parent_id", limit=40)
            if parent:
                children.append(_ref("ParentRef", parent))
            rs = self.run(Node("CustomerAddRq", children=[Node("CustomerAdd", children=children)]))
        except (FormError, QbdRefusal) as exc:
            return self.overview(request, error=str(exc), form=values)
        made = _child_text(rs, "CustomerRet/FullName")
        return self.kit.done("", f"Added {'job' if parent else 'customer'} {made!r}.")

    async def update_customer(self, request: Request) -> Response:
        values = await self._values(request)
        if isinstance(values, Response):
            return values
        list_id = ""
        try:
            list_id = text(values, "list_id", limit=40)
            current = self._customer(list_id)
            children = [Node("ListID", list_id), Node("EditSequence", current["edit_sequence"])]
            if "name" in values:
                children.append(Node("Name", text(values, "name", limit=1000)))
            if "active" in values:
                active = text(values, "active", limit=5) == "true"
                children.append(Node("IsActive", "true" if active else "false"))
            rs = self.run(Node("CustomerModRq", children=[Node("CustomerMod", children=children)]))
        except (FormError, QbdRefusal) as exc:
            return self.overview(request, error=str(exc), form={**values, "edit": list_id})
        state = "active" if _child_text(rs, "CustomerRet/IsActive") == "true" else "inactive"
        return self.kit.done("", f"Saved {_child_text(rs, 'CustomerRet/FullName')!r} ({state}).")

    def _paid_from(self, kind: str) -> str:
        for account in self.accounts():
            if account["type"] == PAID_FROM[kind] and account["active"]:
                return str(account["list_id"])
        raise FormError(f"the company file has no active {PAID_FROM[kind]} account to pay from")

    def _txn_request(self, values: dict[str, Any]) -> Node:
        kind = text(values, "kind", limit=30)
        if kind not in TXN_KINDS:
            raise FormError(f"type: choose one of {', '.join(TXN_KINDS.values())}")
        job = text(values, "job_id", limit=40)
        amount = text(values, "amount", limit=40)
        memo = text(values, "memo", limit=4000)
        date = text(values, "txn_date", limit=40)
        number = text(values, "ref_number", limit=100)
        vendor = text(values, "vendor_id", limit=40)
        dated = [Node("TxnDate", date)] if date else []
        numbered = [Node("RefNumber", number)] if number else []
        if kind == "JournalEntry":
            account = _ref("AccountRef", text(values, "account_id", limit=40))
            memo_node = [Node("Memo", memo)] if memo else []
            debit = Node(
                "JournalDebitLine",
                children=[account, Node("Amount", amount), *memo_node, _ref("EntityRef", job)],
            )
            credit = Node(
                "JournalCreditLine",
                children=[
                    _ref("AccountRef", text(values, "account_id", limit=40)),
                    Node("Amount", amount),
                    *memo_node,
                ],
            )
            children = [*dated, *numbered, debit, credit]
        else:
            line = Node(
                "ItemLineAdd",
                children=[
                    _ref("ItemRef", text(values, "item_id", limit=40)),
                    *([Node("Desc", memo)] if memo else []),
                    Node("Amount", amount),
                    _ref("CustomerRef", job),
                ],
            )
            if kind == "Bill":
                children = [_ref("VendorRef", vendor), *dated, *numbered, line]
            elif kind == "Check":
                # CheckAdd puts RefNumber before TxnDate (qbXML 13.0 CheckAdd sequence).
                children = [
                    _ref("AccountRef", self._paid_from(kind)),
                    _ref("PayeeEntityRef", vendor),
                    *numbered,
                    *dated,
                    line,
                ]
            else:
                children = [
                    _ref("AccountRef", self._paid_from(kind)),
                    _ref("PayeeEntityRef", vendor),
                    *dated,
                    *numbered,
                    line,
                ]
        return Node(f"{kind}AddRq", children=[Node(f"{kind}Add", children=children)])

    async def create_txn(self, request: Request) -> Response:
        values = await self._values(request)
        if isinstance(values, Response):
            return values
        try:
            node = self._txn_request(values)
            rs = self.run(node)
        except (FormError, QbdRefusal) as exc:
            return self.overview(request, error=str(exc), form=values)
        kind = node.tag.removesuffix("AddRq")
        ret = rs.find(f"{kind}Ret")
        txn_id = "" if ret is None else _child_text(ret, "TxnID")
        return self.kit.done("", f"Added {TXN_KINDS[kind].lower()} {txn_id}.")

    async def delete_txn(self, request: Request) -> Response:
        values = await self._values(request)
        if isinstance(values, Response):
            return values
        try:
            kind = text(values, "kind", limit=30)
            if kind not in TXN_KINDS:
                raise FormError(f"type: choose one of {', '.join(TXN_KINDS)}")
            txn_id = text(values, "txn_id", limit=40)
            self.run(
                Node(
                    "TxnDelRq",
                    children=[Node("TxnDelType", kind), Node("TxnID", txn_id)],
                )
            )
        except (FormError, QbdRefusal) as exc:
            return self.overview(request, error=str(exc))
        return self.kit.done("", f"Deleted {TXN_KINDS[kind].lower()} {txn_id}.")

    async def run_web_connector(self, request: Request) -> Response:
        values = await self._values(request)
        if isinstance(values, Response):
            return values
        poller = self.poller
        if poller is None:
            return self.overview(
                request,
                error=(
                    "No application is configured for the Web Connector: start the simulator "
                    "with the application's Web Connector URL and login "
                    "(procore-qb sandbox qbd --app-url URL --app-username U --app-password P)."
                ),
            )
        # In a worker thread: the application may be served by this very process.
        transcript = await anyio.to_thread.run_sync(poller.run_once)
        return self.kit.done(
            "", f"Web Connector run finished: {transcript.ended}.", anchor="web-connector"
        )

    # ---------------------------------------------------------------- routes

    def routes(self) -> list[Route]:
        async def overview(request: Request) -> Response:
            return self.overview(request)

        base = CONSOLE_PATH
        return [
            Route(base, overview, methods=["GET"]),
            Route(f"{base}/customers", self.create_customer, methods=["POST"]),
            Route(f"{base}/customers/edit", self.update_customer, methods=["POST"]),
            Route(f"{base}/transactions", self.create_txn, methods=["POST"]),
            Route(f"{base}/transactions/delete", self.delete_txn, methods=["POST"]),
            Route(f"{base}/webconnector/run", self.run_web_connector, methods=["POST"]),
        ]


def console_routes(
    simulator: QbdSimulator, web_connector: WebConnectorTarget | WebConnectorPoller | None
) -> list[Route]:
    """The console's routes, to mount in the simulator's app."""
    return QbdConsole(simulator, web_connector).routes()
