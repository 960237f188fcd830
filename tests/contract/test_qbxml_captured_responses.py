"""Responses captured from a real QuickBooks Desktop (public test fixtures) read back into the
right records and the right exceptions, with QuickBooks' own messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from procore_qb.quickbooks.desktop.errors import (
    FeatureNotAvailable,
    InvalidParentReference,
    NameInUse,
)
from procore_qb.quickbooks.desktop.qbxml.message import parse_response_message
from procore_qb.quickbooks.desktop.qbxml.records import read_customer

pytestmark = pytest.mark.reference


def _fixture(reference_dir: Path, name: str) -> bytes:
    folder = reference_dir / "quickbooks" / "qbxml-samples" / "qbwc-common-fixtures"
    return (folder / name).read_bytes()


def test_mixed_batch(reference_dir: Path) -> None:
    message = parse_response_message(_fixture(reference_dir, "customer-batch-mixed.response.xml"))
    errors = [rs.error for rs in message.responses]
    assert [type(e) for e in errors] == [
        type(None),
        NameInUse,
        FeatureNotAvailable,
        InvalidParentReference,
        type(None),
    ]
    assert [rs.request_id for rs in message.responses][:2] == ["ext-mix-1", "ext-mix-2"]
    in_use = errors[1]
    assert in_use is not None
    assert str(in_use).endswith("of the list element is already in use.")
    parent = errors[3]
    assert parent is not None
    assert "invalid reference to a parent" in parent.message
    created = read_customer(message.responses[0].rets[0])
    assert (created.list_id, created.sublevel) == ("8000274C-1785964190", 0)
    assert read_customer(message.responses[0].records[0]) == created


def test_valid_batch(reference_dir: Path) -> None:
    message = parse_response_message(_fixture(reference_dir, "customer-batch-valid.response.xml"))
    assert all(rs.error is None for rs in message.responses)
    records = [read_customer(rs.rets[0]) for rs in message.responses]
    assert len({r.list_id for r in records}) == len(records) == 5
    # The fast reading of the markup QuickBooks wrote gives the same records.
    assert [read_customer(rs.records[0]) for rs in message.responses] == records
