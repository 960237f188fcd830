"""A small tree of qbXML elements: what the company file stores and what responses are made of.

Requests are read with a hardened lxml parser (no entities, no network, no huge trees) into
:class:`Node` trees; objects are stored in the company file as the JSON form of their nodes and
written back out in schema order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

from lxml import etree

from procore_qb.sandbox.qbd.errors import QbxmlParseError

__all__ = [
    "MAX_ELEMENTS",
    "MAX_REQUEST_BYTES",
    "Node",
    "Written",
    "escape_text",
    "parse_tree",
    "parse_xml",
    "to_element",
    "to_text",
]

MAX_REQUEST_BYTES = 16 * 1024 * 1024
"""Refuse qbXML messages above this size before parsing them."""


@dataclass(slots=True)
class Node:
    """One element: a tag, optional text, attributes, and child elements in order."""

    tag: str
    text: str | None = None
    children: list[Node] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ reading
    def find(self, tag: str) -> Node | None:
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findall(self, tag: str) -> list[Node]:
        return [child for child in self.children if child.tag == tag]

    def value(self, tag: str) -> str | None:
        child = self.find(tag)
        return None if child is None else (child.text or "")

    def values(self, tag: str) -> list[str]:
        return [child.text or "" for child in self.children if child.tag == tag]

    # ------------------------------------------------------------------ building
    @classmethod
    def leaf(cls, tag: str, text: str) -> Node:
        return cls(tag, text)

    @classmethod
    def ref(cls, tag: str, list_id: str, full_name: str) -> Node:
        return cls(tag, children=[cls("ListID", list_id), cls("FullName", full_name)])

    def set(self, tag: str, node: Node) -> None:
        """Replace the child named ``tag`` (or append it)."""
        for index, child in enumerate(self.children):
            if child.tag == tag:
                self.children[index] = node
                return
        self.children.append(node)

    def remove(self, tag: str) -> None:
        self.children = [child for child in self.children if child.tag != tag]

    # ------------------------------------------------------------------ JSON form
    def to_json(self) -> list[object]:
        if self.children:
            return [self.tag, [child.to_json() for child in self.children]]
        return [self.tag, self.text or ""]

    @classmethod
    def from_json(cls, data: object) -> Node:
        if not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], str):
            raise ValueError(f"not a stored qbXML node: {data!r}")
        return _from_json(data)


@dataclass(slots=True)
class Written(Node):
    """An element already written out: ``text`` holds it as :func:`to_text` writes it, its
    last newline included, and :func:`to_text` copies it as is. Query pages are answered with
    these (txn_pages.py), so that a page's transactions need no tree."""


def _from_json(data: list[Any]) -> Node:
    # The stored form is written by ``to_json``: build the nodes without going through the
    # dataclass' __init__ (a transaction of ten lines is a hundred nodes, read once a page).
    tag, content = data
    node = _new_node(Node)
    node.tag = tag
    node.attrs = {}
    if type(content) is list:
        node.text = None
        node.children = [
            _from_json(item) if type(item) is list and len(item) == 2 else Node.from_json(item)
            for item in content
        ]
    else:
        node.text = content if type(content) is str else str(content)
        node.children = []
    return node


_new_node = object.__new__


MAX_ELEMENTS = 1_000_000
"""Most elements in one message: far above what a Web Connector application sends, low enough
that a message of empty elements cannot take the simulator's memory."""
MAX_DEPTH = 64
_CHUNK = 256 * 1024


def _parser() -> etree.XMLPullParser:
    return etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=False,
        load_dtd=False,
    )


def _has_dtd(element: etree._Element) -> bool:
    # The stubs type these as always present; lxml gives "" and None without a DTD.
    info: Any = element.getroottree().docinfo
    return bool(info.doctype) or info.internalDTD is not None or info.externalDTD is not None


def _to_node(element: etree._Element) -> Node:
    node = Node(str(element.tag), attrs={str(k): str(v) for k, v in element.attrib.items()})
    for child in element.iterchildren("*"):  # elements only: no PIs inside the body
        node.children.append(_to_node(child))
    if not node.children:
        node.text = (element.text or "").strip()
    return node


def parse_tree(text: str | bytes) -> etree._Element:
    """Parse untrusted XML safely: size-capped, no DTD, no entities, no network, with a
    bounded depth and number of elements. A document type declaration is refused once the
    text is decoded (a UTF-16 one too), not by looking for bytes."""
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
    except UnicodeEncodeError:
        raise QbxmlParseError("the text holds a lone surrogate, which is no character") from None
    if len(data) > MAX_REQUEST_BYTES:
        raise QbxmlParseError(f"the message is larger than {MAX_REQUEST_BYTES} bytes")
    parser = _parser()
    depth = elements = 0
    try:
        for offset in range(0, max(len(data), 1), _CHUNK):
            parser.feed(data[offset : offset + _CHUNK])
            for event, item in parser.read_events():
                element = cast(etree._Element, item)
                if event == "end":
                    depth -= 1
                    continue
                if elements == 0 and _has_dtd(element):
                    raise QbxmlParseError("document type declarations and entities are not allowed")
                elements += 1
                depth += 1
                if elements > MAX_ELEMENTS or depth > MAX_DEPTH:
                    raise QbxmlParseError(
                        f"the message has more than {MAX_ELEMENTS} elements or nests deeper "
                        f"than {MAX_DEPTH}"
                    )
        root = parser.close()
    except etree.LxmlError as exc:
        raise QbxmlParseError(f"not well-formed XML: {exc}") from None
    if _has_dtd(root):
        raise QbxmlParseError("document type declarations and entities are not allowed")
    return root


def parse_xml(text: str | bytes) -> tuple[Node, list[tuple[str, str]]]:
    """Parse one XML document; return its root and the processing instructions before it."""
    root = parse_tree(text)
    instructions: list[tuple[str, str]] = []
    sibling = root.getprevious()
    while sibling is not None:
        if isinstance(sibling, etree._ProcessingInstruction):
            instructions.insert(0, (str(sibling.target), str(sibling.text or "")))
        sibling = sibling.getprevious()
    return _to_node(root), instructions


def to_text(node: Node) -> str:
    """The element as ``etree.tostring`` writes :func:`to_element`'s tree when every element
    has a newline tail and every element with children a newline text (QuickBooks' layout,
    processor.py): without building the lxml tree. Text and attribute values are escaped as
    libxml2 escapes them."""
    out: list[str] = []
    _write(node, out)
    return "".join(out)


def _write(node: Node, out: list[str]) -> None:
    if node.__class__ is Written:
        out.append(node.text or "")
        return
    attrs = (
        "".join(f' {key}="{_attr(value)}"' for key, value in node.attrs.items())
        if node.attrs
        else ""
    )
    if node.children:
        out.append(f"<{node.tag}{attrs}>\n")
        for child in node.children:
            _write(child, out)
        out.append(f"</{node.tag}>\n")
    elif node.text is None:
        out.append(f"<{node.tag}{attrs}/>\n")
    else:
        out.append(f"<{node.tag}{attrs}>{escape_text(node.text)}</{node.tag}>\n")


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What makes a text need escaping or refusing (&, <, >, a carriage return, or what _NOT_XML
# finds), as one class: most texts have none of it and are kept as they are after this search.
_SPECIAL = re.compile("[^\t\n\x20-\x25\x27-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape_text(text: str) -> str:
    """The text of an element as :func:`to_text` writes it (libxml2's escaping)."""
    if _SPECIAL.search(text) is None:
        return text
    if _NOT_XML.search(text):
        # What lxml says of such a value: it cannot be written into an XML document.
        raise ValueError(
            "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control "
            "characters"
        )
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _attr(text: str) -> str:
    text = escape_text(text)
    for raw, escaped in (('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;")):
        if raw in text:
            text = text.replace(raw, escaped)
    return text


def to_element(node: Node) -> etree._Element:
    element = etree.Element(node.tag, attrib=node.attrs)
    if node.children:
        for child in node.children:
            element.append(to_element(child))
    elif node.text is not None:
        element.text = node.text
    return element
