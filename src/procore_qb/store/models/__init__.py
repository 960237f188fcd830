"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from __future__ import annotations

from procore_qb.store.models.audit import AuditEntry
from procore_qb.store.models.base import Base
from procore_qb.store.models.companies import Company, CompanySetting, Connection
from procore_qb.store.models.cost_codes import COST_CODE_STATES, CostCodeExport
from procore_qb.store.models.cost_type_checks import (
    OFF_TYPE_KINDS,
    CostTypeCheck,
    OffTypeLineRecord,
)
from procore_qb.store.models.job_costs import (
    JOB_COST_LINE_STATUSES,
    JobCostLineRecord,
    JobCostProject,
    JobCostTotal,
)
from procore_qb.store.models.links import RecordLink
from procore_qb.store.models.mail import MAIL_STATES, MailMessage
from procore_qb.store.models.mirror import QbJobRecord
from procore_qb.store.models.outbox import QbCommand
from procore_qb.store.models.qbwc import (
    QbdCommandProgress,
    QbdResultPage,
    QbwcConnectionError,
    QbwcSession,
)
from procore_qb.store.models.queue import QueuedJob, ScheduledJob
from procore_qb.store.models.tokens import ApiToken
from procore_qb.store.models.users import COMPANY_LEVEL, User, UserPermission
from procore_qb.store.models.webhooks import QboWebhookEvent
from procore_qb.store.models.workflow import ExportEvent, ExportItem, ImportEvent, ImportItem

__all__ = [
    "COMPANY_LEVEL",
    "COST_CODE_STATES",
    "JOB_COST_LINE_STATUSES",
    "MAIL_STATES",
    "OFF_TYPE_KINDS",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Company",
    "CompanySetting",
    "Connection",
    "CostCodeExport",
    "CostTypeCheck",
    "ExportEvent",
    "ExportItem",
    "ImportEvent",
    "ImportItem",
    "JobCostLineRecord",
    "JobCostProject",
    "JobCostTotal",
    "MailMessage",
    "OffTypeLineRecord",
    "QbCommand",
    "QbJobRecord",
    "QbdCommandProgress",
    "QbdResultPage",
    "QboWebhookEvent",
    "QbwcConnectionError",
    "QbwcSession",
    "QueuedJob",
    "RecordLink",
    "ScheduledJob",
    "User",
    "UserPermission",
]
