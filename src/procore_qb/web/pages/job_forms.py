"""What the Jobs tab's forms and links send, checked before any use case runs: item ids, the
customer chosen at Accept, the rejection comment, the page to return to. Anything else is
refused with a 422 page naming the field and what it takes (the same problem details as the
JSON API's ``invalid_request``)."""

from __future__ import annotations

from collections.abc import Sequence

from procore_qb.app import queries
from procore_qb.domain.export_workflow import CustomerChoice
from procore_qb.web.pages.tab_forms import MAX_SEARCH, PER_PAGE_CHOICES, TabAddress, invalid

__all__ = [
    "JOBS_PATH",
    "JOBS_TAB",
    "MAX_COMMENT",
    "MAX_IDS",
    "MAX_SEARCH",
    "PER_PAGE_CHOICES",
    "back_to",
    "comment",
    "customer_choice",
    "invalid",
    "item_ids",
    "jobs_url",
]

JOBS_PATH = "/erp/jobs"
MAX_IDS = 500
"""Most items one form may name: a page shows at most 100, and a form of more than 1,000
fields is refused before it is read."""
MAX_COMMENT = 2000
MAX_NEW_CUSTOMER = 255
MAX_CUSTOMER_ID = 64
JOBS_TAB = TabAddress(JOBS_PATH, queries.JobFilter, keep_page_on_long_search=True)
"""The pages of the Jobs tab (:mod:`procore_qb.web.pages.tab_forms`)."""


def item_ids(values: Sequence[str], kind: str) -> list[int]:
    """The row ids of Jobs tab items ``export-N`` (or ``import-N``), in order, without
    repeats: at least one, at most :data:`MAX_IDS`, all of ``kind``."""
    if not values:
        raise invalid("ids", "select at least one item")
    if len(values) > MAX_IDS:
        raise invalid("ids", f"select at most {MAX_IDS} items at once")
    out: list[int] = []
    for value in values:
        try:
            found, number = queries.parse_item_id(value)
        except ValueError:
            raise invalid("ids", f"{value[:40]!r} is not a Jobs tab item") from None
        if found != kind:
            raise invalid("ids", f"{value} is a {found} item; this action takes {kind} items")
        out.append(number)
    return list(dict.fromkeys(out))


def customer_choice(choice: str, new_customer: str) -> CustomerChoice | None:
    """The customer picked at Accept: ``customer:<QuickBooks id>``, ``new`` with the new
    customer's name, or nothing (an update, or "Customers = Jobs" mode, needs none)."""
    if not choice:
        return None
    if choice == "new":
        name = new_customer.strip()
        if not name:
            raise invalid("new_customer", "enter the new customer's name, or pick a customer")
        if len(name) > MAX_NEW_CUSTOMER:
            raise invalid("new_customer", f"at most {MAX_NEW_CUSTOMER} characters")
        if not name.isprintable():
            raise invalid("new_customer", "use letters, digits, spaces and punctuation only")
        return CustomerChoice.new(name)
    kind, _, customer_id = choice.partition(":")
    if (
        kind != "customer"
        or not customer_id
        or len(customer_id) > MAX_CUSTOMER_ID
        or not all("\x21" <= c <= "\x7e" for c in customer_id)
    ):
        raise invalid("choice", "pick a customer from the list, or 'New customer'")
    return CustomerChoice.existing(customer_id)


def comment(value: str) -> str:
    """The optional rejection comment."""
    text = value.strip()
    if len(text) > MAX_COMMENT:
        raise invalid("comment", f"at most {MAX_COMMENT} characters")
    return text


def jobs_url(
    job_filter: queries.JobFilter, *, page: int = 1, per_page: int = 50, search: str = ""
) -> str:
    """The address of one page of the Jobs tab."""
    return JOBS_TAB.url(job_filter, page=page, per_page=per_page, search=search)


def back_to(value: str, default: queries.JobFilter) -> str:
    """Where a Jobs tab form returns to: the Jobs tab page it was posted from (its filter,
    page, size and search, re-checked; a search too long is dropped), else the first page of
    ``default``."""
    return JOBS_TAB.back(value, default)
