"""E-mail: the mail texts, the SMTP sender, and the delivery loop that drains the mail outbox.

This adapter holds no database code: :func:`~procore_qb.notify.delivery.deliver` drains any
:class:`~procore_qb.notify.delivery.MailStore`, which the store implements and app/ wires.
"""

from __future__ import annotations

from procore_qb.notify.addresses import MailAddress, parse_address, parse_mailbox
from procore_qb.notify.config import MailSettings
from procore_qb.notify.delivery import (
    DeliveryReport,
    MailConnection,
    MailSender,
    MailStore,
    OutgoingMail,
    build_message,
    deliver,
    retry_delay,
)
from procore_qb.notify.errors import (
    ConnectionFailed,
    DeliveryError,
    MailConfigurationError,
    NotifyError,
    NotifyUsageError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from procore_qb.notify.messages import MailContent, WaitingProject, digest_mail, rejection_mail
from procore_qb.notify.smtp import SmtpConfig, SmtpSender

__all__ = [
    "ConnectionFailed",
    "DeliveryError",
    "DeliveryReport",
    "MailAddress",
    "MailConfigurationError",
    "MailConnection",
    "MailContent",
    "MailSender",
    "MailSettings",
    "MailStore",
    "NotifyError",
    "NotifyUsageError",
    "OutgoingMail",
    "PermanentDeliveryError",
    "SmtpConfig",
    "SmtpSender",
    "TransientDeliveryError",
    "WaitingProject",
    "build_message",
    "deliver",
    "digest_mail",
    "parse_address",
    "parse_mailbox",
    "rejection_mail",
    "retry_delay",
]
