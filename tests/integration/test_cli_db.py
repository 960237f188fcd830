from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from procore_qb.cli import app
from procore_qb.jobs.procrastinate_schema import (
    VERSION_TABLE,
    check_procrastinate_schema,
    installed_schema_version,
)
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine


def test_db_upgrade_creates_the_sqlite_database_then_is_a_no_op(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROCORE_QB_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "upgraded from an empty database to" in first.output
    second = runner.invoke(app, ["db", "upgrade"])
    assert second.exit_code == 0, second.output
    assert "already at revision" in second.output
    engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'procore-qb.sqlite3'}")
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


@pytest.mark.postgres
def test_db_upgrade_on_postgresql(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCORE_QB_DATABASE__URL", postgres_url)
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    schema = installed_schema_version()
    assert f"Procrastinate schema: none -> {schema} (schema.sql)" in result.output
    again = CliRunner().invoke(app, ["db", "upgrade"])
    assert again.exit_code == 0, again.output
    assert f"Procrastinate schema: already at {schema}" in again.output
    engine = create_engine(postgres_url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert check_procrastinate_schema(engine) == schema
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version = '99.0.0'"))
    engine.dispose()
    refused = CliRunner().invoke(app, ["db", "upgrade"])
    assert refused.exit_code == 1
    assert "newer than the installed procrastinate" in refused.output
    assert len(refused.output.strip().splitlines()) == 1


def test_bad_configuration_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCORE_QB_JOBS__BACKEND", "rabbit")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "PROCORE_QB_JOBS__BACKEND: Input should be 'auto', 'embedded' or 'procrastinate'" in (
        result.output
    )


@pytest.mark.parametrize(
    ("simulator", "state_file"),
    [("procore", "procore-sandbox.json"), ("qbo", "qbo-sandbox.json")],
)
def test_a_damaged_simulator_state_file_is_reported_in_one_line(
    tmp_path: Path, simulator: str, state_file: str
) -> None:
    (tmp_path / state_file).write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["sandbox", simulator, "--port", "0", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert "Cannot start:" in result.output
    assert state_file in result.output
