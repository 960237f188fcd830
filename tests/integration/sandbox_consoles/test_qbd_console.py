"""The QuickBooks Desktop sandbox console: qbXML through the company file's own processor, and
the Web Connector run from the browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from lxml import etree
from starlette.testclient import TestClient

from procore_qb.sandbox.qbd import (
    CONSOLE_PATH,
    ManualClock,
    QbdSimulator,
    WebConnectorPoller,
    create_app,
    open_simulator,
)

from .support import JobListService, csrf_token, error_text, notice_text


@pytest.fixture
def sim() -> Iterator[QbdSimulator]:
    simulator = open_simulator(None, ManualClock())
    yield simulator
    simulator.company.close()


@pytest.fixture
def client(sim: QbdSimulator) -> Iterator[TestClient]:
    with TestClient(create_app(sim)) as test_client:
        yield test_client


def post(client: TestClient, path: str, data: dict[str, Any]) -> Any:
    token = csrf_token(client.get(CONSOLE_PATH).text)
    return client.post(CONSOLE_PATH + path, data={"csrf": token, **data}, follow_redirects=False)


def qbxml(client: TestClient, request: str) -> etree._Element:
    """A request through the simulator's raw qbXML door; the response's first ``*Rs``."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?><QBXML>'
        f'<QBXMLMsgsRq onError="stopOnError">{request}</QBXMLMsgsRq></QBXML>'
    )
    r = client.post("/_sandbox/qbd/qbxml", content=body.encode())
    assert r.status_code == 200, r.text
    return etree.fromstring(r.content).find("QBXMLMsgsRs")[0]  # type: ignore[index]


def customer(client: TestClient, full_name: str) -> etree._Element | None:
    rs = qbxml(
        client,
        f"<CustomerQueryRq><FullName>{full_name}</FullName></CustomerQueryRq>",
    )
    return rs.find("CustomerRet")


def list_id(client: TestClient, full_name: str) -> str:
    found = customer(client, full_name)
    assert found is not None, full_name
    return str(found.findtext("ListID"))


def test_the_overview_shows_the_company_file(client: TestClient) -> None:
    page = client.get(CONSOLE_PATH).text
    for text in (
        "Summit Ridge Builders LLC",
        "Greenleaf Properties",
        "Elm Court Apartments",
        "03-300",
        "Ace Concrete Supply",
        "No application is configured",
    ):
        assert text in page


def test_new_job_rename_and_inactive(client: TestClient) -> None:
    parent = list_id(client, "Greenleaf Properties")
    r = post(client, "/customers", {"name": "Lakeview Condos", "parent_id": parent})
    assert r.status_code == 303, r.text
    made = customer(client, "Greenleaf Properties:Lakeview Condos")
    assert made is not None
    assert made.findtext("Sublevel") == "1"
    job = str(made.findtext("ListID"))

    r = post(client, "/customers/edit", {"list_id": job, "name": "Lakeview Condos II"})
    assert r.status_code == 303, r.text
    assert customer(client, "Greenleaf Properties:Lakeview Condos") is None
    r = post(client, "/customers/edit", {"list_id": job, "active": "false"})
    assert r.status_code == 303, r.text
    renamed = customer(client, "Greenleaf Properties:Lakeview Condos II")
    assert renamed is not None
    assert renamed.findtext("IsActive") == "false"
    assert notice_text(client.get(r.headers["location"]).text).endswith("(inactive).")


@pytest.mark.parametrize(
    ("name", "refusal"),
    [
        (
            "Lakeview Condominiums at the Old Mill Pond",
            "QuickBooks refused (status 3070): The string",
        ),
        (
            "Phase 2: Lakeview",
            'QuickBooks refused (status 3070): The name "Phase 2: Lakeview" contains ":"',
        ),
        (
            "Elm Court Apartments",
            'QuickBooks refused (status 3100): The name "Elm Court Apartments"',
        ),
    ],
)
def test_a_job_name_quickbooks_refuses(client: TestClient, name: str, refusal: str) -> None:
    parent = list_id(client, "Greenleaf Properties")
    r = post(client, "/customers", {"name": name, "parent_id": parent})
    assert r.status_code == 422
    assert error_text(r.text).startswith(refusal)
    if ":" not in name and name != "Elm Court Apartments":
        assert customer(client, f"Greenleaf Properties:{name}") is None


def test_a_rename_to_a_taken_name_is_refused(client: TestClient) -> None:
    job = list_id(client, "Greenleaf Properties:Elm Court Apartments")
    before = customer(client, "Greenleaf Properties:Elm Court Apartments")
    assert before is not None
    siblings = [
        str(ret.findtext("Name"))
        for ret in qbxml(client, "<CustomerQueryRq/>").findall("CustomerRet")
        if ret.findtext("ParentRef/ListID") == before.findtext("ParentRef/ListID")
        and ret.findtext("ListID") != job
    ]
    assert siblings, "the seed gives Greenleaf Properties more than one job"
    r = post(client, "/customers/edit", {"list_id": job, "name": siblings[0]})
    assert r.status_code == 422
    assert error_text(r.text).startswith("QuickBooks refused (status 3100)")
    after = customer(client, "Greenleaf Properties:Elm Court Apartments")
    assert after is not None
    assert after.findtext("EditSequence") == before.findtext("EditSequence")


@pytest.mark.parametrize("kind", ["Bill", "Check", "CreditCardCharge", "JournalEntry"])
def test_job_cost_transactions_are_added_and_deleted(client: TestClient, kind: str) -> None:
    page = client.get(CONSOLE_PATH).text

    def first(select: str) -> str:
        found = re.search(rf'id="{select}" name="\w+"><option value="([^"]+)"', page)
        assert found is not None
        return found.group(1)

    job = list_id(client, "Greenleaf Properties:Elm Court Apartments")
    r = post(
        client,
        "/transactions",
        {
            "kind": kind,
            "vendor_id": first("nt-vendor"),
            "job_id": job,
            "item_id": first("nt-item"),
            "account_id": re.search(r'<option value="([^"]+)" selected>Job Materials', page).group(
                1
            ),  # type: ignore[union-attr]
            "amount": "412.75",
            "txn_date": "2026-11-02",
            "ref_number": "CON-1",
        },
    )
    assert r.status_code == 303, r.text
    rs = qbxml(
        client,
        f"<{kind}QueryRq><RefNumber>CON-1</RefNumber><IncludeLineItems>true</IncludeLineItems>"
        f"</{kind}QueryRq>",
    )
    made = rs.find(f"{kind}Ret")
    assert made is not None
    jobs = [ref.findtext("ListID") for ref in made.iter("CustomerRef", "EntityRef")]
    assert job in jobs
    txn_id = str(made.findtext("TxnID"))
    r = post(client, "/transactions/delete", {"kind": kind, "txn_id": txn_id})
    assert r.status_code == 303, r.text
    gone = qbxml(client, f"<{kind}QueryRq><TxnID>{txn_id}</TxnID></{kind}QueryRq>")
    assert gone.find(f"{kind}Ret") is None


def test_an_amount_quickbooks_cannot_read_is_refused(client: TestClient) -> None:
    job = list_id(client, "Greenleaf Properties:Elm Court Apartments")
    r = post(client, "/transactions", {"kind": "Bill", "job_id": job, "amount": "1e3"})
    assert r.status_code == 422
    assert error_text(r.text).startswith("QuickBooks refused (status")


def test_run_the_web_connector_now(sim: QbdSimulator) -> None:
    service = JobListService()
    service_app = service.app()
    poller = WebConnectorPoller(
        lambda: TestClient(service_app), "http://testserver/qbwc", "demo", "demo", sim.processor
    )
    with TestClient(create_app(sim, web_connector=poller)) as client:
        page = client.get(CONSOLE_PATH).text
        assert "No session has run yet." in page
        r = post(client, "/webconnector/run", {})
        assert r.status_code == 303, r.text
        assert r.headers["location"].endswith("#web-connector")
        page = client.get(r.headers["location"]).text
    assert notice_text(page) == "Web Connector run finished: done (100%)."
    assert service.sessions == 1
    assert len(service.responses) == 1
    assert "Greenleaf Properties" in service.responses[0]
    # The transcript and the pretty-printed request and response.
    assert "calls: serverVersion -&gt; clientVersion -&gt; authenticate" in page
    assert "request 1: CustomerQueryRq -&gt; percent 100" in page
    assert "\n  &lt;QBXMLMsgsRq onError=&#34;continueOnError&#34;&gt;" in page
    assert "&lt;CustomerRet&gt;" in page
    assert poller.runs == 1
