"""Every response of the simulated QuickBooks Desktop validates against qbXML 13.0.

Reads the schema and Intuit's sample requests from ``../shared/reference/quickbooks/`` (never
copied into the repository).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import xmlschema

from procore_qb.sandbox.qbd import ManualClock, QbdSimulator, QbxmlParseError, open_simulator

pytestmark = pytest.mark.reference

# Samples that depend on objects an earlier sample creates run after it (their own headers
# say so: QueryFilterRq.xml "Before: CustomerAddRq.xml", ErrRecovery in numeric order).
SAMPLE_ORDER = ("CustomerAddRq.xml", "ErrRecovery1.xml", "ErrRecovery2.xml", "ErrRecovery3.xml")


@pytest.fixture(scope="module")
def schema(reference_dir: Path) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(reference_dir / "quickbooks" / "qbxml-13.0" / "qbxmlops130.xsd")


@pytest.fixture
def sim() -> Iterator[QbdSimulator]:
    simulator = open_simulator(None, ManualClock())
    yield simulator
    simulator.company.close()


def _valid(schema: xmlschema.XMLSchema, response: str) -> None:
    errors = list(schema.iter_errors(response))
    assert not errors, f"{errors[0]}\n{response[:3000]}"


def _samples(reference_dir: Path) -> list[Path]:
    folder = reference_dir / "quickbooks" / "qbxml-samples" / "intuit-sdk-samples"
    files = sorted(folder.glob("*.xml"))
    first = [f for name in SAMPLE_ORDER for f in files if f.name == name]
    return first + [f for f in files if f not in first]


# What the samples say they depend on ("This example depends on ..." in their headers), and
# the payee and expense account ErrRecovery1.xml writes a check to.
PREREQUISITES = (
    "<AccountAddRq><AccountAdd><Name>Construction</Name><AccountType>Income</AccountType>"
    "</AccountAdd></AccountAddRq>"
    "<AccountAddRq><AccountAdd><Name>Other Expenses</Name><AccountType>OtherExpense"
    "</AccountType></AccountAdd></AccountAddRq>"
    "<AccountAddRq><AccountAdd><Name>Bank Account 1</Name><AccountType>Bank</AccountType>"
    "</AccountAdd></AccountAddRq>"
    "<AccountAddRq><AccountAdd><Name>Bank Account 2</Name><AccountType>Bank</AccountType>"
    "</AccountAdd></AccountAddRq>"
    "<AccountAddRq><AccountAdd><Name>Automobile</Name><AccountType>Expense</AccountType>"
    "</AccountAdd></AccountAddRq>"
    "<ClassAddRq><ClassAdd><Name>Class1</Name></ClassAdd></ClassAddRq>"
    "<ClassAddRq><ClassAdd><Name>Class2</Name></ClassAdd></ClassAddRq>"
    "<VendorTypeAddRq><VendorTypeAdd><Name>Materials</Name></VendorTypeAdd></VendorTypeAddRq>"
    "<VendorAddRq><VendorAdd><Name>East Bayshore Auto Mall</Name></VendorAdd></VendorAddRq>"
)


def _statuses(response: str) -> list[str]:
    return [part.split('"')[1] for part in response.split("statusCode=")[1:]]


def test_every_intuit_sample_runs_with_a_schema_valid_response(
    reference_dir: Path, schema: xmlschema.XMLSchema, sim: QbdSimulator
) -> None:
    setup = (
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML>'
        f'<QBXMLMsgsRq onError="stopOnError">{PREREQUISITES}</QBXMLMsgsRq></QBXML>'
    )
    assert schema.is_valid(setup)
    prepared = sim.processor.process(setup)
    _valid(schema, prepared)
    assert set(_statuses(prepared)) == {"0"}
    samples = _samples(reference_dir)
    assert len(samples) >= 12
    for sample in samples:
        request = sample.read_text(encoding="utf-8")
        assert schema.is_valid(request), sample.name
        response = sim.processor.process(request)
        _valid(schema, response)
        # Every request of every sample succeeds once its prerequisites exist.
        assert set(_statuses(response)) <= {"0"}, f"{sample.name}:\n{response}"
    job = sim.company.find_list(("Customer",), "Joe Customer:Equipment Installation")
    assert job is not None


QUERIES = [
    "<HostQueryRq/>",
    "<CompanyQueryRq/>",
    "<CustomerQueryRq/>",
    "<VendorQueryRq/>",
    "<ItemQueryRq/>",
    "<ItemServiceQueryRq/>",
    "<ItemOtherChargeQueryRq/>",
    "<ItemNonInventoryQueryRq/>",
    "<AccountQueryRq/>",
    "<TermsQueryRq/>",
    "<BillQueryRq><IncludeLineItems>true</IncludeLineItems></BillQueryRq>",
    "<CheckQueryRq><IncludeLineItems>true</IncludeLineItems></CheckQueryRq>",
    "<CreditCardChargeQueryRq><IncludeLineItems>true</IncludeLineItems></CreditCardChargeQueryRq>",
    "<JournalEntryQueryRq><IncludeLineItems>true</IncludeLineItems></JournalEntryQueryRq>",
    "<VendorCreditQueryRq><IncludeLineItems>true</IncludeLineItems></VendorCreditQueryRq>",
    "<BillQueryRq/>",
    '<CustomerQueryRq iterator="Start"><MaxReturned>3</MaxReturned></CustomerQueryRq>',
    "<ListDeletedQueryRq><ListDelType>Customer</ListDelType></ListDeletedQueryRq>",
    "<TxnDeletedQueryRq><TxnDelType>Bill</TxnDelType></TxnDeletedQueryRq>",
    "<CustomerQueryRq><FullName>Nobody</FullName></CustomerQueryRq>",
    "<CustomerQueryRq><IncludeRetElement>ListID</IncludeRetElement>"
    "<IncludeRetElement>FullName</IncludeRetElement></CustomerQueryRq>",
    "<CustomerAddRq><CustomerAdd><Name>Job</Name><ParentRef><FullName>Nobody</FullName>"
    "</ParentRef></CustomerAdd></CustomerAddRq>",
    "<CustomerAddRq><CustomerAdd><Name>Greenleaf Properties</Name></CustomerAdd></CustomerAddRq>",
    "<PreferencesQueryRq/>",
    "<StandardTermsQueryRq/>",
    "<ClassQueryRq/>",
    "<JobTypeQueryRq/>",
    "<VendorTypeQueryRq/>",
    "<CustomerTypeQueryRq/>",
    "<OtherNameAddRq><OtherNameAdd><Name>Inspector</Name><OtherNameAddress><City>Peoria</City>"
    "</OtherNameAddress><Phone>555</Phone></OtherNameAdd></OtherNameAddRq><OtherNameQueryRq/>",
    "<JobTypeAddRq><JobTypeAdd><Name>Commercial</Name></JobTypeAdd></JobTypeAddRq>"
    "<JobTypeAddRq><JobTypeAdd><Name>Retail</Name><ParentRef><FullName>Commercial</FullName>"
    "</ParentRef></JobTypeAdd></JobTypeAddRq><JobTypeQueryRq/>",
    "<StandardTermsAddRq><StandardTermsAdd><Name>Net 45</Name><StdDueDays>45</StdDueDays>"
    "</StandardTermsAdd></StandardTermsAddRq>",
]


@pytest.mark.parametrize("request_xml", QUERIES)
def test_query_and_error_responses_validate(
    schema: xmlschema.XMLSchema, sim: QbdSimulator, request_xml: str
) -> None:
    message = (
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML>'
        f'<QBXMLMsgsRq onError="continueOnError">{request_xml}</QBXMLMsgsRq></QBXML>'
    )
    assert schema.is_valid(message)
    _valid(schema, sim.processor.process(message))


def test_writes_validate(schema: xmlschema.XMLSchema, sim: QbdSimulator) -> None:
    job = sim.processor.process(
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        "<CustomerAddRq><CustomerAdd><Name>Northgate Garage</Name><ParentRef><FullName>"
        "Riverside Health</FullName></ParentRef><BillAddress><Addr1>1 Main</Addr1><City>Rockford"
        "</City><State>IL</State><PostalCode>61107</PostalCode></BillAddress><AccountNumber>NG-1"
        "</AccountNumber><JobStatus>Pending</JobStatus><JobStartDate>2026-07-06</JobStartDate>"
        "<JobProjectedEndDate>2027-06-30</JobProjectedEndDate></CustomerAdd></CustomerAddRq>"
        "<ItemServiceAddRq><ItemServiceAdd><Name>31-000</Name><SalesAndPurchase><SalesDesc>"
        "Earthwork</SalesDesc><IncomeAccountRef><FullName>Construction Income</FullName>"
        "</IncomeAccountRef><ExpenseAccountRef><FullName>Subcontractors</FullName>"
        "</ExpenseAccountRef></SalesAndPurchase></ItemServiceAdd></ItemServiceAddRq>"
        "<BillAddRq><BillAdd><VendorRef><FullName>Valley Plumbing</FullName></VendorRef>"
        "<TxnDate>2026-08-01</TxnDate><RefNumber>VP-400</RefNumber><ExpenseLineAdd><AccountRef>"
        "<FullName>Equipment Rental</FullName></AccountRef><Amount>90.00</Amount><Memo>Lift"
        "</Memo><CustomerRef><FullName>Riverside Health:Northgate Garage</FullName></CustomerRef>"
        "</ExpenseLineAdd><ItemLineAdd><ItemRef><FullName>31-000</FullName></ItemRef><Quantity>2"
        "</Quantity><Cost>50.00</Cost><CustomerRef><FullName>Riverside Health:Northgate Garage"
        "</FullName></CustomerRef></ItemLineAdd></BillAdd></BillAddRq>"
        "</QBXMLMsgsRq></QBXML>"
    )
    _valid(schema, job)
    assert job.count('statusCode="0"') == 3
    voided = sim.processor.process(
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        "<TxnVoidRq><TxnVoidType>Bill</TxnVoidType><TxnID>"
        + next(t.txn_id for t in sim.company.txns("Bill") if t.ref_number == "VP-400")
        + "</TxnID></TxnVoidRq></QBXMLMsgsRq></QBXML>"
    )
    _valid(schema, voided)
    assert 'statusCode="0"' in voided
    deleted = sim.processor.process(
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        "<TxnDeletedQueryRq><TxnDelType>Bill</TxnDelType></TxnDeletedQueryRq>"
        "</QBXMLMsgsRq></QBXML>"
    )
    _valid(schema, deleted)


def test_processor_refuses_what_the_schema_refuses(
    schema: xmlschema.XMLSchema, sim: QbdSimulator
) -> None:
    out_of_order = (
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        "<CustomerAddRq><CustomerAdd><Name>X</Name><CompanyName>X</CompanyName>"
        "<ParentRef><FullName>Harbor Holdings</FullName></ParentRef></CustomerAdd>"
        "</CustomerAddRq></QBXMLMsgsRq></QBXML>"
    )
    assert not schema.is_valid(out_of_order)
    with pytest.raises(QbxmlParseError):
        sim.processor.process(out_of_order)


def _run(schema: xmlschema.XMLSchema, sim: QbdSimulator, requests: str) -> str:
    message = (
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML>'
        f'<QBXMLMsgsRq onError="stopOnError">{requests}</QBXMLMsgsRq></QBXML>'
    )
    assert schema.is_valid(message), message
    response = sim.processor.process(message)
    _valid(schema, response)
    assert set(_statuses(response)) == {"0"}, response
    return response


def test_mods_validate(schema: xmlschema.XMLSchema, sim: QbdSimulator) -> None:
    bill = sim.company.txns("Bill")[0]
    line_id = bill.body.find("ItemLineRet")
    assert line_id is not None
    _run(
        schema,
        sim,
        f"<BillModRq><BillMod><TxnID>{bill.txn_id}</TxnID><EditSequence>{bill.edit_sequence}"
        "</EditSequence><Memo>Reviewed</Memo><ItemLineMod><TxnLineID>"
        f"{line_id.value('TxnLineID')}</TxnLineID><Amount>1.00</Amount></ItemLineMod>"
        "<ItemLineMod><TxnLineID>-1</TxnLineID><ItemRef><FullName>01-100</FullName></ItemRef>"
        "<Amount>2.00</Amount></ItemLineMod></BillMod></BillModRq>",
    )
    entry = sim.company.txns("JournalEntry")[0]
    _run(
        schema,
        sim,
        f"<JournalEntryModRq><JournalEntryMod><TxnID>{entry.txn_id}</TxnID><EditSequence>"
        f"{entry.edit_sequence}</EditSequence><RefNumber>JE-78</RefNumber></JournalEntryMod>"
        "</JournalEntryModRq>",
    )
    job = sim.company.find_list(("Customer",), "Harbor Holdings:Pier 9 Restaurant")
    assert job is not None
    _run(
        schema,
        sim,
        f"<CustomerModRq><CustomerMod><ListID>{job.list_id}</ListID><EditSequence>"
        f"{job.edit_sequence}</EditSequence><Name>Pier 9 Bistro</Name><JobStatus>Closed"
        "</JobStatus></CustomerMod></CustomerModRq>",
    )


def test_list_mods_validate(schema: xmlschema.XMLSchema, sim: QbdSimulator) -> None:
    item = sim.company.find_list(("ItemService",), "16-100")
    vendor = sim.company.find_list(("Vendor",), "Metro Lumber")
    assert item is not None
    assert vendor is not None
    _run(
        schema,
        sim,
        f"<ItemServiceModRq><ItemServiceMod><ListID>{item.list_id}</ListID><EditSequence>"
        f"{item.edit_sequence}</EditSequence><Name>16-110</Name><SalesAndPurchaseMod>"
        "<SalesPrice>10.00</SalesPrice><ExpenseAccountRef><FullName>Job Materials</FullName>"
        "</ExpenseAccountRef></SalesAndPurchaseMod></ItemServiceMod></ItemServiceModRq>"
        f"<VendorModRq><VendorMod><ListID>{vendor.list_id}</ListID><EditSequence>"
        f"{vendor.edit_sequence}</EditSequence><CompanyName>Metro Lumber Co</CompanyName>"
        "<VendorAddress><City>Joliet</City></VendorAddress></VendorMod></VendorModRq>",
    )
