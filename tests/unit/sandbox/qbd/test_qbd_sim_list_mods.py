"""Changing items and vendors, and renames showing wherever they are referred to."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

Run = Callable[..., etree._Element]


def one(qb: Run, query: str, ret: str) -> etree._Element:
    found = qb(query)[0].find(ret)
    assert found is not None
    return found


def ids(ret: etree._Element) -> str:
    return (
        f"<ListID>{ret.findtext('ListID')}</ListID>"
        f"<EditSequence>{ret.findtext('EditSequence')}</EditSequence>"
    )


def test_renaming_a_cost_code_item_shows_in_bills(qb: Run) -> None:
    item = one(
        qb, "<ItemServiceQueryRq><FullName>03-300</FullName></ItemServiceQueryRq>", "ItemServiceRet"
    )
    out = qb(
        f"<ItemServiceModRq><ItemServiceMod>{ids(item)}<Name>03-310</Name>"
        "<SalesAndPurchaseMod><PurchaseDesc>Cast-in-place concrete</PurchaseDesc>"
        "</SalesAndPurchaseMod></ItemServiceMod></ItemServiceModRq>"
    )[0]
    assert out.get("statusCode") == "0", out.get("statusMessage")
    assert out.findtext("ItemServiceRet/FullName") == "03-310"
    sales = out.find("ItemServiceRet/SalesAndPurchase")
    assert sales is not None
    assert sales.findtext("PurchaseDesc") == "Cast-in-place concrete"
    assert sales.findtext("SalesDesc") == "Concrete"  # untouched fields stay
    assert sales.findtext("ExpenseAccountRef/FullName") == "Subcontractors"
    bill = one(
        qb,
        "<BillQueryRq><RefNumber>ACS-1001</RefNumber><IncludeLineItems>true</IncludeLineItems>"
        "</BillQueryRq>",
        "BillRet",
    )
    assert bill.findtext("ItemLineRet/ItemRef/FullName") == "03-310"


def test_item_rename_collision_is_3100(qb: Run) -> None:
    item = one(
        qb, "<ItemServiceQueryRq><FullName>03-300</FullName></ItemServiceQueryRq>", "ItemServiceRet"
    )
    out = qb(
        f"<ItemServiceModRq><ItemServiceMod>{ids(item)}<Name>Permits</Name></ItemServiceMod>"
        "</ItemServiceModRq>"
    )[0]
    assert out.get("statusCode") == "3100"


def test_sub_items_are_renamed_with_their_parent(qb: Run) -> None:
    out = qb(
        "<ItemServiceAddRq><ItemServiceAdd><Name>03-301</Name><ParentRef><FullName>03-300"
        "</FullName></ParentRef><SalesOrPurchase><Price>1.00</Price><AccountRef><FullName>"
        "Construction Income</FullName></AccountRef></SalesOrPurchase></ItemServiceAdd>"
        "</ItemServiceAddRq>"
    )[0]
    assert out.findtext("ItemServiceRet/FullName") == "03-300:03-301"
    parent = one(
        qb, "<ItemServiceQueryRq><FullName>03-300</FullName></ItemServiceQueryRq>", "ItemServiceRet"
    )
    qb(
        f"<ItemServiceModRq><ItemServiceMod>{ids(parent)}<Name>03-000</Name></ItemServiceMod>"
        "</ItemServiceModRq>"
    )
    child = one(
        qb,
        "<ItemServiceQueryRq><FullName>03-000:03-301</FullName></ItemServiceQueryRq>",
        "ItemServiceRet",
    )
    assert child.findtext("Sublevel") == "1"


def test_switching_an_item_form_is_refused(qb: Run) -> None:
    item = one(
        qb, "<ItemServiceQueryRq><FullName>01-100</FullName></ItemServiceQueryRq>", "ItemServiceRet"
    )
    out = qb(
        f"<ItemServiceModRq><ItemServiceMod>{ids(item)}<SalesOrPurchaseMod><Price>5.00</Price>"
        "</SalesOrPurchaseMod></ItemServiceMod></ItemServiceModRq>"
    )[0]
    assert out.get("statusSeverity") == "Error"


def test_vendor_rename_and_deactivate(qb: Run) -> None:
    vendor = one(
        qb, "<VendorQueryRq><FullName>Valley Plumbing</FullName></VendorQueryRq>", "VendorRet"
    )
    out = qb(
        f"<VendorModRq><VendorMod>{ids(vendor)}<Name>Valley Plumbing Inc</Name>"
        "<IsActive>false</IsActive></VendorMod></VendorModRq>"
    )[0]
    assert out.findtext("VendorRet/IsActive") == "false"
    bill = one(qb, "<BillQueryRq><RefNumber>VP-330</RefNumber></BillQueryRq>", "BillRet")
    assert bill.findtext("VendorRef/FullName") == "Valley Plumbing Inc"
    clash = qb(
        f"<VendorModRq><VendorMod><ListID>{vendor.findtext('ListID')}</ListID><EditSequence>"
        f"{out.findtext('VendorRet/EditSequence')}</EditSequence><Name>Harbor Holdings</Name>"
        "</VendorMod></VendorModRq>"
    )[0]
    assert clash.get("statusCode") == "3100"


def test_renaming_a_customer_shows_in_job_cost_lines(qb: Run) -> None:
    job = one(
        qb,
        "<CustomerQueryRq><FullName>Harbor Holdings:Pier 9 Restaurant</FullName></CustomerQueryRq>",
        "CustomerRet",
    )
    qb(
        f"<CustomerModRq><CustomerMod>{ids(job)}<Name>Pier 9 Bistro</Name></CustomerMod>"
        "</CustomerModRq>"
    )
    charge = one(
        qb,
        "<CreditCardChargeQueryRq><IncludeLineItems>true</IncludeLineItems>"
        "</CreditCardChargeQueryRq>",
        "CreditCardChargeRet",
    )
    assert charge.findtext("ItemLineRet/CustomerRef/FullName") == "Harbor Holdings:Pier 9 Bistro"
