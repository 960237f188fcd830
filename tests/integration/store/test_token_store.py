from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet

from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.migrate import upgrade
from procore_qb.store.models import Company, Connection
from procore_qb.store.repositories.connections import PROCORE, QUICKBOOKS_ONLINE, SqlTokenStore
from procore_qb.store.secrets import SecretBox

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def tokens(n: int) -> dict[str, object]:
    return {
        "access_token": f"access-{n}",
        "refresh_token": f"refresh-{n}",
        "access_expires_at": NOW + timedelta(hours=1),
        "refresh_expires_at": NOW + timedelta(days=100),
    }


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
    store = SqlTokenStore(
        sessions, box, company_id=1, provider=QUICKBOOKS_ONLINE, clock=lambda: NOW
    )
    subject = "realm:123"
    assert store.load(subject) is None
    first = store.replace(subject, **tokens(1), scope="accounting")  # type: ignore[arg-type]
    loaded = store.load(subject)
    assert loaded is not None
    assert (loaded.access_token, loaded.refresh_token, loaded.scope) == (
        "access-1",
        "refresh-1",
        "accounting",
    )
    assert loaded.access_expires_at == NOW + timedelta(hours=1)
    assert loaded.version == first

    with sessions() as session:
        raw = session.scalars(sa.select(Connection)).one()
        assert "refresh-1" not in (raw.refresh_token_enc or "")
        assert raw.subject == "realm:123"

    assert store.rotate(subject, expected_version=first, **tokens(2))  # type: ignore[arg-type]
    assert not store.rotate(subject, expected_version=first, **tokens(3)), (  # type: ignore[arg-type]
        "a stale version must lose"
    )
    after = store.load(subject)
    assert after is not None
    assert (after.refresh_token, after.version) == ("refresh-2", first + 1)
    assert "refresh-2" not in repr(after)

    # A new process (new store object) sees the newest token; the other provider sees nothing.
    again = SqlTokenStore(sessions, box, company_id=1, provider=QUICKBOOKS_ONLINE).load(subject)
    assert again is not None
    assert again.refresh_token == "refresh-2"
    assert SqlTokenStore(sessions, box, company_id=1, provider=PROCORE).load(subject) is None
    store.clear(subject)
    assert store.load(subject) is None
    engine.dispose()
