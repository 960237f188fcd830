"""CompanyInfo and Preferences: one read-only record each per company (XSD Finance.xsd)."""

from __future__ import annotations

from procore_qb.sandbox.qbo.entities.common import EntitySpec, Record

__all__ = ["CompanyInfoSpec", "PreferencesSpec", "company_info", "preferences"]


class CompanyInfoSpec(EntitySpec):
    name = "CompanyInfo"
    writable = frozenset()
    creatable = False


class PreferencesSpec(EntitySpec):
    name = "Preferences"
    writable = frozenset()
    creatable = False


def company_info(company_name: str, country: str = "US") -> Record:
    return {
        "CompanyName": company_name,
        "LegalName": company_name,
        "CompanyAddr": {
            "Line1": "100 Summit Ridge Rd",
            "City": "Springfield",
            "CountrySubDivisionCode": "IL",
            "PostalCode": "62701",
            "Country": country,
        },
        "Country": country,
        "FiscalYearStartMonth": "January",
        "SupportedLanguages": "en",
        "DefaultTimeZone": "America/Chicago",
    }


def preferences() -> Record:
    return {
        "AccountingInfoPrefs": {
            "TrackDepartments": False,
            "ClassTrackingPerTxn": False,
            "ClassTrackingPerTxnLine": True,
            "CustomerTerminology": "Customers",
        },
        "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "USD"}},
        "VendorAndPurchasesPrefs": {"BillableExpenseTracking": True, "TrackingByCustomer": True},
    }
