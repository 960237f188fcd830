"""Test-wide fixtures and the CI guard.

Tests that need PostgreSQL or ``../shared/reference/`` skip with a visible reason on a
developer machine that lacks them. Under ``CI=true`` nothing may be skipped: the session fails
instead, so a green CI run always means every tier really ran.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis' per-example deadline is a wall-clock assertion, and tests assert no timings: on a
# busy machine an example may take longer than 200 ms without anything being wrong.
settings.register_profile("procore-qb", deadline=None)
settings.load_profile("procore-qb")

REPO = Path(__file__).resolve().parent.parent
REFERENCE = Path(os.environ.get("PROCORE_QB_REFERENCE_DIR", REPO.parent / "shared" / "reference"))
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip with ``reason`` on a developer machine; fail under CI."""
    if in_ci():
        pytest.fail(f"CI=true and a required service is missing: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not in_ci():
        return
    skipped = reporter.stats.get("skipped", [])
    if skipped:
        reporter.write_line(
            f"CI=true: {len(skipped)} test(s) were skipped; every tier must run in CI.", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def _own_user_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands that fall back on the per-user data directory find it under the test's
    temporary folder, never in the home directory of whoever runs the tests (subprocesses
    inherit it too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data-home")))
        patch.delenv("PROCORE_QB_CONFIG", raising=False)
        patch.delenv("PROCORE_QB_DATA_DIR", raising=False)
        yield


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """``../shared/reference/``: the public qbXML, Web Connector, QBO and Procore contracts."""
    if not REFERENCE.is_dir():
        skip_or_fail(f"the public contracts folder {REFERENCE} is missing")
    return REFERENCE


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """URL of a PostgreSQL database we may create and drop databases from."""
    url = os.environ.get("PROCORE_QB_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        skip_or_fail(f"PostgreSQL is not reachable at {url}: {exc.orig}")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import sqlalchemy as sa

    name = f"pqb_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = re.sub(r"/[^/]*$", f"/{name}", postgres_admin_url)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
