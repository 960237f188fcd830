"""Unlinking a synced project cost code from the project page: the cost code list, Unlink… on
the synced ones for the project's Admin only, the confirm page, the refusal with its rule and
fix until QuickBooks and Procore let go, and the permission and CSRF refusals."""

from __future__ import annotations

import pytest

from integration.web.pages.jobs_pages import RIVERSIDE, buttons, flashes, follow, signed_in
from integration.web.pages.pages_client import csrf_token, visible_text
from integration.workflow.workflow_stack import Stack
from procore_qb.procore.gateway import BudgetLine, OriginMark

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

PAGE = f"/projects/{RIVERSIDE}"  # seed: cost codes 01-100, 03-300, 09-200


def _items(stack: Stack) -> dict[str, str]:
    assert stack.qbd is not None
    return {o.name: o.list_id for o in stack.qbd.company.lists(["ItemService"])}


def _make_inactive(stack: Stack, name: str) -> None:
    """Someone makes the item inactive in QuickBooks Desktop."""
    assert stack.qbd is not None
    item = next(o for o in stack.qbd.company.lists(["ItemService"]) if o.name == name)
    stack._qbxml(
        f"<ItemServiceModRq><ItemServiceMod><ListID>{item.list_id}</ListID><EditSequence>"
        f"{item.edit_sequence}</EditSequence><IsActive>false</IsActive></ItemServiceMod>"
        "</ItemServiceModRq>"
    )


def _link(stack: Stack, *names: str) -> dict[str, int]:
    """Mark the project's cost codes ``names`` synced with their QuickBooks items, and have
    procore-qb read the item list; the project's cost code ids by code."""
    gateway = stack.ctx.procore()
    items = _items(stack)
    codes = {c.full_code: c.id for c in gateway.cost_codes(RIVERSIDE)}
    marks = [OriginMark(codes[n], f"JOB-1|{items[n]}") for n in names]
    assert not gateway.mark_cost_codes_synced(RIVERSIDE, marks).errors
    stack.ok("ada", "POST", "/erp/cost-codes/refresh")
    stack.settle()
    return codes


def _section(html: str) -> str:
    return html.split('id="cost-codes-title"')[1].split("</section>")[0]


def test_the_project_page_lists_its_cost_codes_with_unlink_on_synced_ones(stack: Stack) -> None:
    codes = _link(stack, "01-100")
    items = _items(stack)
    cara = signed_in(stack, "cara")  # the project's Admin tool
    section = _section(cara.get(PAGE).text)
    text = visible_text(section)
    assert "Cost codes (3)" in text
    assert f"01-100 General Conditions {items['01-100']} Unlink…" in text
    assert "09-200" in text
    assert "not synced" in text
    assert buttons(section) == ["Unlink…"]  # synced codes only
    assert f"/projects/{RIVERSIDE}/cost-codes/{codes['01-100']}/unlink" in section
    for user in ("dan", "eve"):  # no 'Admin' on the project's Admin tool: the list, no button
        seen = _section(signed_in(stack, user).get(PAGE).text)
        assert "01-100" in visible_text(seen)
        assert buttons(seen) == []


def test_unlink_asks_to_confirm_refuses_with_the_rule_then_unlinks(stack: Stack) -> None:
    codes = _link(stack, "01-100", "03-300")
    cara = signed_in(stack, "cara")
    confirm_path = f"{PAGE}/cost-codes/{codes['01-100']}/unlink"
    confirm = cara.get(confirm_path)
    assert confirm.status_code == 200
    text = visible_text(confirm.text)
    assert "Unlink cost code 01-100" in text
    assert "the item is deleted (or inactive) in QuickBooks Desktop" in text
    assert buttons(confirm.text)[-1] == "Unlink cost code 01-100"
    # Still an item in QuickBooks: refused, naming the rule and the fix; nothing changes.
    refused = cara.post(confirm_path, token=csrf_token(confirm.text))
    assert refused.status_code == 422
    said = visible_text(refused.text)
    assert "cost_code_in_quickbooks" in said
    assert "Delete the item in QuickBooks first (or make it inactive)" in said
    gateway = stack.ctx.procore()
    assert {c.full_code: c.origin_id for c in gateway.cost_codes(RIVERSIDE)}["01-100"]
    # 03-300 is gone from QuickBooks but on the budget: the other rule.
    _make_inactive(stack, "01-100")
    _make_inactive(stack, "03-300")
    stack.ok("ada", "POST", "/erp/cost-codes/refresh")
    stack.settle()
    gateway.add_budget_lines(RIVERSIDE, [BudgetLine(codes["03-300"], gateway.cost_type_id())])
    in_use_path = f"{PAGE}/cost-codes/{codes['03-300']}/unlink"
    in_use = cara.post(in_use_path, token=csrf_token(cara.get(in_use_path).text))
    assert in_use.status_code == 422
    assert "cost_code_in_use" in visible_text(in_use.text)
    assert "1 budget line" in visible_text(in_use.text)
    # Both let go of 01-100: unlinked, said so, and the list shows it unsynced.
    done = follow(cara, cara.post(confirm_path, token=csrf_token(cara.get(confirm_path).text)))
    assert any(
        "Cost code '01-100' is unlinked from QuickBooks item" in f for f in flashes(done.text)
    )
    after = visible_text(_section(done.text))
    assert "01-100 General Conditions not synced" in after
    assert buttons(_section(done.text)) == ["Unlink…"]  # 03-300 only
    history = visible_text(done.text.split('id="history-title"')[1])
    assert "Cost code unlinked from QuickBooks" in history
    # Unlinked already: the confirm page says there is nothing to unlink.
    again = cara.get(confirm_path)
    assert again.status_code == 409
    assert "is not synced with QuickBooks; delete it in Procore" in visible_text(again.text)


def test_unlink_is_refused_without_the_project_admin_tool_or_the_form_token(
    stack: Stack,
) -> None:
    codes = _link(stack, "01-100")
    path = f"{PAGE}/cost-codes/{codes['01-100']}/unlink"
    dan = signed_in(stack, "dan")  # ERP Integrations Admin, not the project's Admin tool
    shown = dan.get(path)
    assert shown.status_code == 403
    assert "the project's Admin tool" in visible_text(shown.text)
    forced = dan.post(path, token=csrf_token(dan.get(PAGE).text))
    assert forced.status_code == 403
    assert "the project's Admin tool" in visible_text(forced.text)
    cara = signed_in(stack, "cara")
    assert cara.post(path, token="").status_code == 403
    assert cara.post(path, token="not-the-token").status_code == 403
    gateway = stack.ctx.procore()
    assert {c.full_code: c.origin_id for c in gateway.cost_codes(RIVERSIDE)}["01-100"]
    # Bounded ids: not a number, or out of range, is a 422 page, never a crash.
    assert cara.get(f"{PAGE}/cost-codes/nope/unlink").status_code == 422
    assert cara.get(f"{PAGE}/cost-codes/{2**60}/unlink").status_code == 422
    assert cara.get(f"{PAGE}/cost-codes/999999/unlink").status_code == 404
