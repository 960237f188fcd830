"""Every field the QuickBooks Online simulator writes or accepts exists in Intuit's v3 XSD.

The XSD (``reference/quickbooks/qbo-v3-xsd/``) is read at test time: complexTypes with their
base types, elements and attributes. A JSON object is checked against the complexType of its
element, recursively; a ``ReferenceType`` (simple content) appears in JSON as ``value`` plus
its attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from starlette.testclient import TestClient

from procore_qb.sandbox.qbo import ManualClock, Simulator, create_app
from procore_qb.sandbox.qbo.entities import SPECS
from procore_qb.sandbox.seed import QBO_REALM_ID

pytestmark = pytest.mark.reference

XS = "{http://www.w3.org/2001/XMLSchema}"
BASE = f"/v3/company/{QBO_REALM_ID}"


@dataclass
class ComplexType:
    base: str | None = None
    elements: dict[str, str | None] = field(default_factory=dict)
    attributes: set[str] = field(default_factory=set)
    simple_content: bool = False
    refs: list[str] = field(default_factory=list)


def _local(name: str | None) -> str | None:
    return name.split(":")[-1] if name else None


def _collect(node: etree._Element, into: ComplexType) -> None:
    for child in node:
        tag = child.tag
        if tag == f"{XS}element" and child.get("name"):
            into.elements[child.get("name", "")] = _local(child.get("type"))
        elif tag == f"{XS}element" and child.get("ref"):
            into.refs.append(_local(child.get("ref")) or "")
        elif tag == f"{XS}attribute" and child.get("name"):
            into.attributes.add(child.get("name", ""))
        elif tag in (f"{XS}extension", f"{XS}restriction"):
            into.base = _local(child.get("base"))
            _collect(child, into)
        elif tag == f"{XS}simpleContent":
            into.simple_content = True
            _collect(child, into)
        elif tag in (f"{XS}sequence", f"{XS}choice", f"{XS}all", f"{XS}complexContent"):
            _collect(child, into)


@pytest.fixture(scope="module")
def schema(reference_dir: Path) -> dict[str, ComplexType]:
    """complexTypes by name; an ``<xs:element ref=...>`` becomes the referenced global element,
    or every member of the substitution group it heads (``IntuitObject`` -> the entities)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    types: dict[str, ComplexType] = {}
    globals_: dict[str, tuple[str | None, str | None]] = {}
    for path in sorted((reference_dir / "quickbooks" / "qbo-v3-xsd").glob("*.xsd")):
        root = etree.parse(str(path), parser).getroot()
        for node in root:
            if node.tag == f"{XS}element" and node.get("name"):
                globals_[node.get("name", "")] = (
                    _local(node.get("type")),
                    _local(node.get("substitutionGroup")),
                )
        for node in root.iter(f"{XS}complexType"):
            name = node.get("name")
            if name:
                found = ComplexType()
                _collect(node, found)
                types[name] = found
    for found in types.values():
        for ref in found.refs:
            members = {n: t for n, (t, group) in globals_.items() if group == ref}
            if ref in globals_:
                members.setdefault(ref, globals_[ref][0])
            for name, type_name in members.items():
                found.elements.setdefault(name, type_name)
    return types


def _fields(
    schema: dict[str, ComplexType], type_name: str
) -> tuple[dict[str, str | None], set[str], bool]:
    elements: dict[str, str | None] = {}
    attributes: set[str] = set()
    simple = False
    current: str | None = type_name
    while current is not None and current in schema:
        found = schema[current]
        for key, value in found.elements.items():
            elements.setdefault(key, value)
        attributes |= found.attributes
        simple = simple or found.simple_content
        current = found.base
    return elements, attributes, simple


def check(schema: dict[str, ComplexType], value: Any, type_name: str, path: str) -> list[str]:
    """Field names in ``value`` that the complexType ``type_name`` does not define."""
    if isinstance(value, list):
        return [
            p
            for i, item in enumerate(value)
            for p in check(schema, item, type_name, f"{path}[{i}]")
        ]
    if not isinstance(value, dict) or type_name not in schema:
        return []
    elements, attributes, simple = _fields(schema, type_name)
    problems = []
    for key, child in value.items():
        if key in attributes or (simple and key == "value"):
            continue
        if key not in elements:
            problems.append(f"{path}.{key} is not in XSD complexType {type_name}")
            continue
        child_type = elements[key]
        if child_type is not None:
            problems.extend(check(schema, child, child_type, f"{path}.{key}"))
    return problems


@pytest.fixture(scope="module")
def responses() -> dict[str, Any]:
    """One response of each kind from a seeded simulator."""
    simulator = Simulator(clock=ManualClock())
    client = TestClient(create_app(simulator))
    token = client.post("/_sandbox/tokens").json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    client.post(BASE + "/class", json={"Name": "Commercial"}, headers=headers)
    out: dict[str, Any] = {}
    for spec in SPECS:
        response = client.post(
            BASE + "/query",
            content=f"select * from {spec.name} where Active in (true, false)"
            if spec.name in ("Customer", "Vendor", "Employee", "Item", "Account", "Class")
            else f"select * from {spec.name}",
            headers={**headers, "Content-Type": "application/text"},
        )
        out[spec.name] = response.json()
    out["Employee"] = {
        "Employee": client.post(
            BASE + "/employee", json={"GivenName": "Ana", "FamilyName": "Ruiz"}, headers=headers
        ).json()["Employee"]
    }
    out["fault"] = client.post(
        BASE + "/customer", json={"Job": True, "DisplayName": "x"}, headers=headers
    ).json()
    out["batch"] = client.post(
        BASE + "/batch",
        json={
            "BatchItemRequest": [
                {"bId": "1", "Query": "select * from Item maxresults 1"},
                {"bId": "2", "operation": "create", "Customer": {"Job": True, "DisplayName": "y"}},
            ]
        },
        headers=headers,
    ).json()
    out["cdc"] = client.get(
        BASE + "/cdc",
        params={"entities": "Customer,Bill", "changedSince": "2026-11-01T00:00:00Z"},
        headers=headers,
    ).json()
    return out


CONTRACT = ["Customer", "Item", "Vendor", "Bill", "Purchase", "JournalEntry"]
OTHERS = ["VendorCredit", "Account", "Class", "CompanyInfo", "Preferences"]


@pytest.mark.parametrize("entity", CONTRACT + OTHERS)
def test_query_results_use_only_xsd_field_names(
    schema: dict[str, ComplexType], responses: dict[str, Any], entity: str
) -> None:
    body = responses[entity]
    assert check(schema, body, "IntuitResponse", "") == []
    rows = body["QueryResponse"][entity]
    assert rows
    assert check(schema, rows, entity, entity) == []


def test_single_entity_fault_batch_and_cdc_envelopes(
    schema: dict[str, ComplexType], responses: dict[str, Any]
) -> None:
    assert check(schema, responses["Employee"]["Employee"], "Employee", "Employee") == []
    assert check(schema, responses["fault"], "IntuitResponse", "") == []
    assert responses["fault"]["Fault"]["Error"][0]["code"] == "6150"
    for item in responses["batch"]["BatchItemResponse"]:
        assert check(schema, item, "BatchItemResponse", "BatchItemResponse") == []
    assert check(schema, responses["cdc"], "IntuitResponse", "") == []
    for query in responses["cdc"]["CDCResponse"][0]["QueryResponse"]:
        for entity, rows in query.items():
            if isinstance(rows, list):
                assert check(schema, rows, entity, entity) == []


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_accepted_input_fields_exist_in_the_xsd(schema: dict[str, ComplexType], spec: Any) -> None:
    elements, attributes, _ = _fields(schema, spec.name)
    unknown = sorted(spec.accepted() - set(elements) - attributes)
    assert unknown == []


def test_the_walker_catches_a_wrong_name(schema: dict[str, ComplexType]) -> None:
    assert check(schema, {"DisplayName": "x", "ProjectNumber": "1"}, "Customer", "Customer") == [
        "Customer.ProjectNumber is not in XSD complexType Customer"
    ]
    assert check(schema, {"ParentRef": {"value": "1", "label": "x"}}, "Customer", "Customer") == [
        "Customer.ParentRef.label is not in XSD complexType ReferenceType"
    ]
