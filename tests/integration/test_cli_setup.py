"""``procore-qb token create``, ``setup`` and ``worker`` through the command line, against the
Procore simulator served on a loopback port."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx2
import pytest
from typer.testing import CliRunner

from procore_qb.cli import app
from procore_qb.demo.servers import BackgroundServer
from procore_qb.sandbox import seed
from procore_qb.sandbox.procore import ProcoreSandbox
from procore_qb.sandbox.procore import create_app as procore_app
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.repositories.tokens import ApiTokens

OOB = "urn:ietf:wg:oauth:2.0:oob"


@pytest.fixture
def procore() -> Iterator[BackgroundServer]:
    server = BackgroundServer(procore_app(ProcoreSandbox()), name="Procore simulator")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, procore: BackgroundServer) -> Path:
    data = tmp_path / "data"
    for key, value in {
        "DATA_DIR": str(data),
        "COMPANY__PROCORE_COMPANY_ID": str(seed.PROCORE_COMPANY.id),
        "PROCORE__BASE_URL": procore.url,
        "PROCORE__LOGIN_BASE_URL": procore.url,
        "PROCORE__CLIENT_ID": seed.SERVICE_ACCOUNT.client_id,
        "PROCORE__CLIENT_SECRET": seed.SERVICE_ACCOUNT.client_secret,
    }.items():
        monkeypatch.setenv(f"PROCORE_QB_{key}", value)
    upgraded = CliRunner().invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    return data


def _code(procore: BackgroundServer, email: str) -> str:
    """Sign in on the simulator's login page with the out-of-band redirect: it shows the code."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": seed.SERVICE_ACCOUNT.client_id,
            "redirect_uri": OOB,
            "state": "s",
            "login_hint": email,
        }
    )
    page = httpx2.get(f"{procore.url}/oauth/authorize?{query}")
    assert page.status_code == 200, page.text
    found = re.search(r"<code>([^<]+)</code>", page.text)
    assert found is not None, page.text
    return found.group(1)


def test_token_create_signs_in_and_prints_a_working_token(
    configured: Path, procore: BackgroundServer
) -> None:
    code = _code(procore, "ada@summit.example")
    result = CliRunner().invoke(
        app, ["token", "create", "--user", "Ada@Summit.example", "--code", code]
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("pqb_")
    engine = create_engine(f"sqlite:///{configured / 'procore-qb.sqlite3'}")
    try:
        with create_session_factory(engine).begin() as session:
            from datetime import UTC, datetime

            user = ApiTokens(session).user_for(token, now=datetime.now(UTC))
            assert user is not None
            assert user.email == "ada@summit.example"
    finally:
        engine.dispose()


def test_token_create_shows_the_sign_in_url_and_reads_the_code(
    configured: Path, procore: BackgroundServer
) -> None:
    code = _code(procore, "ben@summit.example")
    result = CliRunner().invoke(
        app, ["token", "create", "--user", "ben@summit.example"], input=f"{code}\n"
    )
    assert result.exit_code == 0, result.output
    assert f"{procore.url}/oauth/authorize?" in result.output
    assert "redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob" in result.output
    assert result.stdout.strip().splitlines()[-1].startswith("pqb_")


def test_token_create_refuses_a_sign_in_as_someone_else(
    configured: Path, procore: BackgroundServer
) -> None:
    code = _code(procore, "ben@summit.example")
    result = CliRunner().invoke(
        app, ["token", "create", "--user", "ada@summit.example", "--code", code]
    )
    assert result.exit_code == 1
    assert "Signed in as ben@summit.example, not ada@summit.example" in result.output
    assert "pqb_" not in result.output


def test_token_create_reports_a_bad_code_in_one_line(configured: Path) -> None:
    result = CliRunner().invoke(
        app, ["token", "create", "--user", "ada@summit.example", "--code", "not-a-code"]
    )
    assert result.exit_code == 1
    assert "Sign-in failed:" in result.output
    assert "Traceback" not in result.output


def test_setup_refuses_a_service_account_without_admin(
    configured: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROCORE_QB_PROCORE__CLIENT_SECRET", "wrong")
    result = CliRunner().invoke(app, ["setup"])
    assert result.exit_code == 1
    assert "could not sign in to Procore as the service account" in result.output


def test_setup_connects_and_asks_for_the_cost_code_list(configured: Path) -> None:
    result = CliRunner().invoke(app, ["setup"])
    assert result.exit_code == 0, result.output
    assert "service account has ERP Integrations 'admin', Directory 'admin'" in result.output
    assert "Cost code list: asked QuickBooks for its service items" in result.output
    assert "last contact never" in result.output


@pytest.mark.parametrize("command", [["setup"], ["worker"], ["token", "create", "--user", "a@b.c"]])
def test_commands_without_a_company_exit_2_in_one_line(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROCORE_QB_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2
    assert "PROCORE_QB_COMPANY__PROCORE_COMPANY_ID" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [["worker"], ["serve"]])
def test_long_running_commands_apply_the_gc_policy_once_started(
    command: list[str], configured: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The policy freezes what the process holds: it comes after the wiring is built and
    before the jobs or the web server start (both stand-ins here, so nothing is frozen)."""
    import uvicorn

    from procore_qb import gc_policy
    from procore_qb.jobs.embedded import EmbeddedJobQueue

    monkeypatch.setenv("PROCORE_QB_WEB__SESSION_SECRET", "s" * 40)
    calls: list[str] = []
    monkeypatch.setattr(gc_policy, "apply", lambda: calls.append("gc policy") or (700, 10, 10))
    monkeypatch.setattr(
        EmbeddedJobQueue, "run_worker", lambda *_args, **_kwargs: calls.append("jobs")
    )
    monkeypatch.setattr(uvicorn.Server, "run", lambda *_args, **_kwargs: calls.append("web"))
    if command == ["serve"]:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            command = [*command, "--port", str(probe.getsockname()[1])]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert calls[0] == "gc policy"
    assert sorted(calls) == sorted(["gc policy", "jobs", *(["web"] if "serve" in command else [])])
