"""A small tree of qbXML elements: what the company file stores and what responses are made of.

Requests are read with a hardened lxml parser (no entities, no network, no huge trees) into
:class:`Node` trees; objects are stored in the company file as the JSON form of their nodes and
written back out in schema order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from lxml import etree

from procore_qb.sandbox.qbd.errors import QbxmlParseError

__all__ = ["MAX_ELEMENTS", "MAX_REQUEST_BYTES", "Node", "parse_tree", "parse_xml", "to_element"]

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
        tag, content = data
        if isinstance(content, list):
            return cls(tag, None, [cls.from_json(item) for item in content], {})
        return cls(tag, content if isinstance(content, str) else str(content), [], {})


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


def to_element(node: Node) -> etree._Element:
    element = etree.Element(node.tag, attrib=node.attrs)
    if node.children:
        for child in node.children:
            element.append(to_element(child))
    elif node.text is not None:
        element.text = node.text
    return element
