"""OAuth 2.0 for QuickBooks Online: connect, refresh with rotation, revoke.

Facts (spec §A.13): endpoints come from Intuit's discovery document; the authorization request
carries ``client_id, response_type=code, scope, redirect_uri, state``; the callback brings
``code``, ``state`` and ``realmId``; token requests are form-encoded with HTTP Basic client
authentication; access tokens last 3,600 s; every refresh may return a *new* refresh token and
the superseded one then fails with ``invalid_grant`` ("always store the latest refresh token");
an authorization code is single-use; refreshes must be serialised across workers.

How we honour rotation: :class:`TokenManager` refreshes under a lock and writes the new pair
with a compare-and-set on the stored version (:meth:`TokenStore.rotate`). If another worker
won the race, we reload and use the newer tokens. A refresh is never attempted with a token
that was read before someone else's rotation, and the newest refresh token is written before
the new access token is used. A stored access token whose expiry is unknown counts as expired.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx2

from procore_qb.quickbooks.online.errors import (
    QboOAuthError,
    QboProtocolError,
    QboTransportError,
    ReconnectRequired,
)

__all__ = [
    "ACCOUNTING_SCOPE",
    "DISCOVERY_PRODUCTION",
    "DISCOVERY_SANDBOX",
    "Connected",
    "Discovery",
    "OAuthApp",
    "OAuthClient",
    "StoredConnection",
    "StoredTokens",
    "TokenManager",
    "TokenStore",
    "Tokens",
    "fetch_discovery",
    "new_state",
    "realm_subject",
]

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
DISCOVERY_PRODUCTION = "https://developer.api.intuit.com/.well-known/openid_configuration"
DISCOVERY_SANDBOX = "https://developer.intuit.com/.well-known/openid_sandbox_configuration"
_DISCOVERY_KEYS = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "revocation_endpoint",
    "jwks_uri",
)


@dataclass(frozen=True, slots=True)
class Discovery:
    """The endpoints of Intuit's OpenID discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    revocation_endpoint: str
    jwks_uri: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Discovery:
        missing = [k for k in _DISCOVERY_KEYS if not isinstance(data.get(k), str)]
        if missing:
            raise QboProtocolError(
                f"the OAuth discovery document lacks {', '.join(missing)}; "
                "check the discovery URL (sandbox and production differ)"
            )
        return cls(**{k: str(data[k]) for k in _DISCOVERY_KEYS})


def fetch_discovery(http: httpx2.Client, url: str = DISCOVERY_PRODUCTION) -> Discovery:
    try:
        response = http.get(url, headers={"Accept": "application/json"})
    except httpx2.TransportError as exc:
        raise QboTransportError(f"could not fetch the OAuth discovery document {url}") from exc
    if not response.is_success:
        raise QboProtocolError(
            f"the OAuth discovery document {url} answered HTTP {response.status_code}"
        )
    try:
        data = response.json()
    except (ValueError, RecursionError) as exc:  # not JSON, or nested too deep to decode
        raise QboProtocolError(
            f"the OAuth discovery document {url} is not JSON (or is nested too deep to read)"
        ) from exc
    if not isinstance(data, dict):
        raise QboProtocolError(f"the OAuth discovery document {url} is not a JSON object")
    return Discovery.from_json(data)


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """The app's credentials from the Intuit developer portal."""

    client_id: str
    client_secret: str
    redirect_uri: str
    scope: str = ACCOUNTING_SCOPE

    def __repr__(self) -> str:
        return f"OAuthApp(client_id={self.client_id!r}, redirect_uri={self.redirect_uri!r})"


@dataclass(frozen=True, slots=True)
class Tokens:
    """A token pair as the token endpoint returned it, with absolute expiry times."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime | None
    """None: unknown (a stored token without an expiry); the token counts as expired."""
    refresh_expires_at: datetime | None = None
    scope: str = ""

    def __repr__(self) -> str:
        at = self.access_expires_at
        expires = "unknown" if at is None else at.isoformat()
        return f"Tokens(<hidden>, access_expires_at={expires})"


@dataclass(frozen=True, slots=True)
class StoredTokens:
    """Tokens as stored, with the version the compare-and-set rotation checks."""

    tokens: Tokens
    version: int

    def __repr__(self) -> str:
        return f"StoredTokens({self.tokens!r}, version={self.version})"


@dataclass(frozen=True, slots=True)
class Connected:
    """The outcome of the connect flow."""

    realm_id: str
    tokens: Tokens


class StoredConnection(Protocol):
    """The tokens a store holds for one connection, with the version they were read at."""

    @property
    def access_token(self) -> str | None: ...
    @property
    def refresh_token(self) -> str | None: ...
    @property
    def access_expires_at(self) -> datetime | None: ...
    @property
    def refresh_expires_at(self) -> datetime | None: ...
    @property
    def scope(self) -> str: ...
    @property
    def version(self) -> int: ...


class TokenStore(Protocol):
    """Durable tokens of QuickBooks Online connections, keyed by subject (``realm:<id>``).

    The store's ``SqlTokenStore`` (:mod:`procore_qb.store.repositories.connections`)
    implements it over the ``connections`` table, encrypted at rest. Every method commits
    before returning.
    """

    def load(self, subject: str) -> StoredConnection | None: ...

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
        """Store tokens from a new connection, whatever was there; returns their version."""
        ...

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
        """Store refreshed tokens only if the stored version is still ``expected_version``."""
        ...

    def clear(self, subject: str) -> None: ...


def realm_subject(realm_id: str) -> str:
    """The connection subject under which a realm's tokens are stored."""
    return f"realm:{realm_id}"


def new_state() -> str:
    """An unguessable ``state`` for one authorization request (keep it in the user's session)."""
    return secrets.token_urlsafe(32)


class OAuthClient:
    """The OAuth 2.0 endpoints for one app."""

    def __init__(
        self,
        http: httpx2.Client,
        app: OAuthApp,
        discovery: Discovery,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._http = http
        self.app = app
        self.discovery = discovery
        self._clock = clock

    def authorization_url(self, state: str) -> str:
        params = {
            "client_id": self.app.client_id,
            "response_type": "code",
            "scope": self.app.scope,
            "redirect_uri": self.app.redirect_uri,
            "state": state,
        }
        return f"{self.discovery.authorization_endpoint}?{urlencode(params)}"

    def complete(self, callback: Mapping[str, str], *, expected_state: str) -> Connected:
        """Handle the redirect back: check ``state`` (constant time), take ``realmId`` and
        exchange the single-use ``code`` for tokens."""
        if "error" in callback:
            raise QboOAuthError(
                f"QuickBooks refused the connection: {callback.get('error')}"
                f" {callback.get('error_description', '')}".strip()
            )
        state = callback.get("state", "")
        if not expected_state or not hmac.compare_digest(state.encode(), expected_state.encode()):
            raise QboOAuthError(
                "the OAuth state does not match this browser session; start the connection "
                "again from the settings page"
            )
        code = callback.get("code", "")
        realm_id = callback.get("realmId", "")
        if not code:
            raise QboOAuthError("the OAuth callback has no code; start the connection again")
        if not realm_id.isdigit():
            raise QboOAuthError(
                "the OAuth callback has no realmId; connect with the accounting scope "
                f"({ACCOUNTING_SCOPE})"
            )
        tokens = self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.app.redirect_uri,
            }
        )
        return Connected(realm_id=realm_id, tokens=tokens)

    def refresh(self, refresh_token: str) -> Tokens:
        return self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def revoke(self, token: str) -> None:
        """Revoke a refresh (or access) token; a token that is already invalid is fine."""
        try:
            response = self._http.post(
                self.discovery.revocation_endpoint,
                json={"token": token},
                headers={"Authorization": self._basic(), "Accept": "application/json"},
            )
        except httpx2.TransportError as exc:
            raise QboTransportError("could not reach the OAuth revocation endpoint") from exc
        if response.status_code not in (200, 400):
            raise QboOAuthError(f"token revocation answered HTTP {response.status_code}")

    def _basic(self) -> str:
        raw = f"{self.app.client_id}:{self.app.client_secret}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def _token_request(self, form: Mapping[str, str]) -> Tokens:
        now = self._clock()
        try:
            response = self._http.post(
                self.discovery.token_endpoint,
                data=dict(form),
                headers={"Authorization": self._basic(), "Accept": "application/json"},
            )
        except httpx2.TransportError as exc:
            raise QboTransportError("could not reach the OAuth token endpoint") from exc
        try:
            body = response.json()
        except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
            body = {}
        if not isinstance(body, dict):
            body = {}
        if not response.is_success:
            error = str(body.get("error", f"HTTP {response.status_code}"))
            if error == "invalid_grant":
                raise ReconnectRequired(
                    "QuickBooks no longer accepts the stored authorization (invalid_grant); "
                    "reconnect QuickBooks from the settings page",
                    code="invalid_grant",
                    status=response.status_code,
                    intuit_tid=response.headers.get("intuit_tid"),
                )
            raise QboOAuthError(
                f"the OAuth token endpoint refused the request: {error}",
                code=error,
                status=response.status_code,
                intuit_tid=response.headers.get("intuit_tid"),
            )
        try:
            access = str(body["access_token"])
            refresh = str(body["refresh_token"])
            expires_in = int(body.get("expires_in", 3600))
        except (KeyError, TypeError, ValueError) as exc:
            raise QboProtocolError(
                "the token response lacks access_token or refresh_token"
            ) from exc
        refresh_in = body.get("x_refresh_token_expires_in")
        return Tokens(
            access_token=access,
            refresh_token=refresh,
            access_expires_at=now + timedelta(seconds=expires_in),
            refresh_expires_at=(
                now + timedelta(seconds=int(refresh_in)) if refresh_in is not None else None
            ),
            scope=str(body.get("scope", self.app.scope)),
        )


class TokenManager:
    """Access tokens of one connection, refreshed before expiry and once after a 401.

    Implements :class:`~.client.AccessTokenSource`. ``margin`` is how long before expiry a
    token counts as expired. ``refresh_lock(subject)`` serialises refreshes beyond this object
    (other processes and machines sharing the store): a refresh reads the stored tokens,
    refreshes and rotates while holding it, so no two refreshes start from the same token.
    """

    def __init__(
        self,
        oauth: OAuthClient,
        store: TokenStore,
        *,
        realm_id: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        margin: timedelta = timedelta(minutes=5),
        refresh_lock: Callable[[str], AbstractContextManager[object]] | None = None,
    ) -> None:
        self._refresh_lock = refresh_lock
        self._oauth = oauth
        self._store = store
        self._subject = realm_subject(realm_id)
        self._clock = clock
        self._margin = margin
        self._lock = threading.Lock()
        #: Refreshes performed by this manager.
        self.refreshes = 0

    def connect(self, connected: Connected) -> StoredTokens:
        """Store the tokens of a finished connect flow for this manager's realm."""
        if realm_subject(connected.realm_id) != self._subject:
            raise QboOAuthError(
                f"QuickBooks connected company {connected.realm_id}, not the one this connection "
                f"is for ({self._subject}); connect the same QuickBooks company again"
            )
        tokens = connected.tokens
        version = self._store.replace(
            self._subject,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            access_expires_at=tokens.access_expires_at,
            refresh_expires_at=tokens.refresh_expires_at,
            scope=tokens.scope,
        )
        return StoredTokens(tokens=tokens, version=version)

    def load(self) -> StoredTokens | None:
        """The stored tokens of this realm (None when it is not connected)."""
        found = self._store.load(self._subject)
        if found is None or not found.access_token or not found.refresh_token:
            return None
        return StoredTokens(
            tokens=Tokens(
                access_token=found.access_token,
                refresh_token=found.refresh_token,
                access_expires_at=found.access_expires_at,
                refresh_expires_at=found.refresh_expires_at,
                scope=found.scope,
            ),
            version=found.version,
        )

    def _fresh(self, tokens: Tokens) -> bool:
        expires = tokens.access_expires_at
        # now + margin, not expires - margin: a far-past expiry must not underflow.
        return expires is not None and self._clock() + self._margin < expires

    def _current(self) -> StoredTokens:
        stored = self.load()
        if stored is None:
            raise ReconnectRequired(
                "QuickBooks Online is not connected; connect it from the settings page"
            )
        return stored

    def access_token(self) -> str:
        stored = self._current()
        if self._fresh(stored.tokens):
            return stored.tokens.access_token
        return self._refresh(stale_access=stored.tokens.access_token)

    def refresh_after_rejection(self, rejected: str) -> str:
        return self._refresh(stale_access=rejected)

    def _refresh(self, *, stale_access: str) -> str:
        shared = nullcontext() if self._refresh_lock is None else self._refresh_lock(self._subject)
        with self._lock, shared:
            stored = self._current()
            fresh_enough = self._fresh(stored.tokens)
            if stored.tokens.access_token != stale_access and fresh_enough:
                return stored.tokens.access_token  # someone else refreshed meanwhile
            try:
                tokens = self._oauth.refresh(stored.tokens.refresh_token)
            except ReconnectRequired:
                latest = self._current()
                if latest.version != stored.version:
                    # Another worker rotated between our read and our refresh: theirs is newer.
                    return latest.tokens.access_token
                raise
            self.refreshes += 1
            if self._store.rotate(
                self._subject,
                expected_version=stored.version,
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                access_expires_at=tokens.access_expires_at,
                refresh_expires_at=tokens.refresh_expires_at,
            ):
                return tokens.access_token
            return self._current().tokens.access_token

    def disconnect(self) -> None:
        """Revoke the refresh token at Intuit and forget the tokens."""
        stored = self.load()
        if stored is not None:
            self._oauth.revoke(stored.tokens.refresh_token)
        self._store.clear(self._subject)
