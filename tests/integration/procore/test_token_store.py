"""Procore tokens kept in the store: encrypted at rest, rotated with compare-and-set, and still
there after a restart; exercised against the Procore sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from procore_qb.procore.oauth import (
    AuthorizationCodeAuth,
    TokenConflict,
    TokenSet,
    load_tokens,
    save_tokens,
)
from procore_qb.procore.resources.me import Me
from procore_qb.sandbox import seed
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import Company, Connection
from procore_qb.store.repositories.connections import PROCORE, SqlTokenStore
from procore_qb.store.secrets import SecretBox

from .conftest import make_sim
from .test_client_against_sandbox import sign_in

Clock = Callable[[], datetime]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[sa.Engine, int]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    migrate.upgrade(engine)
    with create_session_factory(engine).begin() as session:
        company = Company(
            procore_company_id=seed.PROCORE_COMPANY.id,
            name=seed.PROCORE_COMPANY.name,
            qb_edition="desktop",
            created_at=datetime(2026, 11, 28, tzinfo=UTC),
        )
        session.add(company)
        session.flush()
        company_id = company.id
    yield engine, company_id
    engine.dispose()


def token_store(
    engine: sa.Engine, key: bytes, company_id: int, clock: Clock = lambda: datetime.now(UTC)
) -> SqlTokenStore:
    return SqlTokenStore(
        create_session_factory(engine),
        SecretBox(key),
        company_id=company_id,
        provider=PROCORE,
        clock=clock,
    )


def test_tokens_are_encrypted_rotated_and_survive_a_restart(
    database: tuple[sa.Engine, int],
) -> None:
    engine, company_id = database
    key = Fernet.generate_key()
    sim = make_sim()
    store = token_store(engine, key, company_id, clock=sim.clock.now)
    auth = sign_in(sim, "ada@summit.example", store)
    first = load_tokens(store, auth.key)
    assert first is not None
    with engine.connect() as conn:
        raw = conn.execute(
            sa.select(Connection.access_token_enc, Connection.refresh_token_enc)
        ).one()
    assert first.tokens.access_token not in (raw[0] or "")
    assert (first.tokens.refresh_token or "-") not in (raw[1] or "")

    sim.clock.advance(5_400)
    # A restart: a new engine, store and authenticator over the same database file.
    engine.dispose()
    again_store = token_store(engine, key, company_id, clock=sim.clock.now)
    again = AuthorizationCodeAuth(sim.oauth(), again_store, auth.key)
    assert Me(sim.client(again)).show()["id"] == seed.USERS[0].id
    second = load_tokens(again_store, auth.key)
    assert second is not None
    assert second.version == first.version + 1
    assert second.tokens.refresh_token != first.tokens.refresh_token


def test_a_stale_rotation_loses(database: tuple[sa.Engine, int]) -> None:
    engine, company_id = database
    store = token_store(engine, Fernet.generate_key(), company_id)
    t0 = datetime(2026, 11, 28, tzinfo=UTC)
    saved = save_tokens(store, "user:1", TokenSet("a1", t0, "r1"), expected_version=None)
    save_tokens(store, "user:1", TokenSet("a2", t0, "r2"), expected_version=saved.version)
    with pytest.raises(TokenConflict):
        save_tokens(store, "user:1", TokenSet("a3", t0, "r3"), expected_version=saved.version)
    latest = load_tokens(store, "user:1")
    assert latest is not None
    assert latest.tokens.refresh_token == "r2"
    assert load_tokens(store, "user:2") is None
