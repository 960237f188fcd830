"""What QuickBooks accepts in names, one table per edition.

Desktop numbers come from the qbXML 13.0 schema; Online numbers from the QBO v3 schema and the
sources quoted in spec/quickbooks-api.md (key-numbers table, §A.2, §A.3, §B.2, §B.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from procore_qb.domain.quickbooks_job import QuickBooksEdition

__all__ = [
    "DEFAULT_ONLINE_DISPLAY_NAME_MAX",
    "DESKTOP_LIMITS",
    "HIERARCHY_SEPARATOR",
    "EditionLimits",
    "limits_for",
]

# "use : to separate parents/children" (spec §B.2, Intuit sample QueryFilterRq.xml); QBO's
# FullyQualifiedName is colon-separated too (spec §A.2).
HIERARCHY_SEPARATOR = ":"

# QBO DisplayName length is not settled: 500 per a public JSON schema of the Intuit reference,
# 255 or 100 per other sources (spec §A.2, "DisplayName max length" bullet, marked [S]/[U]).
# 500 is the spec's chosen default; pass another value to limits_for() if QuickBooks disagrees.
DEFAULT_ONLINE_DISPLAY_NAME_MAX = 500


@dataclass(frozen=True, slots=True)
class EditionLimits:
    """Name rules of one QuickBooks edition.

    ``job_name_field`` is what QuickBooks calls a customer/job's own name (``Name`` on Desktop,
    ``DisplayName`` on Online), so messages use QuickBooks' word. ``address_max`` is keyed by
    :class:`~procore_qb.domain.quickbooks_job.JobAddress` field. A ``None`` maximum means
    QuickBooks documents no limit of its own for that field.
    """

    edition: QuickBooksEdition
    product_name: str
    job_name_field: str
    job_name_max: int
    job_full_name_max: int | None
    item_name_max: int
    item_full_name_max: int | None
    max_levels: int
    forbidden_in_names: frozenset[str]
    address_max: Mapping[str, int]
    number_max: int | None

    def forbidden_found(self, name: str) -> tuple[str, ...]:
        """The forbidden characters present in ``name``, in a stable order."""
        return tuple(sorted(c for c in self.forbidden_in_names if c in name))


DESKTOP_LIMITS = EditionLimits(
    edition=QuickBooksEdition.DESKTOP,
    product_name="QuickBooks Desktop",
    job_name_field="Name",
    # CustomerAdd/CustomerRet Name ≤ 41, FullName ≤ 209 (spec key numbers; §B.2; qbxml130.xsd).
    job_name_max=41,
    job_full_name_max=209,
    # ItemServiceRet Name ≤ 31, FullName ≤ 159 (spec key numbers; §B.3; qbxml130.xsd).
    item_name_max=31,
    item_full_name_max=159,
    # 5 levels: 209 = 5 x 41 + 4 separators (spec §B.2, "Hierarchy" bullet).
    max_levels=5,
    forbidden_in_names=frozenset({HIERARCHY_SEPARATOR}),
    # BillAddress is the AddressData group: Addr1-5 ≤ 41, City ≤ 31, State ≤ 21,
    # PostalCode ≤ 13, Country ≤ 31 (qbxml130.xsd; also the "QBW" lengths in QBO's
    # PhysicalAddress doc strings, IntuitBaseTypes.xsd).
    address_max=MappingProxyType(
        {"line1": 41, "line2": 41, "city": 31, "state": 21, "postal_code": 13, "country": 31}
    ),
    # CustomerAdd AccountNumber ≤ 99 (spec §B.2; qbxml130.xsd).
    number_max=99,
)


def _online_limits(display_name_max: int) -> EditionLimits:
    return EditionLimits(
        edition=QuickBooksEdition.ONLINE,
        product_name="QuickBooks Online",
        job_name_field="DisplayName",
        job_name_max=display_name_max,
        # The 41/209 in QBO's FullyQualifiedName doc are Desktop heritage; Online enforces the
        # DisplayName length instead (spec §A.2, FullyQualifiedName bullet).
        job_full_name_max=None,
        # Item Name ≤ 100 on QBO (spec §A.3, Finance.xsd doc string).
        item_name_max=100,
        item_full_name_max=None,
        # FullyQualifiedName "Limited to 5 levels" (spec §A.2; IntuitNamesTypes.xsd).
        max_levels=5,
        # No ':', tab or newline in names (spec §A.2, DisplayName bullet: stated for Employee,
        # applied to Customer since ':' is the hierarchy separator).
        forbidden_in_names=frozenset({HIERARCHY_SEPARATOR, "\t", "\n"}),
        # PhysicalAddress, "Product: QBO" doc strings: Line1-5 ≤ 500, City ≤ 255,
        # CountrySubDivisionCode ≤ 255, PostalCode ≤ 30, Country ≤ 255 (spec §A.2 "Addresses";
        # IntuitBaseTypes.xsd).
        address_max=MappingProxyType(
            {
                "line1": 500,
                "line2": 500,
                "city": 255,
                "state": 255,
                "postal_code": 30,
                "country": 255,
            }
        ),
        # Customer.AcctNum's "Max. length: 99" is documented for QBW only
        # (IntuitNamesTypes.xsd); QBO documents none.
        number_max=None,
    )


def limits_for(
    edition: QuickBooksEdition, *, online_display_name_max: int = DEFAULT_ONLINE_DISPLAY_NAME_MAX
) -> EditionLimits:
    """The limits of ``edition``; ``online_display_name_max`` tunes the uncertain QBO maximum."""
    if online_display_name_max < 1:
        raise ValueError("online_display_name_max must be at least 1")
    if edition is QuickBooksEdition.DESKTOP:
        return DESKTOP_LIMITS
    return _online_limits(online_display_name_max)
