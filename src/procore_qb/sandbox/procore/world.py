"""The simulator's state: every record Procore would hold for the sandbox companies.

Records are plain dicts in per-resource tables; keys starting with ``_`` are internal (scoping,
permission levels) and never leave the simulator. Timestamps are kept as aware datetimes and
rendered as ISO 8601 by the serializers. The world can be dumped to JSON and loaded back, so the
demo keeps its state in a data dir across restarts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from procore_qb.sandbox.procore.config import SandboxConfig
from procore_qb.sandbox.procore.errors import SeedError

__all__ = [
    "TABLES",
    "AuthCode",
    "IssuedToken",
    "World",
]

TABLES = (
    "companies",
    "users",
    "permission_templates",
    "offices",
    "project_stages",
    "project_types",
    "project_templates",
    "projects",
    "standard_cost_code_lists",
    "standard_cost_codes",
    "cost_codes",
    "line_item_types",
    "budget_line_items",
    "budget_views",
    "wbs_codes",
    "direct_costs",
    "direct_cost_line_items",
    "erp_connections",
    "erp_requests",
    "erp_request_details",
    "erp_staged_projects",
    "cost_code_line_item_types",
    "erp_job_costs",
    "project_configurations",
    "hooks",
    "triggers",
    "events",
    "deliveries",
)
"""Every table; records of the same table share an id sequence with all others (ids are unique)."""


@dataclass(slots=True)
class AuthCode:
    user_id: int
    client_id: str
    redirect_uri: str
    expires_at: datetime


@dataclass(slots=True)
class IssuedToken:
    """An access token (and, for the authorization-code grant, its refresh token)."""

    user_id: int
    client_id: str
    expires_at: datetime
    refresh_token: str | None = None


@dataclass
class World:
    """All mutable state. Handlers receive it; nothing here is module-level."""

    config: SandboxConfig
    tables: dict[str, dict[int, dict[str, Any]]] = field(
        default_factory=lambda: {name: {} for name in TABLES}
    )
    next_id: int = 1_000_000
    origin_index: dict[tuple[str, int, str], int] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    access_tokens: dict[str, IssuedToken] = field(default_factory=dict)
    refresh_tokens: dict[str, tuple[int, str]] = field(default_factory=dict)
    revoked_tokens: set[str] = field(default_factory=set)
    apps: dict[str, tuple[str, int]] = field(default_factory=dict)
    """client_id -> (client_secret, user id of its service account)."""

    # -------------------------------------------------------------- records

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def table(self, name: str) -> dict[int, dict[str, Any]]:
        return self.tables[name]

    def insert(self, table: str, record: dict[str, Any], now: datetime) -> dict[str, Any]:
        if "id" not in record:
            record["id"] = self.new_id()
        else:
            self.next_id = max(self.next_id, int(record["id"]))
        record.setdefault("created_at", now)
        record["updated_at"] = now
        self.tables[table][record["id"]] = record
        self._index(table, record)
        return record

    def touch(self, table: str, record: dict[str, Any], now: datetime) -> None:
        record["updated_at"] = now
        self._index(table, record)

    def delete(self, table: str, record: dict[str, Any]) -> None:
        self.tables[table].pop(record["id"], None)
        self._unindex(table, record)

    def by_origin(self, table: str, company_id: int, origin_id: str) -> dict[str, Any] | None:
        rid = self.origin_index.get((table, company_id, origin_id))
        return None if rid is None else self.tables[table].get(rid)

    def set_origin_id(self, table: str, record: dict[str, Any], origin_id: str | None) -> None:
        self._unindex(table, record)
        record["origin_id"] = origin_id
        self._index(table, record)

    def _index(self, table: str, record: dict[str, Any]) -> None:
        origin = record.get("origin_id")
        company = record.get("_company_id")
        if origin is not None and company is not None:
            self.origin_index[(table, company, origin)] = record["id"]
        stale = record.get("_indexed_origin")
        if stale is not None and stale != origin and company is not None:
            key = (table, company, stale)
            if self.origin_index.get(key) == record["id"]:
                del self.origin_index[key]
        record["_indexed_origin"] = origin

    def _unindex(self, table: str, record: dict[str, Any]) -> None:
        origin = record.get("_indexed_origin")
        company = record.get("_company_id")
        if origin is not None and company is not None:
            key = (table, company, origin)
            if self.origin_index.get(key) == record["id"]:
                del self.origin_index[key]
        record["_indexed_origin"] = None

    # -------------------------------------------------------------- snapshots

    def dump(self) -> dict[str, Any]:
        """A JSON-ready copy of the whole state (records, tokens, codes)."""
        return {
            "next_id": self.next_id,
            "tables": {
                name: [_encode(record) for record in rows.values()]
                for name, rows in self.tables.items()
            },
            "codes": {
                k: [v.user_id, v.client_id, v.redirect_uri, v.expires_at.isoformat()]
                for k, v in self.codes.items()
            },
            "access_tokens": {
                k: [v.user_id, v.client_id, v.expires_at.isoformat(), v.refresh_token]
                for k, v in self.access_tokens.items()
            },
            "refresh_tokens": {k: list(v) for k, v in self.refresh_tokens.items()},
            "revoked_tokens": sorted(self.revoked_tokens),
            "apps": {k: list(v) for k, v in self.apps.items()},
        }

    def load(self, data: dict[str, Any]) -> None:
        """Replace the state with a :meth:`dump`."""
        try:
            self.tables = {name: {} for name in TABLES}
            self.origin_index = {}
            for name, rows in data["tables"].items():
                for row in rows:
                    record = _decode(row)
                    record["_indexed_origin"] = None
                    self.tables[name][record["id"]] = record
                    self._index(name, record)
            self.next_id = int(data["next_id"])
            self.codes = {
                k: AuthCode(v[0], v[1], v[2], datetime.fromisoformat(v[3]))
                for k, v in data["codes"].items()
            }
            self.access_tokens = {
                k: IssuedToken(v[0], v[1], datetime.fromisoformat(v[2]), v[3])
                for k, v in data["access_tokens"].items()
            }
            self.refresh_tokens = {k: (v[0], v[1]) for k, v in data["refresh_tokens"].items()}
            self.revoked_tokens = set(data["revoked_tokens"])
            self.apps = {k: (v[0], v[1]) for k, v in data["apps"].items()}
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise SeedError(f"the saved simulator state is not readable: {exc!r}") from exc

    def save(self, path: Path) -> None:
        """Write :meth:`dump` to ``path`` atomically (write a sibling file, then rename)."""
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.dump()), encoding="utf-8")
        tmp.replace(path)

    def restore(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SeedError(f"cannot read the simulator state file {path}: {exc}") from exc
        self.load(data)


_DT = "__dt__"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DT: value.isoformat()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items() if k != "_indexed_origin"}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_DT}:
            return datetime.fromisoformat(value[_DT]).astimezone(UTC)
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value
