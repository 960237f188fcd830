"""Errors of the QuickBooks Online simulator.

Hierarchy::

    SimulatorError            root of everything raised inside the simulator
    ├── QboFault              an Accounting API fault; rendered as a ``Fault`` body
    ├── OAuthError            an OAuth 2.0 error, rendered as ``{"error": ...}``
    └── SnapshotError         the saved state in the data directory cannot be read
"""

from __future__ import annotations

__all__ = ["OAuthError", "QboFault", "SimulatorError", "SnapshotError"]


class SimulatorError(Exception):
    """Root of the simulator's exceptions."""


class QboFault(SimulatorError):
    """One Accounting API fault (spec A.11): HTTP status, fault type, code, message, detail."""

    def __init__(
        self,
        code: str,
        message: str,
        detail: str,
        *,
        element: str = "",
        status: int = 400,
        fault_type: str = "ValidationFault",
    ) -> None:
        super().__init__(f"{code} {message}: {detail}")
        self.code = code
        self.message = message
        self.detail = detail
        self.element = element
        self.status = status
        self.fault_type = fault_type


class OAuthError(SimulatorError):
    """An OAuth 2.0 error response (RFC 6749 §5.2), e.g. ``invalid_grant``."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


class SnapshotError(SimulatorError):
    """The state file in the data directory is not a snapshot this simulator wrote."""
