"""The per-edition limits in procore_qb.domain.limits agree with QuickBooks' published schemas
(qbXML 13.0 and the QBO v3 XSD in ../shared/reference/quickbooks/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from procore_qb.domain.limits import DESKTOP_LIMITS, limits_for
from procore_qb.domain.quickbooks_job import QuickBooksEdition

XSD = "{http://www.w3.org/2001/XMLSchema}"
NS = {"xsd": "http://www.w3.org/2001/XMLSchema", "xs": "http://www.w3.org/2001/XMLSchema"}
ONLINE = limits_for(QuickBooksEdition.ONLINE)


def parse(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.parse(str(path), parser)


@pytest.fixture(scope="module")
def qbxml(reference_dir: Path) -> etree._ElementTree:
    return parse(reference_dir / "quickbooks" / "qbxml-13.0" / "qbxml130.xsd")


@pytest.fixture(scope="module")
def qbo_base(reference_dir: Path) -> etree._ElementTree:
    return parse(reference_dir / "quickbooks" / "qbo-v3-xsd" / "IntuitBaseTypes.xsd")


@pytest.fixture(scope="module")
def qbo_finance(reference_dir: Path) -> etree._ElementTree:
    return parse(reference_dir / "quickbooks" / "qbo-v3-xsd" / "Finance.xsd")


def max_length(tree: etree._ElementTree, parent: str, child: str, kind: str = "element") -> int:
    """The maxLength of element ``child`` declared inside the top-level ``parent``."""
    top = tree.getroot().find(f"xsd:{kind}[@name='{parent}']", NS)
    assert top is not None, parent
    for element in top.iter(f"{XSD}element"):
        if element.get("name") == child:
            restriction = element.find(".//xsd:maxLength", NS)
            assert restriction is not None, (parent, child)
            return int(restriction.get("value", "0"))
    raise AssertionError(f"{parent} has no {child}")


def documented_max(tree: etree._ElementTree, complex_type: str, child: str, product: str) -> int:
    """The "Max. length: N" that the doc string of ``complex_type/child`` gives ``product``."""
    top = tree.getroot().find(f"xs:complexType[@name='{complex_type}']", NS)
    assert top is not None, complex_type
    for element in top.iter(f"{XSD}element"):
        if element.get("name") == child:
            text = " ".join("".join(element.itertext()).split())
            for part in re.split(r"Product: ", text)[1:]:
                if part.startswith(product + " "):
                    found = re.search(r"Max\. length: (\d+)", part)
                    assert found, (complex_type, child, product)
                    return int(found.group(1))
    raise AssertionError(f"{complex_type}/{child} documents no length for {product}")


@pytest.mark.reference
def test_desktop_names_match_qbxml(qbxml: etree._ElementTree) -> None:
    assert max_length(qbxml, "CustomerAdd", "Name") == DESKTOP_LIMITS.job_name_max
    assert max_length(qbxml, "CustomerRet", "FullName") == DESKTOP_LIMITS.job_full_name_max
    assert max_length(qbxml, "ItemServiceAdd", "Name") == DESKTOP_LIMITS.item_name_max
    assert max_length(qbxml, "ItemServiceRet", "FullName") == DESKTOP_LIMITS.item_full_name_max
    assert max_length(qbxml, "CustomerAdd", "AccountNumber") == DESKTOP_LIMITS.number_max


@pytest.mark.reference
def test_desktop_address_matches_qbxml(qbxml: etree._ElementTree) -> None:
    elements = {
        "line1": "Addr1",
        "line2": "Addr2",
        "city": "City",
        "state": "State",
        "postal_code": "PostalCode",
        "country": "Country",
    }
    found = {k: max_length(qbxml, "AddressData", v, "group") for k, v in elements.items()}
    assert found == dict(DESKTOP_LIMITS.address_max)


ADDRESS_ELEMENTS = {
    "line1": "Line1",
    "line2": "Line2",
    "city": "City",
    "state": "CountrySubDivisionCode",
    "postal_code": "PostalCode",
    "country": "Country",
}


@pytest.mark.reference
@pytest.mark.parametrize(
    ("limits", "product"), [(DESKTOP_LIMITS, "QBW"), (ONLINE, "QBO")], ids=["desktop", "online"]
)
def test_address_matches_the_qbo_schema_doc_strings(
    qbo_base: etree._ElementTree, limits: object, product: str
) -> None:
    found = {
        k: documented_max(qbo_base, "PhysicalAddress", v, product)
        for k, v in ADDRESS_ELEMENTS.items()
    }
    assert found == dict(limits.address_max)  # type: ignore[attr-defined]


@pytest.mark.reference
def test_item_names_match_the_qbo_schema_doc_strings(qbo_finance: etree._ElementTree) -> None:
    assert documented_max(qbo_finance, "Item", "Name", "QBO") == ONLINE.item_name_max
    assert documented_max(qbo_finance, "Item", "Name", "QBW") == DESKTOP_LIMITS.item_name_max
