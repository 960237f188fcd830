"""qbXML message envelopes: a request message out, a response message in.

A request message is ``<?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError=...>`` holding one
element per request (spec quickbooks-api.md §B.1). A response message holds one ``*Rs`` per
request with ``requestID`` echoed and ``statusCode``/``statusSeverity``/``statusMessage``; query
responses add ``retCount``, ``iteratorID`` and ``iteratorRemainingCount`` (§B.6).

Responses are read by the streaming scanner (:mod:`.scanner`): their records stay markup
(:class:`~procore_qb.quickbooks.desktop.qbxml.scanner.RawRecord`) until a reader reads them, and
no tree of the message is built. :func:`parse_response_tree` is the reference: the whole
message through the tree parser. A message the scanner does not take whole (unusual or
malformed markup around the records) is read by the reference, so both give the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from lxml import etree

from procore_qb.quickbooks.desktop.errors import (
    QbxmlBuildError,
    QbxmlParseError,
    QuickBooksStatusError,
    status_error,
)
from procore_qb.quickbooks.desktop.qbxml.parsing import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_BYTES,
    parse_xml,
)
from procore_qb.quickbooks.desktop.qbxml.requests import Iterator, Request
from procore_qb.quickbooks.desktop.qbxml.scanner import MessageHead, RawRecord, scan

__all__ = [
    "DEFAULT_QBXML_VERSION",
    "OnError",
    "OutgoingRequest",
    "Response",
    "ResponseMessage",
    "build_message",
    "parse_response_message",
    "parse_response_tree",
    "response_of",
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
    """One ``*Rs`` element: its status, iterator state and ``*Ret`` records."""

    request_type: str
    request_id: str | None
    status_code: int
    status_severity: str
    status_message: str
    ret_count: int | None
    iterator_id: str | None
    iterator_remaining: int | None
    records: tuple[RawRecord, ...] = ()

    @property
    def rets(self) -> tuple[etree._Element, ...]:
        """The records parsed by the tree parser (the reference reading)."""
        return tuple(record.element() for record in self.records)

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


def _int(tag: str, attributes: Mapping[str, str], name: str) -> int | None:
    """An attribute of qbXML INTTYPE (a 32-bit integer, qbxmltypes130.xsd), or None."""
    raw = attributes.get(name)
    if raw is None:
        return None
    if _INT.match(raw) is None or not -(2**31) <= int(raw) < 2**31:
        shown = raw if len(raw) <= 40 else f"{raw[:40]}... ({len(raw)} characters)"
        raise QbxmlParseError(f"<{tag}> {name}={shown!r} is not a 32-bit integer")
    return int(raw)


def response_of(
    tag: str, attributes: Mapping[str, str], records: tuple[RawRecord, ...] = ()
) -> Response:
    """The response of a ``*Rs`` element named ``tag`` with ``attributes``."""
    code = _int(tag, attributes, "statusCode")
    if code is None:
        raise QbxmlParseError(f"<{tag}> has no statusCode attribute")
    return Response(
        request_type=tag[:-2],
        request_id=attributes.get("requestID"),
        status_code=code,
        status_severity=attributes.get("statusSeverity", ""),
        status_message=attributes.get("statusMessage", ""),
        ret_count=_int(tag, attributes, "retCount"),
        iterator_id=attributes.get("iteratorID"),
        iterator_remaining=_int(tag, attributes, "iteratorRemainingCount"),
        records=records,
    )


def parse_response_message(
    data: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ResponseMessage:
    """Parse a qbXML response message safely into its responses, in document order; the
    records are read later, by whoever needs them."""
    limits = replace(DEFAULT_LIMITS, max_bytes=max_bytes)
    size = len(data)
    if size > max_bytes:
        raise QbxmlParseError(
            f"XML document of {size} bytes exceeds the limit of {max_bytes} bytes; "
            "ask for fewer records per message (MaxReturned)"
        )
    try:
        head: MessageHead | None = None
        responses: list[Response] = []
        current: tuple[str, dict[str, str]] | None = None
        records: list[RawRecord] = []
        for event in scan(data, limits=limits):
            if isinstance(event, RawRecord):
                records.append(event)
                continue
            if current is not None:
                responses.append(response_of(*current, tuple(records)))
                records = []
            if isinstance(event, MessageHead):
                head = event
            else:
                current = (event.tag, event.attributes)
        if current is not None:
            responses.append(response_of(*current, tuple(records)))
    except QbxmlParseError:
        # The reference decides whatever the scanner does not take, with its own words.
        return parse_response_tree(data, max_bytes=max_bytes)
    assert head is not None  # noqa: S101 - the scanner yields it first
    return ResponseMessage(
        responses=tuple(responses),
        new_message_set_id=head.new_message_set_id,
        message_set_status_code=head.message_set_status_code,
    )


def parse_response_tree(
    data: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ResponseMessage:
    """The reference reading: the whole message through the tree parser."""
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
        records = []
        for ret in rs:
            markup = etree.tostring(ret, encoding="unicode", with_tail=False)
            records.append(RawRecord(str(ret.tag), markup, 0, len(markup)))
        attributes = {str(k): str(v) for k, v in rs.attrib.items()}
        responses.append(response_of(str(rs.tag), attributes, tuple(records)))
    return ResponseMessage(
        responses=tuple(responses),
        new_message_set_id=msgs.get("newMessageSetID"),
        message_set_status_code=msgs.get("messageSetStatusCode"),
    )
