"""Settings of the Web Connector endpoint, ready to nest in :class:`procore_qb.settings.Settings`
(for example as ``webconnector: WebConnectorSettings``, read from ``PROCORE_QB_WEBCONNECTOR__*``).

The password is configured only as a hash (``procore-qb hash-password`` prints one). Both the
application URL and the hash are checked when the settings are read, so a bad value stops a
command at once instead of failing the first Web Connector session.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from procore_qb.quickbooks.desktop.passwords import check_password_hash
from procore_qb.quickbooks.desktop.qbxml.message import DEFAULT_QBXML_VERSION
from procore_qb.quickbooks.desktop.qwc import QwcConfig, check_app_url, installation_ids
from procore_qb.quickbooks.desktop.session import WebConnectorAccount, WebConnectorOptions

__all__ = ["WebConnectorSettings"]


class WebConnectorSettings(BaseModel):
    # A refusal must not repeat the password hash.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    app_url: str = Field(
        default="http://localhost:8000/qbwc",
        description="Public URL of POST /qbwc: https, or http://localhost on the same machine.",
    )
    username: str = Field(default="procore-qb", description="UserName of the .qwc file.")
    # Kept out of repr: a logged settings object must not hand out a hash to crack offline.
    password_hash: str = Field(
        default="", repr=False, description="hash_password() of the QBWC password."
    )
    company_file: str = Field(default="", description="Company file path; empty: the open one.")
    run_every_minutes: int = Field(default=15, ge=1, le=1440)
    max_requests_per_message: int = Field(default=100, ge=1)
    page_size: int = Field(default=500, ge=1, description="MaxReturned per iterator page.")
    ticket_ttl_minutes: int = Field(default=30, ge=1)
    qbxml_version: str = Field(default=DEFAULT_QBXML_VERSION)

    @field_validator("app_url")
    @classmethod
    def _app_url_is_one_the_web_connector_accepts(cls, value: str) -> str:
        return check_app_url(value)

    @field_validator("password_hash")
    @classmethod
    def _password_hash_is_usable(cls, value: str) -> str:
        return check_password_hash(value) if value else value

    def options(self) -> WebConnectorOptions:
        return WebConnectorOptions(
            max_requests=self.max_requests_per_message,
            page_size=self.page_size,
            ticket_ttl=timedelta(minutes=self.ticket_ttl_minutes),
            qbxml_version=self.qbxml_version,
        )

    def account(self, company_id: int) -> WebConnectorAccount:
        if not self.password_hash:
            raise ValueError(
                "the Web Connector password hash is not set: set "
                "PROCORE_QB_WEBCONNECTOR__PASSWORD_HASH to the line `procore-qb hash-password` "
                "prints"
            )
        return WebConnectorAccount(
            username=self.username,
            password_hash=self.password_hash,
            company_id=company_id,
            company_file=self.company_file,
        )

    def qwc(self, data_dir: Path) -> QwcConfig:
        owner_id, file_id = installation_ids(data_dir)
        return QwcConfig(
            app_url=self.app_url,
            username=self.username,
            owner_id=owner_id,
            file_id=file_id,
            run_every_minutes=self.run_every_minutes,
        )
