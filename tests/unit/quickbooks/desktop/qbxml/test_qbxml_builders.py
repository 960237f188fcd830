"""Request builders: element order, and refusals that name the rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from lxml import etree

from procore_qb.quickbooks.desktop.errors import QbxmlBuildError
from procore_qb.quickbooks.desktop.qbxml.requests import (
    AccountQuery,
    Address,
    BillQuery,
    CustomerAdd,
    CustomerMod,
    CustomerQuery,
    ItemServiceAdd,
    Ref,
    format_datetime,
)


def children(el: etree._Element) -> list[str]:
    return [str(c.tag) for c in el]


def test_customer_add_follows_the_schema_order() -> None:
    rq = CustomerAdd(
        name="Ridge Clinic",
        parent=Ref(full_name="Summit Health"),
        bill_address=Address(addr1="1 Main"),
        account_number="24-017",
        job_status="Awarded",
        job_start_date=date(2026, 1, 2),
        external_guid="{00000000-0000-0000-0000-000000000001}",
    ).element("r")
    assert children(rq[0]) == [
        "Name",
        "IsActive",
        "ParentRef",
        "BillAddress",
        "AccountNumber",
        "JobStatus",
        "JobStartDate",
        "ExternalGUID",
    ]


def test_customer_mod_starts_with_list_id_and_edit_sequence() -> None:
    rq = CustomerMod(list_id="1-1", edit_sequence="7", name="X", account_number="").element("r")
    assert children(rq[0])[:3] == ["ListID", "EditSequence", "Name"]


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: CustomerAdd(name="x" * 42), "at most 41"),
        (lambda: CustomerAdd(name="A:B"), "contains ':'"),
        (lambda: CustomerAdd(name="  "), "empty"),
        (lambda: CustomerAdd(name="A", job_status="Started"), "JobStatus"),
        (lambda: CustomerAdd(name="A", bill_address=Address(state="x" * 22)), "State"),
        (lambda: CustomerMod(list_id="1", edit_sequence="1" * 17), "EditSequence"),
        (lambda: ItemServiceAdd(name="x" * 32, income_account=Ref("1")), "at most 31"),
        (lambda: ItemServiceAdd(name="Permits"), "needs an account"),
        (lambda: CustomerAdd(name="A", parent=Ref()), "ListID or a FullName"),
        (lambda: CustomerQuery(list_ids=("1",), full_names=("A",)), "not both"),
        (lambda: CustomerQuery(list_ids=("1",), max_returned=5), "exclude"),
        (lambda: CustomerQuery(max_returned=0), "at least 1"),
        (lambda: BillQuery(txn_ids=("1",), max_returned=5), "exclude"),
        (lambda: AccountQuery(account_types=("Cash",)), "AccountType"),
    ],
)
def test_refusals_name_the_rule(build: object, fragment: str) -> None:
    with pytest.raises(QbxmlBuildError, match=fragment):
        build().element("r")  # type: ignore[operator]


def test_datetimes_need_a_zone_and_use_an_offset() -> None:
    assert format_datetime(datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == (
        "2026-01-02T03:04:05+00:00"
    )
    with pytest.raises(QbxmlBuildError, match="time zone"):
        format_datetime(datetime(2026, 1, 2))  # noqa: DTZ001
