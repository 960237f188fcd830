"""Load the seed world (``sandbox/seed.py``) into a company file.

The chart of accounts and QuickBooks' default terms are written directly (a new company file
starts with them); everything else goes through qbXML requests, so the seed obeys the same
rules as any request.
"""

from __future__ import annotations

from lxml import etree

from procore_qb.sandbox import seed
from procore_qb.sandbox.qbd.company import CompanyFile
from procore_qb.sandbox.qbd.errors import QbdSimulatorError
from procore_qb.sandbox.qbd.lists import add_account, add_simple
from procore_qb.sandbox.qbd.nodes import Node
from procore_qb.sandbox.qbd.processor import RequestProcessor

__all__ = ["BULK_CHUNK", "DEFAULT_TERMS", "load_bulk", "load_seed", "request_message"]

# Terms a new QuickBooks company file comes with (name, due days, discount days, discount %).
DEFAULT_TERMS = (
    ("Due on receipt", "0", None, None),
    ("Net 15", "15", None, None),
    ("Net 30", "30", None, None),
    ("Net 60", "60", None, None),
    ("1% 10 Net 30", "30", "10", "1.0"),
    ("2% 10 Net 30", "30", "10", "2.0"),
)
_TXN_ACCOUNT = {"Check": "Checking", "CreditCardCharge": "Company Card"}


def request_message(requests: list[Node], on_error: str = "stopOnError") -> str:
    """A qbXML 13.0 request message holding ``requests``."""
    root = etree.Element("QBXML")
    messages = etree.SubElement(root, "QBXMLMsgsRq", onError=on_error)
    for request in requests:
        messages.append(_element(request))
    body = etree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n{body}'


def _element(node: Node) -> etree._Element:
    element = etree.Element(node.tag, attrib=node.attrs)
    for child in node.children:
        element.append(_element(child))
    if not node.children and node.text is not None:
        element.text = node.text
    return element


def _leaf(tag: str, text: str) -> Node:
    return Node(tag, text)


def _ref(tag: str, full_name: str) -> Node:
    return Node(tag, children=[Node("FullName", full_name)])


def _add(kind: str, children: list[Node]) -> Node:
    return Node(f"{kind}AddRq", children=[Node(f"{kind}Add", children=children)])


BULK_CHUNK = 500
"""Requests per qbXML message when loading bulk data (QuickBooks takes a message at a time)."""


def _seed_requests() -> list[Node]:
    return _world_requests(seed.VENDORS, seed.ITEMS, seed.CUSTOMERS, seed.JOBS, seed.TRANSACTIONS)


def _world_requests(
    vendors: tuple[seed.Vendor, ...],
    items: tuple[seed.Item, ...],
    customers: tuple[seed.Customer, ...],
    jobs: tuple[seed.Job, ...],
    transactions: tuple[seed.Transaction, ...],
) -> list[Node]:
    requests: list[Node] = []
    for vendor in vendors:
        address = Node("VendorAddress", children=[_leaf("City", vendor.city)])
        requests.append(_add("Vendor", [_leaf("Name", vendor.name), address]))
    for item in items:
        sales = Node(
            "SalesAndPurchase",
            children=[
                _leaf("SalesDesc", item.description),
                _ref("IncomeAccountRef", item.income_account),
                _leaf("PurchaseDesc", item.description),
                _ref("ExpenseAccountRef", item.expense_account),
            ],
        )
        requests.append(_add(f"Item{item.item_type}", [_leaf("Name", item.name), sales]))
    for customer in customers:
        address = Node(
            "BillAddress",
            children=[_leaf("City", customer.city), _leaf("State", customer.state)],
        )
        requests.append(_add("Customer", [_leaf("Name", customer.name), address]))
    for job in jobs:
        address = Node(
            "BillAddress",
            children=[
                _leaf("Addr1", job.address),
                _leaf("City", job.city),
                _leaf("State", job.state),
                _leaf("PostalCode", job.postal_code),
            ],
        )
        requests.append(
            _add(
                "Customer",
                [
                    _leaf("Name", job.name),
                    _ref("ParentRef", job.customer),
                    address,
                    _leaf("AccountNumber", job.number),
                    _leaf("JobStatus", job.status),
                    _leaf("JobStartDate", job.start_date.isoformat()),
                    _leaf("JobProjectedEndDate", job.projected_end_date.isoformat()),
                ],
            )
        )
    for txn in transactions:
        requests.append(_transaction(txn))
    return requests


def _transaction(txn: seed.Transaction) -> Node:
    if txn.kind == "JournalEntry":
        children = [_leaf("TxnDate", txn.txn_date.isoformat()), _leaf("RefNumber", txn.ref_number)]
        for line in txn.lines:
            children.append(
                Node(
                    "JournalDebitLine",
                    children=[
                        _ref("AccountRef", line.account or "Job Materials"),
                        _leaf("Amount", f"{line.amount:.2f}"),
                        _leaf("Memo", line.memo),
                        _ref("EntityRef", line.job),
                    ],
                )
            )
        for line in txn.lines:
            # The balancing side of the reclass: out of Subcontractors.
            children.append(
                Node(
                    "JournalCreditLine",
                    children=[
                        _ref("AccountRef", "Subcontractors"),
                        _leaf("Amount", f"{line.amount:.2f}"),
                        _leaf("Memo", line.memo),
                    ],
                )
            )
        return _add("JournalEntry", children)
    head: list[Node] = []
    if txn.kind in _TXN_ACCOUNT:
        head.append(_ref("AccountRef", _TXN_ACCOUNT[txn.kind]))
        if txn.vendor:
            head.append(_ref("PayeeEntityRef", txn.vendor))
    elif txn.vendor:
        head.append(_ref("VendorRef", txn.vendor))
    date_and_ref = [_leaf("TxnDate", txn.txn_date.isoformat()), _leaf("RefNumber", txn.ref_number)]
    if txn.kind == "Check":
        date_and_ref.reverse()  # CheckAdd puts RefNumber before TxnDate
    lines = []
    for line in txn.lines:
        if line.item is not None:
            lines.append(
                Node(
                    "ItemLineAdd",
                    children=[
                        _ref("ItemRef", line.item),
                        _leaf("Desc", line.memo),
                        _leaf("Amount", f"{line.amount:.2f}"),
                        _ref("CustomerRef", line.job),
                    ],
                )
            )
        else:
            lines.append(
                Node(
                    "ExpenseLineAdd",
                    children=[
                        _ref("AccountRef", line.account or "Job Materials"),
                        _leaf("Amount", f"{line.amount:.2f}"),
                        _leaf("Memo", line.memo),
                        _ref("CustomerRef", line.job),
                    ],
                )
            )
    expense = [n for n in lines if n.tag == "ExpenseLineAdd"]
    items = [n for n in lines if n.tag == "ItemLineAdd"]
    return _add(txn.kind, head + date_and_ref + expense + items)


def load_seed(company: CompanyFile) -> None:
    """Fill an empty company file with the seed world."""
    company.set_meta("company_name", seed.QB_COMPANY_NAME)
    with company.transaction():
        for account in seed.ACCOUNTS:
            add_account(company, account.name, account.account_type)
        for name, due, discount_days, discount in DEFAULT_TERMS:
            fields = [Node("StdDueDays", due)]
            if discount_days is not None and discount is not None:
                fields += [Node("StdDiscountDays", discount_days), Node("DiscountPct", discount)]
            add_simple(company, "StandardTerms", name, fields)
    response = RequestProcessor(company).process(request_message(_seed_requests()))
    if 'statusSeverity="Error"' in response:
        raise QbdSimulatorError(f"the seed world did not load:\n{response}")


def load_bulk(company: CompanyFile, size: int) -> dict[str, int]:
    """Add ``seed.bulk_world(size)`` to a seeded company file through qbXML add requests, as
    the seed world is loaded; returns how many objects of each kind were added. ``ValueError``
    when the size is out of range or the file holds the bulk records already."""
    world = seed.bulk_world(size)
    if company.find_list(("Vendor",), world.vendors[0].name) is not None:
        raise ValueError(
            f"the company file already holds bulk records ({world.vendors[0].name!r}); reset it "
            "first (POST /_sandbox/qbd/reset)"
        )
    requests = _world_requests(
        world.vendors, world.items, world.customers, world.jobs, world.transactions
    )
    processor = RequestProcessor(company)
    for start in range(0, len(requests), BULK_CHUNK):
        chunk = requests[start : start + BULK_CHUNK]
        response = processor.process(request_message(chunk))
        if 'statusSeverity="Error"' in response:
            raise QbdSimulatorError(f"the bulk data did not load:\n{response[:2000]}")
    return {
        "vendors": len(world.vendors),
        "items": len(world.items),
        "customers": len(world.customers),
        "jobs": len(world.jobs),
        "bills": len(world.transactions),
    }
