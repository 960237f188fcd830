"""The result of Procore's batch ``…/sync`` actions.

``PATCH /rest/v1.0/<resource>/sync`` with ``{"updates": [...]}``, at most 1,000 items a call;
the answer is always HTTP 200 with ``{"entities": [...], "errors": [...]}``, each error being the
submitted item plus ``"errors": {field: [message]}`` (spec procore-api §1.7,
developers.procore.com/documentation/using-sync-actions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MAX_SYNC_BATCH", "JSONObject", "SyncItemError", "SyncResult"]

MAX_SYNC_BATCH = 1000
"""Procore's cap on items per sync call."""

JSONObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SyncItemError:
    """One item Procore refused: what we sent, and its per-field messages."""

    item: JSONObject
    errors: dict[str, list[str]]

    @property
    def message(self) -> str:
        return "; ".join(f"{k} {', '.join(v)}" for k, v in self.errors.items())

    @classmethod
    def from_json(cls, data: JSONObject) -> SyncItemError:
        raw = data.get("errors")
        errors: dict[str, list[str]] = {}
        if isinstance(raw, dict):
            for key, value in raw.items():
                errors[str(key)] = [str(v) for v in (value if isinstance(value, list) else [value])]
        elif raw:
            errors["base"] = [str(v) for v in (raw if isinstance(raw, list) else [raw])]
        item = {k: v for k, v in data.items() if k != "errors"}
        return cls(item=item, errors=errors)


@dataclass(slots=True)
class SyncResult:
    """Entities Procore stored and items it refused, merged over every batch."""

    entities: list[JSONObject] = field(default_factory=list)
    errors: list[SyncItemError] = field(default_factory=list)
    calls: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def merge(self, body: Any) -> None:
        self.calls += 1
        if not isinstance(body, dict):
            return
        self.entities.extend(e for e in body.get("entities") or [] if isinstance(e, dict))
        self.errors.extend(
            SyncItemError.from_json(e) for e in body.get("errors") or [] if isinstance(e, dict)
        )
