"""What the list tabs (ERP Integrations → Jobs and → Cost Codes) share in their links and forms:
the address of one page of a tab (filter, page, page size, search), the page a form returns to
(re-checked, never another site), the page size and search of a listing request, and what the
tab's template needs to draw its filters, search form and pager (``_tab.html``). A field that
is not valid is refused with a 422 page naming it (the JSON API's ``invalid_request``)."""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from procore_qb.web.api.problems import ApiProblem
from procore_qb.web.pages.paths import safe_next

__all__ = [
    "MAX_SEARCH",
    "PER_PAGE_CHOICES",
    "TabAddress",
    "invalid",
    "listing_search",
]

MAX_SEARCH = 200
PER_PAGE_CHOICES = (25, 50, 100)
DEFAULT_PER_PAGE = 50
MAX_PAGE = 1_000_000
_QUERY_KEYS = frozenset({"filter", "page", "per_page", "search"})

F = TypeVar("F", bound=enum.StrEnum)


def invalid(field: str, message: str) -> ApiProblem:
    """A 422 for one field of a form."""
    text = f"{field}: {message}"
    return ApiProblem(
        422,
        "Invalid request",
        text,
        rule="invalid_request",
        problems=[{"rule": "invalid_request", "message": text}],
    )


def listing_search(per_page: int, search: str) -> str:
    """A listing request's search, stripped, once its page size is one of the choices."""
    if per_page not in PER_PAGE_CHOICES:
        raise invalid("per_page", f"one of {', '.join(map(str, PER_PAGE_CHOICES))}")
    return search.strip()


@dataclass(frozen=True, slots=True)
class TabAddress(Generic[F]):
    """The pages of one tab: ``path?filter=…&page=…&per_page=…&search=…``."""

    path: str
    filters: Callable[[str], F]
    """The tab's filter enum (a value that is none of them raises ValueError)."""
    keep_page_on_long_search: bool
    """Where a returning address with a search longer than :data:`MAX_SEARCH` goes: True, the
    same filter, page and size without the search (the Jobs tab); False, the filter's first
    page (the Cost Codes tab)."""

    def url(
        self, tab_filter: F, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE, search: str = ""
    ) -> str:
        """The address of one page of the tab."""
        query: dict[str, str | int] = {"filter": tab_filter.value}
        if page > 1:
            query["page"] = page
        if per_page != DEFAULT_PER_PAGE:
            query["per_page"] = per_page
        if search:
            query["search"] = search
        return f"{self.path}?{urlencode(query)}"

    def back(self, value: str, default: F) -> str:
        """Where a form of the tab returns to: the page of the tab it was posted from (its
        filter, page, size and search, re-checked), else the first page of ``default``."""
        parts = urlsplit(safe_next(value))
        query = dict(parse_qsl(parts.query))
        if parts.path != self.path or not set(query) <= _QUERY_KEYS:
            return self.url(default)
        try:
            tab_filter = self.filters(query.get("filter", default.value))
            page = int(query.get("page", "1"))
            per_page = int(query.get("per_page", str(DEFAULT_PER_PAGE)))
        except ValueError:
            return self.url(default)
        search = query.get("search", "")
        if not 1 <= page <= MAX_PAGE or per_page not in PER_PAGE_CHOICES:
            return self.url(tab_filter)
        if len(search) > MAX_SEARCH:
            if not self.keep_page_on_long_search:
                return self.url(tab_filter)
            search = ""
        return self.url(tab_filter, page=page, per_page=per_page, search=search)

    def listing(
        self, tab_filter: F, *, page: int, per_page: int, search: str, total: int
    ) -> dict[str, Any]:
        """What the tab's template draws its filters, search form and pager with: the number
        of ``pages``, the ``search``, the ``per_page_choices``, this page's address ``here``,
        and ``url(**changes)``, the address of this page with ``filter``, ``page``,
        ``per_page`` or ``search`` changed (the page back to 1 unless given)."""

        def url(**changes: Any) -> str:
            return self.url(
                changes.get("filter", tab_filter),
                page=changes.get("page", 1),
                per_page=changes.get("per_page", per_page),
                search=changes.get("search", search),
            )

        return {
            "pages": max(1, math.ceil(total / per_page)),
            "search": search,
            "per_page_choices": PER_PAGE_CHOICES,
            "here": self.url(tab_filter, page=page, per_page=per_page, search=search),
            "url": url,
        }
