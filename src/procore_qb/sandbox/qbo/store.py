"""The simulator's data: one company (realm) per ``RealmState``, kept in memory.

Everything is plain JSON-compatible data so that a snapshot can be written to a data directory
and read back (the demo keeps its QuickBooks company across restarts).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from procore_qb.sandbox.qbo.errors import SnapshotError

__all__ = ["RealmState", "Snapshot", "load_snapshot", "save_snapshot"]

Record = dict[str, Any]


@dataclass
class RealmState:
    """One QuickBooks Online company."""

    realm_id: str
    entities: dict[str, dict[str, Record]] = field(default_factory=dict)
    # entity -> id -> ISO time of deletion (CDC tombstones, spec A.7)
    tombstones: dict[str, dict[str, str]] = field(default_factory=dict)
    next_id: int = 1
    # requestid -> {"status": int, "body": {...}} (spec A.10)
    replies: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Name uniqueness index, rebuilt from ``entities`` on first use; never persisted.
    names: dict[str, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)
    # entity -> the last query's matches, reused while the entity's records are the same
    # objects (query.py); never persisted.
    found: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def table(self, entity: str) -> dict[str, Record]:
        return self.entities.setdefault(entity, {})

    def new_id(self) -> str:
        value = self.next_id
        self.next_id += 1
        return str(value)

    def to_json(self) -> dict[str, Any]:
        return {
            "realm_id": self.realm_id,
            "entities": self.entities,
            "tombstones": self.tombstones,
            "next_id": self.next_id,
            "replies": self.replies,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RealmState:
        return cls(
            realm_id=str(data["realm_id"]),
            entities=dict(data.get("entities", {})),
            tombstones=dict(data.get("tombstones", {})),
            next_id=int(data.get("next_id", 1)),
            replies=dict(data.get("replies", {})),
        )


@dataclass
class Snapshot:
    """Everything the simulator persists: companies and the OAuth server's grants."""

    realms: dict[str, RealmState]
    oauth: dict[str, Any]


def save_snapshot(path: Path, snapshot: Snapshot) -> None:
    """Write atomically: a crash never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "realms": {key: realm.to_json() for key, realm in snapshot.realms.items()},
        "oauth": snapshot.oauth,
    }
    fd, tmp = tempfile.mkstemp(prefix=".qbo-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_snapshot(path: Path) -> Snapshot | None:
    """The saved state, ``None`` when there is none; :class:`SnapshotError` naming the file
    when it cannot be read."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        realms = {key: RealmState.from_json(value) for key, value in data.get("realms", {}).items()}
        return Snapshot(realms=realms, oauth=dict(data.get("oauth", {})))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SnapshotError(
            f"cannot read the QuickBooks Online simulator state file {path}: "
            f"{type(exc).__name__}: {exc}; restore it, or delete it to start again from the "
            "seed world"
        ) from exc
