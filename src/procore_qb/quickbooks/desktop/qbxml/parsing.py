"""Safe parsing of XML that comes from outside (QuickBooks, the Web Connector, a peer).

No entity expansion, no DTDs, no network, no huge trees, and limits on size, depth and the
number of elements. Documents are refused by their structure after decoding, not by a byte
pattern: a ``<!DOCTYPE`` hidden in UTF-16 or UTF-7 is seen once the parser has decoded it, and
the parse stops at the first element past a limit instead of building the whole tree first.

QuickBooks may declare ``encoding="windows-1252"`` on text that reached us as a Python string
already decoded (the Web Connector sends it inside a SOAP string); the declaration is dropped
before parsing (spec quickbooks-api.md §B.10, the django-quickbooks FIXME).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from lxml import etree

from procore_qb.quickbooks.desktop.errors import QbxmlParseError

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_BYTES",
    "XmlLimits",
    "parse_xml",
    "strip_xml_declaration",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""Largest document accepted: 64 MiB (a 10,000-job page set stays far below)."""

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.ASCII)
_CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class XmlLimits:
    """How much structure one document may have.

    The defaults fit the largest qbXML answer procore-qb asks for: 100 requests per message
    (``WebConnectorOptions.max_requests``), pages of 500 records (``DEFAULT_PAGE_SIZE``) of a
    few dozen elements each, nested no deeper than a dozen levels.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = 64
    max_elements: int = 2_000_000


DEFAULT_LIMITS = XmlLimits()


def strip_xml_declaration(text: str) -> str:
    """``text`` without its leading ``<?xml ...?>`` declaration (and the encoding it names)."""
    return _DECLARATION.sub("", text, count=1)


def _parser() -> etree.XMLPullParser:
    return etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        dtd_validation=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )


def _has_dtd(element: etree._Element) -> bool:
    # The stubs type these as always present; lxml gives "" and None without a DTD.
    info: Any = element.getroottree().docinfo
    return bool(info.doctype) or info.internalDTD is not None or info.externalDTD is not None


def _encode(data: str | bytes) -> bytes:
    if isinstance(data, bytes):
        # Bytes keep their declaration: the parser decodes them with the encoding it names.
        return data
    try:
        return strip_xml_declaration(data).lstrip().encode("utf-8")
    except UnicodeEncodeError as exc:
        # A lone surrogate (U+D800-U+DFFF) is no character: XML 1.0 §2.2 excludes it.
        raise QbxmlParseError(
            f"the XML text holds a code point that is not a character ({exc.reason})"
        ) from None


def parse_xml(
    data: str | bytes,
    *,
    max_bytes: int | None = None,
    limits: XmlLimits = DEFAULT_LIMITS,
) -> etree._Element:
    """Parse ``data`` safely and return its root element.

    Raises :class:`QbxmlParseError` naming the problem for empty, oversized, too deep or too
    large, malformed input and for any document type declaration (entities are never expanded).
    ``max_bytes`` overrides ``limits.max_bytes``.
    """
    byte_limit = limits.max_bytes if max_bytes is None else max_bytes
    if isinstance(data, str) and len(data) > byte_limit:
        raise _too_big(len(data), byte_limit)
    raw = _encode(data)
    if not raw.strip():
        raise QbxmlParseError("empty XML document: expected a qbXML or SOAP message")
    if len(raw) > byte_limit:
        raise _too_big(len(raw), byte_limit)
    parser = _parser()
    depth = elements = 0
    try:
        for offset in range(0, len(raw), _CHUNK):
            parser.feed(raw[offset : offset + _CHUNK])
            for event, item in parser.read_events():
                element = cast(etree._Element, item)
                if event == "end":
                    depth -= 1
                    continue
                if elements == 0 and _has_dtd(element):
                    raise _dtd_refused()
                elements += 1
                depth += 1
                if elements > limits.max_elements:
                    raise QbxmlParseError(
                        f"the XML document has more than {limits.max_elements} elements; "
                        "ask for fewer records per message (MaxReturned)"
                    )
                if depth > limits.max_depth:
                    raise QbxmlParseError(
                        f"the XML document nests deeper than {limits.max_depth} elements"
                    )
        root = parser.close()
    except etree.LxmlError as exc:
        raise QbxmlParseError(f"malformed XML: {exc}") from None
    if _has_dtd(root):
        raise _dtd_refused()
    if next(root.iter(etree.Entity), None) is not None:  # pragma: no cover - needs a DTD
        raise QbxmlParseError("XML with entity references is refused")
    return root


def _too_big(size: int, limit: int) -> QbxmlParseError:
    return QbxmlParseError(
        f"XML document of {size} bytes exceeds the limit of {limit} bytes; "
        "ask for fewer records per message (MaxReturned)"
    )


def _dtd_refused() -> QbxmlParseError:
    return QbxmlParseError("XML with a document type declaration is refused (entities)")
