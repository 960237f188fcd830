from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet

from procore_qb.quickbooks.online.oauth import Tokens
from procore_qb.quickbooks.online.token_store import SqlTokenStore
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.migrate import upgrade
from procore_qb.store.models import Company, Connection
from procore_qb.store.secrets import SecretBox

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def tokens(n: int) -> Tokens:
    return Tokens(
        f"access-{n}", f"refresh-{n}", NOW + timedelta(hours=1), NOW + timedelta(days=100)
    )


def test_tokens_are_encrypted_and_rotate_with_compare_and_set(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    upgrade(engine)
    sessions = create_session_factory(engine)
    with sessions.begin() as session:
        session.add(
            Company(
                id=1,
                procore_company_id=10,
                name="Summit",
                qb_edition="online",
                qb_realm_id="123",
                created_at=NOW,
            )
        )
    box = SecretBox(Fernet.generate_key())
    store = SqlTokenStore(sessions, box, company_id=1, realm_id="123", clock=lambda: NOW)
    assert store.load() is None
    first = store.replace(tokens(1))
    loaded = store.load()
    assert loaded is not None
    assert loaded.tokens == tokens(1)
    assert loaded.version == first.version

    with sessions() as session:
        raw = session.scalars(sa.select(Connection)).one()
        assert "refresh-1" not in (raw.refresh_token_enc or "")
        assert raw.subject == "realm:123"

    assert store.rotate(first.version, tokens(2))
    assert not store.rotate(first.version, tokens(3)), "a stale version must lose"
    after = store.load()
    assert after is not None
    assert after.tokens.refresh_token == "refresh-2"
    assert "refresh-2" not in repr(after)

    # A new process (new store object) sees the newest token.
    again = SqlTokenStore(sessions, box, company_id=1, realm_id="123", clock=lambda: NOW).load()
    assert again is not None
    assert again.tokens.refresh_token == "refresh-2"
    store.clear()
    assert store.load() is None
    engine.dispose()
