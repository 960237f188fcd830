"""An independent Procore client from PyPI, ProPyCore, pointed at the Procore sandbox over
loopback HTTP, lists companies, projects and cost codes.

ProPyCore authenticates with client credentials sent as HTTP Basic to ``{base_url}/oauth/token``
and does not send the ``Procore-Company-Id`` header. Procore needs it on every call except List
Companies and Show User Info (S-postman; developers.procore.com/documentation/mpz-headers). The
sandbox enforces that rule, so the test shows ProPyCore listing companies as it is, refused on
projects, then adds exactly that header to ProPyCore's requests, as a caller of Procore today
must.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import uvicorn
from ProPyCore.exceptions import ProcoreException
from ProPyCore.procore import Procore

from procore_qb.sandbox import seed
from procore_qb.sandbox.procore import ManualClock, ProcoreSandbox, create_app

COMPANY = seed.PROCORE_COMPANY.id


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    sandbox = ProcoreSandbox(clock=ManualClock(datetime(2026, 11, 28, 12, tzinfo=UTC)))
    config = uvicorn.Config(create_app(sandbox), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="procore-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the Procore sandbox did not start on 127.0.0.1")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def connect(base_url: str) -> Procore:
    return Procore(
        client_id=seed.SERVICE_ACCOUNT.client_id,
        client_secret=seed.SERVICE_ACCOUNT.client_secret,
        redirect_uri="",
        base_url=base_url,
        oauth_url=base_url,
    )


@pytest.fixture
def with_company_header(monkeypatch: pytest.MonkeyPatch) -> None:
    original = requests.Session.request

    def request(self: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
        if "/rest/" in url:
            kwargs["headers"] = {
                "Procore-Company-Id": str(COMPANY),
                **(kwargs.get("headers") or {}),
            }
        return original(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", request)


def test_propycore_without_the_company_header_is_refused(base_url: str) -> None:
    procore = connect(base_url)
    # List Companies is company-agnostic: ProPyCore's own call works unchanged.
    assert [c["id"] for c in procore.companies.get(per_page=100)] == [COMPANY]
    with pytest.raises(ProcoreException, match="400"):
        procore.projects.get(company_id=COMPANY)
    # The same call made by hand shows why.
    token = requests.post(
        f"{base_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(seed.SERVICE_ACCOUNT.client_id, seed.SERVICE_ACCOUNT.client_secret),
        timeout=10,
    ).json()["access_token"]
    answer = requests.get(
        f"{base_url}/rest/v1.1/projects",
        params={"company_id": COMPANY},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 400
    assert "Missing Procore-Company-Id header!" in answer.text


@pytest.mark.usefixtures("with_company_header")
def test_propycore_lists_companies_projects_and_cost_codes(base_url: str) -> None:
    procore = connect(base_url)
    companies = procore.companies.get(per_page=100)
    assert [(c["id"], c["name"]) for c in companies] == [(COMPANY, seed.PROCORE_COMPANY.name)]
    projects = procore.projects.get(company_id=COMPANY)
    assert {p["name"] for p in projects} == {p.name for p in seed.PROJECTS}
    riverside = next(p for p in projects if p["name"] == "Riverside Clinic TI")
    codes = procore.cost_codes.get(company_id=COMPANY, project_id=riverside["id"])
    expected = next(p for p in seed.PROJECTS if p.name == "Riverside Clinic TI").cost_codes
    assert {c["full_code"] for c in codes} == set(expected)
