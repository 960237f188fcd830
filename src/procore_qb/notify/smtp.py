"""Sending mail over SMTP with :mod:`smtplib`: plain, STARTTLS (RFC 3207) or implicit TLS
(RFC 8314), with an optional login.

The password is handed to the server's AUTH exchange only: it is kept out of reprs and error
messages, and the protocol trace (``set_debuglevel``), which would print the AUTH line, is never
switched on. Errors are mapped to :mod:`procore_qb.notify.errors` by the reply code: 4xx and a
lost connection are transient, 5xx is permanent (RFC 5321 §4.2.1).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

from procore_qb.notify.addresses import MailAddress
from procore_qb.notify.errors import (
    ConnectionFailed,
    DeliveryError,
    MailConfigurationError,
    PermanentDeliveryError,
    TransientDeliveryError,
)

__all__ = ["Security", "SmtpConfig", "SmtpConnection", "SmtpSender"]

log = logging.getLogger(__name__)

Security = Literal["none", "starttls", "ssl"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpConfig:
    """Where and how to hand mail over. ``security``: ``starttls`` upgrades a plain connection
    (usually port 587), ``ssl`` speaks TLS from the first byte (usually port 465), ``none``
    sends in clear (a relay on the same machine or network)."""

    host: str
    port: int
    from_address: MailAddress
    security: Security = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    timeout_seconds: float = 30.0
    ca_file: Path | None = None
    """Certificates to verify the server with instead of the system's (a private CA)."""

    def __post_init__(self) -> None:
        if not self.host:
            raise MailConfigurationError("the SMTP host is empty; set it or leave mail held")
        if not 1 <= self.port <= 65535:
            raise MailConfigurationError(f"SMTP port {self.port} is not between 1 and 65535")
        if bool(self.username) != bool(self.password):
            raise MailConfigurationError(
                "set both the SMTP user name and password to log in, or neither"
            )
        if self.timeout_seconds <= 0:
            raise MailConfigurationError("the SMTP timeout must be a positive number of seconds")


class SmtpConnection:
    """One open SMTP session; :meth:`send` may be called for many messages."""

    def __init__(self, client: smtplib.SMTP, config: SmtpConfig) -> None:
        self._client = client
        self._config = config

    def send(self, message: EmailMessage) -> dict[str, str]:
        """Hand ``message`` over. Returns the recipients the server refused while accepting the
        message for the others (address → the server's reply); raises a
        :class:`~procore_qb.notify.errors.DeliveryError` when nobody got it."""
        try:
            refused = self._client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _recipients_refused(exc.recipients) from exc
        except smtplib.SMTPResponseException as exc:
            # SMTPSenderRefused, SMTPDataError and any other reply the server gave.
            raise _by_code(
                exc.smtp_code, _reply_text(exc.smtp_error), "refused the message"
            ) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise ConnectionFailed(f"the mail server closed the connection: {exc}") from exc
        except OSError as exc:  # timeouts and resets while talking
            raise ConnectionFailed(f"the connection to the mail server failed: {exc}") from exc
        return {address: _reply(code, text) for address, (code, text) in refused.items()}


class SmtpSender:
    """Opens SMTP sessions with one configuration. ``ssl_context`` replaces the default
    (system certificates, or ``ca_file``) when given."""

    def __init__(self, config: SmtpConfig, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._config = config
        self._ssl_context = ssl_context

    def __repr__(self) -> str:
        c = self._config
        return f"SmtpSender({c.host}:{c.port}, security={c.security}, user={c.username!r})"

    @property
    def from_address(self) -> MailAddress:
        return self._config.from_address

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is not None:
            return self._ssl_context
        ca_file = None if self._config.ca_file is None else str(self._config.ca_file)
        return ssl.create_default_context(cafile=ca_file)

    @contextmanager
    def connect(self) -> Iterator[SmtpConnection]:
        """An open, upgraded and logged-in session, closed afterwards. Raises
        :class:`~procore_qb.notify.errors.ConnectionFailed` when none can be had."""
        client = self._open()
        try:
            self._prepare(client)
            yield SmtpConnection(client, self._config)
        finally:
            _close(client)

    def _open(self) -> smtplib.SMTP:
        c = self._config
        where = f"{c.host}:{c.port}"
        try:
            if c.security == "ssl":
                return smtplib.SMTP_SSL(
                    c.host, c.port, timeout=c.timeout_seconds, context=self._context()
                )
            return smtplib.SMTP(c.host, c.port, timeout=c.timeout_seconds)
        except smtplib.SMTPConnectError as exc:
            raise ConnectionFailed(
                f"the mail server at {where} refused the connection: "
                f"{_reply(exc.smtp_code, exc.smtp_error)}",
                code=exc.smtp_code,
            ) from exc
        except ssl.SSLError as exc:
            raise ConnectionFailed(f"TLS with the mail server at {where} failed: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ConnectionFailed(f"cannot reach the mail server at {where}: {exc}") from exc

    def _prepare(self, client: smtplib.SMTP) -> None:
        c = self._config
        where = f"{c.host}:{c.port}"
        try:
            client.ehlo()
            if c.security == "starttls":
                if not client.has_extn("starttls"):
                    raise ConnectionFailed(
                        f"the mail server at {where} does not offer STARTTLS; set "
                        "PROCORE_QB_MAIL__STARTTLS=false only for a relay you trust, or use "
                        "PROCORE_QB_MAIL__SSL=true on its TLS port"
                    )
                client.starttls(context=self._context())
                client.ehlo()
            if c.username:
                log.info("logging in to the mail server at %s as %s", where, c.username)
                client.login(c.username, c.password)
        except DeliveryError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise ConnectionFailed(
                f"the mail server at {where} refused the login of {c.username!r}: "
                f"{_reply(exc.smtp_code, exc.smtp_error)}; check PROCORE_QB_MAIL__USERNAME and "
                "PROCORE_QB_MAIL__PASSWORD",
                code=exc.smtp_code,
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise ConnectionFailed(f"the mail server at {where}: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            raise ConnectionFailed(
                f"the mail server at {where} answered {_reply(exc.smtp_code, exc.smtp_error)}",
                code=exc.smtp_code,
            ) from exc
        except ssl.SSLError as exc:
            raise ConnectionFailed(f"TLS with the mail server at {where} failed: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ConnectionFailed(
                f"the connection to the mail server at {where} failed: {exc}"
            ) from exc


def _close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _reply_text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())


def _reply(code: int, raw: bytes | str) -> str:
    return f"{code} {_reply_text(raw)}".strip()


def _by_code(code: int, text: str, what: str) -> DeliveryError:
    message = f"the mail server {what}: {code} {text}".strip()
    if code == 421:
        # "Service not available, closing transmission channel" (RFC 5321 §3.8).
        return ConnectionFailed(message, code=code)
    if 400 <= code < 500:
        return TransientDeliveryError(message, code=code)
    return PermanentDeliveryError(message, code=code)


def _recipients_refused(recipients: Mapping[str, tuple[int, bytes]]) -> DeliveryError:
    shown = "; ".join(f"{addr}: {_reply(code, text)}" for addr, (code, text) in recipients.items())
    codes = [code for code, _ in recipients.values()]
    message = f"the mail server refused every recipient: {shown}"
    if any(400 <= code < 500 for code in codes):
        return TransientDeliveryError(message, code=codes[0])
    return PermanentDeliveryError(message, code=codes[0] if codes else None)
