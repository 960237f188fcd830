"""Fixtures of the Desktop end-to-end tests (see :mod:`desktop_world`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from desktop_world import START, World, build_app
from starlette.testclient import TestClient

from procore_qb.quickbooks.desktop.session import WebConnectorOptions
from procore_qb.sandbox.qbd.app import open_simulator
from procore_qb.sandbox.qbd.clock import ManualClock
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import Company


@pytest.fixture
def make_world(tmp_path: Path) -> Iterator[Callable[..., World]]:
    engines = []

    def make(**options: object) -> World:
        engine = create_engine(f"sqlite:///{tmp_path / f'store{len(engines)}.sqlite3'}")
        engines.append(engine)
        migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        with sessions.begin() as db:
            db.add(
                Company(
                    id=1,
                    procore_company_id=4001,
                    name="Summit Ridge Builders",
                    qb_edition="desktop",
                    created_at=START,
                )
            )
        clock = ManualClock(START)
        simulator = open_simulator(tmp_path / f"qbd{len(engines)}", clock)
        world = World(
            sessions=sessions,
            simulator=simulator,
            clock=clock,
            options=WebConnectorOptions(**options),  # type: ignore[arg-type]
            client=None,  # type: ignore[arg-type]
        )
        world.client = TestClient(build_app(world.service()), base_url="http://localhost")
        return world

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    return make_world()
