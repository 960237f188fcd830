"""Procore's paging headers: ``Link`` (first/prev/next/last), ``Total`` and ``Per-Page``.

Spec procore-api §1.3 (developers.procore.com/documentation/pagination): pages are 1-based;
page 1 carries ``next`` and ``last``, middle pages all four, the last page no ``next``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

__all__ = ["PageInfo", "parse_link_header", "parse_page_info"]

_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([a-zA-Z]+)"?')


def parse_link_header(value: str) -> dict[str, str]:
    """``{"next": url, ...}`` from a ``Link`` header."""
    return {rel.lower(): url for url, rel in _LINK.findall(value or "")}


def _page_of(url: str) -> int | None:
    pages = parse_qs(urlsplit(url).query).get("page")
    if not pages:
        return None
    try:
        return int(pages[0])
    except ValueError:
        return None


def _int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class PageInfo:
    """What the headers of one page say about the rest."""

    total: int | None
    per_page: int | None
    next_page: int | None
    last_page: int | None
    has_link_header: bool


def parse_page_info(headers: Mapping[str, str]) -> PageInfo:
    link = headers.get("Link")
    links = parse_link_header(link or "")
    return PageInfo(
        total=_int(headers, "Total"),
        per_page=_int(headers, "Per-Page"),
        next_page=_page_of(links["next"]) if "next" in links else None,
        last_page=_page_of(links["last"]) if "last" in links else None,
        has_link_header=link is not None,
    )
