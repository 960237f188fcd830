"""Mail settings, ready to nest in :class:`procore_qb.settings.Settings` as ``mail`` (read from
``PROCORE_QB_MAIL__*``). With no host, mail is kept in the outbox as *held* and shown there."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from procore_qb.notify.addresses import parse_mailbox
from procore_qb.notify.smtp import Security, SmtpConfig

__all__ = ["MailSettings", "check_host"]

_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_LOOPBACK_NAMES = frozenset({"localhost"})


def check_host(host: str) -> str:
    """A host name (letters, digits and hyphens between dots) or an IP address; raise
    ``ValueError`` naming the rule otherwise. Empty stays empty."""
    if host == "":
        return host
    if len(host) > 253:
        raise ValueError("the SMTP host has at most 253 characters")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not all(_LABEL.match(label) for label in host.removesuffix(".").split(".")):
        raise ValueError(
            f"SMTP host {host!r} is not a host name or IP address: use letters, digits and "
            "hyphens between dots (no scheme, port or path: the port has its own setting)"
        )
    return host.lower()


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class MailSettings(BaseModel):
    host: str = Field(
        default="",
        description="SMTP server; empty keeps mail in the outbox as held (nothing is sent).",
    )
    port: int = Field(default=587, ge=1, le=65535, description="587 for STARTTLS, 465 for SSL.")
    starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS.")
    ssl: bool = Field(default=False, description="Speak TLS from the start (port 465).")
    username: str = Field(default="", max_length=254, description="Login; empty: no login.")
    password: SecretStr = Field(default=SecretStr(""), description="Password for the login.")
    from_address: str = Field(
        default="",
        description="Sender, 'procore-qb@example.com' or 'Name <procore-qb@example.com>'.",
    )
    timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    ca_file: Path | None = Field(
        default=None, description="PEM certificates to trust instead of the system's."
    )

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        return check_host(value.strip())

    @field_validator("from_address")
    @classmethod
    def _from_address(cls, value: str) -> str:
        if not value.strip():
            return ""
        return str(parse_mailbox(value))

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ValueError("the SMTP user name may not contain control characters")
        return value

    @field_validator("ca_file")
    @classmethod
    def _ca_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"CA file {value} does not exist; give a PEM file or leave it empty")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> MailSettings:
        if self.starttls and self.ssl:
            raise ValueError(
                "STARTTLS and SSL are two ways to encrypt: set PROCORE_QB_MAIL__SSL=true with "
                "STARTTLS=false for port 465, or STARTTLS=true with SSL=false for port 587"
            )
        password = self.password.get_secret_value()
        if bool(self.username) != bool(password):
            raise ValueError("set both the SMTP user name and password to log in, or neither")
        if not self.host:
            return self
        if not self.from_address:
            raise ValueError(
                "mail needs a sender: set PROCORE_QB_MAIL__FROM_ADDRESS, e.g. "
                "'procore-qb@example.com'"
            )
        if self.username and not (self.starttls or self.ssl) and not _is_loopback(self.host):
            raise ValueError(
                f"logging in to {self.host} without STARTTLS or SSL would send the password in "
                "clear: turn one of them on"
            )
        return self

    @property
    def security(self) -> Security:
        return "ssl" if self.ssl else "starttls" if self.starttls else "none"

    def smtp_config(self) -> SmtpConfig | None:
        """The SMTP configuration, or None when no host is set (mail is held)."""
        if not self.host:
            return None
        return SmtpConfig(
            host=self.host,
            port=self.port,
            from_address=parse_mailbox(self.from_address),
            security=self.security,
            username=self.username,
            password=self.password.get_secret_value(),
            timeout_seconds=self.timeout_seconds,
            ca_file=self.ca_file,
        )
