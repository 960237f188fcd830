"""``POST /_sandbox/bulk``: thousands of customers, jobs and bills in one call, outside the
throttle, deterministic, and readable through the public API."""

from __future__ import annotations

from starlette.testclient import TestClient

from procore_qb.sandbox import seed

from .conftest import Api


def test_one_call_loads_ten_thousand_customers_jobs_and_bills(client: TestClient, api: Api) -> None:
    # Starting from the seed world; the throttle window is the production one (500 a minute).
    loaded = client.post("/_sandbox/bulk", json={"size": 10_000})
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["added"] == {
        "Vendor": 1000,
        "Item": 1000,
        "Customer": 20_000,
        "Bill": 10_000,
    }
    # A normal query right after: no 429, the load spent nobody's budget.
    jobs = api.query("select count(*) from Customer where Job = true")
    assert jobs.status_code == 200, jobs.text
    assert jobs.json()["QueryResponse"]["totalCount"] == 10_000 + len(seed.JOBS)
    bills = api.query("select count(*) from Bill").json()["QueryResponse"]["totalCount"]
    assert bills == 10_000 + sum(1 for t in seed.TRANSACTIONS if t.kind == "Bill")
    # The records read back through the API as any client would see them.
    world = seed.bulk_world(10_000)
    last_job = world.jobs[-1]
    [job] = api.rows(f"select * from Customer where DisplayName = '{last_job.name}'")
    assert job["FullyQualifiedName"] == last_job.full_name
    assert job["ParentRef"]["value"]
    last_bill = world.transactions[-1]
    [bill] = api.rows(f"select * from Bill where DocNumber = '{last_bill.ref_number}'")
    assert bill["TotalAmt"] == float(last_bill.lines[0].amount)
    detail = bill["Line"][0]["ItemBasedExpenseLineDetail"]
    assert detail["CustomerRef"]["value"] == job["Id"]
    assert api.get(f"/bill/{bill['Id']}").json()["Bill"]["DocNumber"] == last_bill.ref_number
    # Loading the same records twice would clash on their names: refused, nothing added.
    again = client.post("/_sandbox/bulk", json={"size": 10})
    assert again.status_code == 409
    assert "reset it first" in again.json()["error"]


def test_the_same_size_gives_the_same_records(client: TestClient, api: Api) -> None:
    def snapshot() -> list[tuple[str, str]]:
        rows = api.rows("select * from Customer where Job = true orderby Id maxresults 1000")
        return [(r["Id"], r["FullyQualifiedName"]) for r in rows]

    assert client.post("/_sandbox/bulk", json={"size": 300}).status_code == 200
    first = snapshot()
    assert client.post("/_sandbox/seed").status_code == 200
    assert client.post("/_sandbox/bulk", json={"size": 300}).status_code == 200
    assert snapshot() == first


def test_an_empty_company_gets_its_accounts(client: TestClient, api: Api) -> None:
    assert client.post("/_sandbox/reset").status_code == 200
    assert client.post("/_sandbox/bulk", json={"size": 20}).status_code == 200
    assert len(api.rows("select * from Customer where Job = true")) == 20
    assert {a["Name"] for a in api.rows("select * from Account")} == {a.name for a in seed.ACCOUNTS}


def test_sizes_are_checked(client: TestClient) -> None:
    for body in ({}, {"size": 0}, {"size": seed.BULK_MAX + 1}, {"size": "10"}, {"size": True}):
        answer = client.post("/_sandbox/bulk", json=body)
        assert answer.status_code == 400, body
        assert "size" in answer.json()["error"]
    assert client.post("/_sandbox/bulk", json={"size": 5, "realm_id": "42"}).status_code == 403
