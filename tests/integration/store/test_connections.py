from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.store.models import Connection
from procore_qb.store.repositories.connections import Connections
from procore_qb.store.secrets import SecretBox

from .conftest import NOW

BOX = SecretBox(Fernet.generate_key())


def _save(session: Session, company_id: int) -> None:
    Connections(session, BOX).save(
        company_id,
        "quickbooks_online",
        "realm-9130357992221046",
        access_token="access-1",
        refresh_token="refresh-1",
        access_expires_at=NOW + timedelta(hours=1),
        now=NOW,
    )


def test_tokens_are_encrypted_at_rest(
    session_factory: sessionmaker[Session], company_id: int
) -> None:
    with session_factory.begin() as session:
        _save(session, company_id)
    with session_factory() as session:
        raw = session.execute(sa.select(Connection.access_token_enc, Connection.refresh_token_enc))
        for access, refresh in raw:
            assert "access-1" not in access
            assert "refresh-1" not in refresh
        tokens = Connections(session, BOX).load(
            company_id, "quickbooks_online", "realm-9130357992221046"
        )
        assert tokens is not None
        assert (tokens.access_token, tokens.refresh_token) == ("access-1", "refresh-1")
        assert "refresh-1" not in repr(tokens)


def test_rotation_is_compare_and_set(
    session_factory: sessionmaker[Session], company_id: int
) -> None:
    """Two workers read version 1 and both refresh; only the first write wins, and the newest
    refresh token is the one kept."""
    with session_factory.begin() as session:
        _save(session, company_id)
    key = (company_id, "quickbooks_online", "realm-9130357992221046")
    with session_factory() as s:
        read = Connections(s, BOX).load(*key)
    assert read is not None
    with session_factory.begin() as s:
        won = Connections(s, BOX).rotate(
            *key,
            expected_version=read.version,
            access_token="access-2",
            refresh_token="refresh-2",
            access_expires_at=NOW + timedelta(hours=2),
            now=NOW,
        )
    with session_factory.begin() as s:
        lost = Connections(s, BOX).rotate(
            *key,
            expected_version=read.version,
            access_token="access-stale",
            refresh_token="refresh-stale",
            access_expires_at=NOW + timedelta(hours=2),
            now=NOW,
        )
    assert (won, lost) == (True, False)
    with session_factory() as s:
        current = Connections(s, BOX).load(*key)
    assert current is not None
    assert (current.refresh_token, current.version) == ("refresh-2", read.version + 1)
