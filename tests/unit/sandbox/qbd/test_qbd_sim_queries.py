"""Query filters, iterators and moves of the simulated company file."""

from __future__ import annotations

import json
from collections.abc import Callable

from lxml import etree

from procore_qb.sandbox.qbd import ManualClock, QbdSimulator

Run = Callable[..., etree._Element]


def names(rs: etree._Element, field: str = "FullName") -> list[str]:
    return [ret.findtext(field, "") for ret in rs]


def test_item_query_returns_every_item_type(qb: Run) -> None:
    out = qb("<ItemQueryRq/>")[0]
    assert {ret.tag for ret in out} == {
        "ItemServiceRet",
        "ItemOtherChargeRet",
        "ItemNonInventoryRet",
    }
    assert out.get("retCount") == "11"
    assert names(qb("<ItemOtherChargeQueryRq/>")[0]) == ["Permits"]
    assert names(qb("<ItemNonInventoryQueryRq/>")[0]) == ["Lumber"]


def test_item_names_are_unique_across_item_types(qb: Run) -> None:
    out = qb(
        "<ItemServiceAddRq><ItemServiceAdd><Name>permits</Name><SalesOrPurchase><Price>1.00"
        "</Price><AccountRef><FullName>Construction Income</FullName></AccountRef>"
        "</SalesOrPurchase></ItemServiceAdd></ItemServiceAddRq>"
    )[0]
    assert out.get("statusCode") == "3100"


def test_name_filters(qb: Run) -> None:
    ends = qb(
        "<CustomerQueryRq><NameFilter><MatchCriterion>EndsWith</MatchCriterion>"
        "<Name>condos</Name></NameFilter></CustomerQueryRq>"
    )[0]
    assert names(ends) == ["Greenleaf Properties:Willow Creek Condos"]
    ranged = qb(
        "<CustomerQueryRq><NameRangeFilter><FromName>H</FromName><ToName>Hz</ToName>"
        "</NameRangeFilter></CustomerQueryRq>"
    )[0]
    assert names(ranged) == ["Harbor Holdings", "Harbor Holdings:Pier 9 Restaurant"]


def test_include_ret_element_trims_each_ret(qb: Run) -> None:
    out = qb(
        "<CustomerQueryRq><MaxReturned>1</MaxReturned><IncludeRetElement>Name"
        "</IncludeRetElement></CustomerQueryRq>"
    )[0]
    assert [child.tag for child in out[0]] == ["Name"]


def test_iterator_stop_discards_it(qb: Run) -> None:
    start = qb('<CustomerQueryRq iterator="Start"><MaxReturned>2</MaxReturned></CustomerQueryRq>')
    iterator_id = start[0].get("iteratorID")
    stop = qb(f'<CustomerQueryRq iterator="Stop" iteratorID="{iterator_id}"/>')[0]
    assert stop.get("statusCode") == "0"
    assert stop.get("retCount") == "0"
    gone = qb(f'<CustomerQueryRq iterator="Continue" iteratorID="{iterator_id}"/>')[0]
    assert gone.get("statusSeverity") == "Error"


def test_iterator_belongs_to_its_query_type(qb: Run) -> None:
    start = qb('<CustomerQueryRq iterator="Start"><MaxReturned>1</MaxReturned></CustomerQueryRq>')
    other = qb(f'<VendorQueryRq iterator="Continue" iteratorID="{start[0].get("iteratorID")}"/>')
    assert other[0].get("statusSeverity") == "Error"


def test_iterators_end_with_the_session(qb: Run, sim: QbdSimulator) -> None:
    start = qb('<CustomerQueryRq iterator="Start"><MaxReturned>1</MaxReturned></CustomerQueryRq>')
    sim.processor.end_session()
    later = qb(f'<CustomerQueryRq iterator="Continue" iteratorID="{start[0].get("iteratorID")}"/>')
    assert later[0].get("statusSeverity") == "Error"


def test_transaction_iterator_pages(qb: Run) -> None:
    first = qb(
        '<BillQueryRq iterator="Start"><MaxReturned>2</MaxReturned>'
        "<IncludeLineItems>true</IncludeLineItems></BillQueryRq>"
    )[0]
    assert first.get("iteratorRemainingCount") == "1"
    rest = qb(
        f'<BillQueryRq iterator="Continue" iteratorID="{first.get("iteratorID")}">'
        "<MaxReturned>2</MaxReturned><IncludeLineItems>true</IncludeLineItems></BillQueryRq>"
    )[0]
    refs = names(first, "RefNumber") + names(rest, "RefNumber")
    assert sorted(refs) == ["ACS-1001", "BEC-2210", "VP-330"]
    assert rest.find("BillRet/ItemLineRet") is not None


def test_transaction_filters(qb: Run) -> None:
    def refs(query: str) -> list[str]:
        return names(qb(query)[0], "RefNumber")

    assert refs(
        "<BillQueryRq><TxnDateRangeFilter><FromTxnDate>2026-04-01</FromTxnDate>"
        "<ToTxnDate>2026-06-30</ToTxnDate></TxnDateRangeFilter></BillQueryRq>"
    ) == ["BEC-2210"]
    assert refs(
        "<BillQueryRq><RefNumberFilter><MatchCriterion>Contains</MatchCriterion>"
        "<RefNumber>33</RefNumber></RefNumberFilter></BillQueryRq>"
    ) == ["VP-330"]
    assert refs(
        "<BillQueryRq><RefNumberRangeFilter><FromRefNumber>B</FromRefNumber>"
        "<ToRefNumber>C</ToRefNumber></RefNumberRangeFilter></BillQueryRq>"
    ) == ["BEC-2210"]
    assert refs("<BillQueryRq><PaidStatus>PaidOnly</PaidStatus></BillQueryRq>") == []
    assert len(refs("<BillQueryRq><PaidStatus>NotPaidOnly</PaidStatus></BillQueryRq>")) == 3
    assert refs(
        "<CheckQueryRq><AccountFilter><FullName>Checking</FullName></AccountFilter></CheckQueryRq>"
    ) == ["5012"]
    assert refs(
        "<JournalEntryQueryRq><EntityFilter><FullName>Greenleaf Properties:Elm Court Apartments"
        "</FullName></EntityFilter></JournalEntryQueryRq>"
    ) == ["JE-77"]
    assert (
        refs("<BillQueryRq><RefNumberCaseSensitive>acs-1001</RefNumberCaseSensitive></BillQueryRq>")
        == []
    )
    assert refs("<BillQueryRq><RefNumber>acs-1001</RefNumber></BillQueryRq>") == ["ACS-1001"]


def test_incremental_transactions_see_new_and_deleted(qb: Run, clock: ManualClock) -> None:
    clock.advance(3600)
    watermark = clock.now().isoformat()
    clock.advance(60)
    check = qb("<CheckQueryRq/>")[0].findtext("CheckRet/TxnID")
    out = qb(
        "<BillAddRq><BillAdd><VendorRef><FullName>Metro Lumber</FullName></VendorRef>"
        "<RefNumber>ML-1</RefNumber><ItemLineAdd><ItemRef><FullName>06-100</FullName></ItemRef>"
        "<Quantity>3</Quantity><Cost>12.50</Cost><CustomerRef><FullName>"
        "Greenleaf Properties:Willow Creek Condos</FullName></CustomerRef></ItemLineAdd>"
        "</BillAdd></BillAddRq>",
        f"<TxnDelRq><TxnDelType>Check</TxnDelType><TxnID>{check}</TxnID></TxnDelRq>",
        "<BillQueryRq><ModifiedDateRangeFilter><FromModifiedDate>"
        f"{watermark}</FromModifiedDate></ModifiedDateRangeFilter>"
        "<IncludeLineItems>true</IncludeLineItems></BillQueryRq>",
        "<TxnDeletedQueryRq><TxnDelType>Check</TxnDelType><TxnDelType>Bill</TxnDelType>"
        f"<DeletedDateRangeFilter><FromDeletedDate>{watermark}</FromDeletedDate>"
        "</DeletedDateRangeFilter></TxnDeletedQueryRq>",
    )
    new_bill = out[2]
    assert names(new_bill, "RefNumber") == ["ML-1"]
    assert new_bill.findtext("BillRet/AmountDue") == "37.50"
    assert new_bill.findtext("BillRet/TxnDate") == clock.now().date().isoformat()
    assert [ret.findtext("TxnID") for ret in out[3]] == [check]


def test_moving_a_job_under_another_customer(qb: Run) -> None:
    job = qb(
        "<CustomerQueryRq><FullName>Harbor Holdings:Pier 9 Restaurant</FullName></CustomerQueryRq>"
    )[0].find("CustomerRet")
    assert job is not None
    moved = qb(
        f"<CustomerModRq><CustomerMod><ListID>{job.findtext('ListID')}</ListID><EditSequence>"
        f"{job.findtext('EditSequence')}</EditSequence><ParentRef><FullName>Riverside Health"
        "</FullName></ParentRef></CustomerMod></CustomerModRq>"
    )[0]
    assert moved.findtext("CustomerRet/FullName") == "Riverside Health:Pier 9 Restaurant"
    parent = qb("<CustomerQueryRq><FullName>Riverside Health</FullName></CustomerQueryRq>")[0]
    parent_ret = parent.find("CustomerRet")
    assert parent_ret is not None
    cycle = qb(
        f"<CustomerModRq><CustomerMod><ListID>{parent_ret.findtext('ListID')}</ListID>"
        f"<EditSequence>{parent_ret.findtext('EditSequence')}</EditSequence><ParentRef><FullName>"
        "Riverside Health:Pier 9 Restaurant</FullName></ParentRef></CustomerMod></CustomerModRq>"
    )[0]
    assert cycle.get("statusCode") == "3130"


def test_mod_keeps_fields_it_does_not_name(qb: Run) -> None:
    job = qb(
        "<CustomerQueryRq><FullName>City of Springfield:Fire Station 3</FullName></CustomerQueryRq>"
    )[0].find("CustomerRet")
    assert job is not None
    out = qb(
        f"<CustomerModRq><CustomerMod><ListID>{job.findtext('ListID')}</ListID><EditSequence>"
        f"{job.findtext('EditSequence')}</EditSequence><JobStatus>Closed</JobStatus>"
        "</CustomerMod></CustomerModRq>"
    )[0]
    assert out.findtext("CustomerRet/JobStatus") == "Closed"
    assert out.findtext("CustomerRet/AccountNumber") == "CS-3301"
    assert out.findtext("CustomerRet/BillAddress/City") == "Springfield"


def test_a_vendor_list_id_is_not_a_customer(qb: Run) -> None:
    vendor = qb("<VendorQueryRq><MaxReturned>1</MaxReturned></VendorQueryRq>")[0].find("VendorRet")
    assert vendor is not None
    out = qb(
        f"<CustomerModRq><CustomerMod><ListID>{vendor.findtext('ListID')}</ListID><EditSequence>"
        f"{vendor.findtext('EditSequence')}</EditSequence></CustomerMod></CustomerModRq>"
    )[0]
    assert out.get("statusCode") == "3120"


def test_continue_must_repeat_the_start_criteria(qb: Run) -> None:
    start = qb(
        '<CustomerQueryRq iterator="Start"><MaxReturned>1</MaxReturned>'
        "<ActiveStatus>All</ActiveStatus></CustomerQueryRq>"
    )[0]
    iterator_id = start.get("iteratorID")
    other = qb(
        f'<CustomerQueryRq iterator="Continue" iteratorID="{iterator_id}">'
        "<MaxReturned>1</MaxReturned></CustomerQueryRq>"
    )[0]
    assert other.get("statusSeverity") == "Error"
    same = qb(
        f'<CustomerQueryRq iterator="Continue" iteratorID="{iterator_id}">'
        "<MaxReturned>2</MaxReturned><ActiveStatus>All</ActiveStatus></CustomerQueryRq>"
    )[0]
    assert same.get("retCount") == "2"


def test_entity_filter_by_list_id_with_and_without_children(qb: Run) -> None:
    customer = qb("<CustomerQueryRq><FullName>Harbor Holdings</FullName></CustomerQueryRq>")[0]
    list_id = customer.findtext("CustomerRet/ListID")

    def refs(entity_filter: str) -> list[str]:
        out = qb(f"<BillQueryRq><EntityFilter>{entity_filter}</EntityFilter></BillQueryRq>")[0]
        return names(out, "RefNumber")

    assert refs(f"<ListIDWithChildren>{list_id}</ListIDWithChildren>") == ["BEC-2210"]
    assert refs(f"<ListID>{list_id}</ListID>") == []  # the bill is coded to the job, not to it
    vendor = qb("<VendorQueryRq><FullName>Valley Plumbing</FullName></VendorQueryRq>")[0]
    assert refs(f"<ListID>{vendor.findtext('VendorRet/ListID')}</ListID>") == ["VP-330"]


def test_transaction_heads_are_the_transactions_without_their_bodies(sim: QbdSimulator) -> None:
    # Filters read the heads only; they must be the same transactions, same order and columns.
    for kind in ("Bill", "Check", "JournalEntry"):
        full = sim.company.txns(kind)
        heads = sim.company.txn_heads(kind)
        assert [t.txn_id for t in heads] == [t.txn_id for t in full]
        assert sim.company.txn_ids(kind) == [t.txn_id for t in full]  # a query without filters
        bare = sim.company.txn_heads(kind, with_refs=False)
        for head, txn in zip(bare, full, strict=True):
            assert (head.entity_ids, head.list_refs, head.body.children) == ([], [], [])
            head.entity_ids, head.list_refs, head.body = txn.entity_ids, txn.list_refs, txn.body
            assert head == txn
        for head, txn in zip(heads, full, strict=True):
            assert head.body.children == []
            head.body = txn.body
            assert head == txn
        assert sim.company.count_txns(kind) == len(full)


def test_list_names_are_what_the_full_list_elements_hold(sim: QbdSimulator) -> None:
    kinds = ("Customer", "Vendor", "ItemService", "ItemOtherCharge", "ItemNonInventory")
    for obj in sim.company.lists(kinds):
        assert sim.company.list_name(obj.list_id) == (obj.kind, obj.full_name)
        assert sim.company.find_list_id((obj.kind,), obj.full_name.upper()) == (
            obj.list_id,
            obj.full_name,
        )
    assert sim.company.list_name("80FFFFFF-1") is None
    assert sim.company.find_list_id(("Customer",), "no such customer") is None


def _vendor_page(
    qb: Run, iterator_id: str | None, max_returned: int | None = None
) -> etree._Element:
    limit = "" if max_returned is None else f"<MaxReturned>{max_returned}</MaxReturned>"
    if iterator_id is None:
        return qb(f'<VendorQueryRq iterator="Start">{limit}</VendorQueryRq>')[0]
    return qb(
        f'<VendorQueryRq iterator="Continue" iteratorID="{iterator_id}">{limit}</VendorQueryRq>'
    )[0]


def test_an_iterator_continues_where_its_saved_offset_is(qb: Run, sim: QbdSimulator) -> None:
    every = names(qb("<VendorQueryRq/>")[0], "Name")
    first = _vendor_page(qb, None, 2)
    iterator_id = first.get("iteratorID") or ""
    seen = names(first, "Name")
    # Another process on the same company file holds none of the IDs in memory.
    sim.company._iterator_ids.clear()
    second = _vendor_page(qb, iterator_id, 1)
    seen += names(second, "Name")
    assert second.get("iteratorRemainingCount") == str(len(every) - 3)
    # Many iterators at once: the ones not kept at hand are read back from the file.
    others = [_vendor_page(qb, None, 1).get("iteratorID") or "" for _ in range(6)]
    third = _vendor_page(qb, iterator_id)  # the Start's MaxReturned
    seen += names(third, "Name")
    assert len(third) == 2
    for other in others:
        assert names(_vendor_page(qb, other, 1), "Name") == every[1:2]
    while len(seen) < len(every):
        seen += names(_vendor_page(qb, iterator_id, 10), "Name")
    assert seen == every
    assert _vendor_page(qb, iterator_id).get("statusCode") == "3175"


def test_an_iterator_saved_without_an_offset_has_returned_none_of_its_ids(
    qb: Run, sim: QbdSimulator
) -> None:
    every = qb("<VendorQueryRq/>")[0]
    ids = [ret.findtext("ListID") for ret in every]
    criteria: list[object] = []
    # The form iterators were saved in before offsets: the IDs left, and the Start's options.
    with sim.company.transaction():
        sim.company._db.execute(
            "INSERT INTO iterators (iterator_id, request_type, remaining, options, touched_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                "{old}",
                "VendorQueryRq",
                json.dumps(ids[2:]),
                json.dumps({"criteria": criteria, "max_returned": 3}),
                sim.clock.now().timestamp(),
            ),
        )
    page = _vendor_page(qb, "{old}")
    assert [ret.findtext("ListID") for ret in page] == ids[2:5]
    assert page.get("iteratorRemainingCount") == str(len(ids) - 5)
    rest = _vendor_page(qb, "{old}")
    assert [ret.findtext("ListID") for ret in rest] == ids[5:8]
