"""OAuth 2.0 server and the request gate: tokens, expiry, rotation, Procore-Company-Id."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from procore_qb.sandbox.procore import SandboxConfig

from .conftest import ADA, COMPANY, Sim, as_user, make_sim

REDIRECT = "http://127.0.0.1:8000/auth/procore/callback"
APP = {"client_id": "demo-procore-client", "client_secret": "demo-procore-secret"}


def authorize(sim: Sim, email: str, **extra: str) -> str:
    params = {
        "response_type": "code",
        "client_id": APP["client_id"],
        "redirect_uri": REDIRECT,
        "state": "xyz",
        "login_hint": email,
        **extra,
    }
    r = sim.http.get("/oauth/authorize", params=params, follow_redirects=False)
    assert r.status_code == 302, r.text
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def exchange(sim: Sim, code: str) -> dict[str, object]:
    r = sim.http.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **APP},
    )
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def refresh(sim: Sim, token: str) -> tuple[int, dict[str, object]]:
    r = sim.http.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token, **APP}
    )
    return r.status_code, r.json()


def test_login_page_lists_the_seed_users(sim: Sim) -> None:
    r = sim.http.get(
        "/oauth/authorize",
        params={"response_type": "code", "client_id": APP["client_id"], "redirect_uri": REDIRECT},
    )
    assert r.status_code == 200
    for email in ("ada@summit.example", "ben@summit.example", "eve@summit.example"):
        assert email in r.text
    assert "service-account" not in r.text


def test_login_form_post_picks_a_user(sim: Sim) -> None:
    r = sim.http.post(
        "/oauth/authorize",
        data={
            "response_type": "code",
            "client_id": APP["client_id"],
            "redirect_uri": REDIRECT,
            "login_hint": "ben@summit.example",
        },
        follow_redirects=False,
    )
    assert r.status_code == 302
    code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
    token = exchange(sim, code)["access_token"]
    me = sim.http.get("/rest/v1.0/me", headers=as_user(str(token), None))
    assert me.json()["login"] == "ben@summit.example"


def test_authorize_refuses_bad_requests(sim: Sim) -> None:
    base = {"response_type": "code", "client_id": APP["client_id"], "redirect_uri": REDIRECT}
    assert (
        sim.http.get("/oauth/authorize", params={**base, "response_type": "token"}).status_code
        == 400
    )
    assert sim.http.get("/oauth/authorize", params={**base, "client_id": "nope"}).status_code == 400
    r = sim.http.get("/oauth/authorize", params={**base, "redirect_uri": "https://evil.example/cb"})
    assert r.status_code == 400
    assert "loopback" in r.text
    r = sim.http.get("/oauth/authorize", params={**base, "login_hint": "nobody@x.example"})
    assert r.status_code == 400


def test_authorization_code_grant_and_token_lifetime(sim: Sim) -> None:
    tokens = exchange(sim, authorize(sim, "ada@summit.example"))
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 5400
    assert tokens["refresh_token"]
    headers = as_user(str(tokens["access_token"]))
    assert (
        sim.http.get(
            "/rest/v1.0/projects", params={"company_id": COMPANY}, headers=headers
        ).status_code
        == 200
    )
    sim.advance(5399)
    assert sim.http.get("/rest/v1.0/me", headers=headers).status_code == 200
    sim.advance(1)
    r = sim.http.get("/rest/v1.0/me", headers=headers)
    assert r.status_code == 401
    assert r.json() == {"message": "The access token is invalid"}


def test_codes_are_single_use_and_last_ten_minutes(sim: Sim) -> None:
    code = authorize(sim, "ada@summit.example")
    exchange(sim, code)
    r = sim.http.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **APP},
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant"
    late = authorize(sim, "ada@summit.example")
    sim.advance(600)
    r = sim.http.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": late, "redirect_uri": REDIRECT, **APP},
    )
    assert r.status_code == 400


def test_code_exchange_needs_the_same_redirect_uri(sim: Sim) -> None:
    code = authorize(sim, "ada@summit.example")
    r = sim.http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:9/other",
            **APP,
        },
    )
    assert r.status_code == 400


def test_refresh_rotates_and_the_old_refresh_token_dies(sim: Sim) -> None:
    first = exchange(sim, authorize(sim, "ada@summit.example"))
    status, second = refresh(sim, str(first["refresh_token"]))
    assert status == 200
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    status, body = refresh(sim, str(first["refresh_token"]))
    assert status == 400
    assert body["error_description"] == "The refresh token is invalid"
    status, _ = refresh(sim, str(second["refresh_token"]))
    assert status == 200


def test_refresh_tokens_do_not_expire_on_a_schedule(sim: Sim) -> None:
    first = exchange(sim, authorize(sim, "ada@summit.example"))
    sim.advance(30 * 24 * 3600)
    status, body = refresh(sim, str(first["refresh_token"]))
    assert status == 200
    assert (
        sim.http.get("/rest/v1.0/me", headers=as_user(str(body["access_token"]), None)).status_code
        == 200
    )


def test_rotation_survives_a_restart(tmp_path: Path) -> None:
    one = make_sim(data_dir=tmp_path)
    first = exchange(one, authorize(one, "ada@summit.example"))
    _, second = refresh(one, str(first["refresh_token"]))
    two = make_sim(data_dir=tmp_path)
    status, _ = refresh(two, str(first["refresh_token"]))
    assert status == 400
    status, third = refresh(two, str(second["refresh_token"]))
    assert status == 200
    me = two.http.get("/rest/v1.0/me", headers=as_user(str(third["access_token"]), None))
    assert me.json()["id"] == 101


def test_client_credentials_with_form_fields_or_basic_auth(sim: Sim) -> None:
    r = sim.http.post("/oauth/token", data={"grant_type": "client_credentials", **APP})
    assert r.status_code == 200
    assert "refresh_token" not in r.json()
    assert r.json()["expires_in"] == 5400
    basic = base64.b64encode(f"{APP['client_id']}:{APP['client_secret']}".encode()).decode()
    r = sim.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert r.status_code == 200
    r = sim.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": APP["client_id"],
            "client_secret": "wrong",
        },
    )
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    r = sim.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": APP["client_id"],
            "client_secret": "sécret",
        },
    )
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    r = sim.http.post("/oauth/token", data={"grant_type": "password", **APP})
    assert r.status_code == 400
    assert r.json()["error"] == "unsupported_grant_type"


def test_token_info_and_revoke(sim: Sim) -> None:
    tokens = exchange(sim, authorize(sim, "dan@summit.example"))
    access = str(tokens["access_token"])
    info = sim.http.get("/oauth/token/info", headers={"Authorization": f"Bearer {access}"})
    assert info.status_code == 200
    assert info.json()["resource_owner_id"] == 104
    assert info.json()["expires_in_seconds"] == 5400
    r = sim.http.post("/oauth/revoke", data={"token": access, **APP})
    assert r.status_code == 200
    assert sim.http.get("/rest/v1.0/me", headers=as_user(access, None)).status_code == 401
    status, _ = refresh(sim, str(tokens["refresh_token"]))
    assert status == 400
    assert sim.http.post("/oauth/revoke", data={"token": "unknown", **APP}).status_code == 200


def test_bearer_token_is_required(sim: Sim) -> None:
    r = sim.http.get("/rest/v1.0/me")
    assert r.status_code == 401
    assert "Authorization: Bearer" in r.json()["message"]
    assert sim.http.get("/rest/v1.0/me", headers=as_user("made-up", None)).status_code == 401


def test_demo_tokens_only_in_sandbox_mode() -> None:
    strict = make_sim(SandboxConfig(accept_demo_tokens=False))
    assert strict.http.get("/rest/v1.0/me", headers=as_user("demo-ada", None)).status_code == 401
    assert strict.http.get("/rest/v1.0/me", headers=strict.service()).status_code == 200


def test_company_header_rules_for_people(sim: Sim) -> None:
    no_header = as_user("demo-ada", None)
    # /me and /companies are exempt (spec §1.2, D-mpr) — /me only "unless a company_id or
    # project_id parameter is also included" (S-postman).
    assert sim.http.get("/rest/v1.0/me", headers=no_header).status_code == 200
    assert sim.http.get("/rest/v1.0/companies", headers=no_header).status_code == 200
    for scope in ({"company_id": COMPANY}, {"project_id": 2001}):
        r = sim.http.get("/rest/v1.0/me", params=scope, headers=no_header)
        assert r.status_code == 400, scope
        assert r.json()["error"]["message"] == "Missing Procore-Company-Id header!"
    r = sim.http.get("/rest/v1.0/projects", params={"company_id": COMPANY}, headers=no_header)
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "Missing Procore-Company-Id header!"
    r = sim.http.get(
        "/rest/v1.0/projects", params={"company_id": COMPANY}, headers=as_user("demo-ada", 999)
    )
    assert r.status_code == 403
    assert r.json()["error"]["message"] == "App is not connected to this company"
    r = sim.http.get(
        "/rest/v1.0/projects",
        params={"company_id": COMPANY},
        headers={**ADA, "Procore-Company-Id": "abc"},
    )
    assert r.status_code == 400


def test_service_account_needs_no_header_on_me_and_companies(sim: Sim) -> None:
    # "not required when you are using Service Accounts" and "two endpoints that do not require
    # the Procore-Company-Id field (Show User Info and List Companies)" (mpz-headers, S-postman).
    token = sim.service_token()
    assert sim.http.get("/rest/v1.0/me", headers=as_user(token, None)).status_code == 200
    assert sim.http.get("/rest/v1.0/companies", headers=as_user(token, None)).status_code == 200
    r = sim.http.get("/rest/v1.0/companies", headers=as_user(token))
    assert r.status_code == 200
    assert [c["name"] for c in r.json()] == ["Summit Ridge Builders"]


def test_company_id_parameter_for_another_company_is_refused(sim: Sim) -> None:
    r = sim.http.get("/rest/v1.0/projects", params={"company_id": 999}, headers=ADA)
    assert r.status_code == 404


def test_denying_access_redirects_with_access_denied(sim: Sim) -> None:
    page = sim.http.get(
        "/oauth/authorize",
        params={"response_type": "code", "client_id": APP["client_id"], "redirect_uri": REDIRECT},
    )
    assert "Deny access" in page.text
    r = sim.http.post(
        "/oauth/authorize",
        data={
            "response_type": "code",
            "client_id": APP["client_id"],
            "redirect_uri": REDIRECT,
            "state": "s1",
            "deny": "1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 302
    assert parse_qs(urlsplit(r.headers["location"]).query) == {
        "error": ["access_denied"],
        "state": ["s1"],
    }


def test_login_page_says_what_each_user_may_do(sim: Sim) -> None:
    page = sim.http.get(
        "/oauth/authorize",
        params={"response_type": "code", "client_id": APP["client_id"], "redirect_uri": REDIRECT},
    ).text
    assert (
        "ERP Integrations Standard, Directory Read Only, project Admin None, Can Push to "
        "Accounting" in page
    )
