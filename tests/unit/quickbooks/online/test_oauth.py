from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from procore_qb.quickbooks.online.errors import QboOAuthError, QboProtocolError, ReconnectRequired
from procore_qb.quickbooks.online.oauth import (
    Discovery,
    OAuthApp,
    OAuthClient,
    StoredTokens,
    TokenManager,
    Tokens,
    fetch_discovery,
    new_state,
)

from .helpers import json_response

BASE = "https://oauth.test"
DISCOVERY = {
    "issuer": f"{BASE}/op/v1",
    "authorization_endpoint": f"{BASE}/connect/oauth2",
    "token_endpoint": f"{BASE}/oauth2/v1/tokens/bearer",
    "userinfo_endpoint": f"{BASE}/v1/openid_connect/userinfo",
    "revocation_endpoint": f"{BASE}/oauth2/v1/tokens/revoke",
    "jwks_uri": f"{BASE}/oauth2/v1/keys",
}
APP = OAuthApp("demo-qbo-client", "demo-qbo-secret", "http://127.0.0.1/callback")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Row:
    access_token: str | None
    refresh_token: str | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    scope: str
    version: int


def row(stored: StoredTokens | None) -> Row | None:
    if stored is None:
        return None
    t = stored.tokens
    return Row(
        t.access_token,
        t.refresh_token,
        t.access_expires_at,
        t.refresh_expires_at,
        t.scope,
        stored.version,
    )


class MemoryStore:
    """The token store protocol in memory, for one realm."""

    def __init__(self) -> None:
        self.stored: StoredTokens | None = None

    def load(self, subject: str) -> Row | None:
        assert subject == "realm:1"
        return row(self.stored)

    def replace(
        self,
        subject: str,
        *,
        access_token: str,
        refresh_token: str | None,
        access_expires_at: datetime | None,
        refresh_expires_at: datetime | None = None,
        scope: str = "",
    ) -> int:
        assert refresh_token is not None
        version = 1 if self.stored is None else self.stored.version + 1
        tokens = Tokens(access_token, refresh_token, access_expires_at, refresh_expires_at, scope)
        self.stored = StoredTokens(tokens, version)
        return version

    def rotate(
        self,
        subject: str,
        *,
        expected_version: int,
        access_token: str,
        refresh_token: str | None,
        access_expires_at: datetime | None,
        refresh_expires_at: datetime | None = None,
    ) -> bool:
        if self.stored is None or self.stored.version != expected_version:
            return False
        tokens = Tokens(
            access_token,
            refresh_token or self.stored.tokens.refresh_token,
            access_expires_at,
            refresh_expires_at,
        )
        self.stored = StoredTokens(tokens, expected_version + 1)
        return True

    def clear(self, subject: str) -> None:
        self.stored = None


class Server:
    """A token endpoint that rotates the refresh token on every refresh."""

    def __init__(self) -> None:
        self.refresh_token = "rt-0"
        self.issued = 0
        self.revoked: list[str] = []
        self.codes = {"code-1"}
        self.forms: list[dict[str, list[str]]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/.well-known/openid_sandbox_configuration":
            return json_response(200, DISCOVERY)
        expected = "Basic " + base64.b64encode(b"demo-qbo-client:demo-qbo-secret").decode()
        assert request.headers["Authorization"] == expected
        if request.url.path.endswith("/revoke"):
            self.revoked.append(request.content.decode())
            return httpx2.Response(200)
        form = parse_qs(request.content.decode())
        self.forms.append(form)
        if form["grant_type"] == ["authorization_code"]:
            if form["code"][0] not in self.codes:
                return json_response(400, {"error": "invalid_grant"})
            self.codes.discard(form["code"][0])
        elif form["refresh_token"] != [self.refresh_token]:
            return json_response(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Incorrect or invalid refresh token",
                },
            )
        self.issued += 1
        self.refresh_token = f"rt-{self.issued}"
        return json_response(
            200,
            {
                "access_token": f"at-{self.issued}",
                "refresh_token": self.refresh_token,
                "expires_in": 3600,
                "x_refresh_token_expires_in": 8640000,
                "token_type": "bearer",
            },
        )


def setup() -> tuple[Server, OAuthClient, Clock]:
    server = Server()
    clock = Clock()
    http = httpx2.Client(transport=httpx2.MockTransport(server))
    discovery = fetch_discovery(http, f"{BASE}/.well-known/openid_sandbox_configuration")
    return server, OAuthClient(http, APP, discovery, clock=clock), clock


def test_connect_flow_checks_state_and_takes_realm() -> None:
    _server, oauth, clock = setup()
    state = new_state()
    url = urlsplit(oauth.authorization_url(state))
    params = parse_qs(url.query)
    assert params["response_type"] == ["code"]
    assert params["scope"] == ["com.intuit.quickbooks.accounting"]
    assert params["state"] == [state]
    assert params["redirect_uri"] == [APP.redirect_uri]
    with pytest.raises(QboOAuthError, match="state"):
        oauth.complete(
            {"code": "code-1", "state": "forged", "realmId": "123"}, expected_state=state
        )
    with pytest.raises(QboOAuthError, match="realmId"):
        oauth.complete({"code": "code-1", "state": state}, expected_state=state)
    connected = oauth.complete(
        {"code": "code-1", "state": state, "realmId": "123"}, expected_state=state
    )
    assert connected.realm_id == "123"
    assert connected.tokens.access_expires_at == clock.now + timedelta(seconds=3600)
    assert "at-1" not in repr(connected.tokens)
    # The code is single-use.
    with pytest.raises(ReconnectRequired):
        oauth.complete({"code": "code-1", "state": state, "realmId": "123"}, expected_state=state)


def test_callback_error_is_reported() -> None:
    _, oauth, _ = setup()
    with pytest.raises(QboOAuthError, match="access_denied"):
        oauth.complete({"error": "access_denied"}, expected_state="s")


def test_refresh_before_expiry_rotates_and_stores_newest() -> None:
    server, oauth, clock = setup()
    store = MemoryStore()
    manager = TokenManager(oauth, store, realm_id="1", clock=clock)
    manager.connect(
        oauth.complete({"code": "code-1", "state": "s", "realmId": "1"}, expected_state="s")
    )
    assert manager.access_token() == "at-1"
    clock.now += timedelta(minutes=56)  # within the five-minute margin
    assert manager.access_token() == "at-2"
    assert store.stored is not None
    assert store.stored.tokens.refresh_token == "rt-2"
    assert store.stored.version == 2
    # After a restart (a new manager over the same store) the newest token is used.
    clock.now += timedelta(hours=2)
    assert TokenManager(oauth, store, realm_id="1", clock=clock).access_token() == "at-3"
    assert [f["refresh_token"] for f in server.forms[1:]] == [["rt-1"], ["rt-2"]]


def test_401_refreshes_once_and_a_concurrent_rotation_is_used() -> None:
    server, oauth, clock = setup()
    store = MemoryStore()
    manager = TokenManager(oauth, store, realm_id="1", clock=clock)
    manager.connect(
        oauth.complete({"code": "code-1", "state": "s", "realmId": "1"}, expected_state="s")
    )
    assert manager.refresh_after_rejection("at-1") == "at-2"
    # Another worker's manager already holds the newer token: no second refresh.
    assert (
        TokenManager(oauth, store, realm_id="1", clock=clock).refresh_after_rejection("at-1")
        == "at-2"
    )
    assert server.issued == 2


def test_lost_race_uses_the_winners_tokens() -> None:
    _server, oauth, clock = setup()
    store = MemoryStore()
    manager = TokenManager(oauth, store, realm_id="1", clock=clock)
    manager.connect(
        oauth.complete({"code": "code-1", "state": "s", "realmId": "1"}, expected_state="s")
    )
    stale = store.stored
    assert stale is not None
    # Another worker refreshes with rt-1 after we read the row but before we refresh.
    winner = oauth.refresh("rt-1")
    assert store.rotate(
        "realm:1",
        expected_version=stale.version,
        access_token=winner.access_token,
        refresh_token=winner.refresh_token,
        access_expires_at=winner.access_expires_at,
    )

    class Racing(MemoryStore):
        first = True

        def load(self, subject: str) -> Row | None:
            if self.first:
                self.first = False
                return row(stale)
            return row(store.stored)

    racing = Racing()
    racing.stored = store.stored
    manager = TokenManager(oauth, racing, realm_id="1", clock=clock)
    # Our refresh with the superseded rt-1 gets invalid_grant; the stored version moved on.
    assert manager.refresh_after_rejection("at-1") == winner.access_token


def test_revoked_refresh_token_requires_reconnect_and_keeps_tokens() -> None:
    server, oauth, clock = setup()
    store = MemoryStore()
    manager = TokenManager(oauth, store, realm_id="1", clock=clock)
    manager.connect(
        oauth.complete({"code": "code-1", "state": "s", "realmId": "1"}, expected_state="s")
    )
    server.refresh_token = "revoked-elsewhere"
    clock.now += timedelta(hours=2)
    with pytest.raises(ReconnectRequired, match="reconnect QuickBooks"):
        manager.access_token()
    assert store.stored is not None


def test_disconnect_revokes_and_forgets() -> None:
    server, oauth, clock = setup()
    store = MemoryStore()
    manager = TokenManager(oauth, store, realm_id="1", clock=clock)
    manager.connect(
        oauth.complete({"code": "code-1", "state": "s", "realmId": "1"}, expected_state="s")
    )
    manager.disconnect()
    assert server.revoked == ['{"token":"rt-1"}']
    assert store.stored is None
    with pytest.raises(ReconnectRequired, match="not connected"):
        manager.access_token()


def test_discovery_document_must_have_every_endpoint() -> None:
    with pytest.raises(QboProtocolError, match="revocation_endpoint"):
        Discovery.from_json({k: v for k, v in DISCOVERY.items() if k != "revocation_endpoint"})


def test_tokens_of_another_realm_are_refused() -> None:
    _server, oauth, clock = setup()
    store = MemoryStore()
    manager = TokenManager(oauth, store, realm_id="1", clock=clock)
    connected = oauth.complete({"code": "code-1", "state": "s", "realmId": "2"}, expected_state="s")
    with pytest.raises(QboOAuthError, match="connect the same QuickBooks company"):
        manager.connect(connected)
    assert store.stored is None


def test_a_token_without_an_expiry_counts_as_expired() -> None:
    server, oauth, clock = setup()
    store = MemoryStore()
    manager = TokenManager(oauth, store, realm_id="1", clock=clock)
    manager.connect(
        oauth.complete({"code": "code-1", "state": "s", "realmId": "1"}, expected_state="s")
    )
    assert store.stored is not None
    store.replace(
        "realm:1",
        access_token="at-1",
        refresh_token=store.stored.tokens.refresh_token,
        access_expires_at=None,
    )
    assert "unknown" in repr(manager.load())
    assert manager.access_token() == "at-2"
    assert server.issued == 2


_TOO_DEEP = b"[" * 5000 + b"]" * 5000
"""JSON nested deeper than Python's decoder goes: it raises RecursionError, not ValueError."""


def test_a_discovery_document_nested_too_deep_is_refused_with_a_clear_error() -> None:
    http = httpx2.Client(
        transport=httpx2.MockTransport(lambda _request: httpx2.Response(200, content=_TOO_DEEP))
    )
    with pytest.raises(QboProtocolError, match="is not JSON"):
        fetch_discovery(http, f"{BASE}/.well-known/openid_configuration")


@pytest.mark.parametrize("status", [200, 400])
def test_a_token_answer_nested_too_deep_is_refused_with_a_clear_error(status: int) -> None:
    http = httpx2.Client(
        transport=httpx2.MockTransport(lambda _request: httpx2.Response(status, content=_TOO_DEEP))
    )
    client = OAuthClient(http, APP, Discovery.from_json(DISCOVERY), clock=Clock())
    expected = QboProtocolError if status == 200 else QboOAuthError
    with pytest.raises(expected, match="lacks access_token" if status == 200 else "HTTP 400"):
        client.refresh("rt-1")
