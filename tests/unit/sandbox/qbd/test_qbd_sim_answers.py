"""Whole qbXML answers of the simulated company file, byte for byte, against recorded ones.

A scenario of adds, renames, voids, deletes and queries (transaction queries with lines, by ID,
with filters, with iterators paging, IncludeRetElement and metaData; list queries) runs on the
seeded company file, and every response message must equal the one recorded in
``recorded_answers/`` (names and memos carry ``&``, ``<``, ``>``, quotes and a carriage return,
so escaping is covered). Iterator IDs are random UUIDs: each one is replaced by its rank before
comparing. Regenerate the recordings only for an intended change of answers, with
``python -m tests.unit.sandbox.qbd.test_qbd_sim_answers``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from procore_qb.sandbox.qbd import ManualClock, QbdSimulator, open_simulator

RECORDED = Path(__file__).with_name("recorded_answers")
_ITERATOR_ID = re.compile(r"\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}")

VENDOR = 'O\'Brien &amp; Sons &lt;"Tools"&gt;'
JOB = 'Lot 7 &amp; "Annex" &lt;B&gt;'
ITEM = "Tile &amp; &lt;Grout&gt; 'x'"
MEMO = "Memo &amp; &lt;x&gt; \"q\" 'a'&#13;\nline2"
JOB_PATH = f"Greenleaf Properties:{JOB}"
MISSING_ID = "80FFFFFF-1793610000"


def _message(requests: str, on_error: str = "continueOnError") -> str:
    return (
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML>'
        f'<QBXMLMsgsRq onError="{on_error}">{requests}</QBXMLMsgsRq></QBXML>'
    )


def _ref(tag: str, full_name: str) -> str:
    return f"<{tag}><FullName>{full_name}</FullName></{tag}>"


def _lines(expense: str = "Job Materials", item: bool = True) -> str:
    text = (
        f"<ExpenseLineAdd>{_ref('AccountRef', expense)}<Amount>125.50</Amount>"
        f"<Memo>{MEMO}</Memo>{_ref('CustomerRef', JOB_PATH)}</ExpenseLineAdd>"
    )
    if item:
        text += (
            f'<ItemLineAdd>{_ref("ItemRef", ITEM)}<Desc>Desc &amp; &lt;&gt; "d"</Desc>'
            f"<Quantity>3</Quantity><Cost>12.50</Cost>{_ref('CustomerRef', JOB_PATH)}"
            "</ItemLineAdd>"
            f"<ItemLineAdd>{_ref('ItemRef', '06-100')}<Desc>Second</Desc><Amount>40.00</Amount>"
            f"{_ref('CustomerRef', 'Greenleaf Properties:Elm Court Apartments')}</ItemLineAdd>"
        )
    return text


class _Scenario:
    def __init__(self) -> None:
        self.clock = ManualClock()
        self.sim: QbdSimulator = open_simulator(None, self.clock)
        self.answers: list[tuple[str, str]] = []

    def run(self, name: str, requests: str, on_error: str = "continueOnError") -> etree._Element:
        text = self.sim.processor.process(_message(requests, on_error))
        self.answers.append((name, text))
        messages = etree.fromstring(text.encode()).find("QBXMLMsgsRs")
        assert messages is not None
        return messages

    def first(self, name: str, requests: str, field: str) -> str:
        value = self.run(name, requests)[0][0].findtext(field)
        assert value is not None
        return value


def _scenario() -> list[tuple[str, str]]:
    s = _Scenario()
    vendor_id = s.first(
        "01-vendor-add",
        f"<VendorAddRq><VendorAdd><Name>{VENDOR}</Name><CompanyName>{VENDOR}</CompanyName>"
        "</VendorAdd></VendorAddRq>",
        "ListID",
    )
    s.run(
        "02-job-and-item-add",
        f"<CustomerAddRq><CustomerAdd><Name>{JOB}</Name>"
        f"{_ref('ParentRef', 'Greenleaf Properties')}</CustomerAdd></CustomerAddRq>"
        f"<ItemServiceAddRq><ItemServiceAdd><Name>{ITEM}</Name><SalesOrPurchase>"
        f"<Desc>{MEMO}</Desc><Price>1.00</Price>{_ref('AccountRef', 'Job Materials')}"
        "</SalesOrPurchase></ItemServiceAdd></ItemServiceAddRq>",
    )
    s.clock.advance(60)
    bill_id = s.first(
        "03-bill-add",
        f"<BillAddRq><BillAdd>{_ref('VendorRef', VENDOR)}<TxnDate>2026-09-01</TxnDate>"
        f"<RefNumber>B&amp;1&lt;2&gt;</RefNumber><Memo>{MEMO}</Memo>{_lines()}"
        "</BillAdd></BillAddRq>",
        "TxnID",
    )
    s.run(
        "04-other-adds",
        f"<CheckAddRq><CheckAdd>{_ref('AccountRef', 'Checking')}"
        f"{_ref('PayeeEntityRef', VENDOR)}<RefNumber>C&amp;9</RefNumber>"
        f"<TxnDate>2026-09-02</TxnDate><Memo>{MEMO}</Memo>{_lines('Subcontractors')}"
        "</CheckAdd></CheckAddRq>"
        f"<CreditCardChargeAddRq><CreditCardChargeAdd>{_ref('AccountRef', 'Company Card')}"
        f"{_ref('PayeeEntityRef', VENDOR)}<TxnDate>2026-09-03</TxnDate>"
        f"<RefNumber>CC&lt;1</RefNumber><Memo>{MEMO}</Memo>{_lines(item=False)}"
        "</CreditCardChargeAdd></CreditCardChargeAddRq>"
        "<JournalEntryAddRq><JournalEntryAdd><TxnDate>2026-09-04</TxnDate>"
        f"<RefNumber>JE&gt;2</RefNumber><Memo>{MEMO}</Memo>"
        f"<JournalDebitLine>{_ref('AccountRef', 'Job Materials')}<Amount>75.25</Amount>"
        f"<Memo>{MEMO}</Memo>{_ref('EntityRef', JOB_PATH)}</JournalDebitLine>"
        f"<JournalCreditLine>{_ref('AccountRef', 'Subcontractors')}<Amount>75.25</Amount>"
        "<Memo>credit</Memo></JournalCreditLine></JournalEntryAdd></JournalEntryAddRq>"
        f"<VendorCreditAddRq><VendorCreditAdd>{_ref('VendorRef', VENDOR)}"
        f"<TxnDate>2026-09-05</TxnDate><RefNumber>VC&quot;3</RefNumber><Memo>{MEMO}</Memo>"
        f"{_lines()}</VendorCreditAdd></VendorCreditAddRq>",
    )
    s.clock.advance(60)
    vendor_seq = s.first(
        "05-vendor-query", f"<VendorQueryRq><ListID>{vendor_id}</ListID></VendorQueryRq>",
        "EditSequence",
    )  # fmt: skip
    s.clock.advance(60)
    s.run(
        "06-vendor-rename",
        f"<VendorModRq><VendorMod><ListID>{vendor_id}</ListID><EditSequence>{vendor_seq}"
        '</EditSequence><Name>Renamed &amp; &lt;Co&gt; "R"</Name></VendorMod></VendorModRq>',
    )
    with_lines = "<IncludeLineItems>true</IncludeLineItems>"
    start = s.run(
        "07-bill-iterator-start",
        f'<BillQueryRq requestID="a&amp;&lt;&quot;" iterator="Start"><MaxReturned>2'
        f"</MaxReturned>{with_lines}</BillQueryRq>",
    )
    iterator_id = start[0].get("iteratorID")
    s.run(
        "08-bill-iterator-continue",
        f'<BillQueryRq iterator="Continue" iteratorID="{iterator_id}"><MaxReturned>1'
        f"</MaxReturned>{with_lines}</BillQueryRq>"
        f'<BillQueryRq iterator="Continue" iteratorID="{iterator_id}">{with_lines}</BillQueryRq>'
        f'<BillQueryRq iterator="Continue" iteratorID="{iterator_id}">{with_lines}</BillQueryRq>',
    )
    s.run(
        "09-bill-queries",
        "<BillQueryRq><MaxReturned>3</MaxReturned></BillQueryRq>"
        f"<BillQueryRq>{with_lines}<IncludeRetElement>TxnID</IncludeRetElement>"
        "<IncludeRetElement>VendorRef</IncludeRetElement><IncludeRetElement>ItemLineRet"
        "</IncludeRetElement></BillQueryRq>"
        f'<BillQueryRq metaData="MetaDataOnly">{with_lines}</BillQueryRq>'
        f'<BillQueryRq metaData="MetaDataAndResponseData"><TxnID>{bill_id}</TxnID>'
        f"<TxnID>{MISSING_ID}</TxnID>{with_lines}</BillQueryRq>"
        f"<BillQueryRq><RefNumber>b&amp;1&lt;2&gt;</RefNumber>{with_lines}</BillQueryRq>"
        f"<BillQueryRq><RefNumberCaseSensitive>ACS-1001</RefNumberCaseSensitive>{with_lines}"
        "</BillQueryRq>"
        "<BillQueryRq><ModifiedDateRangeFilter><FromModifiedDate>2026-11-02T09:00:30+00:00"
        "</FromModifiedDate></ModifiedDateRangeFilter></BillQueryRq>"
        f"<BillQueryRq><EntityFilter><ListID>{vendor_id}</ListID></EntityFilter>{with_lines}"
        "</BillQueryRq>"
        "<BillQueryRq><EntityFilter><FullNameWithChildren>Greenleaf Properties"
        f"</FullNameWithChildren></EntityFilter>{with_lines}</BillQueryRq>"
        "<BillQueryRq><TxnDateRangeFilter><FromTxnDate>2026-08-01</FromTxnDate>"
        "</TxnDateRangeFilter></BillQueryRq>"
        "<BillQueryRq><PaidStatus>NotPaidOnly</PaidStatus></BillQueryRq>"
        "<BillQueryRq><PaidStatus>PaidOnly</PaidStatus></BillQueryRq>"
        "<BillQueryRq><RefNumberFilter><MatchCriterion>StartsWith</MatchCriterion>"
        "<RefNumber>acs</RefNumber></RefNumberFilter></BillQueryRq>",
    )
    s.run(
        "10-other-kinds",
        "".join(
            f"<{kind}QueryRq>{with_lines}</{kind}QueryRq><{kind}QueryRq/>"
            for kind in ("Check", "CreditCardCharge", "JournalEntry", "VendorCredit")
        ),
    )
    check_id = s.first(
        "11-check-query", "<CheckQueryRq><RefNumber>C&amp;9</RefNumber></CheckQueryRq>", "TxnID"
    )
    charge_id = s.first(
        "12-charge-query",
        "<CreditCardChargeQueryRq><RefNumber>CC&lt;1</RefNumber></CreditCardChargeQueryRq>",
        "TxnID",
    )
    s.clock.advance(60)
    s.run(
        "13-void-and-delete",
        f"<TxnVoidRq><TxnVoidType>Check</TxnVoidType><TxnID>{check_id}</TxnID></TxnVoidRq>"
        "<TxnDelRq><TxnDelType>CreditCardCharge</TxnDelType>"
        f"<TxnID>{charge_id}</TxnID></TxnDelRq>",
    )
    s.run(
        "14-after-void-and-delete",
        f"<CheckQueryRq>{with_lines}</CheckQueryRq><CreditCardChargeQueryRq>{with_lines}"
        "</CreditCardChargeQueryRq>"
        "<TxnDeletedQueryRq><TxnDelType>CreditCardCharge</TxnDelType><TxnDelType>Bill"
        "</TxnDelType></TxnDeletedQueryRq>"
        "<CheckQueryRq><ModifiedDateRangeFilter><FromModifiedDate>2026-11-02T09:03:30+00:00"
        f"</FromModifiedDate></ModifiedDateRangeFilter>{with_lines}</CheckQueryRq>",
    )
    journal = s.run(
        "15-journal-iterator",
        f'<JournalEntryQueryRq iterator="Start"><MaxReturned>1</MaxReturned>{with_lines}'
        "</JournalEntryQueryRq>",
    )
    journal_id = journal[0].get("iteratorID")
    s.run(
        "16-journal-iterator-rules",
        f'<JournalEntryQueryRq iterator="Continue" iteratorID="{journal_id}">'
        "</JournalEntryQueryRq>"
        f'<JournalEntryQueryRq iterator="Stop" iteratorID="{journal_id}">{with_lines}'
        "</JournalEntryQueryRq>"
        f'<JournalEntryQueryRq iterator="Continue" iteratorID="{journal_id}">{with_lines}'
        "</JournalEntryQueryRq>"
        '<VendorCreditQueryRq iterator="Start"><MaxReturned>5</MaxReturned></VendorCreditQueryRq>'
        '<BillQueryRq iterator="Start"><RefNumber>x</RefNumber></BillQueryRq>'
        '<BillQueryRq iterator="Start"><TxnDateRangeFilter><FromTxnDate>2030-01-01'
        "</FromTxnDate></TxnDateRangeFilter></BillQueryRq>",
    )
    vendors = s.run(
        "17-list-iterator",
        '<VendorQueryRq iterator="Start"><MaxReturned>1</MaxReturned></VendorQueryRq>'
        "<CustomerQueryRq><NameFilter><MatchCriterion>Contains</MatchCriterion>"
        "<Name>annex</Name></NameFilter></CustomerQueryRq>"
        "<ItemQueryRq><MaxReturned>2</MaxReturned></ItemQueryRq>",
    )
    vendor_iterator = vendors[0].get("iteratorID")
    s.run(
        "18-list-iterator-continue",
        f'<VendorQueryRq iterator="Continue" iteratorID="{vendor_iterator}">'
        "<MaxReturned>2</MaxReturned></VendorQueryRq>"
        f'<VendorQueryRq iterator="Continue" iteratorID="{vendor_iterator}"/>'
        f'<VendorQueryRq iterator="Continue" iteratorID="{vendor_iterator}">'
        "<MaxReturned>1</MaxReturned></VendorQueryRq>"
        f'<VendorQueryRq iterator="Continue" iteratorID="{vendor_iterator}"/>',
    )
    s.run(
        "19-bill-mod-answer",
        f"<BillQueryRq><TxnID>{bill_id}</TxnID><TxnID>{MISSING_ID}</TxnID></BillQueryRq>"
        f"<BillQueryRq><TxnID>{MISSING_ID}</TxnID></BillQueryRq>"
        "<BillQueryRq><TxnID>not-an-id</TxnID></BillQueryRq>",
    )
    s.sim.company.close()
    return s.answers


def _normalised(text: str) -> str:
    ranks: dict[str, str] = {}

    def rank(match: re.Match[str]) -> str:
        return ranks.setdefault(match.group(0), f"{{iterator-{len(ranks) + 1}}}")

    return _ITERATOR_ID.sub(rank, text)


def _recorded() -> Iterator[tuple[str, str]]:
    for path in sorted(RECORDED.glob("*.xml")):
        yield path.stem, path.read_bytes().decode("utf-8")


def test_answers_are_the_recorded_ones_byte_for_byte() -> None:
    answers = [(name, _normalised(text)) for name, text in _scenario()]
    recorded = list(_recorded())
    assert [name for name, _ in answers] == [name for name, _ in recorded]
    for (name, text), (_, expected) in zip(answers, recorded, strict=True):
        assert text == expected, name


def test_the_recordings_hold_what_the_scenario_covers() -> None:
    whole = "".join(text for _, text in _recorded())
    for tag in ("BillRet", "CheckRet", "CreditCardChargeRet", "JournalEntryRet"):
        assert f"<{tag}>" in whole
    assert "<VendorCreditRet>" in whole
    assert "<ExpenseLineRet>" in whole
    assert "<ItemLineRet>" in whole
    assert "&amp;" in whole
    assert "&lt;" in whole
    assert "&gt;" in whole
    assert "&#13;" in whole
    assert 'iteratorRemainingCount="1"' in whole
    assert 'statusCode="3175"' in whole
    assert 'statusCode="500"' in whole
    assert "Renamed &amp; &lt;Co&gt;" in whole


def _record() -> None:
    RECORDED.mkdir(exist_ok=True)
    for path in RECORDED.glob("*.xml"):
        path.unlink()
    for name, text in _scenario():
        (RECORDED / f"{name}.xml").write_bytes(_normalised(text).encode("utf-8"))


if __name__ == "__main__":
    _record()
