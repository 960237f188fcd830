"""Job costs in the workflow stack: a person changing transactions in QuickBooks (either
edition), the costs computed independently from the QuickBooks simulator's own records, and
what procore-qb wrote to the Procore simulator.

The independent computation reads the simulators' stored transactions directly, not through
procore-qb's gateways: a line counts toward a project cost code when it is coded to the job and
to an item whose name is the cost code's code (or, with an account table, to an account the
table maps); credits (vendor credits, card credits, journal credit lines) count negative; bills
carrying procore-qb's marker do not count.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from workflow_stack import Stack

from procore_qb.domain.job_costs import created_by_procore_qb
from procore_qb.procore.resources.direct_costs import DirectCosts
from procore_qb.sandbox import seed

ELM = "Greenleaf Properties:Elm Court Apartments"
PIER = "Harbor Holdings:Pier 9 Restaurant"
WILLOW = "Greenleaf Properties:Willow Creek Condos"
ELM_PROJECT = 2009  # seed: the Procore project named like the Elm Court job
REALM = seed.QBO_REALM_ID


@dataclass(frozen=True)
class QbLine:
    job: str
    amount: Decimal
    item: str | None
    account: str | None
    txn_ref: str


# ----------------------------------------------------------------------------- reading QuickBooks


def _qbd_lines(stack: Stack) -> list[QbLine]:
    assert stack.qbd is not None
    out: list[QbLine] = []
    for kind in ("Bill", "Check", "CreditCardCharge", "VendorCredit", "JournalEntry"):
        for txn in stack.qbd.company.txns(kind):
            if created_by_procore_qb(txn.body.value("Memo") or ""):
                continue
            for line in txn.body.children:
                if line.tag in ("ItemLineRet", "ExpenseLineRet"):
                    customer = line.find("CustomerRef")
                    sign = -1 if kind == "VendorCredit" else 1
                elif line.tag in ("JournalDebitLine", "JournalCreditLine"):
                    customer = line.find("EntityRef")
                    sign = -1 if line.tag == "JournalCreditLine" else 1
                else:
                    continue
                if customer is None:
                    continue
                item = line.find("ItemRef")
                account = line.find("AccountRef")
                out.append(
                    QbLine(
                        job=customer.value("FullName") or "",
                        amount=sign * Decimal(line.value("Amount") or "0"),
                        item=None if item is None else item.value("FullName"),
                        account=None
                        if account is None or item is not None
                        else account.value("FullName"),
                        txn_ref=txn.ref_number or txn.txn_id,
                    )
                )
    return out


def qbo_realm(stack: Stack) -> Any:
    assert stack.qbo is not None
    return stack.qbo.app.state.simulator.realms[REALM]  # type: ignore[attr-defined]


def _qbo_full_name(customers: dict[str, Any], customer_id: str) -> str:
    record = customers[customer_id]
    parent = (record.get("ParentRef") or {}).get("value")
    name = str(record["DisplayName"])
    return name if parent is None else f"{_qbo_full_name(customers, str(parent))}:{name}"


def _qbo_customer_id(stack: Stack, full_name: str) -> str:
    customers = {r["Id"]: r for r in qbo_realm(stack).table("Customer").values()}
    for customer_id in customers:
        if _qbo_full_name(customers, customer_id) == full_name:
            return str(customer_id)
    raise AssertionError(f"no QuickBooks Online customer {full_name}")


def _qbo_lines(stack: Stack) -> list[QbLine]:
    realm = qbo_realm(stack)
    names = {
        entity: {r["Id"]: r for r in realm.table(entity).values()}
        for entity in ("Item", "Account", "Customer")
    }
    out: list[QbLine] = []
    for entity in ("Bill", "Purchase", "VendorCredit", "JournalEntry"):
        for txn in realm.table(entity).values():
            if created_by_procore_qb(str(txn.get("PrivateNote") or "")):
                continue
            credit = entity == "VendorCredit" or (entity == "Purchase" and txn.get("Credit"))
            for line in txn.get("Line", []):
                detail = line.get(line.get("DetailType")) or {}
                sign = -1 if credit else 1
                if line.get("DetailType") == "JournalEntryLineDetail":
                    entity_ref = detail.get("Entity") or {}
                    if entity_ref.get("Type") not in ("Customer", "Job"):
                        continue
                    customer = (entity_ref.get("EntityRef") or {}).get("value")
                    sign = -1 if detail.get("PostingType") == "Credit" else 1
                else:
                    customer = (detail.get("CustomerRef") or {}).get("value")
                if customer is None:
                    continue
                item = (detail.get("ItemRef") or {}).get("value")
                account = (detail.get("AccountRef") or {}).get("value")
                out.append(
                    QbLine(
                        job=_qbo_full_name(names["Customer"], str(customer)),
                        amount=sign * Decimal(str(line.get("Amount", 0))),
                        item=None if item is None else str(names["Item"][item]["Name"]),
                        account=None
                        if account is None or item is not None
                        else str(names["Account"][account]["Name"]),
                        txn_ref=str(txn.get("DocNumber") or txn["Id"]),
                    )
                )
    return out


def quickbooks_lines(stack: Stack, job: str) -> list[QbLine]:
    lines = _qbd_lines(stack) if stack.qbd is not None else _qbo_lines(stack)
    return [line for line in lines if line.job == job]


def expected_totals(
    stack: Stack, job: str, codes: set[str], accounts: dict[str, str] | None = None
) -> tuple[dict[str, Decimal], list[QbLine]]:
    """Cost per cost code (by code) from QuickBooks' own records, and the lines placed on none."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    unmapped: list[QbLine] = []
    for line in quickbooks_lines(stack, job):
        code = line.item if line.item is not None else (accounts or {}).get(line.account or "")
        if code is not None and code in codes:
            totals[code] += line.amount
        else:
            unmapped.append(line)
    return dict(totals), unmapped


# ----------------------------------------------------------------------------- reading Procore


def project_codes(stack: Stack, project_id: int) -> dict[int, str]:
    world = stack.procore_sim.world
    return {
        c["id"]: c["full_code"]
        for c in world.table("cost_codes").values()
        if c["_project_id"] == project_id
    }


def procore_job_to_date(stack: Stack, project_id: int) -> dict[str, Decimal]:
    """What procore-qb wrote to Procore's ERP job costs, per cost code (non-zero only)."""
    world = stack.procore_sim.world
    codes = project_codes(stack, project_id)
    out: dict[str, Decimal] = {}
    for row in world.table("erp_job_costs").values():
        if row["_project_id"] != project_id:
            continue
        value = Decimal(str(row.get("job_to_date_cost") or 0)).quantize(Decimal("0.01"))
        if value:
            out[codes[row["cost_code_id"]]] = value
    return out


def procore_direct_costs(stack: Stack, project_id: int) -> dict[str, Decimal]:
    """The direct cost lines procore-qb wrote, summed per cost code (non-zero only)."""
    world = stack.procore_sim.world
    codes = project_codes(stack, project_id)
    costs = {
        d["id"] for d in world.table("direct_costs").values() if d["_project_id"] == project_id
    }
    out: dict[str, Decimal] = defaultdict(Decimal)
    for line in world.table("direct_cost_line_items").values():
        if line["direct_cost_id"] in costs:
            out[codes[line["cost_code_id"]]] += Decimal(str(line["amount"]))
    return {k: v.quantize(Decimal("0.01")) for k, v in out.items() if v}


def direct_cost_census(stack: Stack, project_id: int) -> tuple[Counter[str], Counter[str], int]:
    """Direct costs and their lines by ``origin_id`` (a duplicate counts twice), and the lines
    left without their direct cost."""
    world = stack.procore_sim.world
    costs = [d for d in world.table("direct_costs").values() if d["_project_id"] == project_id]
    ids = {d["id"] for d in costs}
    lines = [
        x for x in world.table("direct_cost_line_items").values() if x["_project_id"] == project_id
    ]
    return (
        Counter(str(d.get("origin_id")) for d in costs),
        Counter(str(x.get("origin_id")) for x in lines),
        sum(1 for x in lines if x["direct_cost_id"] not in ids),
    )


def budget_lines(stack: Stack, project_id: int) -> Counter[tuple[int, int]]:
    world = stack.procore_sim.world
    return Counter(
        (b["cost_code_id"], b["line_item_type_id"])
        for b in world.table("budget_line_items").values()
        if b["_project_id"] == project_id
    )


def assert_totals_match(
    stack: Stack,
    project_id: int,
    job: str,
    accounts: dict[str, str] | None = None,
    *,
    direct_costs: bool = True,
) -> dict[str, Decimal]:
    """What procore-qb wrote to Procore equals what QuickBooks holds, with no duplicates."""
    codes = set(project_codes(stack, project_id).values())
    wanted, _ = expected_totals(stack, job, codes, accounts)
    wanted = {k: v for k, v in wanted.items() if v}
    assert procore_job_to_date(stack, project_id) == wanted
    costs, lines, orphans = direct_cost_census(stack, project_id)
    assert procore_direct_costs(stack, project_id) == (wanted if direct_costs else {})
    assert all(n == 1 for n in costs.values()), costs
    assert all(n == 1 for n in lines.values()), lines
    assert orphans == 0
    assert all(n == 1 for n in budget_lines(stack, project_id).values())
    return wanted


# ----------------------------------------------------------------------------- time


def advance(stack: Stack, **delta: float) -> None:
    """Time passes everywhere: for procore-qb and in both simulators."""
    from datetime import timedelta

    seconds = timedelta(**delta).total_seconds()
    stack.clock.advance(seconds=seconds)
    stack.procore_clock.advance(seconds)
    if stack.qbd is not None:
        stack.qbd.clock.advance(seconds)  # type: ignore[attr-defined]
    else:
        stack.qbo_clock.advance(seconds)


# --------------------------------------------------------------------- a person in QuickBooks


def _qbd_txn(stack: Stack, ref: str) -> Any:
    assert stack.qbd is not None
    for kind in ("Bill", "Check", "CreditCardCharge", "VendorCredit", "JournalEntry"):
        for txn in stack.qbd.company.txns(kind):
            if txn.ref_number == ref:
                return txn
    raise AssertionError(f"no QuickBooks Desktop transaction {ref}")


def _qbo_find(stack: Stack, entity: str, key: str, value: str) -> dict[str, Any]:
    for record in qbo_realm(stack).table(entity).values():
        if str(record.get(key)) == value:
            return dict(record)
    raise AssertionError(f"no QuickBooks Online {entity} with {key} {value}")


def _qbo_change(stack: Stack, entity: str, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    assert stack.qbo is not None
    answer = stack.qbo.post(
        f"/_sandbox/companies/{REALM}/{entity}", json={"operation": operation, "entity": body}
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json()[entity])


def qb_add_bill(
    stack: Stack,
    job: str,
    lines: list[tuple[str, str]],
    *,
    ref: str | None = None,
    memo: str = "",
    vendor: str = "Ace Concrete Supply",
    when: date = date(2026, 8, 3),
) -> str:
    """Someone enters a bill coded to ``job``: ``lines`` are (item name, amount)."""
    ref = ref or f"B-{uuid.uuid4().hex[:6].upper()}"
    if stack.qbd is not None:
        items = "".join(
            f"<ItemLineAdd><ItemRef><FullName>{escape(item)}</FullName></ItemRef>"
            f"<Desc>line {n}</Desc><Amount>{amount}</Amount><CustomerRef><FullName>"
            f"{escape(job)}</FullName></CustomerRef></ItemLineAdd>"
            for n, (item, amount) in enumerate(lines, start=1)
        )
        note = f"<Memo>{escape(memo)}</Memo>" if memo else ""
        stack._qbxml(
            f"<BillAddRq><BillAdd><VendorRef><FullName>{escape(vendor)}</FullName></VendorRef>"
            f"<TxnDate>{when.isoformat()}</TxnDate><RefNumber>{ref}</RefNumber>{note}{items}"
            "</BillAdd></BillAddRq>"
        )
        return ref
    customer = _qbo_customer_id(stack, job)
    body: dict[str, Any] = {
        "VendorRef": {"value": _qbo_find(stack, "Vendor", "DisplayName", vendor)["Id"]},
        "TxnDate": when.isoformat(),
        "DocNumber": ref,
        "Line": [
            {
                "Amount": float(amount),
                "Description": f"line {n}",
                "DetailType": "ItemBasedExpenseLineDetail",
                "ItemBasedExpenseLineDetail": {
                    "ItemRef": {"value": _qbo_find(stack, "Item", "Name", item)["Id"]},
                    "CustomerRef": {"value": customer},
                },
            }
            for n, (item, amount) in enumerate(lines, start=1)
        ],
    }
    if memo:
        body["PrivateNote"] = memo
    _qbo_change(stack, "Bill", "create", body)
    return ref


def qb_set_line(
    stack: Stack, ref: str, index: int, *, amount: str | None = None, job: str | None = None
) -> None:
    """Someone edits line ``index`` (0-based, among the transaction's lines) of ``ref``: a new
    amount, or a new job."""
    if stack.qbd is not None:
        txn = _qbd_txn(stack, ref)
        lines = [c for c in txn.body.children if c.tag in ("ItemLineRet", "ExpenseLineRet")]
        tag = lines[index].tag
        mods = []
        for n, line in enumerate(lines):
            if line.tag != tag:
                continue
            parts = f"<TxnLineID>{line.value('TxnLineID')}</TxnLineID>"
            if n == index and amount is not None:
                parts += f"<Amount>{amount}</Amount>"
            if n == index and job is not None:
                parts += f"<CustomerRef><FullName>{escape(job)}</FullName></CustomerRef>"
            mod = "ItemLineMod" if tag == "ItemLineRet" else "ExpenseLineMod"
            mods.append(f"<{mod}>{parts}</{mod}>")
        stack._qbxml(
            f"<{txn.kind}ModRq><{txn.kind}Mod><TxnID>{txn.txn_id}</TxnID><EditSequence>"
            f"{txn.edit_sequence}</EditSequence>{''.join(mods)}</{txn.kind}Mod></{txn.kind}ModRq>"
        )
        return
    entity, record = _qbo_txn(stack, ref)
    line = record["Line"][index]
    if amount is not None:
        line["Amount"] = float(amount)
    if job is not None:
        line[line["DetailType"]]["CustomerRef"] = {"value": _qbo_customer_id(stack, job)}
    _qbo_change(stack, entity, "update", {"Id": record["Id"], "Line": record["Line"]})


def _qbo_txn(stack: Stack, ref: str) -> tuple[str, dict[str, Any]]:
    import copy

    for entity in ("Bill", "Purchase", "VendorCredit", "JournalEntry"):
        for record in qbo_realm(stack).table(entity).values():
            if record.get("DocNumber") == ref:
                return entity, copy.deepcopy(record)
    raise AssertionError(f"no QuickBooks Online transaction {ref}")


def qb_delete(stack: Stack, ref: str) -> None:
    """Someone deletes transaction ``ref``."""
    if stack.qbd is not None:
        txn = _qbd_txn(stack, ref)
        stack._qbxml(
            f"<TxnDelRq><TxnDelType>{txn.kind}</TxnDelType><TxnID>{txn.txn_id}</TxnID></TxnDelRq>"
        )
        return
    entity, record = _qbo_txn(stack, ref)
    _qbo_change(stack, entity, "delete", {"Id": record["Id"]})


def qb_void(stack: Stack, ref: str) -> None:
    """Someone voids transaction ``ref``: it stays, with its amounts zero."""
    if stack.qbd is not None:
        txn = _qbd_txn(stack, ref)
        stack._qbxml(
            f"<TxnVoidRq><TxnVoidType>{txn.kind}</TxnVoidType><TxnID>{txn.txn_id}</TxnID>"
            "</TxnVoidRq>"
        )
        return
    entity, record = _qbo_txn(stack, ref)
    _qbo_change(stack, entity, "void", {"Id": record["Id"]})


def account_id(stack: Stack, name: str) -> str:
    """A QuickBooks account's id by name."""
    if stack.qbd is not None:
        found = [o for o in stack.qbd.company.lists(["Account"]) if o.name == name]
        return found[0].list_id
    return str(_qbo_find(stack, "Account", "Name", name)["Id"])


# ----------------------------------------------------------------------------- procore-qb


def synced_projects(stack: Stack) -> dict[str, int]:
    """Elm Court linked to its Procore project, Pier 9 added to Procore; their project ids."""
    stack.ok("ada", "POST", "/erp/jobs/refresh")
    stack.settle()
    staged = {i["quickbooks"]["full_name"]: i for i in stack.items("ada", "ready_to_import")}
    stack.ok(
        "ada",
        "POST",
        f"/erp/jobs/{staged[ELM]['id']}/import",
        {"method": "link", "project_id": ELM_PROJECT},
    )
    added = stack.ok("ada", "POST", f"/erp/jobs/{staged[PIER]['id']}/import", {"method": "new"})
    return {ELM: ELM_PROJECT, PIER: int(added["procore_project_id"])}


def enable(stack: Stack, project_id: int, user: str = "cara") -> dict[str, Any]:
    answer: dict[str, Any] = stack.ok(
        user, "POST", f"/projects/{project_id}/job-cost-sync", {"enabled": True}
    )
    return answer


def sync_now(stack: Stack, project_id: int) -> dict[str, Any]:
    answer: dict[str, Any] = stack.ok("ada", "POST", f"/projects/{project_id}/job-costs/sync")
    stack.settle()
    return answer


@contextmanager
def procore_requests(stack: Stack) -> Iterator[list[str]]:
    """The requests procore-qb sends the Procore simulator meanwhile (``"GET /rest/…"``)."""
    seen: list[str] = []
    send = stack.procore.send

    def counted(request: Any, **kwargs: Any) -> Any:
        seen.append(f"{request.method} {request.url.path}")
        return send(request, **kwargs)

    stack.procore.send = counted  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del stack.procore.send


def procore_direct_cost(
    stack: Stack, project_id: int, cost_code_id: int, line_item_type_id: int, amount: float
) -> tuple[int, int]:
    """A direct cost a Procore user enters (no origin id) with one line; its and the line's id."""
    costs = DirectCosts(stack.ctx.procore().client)
    made = costs.create(
        project_id,
        {"direct_cost_type": "invoice", "direct_cost_date": "2026-03-02", "status": "approved"},
    )
    line = costs.create_line_item(
        project_id,
        int(made["id"]),
        {
            "cost_code_id": cost_code_id,
            "line_item_type_id": line_item_type_id,
            "amount": amount,
            "description": "Crane hire, entered in Procore",
        },
    )
    return int(made["id"]), int(line["id"])
