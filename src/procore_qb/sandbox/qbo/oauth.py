"""An OAuth 2.0 authorization server with Intuit's behaviour (spec A.13).

- Discovery document with Intuit's keys; endpoints relative to the simulator's base URL.
- The authorization endpoint consents at once (sandbox) and redirects with ``code``, ``state``
  and ``realmId``; redirect URIs must be on 127.0.0.1 or localhost (DESIGN §4).
- Codes are single-use: a second exchange fails with ``invalid_grant`` and revokes what the
  first one issued (intuit/oauth-jsclient#173, Intuit staff; RFC 6749 §4.1.2).
- Client authentication is HTTP Basic or ``client_id``/``client_secret`` in the form body
  (RFC 6749 §2.3.1), as Intuit's discovery document advertises
  (``token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"]``).
- Access tokens last 3,600 s; refresh tokens 100 days, rolling on each use.
- A refresh returns the current refresh token; its value rotates at least daily (configurable
  down to every refresh). An older value gives ``invalid_grant`` (intuit/oauth-jsclient#77).
- Revocation ends the whole grant.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from procore_qb.sandbox.qbo import faults
from procore_qb.sandbox.qbo.clock import format_time, parse_time
from procore_qb.sandbox.qbo.config import SimulatorConfig
from procore_qb.sandbox.qbo.errors import OAuthError

__all__ = ["ACCOUNTING_SCOPE", "SCOPES", "OAuthServer", "discovery_document"]

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
# Scopes of intuit/oauth-pythonclient intuitlib/enums.py (spec A.13).
SCOPES = frozenset(
    {
        ACCOUNTING_SCOPE,
        "com.intuit.quickbooks.payment",
        "openid",
        "profile",
        "email",
        "phone",
        "address",
    }
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

PATHS = {
    "authorization_endpoint": "/connect/oauth2",
    "token_endpoint": "/oauth2/v1/tokens/bearer",
    "userinfo_endpoint": "/v1/openid_connect/userinfo",
    "revocation_endpoint": "/oauth2/v1/tokens/revoke",
    "jwks_uri": "/op/v1/jwks",
}


def discovery_document(base_url: str) -> dict[str, Any]:
    """The keys of Intuit's discovery document (spec A.13), at this server's base URL."""
    base = base_url.rstrip("/")
    doc: dict[str, Any] = {"issuer": f"{base}/op/v1"}
    doc.update({key: base + path for key, path in PATHS.items()})
    doc.update(
        {
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": sorted(SCOPES),
            # Intuit's discovery documents list both (developer.api.intuit.com/.well-known/
            # openid_configuration and openid_sandbox_configuration).
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
        }
    )
    return doc


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class OAuthServer:
    """Grants, codes and tokens; ``state()`` is JSON data so it survives a restart."""

    def __init__(self, config: SimulatorConfig, state: dict[str, Any] | None = None) -> None:
        self._config = config
        self._state: dict[str, Any] = state or {}
        for key in ("codes", "grants", "access", "refresh"):
            self._state.setdefault(key, {})
        self._key: rsa.RSAPrivateKey | None = None
        self._issuer = ""

    def state(self) -> dict[str, Any]:
        return self._state

    def reset(self) -> None:
        for key in ("codes", "grants", "access", "refresh"):
            self._state[key] = {}

    # ------------------------------------------------------------------ authorization endpoint

    def authorize(self, params: dict[str, str], realm_id: str, now: datetime) -> str:
        """Validate an authorization request and return the redirect URL (auto-consent)."""
        client_id = params.get("client_id", "")
        if client_id != self._config.client_id:
            raise OAuthError("invalid_client", f"unknown client_id {client_id!r}")
        redirect_uri = params.get("redirect_uri", "")
        try:
            parts = urlsplit(redirect_uri)
            host = parts.hostname
        except ValueError:  # "http://[::1": not a URL at all
            host = None
        if host is None or parts.scheme not in ("http", "https") or host not in LOCAL_HOSTS:
            raise OAuthError(
                "invalid_request",
                f"redirect_uri {redirect_uri!r} is not registered: the sandbox app accepts "
                "http(s) redirect URIs on 127.0.0.1 or localhost",
            )
        state = params.get("state", "")
        error = self._authorization_error(params, state)
        if error is not None:
            return _with_query(redirect_uri, error)
        code = secrets.token_urlsafe(24)
        scopes = params["scope"].split()
        self._state["codes"][code] = {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "realm_id": realm_id,
            "scope": scopes,
            "issued": format_time(now),
            "used": False,
            "grant": None,
        }
        answer = {"code": code, "state": state}
        if ACCOUNTING_SCOPE in scopes or "com.intuit.quickbooks.payment" in scopes:
            answer["realmId"] = realm_id
        return _with_query(redirect_uri, answer)

    @staticmethod
    def _authorization_error(params: dict[str, str], state: str) -> dict[str, str] | None:
        if params.get("response_type") != "code":
            return {"error": "unsupported_response_type", "state": state}
        scopes = params.get("scope", "").split()
        if not scopes or any(scope not in SCOPES for scope in scopes):
            return {"error": "invalid_scope", "state": state}
        if not state:
            return {"error": "invalid_request", "error_description": "state is required"}
        return None

    # ------------------------------------------------------------------ token endpoint

    def authenticate_client(
        self, authorization: str | None, form: dict[str, str] | None = None
    ) -> None:
        """Client authentication by HTTP Basic (``client_secret_basic``, spec A.13) or by
        ``client_id`` and ``client_secret`` in the form body (``client_secret_post``), the two
        methods RFC 6749 §2.3.1 defines and Intuit's discovery document lists. A request using
        both must name the same client in each (RFC 6749 §2.3: one client, one identity)."""
        form = form or {}
        scheme, _, encoded = (authorization or "").partition(" ")
        posted = "client_id" in form or "client_secret" in form
        if scheme.lower() != "basic":
            if not posted:
                raise OAuthError(
                    "invalid_client",
                    "send Authorization: Basic base64(client_id:client_secret), or client_id "
                    "and client_secret in the form body",
                    status=401,
                )
            self._check_client(form.get("client_id", ""), form.get("client_secret", ""))
            return
        try:
            client_id, _, secret = base64.b64decode(encoded).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "malformed Basic credentials", status=401) from None
        if posted and form.get("client_id", client_id) != client_id:
            raise OAuthError(
                "invalid_request",
                "the Basic credentials and the form's client_id name different clients; "
                "send the client's credentials one way",
            )
        self._check_client(client_id, secret)

    def _check_client(self, client_id: str, secret: str) -> None:
        good_id = hmac.compare_digest(client_id.encode(), self._config.client_id.encode())
        good_secret = hmac.compare_digest(secret.encode(), self._config.client_secret.encode())
        if not (good_id and good_secret):
            raise OAuthError("invalid_client", "client id or secret is wrong", status=401)

    def token(self, form: dict[str, str], now: datetime) -> dict[str, Any]:
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange_code(form, now)
        if grant_type == "refresh_token":
            return self._refresh(form, now)
        raise OAuthError(
            "unsupported_grant_type", "grant_type must be authorization_code or refresh_token"
        )

    def _exchange_code(self, form: dict[str, str], now: datetime) -> dict[str, Any]:
        code = self._state["codes"].get(form.get("code", ""))
        if code is None:
            raise OAuthError("invalid_grant", "authorization code is unknown")
        if code["used"]:
            # Single use: a replayed code revokes what it issued (spec A.13).
            if code["grant"]:
                self._revoke_grant(code["grant"])
            raise OAuthError("invalid_grant", "authorization code was already used")
        code["used"] = True
        lifetime = timedelta(seconds=self._config.authorization_code_seconds)
        if now - parse_time(code["issued"]) > lifetime:
            raise OAuthError("invalid_grant", "authorization code has expired; authorize again")
        if form.get("redirect_uri") != code["redirect_uri"]:
            raise OAuthError(
                "invalid_grant", "redirect_uri differs from the one of the authorization request"
            )
        grant_id = secrets.token_hex(8)
        code["grant"] = grant_id
        refresh = "RT1-" + secrets.token_urlsafe(32)
        self._state["grants"][grant_id] = {
            "client_id": code["client_id"],
            "realm_id": code["realm_id"],
            "scope": code["scope"],
            "refresh_token": refresh,
            "refresh_issued": format_time(now),
            "refresh_expires": format_time(now + self._refresh_lifetime()),
            "revoked": False,
        }
        self._state["refresh"][refresh] = grant_id
        return self._answer(grant_id, now)

    def _refresh_lifetime(self) -> timedelta:
        return timedelta(seconds=self._config.refresh_token_seconds)

    def _refresh(self, form: dict[str, str], now: datetime) -> dict[str, Any]:
        value = form.get("refresh_token", "")
        grant_id = self._state["refresh"].get(value)
        grant = self._state["grants"].get(grant_id) if grant_id else None
        if grant is None:
            raise OAuthError("invalid_grant", "Incorrect or invalid refresh token")
        if grant["revoked"]:
            raise OAuthError("invalid_grant", "refresh token was revoked; reconnect QuickBooks")
        if value != grant["refresh_token"]:
            raise OAuthError(
                "invalid_grant",
                "refresh token was superseded by a newer one; always store the latest "
                "refresh_token returned",
            )
        if now >= parse_time(grant["refresh_expires"]):
            raise OAuthError("invalid_grant", "refresh token has expired; reconnect QuickBooks")
        rotate = timedelta(seconds=self._config.refresh_rotation_seconds)
        if now - parse_time(grant["refresh_issued"]) >= rotate:
            fresh = "RT1-" + secrets.token_urlsafe(32)
            grant["refresh_token"] = fresh
            grant["refresh_issued"] = format_time(now)
            self._state["refresh"][fresh] = grant_id
        grant["refresh_expires"] = format_time(now + self._refresh_lifetime())
        assert grant_id is not None  # noqa: S101 - found above
        return self._answer(grant_id, now)

    def _answer(self, grant_id: str, now: datetime) -> dict[str, Any]:
        grant = self._state["grants"][grant_id]
        access = secrets.token_urlsafe(40)
        lifetime = self._config.access_token_seconds
        self._state["access"][access] = {
            "grant": grant_id,
            "realm_id": grant["realm_id"],
            "expires": format_time(now + timedelta(seconds=lifetime)),
        }
        remaining = parse_time(grant["refresh_expires"]) - now
        answer: dict[str, Any] = {
            "token_type": "bearer",
            "access_token": access,
            "refresh_token": grant["refresh_token"],
            "expires_in": lifetime,
            "x_refresh_token_expires_in": int(remaining.total_seconds()),
        }
        if "openid" in grant["scope"]:
            answer["id_token"] = self._id_token(grant, now)
        return answer

    # ------------------------------------------------------------------ revocation, userinfo

    def revoke(self, token: str) -> None:
        """Revoke the grant behind an access or refresh token; unknown tokens are ignored
        (RFC 7009 §2.2)."""
        grant_id = self._state["refresh"].get(token)
        if grant_id is None and token in self._state["access"]:
            grant_id = self._state["access"][token]["grant"]
        if grant_id is not None:
            self._revoke_grant(grant_id)

    def _revoke_grant(self, grant_id: str) -> None:
        grant = self._state["grants"].get(grant_id)
        if grant is not None:
            grant["revoked"] = True
        for token in [k for k, v in self._state["access"].items() if v["grant"] == grant_id]:
            del self._state["access"][token]

    def expire_access_tokens(self) -> int:
        """Sandbox control: forget every access token, as if an hour had passed."""
        count = len(self._state["access"])
        self._state["access"].clear()
        return count

    def check_access(self, authorization: str | None, realm_id: str, now: datetime) -> str:
        """The grant id of a valid bearer token for ``realm_id``; else 401 3200 / 403 3100."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise faults.unauthenticated("no bearer token in the Authorization header")
        access = self._state["access"].get(token.strip())
        if access is None:
            raise faults.unauthenticated("the access token is unknown or was revoked")
        if now >= parse_time(access["expires"]):
            raise faults.unauthenticated("the access token has expired")
        if access["realm_id"] != realm_id:
            raise faults.unauthorized_realm(realm_id)
        return str(access["grant"])

    def issue(self, realm_id: str, now: datetime, scope: list[str] | None = None) -> dict[str, Any]:
        """Sandbox control: tokens for ``realm_id`` without the browser round trip."""
        grant_id = secrets.token_hex(8)
        refresh = "RT1-" + secrets.token_urlsafe(32)
        self._state["grants"][grant_id] = {
            "client_id": self._config.client_id,
            "realm_id": realm_id,
            "scope": scope or [ACCOUNTING_SCOPE],
            "refresh_token": refresh,
            "refresh_issued": format_time(now),
            "refresh_expires": format_time(now + self._refresh_lifetime()),
            "revoked": False,
        }
        self._state["refresh"][refresh] = grant_id
        return self._answer(grant_id, now)

    def userinfo(self, authorization: str | None, now: datetime) -> dict[str, Any]:
        scheme, _, token = (authorization or "").partition(" ")
        access = self._state["access"].get(token.strip()) if scheme.lower() == "bearer" else None
        if access is None or now >= parse_time(access["expires"]):
            raise OAuthError("invalid_token", "the access token is unknown or expired", status=401)
        grant = self._state["grants"][access["grant"]]
        return {
            "sub": _subject(grant["realm_id"]),
            "email": "owner@summit.example",
            "emailVerified": True,
            "givenName": "Ada",
            "familyName": "Alvarez",
        }

    # ------------------------------------------------------------------ id tokens

    def _private_key(self) -> rsa.RSAPrivateKey:
        if self._key is None:
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._key

    def jwks(self) -> dict[str, Any]:
        numbers = self._private_key().public_key().public_numbers()

        def encode(value: int) -> str:
            return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        return {
            "keys": [
                {
                    "kty": "RSA",
                    "alg": "RS256",
                    "use": "sig",
                    "kid": self._kid(),
                    "n": encode(numbers.n),
                    "e": encode(numbers.e),
                }
            ]
        }

    def _kid(self) -> str:
        public = (
            self._private_key()
            .public_key()
            .public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        return hashlib.sha256(public).hexdigest()[:16]

    def _id_token(self, grant: dict[str, Any], now: datetime) -> str:
        header = {"alg": "RS256", "kid": self._kid(), "typ": "JWT"}
        issued = int(now.timestamp())
        claims = {
            "iss": self._issuer,
            "aud": [grant["client_id"]],
            "sub": _subject(grant["realm_id"]),
            "realmid": grant["realm_id"],
            "iat": issued,
            "exp": issued + self._config.access_token_seconds,
            "auth_time": issued,
        }
        signing_input = (
            _b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + _b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        signature = self._private_key().sign(
            signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
        return signing_input + "." + _b64url(signature)

    def set_issuer(self, issuer: str) -> None:
        """The discovery document's ``issuer``; id tokens carry it as ``iss``."""
        self._issuer = issuer


def _subject(realm_id: str) -> str:
    return hashlib.sha256(f"sandbox-user:{realm_id}".encode()).hexdigest()[:32]


def _with_query(url: str, params: dict[str, str]) -> str:
    joiner = "&" if urlsplit(url).query else "?"
    return url + joiner + urlencode(params)
