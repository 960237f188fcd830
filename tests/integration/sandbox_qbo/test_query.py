"""The query endpoint: grammar, real errors, paging and count(*)."""

from __future__ import annotations

import pytest

from procore_qb.sandbox.qbo import Simulator

from .conftest import BASE, Api, fault


@pytest.fixture
def many_jobs(simulator: Simulator, api: Api) -> str:
    """250 jobs under one new customer."""
    parent = api.post("/customer", {"DisplayName": "Bulk Owner"}).json()["Customer"]["Id"]
    for number in range(250):
        response = api.post(
            "/customer",
            {"DisplayName": f"Bulk Job {number:04d}", "Job": True, "ParentRef": {"value": parent}},
        )
        assert response.status_code == 200
    return str(parent)


def test_get_and_post_forms_agree(api: Api) -> None:
    text = "select * from Customer where Job = true"
    posted = api.query(text).json()["QueryResponse"]
    got = api.client.get(BASE + "/query", params={"query": text}, headers=api.headers)
    assert got.json()["QueryResponse"] == posted
    assert posted["startPosition"] == 1
    assert posted["maxResults"] == len(posted["Customer"]) == 4


def test_paging_is_one_based_with_default_100_and_empty_past_the_end(
    api: Api, many_jobs: str
) -> None:
    where = f"where ParentRef = '{many_jobs}'"
    first = api.query(f"select * from Customer {where}").json()["QueryResponse"]
    assert first["maxResults"] == 100
    assert first["Customer"][0]["DisplayName"] == "Bulk Job 0000"
    second = api.query(f"select * from Customer {where} startposition 101 maxresults 100")
    page = second.json()["QueryResponse"]
    assert page["startPosition"] == 101
    assert page["Customer"][0]["DisplayName"] == "Bulk Job 0100"
    last = api.query(f"select * from Customer {where} startposition 201 maxresults 1000")
    assert last.json()["QueryResponse"]["maxResults"] == 50
    past = api.query(f"select * from Customer {where} startposition 251 maxresults 100")
    assert past.status_code == 200
    assert past.json()["QueryResponse"] == {}


def test_entity_and_property_names_match_in_any_case(api: Api) -> None:
    canonical = api.query(
        "select * from Customer where MetaData.LastUpdatedTime > '2000-01-01' "
        "orderby MetaData.LastUpdatedTime"
    ).json()["QueryResponse"]
    assert canonical["Customer"]
    for text in (
        "select * from customer where metadata.lastupdatedtime > '2000-01-01' "
        "orderby Metadata.LastUpdatedTime",
        "SELECT * FROM CUSTOMER WHERE METADATA.LASTUPDATEDTIME > '2000-01-01' "
        "ORDERBY metadata.lastUpdatedTime",
    ):
        answer = api.query(text)
        assert answer.status_code == 200, answer.text
        assert answer.json()["QueryResponse"] == canonical
    jobs = api.query("select * from customer where job = true orderby displayname desc")
    names = [c["DisplayName"] for c in jobs.json()["QueryResponse"]["Customer"]]
    assert len(names) == 4
    assert names == sorted(names, key=str.casefold, reverse=True)
    inactive = api.query("select count(*) from customer where active = false").json()
    everyone = api.query("select count(*) from Customer where Active in (true, false)").json()
    active = api.query("select count(*) from Customer").json()
    total = everyone["QueryResponse"]["totalCount"]
    assert inactive["QueryResponse"]["totalCount"] + active["QueryResponse"]["totalCount"] == total
    assert api.query("select * from bill where vendorref = '1'").status_code == 200


def test_the_queries_python_quickbooks_sends(api: Api) -> None:
    # As built by python-quickbooks' mixins.py and utils.py (all, filter, choose, where, count).
    api.post("/customer", {"DisplayName": "O'Brien Framing"})
    items = api.query("SELECT *, Sku FROM Item ORDER BY Name STARTPOSITION 1 MAXRESULTS 100")
    assert items.status_code == 200, items.text
    assert items.json()["QueryResponse"]["Item"]
    escaped = api.query("SELECT * FROM Customer WHERE DisplayName = 'O\\'Brien Framing' ")
    assert [c["DisplayName"] for c in escaped.json()["QueryResponse"]["Customer"]] == [
        "O'Brien Framing"
    ]
    ids = [c["Id"] for c in api.rows("select * from Customer")][:2]
    chosen = api.query(f"SELECT * FROM Customer WHERE Id in ('{ids[0]}', '{ids[1]}')")
    assert sorted(c["Id"] for c in chosen.json()["QueryResponse"]["Customer"]) == sorted(ids)
    active = api.query("SELECT * FROM Customer WHERE Active = True ORDERBY DisplayName")
    assert active.status_code == 200
    like = api.query("SELECT * FROM Customer WHERE DisplayName LIKE 'o\\'brien%'")
    assert len(like.json()["QueryResponse"]["Customer"]) == 1
    count = api.query("SELECT COUNT(*) FROM Customer WHERE Job = True")
    assert count.json()["QueryResponse"] == {"totalCount": 4}
    assert api.query("SELECT COUNT(*) FROM Customer ").json()["QueryResponse"]["totalCount"] > 4


def test_count(api: Api, many_jobs: str) -> None:
    response = api.query(f"select count(*) from Customer where ParentRef = '{many_jobs}'")
    assert response.json()["QueryResponse"] == {"totalCount": 250}


def test_maxresults_over_1000_is_a_validation_fault(api: Api) -> None:
    response = api.query("select * from Customer maxresults 1500")
    assert response.status_code == 400
    error = fault(response)
    assert error["code"] == "4001"
    assert error["Detail"] == (
        "QueryValidationError: value 1500 is too large. Max allowed value is 1000"
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("select * from Customer where Job = true or Active = false", "4000"),
        ("select * from Customer join Vendor", "4000"),
        ("select * from Bill group by VendorRef", "4000"),
        ("select Id, DisplayName from Customer", "4000"),
        ("select * from Widget", "4001"),
        ("", "4000"),
        ("select * from Customer where Line.Amount > 5", "4001"),
        ("select * from Customer where Nickname = 'x'", "4001"),
        ("select * from Customer startposition 0", "4001"),
        ("select * from Customer where DisplayName != 'x'", "4000"),
        ("select * from Customer where DisplayName = 'unterminated", "4000"),
    ],
)
def test_refused_queries(api: Api, text: str, code: str) -> None:
    response = api.query(text)
    assert response.status_code == 400
    assert fault(response)["code"] == code


def test_or_error_names_the_rule(api: Api) -> None:
    detail = fault(api.query("select * from Customer where Job = true or Active = false"))["Detail"]
    assert detail.startswith('QueryParserError: Encountered " <OR> "or ""')
    assert "IN" in detail


def test_operators_like_in_dates_and_escaped_quotes(api: Api) -> None:
    made = api.post("/customer", {"DisplayName": "O'Brien Builders"})
    assert made.status_code == 200
    assert api.rows("select * from Customer where DisplayName = 'O\\'Brien Builders'")
    like = api.rows("select * from Customer where DisplayName like 'Green%'")
    assert [row["DisplayName"] for row in like] == ["Greenleaf Properties"]
    both = api.rows(
        "select * from Customer where DisplayName in ('Fire Station 3', 'Pier 9 Restaurant')"
    )
    assert len(both) == 2
    recent = api.rows(
        "select * from Customer where MetaData.LastUpdatedTime >= '2026-11-02T00:00:00-08:00'"
    )
    assert len(recent) == 9
    bills = api.rows("select * from Bill where TxnDate > '2026-04-01' orderby TxnDate desc")
    assert [bill["DocNumber"] for bill in bills] == ["VP-330", "BEC-2210"]
    amounts = api.rows("select * from Bill where TotalAmt >= 8725 orderby TotalAmt")
    assert [bill["TotalAmt"] for bill in amounts] == [8725.0, 14350.0]


def test_queries_return_only_active_lists_unless_asked(api: Api) -> None:
    item = api.one("Item", "Name = 'Lumber'")
    api.post(
        "/item", {"Id": item["Id"], "SyncToken": item["SyncToken"], "sparse": True, "Active": False}
    )
    assert api.rows("select * from Item where Name = 'Lumber'") == []
    both = api.rows("select * from Item where Name = 'Lumber' and Active in (true, false)")
    assert len(both) == 1
