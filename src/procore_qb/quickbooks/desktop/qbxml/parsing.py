"""Safe parsing of XML that comes from outside (QuickBooks, the Web Connector, a peer).

No entity expansion, no DTDs, no network, no huge trees, and a size limit. QuickBooks may
declare ``encoding="windows-1252"`` on text that reached us as a Python string already decoded
(the Web Connector sends it inside a SOAP string); the declaration is dropped before parsing
(spec quickbooks-api.md §B.10, the django-quickbooks FIXME).
"""

from __future__ import annotations

import re

from lxml import etree

from procore_qb.quickbooks.desktop.errors import QbxmlParseError

__all__ = ["DEFAULT_MAX_BYTES", "parse_xml", "strip_xml_declaration"]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""Largest document accepted: 64 MiB (a 10,000-job page set stays far below)."""

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.ASCII)


def strip_xml_declaration(text: str) -> str:
    """``text`` without its leading ``<?xml ...?>`` declaration (and the encoding it names)."""
    return _DECLARATION.sub("", text, count=1)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        dtd_validation=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse ``data`` safely and return its root element.

    Raises :class:`QbxmlParseError` naming the problem for empty, oversized, malformed input
    and for any document type declaration (entities are never expanded).
    """
    # Bytes keep their declaration: lxml decodes them with the encoding it names.
    raw = strip_xml_declaration(data).lstrip().encode("utf-8") if isinstance(data, str) else data
    if not raw.strip():
        raise QbxmlParseError("empty XML document: expected a qbXML or SOAP message")
    if len(raw) > max_bytes:
        raise QbxmlParseError(
            f"XML document of {len(raw)} bytes exceeds the limit of {max_bytes} bytes; "
            "ask for fewer records per message (MaxReturned)"
        )
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise QbxmlParseError("XML with a document type declaration is refused (entities)")
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise QbxmlParseError(f"malformed XML: {exc}") from exc
    if root is None:  # pragma: no cover - lxml raises instead for real input
        raise QbxmlParseError("XML document has no root element")
    return root
