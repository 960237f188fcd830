"""Configuration, read once at an entry point and passed down (never a module global).

Values come from ``PROCORE_QB_*`` environment variables (``__`` separates nested keys) or a TOML
file named by ``PROCORE_QB_CONFIG``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from procore_qb.jobs.config import JobQueueSettings
from procore_qb.notify.config import MailSettings
from procore_qb.quickbooks.desktop.config import WebConnectorSettings

__all__ = [
    "CompanySettings",
    "DatabaseSettings",
    "JobQueueSettings",
    "MailSettings",
    "ProcoreSettings",
    "QuickBooksOnlineSettings",
    "Settings",
]


class DatabaseSettings(BaseModel):
    url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means SQLite at DATA_DIR/procore-qb.sqlite3.",
    )
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)


class CompanySettings(BaseModel):
    """The Procore company this installation serves and the QuickBooks edition it keeps its
    books in."""

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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PROCORE_QB_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    data_dir: Path = Field(default=Path("procore-qb-data"))
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

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        import os

        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("PROCORE_QB_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)

    def database_url(self) -> str:
        """The configured URL, or the SQLite file in the data directory."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.data_dir / 'procore-qb.sqlite3').resolve()}"
