"""The rules of the simulated company file, each allowed and refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from procore_qb.sandbox.qbd import ManualClock, QbdSimulator, QbxmlParseError

Run = Callable[..., etree._Element]


def add_customer(name: str, parent: str | None = None, rid: str = "1") -> str:
    parent_ref = f"<ParentRef><FullName>{parent}</FullName></ParentRef>" if parent else ""
    return (
        f'<CustomerAddRq requestID="{rid}"><CustomerAdd><Name>{name}</Name>{parent_ref}'
        "</CustomerAdd></CustomerAddRq>"
    )


def status(rs: etree._Element) -> tuple[int, str]:
    return int(rs.get("statusCode", "-1")), rs.get("statusSeverity", "")


def test_add_customer_and_job_gets_ids_and_hierarchy(qb: Run) -> None:
    out = qb(add_customer("Acme Corp"), add_customer("Warehouse", "Acme Corp", "2"))
    customer, job = out.findall("CustomerAddRs")
    assert status(customer) == (0, "Info")
    assert customer.get("requestID") == "1"
    ret = job.find("CustomerRet")
    assert ret is not None
    assert re.fullmatch(r"[0-9A-F]{8}-\d{10}", ret.findtext("ListID") or "")
    assert ret.findtext("FullName") == "Acme Corp:Warehouse"
    assert ret.findtext("Sublevel") == "1"
    assert ret.findtext("ParentRef/FullName") == "Acme Corp"
    assert ret.findtext("EditSequence", "").isdigit()
    assert ret.findtext("TimeCreated") == ret.findtext("TimeModified")


def test_name_length_limits(qb: Run) -> None:
    assert status(qb(add_customer("N" * 41))[0]) == (0, "Info")
    refused = qb(add_customer("N" * 42))[0]
    assert status(refused) == (3070, "Error")
    assert "Name" in refused.get("statusMessage", "")


def test_item_names_are_limited_to_31(qb: Run) -> None:
    def item(name: str) -> str:
        return (
            f"<ItemServiceAddRq><ItemServiceAdd><Name>{name}</Name><SalesOrPurchase>"
            "<Price>1.00</Price><AccountRef><FullName>Construction Income</FullName></AccountRef>"
            "</SalesOrPurchase></ItemServiceAdd></ItemServiceAddRq>"
        )

    assert status(qb(item("I" * 31))[0]) == (0, "Info")
    assert status(qb(item("I" * 32))[0])[0] == 3070


def test_duplicate_sibling_name_is_3100_case_insensitively(qb: Run) -> None:
    out = qb(add_customer("Willow Creek Condos", "Greenleaf Properties"))
    assert out[0].get("statusCode") == "3100"
    assert out[0].get("statusMessage") == (
        'The name "Willow Creek Condos" of the list element is already in use.'
    )
    assert qb(add_customer("WILLOW CREEK CONDOS", "Greenleaf Properties"))[0].get("statusCode") == (
        "3100"
    )
    # The same job name under another customer is fine.
    assert status(qb(add_customer("Willow Creek Condos", "Harbor Holdings"))[0]) == (0, "Info")


def test_top_level_customer_name_shared_with_vendors(qb: Run) -> None:
    assert qb(add_customer("ace concrete supply"))[0].get("statusCode") == "3100"
    vendor = "<VendorAddRq><VendorAdd><Name>Riverside Health</Name></VendorAdd></VendorAddRq>"
    assert qb(vendor)[0].get("statusCode") == "3100"
    # A job may share a vendor's name: only top-level names share the name space.
    assert status(qb(add_customer("Ace Concrete Supply", "Harbor Holdings"))[0]) == (0, "Info")


def test_missing_parent_is_3130(qb: Run) -> None:
    out = qb(add_customer("Job", "Nobody Inc"))[0]
    assert out.get("statusCode") == "3130"
    assert out.get("statusMessage", "").startswith(
        'There is an invalid reference to a parent "Nobody Inc" in the Customers list.'
    )


def test_sublevel_at_most_five(qb: Run) -> None:
    parent = "L0"
    qb(add_customer("L0"))
    for level in range(1, 6):
        assert status(qb(add_customer(f"L{level}", parent))[0]) == (0, "Info")
        parent = f"{parent}:L{level}"
    assert qb(add_customer("L6", parent))[0].get("statusCode") == "3130"


def test_full_name_at_most_209(qb: Run) -> None:
    parent = "A" * 41
    qb(add_customer(parent))
    for letter in "BCD":
        qb(add_customer(letter * 41, parent))
        parent = f"{parent}:{letter * 41}"
    # 4 x 41 + 3 colons = 167; one more 41-character level makes 209, 42 would be 210.
    assert status(qb(add_customer("E" * 41, parent))[0]) == (0, "Info")
    qb(add_customer("F" * 40))
    out = qb(add_customer("G" * 41, parent))[0]
    assert out.get("statusCode") == "0"


def _mod(list_id: str, edit_sequence: str, name: str) -> str:
    return (
        f"<CustomerModRq><CustomerMod><ListID>{list_id}</ListID>"
        f"<EditSequence>{edit_sequence}</EditSequence><Name>{name}</Name>"
        "</CustomerMod></CustomerModRq>"
    )


def test_mod_with_current_edit_sequence_then_stale_is_3200(qb: Run, clock: ManualClock) -> None:
    ret = qb(add_customer("Old Name"))[0].find("CustomerRet")
    assert ret is not None
    list_id, first = ret.findtext("ListID", ""), ret.findtext("EditSequence", "")
    clock.advance(5)
    ok = qb(_mod(list_id, first, "New Name"))[0]
    assert status(ok) == (0, "Info")
    second = ok.findtext("CustomerRet/EditSequence")
    assert second != first
    assert ok.findtext("CustomerRet/TimeModified") != ok.findtext("CustomerRet/TimeCreated")
    stale = qb(_mod(list_id, first, "Newer Name"))[0]
    assert stale.get("statusCode") == "3200"
    assert stale.get("statusMessage", "").startswith(
        f'The provided edit sequence "{first}" is out-of-date.'
    )


def test_mod_of_unknown_and_malformed_list_ids(qb: Run) -> None:
    assert qb(_mod("80000999-1700000000", "1", "X"))[0].get("statusCode") == "3120"
    assert qb(_mod("not-an-id", "1", "X"))[0].get("statusCode") == "3000"


def test_renaming_a_customer_renames_its_jobs(qb: Run) -> None:
    found = qb("<CustomerQueryRq><FullName>Harbor Holdings</FullName></CustomerQueryRq>").find(
        "CustomerQueryRs/CustomerRet"
    )
    assert found is not None
    qb(_mod(found.findtext("ListID", ""), found.findtext("EditSequence", ""), "Harbor Group"))
    job = qb(
        "<CustomerQueryRq><FullName>Harbor Group:Pier 9 Restaurant</FullName></CustomerQueryRq>"
    )
    assert job[0].get("statusCode") == "0"


def test_empty_query_is_status_1_not_an_error(qb: Run) -> None:
    out = qb(
        "<CustomerQueryRq><NameFilter><MatchCriterion>StartsWith</MatchCriterion>"
        "<Name>zzz</Name></NameFilter></CustomerQueryRq>"
    )[0]
    assert status(out) == (1, "Info")
    assert out.get("retCount") == "0"


def test_query_by_missing_full_name_is_500_warning(qb: Run) -> None:
    out = qb("<CustomerQueryRq><FullName>Nobody</FullName></CustomerQueryRq>")[0]
    assert status(out) == (500, "Warn")


def test_stop_on_error_skips_the_rest(qb: Run) -> None:
    out = qb(add_customer("Job", "Nobody", "1"), add_customer("Fresh Co", None, "2"))
    assert [rs.get("requestID") for rs in out] == ["1"]
    check = qb("<CustomerQueryRq><FullName>Fresh Co</FullName></CustomerQueryRq>")[0]
    assert check.get("statusCode") == "500"


def test_continue_on_error_runs_everything(qb: Run) -> None:
    out = qb(
        add_customer("Job", "Nobody", "1"),
        add_customer("Fresh Co", None, "2"),
        on_error="continueOnError",
    )
    assert [(rs.get("requestID"), rs.get("statusCode")) for rs in out] == [
        ("1", "3130"),
        ("2", "0"),
    ]


def test_active_status_filter_and_list_del(qb: Run) -> None:
    ret = qb(add_customer("Temp Co"))[0].find("CustomerRet")
    assert ret is not None
    list_id, seq = ret.findtext("ListID", ""), ret.findtext("EditSequence", "")
    qb(
        f"<CustomerModRq><CustomerMod><ListID>{list_id}</ListID><EditSequence>{seq}"
        "</EditSequence><IsActive>false</IsActive></CustomerMod></CustomerModRq>"
    )
    active = qb("<CustomerQueryRq/>")[0]
    assert "Temp Co" not in [r.findtext("FullName") for r in active]
    inactive = qb("<CustomerQueryRq><ActiveStatus>InactiveOnly</ActiveStatus></CustomerQueryRq>")
    assert [r.findtext("FullName") for r in inactive[0]] == ["Temp Co"]
    deleted = qb(
        f"<ListDelRq><ListDelType>Customer</ListDelType><ListID>{list_id}</ListID></ListDelRq>"
    )[0]
    assert deleted.findtext("FullName") == "Temp Co"
    gone = qb("<ListDeletedQueryRq><ListDelType>Customer</ListDelType></ListDeletedQueryRq>")[0]
    assert [r.findtext("ListID") for r in gone] == [list_id]


def test_customer_in_use_cannot_be_deleted(qb: Run) -> None:
    ret = qb("<CustomerQueryRq><FullName>Greenleaf Properties</FullName></CustomerQueryRq>")
    list_id = ret[0].findtext("CustomerRet/ListID")
    out = qb(
        f"<ListDelRq><ListDelType>Customer</ListDelType><ListID>{list_id}</ListID></ListDelRq>"
    )
    assert out[0].get("statusSeverity") == "Error"


def test_request_id_is_echoed_and_omitted_when_absent(qb: Run) -> None:
    out = qb('<HostQueryRq requestID="abc"/>', "<CompanyQueryRq/>")
    assert out[0].get("requestID") == "abc"
    assert out[1].get("requestID") is None
    assert out[1].findtext("CompanyRet/CompanyName") == "Summit Ridge Builders LLC"


@pytest.mark.parametrize(
    "text",
    [
        "not xml at all",
        '<?xml version="1.0"?><QBXML><QBXMLMsgsRq onError="stopOnError"/></QBXML>',
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq/></QBXML>',
        '<?xml version="1.0"?><?qbxml version="99.0"?><QBXML>'
        '<QBXMLMsgsRq onError="stopOnError"/></QBXML>',
        # Element order: ParentRef must come before CompanyName... and Name first.
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        "<CustomerAddRq><CustomerAdd><IsActive>1</IsActive><Name>X</Name></CustomerAdd>"
        "</CustomerAddRq></QBXMLMsgsRq></QBXML>",
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        '<AccountQueryRq iterator="Start"/></QBXMLMsgsRq></QBXML>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><?qbxml version="13.0"?>'
        '<QBXML><QBXMLMsgsRq onError="stopOnError"/></QBXML>',
    ],
)
def test_unusable_text_takes_the_hresult_path(sim: QbdSimulator, text: str) -> None:
    with pytest.raises(QbxmlParseError) as caught:
        sim.processor.process(text)
    assert caught.value.hresult == "0x80040400"


def test_parse_error_runs_nothing(sim: QbdSimulator, qb: Run) -> None:
    text = (
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        + add_customer("Should Not Exist")
        + "<CustomerAddRq><CustomerAdd><Bogus/></CustomerAdd></CustomerAddRq>"
        + "</QBXMLMsgsRq></QBXML>"
    )
    with pytest.raises(QbxmlParseError):
        sim.processor.process(text)
    assert (
        qb("<CustomerQueryRq><FullName>Should Not Exist</FullName></CustomerQueryRq>")[0].get(
            "statusCode"
        )
        == "500"
    )


def test_iterator_pages_and_unknown_iterator(qb: Run) -> None:
    first = qb('<VendorQueryRq iterator="Start"><MaxReturned>2</MaxReturned></VendorQueryRq>')[0]
    iterator_id = first.get("iteratorID", "")
    assert first.get("retCount") == "2"
    assert first.get("iteratorRemainingCount") == "3"
    second = qb(
        f'<VendorQueryRq iterator="Continue" iteratorID="{iterator_id}">'
        "<MaxReturned>2</MaxReturned></VendorQueryRq>"
    )[0]
    third = qb(
        f'<VendorQueryRq iterator="Continue" iteratorID="{iterator_id}">'
        "<MaxReturned>2</MaxReturned></VendorQueryRq>"
    )[0]
    assert (second.get("iteratorRemainingCount"), third.get("iteratorRemainingCount")) == ("1", "0")
    assert third.get("retCount") == "1"
    names = [r.findtext("Name") for rs in (first, second, third) for r in rs]
    assert len(set(names)) == 5
    again = qb(
        f'<VendorQueryRq iterator="Continue" iteratorID="{iterator_id}">'
        "<MaxReturned>2</MaxReturned></VendorQueryRq>"
    )[0]
    assert again.get("statusSeverity") == "Error"
    unknown = qb('<VendorQueryRq iterator="Continue" iteratorID="{nope}"/>')[0]
    assert unknown.get("statusSeverity") == "Error"


def test_iterator_expires(qb: Run, clock: ManualClock) -> None:
    first = qb('<VendorQueryRq iterator="Start"><MaxReturned>1</MaxReturned></VendorQueryRq>')[0]
    clock.advance(21 * 60)
    later = qb(
        f'<VendorQueryRq iterator="Continue" iteratorID="{first.get("iteratorID")}">'
        "<MaxReturned>1</MaxReturned></VendorQueryRq>"
    )[0]
    assert later.get("statusSeverity") == "Error"


def test_modified_date_filter_sees_only_changes(qb: Run, clock: ManualClock) -> None:
    earlier = clock.now().isoformat()
    clock.advance(3600)
    since = clock.now().isoformat()
    qb(add_customer("New Since", None))
    out = qb(f"<CustomerQueryRq><FromModifiedDate>{since}</FromModifiedDate></CustomerQueryRq>")
    assert [r.findtext("FullName") for r in out[0]] == ["New Since"]
    before = qb(f"<CustomerQueryRq><ToModifiedDate>{earlier}</ToModifiedDate></CustomerQueryRq>")
    assert "New Since" not in [r.findtext("FullName") for r in before[0]]


def test_entity_filter_with_children_and_line_items(qb: Run) -> None:
    query = (
        "<BillQueryRq><EntityFilter><FullNameWithChildren>Greenleaf Properties"
        "</FullNameWithChildren></EntityFilter><IncludeLineItems>true</IncludeLineItems>"
        "</BillQueryRq>"
    )
    bills = qb(query)[0]
    assert [b.findtext("RefNumber") for b in bills] == ["ACS-1001"]
    lines = bills.findall("BillRet/ItemLineRet")
    assert {
        (line.findtext("CustomerRef/FullName"), line.findtext("ItemRef/FullName")) for line in lines
    } == {
        ("Greenleaf Properties:Elm Court Apartments", "03-300"),
        ("Greenleaf Properties:Elm Court Apartments", "01-100"),
    }
    without = qb("<BillQueryRq><RefNumber>ACS-1001</RefNumber></BillQueryRq>")[0]
    assert without.find("BillRet/ItemLineRet") is None


def test_journal_entry_must_balance(qb: Run) -> None:
    out = qb(
        "<JournalEntryAddRq><JournalEntryAdd><JournalDebitLine><AccountRef><FullName>"
        "Job Materials</FullName></AccountRef><Amount>10.00</Amount></JournalDebitLine>"
        "</JournalEntryAdd></JournalEntryAddRq>"
    )[0]
    assert out.get("statusSeverity") == "Error"


def test_unknown_reference_is_3140(qb: Run) -> None:
    out = qb(
        "<CustomerAddRq><CustomerAdd><Name>Termed</Name><TermsRef><FullName>Net 99</FullName>"
        "</TermsRef></CustomerAdd></CustomerAddRq>"
    )[0]
    assert out.get("statusCode") == "3140"
    ok = qb(
        "<CustomerAddRq><CustomerAdd><Name>Termed</Name><TermsRef><FullName>Net 30</FullName>"
        "</TermsRef></CustomerAdd></CustomerAddRq>"
    )[0]
    assert ok.findtext("CustomerRet/TermsRef/FullName") == "Net 30"


def test_txn_del_shows_in_txn_deleted_query(qb: Run) -> None:
    check = qb("<CheckQueryRq/>")[0].find("CheckRet")
    assert check is not None
    txn_id = check.findtext("TxnID")
    out = qb(f"<TxnDelRq><TxnDelType>Check</TxnDelType><TxnID>{txn_id}</TxnID></TxnDelRq>")[0]
    assert out.get("statusCode") == "0"
    gone = qb("<TxnDeletedQueryRq><TxnDelType>Check</TxnDelType></TxnDeletedQueryRq>")[0]
    assert [r.findtext("TxnID") for r in gone] == [txn_id]
    assert qb("<CheckQueryRq/>")[0].get("statusCode") == "1"


def test_error_recovery_message_sets(sim: QbdSimulator) -> None:
    head = '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML>'
    first = sim.processor.process(
        head + '<QBXMLMsgsRq newMessageSetID="AB1" onError="continueOnError">'
        "<HostQueryRq/></QBXMLMsgsRq></QBXML>"
    )
    replay = sim.processor.process(
        head + '<QBXMLMsgsRq oldMessageSetID="AB1" newMessageSetID="AB1" '
        'onError="continueOnError"></QBXMLMsgsRq></QBXML>'
    )
    assert replay == first
    sim.processor.process(
        head + '<QBXMLMsgsRq oldMessageSetID="AB1" onError="continueOnError"></QBXMLMsgsRq></QBXML>'
    )
    assert sim.company.get_message_set("AB1") is None


def test_meta_data_only_counts(qb: Run) -> None:
    out = qb('<VendorQueryRq metaData="MetaDataOnly"/>')[0]
    assert out.get("retCount") == "5"
    assert len(out) == 0


def test_company_file_persists_in_its_folder(tmp_path: Path) -> None:
    from procore_qb.sandbox.qbd import open_simulator

    first = open_simulator(tmp_path, ManualClock())
    first.processor.process(
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        "<CustomerAddRq><CustomerAdd><Name>Kept Co</Name></CustomerAdd></CustomerAddRq>"
        "</QBXMLMsgsRq></QBXML>"
    )
    first.company.close()
    again = open_simulator(tmp_path, ManualClock())
    try:
        assert again.company.find_list(("Customer",), "kept co") is not None
        assert len(again.company.lists(("Vendor",))) == 5  # not seeded twice
    finally:
        again.company.close()


@pytest.mark.parametrize(
    "request_xml",
    [
        # xsd:choice: by ID or by filter, not both.
        "<CustomerQueryRq><FullName>A</FullName><MaxReturned>1</MaxReturned></CustomerQueryRq>",
        "<CustomerQueryRq><ListID>80000001-1</ListID><FullName>A</FullName></CustomerQueryRq>",
        "<BillQueryRq><ModifiedDateRangeFilter/><TxnDateRangeFilter/></BillQueryRq>",
        # Enumerations.
        "<CustomerQueryRq><ActiveStatus>Sometimes</ActiveStatus></CustomerQueryRq>",
        "<CustomerAddRq><CustomerAdd><Name>X</Name><JobStatus>Done</JobStatus></CustomerAdd>"
        "</CustomerAddRq>",
        "<ListDelRq><ListDelType>Planet</ListDelType><ListID>80000001-1</ListID></ListDelRq>",
        "<CustomerQueryRq><MaxReturned>ten</MaxReturned></CustomerQueryRq>",
        # Items need SalesOrPurchase or SalesAndPurchase.
        "<ItemServiceAddRq><ItemServiceAdd><Name>X</Name></ItemServiceAdd></ItemServiceAddRq>",
        # Iterator attributes.
        '<CustomerQueryRq iterator="Continue"/>',
        '<CustomerQueryRq iterator="Sideways"/>',
        '<CustomerQueryRq iterator="Start" iteratorID="{x}"/>',
        '<CustomerQueryRq metaData="Everything"/>',
    ],
)
def test_schema_violations_take_the_hresult_path(sim: QbdSimulator, request_xml: str) -> None:
    text = (
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        f"{add_customer('Must Not Exist')}{request_xml}</QBXMLMsgsRq></QBXML>"
    )
    with pytest.raises(QbxmlParseError):
        sim.processor.process(text)
    assert sim.company.find_list(("Customer",), "Must Not Exist") is None


def test_deleting_from_a_list_the_file_does_not_keep_finds_nothing(qb: Run) -> None:
    out = qb("<ListDelRq><ListDelType>Class</ListDelType><ListID>80000001-1</ListID></ListDelRq>")
    assert out[0].get("statusCode") == "3120"


def test_vendor_balance_is_open_bills_less_credits(qb: Run) -> None:
    out = qb("<VendorQueryRq><FullName>Ace Concrete Supply</FullName></VendorQueryRq>")[0]
    assert out.findtext("VendorRet/Balance") == "13850.00"  # 14,350.00 billed, 500.00 credit


def test_job_types_nest_and_jobs_refer_to_them(qb: Run) -> None:
    out = qb(
        "<JobTypeAddRq><JobTypeAdd><Name>Commercial</Name></JobTypeAdd></JobTypeAddRq>",
        "<JobTypeAddRq><JobTypeAdd><Name>Retail</Name><ParentRef><FullName>Commercial"
        "</FullName></ParentRef></JobTypeAdd></JobTypeAddRq>",
        "<CustomerAddRq><CustomerAdd><Name>Mall Refit</Name><ParentRef><FullName>Harbor Holdings"
        "</FullName></ParentRef><JobTypeRef><FullName>Commercial:Retail</FullName></JobTypeRef>"
        "</CustomerAdd></CustomerAddRq>",
    )
    assert [rs.get("statusCode") for rs in out] == ["0", "0", "0"]
    assert out[1].findtext("JobTypeRet/Sublevel") == "1"
    assert out[2].findtext("CustomerRet/JobTypeRef/FullName") == "Commercial:Retail"
    again = qb("<JobTypeAddRq><JobTypeAdd><Name>commercial</Name></JobTypeAdd></JobTypeAddRq>")
    assert again[0].get("statusCode") == "3100"


def test_sub_account_must_share_its_parents_type(qb: Run) -> None:
    out = qb(
        "<AccountAddRq><AccountAdd><Name>Trucks</Name><ParentRef><FullName>Checking</FullName>"
        "</ParentRef><AccountType>Expense</AccountType></AccountAdd></AccountAddRq>",
        "<AccountAddRq><AccountAdd><Name>Payroll</Name><ParentRef><FullName>Checking</FullName>"
        "</ParentRef><AccountType>Bank</AccountType></AccountAdd></AccountAddRq>",
        on_error="continueOnError",
    )
    assert [rs.get("statusCode") for rs in out] == ["3130", "0"]
    assert out[1].findtext("AccountRet/FullName") == "Checking:Payroll"
    by_type = qb("<AccountQueryRq><AccountType>Bank</AccountType></AccountQueryRq>")[0]
    assert [r.findtext("FullName") for r in by_type] == ["Checking", "Checking:Payroll"]


def test_other_names_share_the_top_level_name_space(qb: Run) -> None:
    out = qb(
        "<OtherNameAddRq><OtherNameAdd><Name>City Water Dept</Name></OtherNameAdd>"
        "</OtherNameAddRq>",
        add_customer("city water dept", None, "2"),
        "<OtherNameAddRq><OtherNameAdd><Name>Harbor Holdings</Name></OtherNameAdd>"
        "</OtherNameAddRq>",
        "<CheckAddRq><CheckAdd><AccountRef><FullName>Checking</FullName></AccountRef>"
        "<PayeeEntityRef><FullName>City Water Dept</FullName></PayeeEntityRef>"
        "<ExpenseLineAdd><AccountRef><FullName>Job Materials</FullName></AccountRef>"
        "<Amount>40.00</Amount><CustomerRef><FullName>Harbor Holdings:Pier 9 Restaurant"
        "</FullName></CustomerRef></ExpenseLineAdd></CheckAdd></CheckAddRq>",
        on_error="continueOnError",
    )
    assert [rs.get("statusCode") for rs in out] == ["0", "3100", "3100", "0"]
    assert out[3].findtext("CheckRet/PayeeEntityRef/FullName") == "City Water Dept"
    assert out[3].findtext("CheckRet/Amount") == "40.00"


def test_terms_used_by_a_customer_cannot_be_deleted(qb: Run) -> None:
    qb(
        "<CustomerAddRq><CustomerAdd><Name>Termed</Name><TermsRef><FullName>Net 15</FullName>"
        "</TermsRef></CustomerAdd></CustomerAddRq>"
    )
    terms = qb("<TermsQueryRq><FullName>Net 15</FullName></TermsQueryRq>")[0]
    list_id = terms.findtext("StandardTermsRet/ListID")
    out = qb(
        f"<ListDelRq><ListDelType>StandardTerms</ListDelType><ListID>{list_id}</ListID></ListDelRq>"
    )[0]
    assert out.get("statusSeverity") == "Error"
    unused = qb("<TermsQueryRq><FullName>Net 60</FullName></TermsQueryRq>")[0]
    free = qb(
        "<ListDelRq><ListDelType>StandardTerms</ListDelType><ListID>"
        f"{unused.findtext('StandardTermsRet/ListID')}</ListID></ListDelRq>"
    )[0]
    assert free.get("statusCode") == "0"


def _bill_line(line: str) -> str:
    return (
        "<BillAddRq><BillAdd><VendorRef><FullName>Metro Lumber</FullName></VendorRef>"
        f"<RefNumber>ML-9</RefNumber>{line}</BillAdd></BillAddRq>"
    )


def test_amounts_follow_the_schema_patterns(qb: Run) -> None:
    # AMTTYPE / PRICETYPE / QUANTYPE (qbxmltypes130.xsd): Decimal would read all of these.
    job = "<CustomerRef><FullName>Greenleaf Properties:Willow Creek Condos</FullName></CustomerRef>"
    expense = "<ExpenseLineAdd><AccountRef><FullName>Job Materials</FullName></AccountRef>"
    for amount in ("NaN", "Infinity", "1E+3", "12.345"):
        out = qb(_bill_line(f"{expense}<Amount>{amount}</Amount>{job}</ExpenseLineAdd>"))[0]
        assert out.get("statusCode") == "3040", amount
    item = "<ItemLineAdd><ItemRef><FullName>06-100</FullName></ItemRef>"
    for quantity in ("NaN", "-Infinity", "1e2"):
        line = f"{item}<Quantity>{quantity}</Quantity><Cost>2.50</Cost>{job}</ItemLineAdd>"
        assert qb(_bill_line(line))[0].get("statusCode") == "3040", quantity
    line = f"{item}<Quantity>1.5</Quantity><Cost>2.125</Cost>{job}</ItemLineAdd>"
    added = qb(_bill_line(line))[0]
    assert added.get("statusCode") == "0", added.get("statusMessage")
    assert added.findtext("BillRet/AmountDue") == "3.19"


def test_dates_follow_the_schema_types(qb: Run) -> None:
    # DATETIMETYPE takes a numeric offset only; DATETYPE is YYYY-MM-DD (qbxmltypes130.xsd).
    def modified_since(when: str) -> str | None:
        return qb(
            f"<CustomerQueryRq><FromModifiedDate>{when}</FromModifiedDate></CustomerQueryRq>"
        )[0].get("statusCode")

    assert modified_since("2026-11-01T09:00:00+00:00") in ("0", "1")
    assert modified_since("2026-11-01") in ("0", "1")
    for when in ("2026-11-01T09:00:00Z", "2026-11-01T09:00:00.5+00:00", "20261101"):
        assert modified_since(when) == "3020", when
    bill = _bill_line(
        "<ExpenseLineAdd><AccountRef><FullName>Job Materials</FullName></AccountRef>"
        "<Amount>1.00</Amount></ExpenseLineAdd>"
    ).replace("<RefNumber>", "<TxnDate>2026-W45-1</TxnDate><RefNumber>")
    assert qb(bill)[0].get("statusCode") == "3020"
