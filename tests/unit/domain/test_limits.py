from __future__ import annotations

import pytest

from procore_qb.domain.limits import (
    DEFAULT_ONLINE_DISPLAY_NAME_MAX,
    DESKTOP_LIMITS,
    limits_for,
)
from procore_qb.domain.quickbooks_job import QuickBooksEdition


def test_desktop_table() -> None:
    limits = limits_for(QuickBooksEdition.DESKTOP)
    assert limits is DESKTOP_LIMITS
    assert (limits.job_name_max, limits.job_full_name_max) == (41, 209)
    assert (limits.item_name_max, limits.item_full_name_max) == (31, 159)
    assert limits.max_levels == 5
    assert limits.job_name_field == "Name"
    assert ":" in limits.forbidden_in_names


def test_online_table() -> None:
    limits = limits_for(QuickBooksEdition.ONLINE)
    assert limits.job_name_max == DEFAULT_ONLINE_DISPLAY_NAME_MAX == 500
    assert limits.job_full_name_max is None
    assert limits.item_name_max == 100
    assert limits.max_levels == 5
    assert limits.job_name_field == "DisplayName"
    assert {":", "\t", "\n"} <= limits.forbidden_in_names


def test_online_display_name_maximum_is_configurable() -> None:
    assert limits_for(QuickBooksEdition.ONLINE, online_display_name_max=255).job_name_max == 255
    # Desktop's limit comes from the qbXML schema and does not move.
    assert limits_for(QuickBooksEdition.DESKTOP, online_display_name_max=255).job_name_max == 41


def test_a_maximum_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        limits_for(QuickBooksEdition.ONLINE, online_display_name_max=0)


def test_forbidden_found_lists_each_character_once() -> None:
    online = limits_for(QuickBooksEdition.ONLINE)
    assert online.forbidden_found("a:b\tc:d") == ("\t", ":")
    assert DESKTOP_LIMITS.forbidden_found("plain") == ()


def test_address_limits_cover_every_quickbooks_address_field() -> None:
    fields = {"line1", "line2", "city", "state", "postal_code", "country"}
    for edition in QuickBooksEdition:
        assert set(limits_for(edition).address_max) == fields
    assert DESKTOP_LIMITS.address_max["postal_code"] == 13
    assert limits_for(QuickBooksEdition.ONLINE).address_max["postal_code"] == 30
    assert (DESKTOP_LIMITS.number_max, limits_for(QuickBooksEdition.ONLINE).number_max) == (
        99,
        None,
    )
