"""qbXML message envelopes: a request message out, a response message in.

A request message is ``<?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError=...>`` holding one
element per request (spec quickbooks-api.md §B.1). A response message holds one ``*Rs`` per
request with ``requestID`` echoed and ``statusCode``/``statusSeverity``/``statusMessage``; query
responses add ``retCount``, ``iteratorID`` and ``iteratorRemainingCount`` (§B.6).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from procore_qb.quickbooks.desktop.errors import (
    QbxmlBuildError,
    QbxmlParseError,
    QuickBooksStatusError,
    status_error,
)
from procore_qb.quickbooks.desktop.qbxml.parsing import DEFAULT_MAX_BYTES, parse_xml
from procore_qb.quickbooks.desktop.qbxml.requests import Iterator, Request

__all__ = [
    "DEFAULT_QBXML_VERSION",
    "OnError",
    "OutgoingRequest",
    "Response",
    "ResponseMessage",
    "build_message",
    "parse_response_message",
]

DEFAULT_QBXML_VERSION = "13.0"
OnError = Literal["continueOnError", "stopOnError"]
_VERSION = re.compile(r"^(?:[A-Z]{2})?\d{1,2}\.\d$")


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    """One request of a message with the ``requestID`` that maps its response back."""

    request_id: str
    request: Request
    iterator: Iterator | None = None
    iterator_id: str | None = None


def build_message(
    requests: Sequence[OutgoingRequest],
    *,
    version: str = DEFAULT_QBXML_VERSION,
    on_error: OnError = "continueOnError",
) -> str:
    """The qbXML request message for ``requests``, as text with its declarations.

    ``version`` is the qbXML version announced (``13.0`` by default; older QuickBooks need an
    older one, spec §B.9). ``rollbackOnError`` is not offered: QuickBooks rejects it (§B.1).
    """
    if not _VERSION.match(version):
        raise QbxmlBuildError(f"qbXML version {version!r} is not of the form 13.0 (or CA3.0)")
    if not requests:
        raise QbxmlBuildError("a qbXML message needs at least one request")
    seen: set[str] = set()
    root = etree.Element("QBXML")
    msgs = etree.SubElement(root, "QBXMLMsgsRq", onError=on_error)
    for item in requests:
        if item.request_id in seen:
            raise QbxmlBuildError(f"requestID {item.request_id!r} appears twice in one message")
        seen.add(item.request_id)
        msgs.append(
            item.request.element(
                item.request_id, iterator=item.iterator, iterator_id=item.iterator_id
            )
        )
    body = etree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{version}"?>\n{body}'


@dataclass(frozen=True, slots=True)
class Response:
    """One ``*Rs`` element: its status, iterator state and ``*Ret`` children."""

    request_type: str
    request_id: str | None
    status_code: int
    status_severity: str
    status_message: str
    ret_count: int | None
    iterator_id: str | None
    iterator_remaining: int | None
    rets: tuple[etree._Element, ...]

    @property
    def error(self) -> QuickBooksStatusError | None:
        """The refusal as an exception (not raised), or None when QuickBooks succeeded."""
        return status_error(
            self.status_code, self.status_severity, self.status_message, self.request_id
        )

    @property
    def no_match(self) -> bool:
        """Status 1 ("no match") or 500 ("cannot be found"): an empty answer, not a failure."""
        return self.status_code in (1, 500)

    def raise_for_status(self) -> None:
        error = self.error
        if error is not None:
            raise error


@dataclass(frozen=True, slots=True)
class ResponseMessage:
    responses: tuple[Response, ...]
    new_message_set_id: str | None = None
    message_set_status_code: str | None = None


_INT = re.compile(r"^\s*[+-]?[0-9]{1,10}\s*$", re.ASCII)


def _int(el: etree._Element, name: str) -> int | None:
    """An attribute of qbXML INTTYPE (a 32-bit integer, qbxmltypes130.xsd), or None."""
    raw = el.get(name)
    if raw is None:
        return None
    if _INT.match(raw) is None or not -(2**31) <= int(raw) < 2**31:
        shown = raw if len(raw) <= 40 else f"{raw[:40]}... ({len(raw)} characters)"
        raise QbxmlParseError(f"<{el.tag}> {name}={shown!r} is not a 32-bit integer")
    return int(raw)


def parse_response_message(
    data: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ResponseMessage:
    """Parse a qbXML response message safely into its responses, in document order."""
    root = parse_xml(data, max_bytes=max_bytes)
    if root.tag != "QBXML":
        raise QbxmlParseError(f"expected a <QBXML> document, got <{root.tag}>")
    msgs = root.find("QBXMLMsgsRs")
    if msgs is None:
        raise QbxmlParseError("the qbXML document has no <QBXMLMsgsRs> (not a response)")
    responses: list[Response] = []
    for rs in msgs:
        if not rs.tag.endswith("Rs"):
            raise QbxmlParseError(f"unexpected <{rs.tag}> inside <QBXMLMsgsRs>")
        code = _int(rs, "statusCode")
        if code is None:
            raise QbxmlParseError(f"<{rs.tag}> has no statusCode attribute")
        responses.append(
            Response(
                request_type=rs.tag[:-2],
                request_id=rs.get("requestID"),
                status_code=code,
                status_severity=rs.get("statusSeverity", ""),
                status_message=rs.get("statusMessage", ""),
                ret_count=_int(rs, "retCount"),
                iterator_id=rs.get("iteratorID"),
                iterator_remaining=_int(rs, "iteratorRemainingCount"),
                rets=tuple(rs),
            )
        )
    return ResponseMessage(
        responses=tuple(responses),
        new_message_set_id=msgs.get("newMessageSetID"),
        message_set_status_code=msgs.get("messageSetStatusCode"),
    )
