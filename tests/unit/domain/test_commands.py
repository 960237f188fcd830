from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procore_qb.domain.commands import (
    AccountRecord,
    Command,
    CommandError,
    CommandResult,
    CreateCustomer,
    CreateItem,
    CreateJob,
    ItemRecord,
    JobCostLine,
    JobCostSource,
    QueryAccounts,
    QueryCustomers,
    QueryItems,
    QueryJobCosts,
    QueryJobs,
    QueryVendors,
    UpdateJob,
    VendorRecord,
    command_from_json,
    command_to_json,
    result_from_json,
    result_to_json,
)
from procore_qb.domain.quickbooks_job import JobAddress, JobStatus, QuickBooksJob

JOB = QuickBooksJob(
    name="Riverside Clinic TI",
    full_name="Riverside Health:Riverside Clinic TI",
    id="80000012-1764321000",
    version="1764321000",
    parent_full_name="Riverside Health",
    number="RC-101",
    address=JobAddress("12 River Rd", "", "Springfield", "IL", "62701", "US"),
    start_date=date(2026, 3, 2),
    projected_end_date=date(2026, 11, 20),
    status=JobStatus.IN_PROGRESS,
)
SINCE = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)

EVERY_COMMAND: list[Command] = [
    CreateCustomer(idempotency_key="c1", name="Riverside Health"),
    CreateJob(idempotency_key="c2", job=JOB),
    UpdateJob(idempotency_key="c3", job=JOB),
    CreateItem(idempotency_key="c4", name="03-300", description="Concrete", income_account_id="1"),
    QueryJobs(idempotency_key="c5", modified_since=SINCE),
    QueryJobs(idempotency_key="c5b"),
    QueryCustomers(idempotency_key="c6", include_inactive=True),
    QueryItems(idempotency_key="c7"),
    QueryAccounts(idempotency_key="c8"),
    QueryVendors(idempotency_key="c9", modified_since=SINCE),
    QueryJobCosts(idempotency_key="c10", job_ids=("80000012-1", "80000013-1")),
]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.kind)
def test_every_command_round_trips_through_json(command: Command) -> None:
    assert command_from_json(command_to_json(command)) == command


def test_update_needs_id_and_version() -> None:
    with pytest.raises(ValueError, match="EditSequence/SyncToken"):
        UpdateJob(idempotency_key="u", job=QuickBooksJob(name="x"))


@pytest.mark.parametrize("key", ["", "x" * 37, "clé"])
def test_idempotency_key_fits_quickbooks_limits(key: str) -> None:
    with pytest.raises(ValueError, match="idempotency_key"):
        QueryAccounts(idempotency_key=key)


@pytest.mark.parametrize(
    "data",
    [{"kind": "drop_table"}, {"kind": "create_customer", "idempotency_key": "k", "bogus": 1}],
)
def test_malformed_json_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="command"):
        command_from_json(data)


def test_results_round_trip_through_json() -> None:
    result = CommandResult(
        idempotency_key="k",
        jobs=(JOB,),
        items=(ItemRecord("8000001A-1", "03-300", "03-300", "3", "Service", "Concrete"),),
        accounts=(
            AccountRecord("80000005-1", "Job Materials", "Job Materials", "CostOfGoodsSold"),
        ),
        vendors=(VendorRecord("80000030-1", "Ace Concrete Supply", "2"),),
        job_costs=(
            JobCostLine(
                JobCostSource.VENDOR_CREDIT,
                "1A-1",
                "1A-2",
                date(2026, 3, 24),
                "80000012-1",
                Decimal("-500.00"),
                item_id="8000001A-1",
                vendor_name="Ace Concrete Supply",
            ),
        ),
        deleted_ids=("80000099-1",),
        as_of=SINCE,
    )
    assert result_from_json(result_to_json(result)) == result
    refused = CommandResult("k2", error=CommandError("3200", "out of date", retriable=False))
    assert result_from_json(result_to_json(refused)) == refused
    assert not refused.ok


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@given(
    name=names,
    number=names,
    line1=names,
    start=st.none() | st.dates(),
    status=st.sampled_from(JobStatus),
    active=st.booleans(),
)
def test_any_job_round_trips(
    name: str, number: str, line1: str, start: date | None, status: JobStatus, active: bool
) -> None:
    job = QuickBooksJob(
        name=name,
        number=number,
        address=JobAddress(line1=line1),
        start_date=start,
        status=status,
        active=active,
    )
    command = CreateJob(idempotency_key="k", job=job)
    assert command_from_json(command_to_json(command)) == command
