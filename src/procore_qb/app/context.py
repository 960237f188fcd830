"""What every use case is given: the database, the job queue, the clock and the gateways.

Built once by an entry point (``serve``, ``worker``, ``demo``, tests) and passed down; nothing
here is a module global.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from procore_qb.domain.limits import EditionLimits, limits_for
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.jobs.port import JobQueue
from procore_qb.procore.gateway import ProcoreGateway
from procore_qb.quickbooks.online.gateway import OnlineGateway
from procore_qb.quickbooks.online.oauth import OAuthClient as QboOAuthClient
from procore_qb.quickbooks.online.oauth import TokenStore as QboTokenStore

__all__ = ["AppContext", "MailServer", "ProcoreIdentity", "company_lock"]


@dataclass(frozen=True, slots=True)
class ProcoreIdentity:
    """Who signed in to Procore (``GET /rest/v1.0/me`` after the OAuth code exchange)."""

    procore_user_id: int
    email: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class MailServer:
    """The mail server mail is handed to, as configured (``PROCORE_QB_MAIL__*``); no secret."""

    host: str
    port: int
    security: str
    """``starttls``, ``ssl`` or ``none``."""
    from_address: str
    username: str = ""
    """The login, empty when the server takes mail without one."""


def company_lock(company_id: int) -> str:
    """The job-queue lock of one company: its QuickBooks and Procore work runs in order."""
    return f"company:{company_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AppContext:
    """Everything the use cases of one company need.

    ``company_id`` is our ``companies.id``; ``procore`` builds a gateway acting as the company's
    service account; ``procore_as_user`` one acting as a person (with the token they signed in
    with), used to read that person's own Procore permissions; ``online`` the QuickBooks Online
    gateway (None on Desktop, where the Web Connector carries the work).
    """

    sessions: sessionmaker[Session]
    queue: JobQueue
    clock: Callable[[], datetime]
    company_id: int
    procore_company_id: int
    edition: QuickBooksEdition
    procore: Callable[[], ProcoreGateway]
    procore_as_user: Callable[[int], ProcoreGateway]
    procore_authorize_url: Callable[[str], str]
    """Procore's sign-in URL for an OAuth ``state``."""
    procore_sign_in: Callable[[str], ProcoreIdentity]
    """Exchange an authorization code, keep the person's tokens (encrypted) and say who it is."""
    online: Callable[[], OnlineGateway] | None = None
    online_oauth: Callable[[], QboOAuthClient] | None = None
    """QuickBooks Online's OAuth endpoints for this app (None on Desktop): the connect flow."""
    online_tokens: Callable[[], QboTokenStore] | None = None
    """Where QuickBooks Online's tokens are kept, by realm (None on Desktop)."""
    demo: bool = False
    mail: MailServer | None = None
    """Where mail goes; None: no mail server is configured and mail is held in the outbox."""
    permission_ttl_seconds: int = 300
    limits: EditionLimits = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "limits", limits_for(self.edition))

    @property
    def lock(self) -> str:
        return company_lock(self.company_id)

    def now(self) -> datetime:
        return self.clock()
