"""SOAP 1.1 for the Web Connector: read a call, write its response or a fault.

Document/literal with the target namespace ``http://developer.intuit.com/``; each method's
arguments are wrapped in an element named after it and it answers
``<{method}Response><{method}Result>`` (spec quickbooks-api.md §B.10). Arguments are found by
local name, so a client that qualifies them differently (or names ``strCompanyFilename`` with
a lower-case n, as one popular server does) is still understood.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from procore_qb.quickbooks.desktop.errors import QbxmlParseError, SoapError
from procore_qb.quickbooks.desktop.qbxml.parsing import XmlLimits, parse_xml

__all__ = [
    "MAX_SOAP_BYTES",
    "METHODS",
    "QBWC_NAMESPACE",
    "SOAP_ENV",
    "SOAP_LIMITS",
    "SoapCall",
    "build_fault",
    "build_response",
    "parse_call",
]

QBWC_NAMESPACE = "http://developer.intuit.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
MAX_SOAP_BYTES = 64 * 1024 * 1024
MAX_INT_DIGITS = 9
"""An integer argument (``qbXMLMajorVers``) has at most this many digits."""

SOAP_LIMITS = XmlLimits(max_bytes=MAX_SOAP_BYTES, max_depth=32, max_elements=1_000)
"""A Web Connector call is an Envelope, a Body, the method and its (at most six) arguments;
the qbXML it carries is a string, parsed on its own. A thousand elements is generous."""

METHODS: dict[str, tuple[str, ...]] = {
    "serverVersion": ("strVersion",),
    "clientVersion": ("strVersion",),
    "authenticate": ("strUserName", "strPassword"),
    "sendRequestXML": (
        "ticket",
        "strHCPResponse",
        "strCompanyFileName",
        "qbXMLCountry",
        "qbXMLMajorVers",
        "qbXMLMinorVers",
    ),
    "receiveResponseXML": ("ticket", "response", "hresult", "message"),
    "connectionError": ("ticket", "hresult", "message"),
    "getLastError": ("ticket",),
    "closeConnection": ("ticket",),
}
"""The eight methods and their arguments, in WSDL order."""


@dataclass(frozen=True, slots=True)
class SoapCall:
    method: str
    args: dict[str, str]

    def arg(self, name: str) -> str:
        return self.args.get(name, "")

    def int_arg(self, name: str) -> int:
        raw = self.args.get(name, "").strip()
        if not raw:
            return 0
        digits = raw.removeprefix("-").removeprefix("+")
        if not (digits.isascii() and digits.isdecimal()) or len(digits) > MAX_INT_DIGITS:
            shown = raw if len(raw) <= 40 else f"{raw[:40]}... ({len(raw)} characters)"
            raise SoapError(
                f"{self.method}: {name} must be an integer of at most {MAX_INT_DIGITS} digits, "
                f"got {shown!r}"
            )
        return int(raw)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_call(body: bytes, *, max_bytes: int = MAX_SOAP_BYTES) -> SoapCall:
    """The method and arguments of a SOAP request body; :class:`SoapError` (and nothing
    else) when it is not one of the eight Web Connector calls."""
    try:
        root = parse_xml(body, max_bytes=max_bytes, limits=SOAP_LIMITS)
    except QbxmlParseError as exc:
        raise SoapError(f"the SOAP request is not readable XML: {exc}") from exc
    if _local(root.tag) != "Envelope" or etree.QName(root).namespace not in (SOAP_ENV, SOAP12_ENV):
        raise SoapError("expected a SOAP 1.1 Envelope")
    body_el = next((c for c in root if _local(c.tag) == "Body"), None)
    if body_el is None or len(body_el) == 0:
        raise SoapError("the SOAP Envelope has no Body call")
    call = body_el[0]
    method = _local(call.tag)
    names = METHODS.get(method)
    if names is None:
        shown = method if len(method) <= 80 else f"{method[:80]}..."
        raise SoapError(
            f"unknown Web Connector method {shown!r}; expected one of {', '.join(METHODS)}"
        )
    lower = {n.lower(): n for n in names}
    args: dict[str, str] = {}
    for child in call:
        name = lower.get(_local(child.tag).lower())
        if name is not None:
            args[name] = child.text or ""
    return SoapCall(method, args)


def _envelope() -> tuple[etree._Element, etree._Element]:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    return env, body


def build_response(method: str, result: str | int | Sequence[str]) -> bytes:
    """``<{method}Response><{method}Result>`` with a string, an int, or an ``ArrayOfString``."""
    env, body = _envelope()
    response = etree.SubElement(
        body,
        f"{{{QBWC_NAMESPACE}}}{method}Response",
        nsmap={None: QBWC_NAMESPACE},  # type: ignore[dict-item]
    )
    result_el = etree.SubElement(response, f"{{{QBWC_NAMESPACE}}}{method}Result")
    if isinstance(result, str):
        result_el.text = result
    elif isinstance(result, int):
        result_el.text = str(result)
    else:
        for value in result:
            etree.SubElement(result_el, f"{{{QBWC_NAMESPACE}}}string").text = value
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))


def build_fault(message: str, *, client: bool = True) -> bytes:
    """A SOAP 1.1 fault (``soap:Client`` for a request we cannot understand)."""
    env, body = _envelope()
    fault = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = "soap:Client" if client else "soap:Server"
    etree.SubElement(fault, "faultstring").text = message
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))
