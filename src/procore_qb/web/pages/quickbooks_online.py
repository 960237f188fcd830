"""Connecting QuickBooks Online from the settings page (Intuit's OAuth 2.0 consent, spec
quickbooks-api §A.13), checking the connection and disconnecting it.

``POST /settings/quickbooks/connect`` (an ERP Integrations admin) starts the consent
(:func:`procore_qb.app.connections.begin_quickbooks_connect` keeps its ``state`` for ten
minutes) and answers with a page that moves on to Intuit by itself, so the form only ever
posts to this site (the pages' ``form-action`` policy). It also sets a short-lived signed
cookie naming the person and the ``state``: ``SameSite=Lax`` and limited to the callback's
path, because Intuit's redirect back is a navigation from another site, which carries Lax
cookies but not the Strict session cookie.

``GET /quickbooks/callback`` (the redirect URI registered with the Intuit app,
``PROCORE_QB_QBO__REDIRECT_URI``) checks that the ``state`` is the one this browser started
with (and the use case checks it against the stored consent), takes Intuit's ``error`` when
the person declined, and otherwise exchanges the code and keeps the tokens. It never reads
or writes the session (without the session cookie, writing one would replace the person's):
its page moves on to ``/settings`` by itself, where the session is back.

``POST /settings/quickbooks/check`` makes one cheap call to QuickBooks now;
``POST /settings/quickbooks/disconnect`` revokes the connection at Intuit and forgets the
tokens.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from procore_qb.app import actors, connections
from procore_qb.app.errors import AppError
from procore_qb.app.setup import CONSENT_TTL, SetupRefused
from procore_qb.domain.errors import DomainError
from procore_qb.domain.permissions import Action
from procore_qb.web.api.problems import ApiProblem, error_details
from procore_qb.web.pages.csrf import CSRF_FIELD
from procore_qb.web.pages.kit import PageKit, PageUser

__all__ = ["CALLBACK_PATH", "CONNECT_COOKIE", "MAX_CALLBACK", "build_router", "read_callback"]

CALLBACK_PATH = "/quickbooks/callback"
CONNECT_COOKIE = "procore_qb_qbo_connect"
MAX_CALLBACK = {
    "code": 512,
    "state": 128,
    "realmId": 32,
    "error": 100,
    "error_description": 500,
}
"""The callback's parameters and their longest accepted value (Intuit's are far shorter)."""
_SECTION = "/settings#quickbooks-online"


def read_callback(query: Any) -> tuple[dict[str, str], str | None]:
    """The callback's parameters from a query (a multi-dict or a mapping), and why they are
    refused, if they are: a parameter given twice, too long, or with control characters."""
    found: dict[str, str] = {}
    getlist = getattr(query, "getlist", None)
    for name, longest in MAX_CALLBACK.items():
        values = (
            list(getlist(name)) if getlist is not None else ([query[name]] if name in query else [])
        )
        if not values:
            continue
        if len(values) > 1:
            return {}, f"QuickBooks sent {name} more than once"
        value = values[0]
        if not isinstance(value, str) or len(value) > longest or not value.isprintable():
            return {}, f"QuickBooks sent a {name} that is not valid"
        found[name] = value
    return found, None


def build_router(kit: PageKit) -> APIRouter:
    router = APIRouter()
    admin = Depends(kit.need(Action.CONFIGURE))
    signer = URLSafeTimedSerializer(kit.config.session_secret, salt="procore-qb quickbooks connect")
    max_age = int(CONSENT_TTL.total_seconds())

    def detached(template: str, request: Request, *, status: int, **context: Any) -> HTMLResponse:
        """A page rendered without touching the session (see the module's docstring)."""
        values: dict[str, Any] = {
            "request": request,
            "user": None,
            "nav": [],
            "current_path": request.url.path,
            "flashes": [],
            "csrf_token": "",
            "csrf_name": CSRF_FIELD,
            "company_name": kit.config.company_name,
            "edition": kit.ctx.edition.value,
            "demo": kit.ctx.demo,
            **context,
        }
        body = kit.templates.get_template(template).render(values)
        return HTMLResponse(body, status_code=status)

    def started_by(request: Request, state: str) -> actors.Actor | None:
        """The person who started the consent with ``state`` in this browser, or None."""
        raw = request.cookies.get(CONNECT_COOKIE, "")
        if not raw or len(raw) > 4096 or not state:
            return None
        try:
            data: Any = signer.loads(raw, max_age=max_age)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        expected, user_id, procore_user_id = (
            data.get("state"),
            data.get("user"),
            data.get("procore"),
        )
        if (
            not isinstance(expected, str)
            or not isinstance(user_id, int)
            or not isinstance(procore_user_id, int)
            or not secrets.compare_digest(expected.encode(), state.encode())
        ):
            return None
        return actors.actor_for_session(kit.ctx, user_id, procore_user_id)

    @router.post("/settings/quickbooks/connect", include_in_schema=False)
    def connect(request: Request, user: PageUser = admin) -> Response:
        try:
            started = connections.begin_quickbooks_connect(kit.ctx, user.actor)
        except SetupRefused as exc:
            raise ApiProblem(409, "Not available", str(exc)) from exc
        answer = kit.render(request, "quickbooks_consent.html", user=user, consent_url=started.url)
        answer.set_cookie(
            CONNECT_COOKIE,
            signer.dumps(
                {
                    "state": started.state,
                    "user": user.actor.user_id,
                    "procore": user.actor.procore_user_id,
                }
            ),
            max_age=max_age,
            path=CALLBACK_PATH,
            httponly=True,
            samesite="lax",
            secure=kit.config.secure_cookies,
        )
        return answer

    @router.get(CALLBACK_PATH, include_in_schema=False)
    def callback(request: Request) -> Response:
        query, refused = read_callback(request.query_params)
        actor = None if refused else started_by(request, query.get("state", ""))
        if refused is not None or actor is None:
            answer = detached(
                "quickbooks_connected.html",
                request,
                status=400,
                realm=None,
                problem={
                    "title": "Connection not finished",
                    "detail": refused
                    or (
                        "This QuickBooks connection is out of date or was started in another "
                        "browser (its state does not match). Start it again from Settings."
                    ),
                },
            )
        else:
            try:
                realm = connections.finish_quickbooks_connect(kit.ctx, actor, query)
            except (connections.ConnectDeclined, SetupRefused) as exc:
                answer = detached(
                    "quickbooks_connected.html",
                    request,
                    status=400,
                    realm=None,
                    problem={"title": "QuickBooks did not connect", "detail": str(exc)},
                )
            except (AppError, DomainError) as exc:
                body = error_details(exc)
                answer = detached(
                    "quickbooks_connected.html",
                    request,
                    status=int(body["status"]),
                    realm=None,
                    problem=body,
                )
            else:
                answer = detached("quickbooks_connected.html", request, status=200, realm=realm)
        if actor is not None:
            # Used: the consent it names is over. (A callback with another state leaves it,
            # so nobody can cancel a person's consent by sending them a made-up callback.)
            answer.delete_cookie(
                CONNECT_COOKIE,
                path=CALLBACK_PATH,
                httponly=True,
                samesite="lax",
                secure=kit.config.secure_cookies,
            )
        return answer

    @router.post("/settings/quickbooks/check", include_in_schema=False)
    def check(request: Request, user: PageUser = admin) -> Response:
        checked = connections.check_online(kit.ctx, user.actor)
        return kit.redirect(
            request, _SECTION, flash=("success" if checked.ok else "error", checked.message)
        )

    @router.post("/settings/quickbooks/disconnect", include_in_schema=False)
    def disconnect(request: Request, user: PageUser = admin) -> Response:
        realm = connections.disconnect_online(kit.ctx, user.actor)
        return kit.redirect(
            request,
            _SECTION,
            flash=(
                "success",
                f"QuickBooks Online company {realm} is disconnected: Intuit revoked the "
                "connection and procore-qb forgot its tokens. Commands wait until you connect "
                "again.",
            ),
        )

    return router
