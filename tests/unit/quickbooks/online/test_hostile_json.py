"""QuickBooks Online answers of the wrong shape fail as QboProtocolError, never as a crash."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.quickbooks.online import cdc
from procore_qb.quickbooks.online.errors import QboError, QboProtocolError
from procore_qb.quickbooks.online.resources.accounts import account_record
from procore_qb.quickbooks.online.resources.bills import BillResource
from procore_qb.quickbooks.online.resources.customers import customer_to_job
from procore_qb.quickbooks.online.resources.items import item_record
from procore_qb.quickbooks.online.resources.journal_entries import JournalEntryResource
from procore_qb.quickbooks.online.resources.purchases import PurchaseResource
from procore_qb.quickbooks.online.resources.vendor_credits import VendorCreditResource
from procore_qb.quickbooks.online.resources.vendors import vendor_record

READERS: list[Callable[[Any], Any]] = [
    customer_to_job,
    account_record,
    item_record,
    vendor_record,
    BillResource.cost_lines,
    PurchaseResource.cost_lines,
    JournalEntryResource.cost_lines,
    VendorCreditResource.cost_lines,
    lambda body: cdc._parse(body, ["Customer"]),
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
entity_keys = st.sampled_from(
    [
        "Id",
        "DisplayName",
        "Name",
        "Job",
        "ParentRef",
        "Line",
        "Amount",
        "TxnDate",
        "time",
        "CDCResponse",
        "QueryResponse",
        "Customer",
        "AccountType",
        "Active",
        "BillAddr",
        "Type",
    ]
)


def test_a_customer_without_id_is_a_protocol_error() -> None:
    with pytest.raises(QboProtocolError, match="malformed Customer"):
        customer_to_job({"DisplayName": "A"})
    with pytest.raises(QboProtocolError, match="change data capture"):
        cdc._parse({"time": "not a time"}, ["Customer"])


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(range(len(READERS))),
    st.one_of(json_values, st.dictionaries(entity_keys, json_values, max_size=6)),
)
def test_readers_raise_only_qbo_errors(index: int, value: Any) -> None:
    with contextlib.suppress(QboError):
        READERS[index](value)
