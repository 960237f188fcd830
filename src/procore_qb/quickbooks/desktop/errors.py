"""Errors of the QuickBooks Desktop package.

DesktopError
├── QbxmlError                    a qbXML message we could not build or read
│   ├── QbxmlBuildError           a value breaks a qbXML rule (length, enum); names field and fix
│   └── QbxmlParseError           unsafe, malformed or unexpected XML (from QuickBooks or a peer)
├── QuickBooksStatusError         a request QuickBooks refused (statusCode/Severity/Message)
│   ├── NoMatch                   1 / 500: nothing matched the query or reference
│   ├── NameInUse                 3100: the name of the list element is already in use
│   ├── InvalidReference          3120 / 3140: a reference names no existing object
│   │   └── InvalidParentReference 3130: the ParentRef names no existing customer
│   ├── StaleEditSequence         3200: the EditSequence is out of date (someone edited it first)
│   └── FeatureNotAvailable       3250: not enabled or not in this version of QuickBooks
└── SoapError                     a Web Connector SOAP call we cannot understand

:func:`status_error` is the one place that maps a qbXML status to an exception. The message
QuickBooks gave is kept verbatim in ``str(error)`` and :attr:`QuickBooksStatusError.message`.
"""

from __future__ import annotations

__all__ = [
    "DesktopError",
    "FeatureNotAvailable",
    "InvalidParentReference",
    "InvalidReference",
    "NameInUse",
    "NoMatch",
    "QbxmlBuildError",
    "QbxmlError",
    "QbxmlParseError",
    "QuickBooksStatusError",
    "SoapError",
    "StaleEditSequence",
    "status_error",
]


class DesktopError(Exception):
    """Root of every error raised by :mod:`procore_qb.quickbooks.desktop`."""


class QbxmlError(DesktopError):
    """A qbXML message we could not build or read."""


class QbxmlBuildError(QbxmlError, ValueError):
    """A value breaks a qbXML rule; the message names the field and the fix."""


class QbxmlParseError(QbxmlError):
    """Unsafe, malformed or unexpected XML."""


class SoapError(DesktopError):
    """A Web Connector SOAP call we cannot understand."""


class QuickBooksStatusError(DesktopError):
    """QuickBooks refused one request of a message.

    ``code`` is the qbXML ``statusCode``, ``severity`` its ``statusSeverity`` (``Info``,
    ``Warn``, ``Error``), ``message`` QuickBooks' own ``statusMessage`` and ``request_id`` the
    ``requestID`` it echoed.
    """

    def __init__(self, code: int, severity: str, message: str, request_id: str | None) -> None:
        super().__init__(message or f"QuickBooks status {code}")
        self.code = code
        self.severity = severity
        self.message = message
        self.request_id = request_id


class NoMatch(QuickBooksStatusError):
    """Status 1 or 500: nothing matched the query or reference."""


class NameInUse(QuickBooksStatusError):
    """Status 3100: the name of the list element is already in use."""


class InvalidReference(QuickBooksStatusError):
    """Status 3120 or 3140: a reference names no existing object."""


class InvalidParentReference(InvalidReference):
    """Status 3130: the ParentRef names no existing customer."""


class StaleEditSequence(QuickBooksStatusError):
    """Status 3200: the EditSequence is out of date."""


class FeatureNotAvailable(QuickBooksStatusError):
    """Status 3250: not enabled or not in this version of QuickBooks."""


# Codes from the QuickBooks SDK status code pages and captured traffic
# (spec quickbooks-api.md §B.8 and §B.2).
_BY_CODE: dict[int, type[QuickBooksStatusError]] = {
    1: NoMatch,
    500: NoMatch,
    3100: NameInUse,
    3120: InvalidReference,
    3130: InvalidParentReference,
    3140: InvalidReference,
    3200: StaleEditSequence,
    3250: FeatureNotAvailable,
}


def status_error(
    code: int, severity: str, message: str, request_id: str | None
) -> QuickBooksStatusError | None:
    """The exception for a qbXML status, or None for success (code 0 and other Info codes
    that are not "no match"). Warnings other than 500 carry data and are not errors."""
    cls = _BY_CODE.get(code)
    if cls is None:
        if code == 0 or severity.lower() == "info" or 500 < code < 1000:
            return None
        cls = QuickBooksStatusError
    return cls(code, severity, message, request_id)
