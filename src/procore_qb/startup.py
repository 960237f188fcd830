"""The checks a command runs before it starts work, each failing with one line that says what
is wrong and how to fix it (:class:`StartupError`), so that bad configuration and bad state
never surface as a traceback or after a "listening on" banner.

The command line turns a :class:`StartupError` into that one line on stderr and exit code 2.
"""

from __future__ import annotations

import errno
import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.engine import Engine

from procore_qb.settings import ConfigFileError, Settings
from procore_qb.store.engine import check_url, create_engine, is_sqlite, probe
from procore_qb.store.errors import StoreError
from procore_qb.store.secrets import SecretBox, SecretKeyError

__all__ = [
    "DataDir",
    "StartupError",
    "check_secret_key_file",
    "check_serve_settings",
    "check_web_settings",
    "describe_validation_error",
    "listen",
    "load_settings",
    "open_database",
    "prepare_data_dir",
]

PORTS = range(1, 65536)


class StartupError(Exception):
    """A command cannot start; the message is one line with the fix."""


def describe_validation_error(exc: ValidationError, prefix: str = "PROCORE_QB_") -> str:
    """One line naming every invalid setting by its environment variable."""
    problems = []
    for error in exc.errors():
        name = prefix + "__".join(str(part) for part in error["loc"]).upper()
        if error["type"] == "extra_forbidden":
            message = "not a setting procore-qb knows (check its spelling)"
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{name}: {message}")
    return "; ".join(problems)


def load_settings() -> Settings:
    """The settings, or :class:`StartupError` for a bad config file or value."""
    try:
        return Settings()
    except ConfigFileError as exc:
        raise StartupError(str(exc)) from None
    except ValidationError as exc:
        raise StartupError(f"invalid configuration: {describe_validation_error(exc)}") from None
    except SettingsError as exc:
        # A nested setting given as JSON in one variable that is not valid JSON.
        raise StartupError(f"invalid configuration: {exc}") from None


@dataclass(frozen=True, slots=True)
class DataDir:
    path: Path
    created: bool

    def describe(self) -> str:
        return f"data dir {self.path}{' (created)' if self.created else ''}"


def prepare_data_dir(settings: Settings, *, create: bool) -> DataDir:
    """The data directory as an absolute path, checked to be a writable folder.

    ``create``: make it when missing (``db upgrade``, the command that sets up an
    installation). Otherwise a missing one is refused, so that a command run with another
    working directory or environment never starts afresh somewhere unexpected.
    """
    path = settings.data_dir.absolute()
    created = False
    if path.exists() and not path.is_dir():
        raise StartupError(
            f"the data dir {path} is not a folder: set PROCORE_QB_DATA_DIR (or data_dir in the "
            "config file) to a folder"
        )
    if not path.exists():
        if not create:
            raise StartupError(
                f"the data dir {path} does not exist: run `procore-qb db upgrade` to set it up, "
                "or set PROCORE_QB_DATA_DIR to the folder this installation uses"
            )
        try:
            path.mkdir(mode=0o700, parents=True)
        except OSError as exc:
            raise StartupError(f"cannot create the data dir {path}: {_reason(exc)}") from None
        created = True
    try:
        handle, probe_file = tempfile.mkstemp(dir=path, prefix=".procore-qb-write-check-")
    except OSError as exc:
        raise StartupError(
            f"the data dir {path} is not writable ({_reason(exc)}): give this user write "
            "access, or set PROCORE_QB_DATA_DIR to a folder it can write"
        ) from None
    os.close(handle)
    os.unlink(probe_file)
    return DataDir(path, created)


def check_secret_key_file(settings: Settings, data_dir: Path) -> None:
    """A ``secret.key`` left in the data directory must still be a key (the configured one
    is checked when the settings are read)."""
    if settings.secret_key.get_secret_value():
        return
    path = data_dir / "secret.key"
    if not path.exists():
        return
    try:
        SecretBox(path.read_bytes().strip())
    except OSError as exc:
        raise StartupError(f"cannot read the secret key {path}: {_reason(exc)}") from None
    except SecretKeyError:
        raise StartupError(
            f"{path} does not hold a valid secret key: restore it from the backup kept with "
            "the database (stored tokens need it), or remove it to generate a new one and "
            "reconnect Procore and QuickBooks"
        ) from None


def check_serve_settings(settings: Settings) -> None:
    """Combinations ``serve`` cannot run with."""
    if settings.company.procore_company_id is None:
        raise StartupError(
            "no company is configured: set PROCORE_QB_COMPANY__PROCORE_COMPANY_ID to the id "
            "Procore shows in your company's URLs"
        )
    if settings.jobs.backend == "procrastinate" and is_sqlite(settings.database_url()):
        raise StartupError(
            "PROCORE_QB_JOBS__BACKEND=procrastinate needs PostgreSQL, but the database is "
            "SQLite: set PROCORE_QB_DATABASE__URL to a postgresql+psycopg:// URL, or set the "
            "backend to auto or embedded"
        )


def check_web_settings(settings: Settings) -> None:
    """What the web pages of ``serve`` need: a key that signs their session cookies (demo
    mode derives one)."""
    if not settings.demo and not settings.web.session_secret.get_secret_value():
        raise StartupError(
            "the web pages need a key to sign their session cookies: set "
            "PROCORE_QB_WEB__SESSION_SECRET to a random string of at least 32 characters, e.g. "
            "the line `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'` prints"
        )


def open_database(settings: Settings, *, must_exist: bool = False) -> Engine:
    """An engine for the configured database, checked to be reachable and readable.

    ``must_exist``: refuse a SQLite file that is not there yet instead of creating an empty
    one (every command but ``db upgrade``)."""
    url = settings.database_url()
    try:
        parsed = check_url(url)
        engine = create_engine(url, busy_timeout_ms=settings.database.sqlite_busy_timeout_ms)
    except StoreError as exc:
        raise StartupError(str(exc)) from None
    database = parsed.database
    on_file = is_sqlite(engine) and database not in (None, "", ":memory:")
    if must_exist and on_file and not Path(str(database)).exists():
        engine.dispose()
        raise StartupError(
            f"there is no database at {database}: run `procore-qb db upgrade` to create it, "
            "or set PROCORE_QB_DATA_DIR to the folder this installation uses"
        )
    try:
        probe(engine)
    except StoreError as exc:
        engine.dispose()
        raise StartupError(str(exc)) from None
    return engine


def listen(host: str, port: int, *, any_port: bool = False) -> socket.socket:
    """A socket bound to ``host:port``, ready to hand to the server, so that a port in use
    is reported before anything is announced. ``any_port``: port 0 picks a free one."""
    if port not in PORTS and not (any_port and port == 0):
        low = 0 if any_port else 1
        raise StartupError(f"port {port} is out of range: use a port from {low} to 65535")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise StartupError(f"cannot listen on {host!r}: {_reason(exc)}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"port {port} on {host} is in use: stop the program using it, or pass --port "
                "with a free one"
            ) from None
        raise StartupError(f"cannot listen on {host}:{port}: {_reason(exc)}") from None
    return sock


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or exc.__class__.__name__
