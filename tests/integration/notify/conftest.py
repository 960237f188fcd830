"""A real SMTP server (aiosmtpd) on 127.0.0.1 in a thread, and a SQLite store with the seed
world's people in it.

The server listens on a port the system picks; :class:`MailServer` can stop it (the mail server
is down) and start it again on the same port.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from aiosmtpd.smtp import Session as SmtpSession
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.domain.export_workflow import ExportItem, ExportState
from procore_qb.domain.project import ProcoreProject
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import COMPANY_LEVEL
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.users import Users
from procore_qb.store.repositories.workflow import ExportItems

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
HOST = "127.0.0.1"

# The seed world's people (DESIGN.md §4), by Procore user id.
ADA, BEN, CARA, DAN, EVE = 101, 102, 103, 104, 105


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Recorder:
    """The server's handler: keeps each accepted message; refuses recipients on request."""

    messages: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    """recipient → the reply to RCPT TO, e.g. '550 5.1.1 No such user'."""

    async def handle_RCPT(
        self,
        server: Any,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: SmtpSession, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), envelope.content)
        )
        return "250 Message accepted for delivery"


class _Controller(Controller):
    """aiosmtpd's controller, learning the port the system picked before it checks the server
    answers."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class MailServer:
    recorder: Recorder
    options: dict[str, Any]
    port: int = 0
    _controller: _Controller | None = None

    def start(self) -> None:
        controller = _Controller(self.recorder, hostname=HOST, port=self.port, **self.options)
        controller.start()
        self.port = controller.port
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server() -> Iterator[MailServer]:
    server = MailServer(Recorder(), {})
    server.start()
    yield server
    server.stop()


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "procore-qb test mail server")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.now(UTC) - timedelta(days=1))
        .not_valid_after(datetime.now(UTC) + timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def password_checker(username: str, password: str) -> Any:
    def check(
        server: Any, session: SmtpSession, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == username
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False)

    return check


# ---------------------------------------------------------------------- the store


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'mail.sqlite3'}")
    migrate.upgrade(engine)
    yield create_session_factory(engine)
    engine.dispose()


def _grant(
    users: Users,
    company_id: int,
    procore_user_id: int,
    email: str,
    name: str,
    levels: dict[str, str],
    *,
    push: bool,
) -> None:
    user = users.upsert(
        company_id,
        procore_user_id=procore_user_id,
        email=email,
        name=name,
        can_push_to_accounting=push,
    )
    users.replace_permissions(
        user, {(tool, COMPANY_LEVEL): level for tool, level in levels.items()}, now=NOW
    )


@pytest.fixture
def company_id(sessions: sessionmaker[Session]) -> int:
    """Summit Ridge Builders with the seed world's five users: Ada and Ben are accounting
    approvers; Cara sends projects; Dan lacks 'Can Push to Accounting'; Eve reads."""
    with sessions.begin() as session:
        company = Companies(session).add(
            procore_company_id=4263, name="Summit Ridge Builders", qb_edition="desktop", now=NOW
        )
        users = Users(session)
        _grant(
            users,
            company.id,
            ADA,
            "ada@summit.example",
            "Ada Lovelace",
            {"erp_integrations": "admin", "directory": "admin"},
            push=True,
        )
        _grant(
            users,
            company.id,
            BEN,
            "ben@summit.example",
            "Ben Okafor",
            {"erp_integrations": "standard", "directory": "read_only"},
            push=True,
        )
        _grant(
            users,
            company.id,
            CARA,
            "cara@summit.example",
            "Cara Lopez",
            {"erp_integrations": "none"},
            push=False,
        )
        _grant(
            users,
            company.id,
            DAN,
            "dan@summit.example",
            "Dan Brooks",
            {"erp_integrations": "admin", "directory": "standard"},
            push=False,
        )
        _grant(
            users,
            company.id,
            EVE,
            "eve@summit.example",
            "Eve Adams",
            {"erp_integrations": "read_only", "directory": "read_only"},
            push=True,
        )
        return company.id


def send_to_erp(
    sessions: sessionmaker[Session], company_id: int, project_id: int, name: str, *, at: datetime
) -> int:
    """Cara sends a project to ERP; returns the export item's id."""
    with sessions.begin() as session:
        item = ExportItem.new(project_id=project_id, company_id=company_id).send(
            ProcoreProject(id=project_id, company_id=company_id, name=name), by=CARA, at=at
        )
        stored = ExportItems(session).save(
            item,
            action="send",
            from_state=ExportState.UNSYNCED,
            now=at,
            actor=CARA,
            expected_version=None,
        )
        return stored.id


def reject(session: Session, item_id: int, *, by: int, comment: str, at: datetime) -> None:
    items = ExportItems(session)
    stored = items.get(item_id)
    items.save(
        stored.item.reject(by=by, at=at, comment=comment),
        action="reject",
        from_state=stored.item.state,
        now=at,
        actor=by,
        expected_version=stored.version,
    )
