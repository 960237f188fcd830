"""Builds the web app's dependencies from the settings: the one place that opens the database
for ``procore-qb serve``."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx2
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.app.context import AppContext, MailServer, ProcoreIdentity
from procore_qb.app.errors import NotConnected
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.jobs.port import JobQueue
from procore_qb.procore.answers import read_id
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.gateway import ProcoreGateway
from procore_qb.procore.oauth import (
    Authenticator,
    AuthorizationCodeAuth,
    ClientCredentialsAuth,
    StaticTokenAuth,
    load_tokens,
    save_tokens,
)
from procore_qb.procore.oauth import OAuthApp as ProcoreOAuthApp
from procore_qb.procore.oauth import OAuthClient as ProcoreOAuthClient
from procore_qb.procore.ratelimit import RateLimitPacer
from procore_qb.procore.resources.me import Me
from procore_qb.quickbooks.online.client import QboClient
from procore_qb.quickbooks.online.gateway import OnlineGateway
from procore_qb.quickbooks.online.oauth import OAuthApp as QboOAuthApp
from procore_qb.quickbooks.online.oauth import OAuthClient as QboOAuthClient
from procore_qb.quickbooks.online.oauth import TokenManager, fetch_discovery
from procore_qb.settings import Settings
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.errors import StoreError
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.connections import PROCORE, QUICKBOOKS_ONLINE, SqlTokenStore
from procore_qb.store.secrets import SecretBox, load_or_create_key
from procore_qb.web.app import WebDependencies

__all__ = ["build_app_context", "build_web_dependencies", "mail_server", "session_secret"]


def _now() -> datetime:
    return datetime.now(UTC)


def session_secret(settings: Settings) -> str:
    """The key that signs the pages' session cookies: the configured one or, in demo mode
    only, one derived from the installation's secret key (so sign-ins survive a restart of the
    same data dir). Empty when neither applies: the pages are then off."""
    configured = settings.web.session_secret.get_secret_value()
    if configured or not settings.demo:
        return configured
    key = load_or_create_key(settings.secret_key.get_secret_value(), settings.data_dir)
    return hmac.new(key, b"procore-qb web session cookies", hashlib.sha256).hexdigest()


def mail_server(settings: Settings) -> MailServer | None:
    """The configured mail server, without its password; None when mail is held."""
    mail = settings.mail
    if not mail.host:
        return None
    return MailServer(
        host=mail.host,
        port=mail.port,
        security=mail.security,
        from_address=mail.from_address,
        username=mail.username,
    )


def build_web_dependencies(settings: Settings) -> tuple[WebDependencies, Engine]:
    """Open the database, check its schema is current and find (or register) the company.

    Raises :class:`StoreError` or ``ValueError`` with the fix when something is missing.
    """
    company = settings.company
    if company.procore_company_id is None:
        raise ValueError(
            "no company is configured: set PROCORE_QB_COMPANY__PROCORE_COMPANY_ID to the id "
            "Procore shows in your company's URLs"
        )
    engine = create_engine(
        settings.database_url(), busy_timeout_ms=settings.database.sqlite_busy_timeout_ms
    )
    current = migrate.current_revision(engine)
    if current != migrate.head_revision():
        engine.dispose()
        raise StoreError(
            f"the database is at revision {current or 'none'}, not {migrate.head_revision()}: "
            "run `procore-qb db upgrade` first"
        )
    sessions = create_session_factory(engine)
    with sessions.begin() as session:
        companies = Companies(session)
        row = companies.by_procore_id(company.procore_company_id)
        if row is None:
            row = companies.add(
                procore_company_id=company.procore_company_id,
                name=company.name or f"Procore company {company.procore_company_id}",
                qb_edition=company.qb_edition,
                now=_now(),
            )
        company_id, stored_edition, company_name = row.id, row.qb_edition, row.name
    if stored_edition != company.qb_edition:
        engine.dispose()
        raise StoreError(
            f"this database keeps company {company.procore_company_id} on QuickBooks "
            f"{stored_edition}, but PROCORE_QB_COMPANY__QB_EDITION says "
            f"{company.qb_edition}; switching editions is not supported"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    deps = WebDependencies(
        sessions=sessions,
        company_id=company_id,
        qb_edition=company.qb_edition,
        data_dir=settings.data_dir,
        clock=_now,
        webconnector=settings.webconnector,
        qbo_webhook_verifier_token=settings.qbo.webhook_verifier_token.get_secret_value(),
        session_secret=session_secret(settings),
        secure_cookies=(
            not settings.demo
            if settings.web.secure_cookies is None
            else settings.web.secure_cookies
        ),
        session_max_age_seconds=settings.web.session_hours * 3600,
        company_name=company_name,
    )
    return deps, engine


def build_app_context(
    settings: Settings,
    *,
    sessions: sessionmaker[Session],
    queue: JobQueue,
    company_id: int,
    http: httpx2.Client,
    clock: Callable[[], datetime] = _now,
    procore_sleep: Callable[[float], None] | None = None,
) -> AppContext:
    """The use cases' context for the configured company, talking to Procore and QuickBooks
    through ``http`` (tests pass a client bound to in-process simulators)."""
    with sessions.begin() as session:
        company = Companies(session).get(company_id)
        procore_company_id = company.procore_company_id
        edition = QuickBooksEdition(company.qb_edition)
    box = SecretBox(load_or_create_key(settings.secret_key.get_secret_value(), settings.data_dir))
    app = ProcoreOAuthApp(
        settings.procore.client_id,
        settings.procore.client_secret.get_secret_value(),
        login_base_url=settings.procore.login_base_url,
        redirect_uri=settings.procore.redirect_uri,
    )
    oauth = ProcoreOAuthClient(http, app, clock=clock)
    tokens = SqlTokenStore(sessions, box, company_id=company_id, provider=PROCORE, clock=clock)
    pacer = RateLimitPacer()
    extra: dict[str, Any] = {} if procore_sleep is None else {"sleep": procore_sleep}

    def client(auth: Authenticator) -> ProcoreClient:
        return ProcoreClient(
            http,
            auth,
            company_id=procore_company_id,
            base_url=settings.procore.base_url,
            pacer=pacer,
            **extra,
        )

    service = ClientCredentialsAuth(oauth, tokens, "service-account")

    def procore() -> ProcoreGateway:
        return ProcoreGateway(client(service), clock=clock)

    def procore_as_user(procore_user_id: int) -> ProcoreGateway:
        key = f"user:{procore_user_id}"
        if load_tokens(tokens, key) is None:
            raise NotConnected(
                f"Procore user {procore_user_id} has not signed in to Procore through procore-qb; "
                "sign in once (`procore-qb token create --user EMAIL` shows the link)"
            )
        return ProcoreGateway(client(AuthorizationCodeAuth(oauth, tokens, key)), clock=clock)

    def sign_in(code: str) -> ProcoreIdentity:
        issued = oauth.exchange_code(code)
        me = Me(client(StaticTokenAuth(issued.access_token))).show()
        user_id = read_id(me, "id", what="user")
        email = str(me.get("login") or me.get("email_address") or "")
        if not email:
            raise NotConnected("Procore did not say who signed in (no login e-mail)")
        save_tokens(tokens, f"user:{user_id}", issued, expected_version=None)
        return ProcoreIdentity(user_id, email.lower(), str(me.get("name") or ""))

    online: Callable[[], OnlineGateway] | None = None
    online_oauth: Callable[[], QboOAuthClient] | None = None
    online_tokens: Callable[[], SqlTokenStore] | None = None
    if edition is QuickBooksEdition.ONLINE:

        def qbo_oauth() -> QboOAuthClient:
            discovery = fetch_discovery(http, settings.qbo.discovery_url)
            qbo_app = QboOAuthApp(
                settings.qbo.client_id,
                settings.qbo.client_secret.get_secret_value(),
                settings.qbo.redirect_uri,
            )
            return QboOAuthClient(http, qbo_app, discovery, clock=clock)

        def qbo_tokens() -> SqlTokenStore:
            return SqlTokenStore(
                sessions, box, company_id=company_id, provider=QUICKBOOKS_ONLINE, clock=clock
            )

        def online_gateway() -> OnlineGateway:
            # Read on each use: connecting QuickBooks sets the realm after this was built.
            with sessions.begin() as session:
                realm_id = Companies(session).get(company_id).qb_realm_id
            if not realm_id:
                raise NotConnected(
                    "QuickBooks Online is not connected: connect it (`procore-qb setup`, or "
                    "Settings → Connect to QuickBooks) first"
                )
            store = qbo_tokens()
            manager = TokenManager(
                qbo_oauth(), store, realm_id=realm_id, clock=clock, refresh_lock=store.refresh_lock
            )
            qbo = QboClient(
                http, realm_id=realm_id, tokens=manager, base_url=settings.qbo.api_base_url
            )
            return OnlineGateway(qbo, clock=clock)

        online = online_gateway
        online_oauth = qbo_oauth
        online_tokens = qbo_tokens

    return AppContext(
        sessions=sessions,
        queue=queue,
        clock=clock,
        company_id=company_id,
        procore_company_id=procore_company_id,
        edition=edition,
        procore=procore,
        procore_as_user=procore_as_user,
        procore_authorize_url=oauth.authorization_url,
        procore_sign_in=sign_in,
        online=online,
        online_oauth=online_oauth,
        online_tokens=online_tokens,
        demo=settings.demo,
        mail=mail_server(settings),
    )
