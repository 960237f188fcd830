"""API tokens: stored only as hashes, revocable, and the seed world's demo tokens accepted in
demo mode only."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.app.actors import Actor, actor_for_token, issue_token
from procore_qb.app.context import AppContext, ProcoreIdentity
from procore_qb.app.errors import NotConnected
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.jobs.embedded import EmbeddedJobQueue
from procore_qb.procore.gateway import ProcoreGateway
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import ApiToken, Company
from procore_qb.store.repositories.tokens import ApiTokens
from procore_qb.store.repositories.users import Users

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _no_procore(*_: object) -> ProcoreGateway:
    raise NotConnected("these tests never reach Procore")


def _no_sign_in(_: str) -> ProcoreIdentity:
    raise NotConnected("these tests never sign in")


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    migrate.upgrade(engine)
    factory = create_session_factory(engine)
    with factory.begin() as session:
        session.add(
            Company(
                id=1, procore_company_id=4263, name="Summit", qb_edition="desktop", created_at=NOW
            )
        )
    yield factory
    engine.dispose()


def _ctx(sessions: sessionmaker[Session], *, demo: bool, now: datetime = NOW) -> AppContext:
    return AppContext(
        sessions=sessions,
        queue=EmbeddedJobQueue(sessions.kw["bind"]),
        clock=lambda: now,
        company_id=1,
        procore_company_id=4263,
        edition=QuickBooksEdition.DESKTOP,
        procore=_no_procore,
        procore_as_user=_no_procore,
        procore_authorize_url=lambda state: f"https://login.example/?state={state}",
        procore_sign_in=_no_sign_in,
        demo=demo,
    )


def _actor(sessions: sessionmaker[Session]) -> Actor:
    with sessions.begin() as session:
        user = Users(session).upsert(1, procore_user_id=101, email="Ada@Summit.example")
        return Actor(user.id, user.procore_user_id, user.email)


def test_a_token_is_stored_as_a_hash_and_names_its_user(sessions: sessionmaker[Session]) -> None:
    ctx = _ctx(sessions, demo=False)
    actor = _actor(sessions)
    token = issue_token(ctx, actor, label="cli")
    assert token.startswith("pqb_")
    with sessions.begin() as session:
        stored = session.scalars(sa.select(ApiToken.token_hash)).all()
    assert token not in stored
    assert len(stored) == 1
    assert actor_for_token(ctx, token) == actor
    assert actor_for_token(ctx, token + "x") is None
    assert actor_for_token(ctx, "") is None
    assert actor_for_token(ctx, "x" * 10_000) is None


def test_demo_tokens_work_in_demo_mode_only(sessions: sessionmaker[Session]) -> None:
    demo = _ctx(sessions, demo=True)
    actor = _actor(sessions)
    issue_token(demo, actor, token="demo-ada")
    assert actor_for_token(demo, "demo-ada") == actor
    production = _ctx(sessions, demo=False)
    assert actor_for_token(production, "demo-ada") is None
    with pytest.raises(ValueError, match="demo mode"):
        issue_token(production, actor, token="demo-bob")


def test_revoked_tokens_are_refused(sessions: sessionmaker[Session]) -> None:
    ctx = _ctx(sessions, demo=False)
    actor = _actor(sessions)
    token = issue_token(ctx, actor)
    with sessions.begin() as session:
        user = Users(session).get(actor.user_id)
        assert ApiTokens(session).revoke_all(user, now=NOW) == 1
    assert actor_for_token(ctx, token) is None


def test_use_is_recorded_at_most_once_a_minute(sessions: sessionmaker[Session]) -> None:
    ctx = _ctx(sessions, demo=False)
    token = issue_token(ctx, _actor(sessions))

    def last_used() -> datetime | None:
        with sessions.begin() as session:
            return session.scalars(sa.select(ApiToken.last_used_at)).one()

    actor_for_token(ctx, token)
    assert last_used() == NOW
    actor_for_token(dataclasses.replace(ctx, clock=lambda: NOW + timedelta(seconds=30)), token)
    assert last_used() == NOW
    later = NOW + timedelta(minutes=2)
    actor_for_token(dataclasses.replace(ctx, clock=lambda: later), token)
    assert last_used() == later
