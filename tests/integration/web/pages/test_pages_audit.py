"""The audit log page: filters by user, action, project and days, paging, the CSV export with
the same filters (streamed, safe to open in a spreadsheet), the refusals of bad filters and
of people without the ERP Integrations tool."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from integration.web.pages.pages_client import PagesClient, visible_text
from integration.workflow.workflow_stack import Stack
from procore_qb.store.repositories.audit import AuditLog

DAY = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _log(stack: Stack, entries: list[dict[str, object]]) -> None:
    with stack.sessions.begin() as session:
        log = AuditLog(session)
        for entry in entries:
            log.append(company_id=stack.company_id, **entry)  # type: ignore[arg-type]


def _world(stack: Stack) -> None:
    """Sixty entries over three days, by three people, about two projects."""
    entries: list[dict[str, object]] = []
    for n in range(60):
        entries.append(
            {
                "at": DAY + timedelta(days=n // 20, minutes=n),
                "actor": ["ada@summit.example", "ben@summit.example", "system"][n % 3],
                "action": ["sent_to_erp", "accepted", "rejected"][n % 3],
                "subject_type": "project",
                "subject_id": 2001 if n % 2 else 2002,
                "detail": {"n": n},
            }
        )
    _log(stack, entries)


def _rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    if body is None:
        return []
    return [visible_text(r) for r in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def _browser(stack: Stack, user: str = "ada") -> PagesClient:
    browser = PagesClient(stack)
    browser.sign_in(user)
    return browser


def _csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_log_pages_newest_first(stack: Stack) -> None:
    _world(stack)
    browser = _browser(stack)
    first = browser.get("/audit")
    assert first.status_code == 200
    rows = _rows(first.text)
    assert len(rows) == 50
    # Newest first: the sign-ins of this test came last.
    older = re.search(r'href="(/audit\?before=\d+)" rel="next">Older entries', first.text)
    assert older is not None
    second = browser.get(older.group(1).replace("&amp;", "&"))
    rest = _rows(second.text)
    assert rest
    assert "Newest entries" in visible_text(second.text)
    assert not set(rows) & set(rest)
    ids = [int(x) for x in re.findall(r"before=(\d+)", older.group(1))]
    assert ids


def test_filters_by_user_action_project_and_days(stack: Stack) -> None:
    _world(stack)
    browser = _browser(stack)
    page = browser.get(
        "/audit",
        params={
            "user": "BEN@summit.example",
            "action": "accepted",
            "project": "2002",
            "from": "2026-11-21",
            "to": "2026-11-21",
        },
    )
    assert page.status_code == 200, page.text
    rows = _rows(page.text)
    # n in 20..39 with n % 3 == 1 (ben, accepted) and n even (project 2002).
    expected = [n for n in range(20, 40) if n % 3 == 1 and n % 2 == 0]
    assert len(rows) == len(expected)
    assert all("ben@summit.example" in r and "accepted" in r and "project 2002" in r for r in rows)
    assert [int(re.search(r"n: (\d+)", r).group(1)) for r in rows] == sorted(expected, reverse=True)  # type: ignore[union-attr]
    # The pickers offer who and what the log holds, and keep the choice.
    assert '<option value="ben@summit.example" selected>' in page.text
    assert '<option value="accepted" selected>accepted</option>' in page.text
    assert 'name="from" type="date" value="2026-11-21"' in page.text
    # The CSV link carries the same filters.
    link = re.search(r'href="(/audit\.csv\?[^"]+)" download', page.text)
    assert link is not None
    exported = browser.get(link.group(1).replace("&amp;", "&"))
    table = _csv(exported.text)
    assert len(table) == 1 + len(expected)


def test_the_csv_export_has_every_matching_entry_and_is_spreadsheet_safe(stack: Stack) -> None:
    _world(stack)
    _log(
        stack,
        [
            {
                "at": DAY,
                "actor": '=HYPERLINK("http://evil.example")',
                "action": "settings_changed",
                "subject_type": "project",
                "subject_id": "-1+2",
                "detail": {"comment": "@SUM(A1)"},
            }
        ],
    )
    browser = _browser(stack)
    answer = browser.get("/audit.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="procore-qb-audit-2026-11-30.csv"'
    )
    table = _csv(answer.text)
    assert table[0] == ["id", "at", "user", "action", "subject_type", "subject_id", "detail"]
    assert len(table) - 1 >= 61  # every entry, beyond one page
    evil = next(r for r in table if "HYPERLINK" in r[2])
    assert evil[2] == '\'=HYPERLINK("http://evil.example")'
    assert evil[5] == "'-1+2"
    assert evil[6] == '{"comment": "@SUM(A1)"}'
    for row in table[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
    # /audit?format=csv is the same export.
    same = browser.get("/audit", params={"format": "csv"})
    assert _csv(same.text) == table


def test_the_export_streams_in_batches_past_the_batch_size(stack: Stack) -> None:
    _log(
        stack,
        [
            {"at": DAY + timedelta(seconds=n), "actor": "system", "action": "bulk", "detail": {}}
            for n in range(1203)
        ],
    )
    browser = _browser(stack)
    table = _csv(browser.get("/audit.csv", params={"action": "bulk"}).text)
    ids = [int(r[0]) for r in table[1:]]
    assert len(ids) == 1203
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"from": "2026-02-30"}, "From must be a day as YYYY-MM-DD"),
        ({"to": "tomorrow"}, "To must be a day as YYYY-MM-DD"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "To must be a day on or after the From day"),
        ({"project": "12abc"}, "Project must be a Procore project id"),
        ({"project": str(2**53 + 1)}, "Project must be a Procore project id"),
        ({"action": "DROP TABLE"}, "Action must be an action as the log names it"),
        ({"user": "x" * 255}, "User must be an e-mail address as the log shows it"),
        ({"before": "0"}, "Page must be an entry id"),
    ],
)
def test_bad_filters_are_refused_with_the_rule_and_the_fix(
    stack: Stack, params: dict[str, str], says: str
) -> None:
    browser = _browser(stack)
    page = browser.get("/audit", params=params)
    assert page.status_code == 422
    text = visible_text(page.text)
    assert says in text
    assert "invalid_filter" in text
    assert "<tbody>" not in page.text
    exported = browser.get("/audit.csv", params=params)
    assert exported.status_code == 422
    assert says.split(" must ")[0] in visible_text(exported.text)
    assert browser.get("/audit", params={**params, "format": "csv"}).status_code == 422


def test_people_without_the_erp_tool_may_not_read_or_export_the_log(stack: Stack) -> None:
    browser = _browser(stack, "cara")
    for path in ("/audit", "/audit.csv", "/audit?format=csv"):
        refused = browser.get(path)
        assert refused.status_code == 403
        assert "Permission missing" in visible_text(refused.text)
    reader = _browser(stack, "eve")
    assert reader.get("/audit").status_code == 200
    assert reader.get("/audit.csv").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(stack: Stack) -> None:
    answer = PagesClient(stack).get("/audit.csv?action=accepted")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/audit.csv%3Faction%3Daccepted"


def test_the_json_api_takes_the_same_filters(stack: Stack) -> None:
    _world(stack)
    found = stack.ok(
        "ada",
        "GET",
        "/audit?user=ben@summit.example&action=accepted&project_id=2002"
        "&since=2026-11-21T00:00:00Z&until=2026-11-22T00:00:00Z",
    )
    assert len(found["items"]) == len([n for n in range(20, 40) if n % 3 == 1 and n % 2 == 0])
