"""A query page of transactions written straight from the company file's stored form.

Reading job costs is mostly query pages of hundreds of transactions (a BillQuery iterator of
500 a Web Connector round trip). :func:`txns.render_txn` answers one transaction with a tree:
the stored body read into nodes, copied to show each reference's current FullName
(:func:`common.current_refs`), sorted into schema order, then written by
:func:`nodes.to_text`. :class:`PageWriter` gives the same text without the trees: it reads a
page's transactions in one query, takes their bodies as decoded JSON, puts the elements in
schema order and writes each one at once, with each reference written once per page.

The rules are render_txn's, to the byte (tests/unit/sandbox/qbd compares the two paths and
recorded answers): the ``*Ret`` holds TxnID, TimeCreated, TimeModified, EditSequence and
TxnNumber, then the stored elements, lines only with IncludeLineItems, each kept only when the
``*Ret`` has it in the qbXML 13.0 schema, in the schema's order (stored order among equals);
a reference (an element named ``*Ref`` with a ListID) to a list element that exists shows just
its ListID and current FullName (QuickBooks resolves references when it answers), one to a
list element that is gone is shown as stored.
"""

from __future__ import annotations

import json
from operator import itemgetter
from typing import Any

from procore_qb.sandbox.qbd.company import CompanyFile, TxnRecord
from procore_qb.sandbox.qbd.nodes import Node, Written, escape_text
from procore_qb.sandbox.qbd.schema import order_of

__all__ = ["LINE_TAGS", "PageWriter"]

LINE_TAGS = frozenset({"ExpenseLineRet", "ItemLineRet", "JournalDebitLine", "JournalCreditLine"})
"""The line elements of a stored transaction body (shown only with IncludeLineItems)."""

_HEAD = ("TxnID", "TimeCreated", "TimeModified", "EditSequence", "TxnNumber")
_FIRST = itemgetter(0)


class PageWriter:
    """Writes the ``*Ret`` of each transaction of one query answer.

    With ``whole`` each ``*Ret`` is one :class:`Written` element; without it (the request
    trims its answer with IncludeRetElement) it is a node of one :class:`Written` element per
    child, which the trimming picks from by name.
    """

    def __init__(self, company: CompanyFile, kind: str, *, include_lines: bool, whole: bool):
        self._company = company
        self._tag = f"{kind}Ret"
        self._order = order_of(self._tag)
        self._include_lines = include_lines
        self._whole = whole
        self._head = [(self._order[tag], tag) for tag in _HEAD if tag in self._order]
        # The written form of each (element name, ListID) this answer has shown, "" for a
        # reference to a list element that does not exist (it is shown as stored).
        self._refs: dict[tuple[str, str], str] = {}

    def rets(self, txn_ids: list[str]) -> list[Node]:
        """The ``*Ret`` of each transaction of ``txn_ids`` that still exists, in that order."""
        return [self.ret(record) for record in self._company.txn_records(txn_ids)]

    def ret(self, record: TxnRecord) -> Node:
        txn_id, number, edit_sequence, created, modified, body = record
        data = json.loads(body)
        if type(data) is not list or len(data) != 2 or type(data[1]) is not list:
            Node.from_json(data)  # refuses what is not a stored node, as reading it would
            data = [data[0], []]  # a stored body of no elements
        # The body is stored as ASCII JSON (json.dumps escapes every other character): without
        # a backslash, an ampersand or an angle bracket in it, none of its texts needs escaping
        # (a carriage return or a character XML refuses would be a backslash escape).
        plain = body.isascii() and not ("\\" in body or "&" in body or "<" in body or ">" in body)
        heads = {
            "TxnID": txn_id,
            "TxnNumber": str(number),
            "EditSequence": edit_sequence,
            "TimeCreated": created,
            "TimeModified": modified,
        }
        order = self._order
        entries: list[tuple[int, str, Any, bool]] = [
            (position, tag, heads[tag], False) for position, tag in self._head
        ]
        include_lines = self._include_lines
        for item in data[1]:
            if type(item) is not list or len(item) != 2 or type(item[0]) is not str:
                raise ValueError(f"not a stored qbXML node: {item!r}")
            tag = item[0]
            if tag in order and (include_lines or tag not in LINE_TAGS):
                entries.append((order[tag], tag, item[1], plain))
        entries.sort(key=_FIRST)
        write = self._write
        if self._whole:
            out = [f"<{self._tag}>\n"]
            for _, tag, content, known_plain in entries:
                write(tag, content, out, True, known_plain)
            out.append(f"</{self._tag}>\n")
            return _written(self._tag, "".join(out))
        children: list[Node] = []
        for _, tag, content, known_plain in entries:
            out = []
            write(tag, content, out, True, known_plain)
            children.append(_written(tag, "".join(out)))
        return Node(self._tag, children=children)

    def _write(self, tag: str, content: Any, out: list[str], refresh: bool, plain: bool) -> None:
        """One stored element as :func:`nodes.to_text` writes it once read into a node: its
        references showing current names (``refresh``) or as stored, its texts escaped unless
        known ``plain``."""
        kind = type(content)
        if kind is str:
            out.append(f"<{tag}>{content if plain else escape_text(content)}</{tag}>\n")
            return
        if kind is not list:
            out.append(f"<{tag}>{escape_text(str(content))}</{tag}>\n")
            return
        if not content:
            out.append(f"<{tag}/>\n")
            return
        if refresh and tag.endswith("Ref"):
            list_id = _list_id(content)
            if list_id is not None:
                written = self._ref(tag, list_id)
                if written:
                    out.append(written)
                    return
                refresh = False  # a reference to nothing is shown as stored
        out.append(f"<{tag}>\n")
        for item in content:
            if type(item) is not list or len(item) != 2 or type(item[0]) is not str:
                raise ValueError(f"not a stored qbXML node: {item!r}")
            child, value = item
            if plain and type(value) is str:
                out.append(f"<{child}>{value}</{child}>\n")  # the most common element
            else:
                self._write(child, value, out, refresh, plain)
        out.append(f"</{tag}>\n")

    def _ref(self, tag: str, list_id: str) -> str:
        key = (tag, list_id)
        written = self._refs.get(key)
        if written is None:
            found = self._company.list_name(list_id)
            written = (
                ""
                if found is None
                else f"<{tag}>\n<ListID>{escape_text(list_id)}</ListID>\n"
                f"<FullName>{escape_text(found[1])}</FullName>\n</{tag}>\n"
            )
            self._refs[key] = written
        return written


def _list_id(content: list[Any]) -> str | None:
    """The ListID a stored reference holds (its first ``ListID`` child), None without one."""
    for item in content:
        if type(item) is not list or len(item) != 2 or type(item[0]) is not str:
            raise ValueError(f"not a stored qbXML node: {item!r}")
        if item[0] == "ListID":
            value = item[1]
            if type(value) is str:
                return value
            return "" if type(value) is list else str(value)
    return None


def _written(tag: str, text: str) -> Written:
    # Built without the dataclass' __init__: a page writes hundreds of these.
    node = _new_written(Written)
    node.tag = tag
    node.text = text
    node.children = []
    node.attrs = {}
    return node


_new_written = object.__new__
