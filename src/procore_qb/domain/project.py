"""A Procore project as the rules see it: only the fields the workflow needs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

__all__ = ["Address", "CostCode", "ProcoreProject", "project_from_json", "project_to_json"]


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address as Procore holds it on a project."""

    line1: str = ""
    line2: str = ""
    city: str = ""
    state_code: str = ""
    zip: str = ""
    country_code: str = ""

    def is_empty(self) -> bool:
        return not any(
            (self.line1, self.line2, self.city, self.state_code, self.zip, self.country_code)
        )


@dataclass(frozen=True, slots=True)
class CostCode:
    """A project cost code; ``origin_id`` is set once it is synced to QuickBooks."""

    id: int
    full_code: str
    name: str
    origin_id: str | None = None


@dataclass(frozen=True, slots=True)
class ProcoreProject:
    """The Procore side of a sync pair.

    ``standard_cost_code_list_id`` is the company cost code list the project uses;
    ``origin_id`` is the QuickBooks id written back on the project once it is synced.
    """

    id: int
    company_id: int
    name: str
    project_number: str = ""
    address: Address = field(default_factory=Address)
    start_date: date | None = None
    completion_date: date | None = None
    active: bool = True
    erp_sync: bool = False
    standard_cost_code_list_id: int | None = None
    cost_codes: tuple[CostCode, ...] = ()
    origin_id: str | None = None


def project_to_json(project: ProcoreProject) -> dict[str, Any]:
    """A JSON-safe dict of ``project``: the frozen snapshot kept while it waits for approval."""
    data = asdict(project)
    data["start_date"] = _iso(project.start_date)
    data["completion_date"] = _iso(project.completion_date)
    data["cost_codes"] = [asdict(c) for c in project.cost_codes]
    return data


def project_from_json(data: dict[str, Any]) -> ProcoreProject:
    """Inverse of :func:`project_to_json`; raises ``ValueError`` on anything malformed."""
    try:
        return ProcoreProject(
            id=int(data["id"]),
            company_id=int(data["company_id"]),
            name=str(data["name"]),
            project_number=str(data.get("project_number", "")),
            address=Address(**{k: str(v) for k, v in data.get("address", {}).items()}),
            start_date=_date(data.get("start_date")),
            completion_date=_date(data.get("completion_date")),
            active=bool(data.get("active", True)),
            erp_sync=bool(data.get("erp_sync", False)),
            standard_cost_code_list_id=_int_or_none(data.get("standard_cost_code_list_id")),
            cost_codes=tuple(
                CostCode(
                    id=int(c["id"]),
                    full_code=str(c["full_code"]),
                    name=str(c["name"]),
                    origin_id=c.get("origin_id"),
                )
                for c in data.get("cost_codes", ())
            ),
            origin_id=data.get("origin_id"),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"malformed project snapshot: {exc!r}") from exc


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(raw: Any) -> date | None:
    return None if raw in (None, "") else date.fromisoformat(str(raw))


def _int_or_none(raw: Any) -> int | None:
    return None if raw is None else int(raw)
