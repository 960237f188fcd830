"""Authlib's OAuth 2.0 client (PyPI ``authlib``, ``OAuth2Session`` for requests) against the
simulator's OAuth server and API, configured from the discovery document as for Intuit's: the
authorization-code grant, refresh and revocation with each client authentication method the
document lists, then API calls through the same session."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from procore_qb.sandbox import seed

REDIRECT = "http://localhost:8765/callback"
SCOPE = "com.intuit.quickbooks.accounting openid"


@pytest.fixture
def discovery(live: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # Authlib refuses plain HTTP unless told the transport is a local test one.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    answer = requests.get(f"{live}/.well-known/openid_sandbox_configuration", timeout=10)
    assert answer.status_code == 200
    return dict(answer.json())


def connect(discovery: dict[str, Any], method: str) -> OAuth2Session:
    session = OAuth2Session(
        seed.QBO_APP.client_id,
        seed.QBO_APP.client_secret,
        scope=SCOPE,
        redirect_uri=REDIRECT,
        token_endpoint_auth_method=method,
    )
    url, state = session.create_authorization_url(discovery["authorization_endpoint"])
    consent = requests.get(url, allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text
    location = consent.headers["location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert (query["state"], query["realmId"]) == (state, seed.QBO_REALM_ID)
    session.fetch_token(discovery["token_endpoint"], authorization_response=location)
    return session


@pytest.mark.parametrize("method", ["client_secret_post", "client_secret_basic"])
def test_authlib_signs_in_calls_the_api_refreshes_and_revokes(
    live: str, discovery: dict[str, Any], method: str
) -> None:
    assert method in discovery["token_endpoint_auth_methods_supported"]
    session = connect(discovery, method)
    assert session.token["expires_in"] == 3600
    base = f"{live}/v3/company/{seed.QBO_REALM_ID}"
    made = session.post(
        f"{base}/customer",
        json={"DisplayName": f"Authlib {method}"},
        headers={"Accept": "application/json"},
    )
    assert made.status_code == 200, made.text
    found = session.get(
        f"{base}/query",
        params={"query": f"select * from customer where displayname = 'Authlib {method}'"},
        headers={"Accept": "application/json"},
    )
    [customer] = found.json()["QueryResponse"]["Customer"]
    assert customer["Id"] == made.json()["Customer"]["Id"]
    refreshed = session.refresh_token(discovery["token_endpoint"])
    assert refreshed["access_token"] != made.request.headers["Authorization"].split()[1]
    assert session.get(f"{base}/preferences", headers={"Accept": "application/json"}).ok
    revoked = session.revoke_token(
        discovery["revocation_endpoint"], token=refreshed["refresh_token"]
    )
    assert revoked.status_code == 200
    after = session.get(f"{base}/preferences", headers={"Accept": "application/json"})
    assert after.status_code == 401
