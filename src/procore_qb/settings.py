"""Configuration, read once at an entry point and passed down (never a module global).

Values come from ``PROCORE_QB_*`` environment variables (``__`` separates nested keys) or a TOML
file named by ``PROCORE_QB_CONFIG``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from procore_qb.jobs.config import JobQueueSettings
from procore_qb.notify.config import MailSettings
from procore_qb.quickbooks.desktop.config import WebConnectorSettings

__all__ = ["CompanySettings", "DatabaseSettings", "JobQueueSettings", "MailSettings", "Settings"]


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
