"""The simulator over HTTP: its raw qbXML door, paging 2,500 jobs, incremental refresh, job cost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lxml import etree
from starlette.testclient import TestClient

from procore_qb.sandbox import seed
from procore_qb.sandbox.qbd import ManualClock, QbdSimulator, create_app, open_simulator

HEAD = '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?><QBXML>'


def message(*requests: str, on_error: str = "continueOnError") -> str:
    return f'{HEAD}<QBXMLMsgsRq onError="{on_error}">{"".join(requests)}</QBXMLMsgsRq></QBXML>'


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock) -> Iterator[QbdSimulator]:
    simulator = open_simulator(None, clock)
    yield simulator
    simulator.company.close()


@pytest.fixture
def client(sim: QbdSimulator) -> Iterator[TestClient]:
    with TestClient(create_app(sim)) as test_client:
        yield test_client


def post(client: TestClient, *requests: str) -> etree._Element:
    response = client.post("/_sandbox/qbd/qbxml", content=message(*requests))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    messages = root.find("QBXMLMsgsRs")
    assert messages is not None
    return messages


def test_raw_door_runs_qbxml(client: TestClient) -> None:
    out = post(
        client, '<CustomerQueryRq requestID="7"><MaxReturned>1</MaxReturned></CustomerQueryRq>'
    )
    assert out[0].get("requestID") == "7"
    assert out[0].get("retCount") == "1"


def test_unparseable_text_gets_the_hresult(client: TestClient) -> None:
    response = client.post("/_sandbox/qbd/qbxml", content="<QBXML><oops></QBXML>")
    assert response.status_code == 400
    assert response.json()["hresult"] == "0x80040400"


def test_reset_reloads_the_seed(client: TestClient) -> None:
    post(client, "<CustomerAddRq><CustomerAdd><Name>Scratch</Name></CustomerAdd></CustomerAddRq>")
    assert client.post("/_sandbox/qbd/reset").json() == {"reset": True}
    out = post(client, "<CustomerQueryRq><FullName>Scratch</FullName></CustomerQueryRq>")
    assert out[0].get("statusCode") == "500"
    assert post(client, "<CustomerQueryRq/>")[0].get("retCount") == "8"


def test_clock_control(client: TestClient, clock: ManualClock) -> None:
    before = clock.now()
    answer = client.post("/_sandbox/qbd/clock/advance", json={"seconds": 90})
    assert answer.status_code == 200
    assert (clock.now() - before).total_seconds() == 90
    assert client.post("/_sandbox/qbd/clock/advance", json={"seconds": -1}).status_code == 422


def _jobs(count: int, start: int = 0) -> list[str]:
    return [
        f'<CustomerAddRq requestID="{n}"><CustomerAdd><Name>Job {n:05d}</Name><ParentRef>'
        "<FullName>City of Springfield</FullName></ParentRef></CustomerAdd></CustomerAddRq>"
        for n in range(start, start + count)
    ]


def test_page_2500_jobs_with_an_iterator(client: TestClient) -> None:
    for start in range(0, 2500, 500):
        out = post(client, *_jobs(500, start))
        assert {rs.get("statusCode") for rs in out} == {"0"}
    seen: list[str] = []
    page = post(
        client, '<CustomerQueryRq iterator="Start"><MaxReturned>500</MaxReturned></CustomerQueryRq>'
    )[0]
    iterator_id = page.get("iteratorID")
    total = 2500 + 8
    seen += [r.findtext("ListID", "") for r in page]
    assert page.get("iteratorRemainingCount") == str(total - 500)
    while page.get("iteratorRemainingCount") != "0":
        page = post(
            client,
            f'<CustomerQueryRq iterator="Continue" iteratorID="{iterator_id}">'
            "<MaxReturned>500</MaxReturned></CustomerQueryRq>",
        )[0]
        assert page.get("statusCode") == "0"
        seen += [r.findtext("ListID", "") for r in page]
    assert len(seen) == total
    assert len(set(seen)) == total


def test_incremental_refresh_sees_only_changed_and_deleted_jobs(
    client: TestClient, clock: ManualClock
) -> None:
    post(client, *_jobs(5))
    clock.advance(600)
    watermark = clock.now().isoformat()
    clock.advance(60)
    jobs = {
        r.findtext("Name"): r
        for r in post(
            client,
            "<CustomerQueryRq><NameFilter><MatchCriterion>StartsWith"
            "</MatchCriterion><Name>City of Springfield:Job</Name></NameFilter>"
            "</CustomerQueryRq>",
        )[0]
    }
    changed = jobs["Job 00001"]
    gone = jobs["Job 00002"]
    post(
        client,
        f"<CustomerModRq><CustomerMod><ListID>{changed.findtext('ListID')}</ListID><EditSequence>"
        f"{changed.findtext('EditSequence')}</EditSequence><JobStatus>Closed</JobStatus>"
        "</CustomerMod></CustomerModRq>",
        f"<ListDelRq><ListDelType>Customer</ListDelType><ListID>{gone.findtext('ListID')}</ListID>"
        "</ListDelRq>",
    )
    post(client, *_jobs(1, 100))
    out = post(
        client,
        f"<CustomerQueryRq><ActiveStatus>All</ActiveStatus><FromModifiedDate>{watermark}"
        "</FromModifiedDate></CustomerQueryRq>",
        "<ListDeletedQueryRq><ListDelType>Customer</ListDelType><DeletedDateRangeFilter>"
        f"<FromDeletedDate>{watermark}</FromDeletedDate></DeletedDateRangeFilter>"
        "</ListDeletedQueryRq>",
    )
    changed_names = sorted(r.findtext("Name", "") for r in out[0])
    assert changed_names == ["Job 00001", "Job 00100"]
    assert [r.findtext("ListID") for r in out[1]] == [gone.findtext("ListID")]
    assert out[1].findtext("ListDeletedRet/FullName") == "City of Springfield:Job 00002"


def test_job_cost_lines_come_back_with_job_and_item(client: TestClient) -> None:
    kinds = ("Bill", "Check", "CreditCardCharge", "VendorCredit", "JournalEntry")
    out = post(
        client,
        *(f"<{k}QueryRq><IncludeLineItems>true</IncludeLineItems></{k}QueryRq>" for k in kinds),
    )
    coded: list[tuple[str, str | None, str | None, str | None]] = []
    for rs in out:
        assert rs.get("statusCode") == "0", rs.get("statusMessage")
        for line in rs.iter("ItemLineRet", "ExpenseLineRet", "JournalDebitLine"):
            job = line.findtext("CustomerRef/FullName") or line.findtext("EntityRef/FullName")
            coded.append(
                (
                    line.tag,
                    job,
                    line.findtext("ItemRef/FullName"),
                    line.findtext("AccountRef/FullName"),
                )
            )
    assert ("ItemLineRet", "Greenleaf Properties:Elm Court Apartments", "03-300", None) in coded
    assert ("ItemLineRet", "Harbor Holdings:Pier 9 Restaurant", "Permits", None) in coded
    assert (
        "JournalDebitLine",
        "Greenleaf Properties:Elm Court Apartments",
        None,
        "Job Materials",
    ) in coded
    assert all(job for _, job, _, _ in coded)
    assert len(coded) == 9


def test_bulk_control_loads_customers_jobs_and_bills_through_qbxml(client: TestClient) -> None:
    world = seed.bulk_world(300)
    answer = client.post("/_sandbox/qbd/bulk", json={"size": 300})
    assert answer.status_code == 200, answer.text
    assert answer.json()["added"] == {
        "vendors": 30,
        "items": 30,
        "customers": 300,
        "jobs": 300,
        "bills": 300,
    }
    # The records read back through the qbXML door.
    last = world.jobs[-1]
    out = post(
        client,
        f"<CustomerQueryRq><FullName>{last.full_name}</FullName></CustomerQueryRq>",
        "<BillQueryRq><RefNumber>BB-00300</RefNumber><IncludeLineItems>true</IncludeLineItems>"
        "</BillQueryRq>",
    )
    assert out[0].get("statusCode") == "0"
    assert out[0].findtext("CustomerRet/AccountNumber") == last.number
    assert out[1].findtext("BillRet/ItemLineRet/CustomerRef/FullName") == last.full_name
    assert out[1].findtext("BillRet/AmountDue") == f"{world.transactions[-1].lines[0].amount:.2f}"
    assert client.post("/_sandbox/qbd/bulk", json={"size": 300}).status_code == 409
    for bad in ({}, {"size": 0}, {"size": "3"}, {"size": seed.BULK_MAX + 1}):
        assert client.post("/_sandbox/qbd/bulk", json=bad).status_code == 422, bad
