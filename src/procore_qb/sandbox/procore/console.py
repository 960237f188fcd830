"""The Procore sandbox console at ``/_sandbox/console``: what a person does in Procore's pages.

Projects with their ERP fields (``origin_id``, ``origin_code``, "ERP-sync this project"),
creating and editing a project, adding cost codes, the standard cost code lists, a project's
budget lines and direct costs, and the users with their permission levels.

Every read and every change goes through the simulator's own REST handlers (the route table of
``app.rest_routes``), as the user the form names, so the console meets exactly the rules and
permission checks the API enforces and answers Procore's own messages. It skips only what
belongs to the API door (bearer token, rate limits, the company header): a person in Procore's
web pages is signed in and is not rate-limited like an app. Changes emit the same webhook events
as API changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from procore_qb.sandbox.console import CONSOLE_PATH, ConsoleKit, FormError
from procore_qb.sandbox.console.kit import many, text
from procore_qb.sandbox.procore.core import Call, RouteSpec
from procore_qb.sandbox.procore.errors import ApiError
from procore_qb.sandbox.procore.permissions import LEVEL_NAMES, display_name, user_level
from procore_qb.sandbox.procore.seeding import SERVICE_ACCOUNT_USER_ID
from procore_qb.sandbox.procore.webhooks import emit_event

if TYPE_CHECKING:
    from procore_qb.sandbox.procore.app import ProcoreSandbox

__all__ = ["CONSOLE_PATH", "ProcoreConsole", "console_routes"]

V0 = "/rest/v1.0"
EDIT_FIELDS = (
    "name",
    "project_number",
    "address",
    "city",
    "state_code",
    "zip",
    "country_code",
    "start_date",
    "completion_date",
)
FLAGS = {"active": "active", "erp_integrated": "is_erp_integrated"}
CREATE_DEFAULT_USER = 101
"""Ada: 'Admin' on the company Directory, which creating a project needs (seed.py)."""
EDIT_DEFAULT_USER = 103
"""Cara: 'Admin' on every project's Admin tool, which editing a project needs (seed.py)."""


def _problem(exc: ApiError) -> str:
    """Procore's own message, field by field for 422/409 answers."""
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):
        parts = [
            f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in errors.items()
        ]
        return f"Procore refused ({exc.status}): " + "; ".join(parts)
    return f"Procore refused ({exc.status}): {exc.message}"


class ProcoreConsole:
    """The console of one :class:`ProcoreSandbox`."""

    def __init__(self, sandbox: ProcoreSandbox, specs: list[RouteSpec]) -> None:
        self.sandbox = sandbox
        self.kit = ConsoleKit("Procore sandbox console")
        self.specs = {(spec.method, spec.path): spec for spec in specs}

    # ---------------------------------------------------------------- the REST door, in-process

    def rest(
        self,
        user_id: int,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Run the REST handler of ``method path`` as ``user_id``; :class:`ApiError` on refusal."""
        spec = self.specs[(method, path)]
        sandbox = self.sandbox
        with sandbox.lock:
            world = sandbox.world
            user = world.table("users").get(user_id)
            if user is None or not user.get("is_active"):
                raise FormError(f"user {user_id} is not an active user of this company")
            concrete = path
            for key, value in (params or {}).items():
                concrete = concrete.replace("{" + key + "}", str(value))
            scope = {
                "type": "http",
                "method": method,
                "path": concrete,
                "raw_path": concrete.encode("utf-8"),
                "root_path": "",
                "scheme": "http",
                "server": ("console", 80),
                "query_string": urlencode(query or {}).encode("ascii"),
                "headers": [(b"host", b"console")],
                "path_params": {k: str(v) for k, v in (params or {}).items()},
            }
            request = Request(scope)
            now = sandbox.clock.now()

            def emit(
                cid: int, pid: int | None, resource: str, event: str, rid: int, uid: int
            ) -> None:
                emit_event(
                    world,
                    now,
                    company_id=cid,
                    project_id=pid,
                    resource_name=resource,
                    event_type=event,
                    resource_id=rid,
                    user_id=uid,
                    application_id=None,
                )

            spec.check_required(request.query_params, body)
            call = Call(request, world, sandbox.config, now, user, user["_company_id"], body, emit)
            reply = spec.handler(call)
            if spec.mutating:
                sandbox.changed()
            return reply.body

    def read(self, path: str, **kwargs: Any) -> Any:
        """A read as the service account, which may read everything in the company."""
        return self.rest(SERVICE_ACCOUNT_USER_ID, "GET", path, **kwargs)

    # ---------------------------------------------------------------- data for the pages

    def company_id(self) -> int:
        return int(self.sandbox.world.table("users")[SERVICE_ACCOUNT_USER_ID]["_company_id"])

    def users(self) -> list[dict[str, Any]]:
        cid = self.company_id()
        rows = []
        for user in sorted(self.sandbox.world.table("users").values(), key=lambda u: u["id"]):
            if user.get("_company_id") != cid:
                continue
            rows.append(
                {
                    "id": user["id"],
                    "name": display_name(user),
                    "email": user.get("email_address"),
                    "active": user.get("is_active"),
                    "service": bool(user.get("_service_account")),
                    "token": user.get("_token"),
                    "erp": LEVEL_NAMES[user_level(user, "company", "erp_integrations")],
                    "directory": LEVEL_NAMES[user_level(user, "company", "directory")],
                    "project_admin": LEVEL_NAMES[user_level(user, "project", "admin")],
                    "can_push": bool(user.get("_can_push")),
                }
            )
        return rows

    def people(self) -> list[dict[str, Any]]:
        """Who a form may act as: the company's active people (not the service account)."""
        return [u for u in self.users() if u["active"] and not u["service"]]

    def lists(self) -> list[dict[str, Any]]:
        cid = self.company_id()
        out = []
        for cc_list in self.read(f"{V0}/standard_cost_code_lists", query={"company_id": cid}):
            codes = self.read(
                f"{V0}/standard_cost_codes",
                query={
                    "company_id": cid,
                    "standard_cost_code_list_id": cc_list["id"],
                    "per_page": 1000,
                },
            )
            out.append({**cc_list, "codes": codes})
        return out

    def projects(self) -> list[dict[str, Any]]:
        cid = self.company_id()
        rows: list[dict[str, Any]] = self.read(
            f"{V0}/projects",
            query={"company_id": cid, "filters[by_status]": "All", "per_page": 1000},
        )
        counts: dict[int, int] = {}
        for code in self.sandbox.world.table("cost_codes").values():
            counts[code["_project_id"]] = counts.get(code["_project_id"], 0) + 1
        for row in rows:
            row["cost_code_count"] = counts.get(row["id"], 0)
        return sorted(rows, key=lambda r: r["id"])

    def erp_connection(self) -> dict[str, Any] | None:
        record = self.sandbox.world.table("erp_connections").get(self.company_id())
        if record is None:
            return None
        node: Any = record.get("metadata")
        for key in ("settings", "entities", "jobs", "rules", "save", "fields"):
            node = node.get(key) if isinstance(node, dict) else None
        rules = []
        for field, rule in (node or {}).items():
            if isinstance(rule, dict) and rule.get("enabled", True):
                for kind, check in (rule.get("validation") or {}).items():
                    if isinstance(check, dict) and check.get("enabled"):
                        limit = f" {check['length']}" if "length" in check else ""
                        rules.append(f"{field}: {kind}{limit}")
        return {"service_url": record.get("service_url"), "save_rules": rules}

    def context(self) -> dict[str, Any]:
        return {
            "company_id": self.company_id(),
            "company": self.sandbox.world.table("companies")[self.company_id()]["name"],
            "people": self.people(),
        }

    # ---------------------------------------------------------------- pages

    def overview(self, request: Request, *, error: str | None = None, form: Any = None) -> Response:
        cid = self.company_id()
        templates = self.read(f"{V0}/project_templates", query={"company_id": cid})
        return self.kit.page(
            request,
            "procore.html",
            status=200 if error is None else 422,
            error=error,
            projects=self.projects(),
            lists=self.lists(),
            templates=templates,
            users=self.users(),
            erp=self.erp_connection(),
            form=form or {},
            create_user=CREATE_DEFAULT_USER,
            **self.context(),
        )

    def project_page(
        self, request: Request, pid: int, *, error: str | None = None, form: Any = None
    ) -> Response:
        cid = self.company_id()
        try:
            project = self.read(
                f"{V0}/projects/{{id}}", params={"id": pid}, query={"company_id": cid}
            )
        except ApiError as exc:
            return self.kit.refused(_problem(exc), status=exc.status)
        codes = self.read(f"{V0}/cost_codes", query={"project_id": pid, "per_page": 1000})
        budget = [
            self.read(
                f"{V0}/budget_line_items/{{id}}", params={"id": b["id"]}, query={"project_id": pid}
            )
            for b in sorted(
                self.sandbox.world.table("budget_line_items").values(), key=lambda r: r["id"]
            )
            if b.get("_project_id") == pid
        ]
        costs = self.read(
            f"{V0}/projects/{{project_id}}/direct_costs",
            params={"project_id": pid},
            query={"per_page": 1000},
        )
        have = {c.get("standard_cost_code_id") for c in codes}
        lists = {cc["id"]: cc for cc in self.lists()}
        own = lists.get(project.get("standard_cost_code_list_id") or 0)
        addable = [c for c in (own or {}).get("codes", []) if c["id"] not in have]
        return self.kit.page(
            request,
            "procore_project.html",
            status=200 if error is None else 422,
            error=error,
            project=project,
            codes=codes,
            budget=budget,
            costs=costs,
            cost_code_list=own,
            addable=addable,
            form=form or {},
            edit_user=EDIT_DEFAULT_USER,
            **self.context(),
        )

    # ---------------------------------------------------------------- actions

    def _acting(self, values: dict[str, Any]) -> int:
        raw = text(values, "as_user", limit=20)
        if not raw.isdecimal():
            raise FormError("choose who acts (the 'Acting as' list)")
        return int(raw)

    async def create(self, request: Request) -> Response:
        try:
            values = await self.kit.form(request)
        except FormError as exc:
            return self.kit.refused(str(exc))
        try:
            user_id = self._acting(values)
            project: dict[str, Any] = {}
            for name in (*EDIT_FIELDS, "project_template_id", "standard_cost_code_list_id"):
                value = text(values, name)
                if value:
                    project[name] = value
            for name in FLAGS:
                project[name] = "true" if _last(values, name) == "true" else "false"
            if _last(values, "copy_codes") == "true":
                project["enable_copy_of_standard_cost_codes"] = "true"
            made = self.rest(
                user_id,
                "POST",
                f"{V0}/projects",
                query={"company_id": self.company_id()},
                body={"project": project},
            )
        except FormError as exc:
            return self.overview(request, error=str(exc), form=values)
        except ApiError as exc:
            return self.overview(request, error=_problem(exc), form=values)
        return self.kit.done(
            f"/projects/{made['id']}", f"Created project {made['id']} {made['name']!r}."
        )

    async def edit(self, request: Request) -> Response:
        pid = _path_id(request)
        try:
            values = await self.kit.form(request)
        except FormError as exc:
            return self.kit.refused(str(exc))
        try:
            user_id = self._acting(values)
            current = self.read(
                f"{V0}/projects/{{id}}", params={"id": pid}, query={"company_id": self.company_id()}
            )
            changes: dict[str, Any] = {}
            for name in EDIT_FIELDS:
                if name in values:
                    value = text(values, name)
                    if value != (current.get(name) or ""):
                        changes[name] = value if value else None
            for name, shown in FLAGS.items():
                if name in values:
                    flag = _last(values, name) == "true"
                    if flag != bool(current.get(shown)):
                        changes[name] = flag
            if not changes:
                return self.kit.done(f"/projects/{pid}", "Nothing changed.")
            self.rest(
                user_id,
                "PATCH",
                f"{V0}/projects/{{id}}",
                params={"id": pid},
                query={"company_id": self.company_id()},
                body={"project": changes},
            )
        except FormError as exc:
            return self.project_page(request, pid, error=str(exc), form=values)
        except ApiError as exc:
            return self.project_page(request, pid, error=_problem(exc), form=values)
        return self.kit.done(
            f"/projects/{pid}", f"Saved project {pid}: {', '.join(sorted(changes))}."
        )

    async def add_cost_code(self, request: Request) -> Response:
        pid = _path_id(request)
        try:
            values = await self.kit.form(request)
        except FormError as exc:
            return self.kit.refused(str(exc))
        try:
            user_id = self._acting(values)
            std_id = text(values, "standard_cost_code_id", limit=20)
            if not std_id.isdecimal():
                raise FormError("choose a cost code of the project's list")
            std = self.sandbox.world.table("standard_cost_codes").get(int(std_id))
            if std is None:
                raise FormError(f"standard cost code {std_id} does not exist")
            made = self.rest(
                user_id,
                "POST",
                f"{V0}/cost_codes",
                query={"project_id": pid},
                body={
                    "cost_code": {
                        "code": std["code"],
                        "name": std["name"],
                        "standard_cost_code_id": std["id"],
                    }
                },
            )
        except FormError as exc:
            return self.project_page(request, pid, error=str(exc))
        except ApiError as exc:
            return self.project_page(request, pid, error=_problem(exc))
        return self.kit.done(f"/projects/{pid}", f"Added cost code {made['code']}.")

    # ---------------------------------------------------------------- routes

    def routes(self) -> list[Route]:
        def page(handler: Callable[[Request], Response]) -> Callable[[Request], Any]:
            async def endpoint(request: Request) -> Response:
                return handler(request)

            return endpoint

        async def project(request: Request) -> Response:
            return self.project_page(request, _path_id(request))

        return [
            Route(CONSOLE_PATH, page(self.overview), methods=["GET"]),
            Route(f"{CONSOLE_PATH}/projects", self.create, methods=["POST"]),
            Route(f"{CONSOLE_PATH}/projects/{{id:int}}", project, methods=["GET"]),
            Route(f"{CONSOLE_PATH}/projects/{{id:int}}", self.edit, methods=["POST"]),
            Route(
                f"{CONSOLE_PATH}/projects/{{id:int}}/cost-codes",
                self.add_cost_code,
                methods=["POST"],
            ),
        ]


def _path_id(request: Request) -> int:
    return int(request.path_params["id"])


def _last(values: dict[str, Any], name: str) -> str:
    """A checkbox after its hidden 'false': the last value sent wins."""
    sent = many(values, name)
    return sent[-1] if sent else ""


def console_routes(sandbox: ProcoreSandbox, specs: list[RouteSpec]) -> list[Route]:
    """The console's routes, to mount in the simulator's app."""
    return ProcoreConsole(sandbox, specs).routes()
