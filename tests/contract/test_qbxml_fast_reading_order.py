"""The fast reading of cost transactions follows the element order of qbXML 13.0.

:mod:`procore_qb.quickbooks.desktop.qbxml.costs` matches records with patterns written in the
order of ``qbxml130.xsd``; markup in another order is read correctly but slowly (by the tree
parser). These checks hold the patterns to the schema (read from ``../shared/reference/``),
so that what QuickBooks writes is always read fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema

from procore_qb.quickbooks.desktop.qbxml import costs

pytestmark = pytest.mark.reference

LINES = {"ExpenseLineRet", "ItemLineRet", "ItemGroupLineRet", "JournalDebitLine",
         "JournalCreditLine"}  # fmt: skip


@pytest.fixture(scope="module")
def schema(reference_dir: Path) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(reference_dir / "quickbooks" / "qbxml-13.0" / "qbxmlops130.xsd")


def children(schema: xmlschema.XMLSchema, name: str) -> list[str]:
    element = schema.maps.elements[name]
    return [child.local_name for child in element.type.content.iter_elements()]


@pytest.mark.parametrize("kind", sorted(costs._HEADERS))
def test_transaction_headers_and_tails_follow_the_schema(
    schema: xmlschema.XMLSchema, kind: str
) -> None:
    head, tail = costs._HEADERS[kind]
    order = children(schema, f"{kind}Ret")
    first_line = min(i for i, name in enumerate(order) if name in LINES)
    last_line = max(i for i, name in enumerate(order) if name in LINES)
    assert head.split() == order[:first_line]
    assert tail.split() == order[last_line + 1 :]


def test_lines_follow_the_schema(schema: xmlschema.XMLSchema) -> None:
    assert costs._EXPENSE_SPEC.split() == children(schema, "ExpenseLineRet")
    assert costs._ITEM_SPEC.split() == children(schema, "ItemLineRet")
    assert costs._JOURNAL_SPEC.split() == children(schema, "JournalDebitLine")
    assert costs._JOURNAL_SPEC.split() == children(schema, "JournalCreditLine")
    group = children(schema, "ItemGroupLineRet")
    # ItemLineRet* follows; a DataExt in a group line is read by the tree parser.
    assert costs._GROUP_SPEC.split() == group[: group.index("ItemLineRet")]


def test_containers_and_references_follow_the_schema(schema: xmlschema.XMLSchema) -> None:
    for name, spec in costs._CONTAINERS.items():
        expected = children(schema, name)
        if name == "LinkedTxn":
            expected.remove("TxnLineDetail")  # read by the tree parser when there
        assert spec.split() == expected, name
    for ref in ("VendorRef", "PayeeEntityRef", "CustomerRef", "ItemRef", "EntityRef"):
        assert children(schema, ref) == ["ListID", "FullName"]
