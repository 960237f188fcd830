"""Hostile XML: the parsers refuse by structure after decoding and raise only their own
errors, whatever the bytes."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procore_qb.domain.commands import QueryJobs
from procore_qb.quickbooks.desktop.errors import QbxmlError, QbxmlParseError, SoapError
from procore_qb.quickbooks.desktop.gateway import DesktopGateway, parse_request_id
from procore_qb.quickbooks.desktop.qbxml.message import parse_response_message
from procore_qb.quickbooks.desktop.qbxml.parsing import XmlLimits, parse_xml
from procore_qb.quickbooks.desktop.qbxml.records import (
    read_customer,
    read_txn_lines,
)
from procore_qb.quickbooks.desktop.soap import parse_call

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DOCTYPE = '<?xml version="1.0" encoding="{}"?><!DOCTYPE r [<!ENTITY a "x">]><r>&a;</r>'


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_doctype_in_a_wide_encoding_is_refused_after_decoding(encoding: str) -> None:
    data = DOCTYPE.format(encoding.upper()).encode(encoding)
    with pytest.raises(QbxmlParseError, match="document type declaration"):
        parse_xml(data)


def test_utf32_is_not_read() -> None:
    with pytest.raises(QbxmlParseError):
        parse_xml(DOCTYPE.format("UTF-32").encode("utf-32"))


def test_a_doctype_in_utf7_is_refused_after_decoding() -> None:
    data = (
        b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE r +AFs-+ADw-!ENTITY a '
        b"+ACI-x+ACI-+AD4-+AF0-+AD4-+ADw-r+AD4-+ACY-a+ADs-+ADw-/r+AD4-"
    )
    with pytest.raises(QbxmlParseError):
        parse_xml(data)


def test_soap_with_an_entity_in_utf16_is_a_soap_error() -> None:
    body = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE e [<!ENTITY a "x">]>'
        '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>'
        '<authenticate xmlns="http://developer.intuit.com/"><strUserName>&a;</strUserName>'
        "</authenticate></e:Body></e:Envelope>"
    ).encode("utf-16")
    with pytest.raises(SoapError, match="document type declaration"):
        parse_call(body)


def test_too_many_elements_stop_the_parse_early() -> None:
    many = b"<r>" + b"<a/>" * 200_000 + b"</r>"
    with pytest.raises(QbxmlParseError, match="more than 1000 elements"):
        parse_xml(many, limits=XmlLimits(max_elements=1000))
    with pytest.raises(SoapError, match="more than 1000 elements"):
        parse_call(
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
            + b"<a/>" * 200_000
            + b"</s:Body></s:Envelope>"
        )


def test_deep_nesting_is_refused() -> None:
    deep = "<a>" * 65 + "</a>" * 65
    with pytest.raises(QbxmlParseError, match="deeper than 64"):
        parse_xml(deep)


def test_a_lone_surrogate_in_text_is_a_parse_error() -> None:
    with pytest.raises(QbxmlParseError, match="not a character"):
        parse_xml("<a>\ud800</a>")


def test_attribute_numbers_are_bounded() -> None:
    for attribute in ("statusCode", "retCount", "iteratorRemainingCount"):
        huge = "9" * 5000
        text = (
            '<QBXML><QBXMLMsgsRs><CustomerQueryRs statusCode="0" '
            f'{attribute}="{huge}"/></QBXMLMsgsRs></QBXML>'
        )
        if attribute == "statusCode":
            text = text.replace('statusCode="0" ', "")
        with pytest.raises(QbxmlParseError, match="32-bit integer"):
            parse_response_message(text)


def test_a_request_id_with_thousands_of_digits_is_not_ours() -> None:
    assert parse_request_id("k." + "1" * 5000 + ".0") is None
    assert parse_request_id("k.0." + "1" * 5000) is None
    assert parse_request_id("k" * 5000 + ".0.0") is None


def test_sublevel_and_amount_are_bounded() -> None:
    ret = parse_xml(
        "<CustomerRet><ListID>1</ListID><Name>A</Name>"
        f"<Sublevel>{'9' * 5000}</Sublevel></CustomerRet>"
    )
    with pytest.raises(QbxmlParseError, match="Sublevel"):
        read_customer(ret)
    for amount in ("1E+1000000", "1E+15", "9" * 16, "1E-1000000", "0." + "1" * 50):
        bill = parse_xml(
            "<BillRet><TxnID>T</TxnID><TxnDate>2026-01-01</TxnDate><ExpenseLineRet>"
            f"<TxnLineID>1</TxnLineID><Amount>{amount}</Amount></ExpenseLineRet></BillRet>"
        )
        with pytest.raises(QbxmlParseError):
            read_txn_lines(bill)


def test_an_iterator_answer_without_iterator_id_fails_only_its_command() -> None:
    gateway = DesktopGateway(page_size=50)
    command = QueryJobs(idempotency_key="k")
    part = gateway.parts(command)[0]
    assert part.iterates
    answer = parse_response_message(
        '<QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="k.0.0" statusCode="0" '
        'statusSeverity="Info" retCount="1" iteratorRemainingCount="10">'
        "<CustomerRet><ListID>1</ListID><Name>A</Name></CustomerRet>"
        "</CustomerQueryRs></QBXMLMsgsRs></QBXML>"
    ).responses[0]
    outcome = gateway.read_page(command, part, answer)
    assert not outcome.more
    assert outcome.partial.error is not None
    assert "iteratorID" in outcome.partial.error.message


def test_many_empty_elements_are_refused_quickly_and_without_the_whole_tree() -> None:
    """The 57 MiB body of empty elements: refused at the element limit, long before the end
    (the figure is a generous bound on a slow machine, not a benchmark)."""
    body = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        + b"<a/>" * (8 * 1024 * 1024)
        + b"</s:Body></s:Envelope>"
    )
    started = time.process_time()
    with pytest.raises(SoapError, match="elements"):
        parse_call(body)
    assert time.process_time() - started < 5


xml_text = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda tag, attrs, inner: f"<{tag}{attrs}>{inner}</{tag}>",
        st.sampled_from(["QBXML", "QBXMLMsgsRs", "CustomerQueryRs", "a"]),
        st.text(max_size=60),
        st.text(max_size=120),
    ),
)


@FAST
@given(st.one_of(st.binary(max_size=400), xml_text))
def test_parse_xml_raises_only_its_own_error(data: str | bytes) -> None:
    with contextlib.suppress(QbxmlParseError):
        parse_xml(data)


rs_attr = st.sampled_from(
    ["statusCode", "retCount", "iteratorRemainingCount", "requestID", "iteratorID"]
)
attr_value = st.one_of(
    st.integers().map(str),
    st.text(alphabet="0123456789+-eE.x \u00b2", max_size=30),
    st.just("9" * 5000),
)


@FAST
@given(st.dictionaries(rs_attr, attr_value, max_size=5), st.text(max_size=200))
def test_response_messages_raise_only_qbxml_errors(attrs: dict[str, str], inner: str) -> None:
    from xml.sax.saxutils import quoteattr

    attributes = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    text = f"<QBXML><QBXMLMsgsRs><CustomerQueryRs{attributes}>{inner}</CustomerQueryRs>"
    try:
        parsed = parse_response_message(text + "</QBXMLMsgsRs></QBXML>")
    except QbxmlError:
        return
    for rs in parsed.responses:
        parse_request_id(rs.request_id or "")


@FAST
@given(st.binary(max_size=600))
def test_parse_call_raises_only_soap_errors(data: bytes) -> None:
    envelope = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b'<clientVersion xmlns="http://developer.intuit.com/"><strVersion>'
    )
    for body in (data, envelope + data + b"</strVersion></clientVersion></s:Body></s:Envelope>"):
        try:
            call = parse_call(body)
        except SoapError:
            continue
        for name in ("qbXMLMajorVers", "qbXMLMinorVers"):
            with contextlib.suppress(SoapError):
                call.int_arg(name)
