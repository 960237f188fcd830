"""Signing in with Procore (OAuth 2.0 authorization code) and signing out.

``GET /login`` shows the "Sign in with Procore" button; ``POST /login`` sends the browser to
Procore's sign-in with a fresh ``state``, kept (with where to go next) in a short-lived signed
cookie; Procore sends the person back to ``GET /login/callback`` with a code; the code is
exchanged by the use case (:func:`procore_qb.app.actors.sign_in`), which keeps the person's
Procore tokens encrypted, and a new session starts. ``POST /logout`` ends it.

The state cookie is ``SameSite=Lax`` (Procore's redirect back is a navigation from another
site, which carries Lax cookies but not Strict ones); the session cookie is Strict, so the
callback answers with a page that moves on by itself instead of a redirect: the page it moves
to is then requested from this site, with the new session.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from procore_qb.app import actors
from procore_qb.app.errors import AppError
from procore_qb.web.pages.kit import PageKit, PageUser
from procore_qb.web.pages.paths import MAX_NEXT, safe_next
from procore_qb.web.pages.session import end_session, start_session

__all__ = ["CALLBACK_PATH", "SIGN_IN_COOKIE", "SIGN_IN_SECONDS", "build_router"]

CALLBACK_PATH = "/login/callback"
SIGN_IN_COOKIE = "procore_qb_sign_in"
SIGN_IN_SECONDS = 600
"""How long a started sign-in may take (Procore's codes last 10 minutes too)."""
_MAX_CODE = 512
_MAX_STATE = 128


def build_router(kit: PageKit) -> APIRouter:
    router = APIRouter()
    signer = URLSafeTimedSerializer(kit.config.session_secret, salt="procore-qb sign-in")

    def login_page(
        request: Request, target: str, *, problem: str = "", status: int = 200
    ) -> Response:
        welcome = kit.config.welcome() if kit.config.welcome is not None else None
        return kit.render(
            request,
            "login.html",
            user=None,
            status=status,
            next=target,
            problem=problem,
            welcome=welcome,
        )

    def pending(request: Request, state: str) -> str | None:
        """Where to go after the sign-in this browser started with ``state``, or None."""
        raw = request.cookies.get(SIGN_IN_COOKIE, "")
        if not raw or len(raw) > 4096 or not state:
            return None
        try:
            data: Any = signer.loads(raw, max_age=SIGN_IN_SECONDS)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        expected = data.get("state")
        if not isinstance(expected, str) or not secrets.compare_digest(
            expected.encode(), state.encode()
        ):
            return None
        return safe_next(data.get("next"))

    anyone = Depends(kit.maybe_signed_in)

    @router.get("/login", summary="Sign in", include_in_schema=False)
    def show_login(request: Request, user: PageUser | None = anyone, next: str = "/") -> Response:
        target = safe_next(next)
        if user is not None:
            return RedirectResponse(target, status_code=303)
        return login_page(request, target)

    @router.post("/login", include_in_schema=False)
    def start_sign_in(
        request: Request, next: Annotated[str, Form(max_length=MAX_NEXT)] = "/"
    ) -> Response:
        target = safe_next(next)
        state = secrets.token_urlsafe(24)
        try:
            url = actors.sign_in_url(kit.ctx, state)
        except AppError as exc:
            return login_page(request, target, problem=str(exc), status=503)
        redirect_uri = parse_qs(urlsplit(url).query).get("redirect_uri", [""])[0]
        if urlsplit(redirect_uri).path != CALLBACK_PATH:
            return login_page(
                request,
                target,
                status=503,
                problem=(
                    f"Procore would send you back to {redirect_uri or 'nowhere'}, not to this "
                    f"app's {CALLBACK_PATH}: set PROCORE_QB_PROCORE__REDIRECT_URI to "
                    f"https://YOUR-HOST{CALLBACK_PATH} and register that URI on the Procore app"
                ),
            )
        response = RedirectResponse(url, status_code=303)
        response.set_cookie(
            SIGN_IN_COOKIE,
            signer.dumps({"state": state, "next": target}),
            max_age=SIGN_IN_SECONDS,
            path=CALLBACK_PATH,
            httponly=True,
            samesite="lax",
            secure=kit.config.secure_cookies,
        )
        return response

    @router.get(CALLBACK_PATH, include_in_schema=False)
    def finish_sign_in(
        request: Request,
        code: Annotated[str, Query(max_length=_MAX_CODE)] = "",
        state: Annotated[str, Query(max_length=_MAX_STATE)] = "",
        error: Annotated[str, Query(max_length=200)] = "",
    ) -> Response:
        target = pending(request, state)
        if error:
            answer = login_page(
                request,
                "/" if target is None else target,
                status=400,
                problem=f"Procore did not sign you in ({error}). Sign in again when ready.",
            )
        elif target is None or not code:
            answer = login_page(
                request,
                "/",
                status=400,
                problem=(
                    "This sign-in is out of date or was started in another browser (its state "
                    "does not match). Sign in again."
                ),
            )
        else:
            try:
                actor = actors.sign_in(kit.ctx, code)
            except AppError as exc:
                answer = login_page(request, target, status=502, problem=str(exc))
            else:
                start_session(
                    request.session,
                    user_id=actor.user_id,
                    procore_user_id=actor.procore_user_id,
                    now=kit.now(),
                )
                kit.flash(request, "success", f"Signed in as {actor.email}.")
                answer = kit.render(
                    request, "signed_in.html", user=None, next=target, show_flashes=False
                )
        answer.delete_cookie(
            SIGN_IN_COOKIE,
            path=CALLBACK_PATH,
            httponly=True,
            samesite="lax",
            secure=kit.config.secure_cookies,
        )
        return answer

    @router.post("/logout", include_in_schema=False)
    def sign_out(request: Request) -> Response:
        end_session(request.session)
        return kit.redirect(request, "/login", flash=("info", "You are signed out."))

    return router
