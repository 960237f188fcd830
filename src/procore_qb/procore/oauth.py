"""OAuth 2.0 with Procore's login server, and keeping the tokens.

Two grants (spec procore-api §1.2):

* **client credentials** for the service account (Developer Managed Service Account): no
  refresh token; a new access token is requested when the old one is about to expire or was
  refused.
* **authorization code** for people signing in to our web app with their Procore login. The
  refresh token **rotates on every use**: the old one is dead as soon as Procore answers, even if
  the answer is lost. So the new pair is saved with compare-and-set on the stored ``version``
  (:class:`TokenStore`); when another worker rotated first, its pair is used instead.

Token stores must keep tokens encrypted at rest (the store's ``SqlTokenStore`` in
``procore_qb.store.repositories.connections`` does so with the app's secret key, for Procore and
QuickBooks Online alike); :class:`InMemoryTokenStore` is for tests and single-process tools.
Tokens never appear in ``repr`` or in error messages.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx2

from procore_qb.procore.answers import shown
from procore_qb.procore.errors import (
    ProcoreAuthError,
    ProcoreProtocolError,
    ProcoreTransportError,
    error_message,
)

__all__ = [
    "Authenticator",
    "AuthorizationCodeAuth",
    "ClientCredentialsAuth",
    "InMemoryTokenStore",
    "OAuthApp",
    "OAuthClient",
    "StaticTokenAuth",
    "StoredConnection",
    "StoredTokens",
    "TokenConflict",
    "TokenSet",
    "TokenStore",
    "load_tokens",
    "save_tokens",
]

# Refresh this long before Procore's expiry, so a token never dies in flight.
EXPIRY_MARGIN = timedelta(seconds=120)
_MAX_LIFETIME = 366 * 24 * 3600
"""The longest token lifetime we believe (a year); Procore's are 5,400 seconds."""


def _lifetime(value: Any) -> int | None:
    """A token answer's ``expires_in`` as whole seconds, or None when it is no such number."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if 0 <= value <= _MAX_LIFETIME else None


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """A registered Procore app: its credentials, login host and (for sign-in) redirect URI."""

    client_id: str
    client_secret: str = field(repr=False)
    login_base_url: str = "https://login.procore.com"
    redirect_uri: str = ""


@dataclass(frozen=True, slots=True)
class TokenSet:
    """What the token endpoint returned. ``refresh_token`` is None for client credentials."""

    access_token: str = field(repr=False)
    expires_at: datetime
    refresh_token: str | None = field(default=None, repr=False)

    def expires_soon(self, now: datetime) -> bool:
        return now + EXPIRY_MARGIN >= self.expires_at


@dataclass(frozen=True, slots=True)
class StoredTokens:
    """A token set as a store holds it; ``version`` goes up by one on every save."""

    tokens: TokenSet
    version: int


class TokenConflict(ProcoreAuthError):
    """A compare-and-set save lost: someone else stored newer tokens first."""


class StoredConnection(Protocol):
    """The tokens a store holds for one connection, with the version they were read at."""

    @property
    def access_token(self) -> str | None: ...
    @property
    def refresh_token(self) -> str | None: ...
    @property
    def access_expires_at(self) -> datetime | None: ...
    @property
    def version(self) -> int: ...


class TokenStore(Protocol):
    """Where tokens live between calls and across restarts, keyed by connection subject.

    ``replace`` creates or overwrites and returns the new version; ``rotate`` writes only if
    the stored version still equals ``expected_version`` (the new version is then one more)
    and returns False otherwise. Implementations encrypt tokens at rest and save atomically.
    """

    def load(self, subject: str) -> StoredConnection | None: ...

    def replace(
        self,
        subject: str,
        *,
        access_token: str,
        refresh_token: str | None,
        access_expires_at: datetime | None,
    ) -> int: ...

    def rotate(
        self,
        subject: str,
        *,
        expected_version: int,
        access_token: str,
        refresh_token: str | None,
        access_expires_at: datetime | None,
    ) -> bool: ...


@dataclass(frozen=True, slots=True)
class _MemoryRow:
    access_token: str | None = field(repr=False)
    refresh_token: str | None = field(repr=False)
    access_expires_at: datetime | None
    version: int


class InMemoryTokenStore:
    """A thread-safe :class:`TokenStore` in memory (tests, one-off tools)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, _MemoryRow] = {}

    def load(self, subject: str) -> StoredConnection | None:
        with self._lock:
            return self._rows.get(subject)

    def replace(
        self,
        subject: str,
        *,
        access_token: str,
        refresh_token: str | None,
        access_expires_at: datetime | None,
    ) -> int:
        with self._lock:
            current = self._rows.get(subject)
            version = (current.version if current else 0) + 1
            self._rows[subject] = _MemoryRow(
                access_token, refresh_token, access_expires_at, version
            )
            return version

    def rotate(
        self,
        subject: str,
        *,
        expected_version: int,
        access_token: str,
        refresh_token: str | None,
        access_expires_at: datetime | None,
    ) -> bool:
        with self._lock:
            current = self._rows.get(subject)
            if current is None or current.version != expected_version:
                return False
            self._rows[subject] = _MemoryRow(
                access_token,
                current.refresh_token if refresh_token is None else refresh_token,
                access_expires_at,
                expected_version + 1,
            )
            return True


def load_tokens(store: TokenStore, subject: str) -> StoredTokens | None:
    """The usable tokens of ``subject`` (None when there are none, or no expiry is known)."""
    found = store.load(subject)
    if found is None or found.access_token is None or found.access_expires_at is None:
        return None
    tokens = TokenSet(found.access_token, found.access_expires_at, found.refresh_token)
    return StoredTokens(tokens, found.version)


def save_tokens(
    store: TokenStore, subject: str, tokens: TokenSet, *, expected_version: int | None
) -> StoredTokens:
    """Save ``tokens``: overwrite when ``expected_version`` is None, else compare-and-set,
    raising :class:`TokenConflict` when another worker stored newer tokens first."""
    if expected_version is None:
        version = store.replace(
            subject,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            access_expires_at=tokens.expires_at,
        )
        return StoredTokens(tokens, version)
    won = store.rotate(
        subject,
        expected_version=expected_version,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        access_expires_at=tokens.expires_at,
    )
    if not won:
        raise TokenConflict(
            f"Procore tokens for {subject!r} were rotated by another worker since version "
            f"{expected_version}; reload them"
        )
    return StoredTokens(tokens, expected_version + 1)


class OAuthClient:
    """The three calls to Procore's login server: authorize URL, token, revoke."""

    def __init__(
        self,
        http: httpx2.Client,
        app: OAuthApp,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.http = http
        self.app = app
        self.clock = clock

    def _url(self, path: str) -> str:
        return self.app.login_base_url.rstrip("/") + path

    def authorization_url(self, state: str) -> str:
        """Where to send a person's browser to sign in with Procore."""
        if not self.app.redirect_uri:
            raise ProcoreAuthError("OAuthApp.redirect_uri is empty; set it to our /login callback")
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.app.client_id,
                "redirect_uri": self.app.redirect_uri,
                "state": state,
            }
        )
        return f"{self._url('/oauth/authorize')}?{query}"

    def _token(self, form: dict[str, str]) -> TokenSet:
        form = {**form, "client_id": self.app.client_id, "client_secret": self.app.client_secret}
        try:
            response = self.http.post(self._url("/oauth/token"), data=form)
        except httpx2.TransportError as exc:
            raise ProcoreTransportError(f"Procore login server unreachable: {exc}") from exc
        body: Any
        try:
            body = response.json()
        except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
            body = response.text[:500]
        if response.status_code != 200 or not isinstance(body, dict):
            code = body.get("error", "") if isinstance(body, dict) else ""
            detail = ""
            if isinstance(body, dict):
                detail = str(body.get("error_description") or "") or error_message(body)
            raise ProcoreAuthError(
                f"Procore refused the {form['grant_type']} grant "
                f"({response.status_code}{', ' + str(code) if code else ''}): "
                f"{detail or 'no reason given'}",
                error=str(code),
                status=response.status_code,
            )
        if body.get("access_token") is None:
            raise ProcoreAuthError("Procore's token answer has no access_token")
        access = str(body["access_token"])
        sent = body.get("expires_in", 5400)
        expires_in = _lifetime(sent)
        if expires_in is None:
            raise ProcoreProtocolError(
                f"Procore sent a token answer whose expires_in is {shown(sent)}, not a number "
                f"of seconds up to {_MAX_LIFETIME}",
                resource="token answer",
                field="expires_in",
                sent=shown(sent),
            )
        refresh = body.get("refresh_token")
        return TokenSet(
            access_token=access,
            expires_at=self.clock() + timedelta(seconds=expires_in),
            refresh_token=str(refresh) if refresh else None,
        )

    def client_credentials(self) -> TokenSet:
        return self._token({"grant_type": "client_credentials"})

    def exchange_code(self, code: str) -> TokenSet:
        """Trade the single-use code from the sign-in redirect for tokens."""
        return self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.app.redirect_uri,
            }
        )

    def refresh(self, refresh_token: str) -> TokenSet:
        """New tokens; ``refresh_token`` is invalid from now on (rotation)."""
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def revoke(self, token: str) -> None:
        """Revoke a token (Procore revokes the access and refresh token together)."""
        form = {
            "token": token,
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret,
        }
        try:
            self.http.post(self._url("/oauth/revoke"), data=form)
        except httpx2.TransportError as exc:
            raise ProcoreTransportError(f"Procore login server unreachable: {exc}") from exc


class Authenticator(Protocol):
    """What the API client needs: a token now, and a fresh one after a 401."""

    def access_token(self) -> str: ...

    def refresh(self, rejected: str) -> str: ...


class StaticTokenAuth:
    """A fixed access token (a personal token, or a test); a 401 is final."""

    def __init__(self, token: str) -> None:
        self._token = token

    def access_token(self) -> str:
        return self._token

    def refresh(self, rejected: str) -> str:
        raise ProcoreAuthError("the access token was refused and cannot be refreshed")


class ClientCredentialsAuth:
    """Service-account tokens, requested again whenever the stored one expires or is refused.

    The token in use is kept in memory until it expires or Procore refuses it, so a request
    reads the store only then: every worker may hold a token of its own, each valid until it
    expires (a client-credentials grant does not revoke the tokens granted before it)."""

    def __init__(self, oauth: OAuthClient, store: TokenStore, key: str) -> None:
        self.oauth = oauth
        self.store = store
        self.key = key
        self._in_use: TokenSet | None = None
        self._lock = threading.Lock()

    def _fetch(self, expected_version: int | None) -> str:
        tokens = self.oauth.client_credentials()
        # Another worker may have stored a token meanwhile; ours is just as good and valid.
        with contextlib.suppress(TokenConflict):
            save_tokens(self.store, self.key, tokens, expected_version=expected_version)
        self._in_use = tokens
        return tokens.access_token

    def access_token(self) -> str:
        in_use = self._in_use
        if in_use is not None and not in_use.expires_soon(self.oauth.clock()):
            return in_use.access_token
        with self._lock:
            stored = load_tokens(self.store, self.key)
            if stored is None or stored.tokens.expires_soon(self.oauth.clock()):
                return self._fetch(stored.version if stored else None)
            self._in_use = stored.tokens
            return stored.tokens.access_token

    def refresh(self, rejected: str) -> str:
        with self._lock:
            self._in_use = None
            stored = load_tokens(self.store, self.key)
            if stored is not None and stored.tokens.access_token != rejected:
                self._in_use = stored.tokens
                return stored.tokens.access_token
            return self._fetch(stored.version if stored else None)


class AuthorizationCodeAuth:
    """A person's tokens, rotated on refresh and saved with compare-and-set."""

    def __init__(self, oauth: OAuthClient, store: TokenStore, key: str) -> None:
        self.oauth = oauth
        self.store = store
        self.key = key

    def sign_in(self, code: str) -> TokenSet:
        """Finish sign-in: exchange the redirect's code and store the tokens."""
        tokens = self.oauth.exchange_code(code)
        save_tokens(self.store, self.key, tokens, expected_version=None)
        return tokens

    def _stored(self) -> StoredTokens:
        stored = load_tokens(self.store, self.key)
        if stored is None:
            raise ProcoreAuthError(f"no Procore tokens for {self.key!r}; sign in to Procore first")
        return stored

    def _rotate(self, stored: StoredTokens) -> str:
        refresh_token = stored.tokens.refresh_token
        if not refresh_token:
            raise ProcoreAuthError(f"no refresh token for {self.key!r}; sign in to Procore again")
        try:
            tokens = self.oauth.refresh(refresh_token)
        except ProcoreAuthError:
            # Another worker may have rotated first: its refresh killed the token we used.
            latest = self._stored()
            if latest.version != stored.version:
                return latest.tokens.access_token
            raise
        if tokens.refresh_token is None:
            tokens = replace(tokens, refresh_token=refresh_token)
        try:
            save_tokens(self.store, self.key, tokens, expected_version=stored.version)
        except TokenConflict:
            return self._stored().tokens.access_token
        return tokens.access_token

    def access_token(self) -> str:
        stored = self._stored()
        if stored.tokens.expires_soon(self.oauth.clock()):
            return self._rotate(stored)
        return stored.tokens.access_token

    def refresh(self, rejected: str) -> str:
        stored = self._stored()
        if stored.tokens.access_token != rejected:
            return stored.tokens.access_token
        return self._rotate(stored)
