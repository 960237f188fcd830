"""The QuickBooks Online sandbox console at ``/_sandbox/console``: what a person does in QBO.

Customers and their jobs as a tree, creating a customer or a job under one, renaming, making
inactive; the items, vendors and accounts; job-cost transactions (bills, checks and credit card
purchases, journal entries) coded to a job and an item, which can be edited or deleted.

Every change goes through the same operations layer as the Accounting API (``operations.write``
and ``operations.delete`` inside ``Simulator.apply``): the same validation and faults, SyncToken
and MetaData, the change log CDC reads, and webhook notifications. Refusals show QuickBooks'
own fault code and text. The API answers ``operation=void`` with "unsupported", so the console
offers no void either.
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from procore_qb.sandbox.console import CONSOLE_PATH, ConsoleKit, FormError
from procore_qb.sandbox.console.kit import text
from procore_qb.sandbox.qbo.entities import Context, Record, spec_by_name
from procore_qb.sandbox.qbo.errors import QboFault
from procore_qb.sandbox.qbo.operations import ChangeEvent, delete, read, render, write
from procore_qb.sandbox.qbo.simulator import Simulator

__all__ = ["CONSOLE_PATH", "QboConsole", "console_routes"]

TXN_ENTITIES = ("Bill", "Purchase", "JournalEntry")
KINDS = {
    "bill": "Bill",
    "check": "Check (Purchase)",
    "credit_card": "Credit card charge (Purchase)",
    "journal_entry": "Journal entry",
}


def _fault(fault: QboFault) -> str:
    return f"QuickBooks refused ({fault.code} {fault.message}): {fault.detail}"


def _amount(raw: str, name: str) -> float:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise FormError(f"{name}: {raw!r} is not an amount (use digits, e.g. 1250.00)") from None
    if not value.is_finite():
        raise FormError(f"{name}: {raw!r} is not an amount")
    return float(value)


class QboConsole:
    """The console of one :class:`Simulator` (its default company)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.kit = ConsoleKit("QuickBooks Online sandbox console")

    @property
    def realm_id(self) -> str:
        return self.sim.config.realm_id

    # ---------------------------------------------------------------- the operations layer

    def _spec(self, entity: str) -> Any:
        spec = spec_by_name(entity)
        if spec is None:  # pragma: no cover - the names are ours
            raise FormError(f"unknown entity {entity}")
        return spec

    def write(self, entity: str, body: Record) -> Record:
        spec = self._spec(entity)

        def action(ctx: Context, events: list[ChangeEvent]) -> Record:
            return write(ctx, spec, body, events)

        return self.sim.apply(self.realm_id, action)

    def delete(self, entity: str, body: Record) -> Record:
        spec = self._spec(entity)

        def action(ctx: Context, events: list[ChangeEvent]) -> Record:
            return delete(ctx, spec, body, events)

        return self.sim.apply(self.realm_id, action)

    def read(self, entity: str, entity_id: str) -> Record:
        spec = self._spec(entity)
        return self.sim.apply(self.realm_id, lambda ctx, events: read(ctx, spec, entity_id))

    def all(self, entity: str) -> list[Record]:
        spec = self._spec(entity)

        def action(ctx: Context, events: list[ChangeEvent]) -> list[Record]:
            rows = ctx.realm.table(entity).values()
            return [render(ctx, spec, copy.deepcopy(r)) for r in rows]

        return self.sim.apply(self.realm_id, action)

    # ---------------------------------------------------------------- data for the pages

    def customers(self) -> list[Record]:
        rows = self.all("Customer")
        return sorted(rows, key=lambda r: str(r.get("FullyQualifiedName", "")).lower())

    def names(self, entity: str) -> list[Record]:
        return sorted(self.all(entity), key=lambda r: str(r.get("DisplayName", "")).lower())

    def items(self) -> list[Record]:
        return sorted(self.all("Item"), key=lambda r: str(r.get("Name", "")).lower())

    def accounts(self) -> list[Record]:
        return sorted(self.all("Account"), key=lambda r: str(r.get("Name", "")).lower())

    def transactions(self) -> list[dict[str, Any]]:
        rows = []
        for entity in TXN_ENTITIES:
            for record in self.all(entity):
                rows.append({"entity": entity, "record": record, "lines": _lines(record)})
        return sorted(rows, key=lambda r: (r["record"].get("TxnDate", ""), r["entity"]))

    def common(self) -> dict[str, Any]:
        customers = self.customers()
        return {
            "realm_id": self.realm_id,
            "customers": customers,
            "active_customers": [c for c in customers if c.get("Active", True)],
            "vendors": self.names("Vendor"),
            "items": self.items(),
            "accounts": self.accounts(),
            "kinds": KINDS,
        }

    # ---------------------------------------------------------------- pages

    def overview(self, request: Request, *, error: str | None = None, form: Any = None) -> Response:
        return self.kit.page(
            request,
            "qbo.html",
            status=200 if error is None else 422,
            error=error,
            form=form or {},
            transactions=self.transactions(),
            **self.common(),
        )

    def customer_page(
        self, request: Request, cid: str, *, error: str | None = None, form: Any = None
    ) -> Response:
        try:
            customer = self.read("Customer", cid)
        except QboFault as fault:
            return self.kit.refused(_fault(fault), status=404)
        return self.kit.page(
            request,
            "qbo_customer.html",
            status=200 if error is None else 422,
            error=error,
            form=form or {},
            customer=customer,
            jobs=[
                c
                for c in self.customers()
                if (c.get("ParentRef") or {}).get("value") == customer["Id"]
            ],
            **self.common(),
        )

    def txn_page(
        self, request: Request, entity: str, tid: str, *, error: str | None = None
    ) -> Response:
        try:
            record = self.read(entity, tid)
        except QboFault as fault:
            return self.kit.refused(_fault(fault), status=404)
        return self.kit.page(
            request,
            "qbo_txn.html",
            status=200 if error is None else 422,
            error=error,
            entity=entity,
            record=record,
            lines=_lines(record),
            **self.common(),
        )

    # ---------------------------------------------------------------- actions

    async def _values(self, request: Request) -> dict[str, Any] | Response:
        try:
            return await self.kit.form(request)
        except FormError as exc:
            return self.kit.refused(str(exc))

    async def create_customer(self, request: Request) -> Response:
        values = await self._values(request)
        if isinstance(values, Response):
            return values
        try:
            name = text(values, "name", limit=1000)
            parent = text(values, "parent_id", limit=40)
            body: Record = {"DisplayName": name}
            if parent:
                body.update(Job=True, BillWithParent=True, ParentRef={"value": parent})
                company = text(values, "company_name", limit=1000)
                if company:
                    body["CompanyName"] = company
            else:
                body["CompanyName"] = name
            made = self.write("Customer", body)
        except FormError as exc:
            return self._back(request, values, str(exc))
        except QboFault as fault:
            return self._back(request, values, _fault(fault))
        what = "job" if parent else "customer"
        return self.kit.done(
            f"/customers/{made['Id']}", f"Created {what} {made['FullyQualifiedName']!r}."
        )

    def _back(self, request: Request, values: dict[str, Any], error: str) -> Response:
        """Show a refusal on the page the form came from."""
        back = text(values, "back", limit=40)
        if back:
            return self.customer_page(request, back, error=error, form=values)
        return self.overview(request, error=error, form=values)

    async def update_customer(self, request: Request) -> Response:
        cid = str(request.path_params["id"])
        values = await self._values(request)
        if isinstance(values, Response):
            return values
        try:
            current = self.read("Customer", cid)
            body: Record = {"Id": cid, "SyncToken": current["SyncToken"], "sparse": True}
            if "name" in values:
                body["DisplayName"] = text(values, "name", limit=1000)
            if "active" in values:
                body["Active"] = text(values, "active", limit=5) == "true"
            made = self.write("Customer", body)
        except FormError as exc:
            return self.customer_page(request, cid, error=str(exc), form=values)
        except QboFault as fault:
            return self.customer_page(request, cid, error=_fault(fault), form=values)
        state = "active" if made.get("Active", True) else "inactive"
        return self.kit.done(
            f"/customers/{cid}", f"Saved {made['FullyQualifiedName']!r} ({state})."
        )

    async def create_txn(self, request: Request) -> Response:
        values = await self._values(request)
        if isinstance(values, Response):
            return values
        try:
            entity, body = self._txn_body(values)
            made = self.write(entity, body)
        except FormError as exc:
            return self.overview(request, error=str(exc), form=values)
        except QboFault as fault:
            return self.overview(request, error=_fault(fault), form=values)
        return self.kit.done(
            f"/transactions/{entity}/{made['Id']}", f"Created {entity} {made['Id']}."
        )

    def _txn_body(self, values: dict[str, Any]) -> tuple[str, Record]:
        kind = text(values, "kind", limit=20)
        if kind not in KINDS:
            raise FormError(f"kind: choose one of {', '.join(KINDS.values())}")
        job = {"value": text(values, "job_id", limit=40)}
        amount = _amount(text(values, "amount", limit=40), "Amount")
        memo = text(values, "memo", limit=4000)
        header: Record = {}
        for field, name in (("TxnDate", "txn_date"), ("DocNumber", "doc_number")):
            value = text(values, name, limit=100)
            if value:
                header[field] = value
        vendor = text(values, "vendor_id", limit=40)
        if kind == "journal_entry":
            account = {"value": text(values, "account_id", limit=40)}
            lines = [
                {
                    "Amount": amount,
                    "Description": memo or None,
                    "DetailType": "JournalEntryLineDetail",
                    "JournalEntryLineDetail": {
                        "PostingType": posting,
                        "AccountRef": account,
                        **({"Entity": {"Type": "Customer", "EntityRef": job}} if debit else {}),
                    },
                }
                for posting, debit in (("Debit", True), ("Credit", False))
            ]
            return "JournalEntry", {**header, "Line": [_no_none(x) for x in lines]}
        line = _no_none(
            {
                "Amount": amount,
                "Description": memo or None,
                "DetailType": "ItemBasedExpenseLineDetail",
                "ItemBasedExpenseLineDetail": {
                    "ItemRef": {"value": text(values, "item_id", limit=40)},
                    "CustomerRef": job,
                    "BillableStatus": "NotBillable",
                },
            }
        )
        if kind == "bill":
            return "Bill", {**header, "VendorRef": {"value": vendor}, "Line": [line]}
        check = kind == "check"
        paid_from = self._account("Bank" if check else "Credit Card")
        return "Purchase", {
            **header,
            "PaymentType": "Check" if check else "CreditCard",
            "AccountRef": {"value": paid_from},
            "EntityRef": {"value": vendor},
            "Line": [line],
        }

    def _account(self, account_type: str) -> str:
        for account in self.accounts():
            if account.get("AccountType") == account_type and account.get("Active", True):
                return str(account["Id"])
        raise FormError(f"the company has no active {account_type} account to pay from")

    async def update_txn(self, request: Request) -> Response:
        try:
            entity, tid = _txn_path(request)
        except FormError as exc:
            return self.kit.refused(str(exc), status=404)
        values = await self._values(request)
        if isinstance(values, Response):
            return values
        try:
            current = self.read(entity, tid)
            lines = copy.deepcopy(current.get("Line") or [])
            for index, line in enumerate(lines):
                prefix = f"line-{index}-"
                if f"{prefix}amount" in values:
                    line["Amount"] = _amount(text(values, f"{prefix}amount", limit=40), "Amount")
                if f"{prefix}memo" in values:
                    memo = text(values, f"{prefix}memo")
                    if memo:
                        line["Description"] = memo
                    else:
                        line.pop("Description", None)
                job = text(values, f"{prefix}job_id", limit=40)
                detail = line.get(line.get("DetailType", ""))
                if job and isinstance(detail, dict):
                    if "Entity" in detail or (
                        line.get("DetailType") == "JournalEntryLineDetail"
                        and detail.get("PostingType") == "Debit"
                    ):
                        detail["Entity"] = {"Type": "Customer", "EntityRef": {"value": job}}
                    elif line.get("DetailType") != "JournalEntryLineDetail":
                        detail["CustomerRef"] = {"value": job}
            body: Record = {
                "Id": tid,
                "SyncToken": current["SyncToken"],
                "sparse": True,
                "Line": lines,
            }
            for field, name in (("TxnDate", "txn_date"), ("DocNumber", "doc_number")):
                if name in values:
                    body[field] = text(values, name, limit=100) or None
            self.write(entity, body)
        except FormError as exc:
            return self.txn_page(request, entity, tid, error=str(exc))
        except QboFault as fault:
            return self.txn_page(request, entity, tid, error=_fault(fault))
        return self.kit.done(f"/transactions/{entity}/{tid}", f"Saved {entity} {tid}.")

    async def delete_txn(self, request: Request) -> Response:
        try:
            entity, tid = _txn_path(request)
        except FormError as exc:
            return self.kit.refused(str(exc), status=404)
        values = await self._values(request)
        if isinstance(values, Response):
            return values
        try:
            current = self.read(entity, tid)
            self.delete(entity, {"Id": tid, "SyncToken": current["SyncToken"]})
        except QboFault as fault:
            return self.txn_page(request, entity, tid, error=_fault(fault))
        return self.kit.done("", f"Deleted {entity} {tid}.")

    # ---------------------------------------------------------------- routes

    def routes(self) -> list[Route]:
        async def overview(request: Request) -> Response:
            return self.overview(request)

        async def customer(request: Request) -> Response:
            return self.customer_page(request, str(request.path_params["id"]))

        async def txn(request: Request) -> Response:
            try:
                entity, tid = _txn_path(request)
            except FormError as exc:
                return self.kit.refused(str(exc), status=404)
            return self.txn_page(request, entity, tid)

        base = CONSOLE_PATH
        txn_path = f"{base}/transactions/{{entity}}/{{id}}"
        return [
            Route(base, overview, methods=["GET"]),
            Route(f"{base}/customers", self.create_customer, methods=["POST"]),
            Route(f"{base}/customers/{{id}}", customer, methods=["GET"]),
            Route(f"{base}/customers/{{id}}", self.update_customer, methods=["POST"]),
            Route(f"{base}/transactions", self.create_txn, methods=["POST"]),
            Route(txn_path, txn, methods=["GET"]),
            Route(txn_path, self.update_txn, methods=["POST"]),
            Route(f"{txn_path}/delete", self.delete_txn, methods=["POST"]),
        ]


def _txn_path(request: Request) -> tuple[str, str]:
    """The transaction of the path; only the job-cost entities have pages (FormError else)."""
    entity = str(request.path_params["entity"])
    if entity not in TXN_ENTITIES:
        raise FormError(f"{entity!r} is not one of {', '.join(TXN_ENTITIES)}")
    return entity, str(request.path_params["id"])


def _no_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _no_none(v) for k, v in value.items() if v is not None}
    return value


def _lines(record: Record) -> list[dict[str, Any]]:
    """Each line as (job, item or account, posting, amount, memo) for the tables."""
    out = []
    for line in record.get("Line") or []:
        detail = line.get(line.get("DetailType", "")) or {}
        job = detail.get("CustomerRef") or (detail.get("Entity") or {}).get("EntityRef") or {}
        what = detail.get("ItemRef") or detail.get("AccountRef") or {}
        out.append(
            {
                "job_id": job.get("value", ""),
                "job": job.get("name", ""),
                "what": what.get("name", what.get("value", "")),
                "is_item": "ItemRef" in detail,
                "posting": detail.get("PostingType", ""),
                "amount": line.get("Amount", 0),
                "memo": line.get("Description", ""),
            }
        )
    return out


def console_routes(sim: Simulator) -> list[Route]:
    """The console's routes, to mount in the simulator's app."""
    return QboConsole(sim).routes()
