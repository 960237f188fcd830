from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from procore_qb.domain.quickbooks_job import JobAddress, QuickBooksJob
from procore_qb.procore import errors
from procore_qb.procore.gateway import (
    BudgetLine,
    DirectCostEntry,
    DirectCostLine,
    NewCostCode,
    OriginMark,
    ProcoreGateway,
)
from procore_qb.procore.oauth import (
    AuthorizationCodeAuth,
    InMemoryTokenStore,
    StaticTokenAuth,
    TokenStore,
    load_tokens,
    save_tokens,
)
from procore_qb.procore.ratelimit import RateLimitPacer
from procore_qb.procore.resources.companies import Companies
from procore_qb.procore.resources.direct_costs import DirectCosts
from procore_qb.procore.resources.line_item_types import LineItemTypes
from procore_qb.procore.resources.me import Me
from procore_qb.procore.resources.projects import Projects
from procore_qb.procore.resources.standard_cost_codes import (
    StandardCostCodeLists,
    StandardCostCodes,
)
from procore_qb.procore.resources.webhooks import Webhooks
from procore_qb.retrying import RetryPolicy
from procore_qb.sandbox import seed
from procore_qb.sandbox.procore import SandboxConfig

from .conftest import COMPANY, Sim, make_sim


def sign_in(sim: Sim, email: str, store: TokenStore) -> AuthorizationCodeAuth:
    oauth = sim.oauth()
    auth = AuthorizationCodeAuth(oauth, store, f"procore:user:{email}")
    response = sim.http.get(
        oauth.authorization_url("xyz") + f"&login_hint={email}", follow_redirects=False
    )
    assert response.status_code in (302, 303), response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == ["xyz"]
    auth.sign_in(query["code"][0])
    return auth


def test_the_service_account_lists_companies_and_projects(sim: Sim) -> None:
    client = sim.service_account()
    companies = list(Companies(client).list())
    assert [c["id"] for c in companies] == [COMPANY]
    projects = list(Projects(client).list(by_status="All"))
    assert {p["name"] for p in projects} >= {p.name for p in seed.PROJECTS}


def test_paging_through_5000_projects_costs_the_minimum_of_calls(sim: Sim) -> None:
    sim.control("POST", "/_sandbox/projects/bulk", {"count": 5000})
    client = sim.service_account(per_page=1000)
    ids = [p["id"] for p in Projects(client).list(by_status="All")]
    total = 5000 + len(seed.PROJECTS)
    assert len(ids) == total
    assert len(set(ids)) == total
    assert client.calls == -(-total // 1000)  # no token call counted: that is the login host


def test_filters_on_origin_id_and_updated_at(sim: Sim) -> None:
    client = sim.service_account()
    gateway = ProcoreGateway(client, clock=sim.clock.now)
    sim.clock.advance(60)  # past the seed's updated_at
    before = sim.clock.now()
    sim.clock.advance(60)
    gateway.mark_project_synced(2001, "80000001-1700000000", origin_data="1700000000")
    changed = gateway.projects(updated_since=before, with_cost_codes=False)
    assert [p.id for p in changed] == [2001]
    found = gateway.project_by_origin("80000001-1700000000")
    assert found is not None
    assert found.id == 2001
    assert found.origin_id == "80000001-1700000000"


def test_gateway_reads_projects_with_cost_codes(sim: Sim) -> None:
    projects = {p.id: p for p in ProcoreGateway(sim.service_account()).projects()}
    seeded = {p.id: p for p in seed.PROJECTS}
    assert set(projects) == set(seeded)
    riverside = projects[2001]
    assert riverside.name == "Riverside Clinic TI"
    assert riverside.address.line1 == "12 River Rd"
    assert riverside.start_date == date(2026, 3, 2)
    assert {c.full_code for c in riverside.cost_codes} == set(seeded[2001].cost_codes)
    assert projects[2005].cost_codes == ()
    assert projects[2008].active is False
    assert projects[2004].standard_cost_code_list_id != riverside.standard_cost_code_list_id


def test_create_a_project_from_a_quickbooks_job(sim: Sim) -> None:
    gateway = ProcoreGateway(sim.service_account())
    lists = {cl.name: cl for cl in gateway.cost_code_lists()}
    qb_list = lists["QuickBooks Standard Cost Codes"]
    standard = gateway.standard_cost_codes(qb_list.id)[:2]
    job = QuickBooksJob(
        name="Willow Creek Remodel",
        id="80000020-1700000000",
        version="1700000001",
        number="WC-7",
        address=JobAddress("7 Willow Ln", "", "Peoria", "IL", "61602", "US"),
        start_date=date(2026, 12, 1),
    )
    project = gateway.create_project_from_job(
        job,
        cost_code_list_id=qb_list.id,
        template_id=seed.PROJECT_TEMPLATES[1].id,
        cost_codes=[
            NewCostCode(s.code, s.name, standard_cost_code_id=s.id, origin_id=s.origin_id)
            for s in standard
        ],
    )
    assert project.name == "Willow Creek Remodel"
    assert project.origin_id == "80000020-1700000000"
    assert project.erp_sync is True
    assert project.standard_cost_code_list_id == qb_list.id
    assert len(project.cost_codes) == 2
    # The same job cannot be added twice: origin_id is unique in the company.
    with pytest.raises(errors.Conflict) as info:
        gateway.create_project_from_job(job, cost_code_list_id=qb_list.id, cost_codes=[])
    assert info.value.company_id == COMPANY


def test_a_project_whose_create_answer_was_lost_is_finished_not_left_half_made(
    sim: Sim,
) -> None:
    inner = sim.http

    def lose_create_answer(request: httpx2.Request) -> httpx2.Response:
        answer = inner.send(request)
        if request.method == "POST" and request.url.path == "/rest/v1.0/projects":
            raise httpx2.ReadTimeout("answer lost", request=request)
        return httpx2.Response(answer.status_code, headers=answer.headers, content=answer.read())

    sim.http = httpx2.Client(transport=httpx2.MockTransport(lose_create_answer))  # type: ignore[assignment]
    try:
        check_lost_create_is_finished(sim)
    finally:
        sim.http.close()
        sim.http = inner


def check_lost_create_is_finished(sim: Sim) -> None:
    gateway = ProcoreGateway(sim.service_account())
    qb_list = next(cl for cl in gateway.cost_code_lists() if "QuickBooks" in cl.name)
    standard = gateway.standard_cost_codes(qb_list.id)[:1]
    job = QuickBooksJob(name="Lost Answer Lofts", id="80000031-1700000000", version="1")
    project = gateway.create_project_from_job(
        job,
        cost_code_list_id=qb_list.id,
        cost_codes=[
            NewCostCode(s.code, s.name, standard_cost_code_id=s.id, origin_id=s.origin_id)
            for s in standard
        ],
    )
    assert project.origin_id == job.id
    assert project.standard_cost_code_list_id == qb_list.id
    assert len(project.cost_codes) == 1
    named = [p for p in gateway.projects(with_cost_codes=False) if p.name == job.name]
    assert len(named) == 1


def test_mark_cost_codes_and_standard_cost_codes_synced(sim: Sim) -> None:
    gateway = ProcoreGateway(sim.service_account())
    project = gateway.project(2001)
    marks = [OriginMark(c.id, f"ITEM-{c.id}", "7") for c in project.cost_codes]
    result = gateway.mark_cost_codes_synced(2001, marks)
    assert result.ok
    assert {c.origin_id for c in gateway.project(2001).cost_codes} == {m.origin_id for m in marks}
    qb_list = next(cl for cl in gateway.cost_code_lists() if "QuickBooks" in cl.name)
    code = gateway.standard_cost_codes(qb_list.id)[0]
    assert gateway.mark_standard_cost_codes_synced(qb_list.id, [OriginMark(code.id, "SC-1")]).ok
    again = next(c for c in gateway.standard_cost_codes(qb_list.id) if c.id == code.id)
    assert again.origin_id == "SC-1"


def test_sync_with_partial_errors(sim: Sim) -> None:
    client = sim.service_account()
    qb_list = next(cl for cl in StandardCostCodeLists(client).list() if "QuickBooks" in cl["name"])
    result = StandardCostCodes(client).sync(
        qb_list["id"],
        [
            {"code": "77-100", "name": "Landscaping", "origin_id": "ITEM-77"},
            {"id": 999_999_999, "name": "Ghost"},
            {"code": "77-200", "name": "Irrigation", "origin_id": "ITEM-78"},
        ],
    )
    assert sorted(e["origin_id"] for e in result.entities) == ["ITEM-77", "ITEM-78"]
    assert len(result.errors) == 1
    assert result.errors[0].item["id"] == 999_999_999
    assert "id" in result.errors[0].errors


def test_every_error_class(sim: Sim) -> None:
    admin = sim.client(StaticTokenAuth("demo-ada"))
    # 400: a sync batch over Procore's cap of 1,000 items (sent raw, past our own check).
    with pytest.raises(errors.BadRequest) as bad:
        admin.request(
            "PATCH",
            "/rest/v1.0/projects/sync",
            json={"company_id": COMPANY, "updates": [{"name": f"P{i}"} for i in range(1001)]},
        )
    assert bad.value.status == 400
    # 401: a token Procore does not know, and no way to refresh it.
    with pytest.raises(errors.Unauthorized) as unauthorized:
        Me(sim.client(StaticTokenAuth("forged"))).show()
    assert isinstance(unauthorized.value.__cause__, errors.ProcoreAuthError)
    # 403: Eve is Read Only on the Directory; creating projects needs Admin. The message says so.
    with pytest.raises(errors.Forbidden, match="Admin") as forbidden:
        Projects(sim.client(StaticTokenAuth("demo-eve"))).create({"name": "Nope"})
    assert "Directory" in forbidden.value.missing
    # 404
    with pytest.raises(errors.NotFound):
        Projects(admin).show(999_999_999)
    # 409: an origin_id already used in the company.
    projects = Projects(admin)
    projects.create({"name": "First", "origin_id": "DUP-1"})
    with pytest.raises(errors.Conflict):
        projects.create({"name": "Second", "origin_id": "DUP-1"})
    # 422 with Procore's error body.
    with pytest.raises(errors.ValidationFailed) as invalid:
        projects.create({"name": "Bad Country", "country_code": "USA"})
    assert "country_code" in invalid.value.field_errors
    # 429: no retries left.
    sim.control("PUT", "/_sandbox/rate-limits", {"hourly_limit": 1000, "spike_limit": 1})
    hasty = sim.client(StaticTokenAuth("demo-ada"), retry=RetryPolicy(max_attempts=1))
    Me(hasty).show()
    with pytest.raises(errors.RateLimited) as limited:
        Me(sim.client(StaticTokenAuth("demo-ada"), retry=RetryPolicy(max_attempts=1))).show()
    assert limited.value.retry_after is not None
    assert limited.value.retry_after > 0


def test_429_then_recovery(sim: Sim) -> None:
    sim.control("PUT", "/_sandbox/rate-limits", {"hourly_limit": 1000, "spike_limit": 5})
    first = sim.client(StaticTokenAuth("demo-ada"))
    for _ in range(5):
        Me(first).show()
    # Another worker with the same token, whose pacer has seen nothing yet, is refused and
    # recovers by waiting as Procore says.
    second = sim.client(StaticTokenAuth("demo-ada"), pacer=RateLimitPacer())
    assert Me(second).show()["id"] == seed.USERS[0].id
    assert second.calls == 2
    assert sim.sleeps[-1] > 0


def test_pacing_keeps_a_busy_client_under_the_spike_limit(sim: Sim) -> None:
    sim.control("PUT", "/_sandbox/rate-limits", {"hourly_limit": 1000, "spike_limit": 10})
    client = sim.client(StaticTokenAuth("demo-ada"), retry=RetryPolicy(max_attempts=1))
    for _ in range(40):
        Me(client).show()
    assert client.calls == 40  # never refused
    assert sum(sim.sleeps) >= 30  # four windows of ten seconds


def test_token_expiry_and_refresh_rotation_across_a_restart(tmp_path: Path) -> None:
    sim = make_sim(data_dir=tmp_path)
    store = InMemoryTokenStore()
    auth = sign_in(sim, "ada@summit.example", store)
    assert Me(sim.client(auth)).show()["id"] == seed.USERS[0].id
    first = load_tokens(store, auth.key)
    assert first is not None
    # Procore's tokens expire after 5,400 s; both sides restart meanwhile.
    sim.clock.advance(5_400)
    sim.http.close()
    restarted = make_sim(data_dir=tmp_path, clock=sim.clock)
    again = AuthorizationCodeAuth(restarted.oauth(), store, auth.key)
    assert Me(restarted.client(again)).show()["id"] == seed.USERS[0].id
    second = load_tokens(store, auth.key)
    assert second is not None
    assert second.version == first.version + 1
    assert second.tokens.refresh_token != first.tokens.refresh_token
    # The old refresh token died with the rotation.
    with pytest.raises(errors.ProcoreAuthError, match="refresh token is invalid"):
        restarted.oauth().refresh(first.tokens.refresh_token or "")
    # Our clock thinks the token is still good, Procore's does not: the 401 is cured by one
    # refresh, transparently.
    save_tokens(
        store,
        auth.key,
        replace(second.tokens, expires_at=second.tokens.expires_at + timedelta(days=1)),
        expected_version=second.version,
    )
    restarted.clock.advance(5_400)
    client = restarted.client(again)
    assert Me(client).show()["id"] == seed.USERS[0].id
    assert client.calls == 2
    third = load_tokens(store, auth.key)
    assert third is not None
    assert third.version == second.version + 2
    # Revoking kills both tokens (spec procore-api §1.2): the user must sign in again.
    restarted.oauth().revoke(third.tokens.access_token)
    with pytest.raises(errors.Unauthorized) as info:
        Me(restarted.client(again)).show()
    assert "refresh token is invalid" in str(info.value.__cause__)


@pytest.mark.parametrize("user", seed.USERS, ids=lambda u: u.email)
def test_permission_manifest_per_seed_user(user: seed.User) -> None:
    sim = make_sim()
    gateway = ProcoreGateway(sim.client(StaticTokenAuth(user.token)))
    perms = gateway.tool_permissions(project_id=2001)
    assert perms.erp_integrations == user.erp_integrations
    assert perms.directory == user.directory
    assert perms.project_admin == user.project_admin
    assert perms.can_push_to_accounting is user.can_push_to_accounting


def test_the_service_account_lists_companies_with_or_without_the_company_header() -> None:
    # List Companies "does not require the Procore-Company-Id header" (S-postman), for service
    # accounts too (developers.procore.com/documentation/mpz-headers); other calls need it.
    sim = make_sim(SandboxConfig())
    client = sim.service_account()
    token = client.auth.access_token()
    bare = {"Authorization": f"Bearer {token}"}
    assert sim.http.get("/rest/v1.0/companies", headers=bare).status_code == 200
    raw = sim.http.get("/rest/v1.0/projects", params={"company_id": 4263}, headers=bare)
    assert raw.status_code == 400
    assert list(Companies(client).list())


def test_job_costs_reach_the_budget_and_direct_costs(sim: Sim) -> None:
    client = sim.service_account()
    gateway = ProcoreGateway(client)
    project = gateway.project(2001)
    code = project.cost_codes[0]
    other = next(t for t in LineItemTypes(client).list() if t.get("id"))
    [line] = gateway.add_budget_lines(2001, [BudgetLine(code.id, int(other["id"]))])
    assert line.cost_code_id == code.id
    # Asked again (as after a lost answer), the budget line is found, not made twice.
    assert gateway.add_budget_lines(2001, [BudgetLine(code.id, int(other["id"]))]) == [line]
    assert [r.id for r in gateway.budget_rows(2001)] == [line.id]
    headers, lines = gateway.write_direct_costs(
        2001,
        [
            DirectCostEntry("BILL-1", date(2026, 11, 2), (), invoice_number="INV-9"),
            DirectCostEntry("BILL-2", date(2026, 11, 3), (), direct_cost_type="lunch"),
        ],
    )
    assert [e["origin_id"] for e in headers.entities] == ["BILL-1"]
    assert headers.errors[0].item["origin_id"] == "BILL-2"
    assert "direct_cost_type" in headers.errors[0].errors
    assert lines.calls == 0
    [stored] = DirectCosts(client).list(2001, origin_id="BILL-1")
    assert stored["invoice_number"] == "INV-9"
    assert stored["status"] == "approved"


def test_webhook_hook_and_trigger(sim: Sim) -> None:
    hooks = Webhooks(sim.service_account())
    hook = hooks.create_hook(
        namespace="procore-qb",
        destination_url="http://127.0.0.1:9/webhooks/procore",
        destination_headers={"Authorization": "Bearer hook-secret"},
    )
    trigger = hooks.create_trigger(int(hook["id"]), resource_name="Projects", event_type="update")
    assert [t["id"] for t in hooks.triggers(int(hook["id"]))] == [trigger["id"]]
    assert [h["id"] for h in hooks.hooks(namespace="procore-qb")] == [hook["id"]]
    hooks.delete_trigger(int(hook["id"]), int(trigger["id"]))
    hooks.delete_hook(int(hook["id"]))
    assert list(hooks.hooks(namespace="procore-qb")) == []


def test_reading_only_some_projects_by_id(sim: Sim) -> None:
    client = sim.service_account()
    projects = ProcoreGateway(client).projects(ids=[2001, 2003])
    assert sorted(p.id for p in projects) == [2001, 2003]
    assert client.calls == 3  # the list, then cost codes of each


def test_direct_costs_with_lines_carry_the_amounts(sim: Sim) -> None:
    client = sim.service_account()
    gateway = ProcoreGateway(client)
    code = gateway.project(2001).cost_codes[0]
    cost_type = next(iter(LineItemTypes(client).list()))
    lines = (
        DirectCostLine(code.id, int(cost_type["id"]), Decimal("1250.50"), "Rebar"),
        DirectCostLine(code.id, int(cost_type["id"]), Decimal("99.50"), "Ties"),
    )
    headers, written = gateway.write_direct_costs(
        2001, [DirectCostEntry("BILL-7", date(2026, 11, 4), lines, invoice_number="INV-7")]
    )
    assert headers.ok
    assert written.ok
    assert sorted(e["origin_id"] for e in written.entities) == ["BILL-7:1", "BILL-7:2"]
    [stored] = DirectCosts(client).list(2001, origin_id="BILL-7")
    amounts = sorted(
        float(li["amount"]) for li in DirectCosts(client).line_items(2001, stored["id"])
    )
    assert amounts == [99.5, 1250.5]
