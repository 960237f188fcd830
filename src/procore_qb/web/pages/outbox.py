"""``/outbox``: the mail procore-qb sent and means to send (rejection notices, the daily
summary; spec procore-workflow §3.10), filtered by state, a page at a time, and
``/outbox/{id}``: one mail as its recipients read it. With no mail server configured (the
demo), mail is held here and can be read. ERP Integrations admins only (spec §4).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from procore_qb.app import mail_outbox
from procore_qb.domain.permissions import Action
from procore_qb.web.api.problems import ApiProblem
from procore_qb.web.pages.kit import PageKit, PageUser

__all__ = ["STATE_LABELS", "build_router"]

STATE_LABELS = {
    "pending": "Pending",
    "held": "Held",
    "sent": "Sent",
    "failed": "Failed",
}
_MAX_ID = 2**62


def _number(value: str, name: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 19 and 1 <= int(text) <= _MAX_ID:
        return int(text)
    raise ApiProblem(
        422,
        "Invalid request",
        f"{name} must be a mail id, a whole number from 1 to {_MAX_ID}",
        rule="invalid_request",
        problems=[
            {
                "rule": "invalid_request",
                "message": f"{name}: a whole number from 1 to {_MAX_ID}",
            }
        ],
    )


def build_router(kit: PageKit) -> APIRouter:
    router = APIRouter()
    admin = Depends(kit.need(Action.CONFIGURE))

    @router.get("/outbox", include_in_schema=False)
    def outbox(request: Request, user: PageUser = admin) -> Response:
        state = request.query_params.get("state", "")[:20] or None
        if state is not None and state not in STATE_LABELS:
            raise ApiProblem(
                422,
                "Invalid request",
                f"state must be one of {', '.join(STATE_LABELS)}, or left out for every mail",
                rule="invalid_request",
                problems=[
                    {
                        "rule": "invalid_request",
                        "message": f"state: one of {', '.join(STATE_LABELS)}",
                    }
                ],
            )
        before = _number(request.query_params.get("before", "")[:30], "before")
        page = mail_outbox.outbox_page(kit.ctx, user.actor, state=state, before_id=before)
        return kit.render(
            request,
            "outbox.html",
            user=user,
            page=page,
            before=before,
            state_labels=STATE_LABELS,
            total=sum(page.counts.values()),
        )

    @router.get("/outbox/{mail_id}", include_in_schema=False)
    def message(request: Request, mail_id: str, user: PageUser = admin) -> Response:
        number = _number(mail_id[:30], "the mail id")
        if number is None:
            raise ApiProblem(404, "Not found", "there is no such mail in the outbox")
        found = mail_outbox.outbox_message(kit.ctx, user.actor, number)
        return kit.render(
            request, "outbox_message.html", user=user, mail=found, state_labels=STATE_LABELS
        )

    return router
