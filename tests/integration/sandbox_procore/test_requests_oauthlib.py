"""requests-oauthlib (PyPI ``requests-oauthlib``, on oauthlib) against the Procore simulator over
loopback HTTP, as a developer follows Procore's OAuth guides with it: the client-credentials
grant of a service account and the authorization-code grant of a person, then REST calls through
the same ``OAuth2Session``. Only the base URL differs from ``login.procore.com`` /
``api.procore.com``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import uvicorn
from oauthlib.oauth2 import BackendApplicationClient, InvalidGrantError, WebApplicationClient
from requests_oauthlib import OAuth2Session

from procore_qb.sandbox import seed
from procore_qb.sandbox.procore import ManualClock, ProcoreSandbox, create_app

COMPANY = seed.PROCORE_COMPANY.id
REDIRECT = "http://localhost:8765/procore/callback"
APP = seed.SERVICE_ACCOUNT


@pytest.fixture
def base(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # oauthlib refuses plain HTTP unless told the transport is a local test one.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    sandbox = ProcoreSandbox(clock=ManualClock(datetime(2026, 11, 28, 12, tzinfo=UTC)))
    config = uvicorn.Config(create_app(sandbox), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(1000):
        if server.started:
            break
        time.sleep(0.01)
    assert server.started
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_service_account_client_credentials_then_rest(base: str) -> None:
    session = OAuth2Session(client=BackendApplicationClient(client_id=APP.client_id))
    token = session.fetch_token(
        f"{base}/oauth/token", client_id=APP.client_id, client_secret=APP.client_secret
    )
    assert token["expires_in"] == 5400
    assert "refresh_token" not in token
    # Company-agnostic endpoints answer without Procore-Company-Id (Procore's reference).
    companies = session.get(f"{base}/rest/v1.0/companies")
    assert companies.status_code == 200, companies.text
    assert [c["id"] for c in companies.json()] == [COMPANY]
    assert session.get(f"{base}/rest/v1.0/me").status_code == 200
    # Everything else needs it.
    refused = session.get(f"{base}/rest/v1.0/projects", params={"company_id": COMPANY})
    assert refused.status_code == 400
    session.headers["Procore-Company-Id"] = str(COMPANY)
    projects = session.get(f"{base}/rest/v1.0/projects", params={"company_id": COMPANY})
    assert {p["name"] for p in projects.json()} >= {p.name for p in seed.PROJECTS if p.active}
    made = session.post(
        f"{base}/rest/v1.0/projects",
        json={"company_id": COMPANY, "project": {"name": "OAuthlib Tower", "code": "OT-1"}},
    )
    assert made.status_code == 201, made.text
    shown = session.get(
        f"{base}/rest/v1.0/projects/{made.json()['id']}", params={"company_id": COMPANY}
    )
    assert shown.json()["name"] == "OAuthlib Tower"
    assert "X-Rate-Limit-Remaining" in shown.headers


def test_person_authorization_code_refresh_and_revoke(base: str) -> None:
    person = seed.USERS[0]
    session = OAuth2Session(
        client=WebApplicationClient(APP.client_id), redirect_uri=REDIRECT, state="s-42"
    )
    url, state = session.authorization_url(f"{base}/oauth/authorize", login_hint=person.email)
    consent = requests.get(url, allow_redirects=False, timeout=10)
    assert consent.status_code in (302, 303), consent.text
    location = consent.headers["location"]
    assert parse_qs(urlsplit(location).query)["state"] == [state]
    token = session.fetch_token(
        f"{base}/oauth/token",
        authorization_response=location,
        client_secret=APP.client_secret,
        include_client_id=True,  # client_id and client_secret in the form body
    )
    me = session.get(f"{base}/rest/v1.0/me")
    assert me.json()["login"] == person.email
    first_refresh = token["refresh_token"]
    renewed = session.refresh_token(
        f"{base}/oauth/token", client_id=APP.client_id, client_secret=APP.client_secret
    )
    # Procore rotates refresh tokens: the new one works, the old one is dead at once.
    assert renewed["refresh_token"] != first_refresh
    assert session.get(f"{base}/rest/v1.0/companies").status_code == 200
    stale = OAuth2Session(client=WebApplicationClient(APP.client_id), token=token)
    with pytest.raises(InvalidGrantError):
        stale.refresh_token(
            f"{base}/oauth/token", client_id=APP.client_id, client_secret=APP.client_secret
        )
    revoked = session.post(
        f"{base}/oauth/revoke",
        data={
            "token": renewed["access_token"],
            "client_id": APP.client_id,
            "client_secret": APP.client_secret,
        },
    )
    assert revoked.status_code == 200
    assert session.get(f"{base}/rest/v1.0/me").status_code == 401
