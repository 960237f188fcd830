"""qbXML envelopes, safe parsing and the status-to-exception mapping."""

from __future__ import annotations

import pytest

from procore_qb.quickbooks.desktop.errors import (
    InvalidParentReference,
    InvalidReference,
    NameInUse,
    NoMatch,
    QbxmlBuildError,
    QbxmlParseError,
    QuickBooksStatusError,
    StaleEditSequence,
    status_error,
)
from procore_qb.quickbooks.desktop.qbxml.message import (
    OutgoingRequest,
    build_message,
    parse_response_message,
)
from procore_qb.quickbooks.desktop.qbxml.parsing import parse_xml
from procore_qb.quickbooks.desktop.qbxml.requests import CustomerQuery, HostQuery


def test_message_carries_version_on_error_and_request_ids() -> None:
    text = build_message(
        [OutgoingRequest("a.0.0", HostQuery()), OutgoingRequest("b.0.0", CustomerQuery())],
        version="8.0",
    )
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="8.0"?>')
    root = parse_xml(text)
    msgs = root.find("QBXMLMsgsRq")
    assert msgs is not None
    assert msgs.get("onError") == "continueOnError"
    assert [rq.get("requestID") for rq in msgs] == ["a.0.0", "b.0.0"]


@pytest.mark.parametrize(
    ("requests", "version", "fragment"),
    [
        ([], "13.0", "at least one request"),
        ([OutgoingRequest("x", HostQuery())], "thirteen", "not of the form"),
        ([OutgoingRequest("x", HostQuery()), OutgoingRequest("x", HostQuery())], "13.0", "twice"),
        ([OutgoingRequest("x" * 51, HostQuery())], "13.0", "1060"),
        ([OutgoingRequest("x", HostQuery(), iterator="Start")], "13.0", "does not support"),
        ([OutgoingRequest("x", CustomerQuery(), iterator="Continue")], "13.0", "iteratorID"),
    ],
)
def test_bad_messages_are_refused_with_the_rule(
    requests: list[OutgoingRequest], version: str, fragment: str
) -> None:
    with pytest.raises(QbxmlBuildError, match=fragment):
        build_message(requests, version=version)


RESPONSE = """<?xml version="1.0" encoding="windows-1252"?>
<QBXML><QBXMLMsgsRs>
<CustomerQueryRs requestID="k.0.0" statusCode="0" statusSeverity="Info" statusMessage="Status OK"
 retCount="1" iteratorRemainingCount="4" iteratorID="{84ff5521-205d-46b6-9d44-7b6b9acb7165}">
<CustomerRet><ListID>1-1</ListID><EditSequence>1</EditSequence><Name>Caf\u00e9</Name></CustomerRet>
</CustomerQueryRs>
<CustomerAddRs requestID="k.1.0" statusCode="3100" statusSeverity="Error"
 statusMessage="The name &quot;Caf\u00e9&quot; of the list element is already in use."/>
</QBXMLMsgsRs></QBXML>"""


def test_response_parsing_reads_status_iterator_and_rets() -> None:
    query, add = parse_response_message(RESPONSE).responses
    assert (query.request_type, query.request_id, query.status_code) == (
        "CustomerQuery",
        "k.0.0",
        0,
    )
    assert (query.ret_count, query.iterator_remaining) == (1, 4)
    assert query.iterator_id == "{84ff5521-205d-46b6-9d44-7b6b9acb7165}"
    assert query.rets[0].findtext("Name") == "Caf\u00e9"
    assert query.error is None
    error = add.error
    assert isinstance(error, NameInUse)
    assert error.code == 3100
    assert error.request_id == "k.1.0"
    assert str(error) == 'The name "Caf\u00e9" of the list element is already in use.'
    with pytest.raises(NameInUse):
        add.raise_for_status()


def test_windows_1252_bytes_are_decoded_by_their_declaration() -> None:
    raw = RESPONSE.encode("cp1252")
    (query, _) = parse_response_message(raw).responses
    assert query.rets[0].findtext("Name") == "Caf\u00e9"


@pytest.mark.parametrize(
    ("code", "severity", "expected"),
    [
        (0, "Info", None),
        (1, "Info", NoMatch),
        (500, "Warn", NoMatch),
        (530, "Warn", None),
        (3100, "Error", NameInUse),
        (3120, "Error", InvalidReference),
        (3130, "Error", InvalidParentReference),
        (3140, "Error", InvalidReference),
        (3200, "Error", StaleEditSequence),
        (3180, "Error", QuickBooksStatusError),
    ],
)
def test_status_codes_map_to_one_hierarchy(
    code: int, severity: str, expected: type[QuickBooksStatusError] | None
) -> None:
    error = status_error(code, severity, "text from QuickBooks", "r")
    if expected is None:
        assert error is None
    else:
        assert type(error) is expected
        assert str(error) == "text from QuickBooks"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("", "empty"),
        ("<QBXML><unclosed></QBXML>", "malformed"),
        (
            '<!DOCTYPE r [<!ENTITY e "boom">]><QBXML><QBXMLMsgsRs/></QBXML>',
            "document type",
        ),
        ("<QBXML><QBXMLMsgsRq/></QBXML>", "not a response"),
        ("<Other/>", "expected a <QBXML>"),
        ("<QBXML><QBXMLMsgsRs><CustomerQueryRs/></QBXMLMsgsRs></QBXML>", "statusCode"),
    ],
)
def test_unsafe_or_wrong_xml_is_refused(data: str, fragment: str) -> None:
    with pytest.raises(QbxmlParseError, match=fragment):
        parse_response_message(data)


def test_size_limit() -> None:
    with pytest.raises(QbxmlParseError, match="exceeds the limit"):
        parse_response_message("<QBXML>" + " " * 200 + "</QBXML>", max_bytes=100)
