"""Streaming reading of qbXML response messages, record by record, without building a tree.

A qbXML response is ``<QBXML><QBXMLMsgsRs ...>`` holding one ``*Rs`` per request, each holding
``*Ret`` records (spec quickbooks-api.md §B.1, §B.6). :func:`scan` reads such a message from
text given whole or in chunks and yields, in document order, a :class:`MessageHead`, then for
each response a :class:`ResponseHead` followed by its records as :class:`RawRecord` (the
record's markup, not parsed yet). Memory does not grow with the message: only the current
chunk and the current record are held (a record is at most ``limits.max_record_chars``).

Safety is the same as :func:`~procore_qb.quickbooks.desktop.qbxml.parsing.parse_xml`, by
construction: nothing is ever expanded or fetched (only the five predefined entities and
character references are decoded, and only by :func:`decode_text`), a document type declaration
is refused, characters XML does not allow are refused before anything is read, line ends are
normalised as XML 1.0 §2.11 says, and the total size is bounded (``limits.max_bytes``).
The markup of each record is checked by whoever reads it: the fast readers accept only the
well-formed markup they match completely, and hand anything else to the safe tree parser.

Markup QuickBooks does not write around the records (a namespace, attributes on ``QBXML``,
other elements beside ``QBXMLMsgsRs``, text between responses) raises :class:`UnusualMarkup`;
:func:`~procore_qb.quickbooks.desktop.qbxml.message.parse_response_message` then reads the
whole message with the tree parser instead, so a whole message always gets the same answer.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias

from lxml import etree

from procore_qb.quickbooks.desktop.errors import QbxmlParseError
from procore_qb.quickbooks.desktop.qbxml.parsing import DEFAULT_LIMITS, XmlLimits, parse_xml

__all__ = [
    "DEFAULT_MAX_RECORD_CHARS",
    "Event",
    "MessageHead",
    "RawRecord",
    "ResponseHead",
    "UnusualMarkup",
    "check_characters",
    "decode_text",
    "scan",
]

DEFAULT_MAX_RECORD_CHARS = 8 * 1024 * 1024
"""Largest single ``*Ret`` record read (a bill of thousands of lines stays far below)."""

_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
_START_TAG = re.compile(
    rf"<({_NAME})((?:[ \t\n]+{_NAME}[ \t\n]*=[ \t\n]*(?:\"[^\"<]*\"|'[^'<]*'))*)[ \t\n]*(/?)>"
)
_END_TAG = re.compile(rf"</({_NAME})[ \t\n]*>")
_NEXT_TAG = re.compile(rf"[^<]*<({_NAME})>")
_SPACE = re.compile(r"[ \t\n]*")
_PI = re.compile(rf"<\?({_NAME})(?:[ \t\n][^?]*(?:\?(?!>)[^?]*)*)?\?>")
_TEXT_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.ASCII)  # as parsing.strip_xml_declaration
_BYTES_DECLARATION = re.compile(r"<\?xml[ \t\n][^>]*\?>")
_BYTES_ENCODING = re.compile(rb"encoding[ \t\n]*=[ \t\n]*[\"']([A-Za-z0-9._\-]+)[\"']")
_BAD_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,10}|#x[0-9A-Fa-f]{1,8});)")
_ALLOWED_BYTES = bytes((0x09, 0x0A, 0x0D, *range(0x20, 0x100)))
_CONTROLS = tuple(chr(code) for code in range(0x20) if code not in (0x09, 0x0A, 0x0D))
_CHECK_PIECE = 1 << 20
_REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,10})|#x([0-9A-Fa-f]{1,8}));")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_CHUNK = 256 * 1024
_MAX_TAG = 64 * 1024


class UnusualMarkup(QbxmlParseError):
    """Well-formed markup QuickBooks does not write, which the streaming reader leaves to
    the tree parser (raised only outside records)."""


@dataclass(frozen=True, slots=True)
class MessageHead:
    """The ``QBXMLMsgsRs`` element's attributes."""

    new_message_set_id: str | None
    message_set_status_code: str | None


@dataclass(frozen=True, slots=True)
class ResponseHead:
    """One ``*Rs`` element's name and attributes, exactly as written."""

    tag: str
    attributes: dict[str, str]


class RawRecord(NamedTuple):
    """One ``*Ret`` record: ``text[start:end]`` is its markup (``<Tag>`` to ``</Tag>``).

    A record of a message read whole points into the message's text (no copy); a record of a
    message read in chunks holds its own copy. (A named tuple: records are made by the
    hundred thousand.)"""

    tag: str
    text: str
    start: int
    end: int
    checked: bool = False
    """The markup has no ``!``, ``?`` or ``]`` at all: no comment, CDATA section, processing
    instruction or ``]]>`` to look for."""
    references: bool = True
    """The markup may have ``&`` (references to check and decode)."""

    @property
    def markup(self) -> str:
        return self.text[self.start : self.end]

    def element(self, limits: XmlLimits = DEFAULT_LIMITS) -> etree._Element:
        """The record parsed by the safe tree parser (raises QbxmlParseError if malformed)."""
        return parse_xml(self.markup, limits=_record_limits(limits))


if RawRecord._fields != ("tag", "text", "start", "end", "checked", "references"):
    raise ImportError(  # pragma: no cover
        "RawRecord changed: _Scanner._plain_records makes it from its values in field order"
    )

Event: TypeAlias = MessageHead | ResponseHead | RawRecord


def _record_limits(limits: XmlLimits) -> XmlLimits:
    # A record sits three levels down (QBXML, QBXMLMsgsRs, the response).
    return XmlLimits(
        max_bytes=limits.max_bytes,
        max_depth=max(1, limits.max_depth - 3),
        max_elements=limits.max_elements,
    )


def check_characters(text: str) -> None:
    """Refuse characters XML 1.0 (§2.2) does not allow, as the tree parser does.

    One pass over the UTF-8 bytes, a megabyte at a time: the C0 controls other than tab, LF
    and CR are single bytes in UTF-8 (never part of a longer sequence), so deleting every
    allowed byte leaves exactly the refused ones.

    A piece that is all ASCII (what QuickBooks writes, nearly always) is first searched for
    each of the 29 refused controls, a fast search each while the piece is in the cache; only
    a piece holding one of them, or other than ASCII, takes the pass over its bytes that
    finds (and names) the first refused character."""
    for offset in range(0, len(text), _CHECK_PIECE):
        piece = text[offset : offset + _CHECK_PIECE]
        if piece.isascii() and not any(control in piece for control in _CONTROLS):
            continue
        try:
            data = piece.encode("utf-8")
        except UnicodeEncodeError as exc:
            # A lone surrogate (U+D800-U+DFFF) is no character: XML 1.0 §2.2 excludes it.
            raise QbxmlParseError(
                f"the XML text holds a code point that is not a character ({exc.reason})"
            ) from None
        refused = data.translate(None, _ALLOWED_BYTES)
        if refused:
            raise QbxmlParseError(
                f"malformed XML: the character U+{refused[0]:04X} is not allowed in XML"
            )
        if not piece.isascii() and (b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data):
            raise QbxmlParseError("malformed XML: U+FFFE and U+FFFF are not allowed in XML")


def _char(code: int) -> str:
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD:
        return chr(code)
    if 0x10000 <= code <= 0x10FFFF:
        return chr(code)
    raise QbxmlParseError(f"malformed XML: character reference &#{code}; is not a character")


def _replace(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        return _ENTITIES[name]
    return _char(int(decimal) if decimal else int(hexadecimal, 16))


def decode_text(raw: str) -> str:
    """Character data with its references decoded (the five predefined entities and
    character references; anything else after ``&`` is malformed, as no DTD defines more)."""
    if "&" not in raw:
        return raw
    if _BAD_AMPERSAND.search(raw) is not None:
        raise QbxmlParseError(
            "malformed XML: '&' must start &amp;, &lt;, &gt;, &quot;, &apos; or a character "
            "reference (entities are never defined)"
        )
    return _REFERENCE.sub(_replace, raw)


def _attributes(tag_text: str, limits: XmlLimits) -> dict[str, str]:
    """The attributes of a start tag, read by the tree parser (so values are checked and
    normalised exactly as XML says)."""
    if "=" not in tag_text:
        return {}
    if "xmlns" in tag_text or ":" in tag_text.split("=")[0]:
        raise UnusualMarkup("qbXML responses use no namespaces")
    closed = tag_text if tag_text.endswith("/>") else tag_text[:-1] + "/>"
    element = parse_xml(closed, limits=limits)
    return {str(k): str(v) for k, v in element.items()}


class _Buffer:
    """The text read so far from the chunks. ``pos`` is the reading position; text before
    ``min(pos, keep)`` may be dropped when the next chunk arrives, so positions are valid
    only until :meth:`more` (``keep`` and ``pos`` are moved along)."""

    def __init__(self, chunks: Iterator[str | bytes], limits: XmlLimits, *, whole: bool) -> None:
        self._chunks = chunks
        self._limits = limits
        self._decoder: codecs.IncrementalDecoder | None = None
        self._pending_cr = False
        self._head = b""
        self._size = 0
        self.whole = whole
        self.from_bytes = False
        self.text = ""
        self.pos = 0
        self.keep: int | None = None
        self.eof = False

    def more(self) -> bool:
        """Append the next chunk; False at the end of the input."""
        if self.eof:
            return False
        for chunk in self._chunks:
            piece = self._decode(chunk)
            if piece:
                self._append(piece)
                return True
        if self._decoder is None and self._head:
            self._decoder = _utf8_decoder(self._head)
            tail = self._decoder.decode(self._head, final=True)
        elif self._decoder is not None:
            tail = self._decoder.decode(b"", final=True)
        else:
            tail = ""
        tail = self._normalise(tail, final=True)
        self.eof = True
        if tail:
            self._append(tail)
            return True
        return False

    def need(self, count: int) -> bool:
        """Make at least ``count`` characters available from ``pos`` (False at the end)."""
        while len(self.text) - self.pos < count:
            if not self.more():
                return False
        return True

    def _decode(self, chunk: str | bytes) -> str:
        self._size += len(chunk)
        if self._size > self._limits.max_bytes:
            raise QbxmlParseError(
                f"XML document of more than {self._limits.max_bytes} bytes exceeds the limit; "
                "ask for fewer records per message (MaxReturned)"
            )
        if isinstance(chunk, bytes):
            if self._decoder is None:
                # The encoding is decided on the first bytes (BOM, declaration): wait for them.
                self.from_bytes = True
                self._head += chunk
                if len(self._head) < 256 and b">" not in self._head:
                    return ""
                chunk, self._head = self._head, b""
                self._decoder = _utf8_decoder(chunk)
            try:
                text = self._decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise UnusualMarkup(f"the qbXML bytes are not UTF-8 ({exc.reason})") from None
        else:
            text = chunk
        return self._normalise(text, final=False)

    def _normalise(self, text: str, *, final: bool) -> str:
        if self._pending_cr:
            text = "\r" + text
            self._pending_cr = False
        if not final and text.endswith("\r"):
            text = text[:-1]
            self._pending_cr = True
        if "\r" in text:
            # XML 1.0 §2.11: every CR LF and lone CR is read as LF, before anything else.
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        check_characters(text)
        return text

    def _append(self, piece: str) -> None:
        if not self.text:
            self.text = piece
            return
        cut = self.pos if self.keep is None else min(self.pos, self.keep)
        self.text = self.text[cut:] + piece
        self.pos -= cut
        if self.keep is not None:
            self.keep -= cut


def _utf8_decoder(first: bytes) -> codecs.IncrementalDecoder:
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnusualMarkup("the qbXML bytes are not UTF-8")
    head = first[3:200] if first.startswith(codecs.BOM_UTF8) else first[:200]
    if head.startswith(b"<?xml"):
        declared = _BYTES_ENCODING.search(head.split(b"?>")[0])
        if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
            raise UnusualMarkup(f"the qbXML bytes declare {declared.group(1).decode()!r}")
    elif head[:1] != b"<":
        raise UnusualMarkup("the qbXML bytes do not start like a UTF-8 XML document")
    return codecs.getincrementaldecoder("utf-8-sig")("strict")


class _Scanner:
    def __init__(self, buf: _Buffer, limits: XmlLimits, max_record_chars: int) -> None:
        self.buf = buf
        self.limits = limits
        self.max_record = max_record_chars
        self.checked = False  # a whole message whose root has no '!', '?' or ']'
        self._next_reference = -1  # a whole message: where the next '&' is

    def _references(self, start: int, end: int) -> bool:
        """Whether the whole message has a '&' between ``start`` and ``end`` (records come in
        order, so the search for the next '&' moves forward only)."""
        nxt = self._next_reference
        if nxt == -1 or nxt >= end:
            return False
        if nxt < start:
            nxt = self._next_reference = self.buf.text.find("&", start)
            if nxt == -1 or nxt >= end:
                return False
        return True

    # ------------------------------------------------------------------ primitives

    @staticmethod
    def _premature() -> QbxmlParseError:
        return QbxmlParseError("malformed XML: the document ends before its elements are closed")

    def _find(self, needle: str, start: int | None = None) -> int:
        """Index of ``needle`` at or after ``start`` (default ``pos``), reading more as
        needed; a search longer than a record is refused."""
        buf = self.buf
        offset = 0 if start is None else start - buf.pos
        while True:
            found = buf.text.find(needle, buf.pos + offset)
            if found != -1:
                return found
            offset = max(offset, len(buf.text) - buf.pos - len(needle) + 1)
            if len(buf.text) - buf.pos > self.max_record:
                raise QbxmlParseError(
                    f"a qbXML element is longer than {self.max_record} characters"
                )
            if not buf.more():
                raise self._premature()

    def misc(self, *, in_root: bool) -> None:
        """Skip whitespace, comments and processing instructions, and inside the root element
        also text and CDATA sections (which the reading ignores); ``pos`` stops at a tag."""
        buf = self.buf
        while True:
            if not buf.need(1):
                return
            space = _SPACE.match(buf.text, buf.pos)
            if space is not None:
                buf.pos = space.end()
            if buf.pos == len(buf.text):
                continue
            text = buf.text
            if text[buf.pos] != "<":
                if not in_root:
                    raise QbxmlParseError("malformed XML: text outside the root element")
                end = self._find("<")
                self._check_text(buf.text[buf.pos : end])
                buf.pos = end
                continue
            if not buf.need(2):
                raise self._premature()
            if buf.text.startswith("<!", buf.pos) and not buf.need(9):
                raise self._premature()
            text = buf.text
            if text.startswith("<!--", buf.pos):
                self._skip_comment()
            elif text.startswith("<?", buf.pos):
                self._skip_pi()
            elif text.startswith("<![CDATA[", buf.pos) and in_root:
                buf.pos = self._find("]]>", buf.pos + 9) + 3
            elif text.startswith("<!", buf.pos):
                if text.startswith("<!DOCTYPE", buf.pos):
                    raise QbxmlParseError(
                        "XML with a document type declaration is refused (entities)"
                    )
                raise QbxmlParseError("malformed XML: unexpected '<!'")
            else:
                return

    @staticmethod
    def _check_text(text: str) -> None:
        if "]]>" in text:
            raise QbxmlParseError("malformed XML: ']]>' is not allowed in text")
        decode_text(text)

    def _skip_comment(self) -> None:
        buf = self.buf
        end = self._find("-->", buf.pos + 4)
        if "--" in buf.text[buf.pos + 4 : end]:
            raise QbxmlParseError("malformed XML: '--' is not allowed inside a comment")
        buf.pos = end + 3

    def _skip_pi(self) -> None:
        buf = self.buf
        end = self._find("?>", buf.pos + 2) + 2
        match = _PI.fullmatch(buf.text, buf.pos, end)
        if match is None or match.group(1).lower() == "xml":
            raise QbxmlParseError("malformed XML: a processing instruction is malformed")
        buf.pos = end

    def start_tag(self) -> tuple[str, str, bool]:
        """The start tag at ``pos``: its name, its text and whether it is empty (``/>``);
        ``pos`` moves past it."""
        buf = self.buf
        self._find(">")
        while True:
            # The pattern knows where the tag ends ('>' may stand inside a quoted value).
            match = _START_TAG.match(buf.text, buf.pos)
            if match is not None:
                break
            if len(buf.text) - buf.pos > _MAX_TAG or not buf.more():
                shown = buf.text[buf.pos : buf.pos + 60]
                raise UnusualMarkup(f"cannot read the tag {shown!r}")
        buf.pos = match.end()
        return match.group(1), match.group(0), bool(match.group(3))

    def end_tag(self, name: str) -> None:
        buf = self.buf
        gt = self._find(">")
        match = _END_TAG.fullmatch(buf.text, buf.pos, gt + 1)
        if match is None or match.group(1) != name:
            shown = buf.text[buf.pos : gt + 1][:60]
            raise QbxmlParseError(f"malformed XML: expected </{name}>, found {shown!r}")
        buf.pos = gt + 1

    def at_end_tag(self) -> bool:
        buf = self.buf
        if not buf.need(2):
            raise self._premature()
        return buf.text.startswith("</", buf.pos)

    # ------------------------------------------------------------------ records

    def record(self, tag: str, tag_text: str, empty: bool) -> RawRecord:
        """The record whose start tag was just read."""
        buf = self.buf
        buf.keep = buf.pos - len(tag_text)
        try:
            if not empty:
                close = f"</{tag}>"
                end = self._find(close)
                text = buf.text
                # Single characters are found fastest; only a '!' or '?' can start a comment,
                # a CDATA section or a processing instruction that might hide the end tag.
                if self.checked or (
                    text.find("!", buf.pos, end) == -1 and text.find("?", buf.pos, end) == -1
                ):
                    buf.pos = end + len(close)
                else:
                    self._balanced_end(tag)
            start = buf.keep
        finally:
            buf.keep = None
        end = buf.pos
        if end - start > self.max_record:
            raise QbxmlParseError(f"a qbXML record is longer than {self.max_record} characters")
        if buf.whole:
            return RawRecord(tag, buf.text, start, end, self.checked, self._references(start, end))
        markup = buf.text[start:end]
        checked = not ("!" in markup or "?" in markup or "]" in markup)
        return RawRecord(tag, markup, 0, end - start, checked, "&" in markup)

    def _balanced_end(self, tag: str) -> None:
        """Move past the end of the element ``tag`` whose start tag was just read, skipping
        comments, CDATA sections, processing instructions and nested elements of the same
        name. The markup in between is checked when the record is read."""
        buf = self.buf
        depth = 1
        while depth:
            buf.pos = self._find("<")
            if not buf.need(2):
                raise self._premature()
            if buf.text.startswith("<!", buf.pos) and not buf.need(9):
                raise self._premature()
            text = buf.text
            if text.startswith("<!--", buf.pos):
                self._skip_comment()
            elif text.startswith("<![CDATA[", buf.pos):
                buf.pos = self._find("]]>", buf.pos + 9) + 3
            elif text.startswith("<?", buf.pos):
                self._skip_pi()
            elif text.startswith("</", buf.pos):
                gt = self._find(">")
                match = _END_TAG.fullmatch(buf.text, buf.pos, gt + 1)
                if match is None:
                    raise QbxmlParseError(
                        f"malformed XML: cannot read the tag {buf.text[buf.pos : gt + 1][:60]!r}"
                    )
                buf.pos = gt + 1
                if match.group(1) == tag:
                    depth -= 1
            elif text.startswith("<!", buf.pos):
                raise QbxmlParseError("malformed XML: unexpected '<!'")
            else:
                name, _, empty = self.start_tag()
                if name == tag and not empty:
                    depth += 1
            if buf.keep is not None and buf.pos - buf.keep > self.max_record:
                raise QbxmlParseError(f"a qbXML record is longer than {self.max_record} characters")

    # ------------------------------------------------------------------ the message

    def prolog(self) -> None:
        buf = self.buf
        buf.need(512)
        if buf.text.isspace() or not buf.text:  # (isspace stops at the first other character)
            raise QbxmlParseError("empty XML document: expected a qbXML or SOAP message")
        if buf.from_bytes:
            declaration = _BYTES_DECLARATION.match(buf.text)
            if declaration is not None:
                buf.pos = declaration.end()
        else:
            # As the tree parser reads text: its declaration (and the encoding it names) is
            # dropped, then leading white space.
            declaration = _TEXT_DECLARATION.match(buf.text)
            if declaration is not None:
                buf.pos = declaration.end()
            while buf.pos < len(buf.text) and buf.text[buf.pos].isspace():
                buf.pos += 1
        self.misc(in_root=False)
        if not buf.need(1):
            raise QbxmlParseError("malformed XML: the document has no root element")

    def events(self) -> Iterator[Event]:
        self.prolog()
        buf = self.buf
        if buf.whole:
            self.checked = all(buf.text.find(c, buf.pos) == -1 for c in "!?]")
            self._next_reference = buf.text.find("&", buf.pos)
        name, tag_text, empty = self.start_tag()
        if name != "QBXML":
            raise UnusualMarkup(f"expected a <QBXML> document, got <{name}>")
        if tag_text not in ("<QBXML>", "<QBXML/>"):
            raise UnusualMarkup("the <QBXML> element of a qbXML response has no attributes")
        if empty:
            raise QbxmlParseError("the qbXML document has no <QBXMLMsgsRs> (not a response)")
        self.misc(in_root=True)
        if self.at_end_tag():
            raise UnusualMarkup("the qbXML document has no <QBXMLMsgsRs> (not a response)")
        name, tag_text, empty = self.start_tag()
        if name != "QBXMLMsgsRs":
            raise UnusualMarkup(f"<{name}> before <QBXMLMsgsRs>")
        attributes = _attributes(tag_text, self.limits)
        yield MessageHead(attributes.get("newMessageSetID"), attributes.get("messageSetStatusCode"))
        if not empty:
            yield from self._responses()
        self.misc(in_root=True)
        if not self.at_end_tag():
            raise UnusualMarkup("elements after <QBXMLMsgsRs>")
        self.end_tag("QBXML")
        self.misc(in_root=False)
        if self.buf.need(1):
            raise QbxmlParseError("malformed XML: content after the end of the document")

    def _responses(self) -> Iterator[Event]:
        while True:
            self.misc(in_root=True)
            if self.at_end_tag():
                self.end_tag("QBXMLMsgsRs")
                return
            name, tag_text, empty = self.start_tag()
            if not name.endswith("Rs"):
                raise UnusualMarkup(f"unexpected <{name}> inside <QBXMLMsgsRs>")
            yield ResponseHead(name, _attributes(tag_text, self.limits))
            if empty:
                continue
            if self.checked:
                yield from self._plain_records()
            while True:
                self.misc(in_root=True)
                if self.at_end_tag():
                    self.end_tag(name)
                    break
                tag, record_tag, record_empty = self.start_tag()
                yield self.record(tag, record_tag, record_empty)

    def _plain_records(self) -> Iterator[RawRecord]:
        """The records of a response of a plain whole message (no comments, CDATA, processing
        instructions or references), for as long as each is a start tag without attributes
        followed by its end tag; whatever else comes is left to the general reading."""
        buf = self.buf
        text = buf.text
        pos = buf.pos
        next_tag, find, new = _NEXT_TAG.match, text.find, tuple.__new__
        max_record = self.max_record
        closes: dict[str, str] = {}
        ampersand = self._next_reference  # as _references() finds it, inline
        while True:
            match = next_tag(text, pos)
            if match is None:
                return
            tag = match.group(1)
            after = match.end()
            start = after - len(tag) - 2
            close = closes.get(tag)
            if close is None:
                close = closes[tag] = f"</{tag}>"
            end = find(close, after)
            if end == -1:
                return
            pos = end + len(close)
            if pos - start > max_record:
                raise QbxmlParseError(f"a qbXML record is longer than {max_record} characters")
            if ampersand != -1 and ampersand < start:
                ampersand = self._next_reference = find("&", start)
            buf.pos = pos
            # RawRecord(tag, text, start, pos, True, references), without the call of its
            # generated __new__ (a named tuple: the same object).
            yield new(RawRecord, (tag, text, start, pos, True, -1 != ampersand < pos))


def _as_chunks(data: str | bytes | Iterable[str | bytes]) -> tuple[Iterator[str | bytes], bool]:
    if isinstance(data, str | bytes):
        return iter((data,)), True
    return iter(data), False


def scan(
    data: str | bytes | Iterable[str | bytes],
    *,
    limits: XmlLimits = DEFAULT_LIMITS,
    max_record_chars: int = DEFAULT_MAX_RECORD_CHARS,
) -> Iterator[Event]:
    """The events of a qbXML response message given whole (``str`` or ``bytes``) or as an
    iterable of chunks (``str``, or UTF-8 ``bytes``), read as they come.

    Raises :class:`QbxmlParseError` for unsafe or malformed input and :class:`UnusualMarkup`
    (a subclass) for well-formed markup outside records that QuickBooks does not write.
    """
    chunks, whole = _as_chunks(data)
    if whole and isinstance(data, str) and len(data) > limits.max_bytes:
        raise QbxmlParseError(
            f"XML document of {len(data)} bytes exceeds the limit of {limits.max_bytes} bytes; "
            "ask for fewer records per message (MaxReturned)"
        )
    buf = _Buffer(chunks, limits, whole=whole)
    return _Scanner(buf, limits, max_record_chars).events()


def scan_chunks(text: str, size: int = _CHUNK) -> Iterator[str]:
    """``text`` in pieces of ``size`` characters (for tests and benchmarks of streaming)."""
    for offset in range(0, len(text), size):
        yield text[offset : offset + size]
