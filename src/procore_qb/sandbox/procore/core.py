"""The request context every resource handler receives, and the route table entries.

A handler is a plain function ``(Call) -> Reply``. Authentication, the ``Procore-Company-Id``
header and rate limiting happen before it runs (see ``app.py``); the handler checks
permissions, validates the body and changes the world.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request

from procore_qb.sandbox.procore.config import SandboxConfig
from procore_qb.sandbox.procore.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    Unprocessable,
)
from procore_qb.sandbox.procore.listing import page_of
from procore_qb.sandbox.procore.world import World

__all__ = ["Call", "Emitter", "Reply", "RouteSpec", "raise_conflict", "require_fields"]

Emitter = Callable[[int, int | None, str, str, int, int], None]
"""(company_id, project_id, resource_name, event_type, resource_id, user_id) -> None"""


@dataclass
class Reply:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    request: Request
    world: World
    config: SandboxConfig
    now: datetime
    user: dict[str, Any]
    company_id: int | None
    body: Any
    emit: Emitter

    # ---------------------------------------------------------------- parameters

    @property
    def query(self) -> Any:
        return self.request.query_params

    def path_int(self, name: str) -> int:
        raw = self.request.path_params[name]
        try:
            return int(raw)
        except ValueError as exc:
            raise NotFound(f"no record with id '{raw}'") from exc

    def param(self, name: str) -> Any:
        """A scalar from the query string, else from the top level of a JSON body."""
        value = self.request.query_params.get(name)
        if value is None and isinstance(self.body, dict):
            value = self.body.get(name)
        return value

    def int_param(self, name: str, *, required: bool) -> int | None:
        value = self.param(name)
        if value is None or value == "":
            if required:
                raise BadRequest(f"{name} is required: pass it in the query string or the body")
            return None
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise BadRequest(f"{name} must be an integer id; got {value!r}") from exc

    def required_int(self, name: str) -> int:
        value = self.int_param(name, required=True)
        if value is None:  # int_param raised already; this keeps the type exact
            raise BadRequest(f"{name} is required")
        return value

    def body_object(self, key: str | None = None) -> dict[str, Any]:
        """The JSON body (or its ``key`` member) as an object; 400 naming the expected shape."""
        body = self.body
        if not isinstance(body, dict):
            raise BadRequest("the request body must be a JSON object")
        if key is None:
            return body
        inner = body.get(key)
        if not isinstance(inner, dict):
            raise BadRequest(f'the request body must be {{"{key}": {{...}}}}; "{key}" is missing')
        return inner

    def updates(self, key: str = "updates") -> list[Any]:
        """The items of a sync body, at most ``sync_batch_limit`` (spec §1.7, D-sync)."""
        body = self.body_object()
        items = body.get(key)
        if not isinstance(items, list):
            raise BadRequest(f'a sync body is {{"{key}": [ ... ]}}; "{key}" is missing')
        cap = self.config.sync_batch_limit
        if len(items) > cap:
            raise BadRequest(
                f"a sync call takes at most {cap} items and got {len(items)}; "
                f"split them into batches of {cap} or fewer"
            )
        return items

    # ---------------------------------------------------------------- scoping

    def company(self) -> dict[str, Any]:
        """The company the call is for: ``company_id`` from query/body, else the header."""
        cid = self.int_param("company_id", required=False) or self.company_id
        if cid is None:
            raise BadRequest("company_id is required: pass it in the query string or the body")
        return self.company_by_id(cid)

    def company_by_id(self, cid: int) -> dict[str, Any]:
        company = self.world.table("companies").get(cid)
        if company is None:
            raise NotFound(f"company {cid} does not exist")
        if self.user.get("_company_id") != cid:
            raise Forbidden("App is not connected to this company")
        return company

    def project(self, project_id: int | None = None) -> dict[str, Any]:
        """The project named by ``project_id`` (argument, query or body) in the caller's company."""
        pid = project_id if project_id is not None else self.required_int("project_id")
        project = self.world.table("projects").get(pid)
        if project is None or project["_company_id"] != self.user.get("_company_id"):
            raise NotFound(f"project {pid} does not exist in this company")
        if self.param("company_id") not in (None, "") and (
            self.company()["id"] != project["_company_id"]
        ):
            raise NotFound(f"project {pid} does not exist in company {self.param('company_id')}")
        return project

    def record(self, table: str, rid: int, what: str) -> dict[str, Any]:
        record = self.world.table(table).get(rid)
        if record is None or record.get("_company_id") != self.user.get("_company_id"):
            raise NotFound(f"{what} {rid} does not exist in this company")
        return record

    # ---------------------------------------------------------------- replies

    def page(self, records: Sequence[dict[str, Any]], render: Callable[..., Any]) -> Reply:
        chunk, headers = page_of(
            records,
            self.request.url,
            self.request.query_params,
            default_per_page=self.config.default_per_page,
            max_per_page=self.config.max_per_page,
        )
        return Reply([render(r) for r in chunk], headers=headers)

    def check_origin_free(
        self, table: str, origin_id: Any, record_id: int | None, company_id: int
    ) -> None:
        """409 when ``origin_id`` is used by another record of the company (spec §0.2, §1.7)."""
        if origin_id is None:
            return
        other = self.world.by_origin(table, company_id, str(origin_id))
        if other is not None and other["id"] != record_id:
            raise_conflict(origin_id, other["id"])


def raise_conflict(origin_id: Any, other_id: int) -> None:
    raise Conflict(
        {
            "origin_id": [
                f"has already been taken: '{origin_id}' is the origin_id of record {other_id} "
                "in this company; origin_id must be unique per company"
            ]
        }
    )


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    handler: Callable[[Call], Reply]
    summary: str
    company_header: bool = True
    """Whether the request must carry ``Procore-Company-Id``. Procore's collection lists the
    header on every request except List Companies and Show User Info (and the OAuth endpoints,
    which are not ``RouteSpec`` routes): "This endpoint does not require the
    'Procore-Company-Id' header" (S-postman, D-mpz-headers)."""
    company_header_when: tuple[str, ...] = ()
    """Parameters whose presence makes the header required after all: Show User Info needs it
    "unless a company_id or project_id parameter is also included" (S-postman)."""
    mutating: bool = False
    requires: tuple[tuple[str, ...], ...] = ()
    """Scoping parameters the collection marks "(Required)": each group names alternatives
    (e.g. ``("company_id", "project_id")``), one of which must be in the query or the body."""

    def check_required(self, query: Any, body: Any) -> None:
        for group in self.requires:
            if not any(
                query.get(name) not in (None, "")
                or (isinstance(body, dict) and body.get(name) not in (None, ""))
                for name in group
            ):
                raise BadRequest(
                    f"{' or '.join(group)} is required for {self.method} {self.path}: pass it "
                    "in the query string or the body"
                )


def require_fields(values: dict[str, Any], *names: str) -> None:
    missing = {n: ["can't be blank"] for n in names if values.get(n) in (None, "")}
    if missing:
        raise Unprocessable(missing)
