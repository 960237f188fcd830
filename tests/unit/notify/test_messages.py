"""The mail texts: the ERP Project Rejection Notification and the ERP Integrations Daily
Summary (spec/procore-workflow.md §3.10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procore_qb.domain.export_workflow import ExportState
from procore_qb.notify.messages import (
    WaitingProject,
    digest_mail,
    format_waited,
    one_line,
    rejection_mail,
)

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_the_rejection_names_the_project_who_rejected_it_the_comment_and_the_next_step() -> None:
    mail = rejection_mail(
        project_name="Riverside Clinic TI",
        rejected_by="Ben Okafor",
        comment="Address is missing the suite number.\nPlease add it.",
        rejected_at=NOW,
        update=False,
    )
    assert mail.subject == "ERP Project Rejection Notification: Riverside Clinic TI"
    assert (
        "Riverside Clinic TI: the project was rejected for export to QuickBooks by Ben Okafor "
        "on 2026-11-02 09:30 UTC." in mail.body
    )
    assert "    Address is missing the suite number.\n    Please add it." in mail.body
    assert '"Re-send to ERP"' in mail.body
    assert "back to Ready to Export" in mail.body
    assert "QuickBooks job keeps" not in mail.body


def test_a_rejected_update_says_the_quickbooks_job_is_unchanged() -> None:
    mail = rejection_mail(
        project_name="Harbor View Lofts",
        rejected_by="",
        comment="",
        rejected_at=NOW,
        update=True,
    )
    assert "the update of the project was rejected" in mail.body
    assert "by an accounting approver" in mail.body
    assert "The accounting approver left no comment." in mail.body
    assert "The QuickBooks job keeps the values it had before this update." in mail.body
    assert "back to Ready to Update" in mail.body


@given(st.text(max_size=300), st.text(max_size=80))
def test_a_subject_is_always_one_bounded_line(name: str, who: str) -> None:
    mail = rejection_mail(
        project_name=name, rejected_by=who, comment=name, rejected_at=NOW, update=False
    )
    assert "\n" not in mail.subject
    assert "\r" not in mail.subject
    assert len(mail.subject) <= 250
    assert not any(ord(c) < 32 and c != "\n" for c in mail.body)


def test_a_long_comment_is_cut() -> None:
    mail = rejection_mail(
        project_name="P", rejected_by="B", comment="x" * 10_000, rejected_at=NOW, update=False
    )
    assert "x" * 3999 + "…" in mail.body
    assert "x" * 4000 not in mail.body


def test_the_daily_summary_lists_waiting_projects_oldest_first_by_state() -> None:
    waiting = [
        WaitingProject(
            name="Harbor View Lofts",
            state=ExportState.READY_TO_UPDATE,
            sent_by="Cara Lopez",
            sent_at=NOW - timedelta(hours=5),
        ),
        WaitingProject(
            name="Riverside Clinic TI",
            state=ExportState.READY_TO_EXPORT,
            sent_by="Cara Lopez",
            sent_at=NOW - timedelta(minutes=20),
        ),
        WaitingProject(
            name="Summit Ridge Office",
            state=ExportState.READY_TO_EXPORT,
            sent_by="",
            sent_at=NOW - timedelta(days=3, hours=4),
        ),
    ]
    mail = digest_mail(recipient_name="Ben Okafor", waiting=waiting, now=NOW)
    assert mail.subject == "ERP Integrations Daily Summary: 3 projects waiting for approval"
    body = mail.body
    assert body.startswith("Hello Ben Okafor,\n")
    assert "3 projects are waiting" in body
    export = body.index("Ready to Export (2)")
    update = body.index("Ready to Update (1)")
    office = body.index(
        "  - Summit Ridge Office, waiting 3 days 4 hours (since 2026-10-30 05:30 UTC)"
    )
    clinic = body.index("  - Riverside Clinic TI, sent by Cara Lopez, waiting less than an hour")
    lofts = body.index("  - Harbor View Lofts, sent by Cara Lopez, waiting 5 hours")
    assert export < office < clinic < update < lofts
    assert "Subscribe to ERP digest emails" in body


def test_a_summary_of_one_project_is_singular() -> None:
    mail = digest_mail(
        recipient_name="",
        waiting=[
            WaitingProject(name="P", state=ExportState.READY_TO_EXPORT, sent_by="", sent_at=NOW)
        ],
        now=NOW,
    )
    assert mail.subject == "ERP Integrations Daily Summary: 1 project waiting for approval"
    assert mail.body.startswith("Hello,\n\n1 project is waiting")


def test_a_summary_needs_something_waiting() -> None:
    with pytest.raises(ValueError, match="at least one"):
        digest_mail(recipient_name="Ben", waiting=[], now=NOW)


@pytest.mark.parametrize(
    ("waited", "text"),
    [
        (timedelta(minutes=59), "less than an hour"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=23, minutes=59), "23 hours"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=1, hours=1), "1 day 1 hour"),
        (timedelta(days=12, hours=3), "12 days 3 hours"),
        (timedelta(minutes=-5), "less than an hour"),
    ],
)
def test_waiting_times_read_like_a_person_would_say_them(waited: timedelta, text: str) -> None:
    assert format_waited(waited) == text


@given(st.text(max_size=500), st.integers(min_value=2, max_value=300))
def test_one_line_is_one_line_within_its_limit(text: str, limit: int) -> None:
    line = one_line(text, limit)
    assert len(line) <= limit
    assert "\n" not in line
    assert "\r" not in line
