"""python-quickbooks with intuit-oauth, pointed at the simulator over loopback HTTP.

If this widely used client cannot connect, create, read, update, query, batch and run CDC
against the simulator, and receive its faults as the exceptions it raises for real QuickBooks
faults, the simulator is wrong.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import uvicorn
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks
from quickbooks.batch import batch_create
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import (
    AuthorizationException,
    ObjectNotFoundException,
    QuickbooksException,
    ValidationException,
)
from quickbooks.objects.customer import Customer
from quickbooks.objects.item import Item

from procore_qb.sandbox.qbo import ManualClock, Simulator, create_app, sign
from procore_qb.sandbox.seed import QBO_APP, QBO_REALM_ID

REDIRECT = "http://localhost:8765/callback"


@pytest.fixture
def server() -> Iterator[tuple[str, Simulator, ManualClock]]:
    """The simulator on an ephemeral loopback port."""
    clock = ManualClock()
    simulator = Simulator(clock=clock)
    config = uvicorn.Config(create_app(simulator), host="127.0.0.1", port=0, log_level="warning")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    for _ in range(500):
        if uvicorn_server.started:
            break
        time.sleep(0.01)
    assert uvicorn_server.started
    port = uvicorn_server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", simulator, clock
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def connected(
    server: tuple[str, Simulator, ManualClock], monkeypatch: pytest.MonkeyPatch
) -> tuple[AuthClient, QuickBooks]:
    base, _, _ = server
    # requests-oauthlib refuses plain HTTP unless told the transport is a local test one.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    auth = AuthClient(
        QBO_APP.client_id,
        QBO_APP.client_secret,
        REDIRECT,
        f"{base}/.well-known/openid_sandbox_configuration",
    )
    url = auth.get_authorization_url([Scopes.ACCOUNTING])
    redirect = requests.get(url, allow_redirects=False, timeout=10)
    assert redirect.status_code == 302
    answer = {k: v[0] for k, v in parse_qs(urlsplit(redirect.headers["location"]).query).items()}
    assert answer["state"] == auth.state_token
    assert answer["realmId"] == QBO_REALM_ID
    auth.get_bearer_token(answer["code"], realm_id=answer["realmId"])
    qb = QuickBooks(
        auth_client=auth,
        refresh_token=auth.refresh_token,
        company_id=auth.realm_id,
        minorversion=75,
    )
    qb.api_url_v3 = qb.sandbox_api_url_v3 = f"{base}/v3"
    return auth, qb


def test_oauth_flow_refresh_and_revoke(connected: tuple[AuthClient, QuickBooks]) -> None:
    auth, _ = connected
    assert auth.expires_in == 3600
    first_refresh = auth.refresh_token
    auth.refresh()
    assert auth.refresh_token == first_refresh
    auth.revoke(token=auth.refresh_token)
    with pytest.raises(AuthClientError) as caught:
        auth.refresh()
    assert caught.value.status_code == 400


def test_customer_create_read_update_query(connected: tuple[AuthClient, QuickBooks]) -> None:
    _, qb = connected
    owner = Customer()
    owner.DisplayName = "Interop Owner"
    owner.save(qb=qb)
    job = Customer()
    job.DisplayName = "Interop Job"
    job.Job = True
    job.BillWithParent = True
    job.ParentRef = owner.to_ref()
    job.save(qb=qb)
    read = Customer.get(job.Id, qb=qb)
    assert read.FullyQualifiedName == "Interop Owner:Interop Job"
    assert read.Level == 1
    read.CompanyName = "Interop Holdings"
    updated = read.save(qb=qb)
    assert updated.SyncToken == "1"
    assert updated.CompanyName == "Interop Holdings"
    jobs = Customer.filter(Job=True, qb=qb)
    assert "Interop Job" in {c.DisplayName for c in jobs}
    found = Customer.query("SELECT * FROM Customer WHERE DisplayName = 'Interop Job'", qb=qb)
    assert [c.CompanyName for c in found] == ["Interop Holdings"]
    assert Customer.count(qb=qb) == 10


def test_item_create_read_update_query(connected: tuple[AuthClient, QuickBooks]) -> None:
    _, qb = connected
    accounts = qb.query("SELECT * FROM Account WHERE Name = 'Construction Income'")
    account_id = accounts["QueryResponse"]["Account"][0]["Id"]
    item = Item()
    item.Name = "31-100"
    item.Type = "Service"
    item.IncomeAccountRef = {"value": account_id}
    item.save(qb=qb)
    item.Description = "Earthwork"
    item.save(qb=qb)
    again = Item.get(item.Id, qb=qb)
    assert again.Description == "Earthwork"
    assert again.SyncToken == "1"
    assert "31-100" in {i.Name for i in Item.filter(Type="Service", qb=qb)}


def test_batch_with_a_failing_item(connected: tuple[AuthClient, QuickBooks]) -> None:
    _, qb = connected
    fresh = Customer()
    fresh.DisplayName = "Batch Fresh"
    taken = Customer()
    taken.DisplayName = "Greenleaf Properties"
    result = batch_create([fresh, taken], qb=qb)
    assert [s.DisplayName for s in result.successes] == ["Batch Fresh"]
    (failure,) = result.faults
    assert failure.Error[0].code == "6240"


def test_change_data_capture(
    connected: tuple[AuthClient, QuickBooks], server: tuple[str, Simulator, ManualClock]
) -> None:
    _, qb = connected
    _, _, clock = server
    since = clock.now() + timedelta(seconds=1)
    clock.advance(2)
    customer = Customer()
    customer.DisplayName = "CDC Customer"
    customer.save(qb=qb)
    changes = change_data_capture([Customer, Item], since, qb=qb)
    assert [c.DisplayName for c in changes.Customer] == ["CDC Customer"]


def test_faults_arrive_as_python_quickbooks_exceptions(
    connected: tuple[AuthClient, QuickBooks], server: tuple[str, Simulator, ManualClock]
) -> None:
    _, qb = connected
    _, _, clock = server
    duplicate = Customer()
    duplicate.DisplayName = "Ace Concrete Supply"
    with pytest.raises(QuickbooksException) as caught:
        duplicate.save(qb=qb)
    assert caught.value.error_code == 6240
    with pytest.raises(ObjectNotFoundException):
        Customer.get(987654, qb=qb)
    with pytest.raises(ValidationException) as parse_error:
        Customer.query("SELECT * FROM Customer WHERE Job = true OR Active = false", qb=qb)
    assert parse_error.value.error_code == 4000
    stale = Customer.get(25, qb=qb)
    fresh = Customer.get(25, qb=qb)
    fresh.Notes = "first"
    fresh.save(qb=qb)
    stale.Notes = "second"
    with pytest.raises(QuickbooksException) as stale_error:
        stale.save(qb=qb)
    assert stale_error.value.error_code == 5010
    clock.advance(3600)
    with pytest.raises(AuthorizationException):
        Customer.get(25, qb=qb)


def test_webhook_signature_validates_with_python_quickbooks() -> None:
    body = '{"eventNotifications": []}'
    checker = QuickBooks(minorversion=75, verifier_token="demo-qbo-verifier")
    signature = sign(body.encode(), "demo-qbo-verifier")
    assert checker.validate_webhook_signature(body, signature)
    assert not checker.validate_webhook_signature(body, sign(body.encode(), "other"))
