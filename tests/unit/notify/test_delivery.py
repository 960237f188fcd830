"""The delivery loop on its own: what happens to each mail for each kind of server answer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procore_qb.notify.addresses import MailAddress
from procore_qb.notify.delivery import (
    DeliveryReport,
    OutgoingMail,
    build_message,
    deliver,
    retry_delay,
)
from procore_qb.notify.errors import (
    ConnectionFailed,
    DeliveryError,
    NotifyUsageError,
    PermanentDeliveryError,
    TransientDeliveryError,
)

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
FROM = MailAddress("erp@summit.example", "Summit ERP")


def _mail(n: int, *, subject: str = "Subject", attempts: int = 0) -> OutgoingMail:
    return OutgoingMail(
        id=n,
        company_id=1,
        recipients=(f"user{n}@summit.example",),
        subject=subject,
        body=f"Body {n}\n",
        dedupe_key=f"k-{n}",
        attempts=attempts,
    )


@dataclass
class Store:
    """An outbox in memory, recording what the loop did to each mail."""

    due: list[OutgoingMail]
    outcome: dict[int, tuple[str, str | None, datetime | None]] = field(default_factory=dict)
    held: int = 0
    claims: list[tuple[int, bool]] = field(default_factory=list)

    def claim(
        self, *, now: datetime, limit: int, lease: timedelta, include_held: bool
    ) -> Sequence[OutgoingMail]:
        self.claims.append((limit, include_held))
        return self.due[:limit]

    def hold(self, *, now: datetime) -> int:
        return self.held

    def mark_sent(self, mail_id: int, *, now: datetime, note: str | None) -> None:
        self.outcome[mail_id] = ("sent", note, None)

    def mark_retry(self, mail_id: int, *, now: datetime, error: str, retry_at: datetime) -> None:
        self.outcome[mail_id] = ("retry", error, retry_at)

    def mark_failed(self, mail_id: int, *, now: datetime, error: str) -> None:
        self.outcome[mail_id] = ("failed", error, None)


@dataclass
class Connection:
    answers: dict[str, DeliveryError | dict[str, str]]
    sent: list[EmailMessage] = field(default_factory=list)

    def send(self, message: EmailMessage) -> dict[str, str]:
        answer = self.answers.get(str(message["To"]), {})
        if isinstance(answer, DeliveryError):
            raise answer
        self.sent.append(message)
        return answer


@dataclass
class Sender:
    connection: Connection
    refuse: ConnectionFailed | None = None
    from_address: MailAddress = FROM

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        if self.refuse is not None:
            raise self.refuse
        yield self.connection


def test_each_answer_decides_the_mails_fate() -> None:
    store = Store([_mail(1), _mail(2), _mail(3, attempts=2), _mail(4)])
    connection = Connection(
        {
            "user2@summit.example": PermanentDeliveryError("550 no such user", code=550),
            "user3@summit.example": TransientDeliveryError("451 try later", code=451),
            "user4@summit.example": {"cc@summit.example": "550 unknown"},
        }
    )
    report = deliver(store, Sender(connection), now=NOW)
    assert report == DeliveryReport(sent=2, retried=1, failed=1)
    assert store.outcome[1] == ("sent", None, None)
    assert store.outcome[2] == ("failed", "550 no such user", None)
    # The third attempt failed: wait 4 minutes.
    assert store.outcome[3] == ("retry", "451 try later", NOW + timedelta(minutes=4))
    assert store.outcome[4] == ("sent", "refused recipients: cc@summit.example: 550 unknown", None)
    assert [m["To"] for m in connection.sent] == ["user1@summit.example", "user4@summit.example"]


def test_a_server_that_cannot_be_reached_keeps_every_mail_for_later() -> None:
    store = Store([_mail(1), _mail(2, attempts=9)])
    down = ConnectionFailed("cannot reach the mail server at 127.0.0.1:1: refused")
    report = deliver(store, Sender(Connection({}), refuse=down), now=NOW)
    assert report.retried == 2
    assert report.error == str(down)
    assert store.outcome[1] == ("retry", str(down), NOW + timedelta(minutes=1))
    assert store.outcome[2] == ("retry", str(down), NOW + timedelta(hours=1))


def test_a_connection_lost_mid_batch_keeps_the_rest_for_later() -> None:
    store = Store([_mail(1), _mail(2), _mail(3)])
    lost = ConnectionFailed("the mail server closed the connection")
    report = deliver(store, Sender(Connection({"user2@summit.example": lost})), now=NOW)
    assert report == DeliveryReport(sent=1, retried=2, error=str(lost))
    assert store.outcome[1][0] == "sent"
    assert store.outcome[2][0] == store.outcome[3][0] == "retry"


def test_without_a_server_mail_is_held_and_nothing_is_claimed() -> None:
    store = Store([_mail(1)], held=3)
    assert deliver(store, None, now=NOW) == DeliveryReport(held=3)
    assert store.claims == []


def test_with_a_server_held_mail_goes_out_too() -> None:
    store = Store([_mail(1)])
    deliver(store, Sender(Connection({})), now=NOW, limit=7)
    assert store.claims == [(7, True)]


@pytest.mark.parametrize("limit", [0, -1, 501])
def test_the_batch_is_bounded(limit: int) -> None:
    with pytest.raises(NotifyUsageError, match="between 1 and 500"):
        deliver(Store([]), None, now=NOW, limit=limit)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deliver(Store([]), None, now=datetime(2026, 11, 2))  # noqa: DTZ001


def test_the_message_carries_the_headers_a_mail_client_needs() -> None:
    message = build_message(_mail(7, subject="Daily Summary: ü"), sender=FROM, now=NOW)
    assert message["From"] == "Summit ERP <erp@summit.example>"
    assert message["To"] == "user7@summit.example"
    assert message["Subject"] == "Daily Summary: ü"
    assert message["Date"] == "Mon, 02 Nov 2026 09:30:00 +0000"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content() == "Body 7\n"
    again = build_message(_mail(7), sender=FROM, now=NOW + timedelta(hours=1))
    assert message["Message-ID"] == again["Message-ID"]
    assert message["Message-ID"].endswith("@summit.example>")
    assert message["Message-ID"] != build_message(_mail(8), sender=FROM, now=NOW)["Message-ID"]


def test_a_message_that_cannot_be_written_fails_alone() -> None:
    store = Store([_mail(1, subject="two\nlines"), _mail(2)])
    report = deliver(store, Sender(Connection({})), now=NOW)
    assert report == DeliveryReport(sent=1, failed=1)
    assert store.outcome[1][0] == "failed"
    assert "cannot be written" in (store.outcome[1][1] or "")


@given(st.integers(min_value=1, max_value=10_000))
def test_retries_back_off_to_at_most_an_hour(attempts: int) -> None:
    delay = retry_delay(attempts)
    assert timedelta(minutes=1) <= delay <= timedelta(hours=1)
    assert retry_delay(attempts + 1) >= delay
