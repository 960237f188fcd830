"""The simulated request processor accepts exactly the element orders qbXML 13.0 accepts.

Random selections and orders of ``CustomerAdd`` children and of ``BillAdd`` lines are checked
against ``qbxmlops130.xsd`` (read from ``../shared/reference/``) and against the processor: the
processor takes the HRESULT path exactly when the schema says the request is invalid.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procore_qb.sandbox.qbd import ManualClock, QbdSimulator, QbxmlParseError, open_simulator

pytestmark = pytest.mark.reference

CUSTOMER_PARTS = {
    "Name": "<Name>Random Co</Name>",
    "IsActive": "<IsActive>true</IsActive>",
    "ParentRef": "<ParentRef><FullName>Harbor Holdings</FullName></ParentRef>",
    "CompanyName": "<CompanyName>Random Co LLC</CompanyName>",
    "FirstName": "<FirstName>Rae</FirstName>",
    "LastName": "<LastName>Ng</LastName>",
    "BillAddress": "<BillAddress><Addr1>1 Main</Addr1><City>Peoria</City></BillAddress>",
    "Phone": "<Phone>555-0100</Phone>",
    "Email": "<Email>rae@example.com</Email>",
    "TermsRef": "<TermsRef><FullName>Net 30</FullName></TermsRef>",
    "AccountNumber": "<AccountNumber>R-1</AccountNumber>",
    "JobStatus": "<JobStatus>Pending</JobStatus>",
    "JobStartDate": "<JobStartDate>2026-01-05</JobStartDate>",
    "JobDesc": "<JobDesc>Random job</JobDesc>",
    "Notes": "<Notes>n</Notes>",
}
BILL_PARTS = {
    "VendorRef": "<VendorRef><FullName>Valley Plumbing</FullName></VendorRef>",
    "TxnDate": "<TxnDate>2026-08-01</TxnDate>",
    "RefNumber": "<RefNumber>R-9</RefNumber>",
    "Memo": "<Memo>m</Memo>",
    "ExpenseLineAdd": "<ExpenseLineAdd><AccountRef><FullName>Equipment Rental</FullName>"
    "</AccountRef><Amount>5.00</Amount></ExpenseLineAdd>",
    "ItemLineAdd": "<ItemLineAdd><ItemRef><FullName>15-400</FullName></ItemRef><Amount>7.00"
    "</Amount><CustomerRef><FullName>City of Springfield:Fire Station 3</FullName></CustomerRef>"
    "</ItemLineAdd>",
}


@pytest.fixture(scope="module")
def schema(reference_dir: Path) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(reference_dir / "quickbooks" / "qbxml-13.0" / "qbxmlops130.xsd")


@pytest.fixture(scope="module")
def sim() -> Iterator[QbdSimulator]:
    simulator = open_simulator(None, ManualClock())
    yield simulator
    simulator.company.close()


def _message(tag: str, parts: list[str]) -> str:
    return (
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        f"<{tag}Rq><{tag}>{''.join(parts)}</{tag}></{tag}Rq></QBXMLMsgsRq></QBXML>"
    )


def _agree(schema: xmlschema.XMLSchema, sim: QbdSimulator, message: str) -> None:
    valid = schema.is_valid(message)
    refused: QbxmlParseError | None = None
    try:
        sim.processor.process(message)
    except QbxmlParseError as exc:
        refused = exc
    assert (refused is None) == valid, f"schema valid: {valid}; processor: {refused}\n{message}"


def _orders(parts: dict[str, str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(sorted(parts)), max_size=len(parts) + 1).map(
        lambda names: [parts[name] for name in names]
    )


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(parts=_orders(CUSTOMER_PARTS))
def test_customer_add_orders(
    schema: xmlschema.XMLSchema, sim: QbdSimulator, parts: list[str]
) -> None:
    _agree(schema, sim, _message("CustomerAdd", parts))


@SETTINGS
@given(parts=_orders(BILL_PARTS))
def test_bill_add_orders(schema: xmlschema.XMLSchema, sim: QbdSimulator, parts: list[str]) -> None:
    _agree(schema, sim, _message("BillAdd", parts))


CUSTOMER_QUERY_PARTS = {
    "ListID": "<ListID>80000001-1793610000</ListID>",
    "FullName": "<FullName>Harbor Holdings</FullName>",
    "MaxReturned": "<MaxReturned>3</MaxReturned>",
    "ActiveStatus": "<ActiveStatus>All</ActiveStatus>",
    "FromModifiedDate": "<FromModifiedDate>2026-01-01T00:00:00</FromModifiedDate>",
    "ToModifiedDate": "<ToModifiedDate>2027-01-01</ToModifiedDate>",
    "NameFilter": "<NameFilter><MatchCriterion>Contains</MatchCriterion><Name>a</Name>"
    "</NameFilter>",
    "NameRangeFilter": "<NameRangeFilter><FromName>a</FromName></NameRangeFilter>",
    "IncludeRetElement": "<IncludeRetElement>Name</IncludeRetElement>",
}
BILL_QUERY_PARTS = {
    "TxnID": "<TxnID>80000001-1793610000</TxnID>",
    "RefNumber": "<RefNumber>VP-330</RefNumber>",
    "MaxReturned": "<MaxReturned>2</MaxReturned>",
    "ModifiedDateRangeFilter": "<ModifiedDateRangeFilter><FromModifiedDate>2026-01-01"
    "</FromModifiedDate></ModifiedDateRangeFilter>",
    "TxnDateRangeFilter": "<TxnDateRangeFilter><FromTxnDate>2026-01-01</FromTxnDate>"
    "</TxnDateRangeFilter>",
    "EntityFilter": "<EntityFilter><FullNameWithChildren>Greenleaf Properties"
    "</FullNameWithChildren></EntityFilter>",
    "AccountFilter": "<AccountFilter><FullName>Accounts Payable</FullName></AccountFilter>",
    "RefNumberFilter": "<RefNumberFilter><MatchCriterion>StartsWith</MatchCriterion>"
    "<RefNumber>A</RefNumber></RefNumberFilter>",
    "PaidStatus": "<PaidStatus>NotPaidOnly</PaidStatus>",
    "IncludeLineItems": "<IncludeLineItems>true</IncludeLineItems>",
    "IncludeRetElement": "<IncludeRetElement>TxnID</IncludeRetElement>",
}


def _query(tag: str, parts: list[str]) -> str:
    return (
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        f"<{tag}>{''.join(parts)}</{tag}></QBXMLMsgsRq></QBXML>"
    )


@SETTINGS
@given(parts=_orders(CUSTOMER_QUERY_PARTS))
def test_customer_query_filters(
    schema: xmlschema.XMLSchema, sim: QbdSimulator, parts: list[str]
) -> None:
    _agree(schema, sim, _query("CustomerQueryRq", parts))


@SETTINGS
@given(parts=_orders(BILL_QUERY_PARTS))
def test_bill_query_filters(
    schema: xmlschema.XMLSchema, sim: QbdSimulator, parts: list[str]
) -> None:
    _agree(schema, sim, _query("BillQueryRq", parts))
