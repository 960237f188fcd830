from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
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


def through_json_text(data: dict[str, Any]) -> dict[str, Any]:
    """What the outbox does to a command: JSON text out, JSON text back in."""
    text = json.dumps(data, allow_nan=False)
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.kind)
def test_every_command_round_trips_through_json(command: Command) -> None:
    assert command_from_json(through_json_text(command_to_json(command))) == command


def test_every_command_kind_is_covered() -> None:
    assert {c.kind for c in EVERY_COMMAND} == {
        cls.kind
        for cls in (
            CreateCustomer,
            CreateJob,
            UpdateJob,
            CreateItem,
            QueryJobs,
            QueryCustomers,
            QueryItems,
            QueryAccounts,
            QueryVendors,
            QueryJobCosts,
        )
    }


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
    assert result_from_json(through_json_text(result_to_json(result))) == result
    refused = CommandResult("k2", error=CommandError("3200", "out of date", retriable=False))
    assert result_from_json(through_json_text(result_to_json(refused))) == refused
    assert not refused.ok


# ----------------------------------------------------------------------------- Hypothesis

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
ids = st.none() | texts
keys = st.text(st.characters(codec="ascii"), min_size=1, max_size=36)
# Any offset: the codec stores instants in UTC, and aware datetimes compare by instant.
offsets = st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)
# Hypothesis takes naive bounds and attaches the generated offset.
instants = st.datetimes(
    min_value=datetime(1900, 1, 2),  # noqa: DTZ001
    max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    timezones=offsets,
)
since = st.none() | instants
addresses = st.builds(JobAddress, texts, texts, texts, texts, texts, texts)
jobs = st.builds(
    QuickBooksJob,
    name=texts,
    full_name=texts,
    id=ids,
    version=ids,
    parent_id=st.none(),
    parent_full_name=texts,
    number=texts,
    address=addresses,
    start_date=st.none() | st.dates(),
    projected_end_date=st.none() | st.dates(),
    status=st.sampled_from(JobStatus),
    active=st.booleans(),
)
jobs_under_a_parent = st.builds(
    replace, jobs, parent_id=st.text(min_size=1, max_size=20), parent_full_name=texts
).filter(lambda job: bool(job.parent_full_name or job.full_name))
commands: st.SearchStrategy[Command] = st.one_of(
    st.builds(CreateCustomer, idempotency_key=keys, name=texts),
    st.builds(CreateJob, idempotency_key=keys, job=jobs | jobs_under_a_parent),
    st.builds(
        UpdateJob,
        idempotency_key=keys,
        job=st.builds(
            replace, jobs, id=st.text(min_size=1, max_size=20), version=st.text(min_size=1)
        ),
    ),
    st.builds(
        CreateItem,
        idempotency_key=keys,
        name=texts,
        description=texts,
        income_account_id=ids,
        expense_account_id=ids,
    ),
    st.builds(
        QueryJobs, idempotency_key=keys, modified_since=since, include_inactive=st.booleans()
    ),
    st.builds(QueryCustomers, idempotency_key=keys, include_inactive=st.booleans()),
    st.builds(QueryItems, idempotency_key=keys, modified_since=since),
    st.builds(QueryAccounts, idempotency_key=keys),
    st.builds(QueryVendors, idempotency_key=keys, modified_since=since),
    st.builds(
        QueryJobCosts,
        idempotency_key=keys,
        job_ids=st.lists(texts, max_size=5).map(tuple),
        modified_since=since,
    ),
)
amounts = st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**12)
results = st.builds(
    CommandResult,
    idempotency_key=keys,
    error=st.none() | st.builds(CommandError, texts, texts, st.booleans()),
    jobs=st.lists(jobs, max_size=3).map(tuple),
    items=st.lists(
        st.builds(ItemRecord, texts, texts, texts, texts, texts, texts, st.booleans()),
        max_size=3,
    ).map(tuple),
    accounts=st.lists(
        st.builds(AccountRecord, texts, texts, texts, texts, st.booleans()), max_size=3
    ).map(tuple),
    vendors=st.lists(st.builds(VendorRecord, texts, texts, texts, st.booleans()), max_size=3).map(
        tuple
    ),
    job_costs=st.lists(
        st.builds(
            JobCostLine,
            st.sampled_from(JobCostSource),
            texts,
            texts,
            st.dates(),
            texts,
            amounts,
            item_id=ids,
            account_id=ids,
            vendor_name=texts,
            memo=texts,
            ref_number=texts,
            txn_memo=texts,
        ),
        max_size=3,
    ).map(tuple),
    deleted_ids=st.lists(texts, max_size=3).map(tuple),
    as_of=since,
    full_read=st.booleans(),
)


@settings(max_examples=200)
@given(command=commands)
def test_any_command_round_trips_through_json_text(command: Command) -> None:
    assert command_from_json(through_json_text(command_to_json(command))) == command


@settings(max_examples=100)
@given(result=results)
def test_any_result_round_trips_through_json_text(result: CommandResult) -> None:
    assert result_from_json(through_json_text(result_to_json(result))) == result
