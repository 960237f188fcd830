"""Errors as RFC 9457 problem details (``application/problem+json``).

| error | status | extra members |
| --- | --- | --- |
| a broken workflow rule | 422 | ``rule`` (the first one), ``problems`` (each rule, its fix) |
| a request that does not validate | 422 | ``rule`` = ``invalid_request``, ``problems`` |
| a missing Procore permission | 403 | ``missing`` (each permission needed) |
| a state that does not allow the action, or a concurrent change | 409 | ``state`` when known |
| an unknown item or project | 404 | |
| no or a bad bearer token | 401 | (``WWW-Authenticate: Bearer``) |
| Procore or QuickBooks failed a call the action needed | 502 | |
| a connection that is not set up | 503 | |
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from procore_qb.app.errors import AppError, Conflict, NotConnected, NotFound, UpstreamError
from procore_qb.domain.errors import PermissionDenied, RuleViolation, TransitionRefused

__all__ = [
    "MEDIA_TYPE",
    "PROBLEM_ERRORS",
    "ApiProblem",
    "error_details",
    "error_response",
    "install_problem_handlers",
    "problem",
    "problem_details",
    "validation_details",
]

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
_MAX_DETAIL = 2000


class ApiProblem(Exception):
    """Raised by a route for a refusal that has no richer type."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra


def problem_details(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The members of a problem-details body (the pages render the same ones)."""
    return {
        "type": f"urn:procore-qb:problem:{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail[:_MAX_DETAIL],
        **extra,
    }


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = problem_details(status, title, detail, **extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def error_details(exc: Exception) -> dict[str, Any]:
    """The problem-details body the API answers ``exc`` with."""
    if isinstance(exc, ApiProblem):
        return problem_details(exc.status, exc.title, exc.detail, **exc.extra)
    if isinstance(exc, RuleViolation):
        return problem_details(
            422,
            "Rule violated",
            str(exc),
            rule=exc.rules[0],
            problems=[{"rule": p.rule.value, "message": p.message} for p in exc.problems],
        )
    if isinstance(exc, PermissionDenied):
        return problem_details(
            403,
            "Permission missing",
            str(exc),
            action=exc.action.value,
            missing=[str(m) for m in exc.missing],
        )
    if isinstance(exc, TransitionRefused):
        return problem_details(409, "State conflict", f"You {exc!s}.", state=exc.state.value)
    if isinstance(exc, Conflict):
        return problem_details(409, "State conflict", str(exc))
    if isinstance(exc, NotFound):
        return problem_details(404, "Not found", str(exc))
    if isinstance(exc, UpstreamError):
        return problem_details(502, "Upstream error", str(exc))
    if isinstance(exc, NotConnected):
        return problem_details(503, "Not connected", str(exc))
    log.error("unexpected application error: %s", type(exc).__name__)
    return problem_details(500, "Internal error", "procore-qb failed to handle the request")


def error_response(exc: Exception) -> JSONResponse:
    """The API's answer to ``exc``: problem details with its status."""
    body = error_details(exc)
    status = int(body["status"])
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def validation_details(exc: Exception) -> dict[str, Any]:
    """The problem-details body of a request that does not validate."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    problems = [
        {
            "rule": "invalid_request",
            "message": f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"[:300],
        }
        for e in errors[:20]
    ]
    detail = "; ".join(p["message"] for p in problems) or "the request is invalid"
    return problem_details(
        422, "Invalid request", detail, rule="invalid_request", problems=problems
    )


_NO_ROUTE = "Not Found"
"""The detail of the router's 404 when no route matches the path."""

HTTP_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
}
"""Titles of the refusals the framework makes itself (no route, a method a route lacks)."""


def http_error_response(exc: StarletteHTTPException) -> JSONResponse:
    """A refusal of the framework (no route at this path, a method the route does not take)
    as problem details, with its headers (``Allow`` on a 405)."""
    title = HTTP_TITLES.get(exc.status_code, "Request refused")
    detail = str(exc.detail)
    if exc.status_code == 404 and detail == _NO_ROUTE:
        # The router's own 404 says only "Not Found"; a route's own 404 keeps what it says.
        detail = "Nothing is served at this path; the API's endpoints are listed at /docs."
    return JSONResponse(
        problem_details(exc.status_code, title, detail),
        status_code=exc.status_code,
        media_type=MEDIA_TYPE,
        headers=dict(exc.headers or {}),
    )


PROBLEM_ERRORS: tuple[type[Exception], ...] = (
    ApiProblem,
    RuleViolation,
    PermissionDenied,
    TransitionRefused,
    AppError,
)
"""The errors answered with problem details."""


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of the API with problem details."""

    async def handle(_request: Request, exc: Exception) -> JSONResponse:
        return error_response(exc)

    async def invalid(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(validation_details(exc), status_code=422, media_type=MEDIA_TYPE)

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, StarletteHTTPException):
            return error_response(exc)
        return http_error_response(exc)

    for error in PROBLEM_ERRORS:
        app.add_exception_handler(error, handle)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
