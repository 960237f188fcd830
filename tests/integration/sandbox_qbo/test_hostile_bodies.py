"""Bodies and parameters no real service would take are refused as QuickBooks Online faults."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from procore_qb.sandbox.seed import QBO_APP

from .conftest import BASE, Api, fault


@pytest.mark.parametrize(
    "body",
    [
        b'{"DisplayName": NaN}',
        b'{"DisplayName": "A", "Balance": 1e999}',
        b'{"DisplayName": "\\udc00 lone"}',
        b'{"DisplayName": "A", "Balance": ' + b"1" * 4000 + b"}",
        b'{"DisplayName": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ],
    ids=["nan", "inf", "surrogate", "digits", "deep"],
)
def test_hostile_json_is_fault_2010_and_never_stored(api: Api, body: bytes) -> None:
    count = len(api.rows("select * from Customer maxresults 1000"))
    response = api.client.post(
        BASE + "/customer",
        content=body,
        headers={**api.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert fault(response)["code"] == "2010"
    assert len(api.rows("select * from Customer maxresults 1000")) == count


@pytest.mark.parametrize("value", ["\u00b2", "9" * 5000, "\u0663"])
def test_minorversion_that_is_no_ascii_number_is_fault_2010(api: Api, value: str) -> None:
    assert fault(api.get("/preferences", minorversion=value))["code"] == "2010"


def test_a_malformed_redirect_uri_is_refused_on_the_server(client: TestClient) -> None:
    params = {
        "client_id": QBO_APP.client_id,
        "response_type": "code",
        "scope": "com.intuit.quickbooks.accounting",
        "redirect_uri": "http://[::1",
        "state": "s",
    }
    response = client.get("/connect/oauth2", params=params, follow_redirects=False)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
