from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from procore_qb.procore.errors import ProcoreAuthError, ProcoreProtocolError
from procore_qb.procore.oauth import (
    AuthorizationCodeAuth,
    ClientCredentialsAuth,
    InMemoryTokenStore,
    OAuthApp,
    OAuthClient,
    TokenConflict,
    TokenSet,
    load_tokens,
    save_tokens,
)

from .fakes import FakeProcore, make_client, reply

LOGIN = "https://login.procore.test"
APP = OAuthApp("cid", "csecret", LOGIN, "http://127.0.0.1:8000/login/callback")
T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class TokenServer:
    """Rotating refresh tokens: each works once, like Procore's (spec procore-api §1.2)."""

    def __init__(self) -> None:
        self.n = 0
        self.live_refresh: set[str] = set()
        self.forms: list[dict[str, str]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.forms.append(form)
        if (form.get("client_id"), form.get("client_secret")) != ("cid", "csecret"):
            return reply(401, {"error": "invalid_client"})
        grant = form["grant_type"]
        self.n += 1
        if grant == "client_credentials":
            return reply(200, {"access_token": f"cc{self.n}", "expires_in": 5400})
        if grant == "authorization_code" and form.get("code") != "good-code":
            return reply(400, {"error": "invalid_grant", "error_description": "code expired"})
        if grant == "refresh_token":
            if form.get("refresh_token") not in self.live_refresh:
                return reply(
                    400, {"error": "invalid_grant", "error_description": "refresh token invalid"}
                )
            self.live_refresh.discard(form["refresh_token"])
        refresh = f"r{self.n}"
        self.live_refresh.add(refresh)
        return reply(
            200,
            {
                "access_token": f"a{self.n}",
                "token_type": "bearer",
                "expires_in": 5400,
                "refresh_token": refresh,
            },
        )


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def oauth(server: TokenServer, clock: Clock) -> OAuthClient:
    fake = FakeProcore()
    fake.on("POST", "/oauth/token", server)
    fake.on("POST", "/oauth/revoke", reply(200, {}))
    return OAuthClient(httpx2.Client(transport=httpx2.MockTransport(fake)), APP, clock=clock)


def test_authorization_url_names_the_app_and_the_redirect() -> None:
    url = oauth(TokenServer(), Clock()).authorization_url("st4te")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{LOGIN}/oauth/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["cid"],
        "redirect_uri": [APP.redirect_uri],
        "state": ["st4te"],
    }


def test_secrets_and_tokens_stay_out_of_repr() -> None:
    tokens = TokenSet("access-xyz", T0, "refresh-xyz")
    assert "xyz" not in repr(tokens)
    assert "csecret" not in repr(APP)


def test_client_credentials_are_fetched_once_and_reused_until_expiry() -> None:
    server, clock = TokenServer(), Clock()
    auth = ClientCredentialsAuth(oauth(server, clock), InMemoryTokenStore(), "svc")
    assert auth.access_token() == "cc1"
    assert auth.access_token() == "cc1"
    clock.now += timedelta(seconds=5400 - 60)
    assert auth.access_token() == "cc2"
    assert [f["grant_type"] for f in server.forms] == ["client_credentials"] * 2


def test_client_credentials_refetch_after_a_refused_token() -> None:
    server, clock = TokenServer(), Clock()
    auth = ClientCredentialsAuth(oauth(server, clock), InMemoryTokenStore(), "svc")
    first = auth.access_token()
    assert auth.refresh(first) == "cc2"
    # A stale rejection (another worker already replaced it) does not fetch again.
    assert auth.refresh(first) == "cc2"
    assert server.n == 2


class CountingStore(InMemoryTokenStore):
    def __init__(self) -> None:
        super().__init__()
        self.loads = 0

    def load(self, subject: str) -> Any:
        self.loads += 1
        return super().load(subject)


def test_the_service_token_in_use_is_read_from_the_store_only_when_it_must_change() -> None:
    server, clock = TokenServer(), Clock()
    store = CountingStore()
    auth = ClientCredentialsAuth(oauth(server, clock), store, "svc")
    assert {auth.access_token() for _ in range(50)} == {"cc1"}
    assert store.loads == 1
    # Another worker's process starts with the token stored: one read, then memory.
    other = ClientCredentialsAuth(oauth(server, clock), store, "svc")
    assert {other.access_token() for _ in range(50)} == {"cc1"}
    assert store.loads == 2
    assert server.n == 1
    # Refused: the store is read again (a newer token there would do), then Procore asked.
    assert auth.refresh("cc1") == "cc2"
    assert store.loads == 3
    # The other worker's token is refused too: it takes the one now stored.
    assert other.refresh("cc1") == "cc2"
    assert {other.access_token() for _ in range(5)} == {"cc2"}
    assert store.loads == 4
    # Near its expiry the store is read again and a new token fetched.
    clock.now += timedelta(seconds=5400 - 60)
    assert auth.access_token() == "cc3"
    assert store.loads == 5
    assert server.n == 3


def test_sign_in_stores_tokens_and_a_bad_code_says_why() -> None:
    server, clock = TokenServer(), Clock()
    store = InMemoryTokenStore()
    auth = AuthorizationCodeAuth(oauth(server, clock), store, "user:ada")
    with pytest.raises(ProcoreAuthError, match="code expired") as info:
        auth.sign_in("stale-code")
    assert info.value.error == "invalid_grant"
    auth.sign_in("good-code")
    stored = load_tokens(store, "user:ada")
    assert stored is not None
    assert stored.tokens.refresh_token == "r2"
    assert stored.version == 1


def test_refresh_rotates_and_stores_the_new_pair_before_use() -> None:
    server, clock = TokenServer(), Clock()
    store = InMemoryTokenStore()
    auth = AuthorizationCodeAuth(oauth(server, clock), store, "user:ada")
    auth.sign_in("good-code")
    clock.now += timedelta(minutes=89)
    assert auth.access_token() == "a2"
    stored = load_tokens(store, "user:ada")
    assert stored is not None
    assert (stored.tokens.refresh_token, stored.version) == ("r2", 2)
    assert server.forms[-1]["refresh_token"] == "r1"
    assert "r1" not in server.live_refresh


def test_rotation_survives_a_restart_through_the_store() -> None:
    server, clock = TokenServer(), Clock()
    store = InMemoryTokenStore()
    AuthorizationCodeAuth(oauth(server, clock), store, "user:ada").sign_in("good-code")
    clock.now += timedelta(hours=2)
    # A new process: new OAuth client and authenticator, same store.
    again = AuthorizationCodeAuth(oauth(server, clock), store, "user:ada")
    assert again.access_token() == "a2"
    clock.now += timedelta(hours=2)
    third = AuthorizationCodeAuth(oauth(server, clock), store, "user:ada")
    assert third.access_token() == "a3"


def test_two_workers_refreshing_at_once_end_with_one_valid_pair() -> None:
    server, clock = TokenServer(), Clock()
    store = InMemoryTokenStore()
    one = AuthorizationCodeAuth(oauth(server, clock), store, "user:ada")
    two = AuthorizationCodeAuth(oauth(server, clock), store, "user:ada")
    one.sign_in("good-code")
    stale = load_tokens(store, "user:ada")
    assert stale is not None
    assert one.refresh("a1") == "a2"
    # Worker two still holds the old pair: its refresh token is dead, so it takes one's.
    assert two._rotate(stale) == "a2"
    assert two.refresh("a1") == "a2"


def test_a_revoked_refresh_token_asks_for_a_new_sign_in() -> None:
    server, clock = TokenServer(), Clock()
    store = InMemoryTokenStore()
    auth = AuthorizationCodeAuth(oauth(server, clock), store, "user:ada")
    auth.sign_in("good-code")
    server.live_refresh.clear()
    with pytest.raises(ProcoreAuthError, match="refresh token invalid"):
        auth.refresh("a1")


def test_no_tokens_yet_means_sign_in_first() -> None:
    auth = AuthorizationCodeAuth(oauth(TokenServer(), Clock()), InMemoryTokenStore(), "user:x")
    with pytest.raises(ProcoreAuthError, match="sign in"):
        auth.access_token()


def test_compare_and_set_refuses_a_stale_version() -> None:
    store = InMemoryTokenStore()
    save_tokens(store, "k", TokenSet("a", T0, "r"), expected_version=None)
    save_tokens(store, "k", TokenSet("b", T0, "s"), expected_version=1)
    with pytest.raises(TokenConflict):
        save_tokens(store, "k", TokenSet("c", T0, "t"), expected_version=1)


def test_the_api_client_refreshes_through_the_authenticator_on_401() -> None:
    server, clock = TokenServer(), Clock()
    store = InMemoryTokenStore()
    auth = AuthorizationCodeAuth(oauth(server, clock), store, "user:ada")
    auth.sign_in("good-code")
    api = FakeProcore()
    api.on(
        "GET",
        "/rest/v1.0/me",
        lambda r: (
            reply(200, {"id": 1})
            if r.headers["Authorization"] == "Bearer a2"
            else reply(401, {"message": "The access token is invalid"})
        ),
    )
    client = make_client(api, auth=auth)
    assert client.get("/rest/v1.0/me") == {"id": 1}
    stored = load_tokens(store, "user:ada")
    assert stored is not None
    assert stored.tokens.refresh_token == "r2"


def test_revoke_posts_the_token_with_the_app_credentials() -> None:
    clock = Clock()
    fake = FakeProcore()
    fake.on("POST", "/oauth/revoke", reply(200, {}))
    client = OAuthClient(httpx2.Client(transport=httpx2.MockTransport(fake)), APP, clock=clock)
    client.revoke("a1")
    form = parse_qs(fake.requests[0].content.decode())
    assert form == {"token": ["a1"], "client_id": ["cid"], "client_secret": ["csecret"]}


@pytest.mark.parametrize("sent", [-1, 10**30, "1e30", float("inf"), True, [5400], "soon"])
def test_a_token_lifetime_that_is_no_number_of_seconds_says_so(sent: Any) -> None:
    fake = FakeProcore()
    fake.on("POST", "/oauth/token", reply(200, {"access_token": "a1", "expires_in": sent}))
    client = OAuthClient(httpx2.Client(transport=httpx2.MockTransport(fake)), APP, clock=Clock())
    with pytest.raises(
        ProcoreProtocolError, match=r"^Procore sent a token answer whose expires_in"
    ):
        client.client_credentials()


def test_a_token_lifetime_sent_as_digits_is_read() -> None:
    fake = FakeProcore()
    fake.on("POST", "/oauth/token", reply(200, {"access_token": "a1", "expires_in": "5400"}))
    client = OAuthClient(httpx2.Client(transport=httpx2.MockTransport(fake)), APP, clock=Clock())
    assert client.client_credentials().expires_at == T0 + timedelta(seconds=5400)


@pytest.mark.parametrize("status", [200, 400])
def test_a_token_answer_nested_too_deep_is_refused_with_a_clear_error(status: int) -> None:
    fake = FakeProcore()
    too_deep = b"[" * 5000 + b"]" * 5000  # Python's decoder raises RecursionError on it
    fake.on("POST", "/oauth/token", lambda _request: httpx2.Response(status, content=too_deep))
    client = OAuthClient(httpx2.Client(transport=httpx2.MockTransport(fake)), APP, clock=Clock())
    with pytest.raises(
        ProcoreAuthError, match=rf"^Procore refused the client_credentials grant \({status}\)"
    ):
        client.client_credentials()
