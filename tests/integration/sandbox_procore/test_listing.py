"""Paging headers, the per_page cap, filters and sort on list endpoints."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from procore_qb.sandbox.procore import SandboxConfig

from .conftest import ADA, COMPANY, Sim, make_sim

PROJECTS = "/rest/v1.0/projects"


def links(header: str) -> dict[str, int]:
    out = {}
    for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header):
        out[rel] = int(parse_qs(urlsplit(url).query)["page"][0])
    return out


def test_headers_on_each_kind_of_page(sim: Sim) -> None:
    sim.http.post("/_sandbox/projects/bulk", json={"count": 41})  # 50 active projects in all
    q = {"company_id": COMPANY, "per_page": 10}
    first = sim.http.get(PROJECTS, params={**q, "page": 1}, headers=ADA)
    assert first.headers["Total"] == "50"
    assert first.headers["Per-Page"] == "10"
    assert links(first.headers["Link"]) == {"next": 2, "last": 5}
    second = sim.http.get(PROJECTS, params={**q, "page": 2}, headers=ADA)
    assert links(second.headers["Link"]) == {"first": 1, "next": 3, "last": 5}
    middle = sim.http.get(PROJECTS, params={**q, "page": 3}, headers=ADA)
    assert links(middle.headers["Link"]) == {"first": 1, "prev": 2, "next": 4, "last": 5}
    last = sim.http.get(PROJECTS, params={**q, "page": 5}, headers=ADA)
    assert links(last.headers["Link"]) == {"first": 1, "prev": 4}
    assert len(last.json()) == 10
    ids = [
        p["id"]
        for n in range(1, 6)
        for p in sim.http.get(PROJECTS, params={**q, "page": n}, headers=ADA).json()
    ]
    assert len(set(ids)) == 50


def test_link_keeps_the_other_query_parameters(sim: Sim) -> None:
    r = sim.http.get(
        PROJECTS, params={"company_id": COMPANY, "per_page": 2, "filters[name]": "e"}, headers=ADA
    )
    nxt = re.search(r'<([^>]+)>; rel="next"', r.headers["Link"])
    assert nxt is not None
    assert "filters%5Bname%5D=e" in nxt.group(1) or "filters[name]=e" in nxt.group(1)


def test_per_page_is_capped() -> None:
    small = make_sim(SandboxConfig(max_per_page=5, default_per_page=3))
    r = small.http.get(PROJECTS, params={"company_id": COMPANY, "per_page": 500}, headers=ADA)
    assert r.headers["Per-Page"] == "5"
    assert len(r.json()) == 5
    r = small.http.get(PROJECTS, params={"company_id": COMPANY}, headers=ADA)
    assert r.headers["Per-Page"] == "3"


@pytest.mark.parametrize("bad", ["0", "-1", "two"])
def test_bad_page_numbers(sim: Sim, bad: str) -> None:
    r = sim.http.get(PROJECTS, params={"company_id": COMPANY, "page": bad}, headers=ADA)
    assert r.status_code == 400


def test_paging_through_5000_projects(sim: Sim) -> None:
    sim.http.post("/_sandbox/projects/bulk", json={"count": 5000})
    seen: list[int] = []
    url: str | None = f"{PROJECTS}?company_id={COMPANY}&per_page=100"
    while url:
        r = sim.http.get(url, headers=ADA)
        seen += [p["id"] for p in r.json()]
        nxt = re.search(r'<([^>]+)>; rel="next"', r.headers.get("Link", ""))
        url = nxt.group(1) if nxt else None
    assert len(seen) == len(set(seen)) == 5009  # 9 active seed projects + 5000


def test_by_status_filter(sim: Sim) -> None:
    def names(status: str | None) -> set[str]:
        params = {"company_id": COMPANY}
        if status:
            params["filters[by_status]"] = status
        return {p["name"] for p in sim.http.get(PROJECTS, params=params, headers=ADA).json()}

    assert "Pinecrest School Gym" not in names(None)
    assert names("Inactive") == {"Pinecrest School Gym"}
    assert len(names("All")) == 10
    r = sim.http.get(
        PROJECTS, params={"company_id": COMPANY, "filters[by_status]": "Closed"}, headers=ADA
    )
    assert r.status_code == 400


def test_updated_at_ranges_in_every_documented_form(sim: Sim) -> None:
    sim.advance(3600)
    sim.http.patch(
        "/rest/v1.0/projects/2002", json={"project": {"description": "x"}}, headers=sim.service()
    )
    forms = [
        "2026-11-02T09:30:00Z...2026-11-02T11:00:00Z",
        "2026-11-02T10:30:00+01:00...2026-11-02T12:00:00+01:00",
        "2026-11-02...2026-11-02",
    ]
    for form in forms:
        r = sim.http.get(
            PROJECTS, params={"company_id": COMPANY, "filters[updated_at]": form}, headers=ADA
        )
        assert r.status_code == 200, (form, r.text)
        got = {p["id"] for p in r.json()}
        # The date form covers the whole day: all 9 active projects changed on 2 November.
        assert got == ({2002} if "T" in form else got | {2002})
        assert len(got) == (1 if "T" in form else 9)
    r = sim.http.get(
        PROJECTS,
        params={
            "company_id": COMPANY,
            "filters[updated_at]": "2026-11-02T09:30:00Z...2026-11-02T09:59:00Z",
        },
        headers=ADA,
    )
    assert r.json() == []


@pytest.mark.parametrize(
    "bad",
    [
        "2026-11-02",
        "2026-11-02T09:00:00...2026-11-03T00:00:00",
        "yesterday...today",
        "2026-11-03...2026-11-01",
    ],
)
def test_bad_ranges_are_refused(sim: Sim, bad: str) -> None:
    r = sim.http.get(
        PROJECTS, params={"company_id": COMPANY, "filters[updated_at]": bad}, headers=ADA
    )
    assert r.status_code == 400
    assert "filters[updated_at]" in r.text or "ISO 8601" in r.text or "time zone" in r.text


def test_id_and_origin_filters(sim: Sim) -> None:
    svc = sim.service()
    sim.http.patch("/rest/v1.0/projects/2003", json={"project": {"origin_id": "QB-3"}}, headers=svc)
    for params in (
        {"filters[id]": "2001,2003"},
        {"filters[id][]": ["2001", "2003"]},
        {"filters[id]": "[2001,2003]"},
    ):
        r = sim.http.get(PROJECTS, params={"company_id": COMPANY, **params}, headers=ADA)
        assert sorted(p["id"] for p in r.json()) == [2001, 2003]
    r = sim.http.get(
        PROJECTS, params={"company_id": COMPANY, "filters[origin_id]": "QB-3"}, headers=ADA
    )
    assert [p["id"] for p in r.json()] == [2003]
    r = sim.http.get(
        PROJECTS, params={"company_id": COMPANY, "filters[synced]": "true"}, headers=ADA
    )
    assert [p["id"] for p in r.json()] == [2003]
    r = sim.http.get(PROJECTS, params={"company_id": COMPANY, "filters[id]": "abc"}, headers=ADA)
    assert r.status_code == 400


def test_sort_and_compact_view(sim: Sim) -> None:
    r = sim.http.get(
        PROJECTS,
        params={"company_id": COMPANY, "sort": "-name", "serializer_view": "compact"},
        headers=ADA,
    )
    names = [p["name"] for p in r.json()]
    assert names == sorted(names, key=str.lower, reverse=True)
    assert set(r.json()[0]) == {"id", "name", "display_name"}
