"""Resources against the simulator, and the look-up that settles a command whose answer was lost."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

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
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.quickbooks.online.query import Query
from procore_qb.quickbooks.online.resources.classes import ClassResource
from procore_qb.quickbooks.online.resources.company_info import CompanyInfoResource
from procore_qb.quickbooks.online.resources.preferences import PreferencesResource

from .sim import Harness


def test_company_preferences_and_classes(sessions: sessionmaker[Session]) -> None:
    sim = Harness(sessions)
    sim.connect()
    client = sim.client()
    assert CompanyInfoResource(client).company_name() == sim.config.company_name
    assert isinstance(PreferencesResource(client).class_tracking(), bool)
    classes = ClassResource(client)
    made = classes.create_class("Division East", request_id="class-1")
    child = classes.create_class("Phase 1", request_id="class-2", parent_id=made["Id"])
    assert child["FullyQualifiedName"] == "Division East:Phase 1"
    assert classes.count() >= 2


def test_reads_of_the_seed_world(sessions: sessionmaker[Session]) -> None:
    sim = Harness(sessions)
    sim.connect()
    gateway = sim.gateway()
    customers, items, accounts, vendors, jobs = gateway.execute(
        [
            QueryCustomers(idempotency_key="r-c"),
            QueryItems(idempotency_key="r-i"),
            QueryAccounts(idempotency_key="r-a"),
            QueryVendors(idempotency_key="r-v"),
            QueryJobs(idempotency_key="r-j"),
        ]
    )
    assert customers.jobs
    assert all(c.parent_id is None for c in customers.jobs)
    assert items.items
    assert all(i.item_type in ("Service", "NonInventory") for i in items.items)
    assert accounts.accounts
    assert vendors.vendors
    job_ids = tuple(str(j.id) for j in jobs.jobs if j.parent_id)
    [costs] = gateway.execute([QueryJobCosts(idempotency_key="r-jc", job_ids=job_ids)])
    assert costs.ok
    assert costs.job_costs
    assert {line.job_id for line in costs.job_costs} <= set(job_ids)
    sources = {line.source.value for line in costs.job_costs}
    assert "bill" in sources


def test_item_creation_and_its_look_up(sessions: sessionmaker[Session]) -> None:
    sim = Harness(sessions)
    sim.connect()
    gateway = sim.gateway()
    [accounts] = gateway.execute([QueryAccounts(idempotency_key="acc")])
    income = next(a for a in accounts.accounts if a.account_type in ("Income", "Other Income"))
    command = CreateItem(
        idempotency_key="item-1",
        name="03-310 Formwork",
        description="Formwork",
        income_account_id=income.id,
    )
    [made] = gateway.execute([command])
    assert made.ok, made.error
    [again] = gateway.execute([command], look_up_first={"item-1"})
    assert again.items[0].id == made.items[0].id


def test_look_up_does_not_claim_someone_elses_record(sessions: sessionmaker[Session]) -> None:
    sim = Harness(sessions)
    sim.connect()
    gateway = sim.gateway()
    [a] = gateway.execute([CreateCustomer(idempotency_key="own-a", name="Parent A")])
    [b] = gateway.execute([CreateCustomer(idempotency_key="own-b", name="Parent B")])
    [job] = gateway.execute(
        [
            CreateJob(
                idempotency_key="own-j",
                job=QuickBooksJob(
                    name="Shared Name", parent_id=a.jobs[0].id, parent_full_name=a.jobs[0].full_name
                ),
            )
        ]
    )
    assert job.ok
    # A job of the same name under another parent is not ours: the create is sent and refused.
    [other] = gateway.execute(
        [
            CreateJob(
                idempotency_key="own-k",
                job=QuickBooksJob(
                    name="Shared Name", parent_id=b.jobs[0].id, parent_full_name=b.jobs[0].full_name
                ),
            )
        ],
        look_up_first={"own-k"},
    )
    assert other.error is not None
    assert other.error.code == "6240"


def test_update_whose_answer_was_lost_is_recognised_as_done(
    sessions: sessionmaker[Session],
) -> None:
    sim = Harness(sessions)
    sim.connect()
    gateway = sim.gateway()
    [parent] = gateway.execute([CreateCustomer(idempotency_key="up-p", name="Update Parent")])
    [job] = gateway.execute(
        [
            CreateJob(
                idempotency_key="up-j",
                job=QuickBooksJob(
                    name="Update Job",
                    parent_id=parent.jobs[0].id,
                    parent_full_name=parent.jobs[0].full_name,
                ),
            )
        ]
    )
    original = job.jobs[0]
    renamed = QuickBooksJob(
        name="Update Job Renamed",
        id=original.id,
        version=original.version,
        parent_id=original.parent_id,
        number="P-9",
    )
    command = UpdateJob(idempotency_key="up-1", job=renamed)
    [first] = gateway.execute([command])
    assert first.ok, first.error
    # The answer was lost; the next run looks first and finds the update applied.
    [second] = gateway.execute([command], look_up_first={"up-1"})
    assert second.ok, second.error
    assert second.jobs[0].name == "Update Job Renamed"
    # The same command again replays QuickBooks' first answer (same requestid): still done.
    [replayed] = gateway.execute([command])
    assert replayed.ok
    # An update never applied, whose object someone else changed meanwhile: sent, refused stale.
    stale = UpdateJob(
        idempotency_key="up-2",
        job=QuickBooksJob(
            name="Other Name",
            id=original.id,
            version=original.version,
            parent_id=original.parent_id,
        ),
    )
    [refused] = gateway.execute([stale], look_up_first={"up-2"})
    assert refused.error is not None
    assert refused.error.code == "5010"


def test_incremental_reads_use_one_cdc_call_and_report_deletions(
    sessions: sessionmaker[Session],
) -> None:
    sim = Harness(sessions)
    sim.connect()
    client = sim.client()
    gateway = sim.gateway(client)
    [jobs] = gateway.execute([QueryJobs(idempotency_key="inc-jobs")])
    job_ids = tuple(str(j.id) for j in jobs.jobs)
    sim.clock.advance(5)
    since = sim.clock.now()
    sim.clock.advance(5)
    bills = list(client.query_all(Query("Bill")))
    deleted, changed = bills[0], bills[1]
    client.delete("Bill", deleted["Id"], deleted["SyncToken"], request_id="inc-del")
    client.update("Bill", {**changed, "PrivateNote": "edited"}, request_id="inc-upd", sparse=False)
    item = next(iter(client.query_all(Query("Item").where("Type", "=", "Service"))))
    client.update(
        "Item",
        {"Id": item["Id"], "SyncToken": item["SyncToken"], "Description": "new words"},
        request_id="inc-item",
    )
    sim.clock.advance(5)
    before = client.calls
    costs, items, vendors = gateway.execute(
        [
            QueryJobCosts(idempotency_key="inc-costs", job_ids=job_ids, modified_since=since),
            QueryItems(idempotency_key="inc-items", modified_since=since),
            QueryVendors(idempotency_key="inc-vendors", modified_since=since),
        ]
    )
    assert client.calls - before == 3
    assert costs.deleted_ids == (deleted["Id"],)
    assert {line.txn_id for line in costs.job_costs} == {changed["Id"]}
    assert [i.id for i in items.items] == [item["Id"]]
    assert items.items[0].description == "new words"
    assert vendors.vendors == ()
