"""Errors of the Procore client, and the one function that maps an HTTP answer to them.

ProcoreError                      root of everything raised by :mod:`procore_qb.procore`
├── ProcoreUsageError             we were asked for something impossible (bad argument)
├── ProcoreAuthError              the OAuth server refused a grant (bad code, revoked refresh token)
├── ProcoreTransportError         no HTTP answer at all (connection refused, timeout)
├── ProcoreProtocolError          Procore answered 2xx with something its API does not document
└── ProcoreAPIError               Procore answered with an error status
    ├── BadRequest                400 malformed request or missing field
    ├── Unauthorized              401 token missing, expired or revoked (after one refresh)
    ├── Forbidden                 403 the user or app may not do this; names what is missing
    ├── NotFound                  404
    ├── Conflict                  409 duplicate, e.g. an ``origin_id`` already used in the company
    ├── ValidationFailed          422 business validation; carries Procore's error body
    ├── RateLimited               429 after the retries ran out
    └── ServerError               5xx after the retries ran out

Every :class:`ProcoreAPIError` carries the HTTP ``status``, the ``request_id`` Procore sent
(``X-Request-Id``), the ``company_id`` the call was made for, the method and path, and the parsed
error ``body``. Secrets never appear in messages: the path is logged without its query string.
"""

from __future__ import annotations

from typing import Any

import httpx2

__all__ = [
    "BadRequest",
    "Conflict",
    "Forbidden",
    "NotFound",
    "ProcoreAPIError",
    "ProcoreAuthError",
    "ProcoreError",
    "ProcoreProtocolError",
    "ProcoreTransportError",
    "ProcoreUsageError",
    "RateLimited",
    "ServerError",
    "Unauthorized",
    "ValidationFailed",
    "error_from_response",
    "error_message",
]


class ProcoreError(Exception):
    """Root of every error raised by :mod:`procore_qb.procore`."""


class ProcoreUsageError(ProcoreError, ValueError):
    """An argument that can never work (for example an empty ``company_id``)."""


class ProcoreAuthError(ProcoreError):
    """The OAuth server refused a grant; the user (or the app's admin) has to act."""

    def __init__(self, message: str, *, error: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.error = error
        self.status = status


class ProcoreTransportError(ProcoreError):
    """No HTTP answer came back (connection refused, reset or timed out)."""


class ProcoreProtocolError(ProcoreError):
    """Procore answered with a success status but sent something its API does not document: a
    body that is no JSON, a list where an object belongs, a field missing, or an id that is no
    number. ``resource`` and ``field`` name what was wrong ("budget line", "cost_code_id"),
    ``sent`` what Procore sent there, shortened (:mod:`procore_qb.procore.answers` raises it)."""

    def __init__(
        self, message: str, *, resource: str, field: str | None = None, sent: str = ""
    ) -> None:
        super().__init__(message)
        self.resource = resource
        self.field = field
        self.sent = sent


class ProcoreAPIError(ProcoreError):
    """Procore answered a call with an error status."""

    status: int = 0

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        path: str,
        company_id: int | None,
        request_id: str | None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.company_id = company_id
        self.request_id = request_id
        self.body = body

    def __str__(self) -> str:
        where = f"{self.method} {self.path}"
        company = f" company {self.company_id}" if self.company_id is not None else ""
        request = f" request {self.request_id}" if self.request_id else ""
        return f"Procore {self.status} on {where}{company}{request}: {self.message}"


class BadRequest(ProcoreAPIError):
    status = 400


class Unauthorized(ProcoreAPIError):
    status = 401


class Forbidden(ProcoreAPIError):
    """403. ``missing`` says what the user or app lacks, in Procore's words where it gave them."""

    status = 403

    @property
    def missing(self) -> str:
        return self.message


class NotFound(ProcoreAPIError):
    status = 404


class Conflict(ProcoreAPIError):
    """409, most often an ``origin_id`` that another record of the company already uses."""

    status = 409


class ValidationFailed(ProcoreAPIError):
    """422 with Procore's validation body, for example ``{"errors": {"name": ["is too long"]}}``."""

    status = 422

    @property
    def field_errors(self) -> dict[str, list[str]]:
        errors = self.body.get("errors") if isinstance(self.body, dict) else None
        if not isinstance(errors, dict):
            return {}
        return {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()
        }


class RateLimited(ProcoreAPIError):
    """429 that did not clear within the retry budget. ``retry_after`` is in seconds."""

    status = 429

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(ProcoreAPIError):
    """5xx that did not clear within the retry budget."""


_BY_STATUS: dict[int, type[ProcoreAPIError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: ValidationFailed,
    429: RateLimited,
}

_DEFAULT_MESSAGES = {
    400: "the request is malformed or misses a required field",
    401: "the access token is missing, expired or revoked; sign in to Procore again",
    403: "permission denied: the user or app lacks the Procore tool permission for this call",
    404: "no such record, or it is not visible to this user",
    409: "conflict with an existing record (an origin_id must be unique within the company)",
    422: "Procore rejected the values",
    429: "Procore's rate limit was exceeded",
}


_MAX_MESSAGE_DEPTH = 16
"""How deep into an error body its message is looked for: Procore's shapes are at most three
deep; what lies deeper is left out rather than walked (a body nested hundreds deep would
exhaust the stack)."""


def _flatten(value: Any, depth: int = 0) -> str:
    if isinstance(value, str):
        return value
    if depth >= _MAX_MESSAGE_DEPTH:
        return ""
    if isinstance(value, list):
        return "; ".join(_flatten(v, depth + 1) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        parts = []
        for key, inner in value.items():
            text = _flatten(inner, depth + 1)
            if key in {"message", "error", "reason", "base"}:
                parts.append(text)
            elif key in {"code", "fields"} or not text:
                continue  # a field with no message says nothing ("errors " was the message)
            else:
                parts.append(f"{key} {text}")
        return "; ".join(p for p in parts if p)
    return "" if value is None else str(value)


def error_message(body: Any) -> str:
    """Procore's human message from any of the error shapes its v1 resources use.

    Shapes (spec procore-api §1.6): ``{"error": {"code", "message"}}``, ``{"errors": [...]}``,
    ``{"errors": "..."}``, ``{"errors": {field: [msg]}}``, ``{"message", "error"}`` and
    ``{"code", "message", "fields", "reason", "error"}``.
    """
    if isinstance(body, str):
        return body.strip()
    if not isinstance(body, dict):
        return ""
    for key in ("message", "error", "errors", "reason"):
        if key in body:
            text = _flatten(body[key])
            if text:
                return text
    return _flatten(body)


def _parse_body(response: httpx2.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):
        # Not JSON, or nested too deep to decode: the start of its text is the message.
        return response.text[:2000]


def _retry_after(response: httpx2.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def error_from_response(response: httpx2.Response, *, company_id: int | None) -> ProcoreAPIError:
    """The one place an HTTP error status becomes an exception of this package."""
    status = response.status_code
    body = _parse_body(response)
    given = error_message(body)
    message = given or _DEFAULT_MESSAGES.get(status, "Procore server error")
    if status == 403 and given:
        message = f"permission denied: {given}"
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ProcoreAPIError)
    kwargs: dict[str, Any] = {
        "status": status,
        "method": response.request.method,
        "path": response.request.url.path,
        "company_id": company_id,
        "request_id": response.headers.get("X-Request-Id"),
        "body": body,
    }
    if cls is RateLimited:
        return RateLimited(message, retry_after=_retry_after(response), **kwargs)
    return cls(message, **kwargs)
