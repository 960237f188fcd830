"""The Cost Codes tab end to end, with both QuickBooks editions: new standard cost codes made
in Procore go to QuickBooks as Service items when an approver accepts them (or are rejected),
failed exports show QuickBooks' message and can be retried, the list is rebuilt from the items
with the company's name pattern, and the permission and item name rules refuse early."""

from __future__ import annotations

from typing import Any

import pytest
from workflow_stack import Stack

from procore_qb.app import cost_codes
from procore_qb.domain.commands import QueryAccounts, QueryItems
from procore_qb.procore.gateway import NewCostCode
from procore_qb.sandbox import seed
from procore_qb.store.models import QbCommand

LIST_ID = seed.QUICKBOOKS_LIST_ID


def _new_code(stack: Stack, code: str, name: str) -> int:
    """Someone adds a standard cost code to the QuickBooks list in Procore."""
    gateway = stack.ctx.procore()
    written = gateway.write_standard_cost_codes(LIST_ID, [NewCostCode(code=code, name=name)])
    assert not written.errors, written.errors
    return next(c.id for c in gateway.standard_cost_codes(LIST_ID) if c.code == code)


def _accounts(stack: Stack) -> None:
    if stack.qbd is not None:
        found = {o.name: o.list_id for o in stack.qbd.company.lists(["Account"])}
    else:
        assert stack.ctx.online is not None
        result = stack.ctx.online().execute([QueryAccounts(idempotency_key="acc-cc")])[0]
        found = {a.name: a.id for a in result.accounts}
    stack.ok(
        "ada",
        "PATCH",
        "/settings",
        {
            "item_income_account_id": found["Construction Income"],
            "item_expense_account_id": found["Subcontractors"],
        },
    )


def _items(stack: Stack) -> dict[str, str]:
    if stack.qbd is not None:
        return {o.name: o.list_id for o in stack.qbd.company.lists(["ItemService"])}
    assert stack.ctx.online is not None
    result = stack.ctx.online().execute([QueryItems(idempotency_key="items-cc")])[0]
    return {i.name: i.id for i in result.items}


def _tab(stack: Stack, filter: str, user: str = "ben") -> list[dict[str, Any]]:
    return list(stack.ok(user, "GET", f"/erp/cost-codes?filter={filter}")["items"])


def _ready(stack: Stack, code: str) -> dict[str, Any]:
    stack.ok("ada", "POST", "/erp/cost-codes/refresh")
    found = [r for r in _tab(stack, "ready_to_export") if r["code"] == code]
    assert found, _tab(stack, "ready_to_export")
    return found[0]


def test_accepted_code_becomes_a_service_item_and_its_origin_id(stack: Stack) -> None:
    standard_id = _new_code(stack, "07-100", "Roofing")
    entry = _ready(stack, "07-100")
    assert entry["description"] == "Roofing"
    assert entry["actions"] == ["accept", "reject"]
    _accounts(stack)
    accepted = stack.ok("ben", "POST", f"/erp/cost-codes/{entry['id']}/accept")
    assert accepted["state"] == "exporting"
    stack.settle()
    synced = stack.ok("ben", "GET", f"/erp/cost-codes/{entry['id']}")
    assert synced["state"] == "synced", synced
    items = _items(stack)
    assert synced["item_id"] == items["07-100"]
    codes = {c.id: c.origin_id for c in stack.ctx.procore().standard_cost_codes(LIST_ID)}
    assert codes[standard_id] == items["07-100"]
    # The write-back is idempotent: running it again writes the same id.
    assert cost_codes.write_back(stack.ctx, entry["id"])
    codes = {c.id: c.origin_id for c in stack.ctx.procore().standard_cost_codes(LIST_ID)}
    assert codes[standard_id] == items["07-100"]
    # A second refresh neither puts the code back nor duplicates it.
    stack.ok("ada", "POST", "/erp/cost-codes/refresh")
    stack.settle()
    assert [r["code"] for r in _tab(stack, "synced")] == ["07-100"]
    assert _tab(stack, "ready_to_export") == []


def test_bulk_accept_is_one_transaction_with_its_outbox_commands(desktop: Stack) -> None:
    _new_code(desktop, "07-100", "Roofing")
    _new_code(desktop, "07-200", "Flashing")
    _ready(desktop, "07-100")
    ids = [r["id"] for r in _tab(desktop, "ready_to_export")]
    _accounts(desktop)
    done = desktop.ok("ben", "POST", "/erp/cost-codes/accept", {"ids": ids})
    assert {r["state"] for r in done["items"]} == {"exporting"}
    with desktop.sessions.begin() as session:
        commands = {
            c.subject_id: c.kind
            for c in session.query(QbCommand).filter(QbCommand.subject_type == "cost_code")
        }
    assert commands == dict.fromkeys(ids, "create_item")
    desktop.settle()
    assert sorted(r["code"] for r in _tab(desktop, "synced")) == ["07-100", "07-200"]


def test_a_failed_bulk_accept_changes_nothing(desktop: Stack) -> None:
    """All or none: one code QuickBooks would refuse stops the batch, and neither the states
    nor the outbox hold anything of it."""
    _new_code(desktop, "07-100", "Roofing")
    _new_code(desktop, "07-200-EXTRA-LONG-CODE-FOR-DESKTOP", "Too long")
    _ready(desktop, "07-100")
    ids = [r["id"] for r in _tab(desktop, "ready_to_export")]
    _accounts(desktop)
    refused = desktop.call("ben", "POST", "/erp/cost-codes/accept", {"ids": ids})
    assert refused.status_code == 422, refused.text
    assert refused.json()["rule"] == "item_name_too_long"
    assert "at most 31" in refused.json()["detail"]
    assert len(_tab(desktop, "ready_to_export")) == 2
    with desktop.sessions.begin() as session:
        assert session.query(QbCommand).filter(QbCommand.subject_type == "cost_code").count() == 0


@pytest.mark.parametrize(
    ("edition", "code", "rule", "words"),
    [
        ("desktop", "A" * 32, "item_name_too_long", "QuickBooks Desktop item Name is at most 31"),
        ("online", "A" * 101, "item_name_too_long", "QuickBooks Online item Name is at most 100"),
        ("desktop", "07:100", "item_name_forbidden_character", "contains ':'"),
        ("online", "07:100", "item_name_forbidden_character", "contains ':'"),
    ],
)
def test_item_name_rules_refuse_before_sending(
    edition: str, code: str, rule: str, words: str, tmp_path: Any
) -> None:
    stack = Stack(edition, tmp_path)
    try:
        _new_code(stack, code, "Long")
        entry = _ready(stack, code)
        _accounts(stack)
        refused = stack.call("ben", "POST", f"/erp/cost-codes/{entry['id']}/accept")
        assert refused.status_code == 422, refused.text
        assert refused.json()["rule"] == rule
        assert words in refused.json()["detail"]
        assert "Procore" in refused.json()["detail"]  # names the fix
    finally:
        stack.close()


def test_unset_accounts_are_refused_naming_the_setting(stack: Stack) -> None:
    _new_code(stack, "07-100", "Roofing")
    entry = _ready(stack, "07-100")
    refused = stack.call("ben", "POST", f"/erp/cost-codes/{entry['id']}/accept")
    assert refused.status_code == 422
    body = refused.json()
    assert body["rule"] == "item_account_not_set"
    assert "item_income_account_id" in body["detail"]


def test_quickbooks_refusal_shows_its_message_and_retry_exports(stack: Stack) -> None:
    """The account chosen for new items is gone from QuickBooks: the export fails with
    QuickBooks' message; after the setting is corrected, Retry exports the item."""
    _new_code(stack, "07-100", "Roofing")
    entry = _ready(stack, "07-100")
    _accounts(stack)
    good = stack.ok("ben", "GET", "/settings")
    stack.ok(
        "ada",
        "PATCH",
        "/settings",
        {"item_income_account_id": "8000FFFF-1", "item_expense_account_id": "8000FFFE-1"},
    )
    stack.ok("ben", "POST", f"/erp/cost-codes/{entry['id']}/accept")
    stack.settle()
    failed = stack.ok("ben", "GET", f"/erp/cost-codes/{entry['id']}")
    assert failed["state"] == "failed_to_export", failed
    assert "QuickBooks error" in failed["error"]
    assert failed["actions"] == ["reject", "retry"]
    assert "07-100" not in _items(stack)
    stack.ok(
        "ada",
        "PATCH",
        "/settings",
        {k: good[k] for k in ("item_income_account_id", "item_expense_account_id")},
    )
    retried = stack.ok("ben", "POST", f"/erp/cost-codes/{entry['id']}/retry")
    assert retried["state"] == "exporting"
    assert retried["error"] is None
    stack.settle()
    synced = stack.ok("ben", "GET", f"/erp/cost-codes/{entry['id']}")
    assert synced["state"] == "synced", synced
    assert synced["item_id"] == _items(stack)["07-100"]


def test_reject_with_a_comment_and_accept_later(stack: Stack) -> None:
    _new_code(stack, "07-100", "Roofing")
    entry = _ready(stack, "07-100")
    rejected = stack.ok(
        "ben", "POST", f"/erp/cost-codes/{entry['id']}/reject", {"comment": "use 06-100"}
    )
    assert rejected["state"] == "rejected"
    assert rejected["comment"] == "use 06-100"
    assert [r["code"] for r in _tab(stack, "rejected")] == ["07-100"]
    again = stack.call("ben", "POST", f"/erp/cost-codes/{entry['id']}/reject", {"comment": ""})
    assert again.status_code == 409
    assert "Rejected" in again.json()["detail"]
    counts = stack.ok("ben", "GET", "/erp/cost-codes")["counts"]
    assert counts["rejected"] == 1
    assert counts["ready_to_export"] == 0


@pytest.mark.parametrize(
    ("user", "method", "path", "permission"),
    [
        ("dan", "POST", "/erp/cost-codes/{id}/accept", "Can Push to Accounting"),
        ("eve", "POST", "/erp/cost-codes/reject", "ERP Integrations"),
        ("ben", "POST", "/erp/cost-codes/refresh", "'Admin' on the ERP Integrations tool"),
        ("cara", "GET", "/erp/cost-codes", "ERP Integrations"),
    ],
)
def test_permissions_are_refused_naming_them(
    desktop: Stack, user: str, method: str, path: str, permission: str
) -> None:
    _new_code(desktop, "07-100", "Roofing")
    entry = _ready(desktop, "07-100")
    refused = desktop.call(user, method, path.format(id=entry["id"]), {"ids": [entry["id"]]})
    assert refused.status_code == 403, refused.text
    assert permission in refused.json()["detail"]
    assert _tab(desktop, "ready_to_export")[0]["state"] == "ready_to_export"


def test_the_list_is_built_with_the_company_item_name_pattern(stack: Stack) -> None:
    """Items named "<number> <description>" give the number as the code."""
    _accounts(stack)
    stack.ok(
        "ada",
        "PATCH",
        "/settings",
        {"item_name_pattern": r"^(?P<code>[A-Z]{2}\d+)\s*-\s*(?P<description>.+)$"},
    )
    if stack.qbd is not None:
        stack._qbxml(
            "<ItemServiceAddRq><ItemServiceAdd><Name>RF100 - Roofing</Name><SalesOrPurchase>"
            "<AccountRef><FullName>Subcontractors</FullName></AccountRef></SalesOrPurchase>"
            "</ItemServiceAdd></ItemServiceAddRq>"
        )
    else:
        from procore_qb.domain.commands import CreateItem

        income = stack.ok("ben", "GET", "/settings")["item_income_account_id"]
        made = stack._online().execute(
            [CreateItem(idempotency_key="rf", name="RF100 - Roofing", income_account_id=income)]
        )[0]
        assert made.ok
    stack.ok("ada", "POST", "/erp/cost-codes/refresh")
    stack.settle()
    codes = {c.code: c for c in stack.ctx.procore().standard_cost_codes(LIST_ID)}
    assert codes["RF100"].name == "Roofing"
    assert codes["RF100"].origin_id == _items(stack)["RF100 - Roofing"]
    assert "01-100" in codes  # plain names stay whole


def test_a_pattern_without_the_named_groups_is_refused(desktop: Stack) -> None:
    refused = desktop.call("ada", "PATCH", "/settings", {"item_name_pattern": r"^(\d+) (.*)$"})
    assert refused.status_code == 422
    assert "(?P<code>" in refused.json()["detail"]


def test_a_crash_while_accepting_leaves_neither_state_nor_commands(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Accept saves the states and records the outbox commands in one transaction: when the
    process dies between the two (here: recording the second command fails), nothing of the
    accept is kept, and accepting again works."""
    from procore_qb.app import actors
    from procore_qb.store.repositories.outbox import Outbox

    _new_code(stack, "07-100", "Roofing")
    _new_code(stack, "07-200", "Flashing")
    _ready(stack, "07-100")
    ids = [r["id"] for r in _tab(stack, "ready_to_export")]
    _accounts(stack)
    ben = actors.user_by_email(stack.ctx, "ben@summit.example")
    real = Outbox.record
    calls = {"n": 0}

    def dying(self: Outbox, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("the process died")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Outbox, "record", dying)
    with pytest.raises(SystemExit):
        cost_codes.accept_many(stack.ctx, ben, ids)
    monkeypatch.setattr(Outbox, "record", real)
    assert {r["state"] for r in _tab(stack, "ready_to_export")} == {"ready_to_export"}
    assert len(_tab(stack, "ready_to_export")) == 2
    with stack.sessions.begin() as session:
        assert session.query(QbCommand).filter(QbCommand.subject_type == "cost_code").count() == 0
    stack.ok("ben", "POST", "/erp/cost-codes/accept", {"ids": ids})
    stack.settle()
    assert sorted(r["code"] for r in _tab(stack, "synced")) == ["07-100", "07-200"]


PROJECT = 2001  # seed: cost codes 01-100, 03-300, 09-200


def _make_inactive(stack: Stack, name: str) -> None:
    """Someone removes the item in QuickBooks (Online can only make it inactive)."""
    if stack.qbd is not None:
        item = next(o for o in stack.qbd.company.lists(["ItemService"]) if o.name == name)
        stack._qbxml(
            f"<ItemServiceModRq><ItemServiceMod><ListID>{item.list_id}</ListID><EditSequence>"
            f"{item.edit_sequence}</EditSequence><IsActive>false</IsActive></ItemServiceMod>"
            "</ItemServiceModRq>"
        )
        return
    from procore_qb.sandbox.qbo.entities import spec_by_name
    from procore_qb.sandbox.qbo.operations import update

    assert stack.qbo is not None
    sim = stack.qbo.app.state.simulator  # type: ignore[attr-defined]
    spec = spec_by_name("Item")

    def change(ctx: Any, events: list[Any]) -> None:
        current = next(i for i in ctx.realm.table("Item").values() if i["Name"] == name)
        body = {"Id": current["Id"], "SyncToken": current["SyncToken"], "sparse": True}
        update(ctx, spec, {**body, "Active": False}, events)

    sim.apply(sim.config.realm_id, change)


def test_a_synced_project_cost_code_is_unlinked_only_once_quickbooks_and_procore_let_go(
    stack: Stack,
) -> None:
    from procore_qb.procore.gateway import BudgetLine, OriginMark

    gateway = stack.ctx.procore()
    items = _items(stack)
    codes = {c.full_code: c.id for c in gateway.cost_codes(PROJECT)}
    marks = [OriginMark(codes[c], f"JOB-1|{items[c]}") for c in ("01-100", "03-300")]
    assert not gateway.mark_cost_codes_synced(PROJECT, marks).errors
    stack.ok("ada", "POST", "/erp/cost-codes/refresh")
    stack.settle()  # the item list is read (Desktop answers at the Web Connector's run)
    path = f"/projects/{PROJECT}/cost-codes/{codes['01-100']}/unlink"

    denied = stack.call("dan", "POST", path)
    assert denied.status_code == 403
    assert "the project's Admin tool" in denied.json()["detail"]

    refused = stack.call("cara", "POST", path)
    assert refused.status_code == 422, refused.text
    assert refused.json()["rule"] == "cost_code_in_quickbooks"
    assert items["01-100"] in refused.json()["detail"]

    _make_inactive(stack, "01-100")
    _make_inactive(stack, "03-300")
    stack.ok("ada", "POST", "/erp/cost-codes/refresh")
    stack.settle()
    # 03-300 is still on the budget: Procore has to let go too.
    other = gateway.cost_type_id()
    gateway.add_budget_lines(PROJECT, [BudgetLine(codes["03-300"], other)])
    in_use = stack.call("cara", "POST", f"/projects/{PROJECT}/cost-codes/{codes['03-300']}/unlink")
    assert in_use.status_code == 422, in_use.text
    assert [p["rule"] for p in in_use.json()["problems"]] == ["cost_code_in_use"]
    assert "1 budget line" in in_use.json()["detail"]

    done = stack.ok("cara", "POST", path)
    assert done["item_id"] == items["01-100"]
    after = {c.full_code: c.origin_id for c in gateway.cost_codes(PROJECT)}
    assert after["01-100"] is None
    assert after["03-300"] == f"JOB-1|{items['03-300']}"


def _add_item(stack: Stack, name: str) -> None:
    """Someone creates a service item in QuickBooks."""
    if stack.qbd is not None:
        stack._qbxml(
            f"<ItemServiceAddRq><ItemServiceAdd><Name>{name}</Name><SalesOrPurchase>"
            "<AccountRef><FullName>Subcontractors</FullName></AccountRef></SalesOrPurchase>"
            "</ItemServiceAdd></ItemServiceAddRq>"
        )
        return
    from procore_qb.domain.commands import CreateItem

    income = stack.ok("ben", "GET", "/settings")["item_income_account_id"]
    made = stack._online().execute(
        [CreateItem(idempotency_key=f"add-{name}", name=name, income_account_id=income)]
    )[0]
    assert made.ok


def test_refresh_reads_only_the_items_changed_since_the_last_list(stack: Stack) -> None:
    _accounts(stack)
    stack.ok("ada", "POST", "/erp/cost-codes/refresh")
    stack.settle()
    stack.clock.advance(minutes=30)
    if stack.qbd is not None:
        stack.qbd.clock.advance(30 * 60)
    else:
        stack.qbo_clock.advance(30 * 60)
    _add_item(stack, "08-100 Doors")
    stack.ok("ada", "POST", "/erp/cost-codes/refresh")
    stack.settle()
    with stack.sessions.begin() as session:
        reads = [
            c.payload
            for c in session.query(QbCommand)
            .filter(QbCommand.kind == "query_items", QbCommand.subject_type == "cost_code_list")
            .order_by(QbCommand.id)
        ]
    assert reads[0].get("modified_since") is None
    assert reads[-1].get("modified_since") is not None
    codes = {c.code: c for c in stack.ctx.procore().standard_cost_codes(LIST_ID)}
    assert codes["08-100"].name == "Doors"
    assert codes["08-100"].origin_id == _items(stack)["08-100 Doors"]


def test_the_list_is_refreshed_on_its_schedule(desktop: Stack) -> None:
    def reads() -> int:
        with desktop.sessions.begin() as session:
            return (
                session.query(QbCommand).filter(QbCommand.subject_type == "cost_code_list").count()
            )

    _new_code(desktop, "07-100", "Roofing")
    desktop.ok("ada", "PATCH", "/settings", {"cost_code_list_schedule": "every_4_hours"})
    # The first read is asked for when Procore is connected; the schedule runs from it.
    assert not cost_codes.refresh_due(desktop.ctx)
    desktop.ok("ada", "POST", "/erp/cost-codes/refresh")
    desktop.settle()
    before = reads()
    assert not cost_codes.refresh_due(desktop.ctx)
    desktop.clock.advance(hours=4, minutes=1)
    assert cost_codes.refresh_due(desktop.ctx)
    desktop.clock.advance(hours=1)  # the hourly tick comes round
    desktop.run_jobs()
    assert reads() == before + 1
    desktop.ok("ada", "PATCH", "/settings", {"cost_code_list_schedule": "never"})
    desktop.clock.advance(days=2)
    assert not cost_codes.refresh_due(desktop.ctx)


def test_synced_projects_carrying_the_code_get_it_linked_per_job_and_item(stack: Stack) -> None:
    """A synced project already carries the new code (added before it had an item): once the
    item exists its project cost code is linked as "<job id>|<item id>"."""
    from procore_qb.store.repositories.links import RecordLinks

    with stack.sessions.begin() as session:
        RecordLinks(session).link(
            stack.company_id,
            "project_job",
            procore_id=PROJECT,
            qb_id="JOB-7",
            qb_full_name="Riverside:Library",
            qb_version="1",
            now=stack.clock.now(),
        )
    standard_id = _new_code(stack, "07-100", "Roofing")
    gateway = stack.ctx.procore()
    added = gateway.add_cost_codes(
        PROJECT, [NewCostCode(code="07-100", name="Roofing", standard_cost_code_id=standard_id)]
    )
    assert not added.errors
    entry = _ready(stack, "07-100")
    _accounts(stack)
    stack.ok("ben", "POST", f"/erp/cost-codes/{entry['id']}/accept")
    stack.settle()
    item = _items(stack)["07-100"]
    codes = {c.full_code: c.origin_id for c in gateway.cost_codes(PROJECT)}
    assert codes["07-100"] == f"JOB-7|{item}"
    assert codes["01-100"] is None  # other codes are left as they are
    assert cost_codes.write_back(stack.ctx, entry["id"])  # again: the same values
    assert {c.full_code: c.origin_id for c in gateway.cost_codes(PROJECT)} == codes
