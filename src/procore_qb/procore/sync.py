"""The result of Procore's batch ``…/sync`` actions.

``PATCH /rest/v1.0/<resource>/sync`` with ``{"updates": [...]}``, at most 1,000 items a call;
the answer is always HTTP 200 with ``{"entities": [...], "errors": [...]}``, each error being the
submitted item plus ``"errors": {field: [message]}`` (spec procore-api §1.7,
developers.procore.com/documentation/using-sync-actions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from procore_qb.procore.answers import answer_object, opt_text, read_id
from procore_qb.procore.errors import ProcoreProtocolError

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

    def merge(self, body: Any, *, what: str = "sync answer") -> None:
        """Add one batch's answer. Anything but ``{"entities": [{...}], "errors": [{...}]}``
        (either list may be missing or null) raises
        :class:`~procore_qb.procore.errors.ProcoreProtocolError`: an item dropped silently
        would be an item neither stored nor reported refused."""
        self.calls += 1
        answer = answer_object(body, what)
        entities = _objects(answer, "entities", what)
        errors = _objects(answer, "errors", what)
        self.entities.extend(entities)
        self.errors.extend(SyncItemError.from_json(e) for e in errors)

    def ids_by_origin(self, *, what: str = "synced record") -> dict[str, int]:
        """The id of each stored entity that carries an ``origin_id``, by that origin id.

        Ids and origin ids are checked (:mod:`procore_qb.procore.answers`); ``what`` names the
        resource in the error, e.g. "direct cost"."""
        out: dict[str, int] = {}
        for entity in self.entities:
            origin_id = opt_text(entity, "origin_id", what=what)
            if origin_id is not None:
                out[origin_id] = read_id(entity, "id", what=what)
        return out


def _objects(answer: JSONObject, key: str, what: str) -> list[JSONObject]:
    items = answer.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise ProcoreProtocolError(
            f"Procore sent a {what} whose {key} is not a list", resource=what, field=key
        )
    for item in items:
        answer_object(item, f"{what} {key} item")
    return items
