"""Company setup against the simulators, through the production wiring: the service account's
permission manifest, the cost code list built from QuickBooks' service items (both editions),
QuickBooks Online's consent flow, and the Web Connector's last contact."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient
from workflow_stack import Stack

from procore_qb.app import setup
from procore_qb.app.company import load_settings
from procore_qb.app.errors import Conflict
from procore_qb.demo.web import build_demo_app, demo_router
from procore_qb.domain.commands import QueryItems
from procore_qb.sandbox import seed
from procore_qb.store.models import Company
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.companies import Companies

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

SERVICE_ITEMS = [i for i in seed.ITEMS if i.item_type == "Service"]


class FreshStack(Stack):
    """The stack before setup: no cost code list chosen, the seed list's codes unmarked, and
    (``connect_online`` False) QuickBooks Online not connected."""

    connect_online = True

    def _connect_online(self) -> None:
        if self.connect_online:
            super()._connect_online()

    def _map_cost_codes(self) -> None:
        with self.sessions.begin() as session:
            Companies(session).set_setting(
                self.company_id, "quickbooks_cost_code_list_id", None, now=self.clock.now()
            )


class Unconnected(FreshStack):
    connect_online = False


@pytest.fixture(params=["desktop", "online"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    built = FreshStack(str(request.param), tmp_path)
    yield built
    built.close()


@pytest.fixture
def fresh_desktop(tmp_path: Path) -> Iterator[Stack]:
    built = FreshStack("desktop", tmp_path)
    yield built
    built.close()


@pytest.fixture
def unconnected(tmp_path: Path) -> Iterator[Stack]:
    built = Unconnected("online", tmp_path)
    yield built
    built.close()


def _list_id(stack: Stack) -> int | None:
    with stack.sessions.begin() as session:
        return load_settings(session, stack.company_id).quickbooks_cost_code_list_id


def _item_ids(stack: Stack) -> dict[str, str]:
    if stack.qbd is not None:
        return {o.name: o.list_id for o in stack.qbd.company.lists(["ItemService"])}
    online = stack.ctx.online
    assert online is not None
    result = online().execute([QueryItems(idempotency_key="test-items")])[0]
    return {i.name: i.id for i in result.items if i.item_type.casefold() == "service"}


def _service_account(stack: Stack) -> dict[str, object]:
    users = stack.procore_sim.world.table("users").values()
    return next(u for u in users if u.get("_service_account"))


# ----------------------------------------------------------------------------- Procore


def test_connect_refuses_a_service_account_without_both_admin_levels(fresh: Stack) -> None:
    account = _service_account(fresh)
    account["_erp_integrations"] = "standard"
    account["_directory"] = "read_only"
    with pytest.raises(setup.SetupRefused) as refused:
        setup.connect_procore(fresh.ctx)
    message = str(refused.value)
    assert "'Admin' on ERP Integrations (it has 'Standard')" in message
    assert "'Admin' on the company Directory (it has 'Read Only')" in message
    assert "\n" not in message
    with fresh.sessions.begin() as session:
        assert Companies(session).setting(fresh.company_id, "procore_connected_at") is None


def test_connect_names_only_what_is_missing(fresh: Stack) -> None:
    _service_account(fresh)["_directory"] = "standard"
    with pytest.raises(setup.SetupRefused, match="Directory") as refused:
        setup.connect_procore(fresh.ctx)
    assert "ERP Integrations" not in str(refused.value)


# ----------------------------------------------------------------------------- cost code list


def test_first_connect_builds_the_cost_code_list_from_the_service_items(fresh: Stack) -> None:
    connected = setup.connect_procore(fresh.ctx)
    assert connected.erp_integrations == "admin"
    assert connected.cost_code_list_requested is not None
    fresh.settle()
    assert _list_id(fresh) == seed.QUICKBOOKS_LIST_ID  # the company's list, found by name
    codes = fresh.ctx.procore().standard_cost_codes(seed.QUICKBOOKS_LIST_ID)
    items = _item_ids(fresh)
    by_code = {c.code: c for c in codes}
    assert len(by_code) == len(codes), "a code was written twice"
    for item in SERVICE_ITEMS:
        code = by_code[item.name]
        assert code.origin_id == items[item.name]
        assert code.name == item.description
    assert not any(c.code in ("Permits", "Lumber") for c in codes)  # not service items
    # A second connect does not ask again; asking on demand changes nothing that is right.
    assert setup.connect_procore(fresh.ctx).cost_code_list_requested is None
    setup.request_cost_code_list(fresh.ctx)
    fresh.settle()
    again = fresh.ctx.procore().standard_cost_codes(seed.QUICKBOOKS_LIST_ID)
    assert sorted((c.code, c.origin_id) for c in again) == sorted(
        (c.code, c.origin_id) for c in codes
    )


def test_the_list_is_created_when_the_company_has_none(fresh_desktop: Stack) -> None:
    fresh = fresh_desktop
    with fresh.procore_sim.lock:
        fresh.procore_sim.world.table("standard_cost_code_lists")[seed.QUICKBOOKS_LIST_ID][
            "name"
        ] = "Old QuickBooks list"
    setup.connect_procore(fresh.ctx)
    fresh.settle()
    list_id = _list_id(fresh)
    assert list_id is not None
    assert list_id != seed.QUICKBOOKS_LIST_ID
    lists = {c.id: c.name for c in fresh.ctx.procore().cost_code_lists()}
    assert lists[list_id] == setup.COST_CODE_LIST_NAME
    codes = fresh.ctx.procore().standard_cost_codes(list_id)
    assert sorted(c.code for c in codes) == sorted(i.name for i in SERVICE_ITEMS)


def test_a_quickbooks_error_is_kept_and_audited(fresh: Stack) -> None:
    from procore_qb.domain.commands import CommandError, CommandResult
    from procore_qb.store.repositories.outbox import Outbox

    key = setup.request_cost_code_list(fresh.ctx)
    with fresh.sessions.begin() as session:
        row = Outbox(session).get(fresh.company_id, key)
        setup.apply_items_result(
            fresh.ctx,
            session,
            row,
            CommandResult(key, error=CommandError(code="3180", message="There was an error")),
        )
    with fresh.sessions.begin() as session:
        error = Companies(session).setting(fresh.company_id, "cost_code_list_error")
        actions = [e.action for e in AuditLog(session).page(fresh.company_id)]
    assert error == "There was an error (QuickBooks error 3180)"
    assert "cost_code_list_failed" in actions


# ----------------------------------------------------------------------------- QuickBooks Online


def _consent(stack: Stack, url: str) -> dict[str, str]:
    assert stack.qbo is not None
    redirect = stack.qbo.get(url)
    assert redirect.status_code in (302, 303), redirect.text
    return dict(parse_qsl(urlsplit(redirect.headers["location"]).query))


def _realm(stack: Stack) -> str | None:
    with stack.sessions.begin() as session:
        company = session.get(Company, stack.company_id)
        assert company is not None
        return company.qb_realm_id


def test_online_connect_stores_tokens_and_the_realm(unconnected: Stack) -> None:
    url = setup.begin_online_connect(unconnected.ctx)
    assert url.startswith("http://qbo.test/")
    callback = _consent(unconnected, url)
    assert setup.finish_online_connect(unconnected.ctx, callback) == seed.QBO_REALM_ID
    assert _realm(unconnected) == seed.QBO_REALM_ID
    assert _item_ids(unconnected)  # the stored tokens work against the API
    with pytest.raises(setup.SetupRefused, match="no QuickBooks Online connection was started"):
        setup.finish_online_connect(unconnected.ctx, callback)  # the consent is used up


def test_online_connect_checks_the_state(unconnected: Stack) -> None:
    callback = _consent(unconnected, setup.begin_online_connect(unconnected.ctx))
    with pytest.raises(setup.SetupRefused, match="state does not match"):
        setup.finish_online_connect(unconnected.ctx, {**callback, "state": "forged"})
    assert _realm(unconnected) is None


def test_online_connect_expires_after_ten_minutes(unconnected: Stack) -> None:
    callback = _consent(unconnected, setup.begin_online_connect(unconnected.ctx))
    unconnected.clock.advance(minutes=10)
    with pytest.raises(setup.SetupRefused, match="10 minutes"):
        setup.finish_online_connect(unconnected.ctx, callback)


def test_online_connect_keeps_the_company_it_was_set_up_with(unconnected: Stack) -> None:
    with unconnected.sessions.begin() as session:
        company = session.get(Company, unconnected.company_id)
        assert company is not None
        company.qb_realm_id = "1234"
    callback = _consent(unconnected, setup.begin_online_connect(unconnected.ctx))
    with pytest.raises(Conflict, match="keeps QuickBooks company 1234"):
        setup.finish_online_connect(unconnected.ctx, callback)


def test_pending_commands_wait_for_the_connection_then_go_out(unconnected: Stack) -> None:
    setup.connect_procore(unconnected.ctx)
    unconnected.run_jobs()  # nothing can go out yet, and nothing holds the company's lock
    assert _list_id(unconnected) is None
    callback = _consent(unconnected, setup.begin_online_connect(unconnected.ctx))
    setup.finish_online_connect(unconnected.ctx, callback)
    unconnected.settle()
    assert _list_id(unconnected) == seed.QUICKBOOKS_LIST_ID


def test_desktop_companies_have_no_online_connection(fresh_desktop: Stack) -> None:
    with pytest.raises(setup.SetupRefused, match="Desktop"):
        setup.begin_online_connect(fresh_desktop.ctx)


# ----------------------------------------------------------------------------- Desktop


def test_webconnector_status_says_when_and_which_file_is_pinned(fresh_desktop: Stack) -> None:
    fresh = fresh_desktop
    assert setup.webconnector_status(fresh.ctx).last_contact_at is None
    setup.connect_procore(fresh.ctx)  # work for the Web Connector: the job list, the items
    fresh.web_connector()
    status = setup.webconnector_status(fresh.ctx)
    assert status.last_contact_at is not None
    assert status.sessions == 1
    assert status.company_file.endswith("Summit Ridge Builders.qbw")
    assert status.pinned_company_file == status.company_file
    assert setup.forget_company_file(fresh.ctx) == status.company_file
    assert setup.webconnector_status(fresh.ctx).pinned_company_file is None


def test_another_company_file_gets_no_work_and_says_why(fresh_desktop: Stack) -> None:
    from workflow_stack import APP, WC_PASSWORD, WC_USER

    from procore_qb.sandbox.qbd import run_session

    fresh = fresh_desktop
    assert fresh.qbd is not None
    setup.connect_procore(fresh.ctx)
    fresh.web_connector()  # first contact: pins the seed company file
    setup.request_cost_code_list(fresh.ctx)
    fresh.clock.advance(minutes=15)  # the Web Connector's next scheduled run
    other = "C:\\Company Files\\Practice Company.qbw"
    transcript = run_session(
        fresh.api, f"{APP}/qbwc", WC_USER, WC_PASSWORD, fresh.qbd.processor, company_file=other
    )
    text = "\n".join(transcript.lines())
    assert "Practice Company.qbw open" in text
    status = setup.webconnector_status(fresh.ctx)
    assert status.company_file == other
    assert status.last_error is not None
    assert "Summit Ridge Builders.qbw" in status.last_error
    with fresh.sessions.begin() as session:
        from procore_qb.store.models import QbCommand

        states = {r.subject_type: r.state for r in session.query(QbCommand)}
    assert "pending" in states.values()  # nothing was handed to the other file


# ----------------------------------------------------------------------------- /api/v1/demo


def test_demo_route_answers_only_in_demo_mode(fresh_desktop: Stack) -> None:
    fresh = fresh_desktop

    def describe() -> dict[str, object]:
        return {"procore": {"base_url": "http://127.0.0.1:1"}}

    for demo, status in ((True, 200), (False, 404)):
        app = FastAPI()
        app.include_router(demo_router(dataclasses.replace(fresh.ctx, demo=demo), describe))
        with TestClient(app) as client:
            answer = client.get("/api/v1/demo")
        assert answer.status_code == status
        if demo:
            assert answer.json()["simulators"]["procore"]["base_url"] == "http://127.0.0.1:1"


def test_start_page_links_the_three_apps_only_in_demo_mode(fresh_desktop: Stack) -> None:
    fresh = fresh_desktop

    def describe() -> dict[str, object]:
        return {
            "procore": {"console": "http://127.0.0.1:1/_sandbox/console"},
            "quickbooks_desktop": {"console": "http://127.0.0.1:2/_sandbox/console"},
        }

    for demo in (True, False):
        app = build_demo_app(
            fresh.deps, dataclasses.replace(fresh.ctx, demo=demo), describe=describe
        )
        with TestClient(app, follow_redirects=False) as client:
            answer = client.get("/")
        if not demo:
            # Outside demo mode a signed-out visitor is sent to sign in.
            assert answer.status_code == 303
            assert answer.headers["location"] == "/login"
            continue
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        page = answer.text
        assert "<h1>procore-qb demo</h1>" in page
        assert '<a href="/docs">procore-qb API docs</a>' in page
        assert '<a href="http://127.0.0.1:1/_sandbox/console">Procore console</a>' in page
        assert (
            '<a href="http://127.0.0.1:2/_sandbox/console">QuickBooks Desktop console</a>' in page
        )
        assert "Sign in with Procore" in page
        for user in seed.USERS:
            row = next(tr for tr in page.split("<tr>") if user.token in tr)
            assert user.email in row
            assert f"ERP Integrations {user.erp_integrations}" in row
            assert f"project Admin tool {user.project_admin}" in row
        assert "POST /api/v1/projects/{id}/send-to-erp</code> as cara" in page
        assert "POST /api/v1/erp/jobs/refresh</code> as ada" in page
        # Only our own script and stylesheet; nothing loaded from elsewhere.
        assert re.findall(r"<script[^>]*>", page) == [
            f'<script src="/static/pages.js?v={app.state.page_kit.static_version}" defer>'
        ]
        assert "https://" not in page
