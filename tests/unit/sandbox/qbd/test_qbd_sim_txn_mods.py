"""Changing transactions: header fields, line Mods, EditSequence, totals, incremental queries."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from procore_qb.sandbox.qbd import ManualClock

Run = Callable[..., etree._Element]


def bill(qb: Run, ref: str) -> etree._Element:
    found = qb(
        f"<BillQueryRq><RefNumber>{ref}</RefNumber><IncludeLineItems>true</IncludeLineItems>"
        "</BillQueryRq>"
    )[0].find("BillRet")
    assert found is not None
    return found


def head(ret: etree._Element) -> str:
    return (
        f"<TxnID>{ret.findtext('TxnID')}</TxnID><EditSequence>{ret.findtext('EditSequence')}"
        "</EditSequence>"
    )


def test_header_change_keeps_lines_and_moves_time_modified(qb: Run, clock: ManualClock) -> None:
    before = bill(qb, "ACS-1001")
    clock.advance(120)
    out = qb(f"<BillModRq><BillMod>{head(before)}<Memo>Checked</Memo></BillMod></BillModRq>")[0]
    assert out.get("statusCode") == "0"
    after = out.find("BillRet")
    assert after is not None
    assert after.findtext("Memo") == "Checked"
    assert len(after.findall("ItemLineRet")) == 2
    assert after.findtext("AmountDue") == "14350.00"
    assert after.findtext("EditSequence") != before.findtext("EditSequence")
    assert after.findtext("TimeModified") != before.findtext("TimeModified")
    stale = qb(f"<BillModRq><BillMod>{head(before)}<Memo>Again</Memo></BillMod></BillModRq>")[0]
    assert stale.get("statusCode") == "3200"


def test_line_mods_change_add_and_drop_lines(qb: Run, clock: ManualClock) -> None:
    before = bill(qb, "ACS-1001")
    first, second = before.findall("ItemLineRet")
    clock.advance(60)
    watermark = clock.now().isoformat()
    clock.advance(60)
    out = qb(
        f"<BillModRq><BillMod>{head(before)}"
        f"<ItemLineMod><TxnLineID>{first.findtext('TxnLineID')}</TxnLineID>"
        "<Amount>13000.00</Amount></ItemLineMod>"
        "<ItemLineMod><TxnLineID>-1</TxnLineID><ItemRef><FullName>02-200</FullName></ItemRef>"
        "<Quantity>4</Quantity><Cost>25.00</Cost><CustomerRef><FullName>"
        "Greenleaf Properties:Elm Court Apartments</FullName></CustomerRef></ItemLineMod>"
        "</BillMod></BillModRq>"
    )[0]
    assert out.get("statusCode") == "0", out.get("statusMessage")
    lines = out.findall("BillRet/ItemLineRet")
    assert [line.findtext("ItemRef/FullName") for line in lines] == ["03-300", "02-200"]
    assert lines[0].findtext("TxnLineID") == first.findtext("TxnLineID")
    assert lines[0].findtext("CustomerRef/FullName") == "Greenleaf Properties:Elm Court Apartments"
    assert lines[1].findtext("Amount") == "100.00"
    assert second.findtext("TxnLineID") not in [line.findtext("TxnLineID") for line in lines]
    assert out.findtext("BillRet/AmountDue") == "13100.00"
    changed = qb(
        "<BillQueryRq><ModifiedDateRangeFilter><FromModifiedDate>"
        f"{watermark}</FromModifiedDate></ModifiedDateRangeFilter></BillQueryRq>"
    )[0]
    assert [ret.findtext("RefNumber") for ret in changed] == ["ACS-1001"]


def test_clear_item_lines(qb: Run) -> None:
    before = bill(qb, "VP-330")
    out = qb(
        f"<BillModRq><BillMod>{head(before)}<ClearItemLines>true</ClearItemLines>"
        "</BillMod></BillModRq>"
    )[0]
    assert out.find("BillRet/ItemLineRet") is None
    assert out.findtext("BillRet/AmountDue") == "0.00"


def test_unknown_line_is_3120(qb: Run) -> None:
    before = bill(qb, "VP-330")
    out = qb(
        f"<BillModRq><BillMod>{head(before)}<ItemLineMod><TxnLineID>80009999-1</TxnLineID>"
        "<Amount>1.00</Amount></ItemLineMod></BillMod></BillModRq>"
    )[0]
    assert out.get("statusCode") == "3120"


def test_journal_entry_mod_must_stay_balanced(qb: Run) -> None:
    entry = qb(
        "<JournalEntryQueryRq><IncludeLineItems>true</IncludeLineItems></JournalEntryQueryRq>"
    )[0].find("JournalEntryRet")
    assert entry is not None
    debit = entry.findtext("JournalDebitLine/TxnLineID")
    credit = entry.findtext("JournalCreditLine/TxnLineID")
    lopsided = qb(
        f"<JournalEntryModRq><JournalEntryMod>{head(entry)}<JournalLineMod><TxnLineID>{debit}"
        "</TxnLineID><Amount>900.00</Amount></JournalLineMod><JournalLineMod><TxnLineID>"
        f"{credit}</TxnLineID></JournalLineMod></JournalEntryMod></JournalEntryModRq>"
    )[0]
    assert lopsided.get("statusCode") == "3180"
    balanced = qb(
        f"<JournalEntryModRq><JournalEntryMod>{head(entry)}<JournalLineMod><TxnLineID>{debit}"
        "</TxnLineID><Amount>900.00</Amount></JournalLineMod><JournalLineMod><TxnLineID>"
        f"{credit}</TxnLineID><Amount>900.00</Amount></JournalLineMod></JournalEntryMod>"
        "</JournalEntryModRq>"
    )[0]
    assert balanced.get("statusCode") == "0"
    assert balanced.findtext("JournalEntryRet/JournalDebitLine/Amount") == "900.00"
    assert (
        balanced.findtext("JournalEntryRet/JournalDebitLine/EntityRef/FullName")
        == "Greenleaf Properties:Elm Court Apartments"
    )


def test_item_groups_are_refused_not_dropped(qb: Run) -> None:
    out = qb(
        "<BillAddRq><BillAdd><VendorRef><FullName>Valley Plumbing</FullName></VendorRef>"
        "<ItemGroupLineAdd><ItemGroupRef><FullName>Kit</FullName></ItemGroupRef>"
        "</ItemGroupLineAdd></BillAdd></BillAddRq>"
    )[0]
    assert out.get("statusCode") == "3250"


def test_a_void_keeps_the_transaction_with_zero_amounts(qb: Run, clock: ManualClock) -> None:
    before = bill(qb, "ACS-1001")
    clock.advance(60)
    watermark = clock.now().isoformat()
    clock.advance(60)
    out = qb(
        f"<TxnVoidRq><TxnVoidType>Bill</TxnVoidType><TxnID>{before.findtext('TxnID')}</TxnID>"
        "</TxnVoidRq>"
    )[0]
    assert out.get("statusCode") == "0"
    assert [c.tag for c in out] == [
        "TxnVoidType",
        "TxnID",
        "TimeCreated",
        "TimeModified",
        "RefNumber",
    ]
    after = bill(qb, "ACS-1001")
    assert [line.findtext("Amount") for line in after.findall("ItemLineRet")] == ["0.00", "0.00"]
    assert after.findtext("AmountDue") == "0.00"
    assert (after.findtext("Memo") or "").startswith("VOID:")
    assert after.findtext("EditSequence") != before.findtext("EditSequence")
    # A void is a change: a modified-date query after the watermark finds it.
    changed = qb(
        "<BillQueryRq><ModifiedDateRangeFilter><FromModifiedDate>"
        f"{watermark}</FromModifiedDate></ModifiedDateRangeFilter></BillQueryRq>"
    )[0]
    assert [r.findtext("RefNumber") for r in changed.findall("BillRet")] == ["ACS-1001"]


def test_a_void_needs_the_transaction_of_that_type(qb: Run) -> None:
    txn_id = bill(qb, "ACS-1001").findtext("TxnID")
    wrong_type = qb(
        f"<TxnVoidRq><TxnVoidType>Check</TxnVoidType><TxnID>{txn_id}</TxnID></TxnVoidRq>"
    )[0]
    assert wrong_type.get("statusCode") == "3120"
    not_an_id = qb("<TxnVoidRq><TxnVoidType>Bill</TxnVoidType><TxnID>x</TxnID></TxnVoidRq>")[0]
    assert not_an_id.get("statusCode") == "3000"
