"""What can go wrong inside the simulated QuickBooks Desktop.

Hierarchy::

    QbdSimulatorError                 root of every error raised by ``sandbox.qbd``
    ├── CompanyFileError              the company file cannot be opened: damaged, or not one
    ├── QbxmlParseError               the request processor could not read the qbXML text at all
    │                                 (QuickBooks answers with HRESULT 0x80040400, not a response)
    ├── StatusError                   one request is refused; becomes a ``*Rs`` with a status code
    └── WebConnectorError             the simulated Web Connector could not finish a session
        └── SoapFaultError            the endpoint answered a SOAP call with a fault or non-200
"""

from __future__ import annotations

__all__ = [
    "PARSE_ERROR_HRESULT",
    "PARSE_ERROR_MESSAGE",
    "CompanyFileError",
    "QbdSimulatorError",
    "QbxmlParseError",
    "SoapFaultError",
    "StatusError",
    "WebConnectorError",
]

# The HRESULT and text QuickBooks' request processor gives when it cannot parse the qbXML
# stream (spec B.8, Intuit sample WCWebService.asmx.cs).
PARSE_ERROR_HRESULT = "0x80040400"
PARSE_ERROR_MESSAGE = "QuickBooks found an error when parsing the provided XML text stream."


class QbdSimulatorError(Exception):
    """Root of the simulator's errors."""


class CompanyFileError(QbdSimulatorError):
    """The company file (or the folder meant for it) cannot be used; the message says how to
    start again."""


class QbxmlParseError(QbdSimulatorError):
    """The qbXML text is not well-formed or does not follow the qbXML 13.0 schema."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{PARSE_ERROR_MESSAGE} ({detail})")
        self.hresult = PARSE_ERROR_HRESULT
        self.detail = detail


class StatusError(QbdSimulatorError):
    """A request QuickBooks refuses: reported as ``statusCode``/``statusMessage`` on its ``*Rs``."""

    def __init__(self, code: int, message: str, severity: str = "Error") -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.severity = severity


class WebConnectorError(QbdSimulatorError):
    """The simulated Web Connector could not complete a session."""


class SoapFaultError(WebConnectorError):
    """The Web Connector endpoint answered with a SOAP fault or an HTTP error."""

    def __init__(self, method: str, status: int, detail: str) -> None:
        super().__init__(f"{method}: HTTP {status}: {detail}")
        self.method = method
        self.status = status
        self.detail = detail
