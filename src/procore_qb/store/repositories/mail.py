"""The mail outbox: queue mail in the caller's transaction, hand due mail to the sender, record
what the mail server said, and list it for the Outbox page."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from procore_qb.store.errors import Conflict, InvalidQuery, NotFound
from procore_qb.store.models import MAIL_STATES, MailMessage

__all__ = ["MAX_PAGE", "MailOutbox"]

MAX_PAGE = 500
MAX_RECIPIENTS = 100


def _check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidQuery(f"limit={limit}: ask for between 1 and {MAX_PAGE} mails")
    return limit


class MailOutbox:
    """Repository of :class:`~procore_qb.store.models.MailMessage` rows for one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # ------------------------------------------------------------------ queueing

    def queue(
        self,
        company_id: int,
        *,
        kind: str,
        dedupe_key: str,
        recipients: Sequence[str],
        subject: str,
        body: str,
        now: datetime,
    ) -> tuple[MailMessage, bool]:
        """Add a pending mail, or return the one already queued under ``dedupe_key`` (second
        item False). Two transactions queueing the same key at once end with one mail."""
        if not recipients or len(recipients) > MAX_RECIPIENTS:
            raise InvalidQuery(f"a mail needs 1 to {MAX_RECIPIENTS} recipients")
        if not dedupe_key or len(dedupe_key) > 200:
            raise InvalidQuery("a mail's dedupe key has 1 to 200 characters")
        existing = self.find(company_id, dedupe_key)
        if existing is not None:
            return existing, False
        row = MailMessage(
            company_id=company_id,
            kind=kind,
            dedupe_key=dedupe_key,
            recipients=[address.lower() for address in recipients],
            subject=subject,
            body=body,
            state="pending",
            attempts=0,
            created_at=now,
        )
        try:
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError:
            # Queued by a concurrent transaction that committed first.
            existing = self.find(company_id, dedupe_key)
            if existing is None:
                raise
            return existing, False
        return row, True

    def find(self, company_id: int, dedupe_key: str) -> MailMessage | None:
        return self._session.scalars(
            sa.select(MailMessage).where(
                MailMessage.company_id == company_id, MailMessage.dedupe_key == dedupe_key
            )
        ).one_or_none()

    def get(self, mail_id: int) -> MailMessage:
        row = self._session.get(MailMessage, mail_id)
        if row is None:
            raise NotFound(f"no mail with id {mail_id}")
        return row

    # ------------------------------------------------------------------ delivery

    def claim_due(
        self,
        company_id: int,
        *,
        now: datetime,
        limit: int,
        lease: timedelta,
        include_held: bool,
    ) -> list[MailMessage]:
        """Up to ``limit`` mails due at ``now``, oldest first, not to be claimed again before
        ``now + lease``. Rows another transaction is claiming are skipped (PostgreSQL)."""
        states = ["pending", "held"] if include_held else ["pending"]
        rows = list(
            self._session.scalars(
                sa.select(MailMessage)
                .where(
                    MailMessage.company_id == company_id,
                    MailMessage.state.in_(states),
                    sa.or_(
                        MailMessage.next_attempt_at.is_(None), MailMessage.next_attempt_at <= now
                    ),
                )
                .order_by(MailMessage.id)
                .limit(_check_limit(limit))
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.next_attempt_at = now + lease
        self._session.flush()
        return rows

    def hold_pending(self, company_id: int) -> int:
        """Mark every pending mail of the company held; return how many."""
        result = self._session.execute(
            sa.update(MailMessage)
            .where(MailMessage.company_id == company_id, MailMessage.state == "pending")
            .values(state="held", next_attempt_at=None)
            .execution_options(synchronize_session="fetch")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def mark_sent(self, mail_id: int, *, now: datetime, note: str | None = None) -> MailMessage:
        row = self.get(mail_id)
        row.state = "sent"
        row.attempts += 1
        row.sent_at = now
        row.last_error = note
        row.next_attempt_at = None
        self._session.flush()
        return row

    def mark_retry(
        self, mail_id: int, *, now: datetime, error: str, retry_at: datetime
    ) -> MailMessage:
        """A transient failure: pending again, not before ``retry_at``."""
        row = self.get(mail_id)
        if row.state == "sent":
            raise Conflict(f"mail {mail_id} was sent already")
        row.state = "pending"
        row.attempts += 1
        row.last_error = error
        row.next_attempt_at = retry_at
        self._session.flush()
        return row

    def mark_failed(self, mail_id: int, *, now: datetime, error: str) -> MailMessage:
        """Refused for good: it stays in the outbox, shown with the server's reply."""
        row = self.get(mail_id)
        if row.state == "sent":
            raise Conflict(f"mail {mail_id} was sent already")
        row.state = "failed"
        row.attempts += 1
        row.last_error = error
        row.next_attempt_at = None
        self._session.flush()
        return row

    def requeue(self, mail_id: int) -> MailMessage:
        """Send a failed or held mail again at the next delivery (the Outbox page's button)."""
        row = self.get(mail_id)
        if row.state not in {"failed", "held"}:
            raise Conflict(f"mail {mail_id} is {row.state}: only failed or held mail is sent again")
        row.state = "pending"
        row.next_attempt_at = None
        self._session.flush()
        return row

    # ------------------------------------------------------------------ the Outbox page

    def page(
        self,
        company_id: int,
        *,
        states: Collection[str] | None = None,
        kind: str | None = None,
        recipient: str | None = None,
        limit: int = 50,
        before_id: int | None = None,
    ) -> list[MailMessage]:
        """Newest first, filtered by state(s), kind and one recipient address (whole address,
        any case); pass the smallest id seen as ``before_id`` for the next page."""
        query = (
            sa.select(MailMessage)
            .where(MailMessage.company_id == company_id)
            .order_by(MailMessage.id.desc())
            .limit(_check_limit(limit))
        )
        if states is not None:
            unknown = sorted(set(states) - set(MAIL_STATES))
            if unknown:
                raise InvalidQuery(
                    f"unknown mail state(s) {', '.join(unknown)}; use {', '.join(MAIL_STATES)}"
                )
            query = query.where(MailMessage.state.in_(sorted(states)))
        if kind is not None:
            query = query.where(MailMessage.kind == kind)
        if before_id is not None:
            query = query.where(MailMessage.id < before_id)
        if recipient is not None:
            # Recipients are a JSON list of lower-case addresses; its text holds each one in
            # double quotes on both dialects. Addresses hold no quote or backslash.
            wanted = recipient.strip().lower()
            escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(
                sa.cast(MailMessage.recipients, sa.Text).like(f'%"{escaped}"%', escape="\\")
            )
        return list(self._session.scalars(query))

    def counts(self, company_id: int) -> dict[str, int]:
        """How many mails are in each state (every state present, zero included)."""
        rows = self._session.execute(
            sa.select(MailMessage.state, sa.func.count())
            .where(MailMessage.company_id == company_id)
            .group_by(MailMessage.state)
        )
        counts = dict.fromkeys(MAIL_STATES, 0)
        counts.update({state: int(n) for state, n in rows})
        return counts
