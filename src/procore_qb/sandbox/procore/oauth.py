"""Procore's OAuth 2.0 server: login page, authorization codes, tokens, token info, revocation.

Rules (spec procore-api.md §1.2, D-oauth-ep, D-oauth-code, D-oauth-cc, D-errors):

* ``GET /oauth/authorize`` takes ``response_type=code``, ``client_id``, ``redirect_uri`` and
  ``state``; the person signs in (here: picks a seed user on a small HTML page, or a test passes
  ``login_hint`` with the user's e-mail) and is redirected back with ``code`` and ``state``, or
  presses "Deny access" and is sent back with ``error=access_denied`` (RFC 6749 §4.1.2.1);
* the code is single-use and expires in 10 minutes;
* ``POST /oauth/token`` grants ``authorization_code``, ``refresh_token`` and
  ``client_credentials`` (the Developer Managed Service Account); the answer is
  ``{"access_token", "token_type": "bearer", "expires_in": 5400, "refresh_token", "created_at"}``
  (no refresh token for client credentials); client credentials may come as form fields or
  HTTP Basic (ProPyCore sends Basic, S-propycore);
* each refresh returns a new refresh token and invalidates the old one at once;
* ``GET /oauth/token/info`` describes the bearer token; ``POST /oauth/revoke`` always answers 200
  and revokes both the access and the refresh token;
* redirect URIs: the sandbox app is registered for loopback URLs (127.0.0.1, localhost) and the
  out-of-band ``urn:ietf:wg:oauth:2.0:oob``.
"""

from __future__ import annotations

import base64
import html
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from procore_qb.sandbox import jsonbody
from procore_qb.sandbox.procore.world import AuthCode

if TYPE_CHECKING:
    from procore_qb.sandbox.procore.app import ProcoreSandbox

__all__ = ["oauth_routes"]

OOB = "urn:ietf:wg:oauth:2.0:oob"


def _redirect_ok(uri: str) -> bool:
    if uri == OOB:
        return True
    try:
        parts = urlsplit(uri)
        host = parts.hostname
    except ValueError:  # "http://[::1": not a URL at all
        return False
    return parts.scheme in ("http", "https") and host in ("127.0.0.1", "localhost")


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


async def _form(request: Request) -> dict[str, str]:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        try:
            data = jsonbody.loads(await request.body())
        except jsonbody.JsonRefused:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _summary(user: dict[str, Any]) -> str:
    """The seed table's permissions, so a person picking a user knows what they can do."""
    names = {"none": "None", "read_only": "Read Only", "standard": "Standard", "admin": "Admin"}
    parts = [
        f"ERP Integrations {names.get(user.get('_erp_integrations', 'none'), 'None')}",
        f"Directory {names.get(user.get('_directory', 'none'), 'None')}",
        f"project Admin {names.get(user.get('_project_admin', 'none'), 'None')}",
    ]
    if user.get("_can_push"):
        parts.append("Can Push to Accounting")
    return ", ".join(parts)


def _login_page(sandbox: ProcoreSandbox, params: dict[str, str], problem: str = "") -> str:
    users = [
        u
        for u in sandbox.world.table("users").values()
        if not u.get("_service_account") and u.get("is_active")
    ]
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
        if k in ("response_type", "client_id", "redirect_uri", "state")
    )
    buttons = "".join(
        f'<li><button type="submit" name="login_hint" value="{html.escape(u["email_address"])}">'
        f"{html.escape(u['name'])} &lt;{html.escape(u['email_address'])}&gt;</button> "
        f"<small>{html.escape(_summary(u))}</small></li>"
        for u in sorted(users, key=lambda u: u["id"])
    )
    note = f'<p role="alert">{html.escape(problem)}</p>' if problem else ""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<title>Procore sandbox sign-in</title></head><body>"
        "<h1>Sign in to the Procore sandbox</h1>"
        f"{note}<p>Pick the person to sign in as.</p>"
        f'<form method="post" action="/oauth/authorize">{hidden}<ul>{buttons}</ul>'
        '<button type="submit" name="deny" value="1">Deny access</button></form>'
        "</body></html>"
    )


def oauth_routes(sandbox: ProcoreSandbox) -> list[tuple[str, list[str], Any]]:
    """(path, methods, endpoint) for the login host's routes."""

    def check_authorize(params: dict[str, str]) -> str | None:
        if params.get("response_type") != "code":
            return "response_type must be 'code'"
        if params.get("client_id") not in sandbox.world.apps:
            return f"unknown client_id {params.get('client_id')!r}"
        if not _redirect_ok(params.get("redirect_uri", "")):
            return (
                "redirect_uri must be a loopback URL (http://127.0.0.1:PORT/... or "
                f"http://localhost:PORT/...) or {OOB}"
            )
        return None

    def issue_code(params: dict[str, str]) -> Response:
        email = params.get("login_hint", "")
        with sandbox.lock:
            user = next(
                (
                    u
                    for u in sandbox.world.table("users").values()
                    if u.get("email_address") == email and not u.get("_service_account")
                ),
                None,
            )
            if user is None:
                page = _login_page(sandbox, params, f"No sandbox user has the e-mail {email!r}.")
                return HTMLResponse(page, status_code=400)
            code = secrets.token_urlsafe(24)
            now = sandbox.clock.now()
            sandbox.world.codes[code] = AuthCode(
                user["id"],
                params["client_id"],
                params["redirect_uri"],
                now + timedelta(seconds=sandbox.config.authorization_code_seconds),
            )
            sandbox.changed()
        query = {"code": code}
        if params.get("state"):
            query["state"] = params["state"]
        if params["redirect_uri"] == OOB:
            return HTMLResponse(f"<p>Your authorization code: <code>{code}</code></p>")
        sep = "&" if "?" in params["redirect_uri"] else "?"
        return RedirectResponse(f"{params['redirect_uri']}{sep}{urlencode(query)}", 302)

    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            params.update(await _form(request))
        problem = check_authorize(params)
        if problem:
            return HTMLResponse(f"<p role=alert>{html.escape(problem)}</p>", status_code=400)
        if params.get("deny"):
            # The person refused: RFC 6749 §4.1.2.1 answers error=access_denied (with state).
            denied = {"error": "access_denied"}
            if params.get("state"):
                denied["state"] = params["state"]
            uri = params["redirect_uri"]
            if uri == OOB:
                return HTMLResponse("<p>Access denied.</p>", status_code=400)
            sep = "&" if "?" in uri else "?"
            return RedirectResponse(f"{uri}{sep}{urlencode(denied)}", 302)
        if params.get("login_hint"):
            return issue_code(params)
        return HTMLResponse(_login_page(sandbox, params))

    def client_auth(request: Request, form: dict[str, str]) -> tuple[str, str]:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                raw = base64.b64decode(header[6:]).decode()
            except (ValueError, UnicodeDecodeError):
                raw = ":"
            cid, _, secret = raw.partition(":")
            return cid, secret
        return form.get("client_id", ""), form.get("client_secret", "")

    async def token(request: Request) -> Response:
        form = await _form(request)
        cid, secret = client_auth(request, form)
        with sandbox.lock:
            app = sandbox.world.apps.get(cid)
            if app is None or not secrets.compare_digest(app[0].encode(), secret.encode()):
                return _oauth_error(
                    401,
                    "invalid_client",
                    "Client authentication failed: check client_id and "
                    "client_secret (form fields or HTTP Basic).",
                )
            grant = form.get("grant_type")
            now = sandbox.clock.now()
            world = sandbox.world
            if grant == "client_credentials":
                return JSONResponse(sandbox.issue(app[1], cid, refresh=False))
            if grant == "authorization_code":
                code = world.codes.pop(form.get("code", ""), None)  # single use
                if code is None or code.client_id != cid or code.expires_at <= now:
                    return _oauth_error(
                        400,
                        "invalid_grant",
                        "The authorization code is invalid, used or "
                        "expired (codes are single-use and last 10 minutes).",
                    )
                if form.get("redirect_uri") != code.redirect_uri:
                    return _oauth_error(
                        400,
                        "invalid_grant",
                        "redirect_uri differs from the one used in /oauth/authorize.",
                    )
                return JSONResponse(sandbox.issue(code.user_id, cid, refresh=True))
            if grant == "refresh_token":
                old = form.get("refresh_token", "")
                owner = world.refresh_tokens.pop(old, None)  # rotates: the old one dies now
                if owner is None or owner[1] != cid:
                    return _oauth_error(400, "invalid_grant", "The refresh token is invalid")
                for tok, issued in list(world.access_tokens.items()):
                    if issued.refresh_token == old:
                        issued.refresh_token = None
                        world.access_tokens[tok] = issued
                return JSONResponse(sandbox.issue(owner[0], cid, refresh=True))
            return _oauth_error(
                400,
                "unsupported_grant_type",
                "grant_type must be authorization_code, refresh_token or client_credentials",
            )

    async def token_info(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        tok = header[7:] if header.lower().startswith("bearer ") else ""
        with sandbox.lock:
            issued = sandbox.world.access_tokens.get(tok)
            now = sandbox.clock.now()
            if issued is None or issued.expires_at <= now or tok in sandbox.world.revoked_tokens:
                return JSONResponse({"message": "The access token is invalid"}, status_code=401)
            return JSONResponse(
                {
                    "resource_owner_id": issued.user_id,
                    "scope": [],
                    "expires_in_seconds": int((issued.expires_at - now).total_seconds()),
                    "application": {"uid": issued.client_id},
                    "created_at": int(
                        (
                            issued.expires_at
                            - timedelta(seconds=sandbox.config.access_token_seconds)
                        ).timestamp()
                    ),
                }
            )

    async def revoke(request: Request) -> Response:
        form = await _form(request)
        tok = form.get("token", "")
        with sandbox.lock:
            world = sandbox.world
            issued = world.access_tokens.pop(tok, None)
            if issued is not None and issued.refresh_token:
                world.refresh_tokens.pop(issued.refresh_token, None)
            if tok in world.refresh_tokens:
                world.refresh_tokens.pop(tok, None)
                for key, other in list(world.access_tokens.items()):
                    if other.refresh_token == tok:
                        world.access_tokens.pop(key, None)
            world.revoked_tokens.add(tok)
            sandbox.changed()
        return JSONResponse({})

    return [
        ("/oauth/authorize", ["GET", "POST"], authorize),
        ("/oauth/token", ["POST"], token),
        ("/oauth/token/info", ["GET"], token_info),
        ("/oauth/revoke", ["POST"], revoke),
    ]
