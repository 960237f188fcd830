"""The text of the mails procore-qb sends, in Procore's words (spec/procore-workflow.md §3.10):
the *ERP Project Rejection Notification* and the *ERP Integrations Daily Summary*.

Everything that comes from users or from Procore (project names, people's names, the comment) is
cleaned first: a subject is one line, and no value can add a header or run on without end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from procore_qb.domain.export_workflow import ExportState
from procore_qb.domain.times import require_aware

__all__ = [
    "MAX_COMMENT",
    "MailContent",
    "WaitingProject",
    "digest_mail",
    "format_waited",
    "one_line",
    "rejection_mail",
]

MAX_COMMENT = 4000
MAX_NAME = 200
_CONTROL_EXCEPT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_WAITING_STATES = (ExportState.READY_TO_EXPORT, ExportState.READY_TO_UPDATE)


@dataclass(frozen=True, slots=True)
class MailContent:
    subject: str
    body: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitingProject:
    """A project waiting for an accounting approver."""

    name: str
    state: ExportState
    sent_by: str
    """Who sent it (a name or address); empty when unknown."""
    sent_at: datetime


def one_line(text: str, limit: int = MAX_NAME) -> str:
    """``text`` on one line: control characters and runs of spaces become one space, and it is
    cut to ``limit`` characters (ending in an ellipsis when cut)."""
    flat = " ".join(_CONTROL_EXCEPT_NEWLINE.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _paragraph(text: str, limit: int) -> str:
    lines = [line.rstrip() for line in _CONTROL_EXCEPT_NEWLINE.sub(" ", text).splitlines()]
    cleaned = "\n".join(lines).strip("\n")
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def format_waited(waited: timedelta) -> str:
    """A waiting time for people: 'less than an hour', '5 hours', '1 day', '3 days 4 hours'."""
    hours = max(int(waited.total_seconds() // 3600), 0)
    days, hours = divmod(hours, 24)
    if days == 0 and hours == 0:
        return "less than an hour"
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return " ".join(parts)


def _utc(at: datetime) -> str:
    return require_aware(at).strftime("%Y-%m-%d %H:%M UTC")


def rejection_mail(
    *,
    project_name: str,
    rejected_by: str,
    comment: str,
    rejected_at: datetime,
    update: bool,
) -> MailContent:
    """The *ERP Project Rejection Notification*. ``rejected_by`` is who rejected it (empty when
    unknown); ``update`` says whether it was a Re-send to update a synced QuickBooks job."""
    name = one_line(project_name) or "A project"
    who = one_line(rejected_by) or "an accounting approver"
    note = _paragraph(comment, MAX_COMMENT)
    what = "the update of the project" if update else "the project"
    lines = [
        f"{name}: {what} was rejected for export to QuickBooks by {who} on {_utc(rejected_at)}.",
        "",
    ]
    if note:
        lines += ["Comment from the accounting approver:", ""]
        lines += [f"    {line}" if line else "" for line in note.splitlines()]
    else:
        lines.append("The accounting approver left no comment.")
    lines.append("")
    if update:
        lines += [
            "The QuickBooks job keeps the values it had before this update.",
            "",
        ]
    lines += [
        "What to do next:",
        "  1. Open the project in Procore and go to its Admin tool (General). The project's name "
        "and address can be edited again.",
        "  2. Fix what the comment asks for.",
        '  3. Click "Re-send to ERP". The project goes back to '
        f"{(ExportState.READY_TO_UPDATE if update else ExportState.READY_TO_EXPORT).label} "
        "for an accounting approver to accept.",
        "",
        "procore-qb will not remind anyone when the project is re-sent: the accounting "
        "approvers see it in their next ERP Integrations Daily Summary.",
    ]
    return MailContent(
        subject=one_line(f"ERP Project Rejection Notification: {name}", 250),
        body="\n".join(lines) + "\n",
    )


def digest_mail(
    *, recipient_name: str, waiting: Sequence[WaitingProject], now: datetime
) -> MailContent:
    """The *ERP Integrations Daily Summary* for one accounting approver: every project waiting
    in Ready to Export or Ready to Update, oldest first, with how long it has waited."""
    require_aware(now)
    if not waiting:
        raise ValueError("a daily summary needs at least one waiting project")
    count = len(waiting)
    projects = "project is" if count == 1 else "projects are"
    greeting = one_line(recipient_name)
    lines = [f"Hello {greeting}," if greeting else "Hello,", ""]
    lines.append(
        f"{count} {projects} waiting in the ERP Integrations tool for an accounting approver "
        "to accept or reject:"
    )
    for state in _WAITING_STATES:
        group = sorted((p for p in waiting if p.state is state), key=lambda p: p.sent_at)
        if not group:
            continue
        lines += ["", f"{state.label} ({len(group)})"]
        for project in group:
            sender = one_line(project.sent_by)
            by = f", sent by {sender}" if sender else ""
            lines.append(
                f"  - {one_line(project.name)}{by}, waiting "
                f"{format_waited(now - project.sent_at)} (since {_utc(project.sent_at)})"
            )
    lines += [
        "",
        'Open the ERP Integrations tool, Jobs tab, and choose "Accept" or "Reject" for each.',
        "",
        "You receive this summary because you may accept projects for export to QuickBooks. "
        'To stop it, turn off "Subscribe to ERP digest emails" for your user in procore-qb.',
    ]
    plural = "project" if count == 1 else "projects"
    return MailContent(
        subject=f"ERP Integrations Daily Summary: {count} {plural} waiting for approval",
        body="\n".join(lines) + "\n",
    )
