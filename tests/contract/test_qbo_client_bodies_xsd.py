"""Every field our QuickBooks Online client sends exists in Intuit's v3 XSD for that entity.

Reads ``reference/quickbooks/qbo-v3-xsd/*.xsd`` at test time and walks the bodies that the
resources build (customer and job create and update, service item, class), recursively through
nested types; a ``ReferenceType`` is ``value`` plus its attributes in JSON.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from procore_qb.domain.quickbooks_job import JobAddress, JobStatus, QuickBooksJob
from procore_qb.quickbooks.online.resources.customers import customer_body, job_update_body
from procore_qb.quickbooks.online.resources.items import service_item_body

pytestmark = pytest.mark.reference

XS = "{http://www.w3.org/2001/XMLSchema}"
Types = dict[str, tuple[str | None, dict[str, str | None], set[str], bool]]


def _local(name: str | None) -> str | None:
    return name.rsplit(":", 1)[-1] if name else None


def _walk(
    node: Any, elements: dict[str, str | None], attributes: set[str], info: dict[str, Any]
) -> None:
    for child in node:
        if child.tag == f"{XS}element" and child.get("name"):
            elements[child.get("name")] = _local(child.get("type"))
        elif child.tag == f"{XS}attribute" and child.get("name"):
            attributes.add(child.get("name"))
        elif child.tag in (f"{XS}extension", f"{XS}restriction"):
            info["base"] = _local(child.get("base"))
            _walk(child, elements, attributes, info)
        elif child.tag == f"{XS}simpleContent":
            info["simple"] = True
            _walk(child, elements, attributes, info)
        elif child.tag in (f"{XS}sequence", f"{XS}choice", f"{XS}all", f"{XS}complexContent"):
            _walk(child, elements, attributes, info)


@pytest.fixture(scope="module")
def types(reference_dir: Path) -> Types:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    out: Types = {}
    for path in sorted((reference_dir / "quickbooks" / "qbo-v3-xsd").glob("*.xsd")):
        root = etree.parse(str(path), parser).getroot()
        for node in root.iter(f"{XS}complexType"):
            name = node.get("name")
            if not name:
                continue
            elements: dict[str, str | None] = {}
            attributes: set[str] = set()
            info: dict[str, Any] = {"base": None, "simple": False}
            _walk(node, elements, attributes, info)
            out[name] = (info["base"], elements, attributes, info["simple"])
    return out


def _fields(types: Types, name: str) -> tuple[dict[str, str | None], set[str], bool]:
    elements: dict[str, str | None] = {}
    attributes: set[str] = set()
    simple = False
    current: str | None = name
    while current in types:
        base, own, attrs, is_simple = types[current]
        elements = {**own, **elements}
        attributes |= attrs
        simple = simple or is_simple
        current = base
    return elements, attributes, simple


def unknown_fields(types: Types, type_name: str, body: dict[str, Any], path: str = "") -> list[str]:
    assert type_name in types, f"{type_name} is not a complexType of the XSD"
    elements, attributes, simple = _fields(types, type_name)
    problems = []
    for key, value in body.items():
        where = f"{path}{key}"
        if key in elements:
            child = elements[key]
            if isinstance(value, dict) and child in types:
                problems += unknown_fields(types, child, value, where + ".")
        elif key in attributes or (simple and key == "value"):
            continue
        else:
            problems.append(where)
    return problems


JOB = QuickBooksJob(
    name="P-1042 Riverside Clinic TI",
    id="61",
    version="3",
    parent_id="58",
    number="P-1042",
    address=JobAddress(
        line1="12 River Rd",
        line2="Suite 4",
        city="Springfield",
        state="IL",
        postal_code="62701",
        country="USA",
    ),
    start_date=date(2026, 1, 5),
    projected_end_date=date(2026, 9, 30),
    status=JobStatus.IN_PROGRESS,
    active=False,
)


@pytest.mark.parametrize(
    ("entity", "body"),
    [
        ("Customer", customer_body(JOB)),
        ("Customer", {**job_update_body(JOB), "sparse": True}),
        ("Customer", customer_body(QuickBooksJob(name="Riverside Health"))),
        (
            "Item",
            service_item_body(
                "03-300 Concrete",
                description="Concrete",
                income_account_id="79",
                expense_account_id="80",
            ),
        ),
        ("Class", {"Name": "Phase 1", "SubClass": True, "ParentRef": {"value": "5"}}),
    ],
)
def test_request_bodies_use_only_xsd_fields(
    types: Types, entity: str, body: dict[str, Any]
) -> None:
    assert unknown_fields(types, entity, body) == []


def test_the_check_catches_a_misspelt_field(types: Types) -> None:
    assert unknown_fields(
        types, "Customer", {"DisplayName": "x", "BillAddr": {"Zip": "1"}, "Parent": {}}
    ) == ["BillAddr.Zip", "Parent"]
