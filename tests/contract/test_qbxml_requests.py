"""Every qbXML request procore-qb builds validates against Intuit's qbXML 13.0 schema."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import xmlschema

from procore_qb.domain import commands as c
from procore_qb.domain.quickbooks_job import JobAddress, JobStatus, QuickBooksJob
from procore_qb.quickbooks.desktop.gateway import DesktopGateway, request_id
from procore_qb.quickbooks.desktop.qbxml.message import OutgoingRequest, build_message
from procore_qb.quickbooks.desktop.qbxml.requests import (
    AccountQuery,
    Address,
    BillQuery,
    CheckQuery,
    CompanyQuery,
    CreditCardChargeQuery,
    CreditCardCreditQuery,
    CustomerAdd,
    CustomerMod,
    CustomerQuery,
    HostQuery,
    ItemNonInventoryQuery,
    ItemOtherChargeQuery,
    ItemServiceAdd,
    ItemServiceQuery,
    JournalEntryQuery,
    ListDeletedQuery,
    Ref,
    Request,
    TxnDeletedQuery,
    VendorCreditQuery,
    VendorQuery,
)

pytestmark = pytest.mark.reference

SINCE = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
ADDRESS = Address(addr1="1200 Ridge Rd", city="Boulder", state="CO", postal_code="80302")

REQUESTS: list[tuple[str, Request, dict[str, str]]] = [
    ("host", HostQuery(), {}),
    ("company", CompanyQuery(), {}),
    (
        "customer-add-full",
        CustomerAdd(
            name="Ridge Clinic",
            parent=Ref(full_name="Summit Health"),
            bill_address=ADDRESS,
            ship_address=ADDRESS,
            account_number="24-017",
            job_status="InProgress",
            job_start_date=date(2026, 3, 1),
            job_projected_end_date=date(2027, 1, 31),
            job_type=Ref(full_name="Commercial"),
            external_guid="{6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b}",
        ),
        {},
    ),
    ("customer-add-min", CustomerAdd(name="Summit Health"), {}),
    (
        "customer-mod-full",
        CustomerMod(
            list_id="80000001-1700000000",
            edit_sequence="1700000000",
            name="Ridge Clinic West",
            is_active=False,
            parent=Ref(list_id="80000002-1700000000"),
            bill_address=ADDRESS,
            account_number="",
            job_status="Closed",
            job_start_date=date(2026, 3, 1),
            job_projected_end_date=date(2027, 2, 28),
            job_type=Ref(list_id="80000003-1700000000"),
        ),
        {},
    ),
    (
        "customer-query-filter",
        CustomerQuery(max_returned=100, active_status="All", from_modified=SINCE),
        {"iterator": "Start"},
    ),
    (
        "customer-query-continue",
        CustomerQuery(max_returned=100),
        {"iterator": "Continue", "iterator_id": "{a-b}"},
    ),
    ("customer-query-names", CustomerQuery(full_names=("Summit Health:Ridge Clinic",)), {}),
    ("customer-query-ids", CustomerQuery(list_ids=("80000001-1700000000", "80000002-1")), {}),
    (
        "vendor-query",
        VendorQuery(max_returned=50, active_status="ActiveOnly", from_modified=SINCE),
        {"iterator": "Start"},
    ),
    (
        "item-service-add-both",
        ItemServiceAdd(
            name="01-100 Demolition",
            description="Demolition",
            income_account=Ref(full_name="Construction Income"),
            expense_account=Ref(list_id="80000010-1700000000"),
            external_guid="{6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4c}",
        ),
        {},
    ),
    (
        "item-service-add-one",
        ItemServiceAdd(name="Permits", expense_account=Ref(full_name="Job Expenses")),
        {},
    ),
    (
        "item-service-query",
        ItemServiceQuery(max_returned=200, from_modified=SINCE),
        {"iterator": "Start"},
    ),
    ("item-other-charge-query", ItemOtherChargeQuery(max_returned=200), {"iterator": "Start"}),
    ("item-non-inventory-query", ItemNonInventoryQuery(full_names=("Lumber",)), {}),
    (
        "account-query",
        AccountQuery(
            active_status="ActiveOnly", account_types=("Income", "Expense", "CostOfGoodsSold")
        ),
        {},
    ),
    ("bill-query", BillQuery(max_returned=100, from_modified=SINCE), {"iterator": "Start"}),
    (
        "check-query",
        CheckQuery(max_returned=100, from_modified=SINCE, to_modified=SINCE),
        {"iterator": "Start"},
    ),
    ("cc-charge-query", CreditCardChargeQuery(max_returned=100), {"iterator": "Start"}),
    ("cc-credit-query", CreditCardCreditQuery(max_returned=100), {"iterator": "Start"}),
    ("vendor-credit-query", VendorCreditQuery(txn_ids=("1A-1700000000",)), {}),
    (
        "journal-query",
        JournalEntryQuery(max_returned=100, from_modified=SINCE),
        {"iterator": "Continue", "iterator_id": "x"},
    ),
    ("list-deleted", ListDeletedQuery(types=("Customer", "ItemService"), from_deleted=SINCE), {}),
    (
        "txn-deleted",
        TxnDeletedQuery(
            types=("Bill", "Check", "JournalEntry"), from_deleted=SINCE, to_deleted=SINCE
        ),
        {},
    ),
]


@pytest.fixture(scope="module")
def qbxml_schema(reference_dir: Path) -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(reference_dir / "quickbooks" / "qbxml-13.0" / "qbxmlops130.xsd")


@pytest.mark.parametrize(("name", "request_", "options"), REQUESTS, ids=[r[0] for r in REQUESTS])
def test_each_request_validates(
    qbxml_schema: xmlschema.XMLSchema10, name: str, request_: Request, options: dict[str, str]
) -> None:
    text = build_message([OutgoingRequest(f"{name}.0", request_, **options)])  # type: ignore[arg-type]
    qbxml_schema.validate(text)


def test_a_batch_of_every_request_validates(qbxml_schema: xmlschema.XMLSchema10) -> None:
    text = build_message(
        [OutgoingRequest(f"k{i}", r, **o) for i, (_, r, o) in enumerate(REQUESTS)],  # type: ignore[arg-type]
        on_error="stopOnError",
    )
    qbxml_schema.validate(text)
    assert text.count("requestID=") == len(REQUESTS)


def _commands() -> list[object]:
    job = QuickBooksJob(
        name="Ridge Clinic",
        parent_full_name="Summit Health",
        number="24-017",
        address=JobAddress(line1="1 Main", line2="Suite 2", city="Boulder", state="CO"),
        start_date=date(2026, 1, 5),
        projected_end_date=date(2026, 9, 30),
        status=JobStatus.AWARDED,
    )
    existing = QuickBooksJob(name="Ridge Clinic", id="80000002-1", version="17", parent_id="8-1")
    return [
        c.CreateCustomer(idempotency_key="k1", name="Summit Health"),
        c.CreateJob(idempotency_key="k2", job=job),
        c.UpdateJob(idempotency_key="k3", job=existing),
        c.CreateItem(idempotency_key="k4", name="01-100", income_account_id="1-1"),
        c.CreateItem(
            idempotency_key="k5", name="01-200", income_account_id="1", expense_account_id="2"
        ),
        c.QueryJobs(idempotency_key="k6"),
        c.QueryJobs(idempotency_key="k7", modified_since=SINCE, include_inactive=True),
        c.QueryCustomers(idempotency_key="k8"),
        c.QueryItems(idempotency_key="k9", modified_since=SINCE),
        c.QueryAccounts(idempotency_key="k10"),
        c.QueryVendors(idempotency_key="k11", modified_since=SINCE),
        c.QueryJobCosts(idempotency_key="k12", job_ids=("8-1",), modified_since=SINCE),
    ]


@pytest.mark.parametrize(
    ("needs_lookup", "first_attempt_at"), [(False, None), (True, None), (True, SINCE)]
)
def test_every_command_the_gateway_sends_validates(
    qbxml_schema: xmlschema.XMLSchema10, needs_lookup: bool, first_attempt_at: datetime | None
) -> None:
    gateway = DesktopGateway(page_size=100)
    requests = []
    for command in _commands():
        parts = gateway.parts(
            command,  # type: ignore[arg-type]
            needs_lookup=needs_lookup,
            first_attempt_at=first_attempt_at,
        )
        for index, part in enumerate(parts):
            key = command.idempotency_key  # type: ignore[attr-defined]
            iterator = "Start" if part.iterates else None
            requests.append(OutgoingRequest(request_id(key, index, 0), part.request, iterator))
            if part.iterates:
                requests.append(
                    OutgoingRequest(request_id(key, index, 1), part.request, "Continue", "{x}")
                )
    qbxml_schema.validate(build_message(requests))
