"""Errors on pages: the same problem details the JSON API answers (``web.api.problems``),
rendered as an HTML page with the same status: 403 names each permission missing, 404 what
was not found, 409 the state, 422 each rule broken with its fix.

One handler per error type serves both: a request to a page gets the HTML page, any other
(the API, the Web Connector) the problem JSON, exactly as before pages existed.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from procore_qb.web.api.problems import (
    HTTP_TITLES,
    MEDIA_TYPE,
    PROBLEM_ERRORS,
    error_details,
    error_response,
    http_error_response,
    problem_details,
    validation_details,
)
from procore_qb.web.pages.errors import CrossSiteRefused, SignInRequired
from procore_qb.web.pages.kit import PageKit
from procore_qb.web.pages.paths import is_page_path, login_url

__all__ = ["cross_site_body", "install_page_problems", "render_problem"]


def render_problem(kit: PageKit, request: Request, body: dict[str, Any]) -> Response:
    """The error page for a problem-details ``body``."""
    user = kit.quiet_user(request)
    return kit.render(request, "error.html", user=user, status=int(body["status"]), problem=body)


def cross_site_body(reason: str) -> dict[str, Any]:
    return problem_details(
        403,
        "Cross-site request refused",
        reason,
        rule="same_origin_required",
    )


def install_page_problems(app: FastAPI, kit: PageKit) -> None:
    """Install the handlers (after the API's, which they replace with the same JSON for
    non-page requests)."""

    async def app_error(request: Request, exc: Exception) -> Response:
        if not is_page_path(request.url.path):
            return error_response(exc)
        return await run_in_threadpool(render_problem, kit, request, error_details(exc))

    async def invalid(request: Request, exc: Exception) -> Response:
        body = validation_details(exc)
        if not is_page_path(request.url.path):
            return JSONResponse(body, status_code=422, media_type=MEDIA_TYPE)
        return await run_in_threadpool(render_problem, kit, request, body)

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        target = exc.next_path if isinstance(exc, SignInRequired) else "/"
        kit.flash(request, "info", "Sign in with Procore to continue.")
        return RedirectResponse(login_url(target), status_code=303)

    async def cross_site(request: Request, exc: Exception) -> Response:
        body = cross_site_body(str(exc))
        if not is_page_path(request.url.path):
            return JSONResponse(body, status_code=403, media_type=MEDIA_TYPE)
        return await run_in_threadpool(render_problem, kit, request, body)

    async def http_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, StarletteHTTPException):
            return error_response(exc)
        if not is_page_path(request.url.path):
            return http_error_response(exc)
        title = HTTP_TITLES.get(exc.status_code, "Request refused")
        detail = (
            "There is no page at this address; use the navigation above."
            if exc.status_code == 404
            else str(exc.detail)
        )
        return await run_in_threadpool(
            render_problem, kit, request, problem_details(exc.status_code, title, detail)
        )

    for error in PROBLEM_ERRORS:
        app.add_exception_handler(error, app_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(SignInRequired, sign_in_first)
    app.add_exception_handler(CrossSiteRefused, cross_site)
    app.add_exception_handler(StarletteHTTPException, http_error)
