"""Customers, jobs, iterators, incremental refresh and job costs through the Web Connector."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from desktop_world import IN_PROCESS, World

from procore_qb.domain.commands import (
    CreateCustomer,
    CreateItem,
    CreateJob,
    QueryAccounts,
    QueryCustomers,
    QueryItems,
    QueryJobCosts,
    QueryJobs,
    QueryVendors,
    UpdateJob,
)
from procore_qb.domain.quickbooks_job import JobAddress, JobStatus, QuickBooksJob
from procore_qb.quickbooks.desktop.qbxml.message import OutgoingRequest, build_message
from procore_qb.quickbooks.desktop.qbxml.requests import CustomerAdd, CustomerMod, Ref

pytestmark = IN_PROCESS

RIDGE = QuickBooksJob(
    name="Ridge Clinic",
    parent_full_name="Summit Health",
    number="24-017",
    address=JobAddress(line1="1200 Ridge Rd", city="Boulder", state="CO", postal_code="80302"),
    status=JobStatus.IN_PROGRESS,
)


def test_create_a_customer_and_a_job(world: World) -> None:
    world.record(
        CreateCustomer(idempotency_key="cust-1", name="Summit Health"),
        CreateJob(idempotency_key="job-1", job=RIDGE),
    )
    transcript = world.run()
    assert transcript.ended == "done (100%)", transcript.lines()
    assert transcript.request_types == [["CustomerAddRq", "CustomerAddRq"]]
    assert world.row("cust-1").state == "done"
    job = world.result("job-1").jobs[0]
    assert job.full_name == "Summit Health:Ridge Clinic"
    assert job.number == "24-017"
    (stored,) = world.customers_named("Summit Health:Ridge Clinic")
    assert stored.list_id == job.id
    assert stored.bill_address.city == "Boulder"
    # Nothing left: the next update is told there is no work.
    assert world.run().authenticate[1] == "none"


def test_update_with_the_right_and_a_stale_edit_sequence(world: World) -> None:
    world.record(CreateJob(idempotency_key="job-1", job=_under("Harbor Holdings")))
    world.run()
    created = world.result("job-1").jobs[0]
    renamed = _replace(created, name="Ridge Clinic West", number="24-018")
    world.record(UpdateJob(idempotency_key="upd-1", job=renamed))
    world.run()
    updated = world.result("upd-1")
    assert updated.ok
    assert updated.jobs[0].version != created.version
    assert world.customers_named("Harbor Holdings:Ridge Clinic West")[0].account_number == "24-018"
    stale = _replace(created, name="Ridge Clinic East")
    world.record(UpdateJob(idempotency_key="upd-2", job=stale))
    world.run()
    row = world.row("upd-2")
    assert row.state == "failed"
    assert row.error_code == "3200"
    assert "edit sequence" in (row.error_message or "").lower()
    assert world.customers_named("Harbor Holdings:Ridge Clinic East") == []


def test_refusals_keep_quickbooks_code_and_message(world: World) -> None:
    orphan = QuickBooksJob(name="Lonely Job", parent_full_name="No Such Customer")
    world.record(
        CreateJob(idempotency_key="orphan", job=orphan),
        CreateCustomer(idempotency_key="dup", name="Harbor Holdings"),
    )
    world.run()
    assert (world.row("orphan").state, world.row("orphan").error_code) == ("failed", "3130")
    assert (world.row("dup").state, world.row("dup").error_code) == ("failed", "3100")
    assert "already in use" in (world.row("dup").error_message or "")


def test_page_2500_jobs_with_an_iterator(make_world: Callable[..., World]) -> None:
    world = make_world(page_size=500)
    adds = [
        OutgoingRequest(
            f"seed{i}",
            CustomerAdd(name=f"Job {i:04d}", parent=Ref(full_name="Greenleaf Properties")),
        )
        for i in range(2500)
    ]
    for start in range(0, 2500, 500):
        world.simulator.processor.process(build_message(adds[start : start + 500]))
    world.record(QueryJobs(idempotency_key="all-jobs"))
    transcript = world.run()
    assert transcript.ended == "done (100%)", transcript.lines()
    jobs = world.result("all-jobs").jobs
    names = {j.full_name for j in jobs}
    assert {f"Greenleaf Properties:Job {i:04d}" for i in range(2500)} <= names
    assert len(jobs) == len(names)  # no record twice across pages
    # 2,500 new jobs + the seed's customers and jobs, 500 a page: six pages, six round trips.
    assert len(transcript.request_types) == -(-len(jobs) // 500)
    assert all(types == ["CustomerQueryRq"] for types in transcript.request_types)


def test_incremental_refresh_sees_only_changed_and_deleted_jobs(world: World) -> None:
    shed = CustomerAdd(name="Tool Shed", parent=Ref(full_name="Harbor Holdings"))
    world.simulator.processor.process(build_message([OutgoingRequest("add", shed)]))
    world.clock.advance(60)
    world.record(QueryJobs(idempotency_key="full"))
    world.run()
    full = world.result("full")
    assert full.as_of is not None
    elm = next(j for j in full.jobs if j.name == "Elm Court Apartments")
    pier = next(j for j in full.jobs if j.name == "Tool Shed")
    world.clock.advance(3600)
    assert elm.id is not None
    assert elm.version is not None
    assert pier.id is not None
    world.simulator.processor.process(
        build_message(
            [
                OutgoingRequest(
                    "m",
                    CustomerMod(
                        list_id=elm.id, edit_sequence=elm.version, account_number="GL-9999"
                    ),
                )
            ]
        )
    )
    delete = (
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        f'<ListDelRq requestID="d"><ListDelType>Customer</ListDelType><ListID>{pier.id}</ListID>'
        "</ListDelRq></QBXMLMsgsRq></QBXML>"
    )
    assert 'statusCode="0"' in world.simulator.processor.process(delete)
    world.clock.advance(60)
    world.record(QueryJobs(idempotency_key="inc", modified_since=full.as_of))
    world.run()
    inc = world.result("inc")
    assert [j.id for j in inc.jobs] == [elm.id]
    assert inc.jobs[0].number == "GL-9999"
    assert inc.deleted_ids == (pier.id,)


def test_job_cost_lines_come_back_with_job_and_item(world: World) -> None:
    world.record(QueryJobs(idempotency_key="jobs"), QueryItems(idempotency_key="items"))
    world.run()
    jobs = {j.full_name: j.id for j in world.result("jobs").jobs}
    items = {i.full_name: i.id for i in world.result("items").items}
    elm = jobs["Greenleaf Properties:Elm Court Apartments"]
    assert elm is not None
    world.record(QueryJobCosts(idempotency_key="costs", job_ids=(elm,)))
    transcript = world.run()
    assert transcript.ended == "done (100%)", transcript.lines()
    lines = world.result("costs").job_costs
    assert lines
    assert {line.job_id for line in lines} == {elm}
    pour = next(line for line in lines if line.memo == "Foundation pour")
    assert pour.source.value == "bill"
    assert str(pour.amount) == "12500.00"
    assert pour.item_id == next(v for k, v in items.items() if k.startswith("03-300"))
    assert pour.vendor_name == "Ace Concrete Supply"


def test_customers_accounts_vendors_and_new_items(world: World) -> None:
    world.record(
        QueryCustomers(idempotency_key="customers"),
        QueryAccounts(idempotency_key="accounts"),
        QueryVendors(idempotency_key="vendors"),
    )
    world.run()
    customers = world.result("customers").jobs
    assert {c.name for c in customers} >= {"Greenleaf Properties", "Harbor Holdings"}
    assert all(not c.is_job for c in customers)
    accounts = world.result("accounts").accounts
    assert {a.account_type for a in accounts} <= {
        "Income",
        "OtherIncome",
        "Expense",
        "OtherExpense",
        "CostOfGoodsSold",
    }
    income = next(a for a in accounts if a.account_type == "Income")
    expense = next(a for a in accounts if a.account_type in ("Expense", "CostOfGoodsSold"))
    assert "Ace Concrete Supply" in {v.name for v in world.result("vendors").vendors}
    world.record(
        CreateItem(
            idempotency_key="item-1",
            name="02-450 Shoring",
            description="Shoring",
            income_account_id=income.id,
            expense_account_id=expense.id,
        )
    )
    world.run()
    (item,) = world.result("item-1").items
    assert item.name == "02-450 Shoring"
    assert item.item_type == "service"


def _under(customer: str) -> QuickBooksJob:
    return _replace(RIDGE, parent_full_name=customer)


def _replace(job: QuickBooksJob, **changes: object) -> QuickBooksJob:
    return dataclasses.replace(job, **changes)  # type: ignore[arg-type]
