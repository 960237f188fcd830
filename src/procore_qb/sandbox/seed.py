"""The seed world: one deterministic construction company, as Procore and QuickBooks know it.

Every simulator loads its starting data from here, so the Procore sandbox, the QuickBooks Online
sandbox and the QuickBooks Desktop company file describe the same company. The demo, the tests and
the docs rely on these names and numbers; change them only together with those.

The world covers every rule of the workflow: eligible projects, a project on the generic cost
code list, one with no cost codes, one whose name is over 41 characters, one with a comma in its
address, an inactive one, one with "ERP-sync this project" off, and one whose name matches a job
that already exists in QuickBooks. QuickBooks has customers with jobs not yet in Procore, service
items used as cost codes, vendors, and bills, checks, credit-card charges, vendor credits and
journal entries coded to jobs and items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

__all__ = [
    "ACCOUNTS",
    "BULK_MAX",
    "COST_CODE_LISTS",
    "CUSTOMERS",
    "ITEMS",
    "JOBS",
    "PROCORE_COMPANY",
    "PROJECTS",
    "PROJECT_TEMPLATES",
    "QBO_APP",
    "QBO_REALM_ID",
    "QB_COMPANY_NAME",
    "SERVICE_ACCOUNT",
    "TRANSACTIONS",
    "USERS",
    "VENDORS",
    "WEB_CONNECTOR_LOGIN",
    "Account",
    "AppCredentials",
    "BulkWorld",
    "CostCodeList",
    "Customer",
    "Item",
    "Job",
    "ProcoreCompany",
    "Project",
    "ProjectTemplate",
    "Transaction",
    "TransactionLine",
    "User",
    "Vendor",
    "bulk_world",
    "quickbooks_cost_codes",
]

# ----------------------------------------------------------------------------- credentials


@dataclass(frozen=True, slots=True)
class AppCredentials:
    client_id: str
    client_secret: str


SERVICE_ACCOUNT = AppCredentials("demo-procore-client", "demo-procore-secret")
"""Procore Developer Managed Service Account of the sandbox company."""

QBO_APP = AppCredentials("demo-qbo-client", "demo-qbo-secret")
"""QuickBooks Online app; any redirect URI on 127.0.0.1 or localhost is accepted."""

WEB_CONNECTOR_LOGIN = ("demo", "demo")
"""User name and password the sandbox Web Connector sends to ``authenticate``."""

# ----------------------------------------------------------------------------- Procore


@dataclass(frozen=True, slots=True)
class ProcoreCompany:
    id: int
    name: str


PROCORE_COMPANY = ProcoreCompany(id=4263, name="Summit Ridge Builders")


@dataclass(frozen=True, slots=True)
class User:
    """A Procore user. Levels are Procore's: 'none', 'read_only', 'standard', 'admin'.

    ``project_admin`` is the level on every project's Admin tool.
    """

    id: int
    email: str
    first_name: str
    last_name: str
    token: str
    erp_integrations: str
    directory: str
    project_admin: str
    can_push_to_accounting: bool


USERS: tuple[User, ...] = (
    User(101, "ada@summit.example", "Ada", "Alvarez", "demo-ada", "admin", "admin", "none", True),
    User(
        102,
        "ben@summit.example",
        "Ben",
        "Brooks",
        "demo-ben",
        "standard",
        "read_only",
        "none",
        True,
    ),
    User(103, "cara@summit.example", "Cara", "Chen", "demo-cara", "none", "none", "admin", False),
    User(
        104, "dan@summit.example", "Dan", "Dorsey", "demo-dan", "admin", "standard", "none", False
    ),
    User(
        105,
        "eve@summit.example",
        "Eve",
        "Evans",
        "demo-eve",
        "read_only",
        "read_only",
        "read_only",
        False,
    ),
)


@dataclass(frozen=True, slots=True)
class CostCodeList:
    id: int
    name: str


QUICKBOOKS_LIST_ID = 1
COST_CODE_LISTS: tuple[CostCodeList, ...] = (
    CostCodeList(QUICKBOOKS_LIST_ID, "QuickBooks Standard Cost Codes"),
    CostCodeList(2, "Standard Cost Code List"),
)

GENERIC_COST_CODES: tuple[tuple[str, str], ...] = (
    ("01-000", "General Requirements"),
    ("03-000", "Concrete"),
    ("26-000", "Electrical"),
)


@dataclass(frozen=True, slots=True)
class ProjectTemplate:
    id: int
    name: str


PROJECT_TEMPLATES: tuple[ProjectTemplate, ...] = (
    ProjectTemplate(1, "Do Not Apply a Template"),
    ProjectTemplate(2, "Commercial Construction"),
)


@dataclass(frozen=True, slots=True)
class Project:
    """A Procore project. ``cost_codes`` are codes of its cost code list."""

    id: int
    name: str
    project_number: str
    address: str
    city: str
    state_code: str
    zip: str
    start_date: date
    completion_date: date
    active: bool = True
    erp_sync: bool = True
    cost_code_list_id: int = QUICKBOOKS_LIST_ID
    cost_codes: tuple[str, ...] = ("01-100", "03-300", "09-200")
    country_code: str = "US"


PROJECTS: tuple[Project, ...] = (
    # Eligible: ready to be sent to ERP.
    Project(
        2001,
        "Riverside Clinic TI",
        "RC-101",
        "12 River Rd",
        "Springfield",
        "IL",
        "62701",
        date(2026, 3, 2),
        date(2026, 11, 20),
    ),
    Project(
        2002,
        "Harbor View Offices",
        "HV-102",
        "88 Harbor Blvd",
        "Portsmouth",
        "NH",
        "03801",
        date(2026, 4, 6),
        date(2027, 2, 26),
        cost_codes=("01-100", "05-500", "16-100"),
    ),
    Project(
        2003,
        "Maple Street Duplex",
        "MS-103",
        "415 Maple St",
        "Springfield",
        "IL",
        "62704",
        date(2026, 5, 11),
        date(2026, 12, 18),
        cost_codes=("01-100", "06-100", "15-400"),
    ),
    # On the generic list: cannot be integrated.
    Project(
        2004,
        "Oak Park Library Renovation",
        "OP-104",
        "200 Oak Park Ave",
        "Oak Park",
        "IL",
        "60302",
        date(2026, 2, 2),
        date(2026, 10, 30),
        cost_code_list_id=2,
        cost_codes=("01-000", "03-000"),
    ),
    # No cost codes.
    Project(
        2005,
        "Cedar Point Warehouse",
        "CP-105",
        "9 Cedar Point Rd",
        "Sandusky",
        "OH",
        "44870",
        date(2026, 6, 1),
        date(2027, 1, 29),
        cost_codes=(),
    ),
    # Name over 41 characters.
    Project(
        2006,
        "Northgate Regional Medical Center Parking Expansion",
        "NG-106",
        "1500 Northgate Pkwy",
        "Rockford",
        "IL",
        "61107",
        date(2026, 7, 6),
        date(2027, 6, 30),
    ),
    # Comma in the address.
    Project(
        2007,
        "Lakeside Townhomes",
        "LT-107",
        "400 Lake Dr, Suite 2",
        "Madison",
        "WI",
        "53703",
        date(2026, 3, 16),
        date(2026, 12, 11),
    ),
    # Inactive.
    Project(
        2008,
        "Pinecrest School Gym",
        "PS-108",
        "77 Pinecrest Ln",
        "Naperville",
        "IL",
        "60540",
        date(2025, 8, 4),
        date(2026, 6, 26),
        active=False,
    ),
    # Same name as a job that already exists in QuickBooks.
    Project(
        2009,
        "Elm Court Apartments",
        "EC-109",
        "31 Elm Ct",
        "Evanston",
        "IL",
        "60201",
        date(2026, 1, 12),
        date(2026, 12, 4),
    ),
    # "ERP-sync this project" is off.
    Project(
        2010,
        "Birch Hill Retail Center",
        "BH-110",
        "5 Birch Hill Rd",
        "Aurora",
        "IL",
        "60505",
        date(2026, 4, 20),
        date(2027, 3, 19),
        erp_sync=False,
    ),
)

# ----------------------------------------------------------------------------- QuickBooks

QB_COMPANY_NAME = "Summit Ridge Builders LLC"
QBO_REALM_ID = "9130357992221046"


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    account_type: str  # qbXML AccountType spelling; the QBO simulator maps it to its own enum


ACCOUNTS: tuple[Account, ...] = (
    Account("Checking", "Bank"),
    Account("Accounts Payable", "AccountsPayable"),
    Account("Company Card", "CreditCard"),
    Account("Construction Income", "Income"),
    Account("Job Materials", "CostOfGoodsSold"),
    Account("Subcontractors", "CostOfGoodsSold"),
    Account("Equipment Rental", "Expense"),
)


@dataclass(frozen=True, slots=True)
class Item:
    """A QuickBooks item. Service items whose ``cost_code`` is set are the cost codes."""

    name: str
    description: str
    item_type: str  # "Service", "OtherCharge" or "NonInventory"
    income_account: str = "Construction Income"
    expense_account: str = "Subcontractors"
    cost_code: bool = True


ITEMS: tuple[Item, ...] = (
    Item("01-100", "General Conditions", "Service"),
    Item("02-200", "Site Work", "Service"),
    Item("03-300", "Concrete", "Service"),
    Item("05-500", "Metals", "Service"),
    Item("06-100", "Rough Carpentry", "Service", expense_account="Job Materials"),
    Item("09-200", "Drywall", "Service"),
    Item("15-400", "Plumbing", "Service"),
    Item("16-100", "Electrical", "Service"),
    Item("Retainage", "Retainage withheld on subcontractor invoices", "Service", cost_code=False),
    Item("Permits", "Building permits and fees", "OtherCharge", cost_code=False),
    Item(
        "Lumber",
        "Dimensional lumber",
        "NonInventory",
        expense_account="Job Materials",
        cost_code=False,
    ),
)


def quickbooks_cost_codes() -> tuple[Item, ...]:
    """The items that make up Procore's "QuickBooks Standard Cost Codes" list."""
    return tuple(item for item in ITEMS if item.cost_code)


@dataclass(frozen=True, slots=True)
class Vendor:
    name: str
    city: str


VENDORS: tuple[Vendor, ...] = (
    Vendor("Ace Concrete Supply", "Springfield"),
    Vendor("Bright Electric Co", "Peoria"),
    Vendor("Valley Plumbing", "Decatur"),
    Vendor("Metro Lumber", "Chicago"),
    Vendor("Home Building Center", "Evanston"),
)


@dataclass(frozen=True, slots=True)
class Customer:
    """A top-level QuickBooks customer."""

    name: str
    city: str
    state: str


CUSTOMERS: tuple[Customer, ...] = (
    Customer("Greenleaf Properties", "Evanston", "IL"),
    Customer("Riverside Health", "Springfield", "IL"),
    Customer("Harbor Holdings", "Portsmouth", "NH"),
    Customer("City of Springfield", "Springfield", "IL"),
)


@dataclass(frozen=True, slots=True)
class Job:
    """A QuickBooks job under ``customer``. None of them is in Procore yet."""

    customer: str
    name: str
    number: str
    address: str
    city: str
    state: str
    postal_code: str
    start_date: date
    projected_end_date: date
    status: str = "InProgress"

    @property
    def full_name(self) -> str:
        return f"{self.customer}:{self.name}"


JOBS: tuple[Job, ...] = (
    # Matches Procore project 2009 by name: existing on both sides, must not be merged.
    Job(
        "Greenleaf Properties",
        "Elm Court Apartments",
        "GL-2201",
        "31 Elm Ct",
        "Evanston",
        "IL",
        "60201",
        date(2026, 1, 12),
        date(2026, 12, 4),
    ),
    Job(
        "Greenleaf Properties",
        "Willow Creek Condos",
        "GL-2202",
        "1200 Willow Creek Dr",
        "Skokie",
        "IL",
        "60076",
        date(2026, 5, 4),
        date(2027, 4, 30),
    ),
    Job(
        "City of Springfield",
        "Fire Station 3",
        "CS-3301",
        "300 S 9th St",
        "Springfield",
        "IL",
        "62701",
        date(2026, 6, 15),
        date(2027, 5, 28),
        status="Awarded",
    ),
    Job(
        "Harbor Holdings",
        "Pier 9 Restaurant",
        "HH-4401",
        "9 Pier Rd",
        "Portsmouth",
        "NH",
        "03801",
        date(2026, 2, 9),
        date(2026, 9, 25),
    ),
)


@dataclass(frozen=True, slots=True)
class TransactionLine:
    """A cost line coded to ``job`` (a full name) and either an item or an account."""

    job: str
    amount: Decimal
    item: str | None = None
    account: str | None = None
    memo: str = ""


@dataclass(frozen=True, slots=True)
class Transaction:
    """``kind``: Bill, Check, CreditCardCharge, VendorCredit or JournalEntry."""

    kind: str
    ref_number: str
    txn_date: date
    vendor: str | None
    lines: tuple[TransactionLine, ...] = field(default_factory=tuple)


_ELM = "Greenleaf Properties:Elm Court Apartments"
_WILLOW = "Greenleaf Properties:Willow Creek Condos"
_PIER = "Harbor Holdings:Pier 9 Restaurant"
_FIRE = "City of Springfield:Fire Station 3"

TRANSACTIONS: tuple[Transaction, ...] = (
    Transaction(
        "Bill",
        "ACS-1001",
        date(2026, 3, 10),
        "Ace Concrete Supply",
        (
            TransactionLine(_ELM, Decimal("12500.00"), item="03-300", memo="Foundation pour"),
            TransactionLine(_ELM, Decimal("1850.00"), item="01-100", memo="Pump truck"),
        ),
    ),
    Transaction(
        "Bill",
        "BEC-2210",
        date(2026, 4, 2),
        "Bright Electric Co",
        (
            TransactionLine(_PIER, Decimal("8400.00"), item="16-100", memo="Rough-in"),
            # Coded to an item that is not a cost code: cannot be mapped to a budget line.
            TransactionLine(_PIER, Decimal("325.00"), item="Permits", memo="Electrical permit"),
        ),
    ),
    Transaction(
        "Check",
        "5012",
        date(2026, 5, 15),
        "Metro Lumber",
        (TransactionLine(_WILLOW, Decimal("3200.00"), item="06-100", memo="Framing lumber"),),
    ),
    Transaction(
        "CreditCardCharge",
        "CC-0419",
        date(2026, 4, 19),
        "Home Building Center",
        (TransactionLine(_PIER, Decimal("450.75"), item="09-200", memo="Drywall screws and tape"),),
    ),
    Transaction(
        "VendorCredit",
        "ACS-1001-CR",
        date(2026, 3, 24),
        "Ace Concrete Supply",
        (TransactionLine(_ELM, Decimal("500.00"), item="03-300", memo="Returned rebar"),),
    ),
    # Coded to a G/L account, not an item: Procore cannot place it on a budget line.
    Transaction(
        "JournalEntry",
        "JE-77",
        date(2026, 6, 30),
        None,
        (
            TransactionLine(
                _ELM,
                Decimal("800.00"),
                account="Job Materials",
                memo="Reclass materials to Elm Court",
            ),
        ),
    ),
    Transaction(
        "Bill",
        "VP-330",
        date(2026, 7, 8),
        "Valley Plumbing",
        (TransactionLine(_FIRE, Decimal("2750.00"), item="15-400", memo="Underground plumbing"),),
    ),
)


# ----------------------------------------------------------------------------- bulk data

BULK_MAX = 50_000
"""The largest ``size`` :func:`bulk_world` builds: enough for load tests, small enough that
one control call stays within a few seconds of work per simulator."""


@dataclass(frozen=True, slots=True)
class BulkWorld:
    """Many records on top of the seed world, for load tests: ``size`` customers with one job
    each, ``size`` bills (one job-cost line each, coded to an item), ``size`` Procore projects,
    and one vendor and one service item per ten customers. The same ``size`` always gives the
    same records; their names never clash with the seed world's."""

    size: int
    customers: tuple[Customer, ...]
    jobs: tuple[Job, ...]
    vendors: tuple[Vendor, ...]
    items: tuple[Item, ...]
    transactions: tuple[Transaction, ...]
    projects: tuple[Project, ...]


_BULK_START = date(2026, 1, 5)
_BULK_CITIES = (("Springfield", "IL"), ("Peoria", "IL"), ("Decatur", "IL"), ("Evanston", "IL"))


def bulk_world(size: object) -> BulkWorld:
    """The deterministic bulk data set of ``size`` (1 to :data:`BULK_MAX`)."""
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= BULK_MAX:
        raise ValueError(f"the bulk size must be an integer from 1 to {BULK_MAX}; got {size!r}")
    width = len(str(BULK_MAX))
    groups = max(1, -(-size // 10))
    vendors = tuple(
        Vendor(f"Bulk Vendor {n:0{width}d}", _BULK_CITIES[n % len(_BULK_CITIES)][0])
        for n in range(1, groups + 1)
    )
    # Item names stay within QuickBooks Desktop's 31 characters.
    items = tuple(
        Item(f"B-{n:0{width}d}", f"Bulk cost code {n}", "Service") for n in range(1, groups + 1)
    )
    customers: list[Customer] = []
    jobs: list[Job] = []
    transactions: list[Transaction] = []
    projects: list[Project] = []
    for n in range(1, size + 1):
        city, state = _BULK_CITIES[n % len(_BULK_CITIES)]
        number = f"{n:0{width}d}"
        customer = Customer(f"Bulk Customer {number}", city, state)
        start = _BULK_START + timedelta(days=n % 300)
        job = Job(
            customer.name,
            f"Bulk Job {number}",
            f"BJ-{number}",
            f"{n} Bulk Way",
            city,
            state,
            "62701",
            start,
            start + timedelta(days=180),
        )
        customers.append(customer)
        jobs.append(job)
        amount = Decimal(100 + (n * 37) % 9000) + Decimal(n % 100) / 100
        transactions.append(
            Transaction(
                "Bill",
                f"BB-{number}",
                start + timedelta(days=7),
                vendors[(n - 1) % len(vendors)].name,
                (
                    TransactionLine(
                        job.full_name, amount, item=items[(n - 1) % len(items)].name, memo="Bulk"
                    ),
                ),
            )
        )
        projects.append(
            Project(
                100_000 + n,
                f"Bulk Project {number}",
                f"BP-{number}",
                f"{n} Bulk Way",
                city,
                state,
                "62701",
                start,
                start + timedelta(days=180),
                cost_codes=(),
            )
        )
    return BulkWorld(
        size, tuple(customers), tuple(jobs), vendors, items, tuple(transactions), tuple(projects)
    )
