"""Errors of the QuickBooks Online client, and the one function that maps a response to them.

QboError                      code, element, message, detail, intuit_tid, realm_id, status
├── QboAuthError              3200 / HTTP 401: the access token was refused
│   └── ReconnectRequired     the refresh token is gone (invalid_grant): the user must reconnect
├── QboForbidden              3100, 120 / HTTP 403: the app or user lacks access to the company
├── QboThrottled              3001 / HTTP 429: too many requests; retry after ``retry_after``
├── QboValidationError        2000-4999 and 6000-range business validation faults
│   ├── DuplicateName         6240: the name is used by another customer, vendor or employee
│   └── StaleObject           5010: the SyncToken is old; read the object again
├── QboNotFound               610: the object does not exist (or is inactive / deleted)
├── QboServerError            HTTP 5xx or code ≥ 10000: QuickBooks failed; retriable
├── QboProtocolError          the answer is not the JSON the API documents
├── QboOAuthError             the OAuth server refused a request (other than invalid_grant)
├── QboTransportError         the request could not be sent (connection refused, DNS, ...)
└── OutcomeUnknown            a write was sent but no answer came back; replay its requestid

Codes and body shapes: ``../shared/spec/quickbooks-api.md`` §A.11.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx2

__all__ = [
    "DuplicateName",
    "OutcomeUnknown",
    "QboAuthError",
    "QboError",
    "QboForbidden",
    "QboNotFound",
    "QboOAuthError",
    "QboProtocolError",
    "QboServerError",
    "QboThrottled",
    "QboTransportError",
    "QboValidationError",
    "ReconnectRequired",
    "StaleObject",
    "error_from_fault",
    "error_from_response",
    "parse_retry_after",
]


class QboError(Exception):
    """Root of every error raised by :mod:`procore_qb.quickbooks.online`."""

    retriable = False

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        element: str = "",
        detail: str = "",
        intuit_tid: str | None = None,
        realm_id: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.element = element
        self.detail = detail
        self.intuit_tid = intuit_tid
        self.realm_id = realm_id
        self.status = status

    def __str__(self) -> str:
        parts = [self.message]
        if self.detail and self.detail != self.message:
            parts.append(self.detail)
        text = ": ".join(parts)
        extra = [
            f"{name}={value}"
            for name, value in (
                ("code", self.code),
                ("element", self.element),
                ("realm", self.realm_id),
                ("intuit_tid", self.intuit_tid),
            )
            if value
        ]
        return f"{text} ({', '.join(extra)})" if extra else text


class QboAuthError(QboError):
    """The access token was refused (401, code 3200) or the app lost its authorization."""


class ReconnectRequired(QboAuthError):
    """The stored refresh token was refused. Nothing is lost: reconnect QuickBooks from the
    settings page and pending work resumes."""


class QboForbidden(QboError):
    """QuickBooks refused the operation for this app or user (403, codes 120 and 3100)."""


class QboThrottled(QboError):
    retriable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class QboValidationError(QboError):
    """QuickBooks refused the request's content (400, codes 2000-6999)."""


class DuplicateName(QboValidationError):
    """Another customer, vendor or employee already uses this name (code 6240)."""


class StaleObject(QboValidationError):
    """The record changed since it was read; read it again for the new SyncToken (5010)."""


class QboNotFound(QboError):
    """The record does not exist or is inactive (code 610, or 404)."""


class QboServerError(QboError):
    retriable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class QboProtocolError(QboError):
    """QuickBooks answered something that is not a valid Accounting API response."""


class QboOAuthError(QboError):
    """The OAuth 2.0 server refused a code or token exchange (e.g. invalid_grant)."""


class QboTransportError(QboError):
    retriable = True


class OutcomeUnknown(QboError):
    """A write was sent and its answer lost. Send it again with the same ``requestid`` (QuickBooks
    then answers as it did the first time); never create it again under a new one."""

    retriable = True


def _code_class(code: str, status: int | None) -> type[QboError]:
    """The exception class for a fault ``code`` (§A.11 table), falling back on HTTP status."""
    digits = code.lstrip("0")
    number = int(digits) if digits.isdigit() else None
    if number == 6240:
        return DuplicateName
    if number == 5010:
        return StaleObject
    if number == 610:
        return QboNotFound
    if number == 3001 or status == 429:
        return QboThrottled
    if number == 3200 or status == 401:
        return QboAuthError
    if number in (3100, 120) or status == 403:
        return QboForbidden
    if (number is not None and number >= 10000) or (status is not None and status >= 500):
        return QboServerError
    if number is not None and (2000 <= number < 5000 or 5000 <= number < 7000 or number == 500):
        return QboValidationError
    if status == 404:
        return QboNotFound
    if number is not None and number < 500:
        return QboForbidden
    return QboValidationError if status == 400 else QboError


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (only the delta-seconds form; an HTTP date is ignored)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(0.0, seconds)


def error_from_fault(
    fault: Mapping[str, Any],
    *,
    status: int | None = None,
    intuit_tid: str | None = None,
    realm_id: str | None = None,
    retry_after: float | None = None,
) -> QboError:
    """Map one ``Fault`` object (``{"Error": [...], "type": ...}``, either letter case) to an
    exception. The first error decides the class; all messages are kept in the text."""
    errors = fault.get("Error", fault.get("error", []))
    if isinstance(errors, Mapping):
        errors = [errors]
    if not isinstance(errors, list) or not errors:
        message = str(fault.get("type", "Fault")) if fault else "Fault"
        cls = _code_class("", status)
        return _build(cls, message, "", "", "", intuit_tid, realm_id, status, retry_after)
    first = errors[0] if isinstance(errors[0], Mapping) else {}
    code = str(first.get("code", first.get("Code", "")))
    element = str(first.get("element", first.get("Element", "")) or "")
    message = str(first.get("Message", first.get("message", "")) or "Fault")
    detail = str(first.get("Detail", first.get("detail", "")) or "")
    for extra in errors[1:]:
        if isinstance(extra, Mapping):
            more = extra.get("Message", extra.get("message"))
            if more:
                detail = f"{detail}; {more}" if detail else str(more)
    cls = _code_class(code, status)
    return _build(cls, message, code, element, detail, intuit_tid, realm_id, status, retry_after)


def _build(
    cls: type[QboError],
    message: str,
    code: str,
    element: str,
    detail: str,
    intuit_tid: str | None,
    realm_id: str | None,
    status: int | None,
    retry_after: float | None,
) -> QboError:
    kw: dict[str, Any] = {
        "code": code,
        "element": element,
        "detail": detail,
        "intuit_tid": intuit_tid,
        "realm_id": realm_id,
        "status": status,
    }
    if cls in (QboThrottled, QboServerError):
        kw["retry_after"] = retry_after
    return cls(message, **kw)


def error_from_response(response: httpx2.Response, *, realm_id: str | None = None) -> QboError:
    """The exception for a failed (or fault-carrying) response.

    Handles the documented ``{"Fault": {"Error": [...]}}`` shape, its lower-case variant
    (``fault/error/message``), bodies that are only text (401 answers are often not a Fault,
    e.g. ``message=AuthenticationFailed; errorCode=003200; statusCode=401``) and empty bodies.
    """
    status = response.status_code
    tid = response.headers.get("intuit_tid")
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    body: Any = None
    text = ""
    try:
        text = response.text
        body = json.loads(text) if text.strip() else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        body = None
    if isinstance(body, Mapping):
        fault = body.get("Fault", body.get("fault"))
        if isinstance(fault, Mapping):
            return error_from_fault(
                fault, status=status, intuit_tid=tid, realm_id=realm_id, retry_after=retry_after
            )
        if "error" in body and isinstance(body["error"], str):
            text = str(body.get("error_description") or body["error"])
    code = _code_in_text(text)
    message = text.strip()[:500] or f"HTTP {status} {response.reason_phrase}".strip()
    cls = _code_class(code, status)
    if status < 400 and cls is QboError:
        cls = QboProtocolError
    return _build(cls, message, code, "", "", tid, realm_id, status, retry_after)


def _code_in_text(text: str) -> str:
    """``errorCode=003200`` inside a plain-text body → ``"3200"``."""
    marker = "errorCode="
    start = text.find(marker)
    if start < 0:
        return ""
    digits = ""
    for ch in text[start + len(marker) :]:
        if not ch.isdigit():
            break
        digits += ch
    return digits.lstrip("0")
