"""Errors the Procore simulator answers with, in the body shapes Procore uses.

Hierarchy (one root)::

    ProcoreSandboxError
    ├── ApiError                 an HTTP error answer (status, body, extra headers)
    │   ├── BadRequest           400  {"error": {"code", "message"}}
    │   ├── Unauthorized         401  {"message": ...}
    │   ├── Forbidden            403  {"error": {"code", "message"}}
    │   ├── NotFound             404  {"error": {"code", "message"}}
    │   ├── Conflict             409  {"errors": {field: [message]}}
    │   ├── Unprocessable        422  {"errors": {field: [message]}}
    │   └── TooManyRequests      429  {"message": ...} with Retry-After
    └── SeedError                the seed world or a snapshot cannot be loaded

Body shapes follow spec procore-api.md §1.6 (the "Simulator choice" paragraph): Procore's error
JSON is not uniform across v1 resources; these are shapes Procore's own OpenAPI models show.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "NotFound",
    "ProcoreSandboxError",
    "SeedError",
    "TooManyRequests",
    "Unauthorized",
    "Unprocessable",
]


class ProcoreSandboxError(Exception):
    """Root of every error raised by the Procore simulator."""


class SeedError(ProcoreSandboxError):
    """The seed world or a saved snapshot could not be loaded."""


class ApiError(ProcoreSandboxError):
    """An error answered over HTTP."""

    status: int = 500

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {"error": {"code": type(self).__name__.lower(), "message": self.message}}


class BadRequest(ApiError):
    status = 400

    def body(self) -> dict[str, Any]:
        return {"error": {"code": "bad_request", "message": self.message}}


class Unauthorized(ApiError):
    status = 401

    def body(self) -> dict[str, Any]:
        return {"message": self.message}


class Forbidden(ApiError):
    status = 403

    def body(self) -> dict[str, Any]:
        return {"error": {"code": "forbidden", "message": self.message}}


class NotFound(ApiError):
    status = 404

    def body(self) -> dict[str, Any]:
        return {"error": {"code": "not_found", "message": self.message}}


class _FieldErrors(ApiError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        text = "; ".join(f"{k} {', '.join(v)}" for k, v in errors.items())
        super().__init__(text)
        self.errors = errors

    def body(self) -> dict[str, Any]:
        return {"errors": self.errors}


class Conflict(_FieldErrors):
    """409: a duplicate, e.g. an ``origin_id`` already used in the company (spec §1.6)."""

    status = 409


class Unprocessable(_FieldErrors):
    """422: business validation failed, ``{"errors": {field: [message]}}`` (spec §1.6)."""

    status = 422


class TooManyRequests(ApiError):
    status = 429

    def body(self) -> dict[str, Any]:
        return {"message": self.message}
