"""Failures a test can ask for (sandbox control ``/_sandbox/faults``), not QuickBooks rules.

Real services fail in ways no rule describes: a 503 during a storm, or an answer lost after the
work was done. An injected failure applies to the next ``count`` Accounting API calls whose
path contains ``match``: ``when="before"`` answers ``status`` without doing anything;
``when="after"`` does the work (and records the ``requestid`` reply) and then answers
``status``, as when a gateway times out after QuickBooks committed.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["InjectedFailure", "Injector"]


@dataclass
class InjectedFailure:
    status: int
    count: int = 1
    when: str = "before"
    match: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InjectedFailure:
        status = data.get("status")
        count = data.get("count", 1)
        when = data.get("when", "before")
        match = data.get("match", "")
        if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status, 400 to 599")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("count must be a positive integer")
        if when not in ("before", "after"):
            raise ValueError('when must be "before" or "after"')
        if not isinstance(match, str):
            raise ValueError("match must be a string (a part of the request path)")
        return cls(status=status, count=count, when=when, match=match)


class Injector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[InjectedFailure] = []

    def add(self, failure: InjectedFailure) -> None:
        with self._lock:
            self._pending.append(failure)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._pending]

    def take(self, path: str) -> InjectedFailure | None:
        """The failure for this call, if one is pending for its path (uses one count)."""
        with self._lock:
            for failure in self._pending:
                if failure.match in path:
                    failure.count -= 1
                    if failure.count == 0:
                        self._pending.remove(failure)
                    return InjectedFailure(failure.status, 1, failure.when, failure.match)
            return None
