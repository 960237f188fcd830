"""The permission matrix: every seed user against every API action, on both editions.

The expectation is computed from the domain's one table (``domain.permissions.missing_for``)
and the seed users' Procore levels (``sandbox.seed.USERS``), never restated here. A refused
call must answer 403 with problem JSON naming exactly what is missing, and leave everything as
it was: our workflow tables, the QuickBooks outbox, the audit log, the settings, and the
projects in Procore. An allowed call must get past the permission check (any answer but 403).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from workflow_stack import Stack

from procore_qb.domain.permissions import AccessLevel, Action, Tool, UserPermissions, missing_for
from procore_qb.sandbox import seed

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

RIVERSIDE, HARBOR, MAPLE = 2001, 2002, 2003  # seed: the eligible projects
USERS = [u.email.split("@")[0] for u in seed.USERS]
# Every table a refused action could have written to (the permission cache is not among them).
WATCHED = (
    "export_items",
    "export_events",
    "import_items",
    "import_events",
    "qb_commands",
    "audit_log",
    "company_settings",
    "record_links",
    "mail_outbox",
    "queued_jobs",
)


def _seed_permissions(name: str, project_id: int | None) -> UserPermissions:
    user = next(u for u in seed.USERS if u.email.startswith(f"{name}@"))
    return UserPermissions(
        user_id=user.id,
        company_tools={
            Tool.ERP_INTEGRATIONS: AccessLevel.from_code(user.erp_integrations),
            Tool.DIRECTORY: AccessLevel.from_code(user.directory),
        },
        project_admin=(
            {} if project_id is None else {project_id: AccessLevel.from_code(user.project_admin)}
        ),
        can_push_to_accounting=user.can_push_to_accounting,
    )


def expected_missing(name: str, action: Action, project_id: int | None = None) -> list[str]:
    perms = _seed_permissions(name, project_id)
    return [str(m) for m in missing_for(perms, action, project_id=project_id)]


def _fingerprint(stack: Stack) -> dict[str, Any]:
    found: dict[str, Any] = {}
    with stack.engine.connect() as conn:
        for table in WATCHED:
            found[table] = sorted(
                tuple(map(repr, row)) for row in conn.execute(sa.text(f"SELECT * FROM {table}"))
            )
    world = stack.procore_sim.world
    found["procore_projects"] = sorted(
        (pid, repr(sorted(rec.items()))) for pid, rec in world.table("projects").items()
    )
    return found


@dataclass(frozen=True)
class Call:
    """One API action: the domain action it needs and how to call it."""

    label: str
    action: Action
    method: str
    path: str
    body: Any = None
    project_id: int | None = None


class Matrix:
    """Runs one call as every seed user: the refused ones first (so they all see the same
    state), then the allowed ones."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.checked: dict[str, set[str]] = {}

    def run(self, call: Call) -> dict[str, int]:
        refused = [u for u in USERS if expected_missing(u, call.action, call.project_id)]
        allowed = [u for u in USERS if u not in refused]
        assert allowed, f"nobody in the seed may {call.label}: the matrix would prove nothing"
        assert refused, f"everybody may {call.label}: the matrix would prove nothing"
        statuses: dict[str, int] = {}
        for user in refused:
            before = _fingerprint(self.stack)
            answer = self.stack.call(user, call.method, call.path, call.body)
            assert answer.status_code == 403, (call.label, user, answer.status_code, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
            problem = answer.json()
            assert problem["status"] == 403
            assert problem["action"] == call.action.value, (call.label, problem)
            assert problem["missing"] == expected_missing(user, call.action, call.project_id)
            assert _fingerprint(self.stack) == before, f"{user} changed something: {call.label}"
            statuses[user] = 403
        for user in allowed:
            answer = self.stack.call(user, call.method, call.path, call.body)
            assert answer.status_code != 403, (call.label, user, answer.text)
            assert answer.status_code < 500, (call.label, user, answer.text)
            statuses[user] = answer.status_code
        self.checked[call.label] = set(allowed)
        return statuses


def _item_of(stack: Stack, project_id: int) -> str:
    sent = stack.ok("ada", "GET", f"/projects/{project_id}")
    assert sent["erp"]["item_id"], sent
    return str(sent["erp"]["item_id"])


def _first_ok(statuses: dict[str, int]) -> None:
    assert any(s < 300 for s in statuses.values()), statuses


def test_every_user_against_every_action(stack: Stack) -> None:
    m = Matrix(stack)
    run: Callable[[Call], dict[str, int]] = m.run

    # Path B: refresh, then import / link / archive / restore the staged jobs.
    _first_ok(run(Call("refresh", Action.REFRESH_JOBS, "POST", "/erp/jobs/refresh")))
    stack.settle()
    run(Call("jobs tab", Action.VIEW_JOBS, "GET", "/erp/jobs?filter=ready_to_import"))
    staged = {i["name"]: i["id"] for i in stack.items("ada", "ready_to_import")}
    assert {"Willow Creek Condos", "Fire Station 3", "Pier 9 Restaurant"} <= set(staged)
    willow, fire, pier = (
        staged["Willow Creek Condos"],
        staged["Fire Station 3"],
        staged["Pier 9 Restaurant"],
    )
    _first_ok(run(Call("archive", Action.ARCHIVE, "POST", f"/erp/jobs/{pier}/archive")))
    _first_ok(run(Call("restore", Action.RESTORE, "POST", f"/erp/jobs/{pier}/restore")))
    _first_ok(
        run(
            Call(
                "import new",
                Action.IMPORT_NEW,
                "POST",
                f"/erp/jobs/{willow}/import",
                {"method": "new"},
            )
        )
    )
    link = {"method": "link", "project_id": MAPLE}
    _first_ok(run(Call("link", Action.LINK, "POST", f"/erp/jobs/{fire}/import", link)))
    assert stack.ok("ada", "GET", f"/projects/{MAPLE}")["erp"]["state"] == "synced"

    # Path A, sender side.
    send = Call(
        "send", Action.SEND, "POST", f"/projects/{RIVERSIDE}/send-to-erp", project_id=RIVERSIDE
    )
    _first_ok(run(send))
    _first_ok(
        run(
            Call(
                "retrieve",
                Action.RETRIEVE,
                "POST",
                f"/projects/{RIVERSIDE}/retrieve-from-erp",
                project_id=RIVERSIDE,
            )
        )
    )
    stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    stack.ok("cara", "POST", f"/projects/{HARBOR}/send-to-erp")
    riverside, harbor = _item_of(stack, RIVERSIDE), _item_of(stack, HARBOR)

    # Approver side.
    customers = run(Call("customers", Action.ACCEPT, "GET", "/erp/customers"))
    assert customers["ben"] == 200
    parent = stack.ok("ben", "GET", "/erp/customers")["items"][0]["id"]
    _first_ok(
        run(Call("reject", Action.REJECT, "POST", f"/erp/jobs/{harbor}/reject", {"comment": "no"}))
    )
    _first_ok(
        run(
            Call(
                "re-send",
                Action.RESEND,
                "POST",
                f"/projects/{HARBOR}/send-to-erp",
                project_id=HARBOR,
            )
        )
    )
    bulk_reject = {"ids": [harbor], "comment": "not yet"}
    _first_ok(run(Call("bulk reject", Action.REJECT, "POST", "/erp/jobs/reject", bulk_reject)))
    stack.ok("cara", "POST", f"/projects/{HARBOR}/send-to-erp")
    bulk_accept = {"ids": [harbor], "customer_id": parent}
    _first_ok(run(Call("bulk accept", Action.ACCEPT, "POST", "/erp/jobs/accept", bulk_accept)))
    accept = {"customer_id": parent}
    _first_ok(run(Call("accept", Action.ACCEPT, "POST", f"/erp/jobs/{riverside}/accept", accept)))
    stack.settle()
    assert stack.ok("ben", "GET", f"/erp/jobs/{riverside}")["state"] == "synced"
    # Retry is checked before the state: on a synced item an allowed user gets 409.
    assert run(Call("retry", Action.RETRY, "POST", f"/erp/jobs/{riverside}/retry"))["ben"] == 409
    _first_ok(run(Call("reset", Action.RESET, "POST", f"/erp/jobs/{harbor}/reset")))
    assert stack.ok("ada", "GET", f"/erp/jobs/{harbor}")["state"] == "unsynced"

    # Everything else an ERP admin or any reader does.
    run(Call("audit", Action.VIEW_JOBS, "GET", "/audit"))
    _first_ok(
        run(
            Call(
                "settings",
                Action.CONFIGURE,
                "PATCH",
                "/settings",
                {"job_list_schedule": "daily"},
            )
        )
    )
    assert stack.ok("ada", "GET", "/settings")["job_list_schedule"] == "daily"

    # The seed covers the table: each user is refused something and allowed something.
    for user in USERS:
        allowed_somewhere = any(user in who for who in m.checked.values())
        refused_somewhere = any(user not in who for who in m.checked.values())
        assert allowed_somewhere, user
        assert refused_somewhere, user
