"""The list tabs' shared links and forms (``web/pages/tab_forms.py``): a tab page's address, the
page a form returns to (never another site, always a valid page of the tab), and the listing
context the templates draw from. The Jobs tab's own cases are in ``test_job_forms``."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procore_qb.app.cost_codes import CostCodeFilter
from procore_qb.web.api.problems import ApiProblem
from procore_qb.web.pages.cost_codes import COST_CODES_PATH, COST_CODES_TAB, cost_codes_url
from procore_qb.web.pages.job_forms import JOBS_TAB
from procore_qb.web.pages.tab_forms import (
    MAX_SEARCH,
    PER_PAGE_CHOICES,
    listing_search,
)

links = st.builds(
    lambda f, page, per_page, search: (
        f"{COST_CODES_PATH}?filter={f}&page={page}&per_page={per_page}&search={search}"
    ),
    st.sampled_from([*CostCodeFilter, "nothing"]),
    st.integers(-5, 2_000_000),
    st.integers(-5, 600),
    st.text(max_size=250),
)


@given(st.one_of(st.text(max_size=300), links), st.sampled_from(CostCodeFilter))
def test_a_form_returns_only_to_a_page_of_the_cost_codes_tab(
    value: str, default: CostCodeFilter
) -> None:
    target = COST_CODES_TAB.back(value, default)
    parts = urlsplit(target)
    assert parts.path == COST_CODES_PATH
    assert not parts.scheme
    assert not parts.netloc
    query = dict(parse_qsl(parts.query))
    assert set(query) <= {"filter", "page", "per_page", "search"}
    CostCodeFilter(query["filter"])
    assert 1 <= int(query.get("page", "1")) <= 1_000_000
    assert int(query.get("per_page", "50")) in PER_PAGE_CHOICES
    assert len(query.get("search", "")) <= MAX_SEARCH
    assert COST_CODES_TAB.back(target, default) == target


def test_a_search_too_long_goes_where_each_tab_always_sent_it() -> None:
    long = "x" * (MAX_SEARCH + 1)
    codes = f"{COST_CODES_PATH}?filter=synced&page=3&per_page=25&search={long}"
    assert COST_CODES_TAB.back(codes, CostCodeFilter.READY_TO_EXPORT) == cost_codes_url(
        CostCodeFilter.SYNCED
    )
    jobs = f"/erp/jobs?filter=synced&page=3&per_page=25&search={long}"
    assert JOBS_TAB.back(jobs, JOBS_TAB.filters("ready_to_export")) == (
        "/erp/jobs?filter=synced&page=3&per_page=25"
    )


def test_the_listing_context_draws_the_same_addresses() -> None:
    shown = COST_CODES_TAB.listing(
        CostCodeFilter.SYNCED, page=2, per_page=25, search="Roof & co", total=51
    )
    assert shown["pages"] == 3
    assert shown["search"] == "Roof & co"
    assert shown["per_page_choices"] == PER_PAGE_CHOICES
    assert shown["here"] == "/erp/cost-codes?filter=synced&page=2&per_page=25&search=Roof+%26+co"
    url = shown["url"]
    assert url(page=3) == "/erp/cost-codes?filter=synced&page=3&per_page=25&search=Roof+%26+co"
    assert url(filter=CostCodeFilter.REJECTED, search="") == (
        "/erp/cost-codes?filter=rejected&per_page=25"
    )
    assert (
        COST_CODES_TAB.listing(CostCodeFilter.SYNCED, page=1, per_page=50, search="", total=0)[
            "pages"
        ]
        == 1
    )


def test_a_listing_takes_only_the_offered_page_sizes() -> None:
    assert listing_search(25, "  roof ") == "roof"
    with pytest.raises(ApiProblem) as refused:
        listing_search(30, "")
    assert "per_page: one of 25, 50, 100" in str(refused.value.detail)
