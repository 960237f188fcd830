"""The Web Connector's SOAP requests are what lxml writes for the envelope tree, byte for byte."""

from __future__ import annotations

import pytest
from lxml import etree

from procore_qb.sandbox.qbd import ManualClock, open_simulator
from procore_qb.sandbox.qbd.webconnector import HCP_REQUEST, NAMESPACE, SOAP_ENV, envelope


def _tree(method: str, *args: tuple[str, str]) -> bytes:
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
    wrapper = etree.SubElement(body, f"{{{NAMESPACE}}}{method}", nsmap={None: NAMESPACE})  # type: ignore[dict-item]
    for name, value in args:
        etree.SubElement(wrapper, f"{{{NAMESPACE}}}{name}").text = value
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def test_envelopes_are_written_as_lxml_writes_them() -> None:
    simulator = open_simulator(None, ManualClock())
    answer = simulator.processor.process(
        HCP_REQUEST.replace(
            '<HostQueryRq requestID="1"/>',
            "<BillQueryRq><IncludeLineItems>true</IncludeLineItems></BillQueryRq>",
        )
    )
    simulator.company.close()
    cases: list[tuple[str, tuple[tuple[str, str], ...]]] = [
        ("serverVersion", ()),
        ("clientVersion", (("strVersion", "2.3.0.215"),)),
        ("authenticate", (("strUserName", "a&b"), ("strPassword", "<p>\"'"))),
        ("receiveResponseXML", (("ticket", "t"), ("response", answer), ("hresult", ""))),
        ("sendRequestXML", (("strHCPResponse", answer), ("strCompanyFileName", "C:\\é €𝄞"))),
        ("connectionError", (("message", "a\r\nb\tc ]]> &amp; &#13; \x7f"),)),
    ]
    for method, args in cases:
        assert envelope(method, *args) == _tree(method, *args), method


@pytest.mark.parametrize(
    ("value", "error"),
    [("bell \x07", ValueError), ("\ufffe", ValueError), ("lone \ud800", UnicodeEncodeError)],
)
def test_texts_xml_cannot_hold_are_refused_alike(value: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        _tree("getLastError", ("ticket", value))
    with pytest.raises(error):
        envelope("getLastError", ("ticket", value))
