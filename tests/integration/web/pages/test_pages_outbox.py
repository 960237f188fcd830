"""The Outbox page: the rejection notice a rejection queues, held while no mail server is
configured and readable in full, filtered by state, and only for ERP Integrations admins."""

from __future__ import annotations

import re
from datetime import timedelta

from integration.web.pages.pages_client import PagesClient, visible_text
from integration.workflow.workflow_stack import Stack
from procore_qb.app.notifications import deliver_mail
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.mail import MailOutbox

RIVERSIDE = 2001  # seed: eligible


def _reject(stack: Stack, comment: str) -> None:
    sent = stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    stack.ok("ben", "POST", f"/erp/jobs/{sent['id']}/reject", {"comment": comment})


def _browser(stack: Stack, user: str = "ada") -> PagesClient:
    browser = PagesClient(stack)
    browser.sign_in(user)
    return browser


def test_the_rejection_notice_is_in_the_outbox_held_and_readable(stack: Stack) -> None:
    browser = _browser(stack)
    _reject(stack, "Use the <HV> number & the job code")
    page = browser.get("/outbox")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "No mail server is configured: mail is held here" in text
    assert "Pending (1)" in text
    link = re.search(r'<a href="(/outbox/\d+)">([^<]+)</a>', page.text)
    assert link is not None
    assert "Riverside" in link.group(2)
    # No mail server: delivery holds it.
    report = deliver_mail(stack.sessions, None, company_id=stack.company_id, now=stack.clock.now())
    assert report.held == 1
    held = browser.get("/outbox", params={"state": "held"})
    assert "Held (1)" in visible_text(held.text)
    assert link.group(1) in held.text
    assert browser.get("/outbox", params={"state": "pending"}).text.count("/outbox/") == 0
    mail = browser.get(link.group(1))
    assert mail.status_code == 200
    body = visible_text(mail.text)
    assert "cara@summit.example" in body
    assert "ben@summit.example" in body
    assert "State Held : no mail server is configured; it goes out once one is" in body
    assert "Use the <HV> number & the job code" in body  # escaped, shown as written
    assert "<HV>" not in mail.text


def test_the_outbox_pages_older_mail(stack: Stack) -> None:
    with stack.sessions.begin() as session:
        outbox = MailOutbox(session)
        for n in range(55):
            outbox.queue(
                stack.company_id,
                kind="digest",
                dedupe_key=f"d{n}",
                recipients=["ben@summit.example"],
                subject=f"Summary {n}",
                body="…",
                now=stack.clock.now() + timedelta(minutes=n),
            )
    browser = _browser(stack)
    first = browser.get("/outbox")
    assert "Summary 54" in first.text
    assert "Summary 4<" not in first.text
    older = re.search(r'href="(/outbox\?before=\d+)" rel="next"', first.text)
    assert older is not None
    second = browser.get(older.group(1))
    assert "Summary 4<" in second.text
    assert "Summary 54" not in second.text
    assert "Newest mail" in visible_text(second.text)


def test_only_erp_admins_read_the_outbox(stack: Stack) -> None:
    _reject(stack, "no")
    with stack.sessions.begin() as session:
        mail_id = MailOutbox(session).page(stack.company_id)[0].id
    for user in ("ben", "cara", "eve"):
        browser = _browser(stack, user)
        for path in ("/outbox", f"/outbox/{mail_id}"):
            refused = browser.get(path)
            assert refused.status_code == 403, (user, path)
            assert "needs 'Admin' on the ERP Integrations tool" in visible_text(refused.text)
    assert _browser(stack, "dan").get(f"/outbox/{mail_id}").status_code == 200


def test_bad_outbox_addresses_are_refused(stack: Stack) -> None:
    browser = _browser(stack)
    assert browser.get("/outbox", params={"state": "lost"}).status_code == 422
    assert browser.get("/outbox", params={"before": "-1"}).status_code == 422
    assert browser.get("/outbox/abc").status_code == 422
    assert browser.get(f"/outbox/{2**63}").status_code == 422
    missing = browser.get("/outbox/999999")
    assert missing.status_code == 404
    assert "there is no mail 999999 in the outbox" in visible_text(missing.text)


def test_mail_of_another_company_is_not_shown(stack: Stack) -> None:
    with stack.sessions.begin() as session:
        other = Companies(session).add(
            procore_company_id=999, name="Other", qb_edition="desktop", now=stack.clock.now()
        )
        row, _ = MailOutbox(session).queue(
            other.id,
            kind="rejection",
            dedupe_key="x",
            recipients=["someone@other.example"],
            subject="Not yours",
            body="secret",
            now=stack.clock.now(),
        )
        mail_id = row.id
    browser = _browser(stack)
    assert "Not yours" not in browser.get("/outbox").text
    assert browser.get(f"/outbox/{mail_id}").status_code == 404
