"""The fast, streaming reading of qbXML responses gives what the reference reading gives (the
whole message through the tree parser and the element readers), on generated messages: for
cost lines, customers and items, whole or in chunks, and the same refusals."""

from __future__ import annotations

import dataclasses
import re
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from qbxml_gen import (
    JOBS,
    STATUS_OK,
    cost_message,
    customer,
    item,
    message,
    render,
    xml_text,
)

from procore_qb.domain.commands import JobCostLine, JobCostSource, QueryJobCosts
from procore_qb.quickbooks.desktop.errors import QbxmlParseError
from procore_qb.quickbooks.desktop.gateway import DesktopGateway
from procore_qb.quickbooks.desktop.qbxml import costs
from procore_qb.quickbooks.desktop.qbxml.message import (
    parse_response_message,
    parse_response_tree,
)
from procore_qb.quickbooks.desktop.qbxml.parsing import XmlLimits, parse_xml
from procore_qb.quickbooks.desktop.qbxml.records import (
    amount_value,
    read_customer,
    read_item,
    read_txn_lines,
)
from procore_qb.quickbooks.desktop.qbxml.scanner import RawRecord, scan

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOURCES = {
    "BillQuery": (JobCostSource.BILL, 1),
    "CheckQuery": (JobCostSource.CHECK, 1),
    "CreditCardChargeQuery": (JobCostSource.CREDIT_CARD_CHARGE, 1),
    "VendorCreditQuery": (JobCostSource.VENDOR_CREDIT, -1),
    "JournalEntryQuery": (JobCostSource.JOURNAL_ENTRY, 1),
}
WANTED = JOBS
COMMAND = QueryJobCosts(idempotency_key="k", job_ids=WANTED)
GATEWAY = DesktopGateway()


def exact(lines: list[JobCostLine]) -> list[tuple[Any, ...]]:
    """Lines compared exactly: Decimal('-0') and Decimal('0') (or 1.5 and 1.50) differ."""
    return [(*line[:5], str(line.amount), *line[6:]) for line in lines]


def reference_lines(doc: str) -> list[JobCostLine]:
    """The straightforward reading: the whole tree, the element reader, filter and sign."""
    root = parse_xml(doc)
    msgs = root.find("QBXMLMsgsRs")
    assert msgs is not None
    out = []
    for rs in msgs:
        source, sign = SOURCES[str(rs.tag)[:-2]]
        for ret in rs:
            for line in read_txn_lines(ret):
                if line.customer_id is None or line.customer_id not in WANTED:
                    continue
                out.append(
                    JobCostLine(
                        source=source,
                        txn_id=line.txn_id,
                        line_id=line.line_id,
                        txn_date=line.txn_date,
                        job_id=line.customer_id,
                        amount=line.amount * sign * (1 if line.debit else -1),
                        item_id=line.item_id,
                        account_id=line.account_id,
                        vendor_name=line.payee_name,
                        memo=line.memo,
                        ref_number=line.ref_number,
                        txn_memo=line.txn_memo,
                    )
                )
    return out


def outcome(read: Callable[[], list[JobCostLine]]) -> list[tuple[Any, ...]] | str:
    try:
        return exact(read())
    except QbxmlParseError:
        return "refused"


def chunked(text: str, cuts: list[int]) -> Iterator[str]:
    last = 0
    for cut in sorted(c % (len(text) + 1) for c in cuts):
        yield text[last:cut]
        last = cut
    yield text[last:]


def through_gateway(doc: str) -> list[JobCostLine]:
    parsed = parse_response_message(doc)
    part = GATEWAY.parts(COMMAND)[0]
    lines: list[JobCostLine] = []
    for response in parsed.responses:
        page = GATEWAY.read_page(COMMAND, part, response).partial
        if page.error is not None:
            raise QbxmlParseError(page.error.message)
        lines.extend(page.job_costs)
    return lines


@PROPERTY
@given(cost_message(), st.lists(st.integers(0, 10**6), max_size=6))
def test_cost_lines_equal_the_reference_whole_and_in_chunks(doc: str, cuts: list[int]) -> None:
    expected = outcome(lambda: reference_lines(doc))
    assert outcome(lambda: list(GATEWAY.stream_job_costs(COMMAND, doc))) == expected
    assert outcome(lambda: list(GATEWAY.stream_job_costs(COMMAND, chunked(doc, cuts)))) == expected
    as_bytes = (piece.encode() for piece in chunked(doc, cuts))
    assert outcome(lambda: list(GATEWAY.stream_job_costs(COMMAND, as_bytes))) == expected
    assert outcome(lambda: through_gateway(doc)) == expected


@PROPERTY
@given(cost_message(plain=True))
def test_plain_quickbooks_markup_is_read_without_the_tree_parser(doc: str) -> None:
    """What QuickBooks writes (schema order, no comments) never needs the fallback."""
    expected = outcome(lambda: reference_lines(doc))
    if expected == "refused":
        return
    for event in scan(doc):
        if isinstance(event, RawRecord):
            fast = costs._RECORDS[event.tag]
            assert fast.head.match(event.text, event.start, event.end) is not None, event.markup


def test_a_quickbooks_bill_is_read_fast_and_signed() -> None:
    bill = (
        "<BillRet>\n<TxnID>T-1</TxnID>\n<TimeCreated>2026-12-03T16:43:36+00:00</TimeCreated>\n"
        "<VendorRef>\n<ListID>V</ListID>\n<FullName>Ace &amp; Sons</FullName>\n</VendorRef>\n"
        "<TxnDate>2026-03-10</TxnDate>\n<Memo>March</Memo>\n"
        "<ExpenseLineRet>\n<TxnLineID>L1</TxnLineID>\n<AccountRef>\n<ListID>A-1</ListID>\n"
        "</AccountRef>\n<Amount>10.50</Amount>\n<CustomerRef>\n<ListID>J</ListID>\n"
        "</CustomerRef>\n</ExpenseLineRet>\n"
        "<ItemGroupLineRet>\n<TxnLineID>G</TxnLineID>\n<ItemGroupRef>\n<ListID>G</ListID>\n"
        "</ItemGroupRef>\n<TotalAmount>100.00</TotalAmount>\n<ItemLineRet>\n"
        "<TxnLineID>L3</TxnLineID>\n<Amount>100.00</Amount>\n<CustomerRef>\n<ListID>J</ListID>\n"
        "</CustomerRef>\n</ItemLineRet>\n</ItemGroupLineRet>\n"
        "<ItemLineRet>\n<TxnLineID>L2</TxnLineID>\n<ItemRef>\n<ListID>I-1</ListID>\n</ItemRef>\n"
        "<Desc>Pour</Desc>\n<Amount>1250.00</Amount>\n<CustomerRef>\n<ListID>J</ListID>\n"
        "</CustomerRef>\n</ItemLineRet>\n<OpenAmount>1360.50</OpenAmount>\n</BillRet>"
    )
    record = RawRecord("BillRet", bill, 0, len(bill))
    fast = costs.job_cost_lines(record, source=JobCostSource.VENDOR_CREDIT, sign=-1, wanted={"J"})
    assert [(line.line_id, str(line.amount), line.memo) for line in fast] == [
        ("L1", "-10.50", "March"),
        ("L2", "-1250.00", "Pour"),
        ("L3", "-100.00", "March"),
    ]
    assert {line.vendor_name for line in fast} == {"Ace & Sons"}
    reference = costs.reference_job_cost_lines(
        record, source=JobCostSource.VENDOR_CREDIT, sign=-1, wanted={"J"}
    )
    assert exact(fast) == exact(reference)


def test_a_journal_entry_line_has_no_vendor() -> None:
    """A journal line's EntityRef is who the line is for: on a line coded to a job, the
    customer:job itself. It is not a vendor, so the line carries none (as QuickBooks Online
    journal lines do), whichever reading takes it."""
    journal = (
        "<JournalEntryRet>\n<TxnID>T-9</TxnID>\n<TxnDate>2026-03-11</TxnDate>\n"
        "<RefNumber>JE-9</RefNumber>\n<Memo>Reclass</Memo>\n"
        "<JournalDebitLine>\n<TxnLineID>D</TxnLineID>\n<AccountRef>\n<ListID>A-1</ListID>\n"
        "</AccountRef>\n<Amount>75.00</Amount>\n<EntityRef>\n<ListID>J</ListID>\n"
        "<FullName>Greenleaf Properties:Elm Court Apartments</FullName>\n</EntityRef>\n"
        "</JournalDebitLine>\n"
        "<JournalCreditLine>\n<TxnLineID>C</TxnLineID>\n<AccountRef>\n<ListID>A-2</ListID>\n"
        "</AccountRef>\n<Amount>75.00</Amount>\n</JournalCreditLine>\n</JournalEntryRet>"
    )
    record = RawRecord("JournalEntryRet", journal, 0, len(journal))
    fast = costs.job_cost_lines(record, source=JobCostSource.JOURNAL_ENTRY, sign=1, wanted={"J"})
    assert [(line.line_id, str(line.amount), line.vendor_name) for line in fast] == [
        ("D", "75.00", "")
    ]
    reference = costs.reference_job_cost_lines(
        record, source=JobCostSource.JOURNAL_ENTRY, sign=1, wanted={"J"}
    )
    assert exact(fast) == exact(reference)


def test_lines_in_any_order_are_read_fast_in_the_reference_order() -> None:
    """Expense lines after item lines and groups (not qbxml130.xsd's order) are still read
    fast, and come out as the reference gives them: expenses, items, then grouped items."""

    def line(tag: str, line_id: str) -> str:
        ref = "<AccountRef><ListID>A</ListID></AccountRef>" if tag == "ExpenseLineRet" else ""
        return (
            f"<{tag}><TxnLineID>{line_id}</TxnLineID>{ref}<Amount>1.25</Amount>"
            f"<CustomerRef><ListID>J</ListID></CustomerRef></{tag}>"
        )

    group = (
        "<ItemGroupLineRet><TxnLineID>G</TxnLineID>"
        + line("ItemLineRet", "G1")
        + line("ItemLineRet", "G2")
        + "</ItemGroupLineRet>"
    )
    body = (
        line("ItemLineRet", "I1")
        + line("ExpenseLineRet", "E1")
        + group
        + line("ExpenseLineRet", "E2")
        + line("ItemLineRet", "I2")
        + line("ExpenseLineRet", "E3")
    )
    bill = f"<BillRet><TxnID>T</TxnID><TxnDate>2026-03-10</TxnDate>{body}</BillRet>"
    record = RawRecord("BillRet", bill, 0, len(bill))
    args: dict[str, Any] = {"source": JobCostSource.BILL, "sign": 1, "wanted": {"J"}}
    fast = costs._fast(record, costs._RECORDS["BillRet"], **args)
    assert [line.line_id for line in fast] == ["E1", "E2", "E3", "I1", "I2", "G1", "G2"]
    assert exact(fast) == exact(costs.reference_job_cost_lines(record, **args))


def _line_markup(tag: str, line_id: str, amount: str = "1.25") -> str:
    ref = "<AccountRef><ListID>A</ListID></AccountRef>" if tag == "ExpenseLineRet" else ""
    return (
        f"<{tag}><TxnLineID>{line_id}</TxnLineID>{ref}<Amount>{amount}</Amount>"
        f"<CustomerRef><ListID>J</ListID></CustomerRef></{tag}>"
    )


_GROUP_START = "<ItemGroupLineRet><TxnLineID>G</TxnLineID>"
_GROUP_END = "</ItemGroupLineRet>"


@pytest.mark.parametrize(
    ("body", "fast"),
    [
        # What qbxml130.xsd allows: read without the tree parser.
        (_line_markup("ItemLineRet", "I1") + _GROUP_START + _GROUP_END, True),
        ("\n  " + _line_markup("ExpenseLineRet", "E1") + "\n<OpenAmount>1.25</OpenAmount>\n", True),
        ("<OpenAmount>1.25</OpenAmount>", True),
        ("", True),
        (_line_markup("ItemLineRet", "I1", "  12.5 "), True),
        # What it does not allow, or what the fast reading leaves to the reference.
        (_GROUP_START + _line_markup("ExpenseLineRet", "E1") + _GROUP_END, False),
        (_GROUP_START + _GROUP_START + _GROUP_END + _GROUP_END, False),
        (_GROUP_END + _line_markup("ItemLineRet", "I1"), False),
        (_GROUP_START + _line_markup("ItemLineRet", "I1"), False),
        (
            _line_markup("ItemLineRet", "I1") + "<Unknown/>" + _line_markup("ItemLineRet", "I2"),
            False,
        ),
        ("<OpenAmount>1.25</OpenAmount>" + _line_markup("ItemLineRet", "I1"), False),
        (
            _line_markup("ItemLineRet", "I1")
            + "<OpenAmount>1</OpenAmount><OpenAmount>2</OpenAmount>",
            False,
        ),
        (_line_markup("ItemLineRet", "I1", "1e3"), True),  # amount_value reads it: the same
        (_line_markup("ItemLineRet", "I1", "abc"), False),
        (_line_markup("ItemLineRet", ""), False),
        ("text between" + _line_markup("ItemLineRet", "I1"), True),
    ],
)
def test_line_structure_is_read_as_the_reference_reads_it(body: str, fast: bool) -> None:
    """Lines, groups and the elements after them, in orders and shapes QuickBooks writes
    and does not write: the fast reading gives the reference's lines or its error, and takes
    only what it matches completely."""
    bill = f"<BillRet><TxnID>T</TxnID><TxnDate>2026-03-10</TxnDate>{body}</BillRet>"
    record = RawRecord("BillRet", bill, 0, len(bill))
    args: dict[str, Any] = {"source": JobCostSource.BILL, "sign": 1, "wanted": {"J"}}
    expected = outcome(lambda: costs.reference_job_cost_lines(record, **args))
    assert outcome(lambda: costs.job_cost_lines(record, **args)) == expected
    try:
        costs._fast(record, costs._RECORDS["BillRet"], **args)
        took = True
    except costs._Unread:
        took = False
    assert took == fast


def test_fast_lines_are_the_same_objects_the_constructor_makes() -> None:
    args = (
        JobCostSource.BILL,
        "T",
        "L",
        date(2026, 1, 2),
        "J",
        Decimal("-0.50"),
        None,
        "A",
        "V",
        "M",
        "R-1",
        "Memo of the transaction",
    )
    made = costs._line(*args)
    assert type(made) is JobCostLine
    assert made == JobCostLine(*args)
    assert made.amount == Decimal("-0.50")
    assert made.txn_memo == "Memo of the transaction"
    assert hash(made) == hash(JobCostLine(*args))
    with pytest.raises(AttributeError):
        made.memo = "x"  # type: ignore[misc]


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="0123456789.+-eE_ ", max_size=20),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.from_regex(r"[+-]?[0-9]{1,17}(\.[0-9]{0,12})?", fullmatch=True),
    )
)
def test_the_fast_amount_reads_what_amount_value_reads(raw: str) -> None:
    """An amount the line patterns take as plain is read with Decimal() alone: it must be
    one amount_value() reads the same way."""
    try:
        expected: Decimal | str = amount_value(raw, "Amount")
    except QbxmlParseError:
        expected = "refused"
    if re.fullmatch(costs._PLAIN, raw, re.ASCII):
        assert str(Decimal(raw)) == str(expected)
    try:
        got: Decimal | str = costs._amount(None, raw)
    except costs._Unread:
        got = "refused"
    assert str(got) == str(expected)


def records_of(doc: str) -> list[RawRecord]:
    return [r for rs in parse_response_message(doc).responses for r in rs.records]


def read_or_refuse(read: Callable[[], object]) -> object:
    try:
        return read()
    except QbxmlParseError:
        return "refused"


@PROPERTY
@given(
    st.lists(customer(), min_size=1, max_size=3).flatmap(
        lambda cs: st.tuples(*(render(c) for c in cs))
    )
)
def test_customers_equal_the_reference(rendered: tuple[str, ...]) -> None:
    doc = message([("CustomerQuery", STATUS_OK, "".join(rendered))])
    elements = list(parse_xml(doc).iter("CustomerRet"))
    fast = records_of(doc)
    assert len(fast) == len(elements)
    for record, element in zip(fast, elements, strict=True):
        assert read_or_refuse(lambda r=record: read_customer(r)) == read_or_refuse(
            lambda e=element: read_customer(e)
        )


@PROPERTY
@given(
    st.lists(item(), min_size=1, max_size=3).flatmap(
        lambda items: st.tuples(*(render(i) for i in items))
    )
)
def test_items_equal_the_reference(rendered: tuple[str, ...]) -> None:
    doc = message([("ItemServiceQuery", STATUS_OK, "".join(rendered))])
    elements = [el for rs in parse_xml(doc).iter("ItemServiceQueryRs") for el in rs]
    fast = records_of(doc)
    for record, element in zip(fast, elements, strict=True):
        assert read_or_refuse(lambda r=record: read_item(r)) == read_or_refuse(
            lambda e=element: read_item(e)
        )


@PROPERTY
@given(cost_message())
def test_the_message_envelope_equals_the_reference(doc: str) -> None:
    fast = parse_response_message(doc)
    tree = parse_response_tree(doc)
    strip = [dataclasses.replace(r, records=()) for r in fast.responses]
    assert strip == [dataclasses.replace(r, records=()) for r in tree.responses]
    assert [len(r.records) for r in fast.responses] == [len(r.records) for r in tree.responses]


# ----------------------------------------------------------------------------- hostile input

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE QBXML [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    '<QBXML><QBXMLMsgsRs><BillQueryRs statusCode="0"><BillRet><TxnID>&c;</TxnID>'
    "</BillRet></BillQueryRs></QBXMLMsgsRs></QBXML>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE QBXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<QBXML><QBXMLMsgsRs><BillQueryRs statusCode="0"><BillRet><TxnID>&x;</TxnID>'
    "</BillRet></BillQueryRs></QBXMLMsgsRs></QBXML>"
)
NETWORK_DTD = (
    '<?xml version="1.0"?><!DOCTYPE QBXML SYSTEM "http://127.0.0.1:9/evil.dtd">'
    "<QBXML><QBXMLMsgsRs/></QBXML>"
)


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, EXTERNAL, NETWORK_DTD])
def test_document_type_declarations_are_refused_by_every_reading(doc: str) -> None:
    for data in (doc, doc.encode(), doc.encode("utf-16"), iter([doc[:40], doc[40:]])):
        with pytest.raises(QbxmlParseError, match="document type declaration"):
            list(GATEWAY.stream_job_costs(COMMAND, data))
    with pytest.raises(QbxmlParseError, match="not UTF-8"):
        list(GATEWAY.stream_job_costs(COMMAND, iter([doc.encode("utf-16")])))
    with pytest.raises(QbxmlParseError, match="document type declaration"):
        parse_response_message(doc)


@pytest.mark.parametrize(
    ("inner", "fragment"),
    [
        ("<TxnID>&undefined;</TxnID>", "malformed XML"),
        ("<TxnID>&#0;</TxnID>", "malformed XML"),
        ("<TxnID>\x01</TxnID>", "invalid Char|U\\+0001"),
        ("<TxnID>a]]>b</TxnID>", "malformed XML"),
        ("<TxnID>x</TxnId>", "malformed XML"),
        ("<TxnID>x</TxnID><!-- </BillRet> -->", "-"),
    ],
)
def test_malformed_records_are_refused(inner: str, fragment: str) -> None:
    doc = message(
        [
            (
                "BillQuery",
                STATUS_OK,
                f"<BillRet>{inner}<TxnDate>2026-01-01</TxnDate>"
                "<ExpenseLineRet><TxnLineID>1</TxnLineID><Amount>1</Amount><CustomerRef>"
                f"<ListID>{JOBS[0]}</ListID></CustomerRef></ExpenseLineRet></BillRet>",
            )
        ]
    )
    if "<!--" in inner:  # a comment hiding an end tag is well-formed: read by the tree parser
        assert len(list(GATEWAY.stream_job_costs(COMMAND, doc))) == 1
        return
    with pytest.raises(QbxmlParseError, match=fragment):
        list(GATEWAY.stream_job_costs(COMMAND, doc))
    with pytest.raises(QbxmlParseError, match=fragment):
        list(GATEWAY.stream_job_costs(COMMAND, chunked(doc, [50, 90])))
    with pytest.raises(QbxmlParseError):
        through_gateway(doc)


def test_a_lone_surrogate_is_refused() -> None:
    with pytest.raises(QbxmlParseError, match="not a character"):
        list(scan("<QBXML><QBXMLMsgsRs>\ud800</QBXMLMsgsRs></QBXML>"))


def test_size_limits_hold_for_streams() -> None:
    doc = message([("BillQuery", STATUS_OK, "<BillRet>" + "x" * 5000 + "</BillRet>")])
    with pytest.raises(QbxmlParseError, match="exceeds the limit"):
        list(scan(chunked(doc, [100, 2000]), limits=XmlLimits(max_bytes=1000)))
    with pytest.raises(QbxmlParseError, match="longer than 1000 characters"):
        list(scan(chunked(doc, [100, 2000]), max_record_chars=1000))
    with pytest.raises(QbxmlParseError, match="longer than 1000 characters"):
        list(scan(doc, max_record_chars=1000))


def test_truncated_and_trailing_content_is_refused() -> None:
    doc = message([("BillQuery", STATUS_OK, "")])
    for bad in (doc[:-20], doc + "<x/>", "", "   ", "<QBXML>"):
        with pytest.raises(QbxmlParseError):
            list(scan(bad))
        with pytest.raises(QbxmlParseError):
            list(scan(chunked(bad, [3, 7])))


def test_unusual_envelopes_are_read_by_the_reference() -> None:
    """Namespaces, attributes on QBXML, other elements: the whole message goes to the tree
    parser, which reads it or refuses it with its own words."""
    odd = (
        '<QBXML a="1"><QBXMLMsgsRq/><QBXMLMsgsRs><BillQueryRs statusCode="0">'
        "<BillRet><TxnID>T</TxnID><TxnDate>2026-01-01</TxnDate></BillRet>"
        "</BillQueryRs></QBXMLMsgsRs></QBXML>"
    )
    (response,) = parse_response_message(odd).responses
    assert [r.tag for r in response.records] == ["BillRet"]
    with pytest.raises(QbxmlParseError, match="expected a <QBXML> document"):
        parse_response_message('<a:QBXML xmlns:a="urn:x"/>')
    with pytest.raises(QbxmlParseError):
        list(scan(odd))


def lines_of_a_big_message(count: int) -> Iterator[str]:
    yield '<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n<BillQueryRs ' + STATUS_OK + ">\n"
    for n in range(count):
        yield (
            f"<BillRet>\n<TxnID>T-{n}</TxnID>\n<TxnDate>2026-03-10</TxnDate>\n<ExpenseLineRet>\n"
            f"<TxnLineID>L-{n}</TxnLineID>\n<Amount>{n}.25</Amount>\n<CustomerRef>\n"
            f"<ListID>{JOBS[0]}</ListID>\n</CustomerRef>\n</ExpenseLineRet>\n</BillRet>\n"
        )
    yield "</BillQueryRs>\n</QBXMLMsgsRs>\n</QBXML>\n"


def test_streaming_memory_does_not_grow_with_the_message() -> None:
    """Peak memory while reading a message of 20,000 lines in chunks is that of a few
    chunks, far below the message itself (about 4 MB)."""
    limits = XmlLimits(max_bytes=1 << 40)
    tracemalloc.start()
    try:
        count = sum(
            1
            for _ in GATEWAY.stream_job_costs(
                COMMAND, lines_of_a_big_message(20_000), limits=limits
            )
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 1_000_000, peak


def test_rets_of_a_fast_response_are_parsed_elements() -> None:
    doc = message([("BillQuery", STATUS_OK, "<BillRet><TxnID>T</TxnID></BillRet>")])
    (response,) = parse_response_message(doc).responses
    (ret,) = response.rets
    assert isinstance(ret, etree._Element)
    assert ret.findtext("TxnID") == "T"


@pytest.mark.parametrize("cuts", [[], [60], [75, 80], list(range(0, 200, 7))])
def test_attribute_values_with_quotes_and_angle_brackets(cuts: list[int]) -> None:
    doc = message(
        [
            ("BillQuery", "requestID=\"k.0.0\" statusCode=\"500\" statusSeverity='Warn' "
             "statusMessage=\"The customer's bill &quot;B>1&quot; was not found.\"", ""),
        ]
    )  # fmt: skip
    (response,) = parse_response_message(doc).responses
    assert response.status_message == 'The customer\'s bill "B>1" was not found.'
    assert response == parse_response_tree(doc).responses[0]
    assert list(GATEWAY.stream_job_costs(COMMAND, chunked(doc, cuts))) == []


@st.composite
def attribute(draw: st.DrawFn, name: str, values: st.SearchStrategy[str]) -> str:
    value = draw(values)
    quote = draw(st.sampled_from(['"', "'"]))
    entity = "&quot;" if quote == '"' else "&apos;"
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(quote, entity)
    escaped = escaped.replace("\r", "&#13;")
    return f"{name}={quote}{escaped}{quote}"


@PROPERTY
@given(
    st.lists(
        st.tuples(
            attribute("statusCode", st.sampled_from(["0", "1", "500", " 3100 ", "x", "9" * 12])),
            attribute("statusMessage", xml_text),
            attribute("iteratorRemainingCount", st.sampled_from(["0", "12", "-1"])),
            attribute("requestID", xml_text),
            st.sampled_from([" ", "\n", "\t", "\r\n"]),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_response_attributes_equal_the_reference(
    heads: list[tuple[str, str, str, str, str]],
) -> None:
    doc = message([("BillQuery", space.join(attrs), "") for *attrs, space in heads])
    try:
        expected: object = parse_response_tree(doc)
    except QbxmlParseError:
        expected = "refused"
    try:
        got: object = parse_response_message(doc)
    except QbxmlParseError:
        got = "refused"
    assert got == expected
