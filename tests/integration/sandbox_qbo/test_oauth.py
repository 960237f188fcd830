"""The OAuth 2.0 server: discovery, consent redirect, code exchange, refresh rotation, revoke."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.testclient import TestClient

from procore_qb.sandbox.qbo import ManualClock
from procore_qb.sandbox.seed import QBO_APP

from .conftest import BASE, REALM

REDIRECT = "http://localhost:8000/oauth/quickbooks/callback"
BASIC = (
    "Basic " + base64.b64encode(f"{QBO_APP.client_id}:{QBO_APP.client_secret}".encode()).decode()
)


def authorize(client: TestClient, **overrides: str) -> Any:
    params = {
        "client_id": QBO_APP.client_id,
        "response_type": "code",
        "scope": "com.intuit.quickbooks.accounting openid",
        "redirect_uri": REDIRECT,
        "state": "s-123",
        **overrides,
    }
    return client.get("/connect/oauth2", params=params, follow_redirects=False)


def callback(response: Any) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def token(client: TestClient, auth: str = BASIC, **form: str) -> Any:
    return client.post("/oauth2/v1/tokens/bearer", data=form, headers={"Authorization": auth})


def connect(client: TestClient) -> dict[str, Any]:
    code = callback(authorize(client))["code"]
    response = token(client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_discovery_documents_have_intuits_keys(client: TestClient) -> None:
    keys = {
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "revocation_endpoint",
        "jwks_uri",
    }
    for path in (
        "/.well-known/openid_sandbox_configuration",
        "/.well-known/openid_sandbox_configuration/",
        "/.well-known/openid_configuration",
    ):
        doc = client.get(path).json()
        assert keys <= set(doc)
        assert doc["token_endpoint"] == "http://127.0.0.1:8001/oauth2/v1/tokens/bearer"


def test_authorization_redirects_with_code_state_and_realm(client: TestClient) -> None:
    answer = callback(authorize(client))
    assert answer["state"] == "s-123"
    assert answer["realmId"] == REALM
    assert answer["code"]


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "com.intuit.quickbooks.everything"}, "invalid_scope"),
        ({"state": ""}, "invalid_request"),
    ],
)
def test_authorization_errors_go_back_to_the_app(
    client: TestClient, override: dict[str, str], error: str
) -> None:
    assert callback(authorize(client, **override))["error"] == error


def test_unknown_client_or_foreign_redirect_uri_stay_on_the_server(client: TestClient) -> None:
    unknown = authorize(client, client_id="someone-else")
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "invalid_client"
    foreign = authorize(client, redirect_uri="https://evil.example/cb")
    assert foreign.status_code == 400
    assert "127.0.0.1 or localhost" in foreign.json()["error_description"]


def test_code_exchange_gives_hour_long_tokens_that_work(client: TestClient) -> None:
    tokens = connect(client)
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["x_refresh_token_expires_in"] == 100 * 86400
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get(BASE + "/preferences", headers=headers).status_code == 200
    info = client.get("/v1/openid_connect/userinfo", headers=headers)
    assert info.json()["email"] == "owner@summit.example"


def test_id_token_is_signed_with_the_published_key(client: TestClient) -> None:
    tokens = connect(client)
    header_b64, claims_b64, signature_b64 = tokens["id_token"].split(".")

    def decode(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    claims = json.loads(decode(claims_b64))
    assert claims["iss"] == "http://127.0.0.1:8001/op/v1"
    assert claims["aud"] == [QBO_APP.client_id]
    assert claims["realmid"] == REALM
    (key,) = client.get("/op/v1/jwks").json()["keys"]
    assert key["kid"] == json.loads(decode(header_b64))["kid"]
    public = rsa.RSAPublicNumbers(
        int.from_bytes(decode(key["e"]), "big"), int.from_bytes(decode(key["n"]), "big")
    ).public_key()
    public.verify(
        decode(signature_b64),
        f"{header_b64}.{claims_b64}".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )


def test_codes_are_single_use_and_a_replay_revokes_the_grant(client: TestClient) -> None:
    code = callback(authorize(client))["code"]
    first = token(client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert first.status_code == 200
    again = token(client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    refreshed = token(
        client, grant_type="refresh_token", refresh_token=first.json()["refresh_token"]
    )
    assert refreshed.json()["error"] == "invalid_grant"


def test_code_exchange_checks_redirect_uri_and_expiry(
    client: TestClient, clock: ManualClock
) -> None:
    code = callback(authorize(client))["code"]
    other = token(client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT + "x")
    assert other.json()["error"] == "invalid_grant"
    late = callback(authorize(client))["code"]
    clock.advance(601)
    expired = token(client, grant_type="authorization_code", code=late, redirect_uri=REDIRECT)
    assert expired.json()["error"] == "invalid_grant"


def test_client_authentication_is_basic(client: TestClient) -> None:
    code = callback(authorize(client))["code"]
    wrong = "Basic " + base64.b64encode(f"{QBO_APP.client_id}:nope".encode()).decode()
    response = token(client, auth=wrong, grant_type="authorization_code", code=code)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    accented = "Basic " + base64.b64encode(f"{QBO_APP.client_id}:sécret".encode()).decode()
    response = token(client, auth=accented, grant_type="authorization_code", code=code)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    missing = token(client, auth="", grant_type="authorization_code", code=code)
    assert missing.status_code == 401
    assert token(client, grant_type="password").json()["error"] == "unsupported_grant_type"


def test_client_credentials_in_the_form_body_work_too(client: TestClient) -> None:
    # RFC 6749 §2.3.1 client_secret_post, listed by Intuit's discovery document.
    for path in ("/.well-known/openid_configuration", "/.well-known/openid_sandbox_configuration"):
        methods = client.get(path).json()["token_endpoint_auth_methods_supported"]
        assert set(methods) == {"client_secret_basic", "client_secret_post"}
    app = {"client_id": QBO_APP.client_id, "client_secret": QBO_APP.client_secret}
    code = callback(authorize(client))["code"]
    wrong = token(
        client,
        auth="",
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_id=QBO_APP.client_id,
        client_secret="nope",
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    posted = token(
        client, auth="", grant_type="authorization_code", code=code, redirect_uri=REDIRECT, **app
    )
    assert posted.status_code == 200, posted.text
    tokens = posted.json()
    refreshed = token(
        client, auth="", grant_type="refresh_token", refresh_token=tokens["refresh_token"], **app
    )
    assert refreshed.status_code == 200
    # Both ways at once must name one client.
    other = token(
        client,
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
        client_id="someone-else",
    )
    assert (other.status_code, other.json()["error"]) == (400, "invalid_request")
    revoked = client.post(
        "/oauth2/v1/tokens/revoke", data={"token": tokens["refresh_token"], **app}
    )
    assert revoked.status_code == 200
    again = token(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert again.json()["error"] == "invalid_grant"


def test_refresh_keeps_the_value_within_a_day_then_rotates(
    client: TestClient, clock: ManualClock
) -> None:
    first = connect(client)
    clock.advance(3600)
    same = token(client, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert same["refresh_token"] == first["refresh_token"]
    assert same["access_token"] != first["access_token"]
    clock.advance(86400)
    rotated = token(client, grant_type="refresh_token", refresh_token=same["refresh_token"]).json()
    assert rotated["refresh_token"] != first["refresh_token"]
    superseded = token(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert superseded.status_code == 400
    assert superseded.json()["error"] == "invalid_grant"
    newest = token(client, grant_type="refresh_token", refresh_token=rotated["refresh_token"])
    assert newest.status_code == 200


def test_rotation_on_every_refresh_when_configured(client: TestClient) -> None:
    client.post("/_sandbox/config", json={"refresh_rotation_seconds": 0})
    first = connect(client)
    second = token(client, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    old = token(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert old.json()["error"] == "invalid_grant"


def test_refresh_tokens_expire_after_100_idle_days(client: TestClient, clock: ManualClock) -> None:
    first = connect(client)
    clock.advance(100 * 86400)
    late = token(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert late.json()["error"] == "invalid_grant"


def test_revocation_ends_the_grant(client: TestClient) -> None:
    tokens = connect(client)
    revoked = client.post(
        "/oauth2/v1/tokens/revoke",
        json={"token": tokens["refresh_token"]},
        headers={"Authorization": BASIC},
    )
    assert revoked.status_code == 200
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get(BASE + "/preferences", headers=headers).status_code == 401
    again = token(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert again.json()["error"] == "invalid_grant"
    unauthenticated = client.post("/oauth2/v1/tokens/revoke", json={"token": "x"})
    assert unauthenticated.status_code == 401
