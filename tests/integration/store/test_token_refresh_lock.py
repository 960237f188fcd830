"""QuickBooks Online token refreshes are serialised across processes and machines: the
refresh lock of one connection is a PostgreSQL advisory lock, or SQLite's write lock, and the
store's calls made while holding it join its transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.quickbooks.online.oauth import Connected, TokenManager, Tokens
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.migrate import upgrade
from procore_qb.store.models import Company
from procore_qb.store.repositories.connections import QUICKBOOKS_ONLINE, SqlTokenStore
from procore_qb.store.secrets import SecretBox

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
REALM = "123"
SUBJECT = f"realm:{REALM}"
BOX = SecretBox(Fernet.generate_key())


def _company(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(
            Company(
                id=1,
                procore_company_id=10,
                name="Summit",
                qb_edition="online",
                qb_realm_id=REALM,
                created_at=NOW,
            )
        )


def _store(sessions: sessionmaker[Session]) -> SqlTokenStore:
    return SqlTokenStore(sessions, BOX, company_id=1, provider=QUICKBOOKS_ONLINE, clock=lambda: NOW)


class CountingOAuth:
    """Stands in for Intuit's token endpoint: each refresh rotates the refresh token."""

    def __init__(self) -> None:
        self.refreshed: list[str] = []

    def refresh(self, refresh_token: str) -> Tokens:
        self.refreshed.append(refresh_token)
        n = len(self.refreshed)
        return Tokens(f"access-{n}", f"refresh-{n}", NOW + timedelta(hours=1))


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[tuple[sa.Engine, sessionmaker[Session]]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}", busy_timeout_ms=0)
    upgrade(engine)
    sessions = create_session_factory(engine)
    _company(sessions)
    yield engine, sessions
    engine.dispose()


def _manager(store: SqlTokenStore, oauth: CountingOAuth) -> TokenManager:
    return TokenManager(
        oauth,  # type: ignore[arg-type]
        store,
        realm_id=REALM,
        clock=lambda: NOW,
        refresh_lock=store.refresh_lock,
    )


def test_sqlite_holds_the_write_lock_and_the_store_joins_it(
    sqlite: tuple[sa.Engine, sessionmaker[Session]],
) -> None:
    _, sessions = sqlite
    store = _store(sessions)
    store.replace(SUBJECT, access_token="a0", refresh_token="r0", access_expires_at=NOW)
    with store.refresh_lock(SUBJECT):
        loaded = store.load(SUBJECT)  # joins the lock's transaction instead of waiting on it
        assert loaded is not None
        assert store.rotate(
            SUBJECT,
            expected_version=loaded.version,
            access_token="a1",
            refresh_token="r1",
            access_expires_at=NOW + timedelta(hours=1),
        )
        # Another process writing now finds the database locked (busy timeout 0 here).
        with pytest.raises(sa.exc.OperationalError, match="locked"), sessions.begin() as other:
            other.execute(sa.text("UPDATE companies SET name = 'x' WHERE id = 1"))
    # Released: the rotation is committed and others may write again.
    with sessions.begin() as other:
        other.execute(sa.text("UPDATE companies SET name = 'x' WHERE id = 1"))
    after = _store(sessions).load(SUBJECT)
    assert after is not None
    assert after.refresh_token == "r1"


def test_a_manager_refreshes_under_the_lock_and_the_next_one_uses_its_tokens(
    sqlite: tuple[sa.Engine, sessionmaker[Session]],
) -> None:
    _, sessions = sqlite
    oauth = CountingOAuth()
    first, second = _manager(_store(sessions), oauth), _manager(_store(sessions), oauth)
    first.connect(Connected(REALM, Tokens("a0", "r0", NOW - timedelta(minutes=1))))
    assert first.access_token() == "access-1"
    assert second.access_token() == "access-1"  # fresh: no second refresh
    assert second.refresh_after_rejection("access-1") == "access-2"
    assert oauth.refreshed == ["r0", "refresh-1"]  # never the same refresh token twice


@pytest.mark.postgres
def test_postgresql_holds_an_advisory_lock_per_connection(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        upgrade(engine)
        sessions = create_session_factory(engine)
        _company(sessions)
        store = _store(sessions)
        store.replace(SUBJECT, access_token="a0", refresh_token="r0", access_expires_at=NOW)
        key = store.lock_key(SUBJECT)
        other_key = store.lock_key("realm:456")
        assert key != other_key

        def try_lock(k: int) -> bool:
            with engine.connect() as conn, conn.begin():
                return bool(conn.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(k))))

        with store.refresh_lock(SUBJECT):
            assert store.load(SUBJECT) is not None
            assert not try_lock(key)  # another machine waits for this connection's refresh
            assert try_lock(other_key)  # other connections do not
        assert try_lock(key)
    finally:
        engine.dispose()
