"""Readers of CustomerRet, item, deleted and transaction records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from procore_qb.domain.quickbooks_job import JobStatus
from procore_qb.quickbooks.desktop.errors import QbxmlParseError
from procore_qb.quickbooks.desktop.qbxml.parsing import parse_xml
from procore_qb.quickbooks.desktop.qbxml.records import (
    read_customer,
    read_deleted,
    read_item,
    read_txn_lines,
)


def test_customer_ret_becomes_a_job() -> None:
    ret = parse_xml(
        "<CustomerRet><ListID>2-1</ListID><EditSequence>9</EditSequence><Name>Ridge</Name>"
        "<FullName>Summit:Ridge</FullName><IsActive>false</IsActive>"
        "<ParentRef><ListID>1-1</ListID><FullName>Summit</FullName></ParentRef>"
        "<Sublevel>1</Sublevel><BillAddress><Addr1>1 Main</Addr1><City>Boulder</City>"
        "</BillAddress><AccountNumber>24-017</AccountNumber><JobStatus>Awarded</JobStatus>"
        "<JobStartDate>2026-01-02</JobStartDate><ExternalGUID>{A}</ExternalGUID></CustomerRet>"
    )
    record = read_customer(ret)
    job = record.to_job()
    assert (job.id, job.version, job.parent_id, job.full_name) == (
        "2-1",
        "9",
        "1-1",
        "Summit:Ridge",
    )
    assert (job.number, job.status, job.active) == ("24-017", JobStatus.AWARDED, False)
    assert job.address.city == "Boulder"
    assert job.start_date == date(2026, 1, 2)
    assert record.external_guid == "{A}"
    assert record.sublevel == 1


@pytest.mark.parametrize(
    "xml",
    [
        "<CustomerRet><EditSequence>1</EditSequence><Name>A</Name></CustomerRet>",
        "<CustomerRet><ListID>1</ListID><EditSequence>1</EditSequence></CustomerRet>",
        "<CustomerRet><ListID>1</ListID><EditSequence>1</EditSequence><Name>A</Name>"
        "<JobStatus>Started</JobStatus></CustomerRet>",
        "<CustomerRet><ListID>1</ListID><EditSequence>1</EditSequence><Name>A</Name>"
        "<JobStartDate>soon</JobStartDate></CustomerRet>",
    ],
)
def test_malformed_customer_ret_is_refused(xml: str) -> None:
    with pytest.raises(QbxmlParseError):
        read_customer(parse_xml(xml))


def test_items_and_deleted_records() -> None:
    item = read_item(
        parse_xml(
            "<ItemOtherChargeRet><ListID>8-1</ListID><EditSequence>2</EditSequence>"
            "<Name>Permits</Name><FullName>01:Permits</FullName>"
            "<SalesOrPurchase><Desc>City permits</Desc></SalesOrPurchase></ItemOtherChargeRet>"
        )
    )
    assert (item.item_type, item.full_name, item.description) == (
        "other_charge",
        "01:Permits",
        "City permits",
    )
    gone = read_deleted(
        parse_xml("<TxnDeletedRet><TxnDelType>Bill</TxnDelType><TxnID>T-1</TxnID></TxnDeletedRet>")
    )
    assert (gone.kind, gone.id) == ("Bill", "T-1")


def test_bill_and_journal_lines() -> None:
    bill = parse_xml(
        "<BillRet><TxnID>T-1</TxnID><VendorRef><FullName>Ace</FullName></VendorRef>"
        "<TxnDate>2026-03-10</TxnDate><Memo>March</Memo>"
        "<ExpenseLineRet><TxnLineID>L1</TxnLineID><AccountRef><ListID>A-1</ListID></AccountRef>"
        "<Amount>10.50</Amount><CustomerRef><ListID>J-1</ListID></CustomerRef></ExpenseLineRet>"
        "<ItemGroupLineRet><ItemLineRet><TxnLineID>L2</TxnLineID><ItemRef><ListID>I-1</ListID>"
        "</ItemRef><Desc>Pour</Desc><Amount>100.00</Amount><CustomerRef><ListID>J-1</ListID>"
        "</CustomerRef></ItemLineRet></ItemGroupLineRet></BillRet>"
    )
    expense, item = read_txn_lines(bill)
    assert (expense.account_id, expense.amount, expense.memo) == ("A-1", Decimal("10.50"), "March")
    assert (item.item_id, item.customer_id, item.memo, item.payee_name) == (
        "I-1",
        "J-1",
        "Pour",
        "Ace",
    )
    journal = parse_xml(
        "<JournalEntryRet><TxnID>T-2</TxnID><TxnDate>2026-03-11</TxnDate>"
        "<JournalDebitLine><TxnLineID>D</TxnLineID><Amount>5</Amount>"
        "<EntityRef><ListID>J-1</ListID></EntityRef></JournalDebitLine>"
        "<JournalCreditLine><TxnLineID>C</TxnLineID><Amount>5</Amount></JournalCreditLine>"
        "</JournalEntryRet>"
    )
    debit, credit = read_txn_lines(journal)
    assert (debit.debit, debit.customer_id, credit.debit) == (True, "J-1", False)


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-inf", "ten"])
def test_an_amount_that_is_not_a_number_is_refused(amount: str) -> None:
    check = parse_xml(
        "<CheckRet><TxnID>T-3</TxnID><TxnDate>2026-03-12</TxnDate>"
        f"<ExpenseLineRet><TxnLineID>L</TxnLineID><Amount>{amount}</Amount>"
        "<CustomerRef><ListID>J-1</ListID></CustomerRef></ExpenseLineRet></CheckRet>"
    )
    with pytest.raises(QbxmlParseError, match="is not an amount"):
        read_txn_lines(check)
