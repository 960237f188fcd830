"""Configuration, read once at an entry point and passed down (never a module global).

Values come from ``PROCORE_QB_*`` environment variables (``__`` separates nested keys) or a TOML
file named by ``PROCORE_QB_CONFIG``; environment variables win. A relative ``data_dir`` in the
TOML file is relative to the file's own folder, so the same file means the same folder from
wherever a command runs. Without any, the data directory is the per-user one that
:func:`default_data_dir` names.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from cryptography.fernet import Fernet
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from procore_qb.jobs.config import JobQueueSettings
from procore_qb.notify.config import MailSettings
from procore_qb.quickbooks.desktop.config import WebConnectorSettings

__all__ = [
    "CONFIG_VARIABLE",
    "CompanySettings",
    "ConfigFileError",
    "DatabaseSettings",
    "JobQueueSettings",
    "MailSettings",
    "ProcoreSettings",
    "QuickBooksOnlineSettings",
    "Settings",
    "WebSettings",
    "default_data_dir",
    "read_config_file",
]

CONFIG_VARIABLE = "PROCORE_QB_CONFIG"
APP_NAME = "procore-qb"


class ConfigFileError(Exception):
    """The file named by ``PROCORE_QB_CONFIG`` is missing, unreadable or not valid TOML."""


def default_data_dir() -> Path:
    """The per-user data directory (``~/.local/share/procore-qb`` on Linux, under
    ``%LOCALAPPDATA%`` on Windows, ``~/Library/Application Support`` on macOS)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def read_config_file(name: str) -> dict[str, Any]:
    """The settings in the TOML file ``name``, with a relative ``data_dir`` made relative to
    the file's folder. :class:`ConfigFileError` says what is wrong and how to fix it."""
    path = Path(name).expanduser().absolute()
    if not path.exists():
        raise ConfigFileError(
            f"{CONFIG_VARIABLE} names {path}, which does not exist: create it, or fix or unset "
            f"{CONFIG_VARIABLE}"
        )
    if not path.is_file():
        raise ConfigFileError(f"{CONFIG_VARIABLE} names {path}, which is not a file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigFileError(f"cannot read {path} ({CONFIG_VARIABLE}): {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigFileError(f"{path} ({CONFIG_VARIABLE}) is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"{path} ({CONFIG_VARIABLE}) is not valid TOML: {exc}") from None
    data_dir = data.get("data_dir")
    if isinstance(data_dir, str) and data_dir and not Path(data_dir).expanduser().is_absolute():
        data["data_dir"] = str(path.parent / data_dir)
    return data


class DatabaseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means SQLite at DATA_DIR/procore-qb.sqlite3.",
    )
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)


class CompanySettings(BaseModel):
    """The Procore company this installation serves and the QuickBooks edition it keeps its
    books in."""

    model_config = ConfigDict(extra="forbid")

    procore_company_id: int | None = Field(
        default=None, ge=1, description="The company id Procore shows in its URLs."
    )
    name: str = Field(default="", description="Shown in the UI; Procore's name if empty.")
    qb_edition: Literal["desktop", "online"] = "desktop"


def _http_url(value: str, name: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


class ProcoreSettings(BaseModel):
    """The company's Procore app: a Developer Managed Service Account (client credentials) for
    the work procore-qb does, and the same app's sign-in for people (authorization code)."""

    base_url: str = Field(default="https://api.procore.com", description="Procore's REST API.")
    login_base_url: str = Field(
        default="https://login.procore.com", description="Procore's OAuth server."
    )
    client_id: str = Field(default="", max_length=256)
    client_secret: SecretStr = Field(default=SecretStr(""))
    redirect_uri: str = Field(
        default="urn:ietf:wg:oauth:2.0:oob",
        description="Where Procore sends people back after sign-in; the out-of-band URI shows "
        "the code to paste into `procore-qb token create`.",
    )

    @field_validator("base_url", "login_base_url")
    @classmethod
    def _urls(cls, value: str, info: ValidationInfo) -> str:
        return _http_url(value, str(info.field_name))


class QuickBooksOnlineSettings(BaseModel):
    """The QuickBooks Online app (Intuit developer keys) and where its APIs are."""

    client_id: str = Field(default="", max_length=256)
    client_secret: SecretStr = Field(default=SecretStr(""))
    redirect_uri: str = Field(default="http://localhost:8000/quickbooks/callback")
    discovery_url: str = Field(
        default="https://developer.api.intuit.com/.well-known/openid_configuration",
        description="Intuit's OpenID discovery document (the sandbox has its own).",
    )
    api_base_url: str = Field(default="https://quickbooks.api.intuit.com")
    webhook_verifier_token: SecretStr = Field(
        default=SecretStr(""),
        description="The app's webhook verifier token; POST /webhooks/quickbooks is served "
        "once it is set.",
    )

    @field_validator("discovery_url", "api_base_url", "redirect_uri")
    @classmethod
    def _urls(cls, value: str, info: ValidationInfo) -> str:
        return _http_url(value, str(info.field_name))


MIN_SESSION_SECRET = 32


class WebSettings(BaseModel):
    """The web pages' sign-in sessions: a signed cookie, ``SameSite=Strict`` and ``HttpOnly``."""

    model_config = ConfigDict(extra="forbid")

    session_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Signs the session cookie; required by `serve` outside demo mode (in demo "
        "mode it is derived from the secret key when empty).",
    )
    secure_cookies: bool | None = Field(
        default=None,
        description="Mark cookies Secure (sent over https only); empty: yes, except in demo "
        "mode (http://127.0.0.1).",
    )
    session_hours: int = Field(
        default=12, ge=1, le=720, description="How long a sign-in lasts without a new one."
    )

    @field_validator("session_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if secret and len(secret) < MIN_SESSION_SECRET:
            # The value itself is never repeated in the message.
            raise ValueError(
                f"must be at least {MIN_SESSION_SECRET} characters, e.g. the line "
                "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'` prints"
            )
        return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PROCORE_QB_",
        env_nested_delimiter="__",
        extra="forbid",
        # A refusal must not repeat a secret (the key, the Web Connector password hash).
        hide_input_in_errors=True,
    )

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where the SQLite database, the secret key and the Web Connector IDs live.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(""),
        description="Key that encrypts tokens at rest; generated into DATA_DIR when empty.",
    )
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    jobs: JobQueueSettings = Field(default_factory=JobQueueSettings)
    company: CompanySettings = Field(default_factory=CompanySettings)
    webconnector: WebConnectorSettings = Field(default_factory=WebConnectorSettings)
    procore: ProcoreSettings = Field(default_factory=ProcoreSettings)
    qbo: QuickBooksOnlineSettings = Field(default_factory=QuickBooksOnlineSettings)
    demo: bool = Field(
        default=False,
        description="Demo mode: the seed world's fixed tokens (demo-ada, ...) are accepted.",
    )
    mail: MailSettings = Field(default_factory=MailSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir_is_named(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must name a folder (leave it unset for the per-user data directory)")
        return value

    @field_validator("data_dir")
    @classmethod
    def _data_dir_expanded(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("secret_key")
    @classmethod
    def _secret_key_is_a_fernet_key(cls, value: SecretStr) -> SecretStr:
        key = value.get_secret_value()
        if key:
            try:
                Fernet(key)
            except (ValueError, TypeError):
                # The key itself is never repeated in the message.
                raise ValueError(
                    "must be a Fernet key (32 url-safe base64-encoded bytes, as "
                    "Fernet.generate_key() makes), or empty to use DATA_DIR/secret.key"
                ) from None
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get(CONFIG_VARIABLE)
        if config_file:
            sources.append(InitSettingsSource(settings_cls, read_config_file(config_file)))
        return tuple(sources)

    def database_url(self) -> str:
        """The configured URL, or the SQLite file in the data directory."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.data_dir / 'procore-qb.sqlite3').resolve()}"
