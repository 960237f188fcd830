"""Bad configuration and bad state, through the real command line: each ends the command with
exit code 2 and one line on stderr that names the problem, never a traceback, and always
before a server says it is listening."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner, Result

from procore_qb import __version__
from procore_qb.cli import app
from procore_qb.quickbooks.desktop.passwords import verify_password

REPO = Path(__file__).resolve().parents[2]
GARBAGE = b"this is not an SQLite file " * 200


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=input)


def refusal(result: Result) -> str:
    """The one line a refused command printed, after checking that it printed only that."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 2, result.output
    assert result.stdout == "", result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("procore-qb: "), lines[0]
    assert "Traceback" not in result.output
    assert "listening on" not in result.output
    return lines[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir set up by `db upgrade`, named by PROCORE_QB_DATA_DIR."""
    path = tmp_path / "data"
    monkeypatch.setenv("PROCORE_QB_DATA_DIR", str(path))
    result = invoke("db", "upgrade")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def company(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCORE_QB_COMPANY__PROCORE_COMPANY_ID", "4263")
    monkeypatch.setenv("PROCORE_QB_WEB__SESSION_SECRET", "s" * 32)


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _unwritable_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    candidates = [folder, Path("/sys/kernel")]  # root writes anywhere but in sysfs
    for candidate in candidates:
        try:
            handle, name = tempfile.mkstemp(dir=candidate)
        except OSError:
            return candidate
        os.close(handle)
        os.unlink(name)
    pytest.skip("no folder this user cannot write to")


# ------------------------------------------------------------------ the configuration file


def test_a_missing_config_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCORE_QB_CONFIG", str(tmp_path / "procore-qb.toml"))
    line = refusal(invoke("db", "upgrade"))
    assert line == (
        f"procore-qb: PROCORE_QB_CONFIG names {tmp_path / 'procore-qb.toml'}, which does not "
        "exist: create it, or fix or unset PROCORE_QB_CONFIG"
    )


def test_a_config_file_that_is_not_toml_is_refused_with_the_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "procore-qb.toml"
    config.write_text('data_dir = "/srv/pqb"\n[jobs\nbackend = "auto"\n', encoding="utf-8")
    monkeypatch.setenv("PROCORE_QB_CONFIG", str(config))
    line = refusal(invoke("db", "upgrade"))
    assert line.startswith(f"procore-qb: {config} (PROCORE_QB_CONFIG) is not valid TOML: ")
    assert "line 2" in line


def test_a_misspelt_or_invalid_setting_in_the_config_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "procore-qb.toml"
    config.write_text('[jobs]\nbackend = "rabbit"\n[database]\nurll = "x"\n', encoding="utf-8")
    monkeypatch.setenv("PROCORE_QB_CONFIG", str(config))
    line = refusal(invoke("db", "upgrade"))
    assert line == (
        "procore-qb: invalid configuration: PROCORE_QB_DATABASE__URLL: not a setting procore-qb "
        "knows (check its spelling); PROCORE_QB_JOBS__BACKEND: Input should be 'auto', "
        "'embedded' or 'procrastinate'"
    )


def test_a_relative_data_dir_in_the_config_file_is_relative_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "etc" / "procore-qb.toml"
    config.parent.mkdir()
    config.write_text('data_dir = "data"\n', encoding="utf-8")
    monkeypatch.setenv("PROCORE_QB_CONFIG", str(config))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = invoke("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"data dir {config.parent / 'data'} (created)"
    assert (config.parent / "data" / "procore-qb.sqlite3").is_file()
    assert list(elsewhere.iterdir()) == []


def test_an_empty_data_dir_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCORE_QB_DATA_DIR", " ")
    assert refusal(invoke("db", "upgrade")) == (
        "procore-qb: invalid configuration: PROCORE_QB_DATA_DIR: must name a folder (leave it "
        "unset for the per-user data directory)"
    )


# ------------------------------------------------------------------ the data dir


def test_the_default_data_dir_is_the_per_user_one_and_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.chdir(tmp_path)
    result = invoke("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"data dir {tmp_path / 'share' / 'procore-qb'} (created)" in result.stdout
    assert (tmp_path / "share" / "procore-qb" / "procore-qb.sqlite3").is_file()


def test_a_data_dir_that_is_a_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").write_text("", encoding="utf-8")
    monkeypatch.setenv("PROCORE_QB_DATA_DIR", str(tmp_path / "data"))
    assert refusal(invoke("db", "upgrade")) == (
        f"procore-qb: the data dir {tmp_path / 'data'} is not a folder: set PROCORE_QB_DATA_DIR "
        "(or data_dir in the config file) to a folder"
    )


def test_an_unwritable_data_dir_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _unwritable_folder(tmp_path)
    monkeypatch.setenv("PROCORE_QB_DATA_DIR", str(folder))
    line = refusal(invoke("db", "upgrade"))
    assert line.startswith(f"procore-qb: the data dir {folder} is not writable (")
    assert line.endswith(
        "give this user write access, or set PROCORE_QB_DATA_DIR to a folder it can write"
    )


def test_serve_refuses_a_missing_data_dir_instead_of_starting_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, company: None
) -> None:
    monkeypatch.setenv("PROCORE_QB_DATA_DIR", str(tmp_path / "nowhere"))
    assert refusal(invoke("serve", "--port", str(_free_port()))) == (
        f"procore-qb: the data dir {tmp_path / 'nowhere'} does not exist: run `procore-qb db "
        "upgrade` to set it up, or set PROCORE_QB_DATA_DIR to the folder this installation uses"
    )
    assert not (tmp_path / "nowhere").exists()


# ------------------------------------------------------------------ the database


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "not a url at all",
            "procore-qb: the database URL cannot be read: write it as "
            "postgresql+psycopg://USER@HOST:PORT/DBNAME, or sqlite:////absolute/path.sqlite3",
        ),
        (
            "postgresql+psycopg://procore:s3cret@db:port/x",
            "procore-qb: the database URL cannot be read: write it as "
            "postgresql+psycopg://USER@HOST:PORT/DBNAME, or sqlite:////absolute/path.sqlite3",
        ),
        (
            "mysql://procore@db/procore",
            "procore-qb: procore-qb keeps its data in PostgreSQL or SQLite, not 'mysql': write the "
            "database URL as postgresql+psycopg://USER@HOST:PORT/DBNAME, or "
            "sqlite:////absolute/path.sqlite3",
        ),
        (
            "postgresql+psycopg2://procore@db/procore",
            "procore-qb: the database URL asks for the PostgreSQL driver 'psycopg2'; procore-qb "
            "ships psycopg 3: start the URL with postgresql+psycopg://",
        ),
    ],
)
def test_an_unusable_database_url_is_refused(
    url: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROCORE_QB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PROCORE_QB_DATABASE__URL", url)
    line = refusal(invoke("db", "upgrade"))
    assert line == expected
    assert "s3cret" not in line


def test_an_unreachable_database_server_is_refused_without_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _free_port()
    monkeypatch.setenv("PROCORE_QB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(
        "PROCORE_QB_DATABASE__URL", f"postgresql+psycopg://procore:s3cret@127.0.0.1:{port}/pqb"
    )
    line = refusal(invoke("db", "upgrade"))
    assert line.startswith(
        f"procore-qb: cannot connect to the database "
        f"postgresql+psycopg://procore:***@127.0.0.1:{port}/pqb: "
    )
    assert "refused" in line.lower()
    assert "s3cret" not in line


def test_a_damaged_sqlite_database_is_refused(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, company: None
) -> None:
    database = data_dir / "procore-qb.sqlite3"
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    database.write_bytes(GARBAGE)
    expected = (
        f"procore-qb: the SQLite database {database} is damaged (file is not a database): "
        "restore it from a backup, or move it away and run `procore-qb db upgrade` to start a "
        "new one"
    )
    assert refusal(invoke("db", "upgrade")) == expected
    assert refusal(invoke("serve", "--port", str(_free_port()))) == expected


def test_serve_refuses_a_data_dir_without_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, company: None
) -> None:
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("PROCORE_QB_DATA_DIR", str(tmp_path / "data"))
    assert refusal(invoke("serve", "--port", str(_free_port()))) == (
        f"procore-qb: there is no database at {tmp_path / 'data' / 'procore-qb.sqlite3'}: run "
        "`procore-qb db upgrade` to create it, or set PROCORE_QB_DATA_DIR to the folder this "
        "installation uses"
    )
    assert list((tmp_path / "data").iterdir()) == []


# ------------------------------------------------------------------ the Web Connector and secrets


def test_an_app_url_the_web_connector_refuses_is_named(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROCORE_QB_WEBCONNECTOR__APP_URL", "http://qb.example.com/qbwc")
    line = refusal(invoke("db", "upgrade"))
    assert line.startswith(
        "procore-qb: invalid configuration: PROCORE_QB_WEBCONNECTOR__APP_URL: AppURL "
        "'http://qb.example.com/qbwc': the QuickBooks Web Connector only accepts https URLs"
    )


@pytest.mark.parametrize(
    "value",
    [
        "hunter2",
        "scrypt$16384$8$1$c2FsdHNhbHQ=$notbase64!",
        # Parameters scrypt refuses within its memory limit: no password could ever match.
        "scrypt$1048576$8$1$c2FsdHNhbHRzYWx0$" + "A" * 44,
    ],
)
def test_a_password_hash_that_cannot_match_is_refused_without_repeating_it(
    value: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROCORE_QB_WEBCONNECTOR__PASSWORD_HASH", value)
    line = refusal(invoke("db", "upgrade"))
    assert line.startswith(
        "procore-qb: invalid configuration: PROCORE_QB_WEBCONNECTOR__PASSWORD_HASH: "
    )
    assert line.endswith("set it to the line `procore-qb hash-password` prints")
    assert value not in line


def test_an_invalid_secret_key_is_refused_without_repeating_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROCORE_QB_SECRET_KEY", "not-a-fernet-key-but-secret")
    line = refusal(invoke("db", "upgrade"))
    assert line == (
        "procore-qb: invalid configuration: PROCORE_QB_SECRET_KEY: must be a Fernet key (32 "
        "url-safe base64-encoded bytes, as Fernet.generate_key() makes), or empty to use "
        "DATA_DIR/secret.key"
    )
    monkeypatch.setenv("PROCORE_QB_SECRET_KEY", Fernet.generate_key().decode())
    assert invoke("db", "upgrade").exit_code == 0


def test_serve_refuses_a_damaged_secret_key_file(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, company: None
) -> None:
    (data_dir / "secret.key").write_text("garbage\n", encoding="utf-8")
    line = refusal(invoke("serve", "--port", str(_free_port())))
    assert line.startswith(
        f"procore-qb: {data_dir / 'secret.key'} does not hold a valid secret key"
    )


# ------------------------------------------------------------------ serve


def test_serve_refuses_procrastinate_on_sqlite(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, company: None
) -> None:
    monkeypatch.setenv("PROCORE_QB_JOBS__BACKEND", "procrastinate")
    assert refusal(invoke("serve", "--port", str(_free_port()))) == (
        "procore-qb: PROCORE_QB_JOBS__BACKEND=procrastinate needs PostgreSQL, but the database "
        "is SQLite: set PROCORE_QB_DATABASE__URL to a postgresql+psycopg:// URL, or set the "
        "backend to auto or embedded"
    )


def test_serve_refuses_without_a_company(data_dir: Path) -> None:
    assert refusal(invoke("serve", "--port", str(_free_port()))) == (
        "procore-qb: no company is configured: set PROCORE_QB_COMPANY__PROCORE_COMPANY_ID to "
        "the id Procore shows in your company's URLs"
    )


def test_serve_refuses_without_a_session_secret(
    data_dir: Path, company: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROCORE_QB_WEB__SESSION_SECRET")
    assert refusal(invoke("serve", "--port", str(_free_port()))) == (
        "procore-qb: the web pages need a key to sign their session cookies: set "
        "PROCORE_QB_WEB__SESSION_SECRET to a random string of at least 32 characters, e.g. the "
        "line `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'` prints"
    )


def test_a_short_session_secret_is_refused_without_repeating_it(
    data_dir: Path, company: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROCORE_QB_WEB__SESSION_SECRET", "tooshort-secret")
    line = refusal(invoke("serve", "--port", str(_free_port())))
    assert line.startswith("procore-qb: invalid configuration: PROCORE_QB_WEB__SESSION_SECRET: ")
    assert "at least 32 characters" in line
    assert "tooshort-secret" not in line


@pytest.mark.parametrize("port", ["0", "65536", "-1"])
def test_serve_refuses_a_port_out_of_range(port: str, data_dir: Path, company: None) -> None:
    assert refusal(invoke("serve", "--port", port)) == (
        f"procore-qb: port {port} is out of range: use a port from 1 to 65535"
    )


def test_serve_refuses_a_port_in_use(data_dir: Path, company: None, busy_port: int) -> None:
    assert refusal(invoke("serve", "--port", str(busy_port))) == (
        f"procore-qb: port {busy_port} on 127.0.0.1 is in use: stop the program using it, or "
        "pass --port with a free one"
    )


# ------------------------------------------------------------------ the simulator's company file


def test_a_damaged_desktop_company_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "qbd-company.sqlite").write_bytes(GARBAGE)
    expected = (
        f"procore-qb: cannot start: the company file {tmp_path / 'qbd-company.sqlite'} cannot be "
        "opened (file is not a database): move it away to start again from the seed company"
    )
    served = invoke("sandbox", "qbd", "--port", str(_free_port()), "--data-dir", str(tmp_path))
    assert refusal(served) == expected
    session = invoke(
        "sandbox",
        "webconnector",
        *("--url", "http://127.0.0.1:9/qbwc", "--username", "u", "--password", "p"),
        *("--data-dir", str(tmp_path)),
    )
    assert refusal(session) == expected


def test_the_desktop_simulator_refuses_a_port_in_use(tmp_path: Path, busy_port: int) -> None:
    result = invoke("sandbox", "qbd", "--port", str(busy_port), "--data-dir", str(tmp_path))
    assert refusal(result).startswith(f"procore-qb: port {busy_port} on 127.0.0.1 is in use")
    assert not (tmp_path / "qbd-company.sqlite").exists()


# ------------------------------------------------------------------ qwc and its IDs


def test_qwc_keeps_its_ids_in_the_data_dir_and_says_where(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = data_dir / "webconnector-ids.json"
    first = invoke("qwc", "--url", "https://qb.example.com/qbwc")
    assert first.exit_code == 0, first.output
    assert first.stderr.splitlines() == [
        f"new Web Connector IDs created in {ids}; keep this file: other IDs make the Web "
        "Connector ask to authorise procore-qb again"
    ]
    monkeypatch.chdir(tmp_path)  # another folder, the same installation
    second = invoke("qwc", "--url", "https://qb.example.com/qbwc")
    assert second.exit_code == 0, second.output
    assert second.stderr.splitlines() == [f"Web Connector IDs from {ids}"]
    assert first.stdout == second.stdout
    assert "<OwnerID>{" in first.stdout


def test_qwc_never_mints_ids_in_a_data_dir_that_does_not_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROCORE_QB_DATA_DIR", "relative-data")
    monkeypatch.chdir(tmp_path)
    line = refusal(invoke("qwc", "--url", "https://qb.example.com/qbwc"))
    assert line.startswith(f"procore-qb: the data dir {tmp_path / 'relative-data'} does not exist")
    assert list(tmp_path.iterdir()) == []


def test_qwc_refuses_an_url_the_web_connector_refuses(data_dir: Path) -> None:
    line = refusal(invoke("qwc", "--url", "http://qb.example.com/qbwc"))
    assert line.startswith("procore-qb: AppURL 'http://qb.example.com/qbwc': the QuickBooks Web")


# ------------------------------------------------------------------ the command line itself


def test_version() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"procore-qb {pyproject['project']['version']}\n"
    assert __version__ == pyproject["project"]["version"]


def test_hash_password_prompts_on_stderr_and_prints_only_the_hash() -> None:
    """As in ``H=$(procore-qb hash-password)``: stdout carries the hash and nothing else. A
    process of its own, with no terminal, so the prompt takes getpass's real path."""
    result = subprocess.run(
        [sys.executable, "-m", "procore_qb.cli", "hash-password"],
        input="correct horse\ncorrect horse\n",
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,  # no controlling terminal: getpass falls back to stdin/stderr
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert verify_password("correct horse", line)
    assert "Web Connector password" in result.stderr
    assert "Repeat for confirmation" in result.stderr


def test_hash_password_refuses_an_empty_password_in_one_line() -> None:
    assert refusal(invoke("hash-password", "--password", "")) == (
        "procore-qb: the Web Connector password must not be empty"
    )
    assert verify_password("x", invoke("hash-password", "--password", "x").stdout.strip())


def test_output_to_a_file_is_not_wrapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = tmp_path.joinpath(*(["a-rather-long-folder-name"] * 5))
    monkeypatch.setenv("PROCORE_QB_DATA_DIR", str(deep))
    result = invoke("db", "upgrade")  # CliRunner's stdout is not a terminal
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"data dir {deep} (created)"
    assert len(lines[0]) > 120
    assert lines[1].startswith(f"sqlite:///{deep / 'procore-qb.sqlite3'}: upgraded from")
