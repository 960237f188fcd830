"""The parts of the qbXML 13.0 schema the simulated QuickBooks reads and writes.

QuickBooks checks every request against its schema and writes every response in schema order
(spec B.1, B.2: "element order matters"; a real QBWC log in consolibyte/quickbooks-php#92 shows
``CustomerRet`` children in XSD order). Each entry below is the child sequence of one element
of ``qbxml130.xsd`` / ``qbxmlops130.xsd``, written ``Name`` (required), ``Name?`` (optional),
``Name*`` (optional, repeatable) or ``Name+`` (required, repeatable). Alternatives of an
``xsd:choice`` are listed side by side as optional entries; the handlers check that at most
one of them is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from procore_qb.sandbox.qbd.errors import QbxmlParseError

__all__ = [
    "ACTIVE_STATUS",
    "CHOICES",
    "ENUMS",
    "JOB_STATUS",
    "LIST_DEL_TYPES",
    "MATCH_CRITERIA",
    "REQUEST_TYPES",
    "SEQUENCES",
    "SMALL_LISTS",
    "TXN_DEL_TYPES",
    "Child",
    "check_children",
    "check_value",
    "order_of",
    "sequence",
]


@dataclass(frozen=True, slots=True)
class Child:
    name: str
    required: bool
    repeated: bool


_ADDRESS = "Addr1? Addr2? Addr3? Addr4? Addr5? City? State? PostalCode? Country? Note?"
_REF = "ListID? FullName?"
_LIST_QUERY = (
    "ListID* FullName* MaxReturned? ActiveStatus? FromModifiedDate? ToModifiedDate? "
    "NameFilter? NameRangeFilter? TotalBalanceFilter? CurrencyFilter? ClassFilter? "
    "IncludeRetElement* OwnerID*"
)
_TXN_QUERY = (
    "TxnID* RefNumber* RefNumberCaseSensitive* MaxReturned? ModifiedDateRangeFilter? "
    "TxnDateRangeFilter? EntityFilter? AccountFilter? RefNumberFilter? RefNumberRangeFilter? "
    "CurrencyFilter? PaidStatus? IncludeLineItems? IncludeLinkedTxns? IncludeRetElement* OwnerID*"
)
_ITEM_RET_HEAD = (
    "ListID? TimeCreated? TimeModified? EditSequence? Name? FullName? BarCodeValue? IsActive? "
    "ClassRef? ParentRef? Sublevel?"
)
_LINES_RET = "ExpenseLineRet* ItemLineRet* ItemGroupLineRet*"
_LINES_ADD = "ExpenseLineAdd* ItemLineAdd* ItemGroupLineAdd*"
_SMALL_QUERY = (
    "ListID* FullName* MaxReturned? ActiveStatus? FromModifiedDate? ToModifiedDate? "
    "NameFilter? NameRangeFilter? IncludeRetElement*"
)
_SMALL_RET = (
    "ListID? TimeCreated? TimeModified? EditSequence? Name? FullName? IsActive? ParentRef? "
    "Sublevel?"
)
SMALL_LISTS = ("Class", "CustomerType", "JobType", "VendorType")
"""Hierarchical lists of names only (qbxml130.xsd ``JobTypeAdd`` and its siblings)."""
_TXN_RET_HEAD = "TxnID? TimeCreated? TimeModified? EditSequence? TxnNumber?"

SEQUENCES: dict[str, str] = {
    # ------------------------------------------------------------------ aggregates
    "Address": _ADDRESS,
    "Ref": _REF,
    "NameFilter": "MatchCriterion Name",
    "ModifiedDateRangeFilter": "FromModifiedDate? ToModifiedDate?",
    "TxnDateRangeFilter": "FromTxnDate? ToTxnDate? DateMacro?",
    "EntityFilter": "ListID* FullName* ListIDWithChildren? FullNameWithChildren?",
    "DeletedDateRangeFilter": "FromDeletedDate? ToDeletedDate?",
    "SalesOrPurchase": "Desc? Price? PricePercent? AccountRef?",
    "SalesAndPurchase": (
        "SalesDesc? SalesPrice? IncomeAccountRef? PurchaseDesc? PurchaseCost? "
        "PurchaseTaxCodeRef? ExpenseAccountRef? PrefVendorRef?"
    ),
    # ------------------------------------------------------------------ host and company
    "HostQueryRq": "IncludeListMetaData? IncludeRetElement*",
    "CompanyQueryRq": "IncludeRetElement* OwnerID*",
    "HostRet": (
        "ProductName? MajorVersion? MinorVersion? Country? SupportedQBXMLVersion* "
        "IsAutomaticLogin? QBFileMode? ListMetaData?"
    ),
    "CompanyRet": (
        "IsSampleCompany? CompanyName? LegalCompanyName? Address? AddressBlock? LegalAddress? "
        "CompanyAddressForCustomer? CompanyAddressBlockForCustomer? Phone? Fax? Email? "
        "CompanyEmailForCustomer? CompanyWebSite? FirstMonthFiscalYear? FirstMonthIncomeTaxYear? "
        "CompanyType? EIN? SSN? TaxForm? SubscribedServices? AccountantCopy? DataExtRet*"
    ),
    # ------------------------------------------------------------------ customers and jobs
    "CustomerAdd": (
        "Name IsActive? ClassRef? ParentRef? CompanyName? Salutation? FirstName? MiddleName? "
        "LastName? Suffix? JobTitle? BillAddress? ShipAddress? ShipToAddress* PrintAs? Phone? "
        "Mobile? Pager? AltPhone? Fax? Email? Cc? Contact? AltContact? AdditionalContactRef* "
        "Contacts* CustomerTypeRef? TermsRef? SalesRepRef? OpenBalance? OpenBalanceDate? "
        "SalesTaxCodeRef? ItemSalesTaxRef? SalesTaxCountry? ResaleNumber? AccountNumber? "
        "CreditLimit? PreferredPaymentMethodRef? CreditCardInfo? JobStatus? JobStartDate? "
        "JobProjectedEndDate? JobEndDate? JobDesc? JobTypeRef? Notes? AdditionalNotes* "
        "IsStatementWithParent? DeliveryMethod? PreferredDeliveryMethod? PriceLevelRef? "
        "ExternalGUID? TaxRegistrationNumber? CurrencyRef?"
    ),
    "CustomerMod": (
        "ListID EditSequence Name? IsActive? ClassRef? ParentRef? CompanyName? Salutation? "
        "FirstName? MiddleName? LastName? Suffix? JobTitle? BillAddress? ShipAddress? "
        "ShipToAddress* PrintAs? Phone? Mobile? Pager? AltPhone? Fax? Email? Cc? Contact? "
        "AltContact? AdditionalContactRef* ContactsMod* CustomerTypeRef? TermsRef? SalesRepRef? "
        "SalesTaxCodeRef? ItemSalesTaxRef? SalesTaxCountry? ResaleNumber? AccountNumber? "
        "CreditLimit? PreferredPaymentMethodRef? CreditCardInfo? JobStatus? JobStartDate? "
        "JobProjectedEndDate? JobEndDate? JobDesc? JobTypeRef? Notes? AdditionalNotesMod* "
        "IsStatementWithParent? DeliveryMethod? PreferredDeliveryMethod? PriceLevelRef? "
        "TaxRegistrationNumber? CurrencyRef?"
    ),
    "CustomerRet": (
        "ListID? TimeCreated? TimeModified? EditSequence? Name? FullName? IsActive? ClassRef? "
        "ParentRef? Sublevel? CompanyName? Salutation? FirstName? MiddleName? LastName? Suffix? "
        "JobTitle? BillAddress? BillAddressBlock? ShipAddress? ShipAddressBlock? ShipToAddress* "
        "PrintAs? Phone? Mobile? Pager? AltPhone? Fax? Email? Cc? Contact? AltContact? "
        "AdditionalContactRef* ContactsRet* CustomerTypeRef? TermsRef? SalesRepRef? Balance? "
        "TotalBalance? SalesTaxCodeRef? ItemSalesTaxRef? SalesTaxCountry? ResaleNumber? "
        "AccountNumber? CreditLimit? PreferredPaymentMethodRef? CreditCardInfo? JobStatus? "
        "JobStartDate? JobProjectedEndDate? JobEndDate? JobDesc? JobTypeRef? Notes? "
        "AdditionalNotesRet* IsStatementWithParent? DeliveryMethod? PreferredDeliveryMethod? "
        "PriceLevelRef? ExternalGUID? TaxRegistrationNumber? CurrencyRef? DataExtRet*"
    ),
    "CustomerQueryRq": _LIST_QUERY,
    # ------------------------------------------------------------------ vendors
    "VendorAdd": (
        "Name IsActive? ClassRef? CompanyName? Salutation? FirstName? MiddleName? LastName? "
        "Suffix? JobTitle? VendorAddress? ShipAddress? Phone? Mobile? Pager? AltPhone? Fax? "
        "Email? Cc? Contact? AltContact? AdditionalContactRef* Contacts* NameOnCheck? "
        "AccountNumber? Notes? AdditionalNotes* VendorTypeRef? TermsRef? CreditLimit? "
        "VendorTaxIdent? IsVendorEligibleFor1099? OpenBalance? OpenBalanceDate? BillingRateRef? "
        "ExternalGUID? SalesTaxCodeRef? SalesTaxCountry? IsSalesTaxAgency? SalesTaxReturnRef? "
        "TaxRegistrationNumber? ReportingPeriod? IsTaxTrackedOnPurchases? "
        "TaxOnPurchasesAccountRef? IsTaxTrackedOnSales? TaxOnSalesAccountRef? IsTaxOnTax? "
        "PrefillAccountRef* CurrencyRef?"
    ),
    "VendorRet": (
        "ListID? TimeCreated? TimeModified? EditSequence? Name? IsActive? ClassRef? IsTaxAgency? "
        "CompanyName? Salutation? FirstName? MiddleName? LastName? Suffix? JobTitle? "
        "VendorAddress? VendorAddressBlock? ShipAddress? Phone? Mobile? Pager? AltPhone? Fax? "
        "Email? Cc? Contact? AltContact? AdditionalContactRef* ContactsRet* NameOnCheck? "
        "AccountNumber? Notes? AdditionalNotesRet* VendorTypeRef? TermsRef? CreditLimit? "
        "VendorTaxIdent? IsVendorEligibleFor1099? Balance? BillingRateRef? ExternalGUID? "
        "SalesTaxCodeRef? SalesTaxCountry? IsSalesTaxAgency? SalesTaxReturnRef? "
        "TaxRegistrationNumber? ReportingPeriod? IsTaxTrackedOnPurchases? "
        "TaxOnPurchasesAccountRef? IsTaxTrackedOnSales? TaxOnSalesAccountRef? IsTaxOnTax? "
        "PrefillAccountRef* CurrencyRef? DataExtRet*"
    ),
    "VendorQueryRq": _LIST_QUERY,
    "OtherNameAdd": (
        "Name IsActive? CompanyName? Salutation? FirstName? MiddleName? LastName? "
        "OtherNameAddress? Phone? AltPhone? Fax? Email? Contact? AltContact? AccountNumber? "
        "Notes? ExternalGUID?"
    ),
    "OtherNameRet": (
        "ListID? TimeCreated? TimeModified? EditSequence? Name? IsActive? CompanyName? "
        "Salutation? FirstName? MiddleName? LastName? OtherNameAddress? OtherNameAddressBlock? "
        "Phone? AltPhone? Fax? Email? Contact? AltContact? AccountNumber? Notes? ExternalGUID? "
        "DataExtRet*"
    ),
    "OtherNameQueryRq": f"{_SMALL_QUERY} OwnerID*",
    # ------------------------------------------------------------------ items
    "ItemServiceAdd": (
        "Name BarCode? IsActive? ClassRef? ParentRef? UnitOfMeasureSetRef? IsTaxIncluded? "
        "SalesTaxCodeRef? SalesOrPurchase? SalesAndPurchase? ExternalGUID?"
    ),
    "ItemServiceMod": (
        "ListID EditSequence Name? BarCode? IsActive? ClassRef? ParentRef? UnitOfMeasureSetRef? "
        "ForceUOMChange? IsTaxIncluded? SalesTaxCodeRef? SalesOrPurchaseMod? SalesAndPurchaseMod?"
    ),
    "ItemOtherChargeMod": (
        "ListID EditSequence Name? BarCode? IsActive? ClassRef? ParentRef? IsTaxIncluded? "
        "SalesTaxCodeRef? SalesOrPurchaseMod? SalesAndPurchaseMod?"
    ),
    "ItemNonInventoryMod": (
        "ListID EditSequence Name? BarCode? IsActive? ClassRef? ParentRef? "
        "ManufacturerPartNumber? UnitOfMeasureSetRef? ForceUOMChange? IsTaxIncluded? "
        "SalesTaxCodeRef? SalesOrPurchaseMod? SalesAndPurchaseMod?"
    ),
    "SalesOrPurchaseMod": "Desc? Price? PricePercent? AccountRef? ApplyAccountRefToExistingTxns?",
    "SalesAndPurchaseMod": (
        "SalesDesc? SalesPrice? IncomeAccountRef? ApplyIncomeAccountRefToExistingTxns? "
        "PurchaseDesc? PurchaseCost? PurchaseTaxCodeRef? ExpenseAccountRef? "
        "ApplyExpenseAccountRefToExistingTxns? PrefVendorRef?"
    ),
    "VendorMod": (
        "ListID EditSequence Name? IsActive? ClassRef? CompanyName? Salutation? FirstName? "
        "MiddleName? LastName? Suffix? JobTitle? VendorAddress? ShipAddress? Phone? Mobile? "
        "Pager? AltPhone? Fax? Email? Cc? Contact? AltContact? AdditionalContactRef* "
        "ContactsMod* NameOnCheck? AccountNumber? Notes? AdditionalNotesMod* VendorTypeRef? "
        "TermsRef? CreditLimit? VendorTaxIdent? IsVendorEligibleFor1099? BillingRateRef? "
        "SalesTaxCodeRef? SalesTaxCountry? IsSalesTaxAgency? SalesTaxReturnRef? "
        "TaxRegistrationNumber? ReportingPeriod? IsTaxTrackedOnPurchases? "
        "TaxOnPurchasesAccountRef? IsTaxTrackedOnSales? TaxOnSalesAccountRef? IsTaxOnTax? "
        "PrefillAccountRef* CurrencyRef?"
    ),
    "ItemOtherChargeAdd": (
        "Name BarCode? IsActive? ClassRef? ParentRef? IsTaxIncluded? SalesTaxCodeRef? "
        "SalesOrPurchase? SalesAndPurchase? ExternalGUID?"
    ),
    "ItemNonInventoryAdd": (
        "Name BarCode? IsActive? ParentRef? ClassRef? ManufacturerPartNumber? "
        "UnitOfMeasureSetRef? IsTaxIncluded? SalesTaxCodeRef? SalesOrPurchase? "
        "SalesAndPurchase? ExternalGUID?"
    ),
    "ItemServiceRet": (
        f"{_ITEM_RET_HEAD} UnitOfMeasureSetRef? IsTaxIncluded? SalesTaxCodeRef? "
        "SalesOrPurchase? SalesAndPurchase? ExternalGUID? DataExtRet*"
    ),
    "ItemOtherChargeRet": (
        f"{_ITEM_RET_HEAD} IsTaxIncluded? SalesTaxCodeRef? SalesOrPurchase? SalesAndPurchase? "
        "SpecialItemType? ExternalGUID? DataExtRet*"
    ),
    "ItemNonInventoryRet": (
        f"{_ITEM_RET_HEAD} ManufacturerPartNumber? UnitOfMeasureSetRef? IsTaxIncluded? "
        "SalesTaxCodeRef? SalesOrPurchase? SalesAndPurchase? ExternalGUID? DataExtRet*"
    ),
    "ItemQueryRq": _LIST_QUERY,
    "ItemServiceQueryRq": _LIST_QUERY,
    "ItemOtherChargeQueryRq": _LIST_QUERY,
    "ItemNonInventoryQueryRq": _LIST_QUERY,
    # ------------------------------------------------------------------ accounts, terms
    "AccountQueryRq": (
        "ListID* FullName* MaxReturned? ActiveStatus? FromModifiedDate? ToModifiedDate? "
        "NameFilter? NameRangeFilter? AccountType* CurrencyFilter? IncludeRetElement* OwnerID*"
    ),
    "AccountAdd": (
        "Name IsActive? ParentRef? AccountType DetailAccountType? AccountNumber? BankNumber? "
        "Desc? OpenBalance? OpenBalanceDate? SalesTaxCodeRef? TaxLineID? CurrencyRef?"
    ),
    "AccountRet": (
        "ListID? TimeCreated? TimeModified? EditSequence? Name? FullName? IsActive? ParentRef? "
        "Sublevel? AccountType? DetailAccountType? SpecialAccountType? IsTaxAccount? "
        "AccountNumber? BankNumber? LastCheckNumber? Desc? Balance? TotalBalance? "
        "SalesTaxCodeRef? TaxLineInfoRet? CashFlowClassification? CurrencyRef? DataExtRet*"
    ),
    "TermsQueryRq": _SMALL_QUERY,
    "StandardTermsAdd": "Name IsActive? StdDueDays? StdDiscountDays? DiscountPct?",
    "StandardTermsQueryRq": _SMALL_QUERY,
    **{f"{kind}Add": "Name IsActive? ParentRef?" for kind in SMALL_LISTS},
    **{f"{kind}Ret": _SMALL_RET for kind in SMALL_LISTS},
    **{f"{kind}QueryRq": _SMALL_QUERY for kind in SMALL_LISTS},
    "StandardTermsRet": (
        "ListID? TimeCreated? TimeModified? EditSequence? Name? IsActive? StdDueDays? "
        "StdDiscountDays? DiscountPct?"
    ),
    # ------------------------------------------------------------------ transactions
    "BillAdd": (
        "VendorRef VendorAddress? APAccountRef? TxnDate? DueDate? RefNumber? TermsRef? Memo? "
        "IsTaxIncluded? SalesTaxCodeRef? ExchangeRate? ExternalGUID? LinkToTxnID* "
        f"{_LINES_ADD}"
    ),
    "CheckAdd": (
        "AccountRef PayeeEntityRef? RefNumber? TxnDate? Memo? Address? IsToBePrinted? "
        "IsTaxIncluded? SalesTaxCodeRef? ExchangeRate? ExternalGUID? ApplyCheckToTxnAdd* "
        f"{_LINES_ADD}"
    ),
    "CreditCardChargeAdd": (
        "AccountRef PayeeEntityRef? TxnDate? RefNumber? Memo? IsTaxIncluded? SalesTaxCodeRef? "
        f"ExchangeRate? ExternalGUID? {_LINES_ADD}"
    ),
    "VendorCreditAdd": (
        "VendorRef APAccountRef? TxnDate? RefNumber? Memo? IsTaxIncluded? SalesTaxCodeRef? "
        f"ExchangeRate? ExternalGUID? {_LINES_ADD}"
    ),
    "JournalEntryAdd": (
        "TxnDate? RefNumber? Memo? IsAdjustment? IsHomeCurrencyAdjustment? "
        "IsAmountsEnteredInHomeCurrency? CurrencyRef? ExchangeRate? ExternalGUID? "
        "JournalDebitLine* JournalCreditLine*"
    ),
    "ExpenseLineAdd": (
        "AccountRef? Amount? TaxAmount? Memo? CustomerRef? ClassRef? SalesTaxCodeRef? "
        "BillableStatus? SalesRepRef? DataExt*"
    ),
    "ItemLineAdd": (
        "ItemRef? InventorySiteRef? InventorySiteLocationRef? SerialNumber? LotNumber? Desc? "
        "Quantity? UnitOfMeasure? Cost? Amount? TaxAmount? CustomerRef? ClassRef? "
        "SalesTaxCodeRef? BillableStatus? OverrideItemAccountRef? LinkToTxn? SalesRepRef? "
        "DataExt*"
    ),
    "JournalLine": (
        "TxnLineID? AccountRef? Amount? TaxAmount? Memo? EntityRef? ClassRef? ItemSalesTaxRef? "
        "BillableStatus?"
    ),
    "BillMod": (
        "TxnID EditSequence VendorRef? VendorAddress? APAccountRef? TxnDate? DueDate? RefNumber? "
        "TermsRef? Memo? IsTaxIncluded? SalesTaxCodeRef? ExchangeRate? ClearExpenseLines? "
        "ExpenseLineMod* ClearItemLines? ItemLineMod* ItemGroupLineMod*"
    ),
    "CheckMod": (
        "TxnID EditSequence AccountRef? PayeeEntityRef? RefNumber? TxnDate? Memo? Address? "
        "IsToBePrinted? IsTaxIncluded? SalesTaxCodeRef? ExchangeRate? ApplyCheckToTxnMod* "
        "ClearExpenseLines? ExpenseLineMod* ClearItemLines? ItemLineMod* ItemGroupLineMod*"
    ),
    "CreditCardChargeMod": (
        "TxnID EditSequence AccountRef? PayeeEntityRef? TxnDate? RefNumber? Memo? IsTaxIncluded? "
        "SalesTaxCodeRef? ExchangeRate? ClearExpenseLines? ExpenseLineMod* ClearItemLines? "
        "ItemLineMod* ItemGroupLineMod*"
    ),
    "VendorCreditMod": (
        "TxnID EditSequence VendorRef? APAccountRef? TxnDate? RefNumber? Memo? IsTaxIncluded? "
        "SalesTaxCodeRef? ExchangeRate? ClearExpenseLines? ExpenseLineMod* ClearItemLines? "
        "ItemLineMod* ItemGroupLineMod*"
    ),
    "JournalEntryMod": (
        "TxnID EditSequence TxnDate? RefNumber? IsAdjustment? IsAmountsEnteredInHomeCurrency? "
        "CurrencyRef? ExchangeRate? JournalLineMod*"
    ),
    "ExpenseLineMod": (
        "TxnLineID AccountRef? Amount? TaxAmount? Memo? CustomerRef? ClassRef? SalesTaxCodeRef? "
        "BillableStatus? SalesRepRef?"
    ),
    "ItemLineMod": (
        "TxnLineID ItemRef? InventorySiteRef? InventorySiteLocationRef? SerialNumber? LotNumber? "
        "Desc? Quantity? UnitOfMeasure? OverrideUOMSetRef? Cost? Amount? TaxAmount? CustomerRef? "
        "ClassRef? SalesTaxCodeRef? BillableStatus? OverrideItemAccountRef? SalesRepRef?"
    ),
    "JournalLineMod": (
        "TxnLineID JournalLineType? AccountRef? Amount? TaxAmount? Memo? EntityRef? ClassRef? "
        "ItemSalesTaxRef? BillableStatus?"
    ),
    "ExpenseLineRet": (
        "TxnLineID AccountRef? Amount? TaxAmount? Memo? CustomerRef? ClassRef? SalesTaxCodeRef? "
        "BillableStatus? SalesRepRef? DataExtRet*"
    ),
    "ItemLineRet": (
        "TxnLineID ItemRef? InventorySiteRef? InventorySiteLocationRef? SerialNumber? "
        "LotNumber? Desc? Quantity? UnitOfMeasure? OverrideUOMSetRef? Cost? Amount? TaxAmount? "
        "CustomerRef? ClassRef? SalesTaxCodeRef? BillableStatus? SalesRepRef? DataExtRet*"
    ),
    "BillRet": (
        f"{_TXN_RET_HEAD} VendorRef? VendorAddress? APAccountRef? TxnDate? DueDate? AmountDue? "
        "CurrencyRef? ExchangeRate? AmountDueInHomeCurrency? RefNumber? TermsRef? Memo? "
        f"IsTaxIncluded? SalesTaxCodeRef? IsPaid? ExternalGUID? LinkedTxn* {_LINES_RET} "
        "OpenAmount? DataExtRet*"
    ),
    "CheckRet": (
        f"{_TXN_RET_HEAD} AccountRef? PayeeEntityRef? RefNumber? TxnDate? Amount? CurrencyRef? "
        "ExchangeRate? AmountInHomeCurrency? Memo? Address? AddressBlock? IsToBePrinted? "
        f"IsTaxIncluded? SalesTaxCodeRef? ExternalGUID? LinkedTxn* {_LINES_RET} DataExtRet*"
    ),
    "CreditCardChargeRet": (
        f"{_TXN_RET_HEAD} AccountRef? PayeeEntityRef? TxnDate? Amount? CurrencyRef? "
        "ExchangeRate? AmountInHomeCurrency? RefNumber? Memo? IsTaxIncluded? SalesTaxCodeRef? "
        f"ExternalGUID? {_LINES_RET} DataExtRet*"
    ),
    "VendorCreditRet": (
        f"{_TXN_RET_HEAD} VendorRef? APAccountRef? TxnDate? CreditAmount? CurrencyRef? "
        "ExchangeRate? CreditAmountInHomeCurrency? RefNumber? Memo? IsTaxIncluded? "
        f"SalesTaxCodeRef? ExternalGUID? LinkedTxn* {_LINES_RET} OpenAmount? DataExtRet*"
    ),
    "JournalEntryRet": (
        f"{_TXN_RET_HEAD} TxnDate? RefNumber? Memo? IsAdjustment? IsHomeCurrencyAdjustment? "
        "IsAmountsEnteredInHomeCurrency? CurrencyRef? ExchangeRate? ExternalGUID? "
        "JournalDebitLine* JournalCreditLine* DataExtRet*"
    ),
    "BillQueryRq": _TXN_QUERY,
    "CheckQueryRq": _TXN_QUERY,
    "CreditCardChargeQueryRq": _TXN_QUERY,
    "VendorCreditQueryRq": _TXN_QUERY,
    "JournalEntryQueryRq": _TXN_QUERY,
    # ------------------------------------------------------------------ deletions
    "ListDelRq": "ListDelType ListID",
    "TxnDelRq": "TxnDelType TxnID",
    "TxnVoidRq": "TxnVoidType TxnID",
    "ListDeletedQueryRq": "ListDelType+ DeletedDateRangeFilter? IncludeRetElement*",
    "TxnDeletedQueryRq": "TxnDelType+ DeletedDateRangeFilter? IncludeRetElement*",
}

# Enumerations from qbxml130.xsd (elements JobStatus, ActiveStatus, MatchCriterion).
JOB_STATUS = frozenset({"Awarded", "Closed", "InProgress", "None", "NotAwarded", "Pending"})
ACTIVE_STATUS = frozenset({"ActiveOnly", "InactiveOnly", "All"})
MATCH_CRITERIA = frozenset({"StartsWith", "Contains", "EndsWith"})
# The ListDelType / TxnDelType values of the lists and transactions this company file holds
# (a subset of the XSD enumerations; the others name lists the simulator does not keep).
LIST_DEL_TYPES = frozenset(
    {"Account", "Customer", "ItemNonInventory", "ItemOtherCharge", "ItemService", "Vendor"}
    | {"OtherName", "StandardTerms", *SMALL_LISTS}
)
TXN_DEL_TYPES = frozenset({"Bill", "Check", "CreditCardCharge", "JournalEntry", "VendorCredit"})

# Every request type of qbXML 13.0 (the children of QBXMLMsgsRq in qbxmlops130.xsd), without
# the "Rq" suffix. A request outside this list is a schema error.
REQUEST_TYPES = frozenset(
    [
        "ARRefundCreditCardAdd",
        "ARRefundCreditCardQuery",
        "AccountAdd",
        "AccountMod",
        "AccountQuery",
        "AccountTaxLineInfoQuery",
        "AgingReportQuery",
        "BarCodeQuery",
        "BillAdd",
        "BillMod",
        "BillPaymentCheckAdd",
        "BillPaymentCheckMod",
        "BillPaymentCheckQuery",
        "BillPaymentCreditCardAdd",
        "BillPaymentCreditCardQuery",
        "BillQuery",
        "BillToPayQuery",
        "BillingRateAdd",
        "BillingRateQuery",
        "BudgetSummaryReportQuery",
        "BuildAssemblyAdd",
        "BuildAssemblyMod",
        "BuildAssemblyQuery",
        "ChargeAdd",
        "ChargeMod",
        "ChargeQuery",
        "CheckAdd",
        "CheckMod",
        "CheckQuery",
        "ClassAdd",
        "ClassMod",
        "ClassQuery",
        "ClearedStatusMod",
        "CompanyActivityQuery",
        "CompanyQuery",
        "CreditCardChargeAdd",
        "CreditCardChargeMod",
        "CreditCardChargeQuery",
        "CreditCardCreditAdd",
        "CreditCardCreditMod",
        "CreditCardCreditQuery",
        "CreditMemoAdd",
        "CreditMemoMod",
        "CreditMemoQuery",
        "CurrencyAdd",
        "CurrencyMod",
        "CurrencyQuery",
        "CustomDetailReportQuery",
        "CustomSummaryReportQuery",
        "CustomerAdd",
        "CustomerMod",
        "CustomerMsgAdd",
        "CustomerMsgQuery",
        "CustomerQuery",
        "CustomerTypeAdd",
        "CustomerTypeQuery",
        "DataEventRecoveryInfoDel",
        "DataEventRecoveryInfoQuery",
        "DataExtAdd",
        "DataExtDefAdd",
        "DataExtDefDel",
        "DataExtDefMod",
        "DataExtDefQuery",
        "DataExtDel",
        "DataExtMod",
        "DateDrivenTermsAdd",
        "DateDrivenTermsQuery",
        "DepositAdd",
        "DepositMod",
        "DepositQuery",
        "EmployeeAdd",
        "EmployeeMod",
        "EmployeeQuery",
        "EntityQuery",
        "EstimateAdd",
        "EstimateMod",
        "EstimateQuery",
        "Form1099CategoryAccountMappingMod",
        "Form1099CategoryAccountMappingQuery",
        "GeneralDetailReportQuery",
        "GeneralSummaryReportQuery",
        "HostQuery",
        "InventoryAdjustmentAdd",
        "InventoryAdjustmentMod",
        "InventoryAdjustmentQuery",
        "InventorySiteAdd",
        "InventorySiteMod",
        "InventorySiteQuery",
        "InvoiceAdd",
        "InvoiceMod",
        "InvoiceQuery",
        "ItemAssembliesCanBuildQuery",
        "ItemDiscountAdd",
        "ItemDiscountMod",
        "ItemDiscountQuery",
        "ItemFixedAssetAdd",
        "ItemFixedAssetMod",
        "ItemFixedAssetQuery",
        "ItemGroupAdd",
        "ItemGroupMod",
        "ItemGroupQuery",
        "ItemInventoryAdd",
        "ItemInventoryAssemblyAdd",
        "ItemInventoryAssemblyMod",
        "ItemInventoryAssemblyQuery",
        "ItemInventoryMod",
        "ItemInventoryQuery",
        "ItemNonInventoryAdd",
        "ItemNonInventoryMod",
        "ItemNonInventoryQuery",
        "ItemOtherChargeAdd",
        "ItemOtherChargeMod",
        "ItemOtherChargeQuery",
        "ItemPaymentAdd",
        "ItemPaymentMod",
        "ItemPaymentQuery",
        "ItemQuery",
        "ItemReceiptAdd",
        "ItemReceiptMod",
        "ItemReceiptQuery",
        "ItemSalesTaxAdd",
        "ItemSalesTaxGroupAdd",
        "ItemSalesTaxGroupMod",
        "ItemSalesTaxGroupQuery",
        "ItemSalesTaxMod",
        "ItemSalesTaxQuery",
        "ItemServiceAdd",
        "ItemServiceMod",
        "ItemServiceQuery",
        "ItemSitesQuery",
        "ItemSubtotalAdd",
        "ItemSubtotalMod",
        "ItemSubtotalQuery",
        "JobReportQuery",
        "JobTypeAdd",
        "JobTypeQuery",
        "JournalEntryAdd",
        "JournalEntryMod",
        "JournalEntryQuery",
        "LeadAdd",
        "LeadMod",
        "LeadQuery",
        "ListDel",
        "ListDeletedQuery",
        "ListDisplayAdd",
        "ListDisplayMod",
        "ListMerge",
        "OtherNameAdd",
        "OtherNameMod",
        "OtherNameQuery",
        "PaymentMethodAdd",
        "PaymentMethodQuery",
        "PayrollDetailReportQuery",
        "PayrollItemNonWageQuery",
        "PayrollItemWageAdd",
        "PayrollItemWageQuery",
        "PayrollLastPeriodQuery",
        "PayrollSummaryReportQuery",
        "PreferencesQuery",
        "PriceLevelAdd",
        "PriceLevelMod",
        "PriceLevelQuery",
        "PurchaseOrderAdd",
        "PurchaseOrderMod",
        "PurchaseOrderQuery",
        "ReceivePaymentAdd",
        "ReceivePaymentMod",
        "ReceivePaymentQuery",
        "ReceivePaymentToDepositQuery",
        "SalesOrderAdd",
        "SalesOrderMod",
        "SalesOrderQuery",
        "SalesReceiptAdd",
        "SalesReceiptMod",
        "SalesReceiptQuery",
        "SalesRepAdd",
        "SalesRepMod",
        "SalesRepQuery",
        "SalesTaxCodeAdd",
        "SalesTaxCodeMod",
        "SalesTaxCodeQuery",
        "SalesTaxPayableQuery",
        "SalesTaxPaymentCheckAdd",
        "SalesTaxPaymentCheckMod",
        "SalesTaxPaymentCheckQuery",
        "SalesTaxReturnLineQuery",
        "SalesTaxReturnQuery",
        "ShipMethodAdd",
        "ShipMethodQuery",
        "SpecialAccountAdd",
        "SpecialItemAdd",
        "StandardTermsAdd",
        "StandardTermsQuery",
        "TemplateQuery",
        "TermsQuery",
        "TimeReportQuery",
        "TimeTrackingAdd",
        "TimeTrackingMod",
        "TimeTrackingQuery",
        "ToDoAdd",
        "ToDoMod",
        "ToDoQuery",
        "TransactionQuery",
        "TransferAdd",
        "TransferInventoryAdd",
        "TransferInventoryMod",
        "TransferInventoryQuery",
        "TransferMod",
        "TransferQuery",
        "TxnDel",
        "TxnDeletedQuery",
        "TxnDisplayAdd",
        "TxnDisplayMod",
        "TxnVoid",
        "UnitOfMeasureSetAdd",
        "UnitOfMeasureSetQuery",
        "VehicleAdd",
        "VehicleMileageAdd",
        "VehicleMileageQuery",
        "VehicleMod",
        "VehicleQuery",
        "VendorAdd",
        "VendorCreditAdd",
        "VendorCreditMod",
        "VendorCreditQuery",
        "VendorMod",
        "VendorQuery",
        "VendorTypeAdd",
        "VendorTypeQuery",
        "WorkersCompCodeAdd",
        "WorkersCompCodeMod",
        "WorkersCompCodeQuery",
    ]
)


# Enumerations the request processor checks before running anything (qbxml130.xsd).
ENUMS: dict[str, frozenset[str]] = {
    "JobStatus": JOB_STATUS,
    "ActiveStatus": ACTIVE_STATUS,
    "MatchCriterion": MATCH_CRITERIA,
    "PaidStatus": frozenset({"All", "PaidOnly", "NotPaidOnly"}),
    "BillableStatus": frozenset({"Billable", "NotBillable", "HasBeenBilled"}),
    "JournalLineType": frozenset({"Debit", "Credit"}),
    "ListDelType": frozenset(
        [
            "Account",
            "BillingRate",
            "Class",
            "Currency",
            "Customer",
            "CustomerMsg",
            "CustomerType",
            "DateDrivenTerms",
            "Employee",
            "InventorySite",
            "ItemDiscount",
            "ItemFixedAsset",
            "ItemGroup",
            "ItemInventory",
            "ItemInventoryAssembly",
            "ItemNonInventory",
            "ItemOtherCharge",
            "ItemPayment",
            "ItemSalesTax",
            "ItemSalesTaxGroup",
            "ItemService",
            "ItemSubtotal",
            "JobType",
            "OtherName",
            "PaymentMethod",
            "PayrollItemNonWage",
            "PayrollItemWage",
            "PriceLevel",
            "SalesRep",
            "SalesTaxCode",
            "ShipMethod",
            "StandardTerms",
            "ToDo",
            "UnitOfMeasureSet",
            "Vehicle",
            "Vendor",
            "VendorType",
            "WorkersCompCode",
        ]
    ),
    "TxnDelType": frozenset(
        [
            "ARRefundCreditCard",
            "Bill",
            "BillPaymentCheck",
            "BillPaymentCreditCard",
            "BuildAssembly",
            "Charge",
            "Check",
            "CreditCardCharge",
            "CreditCardCredit",
            "CreditMemo",
            "Deposit",
            "Estimate",
            "InventoryAdjustment",
            "Invoice",
            "ItemReceipt",
            "JournalEntry",
            "PurchaseOrder",
            "ReceivePayment",
            "SalesOrder",
            "SalesReceipt",
            "SalesTaxPaymentCheck",
            "TimeTracking",
            "TransferInventory",
            "VehicleMileage",
            "VendorCredit",
        ]
    ),
    # TxnVoidType (qbxml130.xsd).
    "TxnVoidType": frozenset(
        [
            "ARRefundCreditCard",
            "Bill",
            "BillPaymentCheck",
            "BillPaymentCreditCard",
            "Charge",
            "Check",
            "CreditCardCharge",
            "CreditCardCredit",
            "CreditMemo",
            "Deposit",
            "InventoryAdjustment",
            "Invoice",
            "ItemReceipt",
            "JournalEntry",
            "SalesReceipt",
            "VendorCredit",
        ]
    ),
    "AccountType": frozenset(
        [
            "AccountsPayable",
            "AccountsReceivable",
            "Bank",
            "CostOfGoodsSold",
            "CreditCard",
            "Equity",
            "Expense",
            "FixedAsset",
            "Income",
            "LongTermLiability",
            "NonPosting",
            "OtherAsset",
            "OtherCurrentAsset",
            "OtherCurrentLiability",
            "OtherExpense",
            "OtherIncome",
        ]
    ),
}

_LIST_FILTERS = [
    "MaxReturned",
    "ActiveStatus",
    "FromModifiedDate",
    "ToModifiedDate",
    "NameFilter",
    "NameRangeFilter",
    "TotalBalanceFilter",
    "CurrencyFilter",
    "ClassFilter",
    "AccountType",
]
_TXN_FILTERS = [
    "MaxReturned",
    "ModifiedDateRangeFilter",
    "TxnDateRangeFilter",
    "EntityFilter",
    "AccountFilter",
    "RefNumberFilter",
    "RefNumberRangeFilter",
    "CurrencyFilter",
    "PaidStatus",
]
# xsd:choice groups: at most one alternative (a set of element names) may be used.
_LIST_QUERY_CHOICES = (
    (("ListID",), ("FullName",), tuple(_LIST_FILTERS)),
    (("NameFilter",), ("NameRangeFilter",)),
)
_TXN_QUERY_CHOICES = (
    (("TxnID",), ("RefNumber",), ("RefNumberCaseSensitive",), tuple(_TXN_FILTERS)),
    (("ModifiedDateRangeFilter",), ("TxnDateRangeFilter",)),
    (("RefNumberFilter",), ("RefNumberRangeFilter",)),
)
_SALES = ((("SalesOrPurchase",), ("SalesAndPurchase",)),)
CHOICES: dict[str, tuple[tuple[tuple[str, ...], ...], ...]] = {
    **{kind: _LIST_QUERY_CHOICES for kind, spec in SEQUENCES.items() if spec == _LIST_QUERY},
    "AccountQueryRq": _LIST_QUERY_CHOICES,
    "OtherNameQueryRq": _LIST_QUERY_CHOICES,
    **{kind: _LIST_QUERY_CHOICES for kind, spec in SEQUENCES.items() if spec == _SMALL_QUERY},
    **{kind: _TXN_QUERY_CHOICES for kind, spec in SEQUENCES.items() if spec == _TXN_QUERY},
    "ItemServiceAdd": _SALES,
    "ItemOtherChargeAdd": _SALES,
    "ItemNonInventoryAdd": _SALES,
    "SalesOrPurchase": ((("Price",), ("PricePercent",)),),
    "SalesOrPurchaseMod": ((("Price",), ("PricePercent",)),),
    **{
        f"{kind}Mod": ((("SalesOrPurchaseMod",), ("SalesAndPurchaseMod",)),)
        for kind in ("ItemService", "ItemOtherCharge", "ItemNonInventory")
    },
    "EntityFilter": (
        (("ListID",), ("FullName",), ("ListIDWithChildren",), ("FullNameWithChildren",)),
    ),
    "TxnDateRangeFilter": ((("FromTxnDate", "ToTxnDate"), ("DateMacro",)),),
    "JournalEntryAdd": (
        (("IsHomeCurrencyAdjustment",), ("IsAmountsEnteredInHomeCurrency", "CurrencyRef")),
    ),
}
# A choice that must be taken (the Add's SalesOrPurchase / SalesAndPurchase).
REQUIRED_CHOICES = frozenset({"ItemServiceAdd", "ItemOtherChargeAdd", "ItemNonInventoryAdd"})


def _parse(spec: str) -> tuple[Child, ...]:
    children = []
    for token in spec.split():
        name = token.rstrip("?*+")
        required = not token.endswith(("?", "*"))
        children.append(Child(name, required=required, repeated=token.endswith(("*", "+"))))
    return tuple(children)


_PARSED: dict[str, tuple[Child, ...]] = {kind: _parse(spec) for kind, spec in SEQUENCES.items()}
"""``SEQUENCES`` read once: every request element is checked against them."""
_POSITIONS: dict[str, dict[str, int]] = {
    kind: {child.name: index for index, child in enumerate(children)}
    for kind, children in _PARSED.items()
}


def sequence(kind: str) -> tuple[Child, ...]:
    """The child sequence of ``kind``."""
    return _PARSED[kind]


def order_of(kind: str) -> dict[str, int]:
    """Position of each child name of ``kind``, for sorting and order checks."""
    return dict(_POSITIONS[kind])


def check_children(kind: str, element_name: str, children: list[str]) -> None:
    """Refuse children that are unknown, repeated when they may not be, or out of XSD order.

    QuickBooks validates each request against the schema before running it; a request that
    does not follow it fails the whole message with the parse HRESULT (spec B.8, §E.2).
    """
    spec = sequence(kind)
    position = _POSITIONS[kind]
    last = -1
    seen: set[str] = set()
    for name in children:
        index = position.get(name)
        if index is None:
            raise QbxmlParseError(f"element <{name}> is not allowed in <{element_name}>")
        if index < last:
            raise QbxmlParseError(
                f"element <{name}> is out of order in <{element_name}>: the qbXML 13.0 schema "
                f"puts it before <{spec[last].name}>"
            )
        if name in seen and not spec[index].repeated:
            raise QbxmlParseError(f"element <{name}> may appear only once in <{element_name}>")
        seen.add(name)
        last = index
    for child in spec:
        if child.required and child.name not in seen:
            raise QbxmlParseError(f"<{element_name}> is missing its required <{child.name}>")
    for group in CHOICES.get(kind, ()):
        used = [alt for alt in group if seen.intersection(alt)]
        if len(used) > 1:
            names = " and ".join(f"<{next(iter(seen.intersection(alt)))}>" for alt in used)
            raise QbxmlParseError(f"<{element_name}> may not combine {names} (one choice only)")
        if not used and kind in REQUIRED_CHOICES:
            options = " or ".join(f"<{alt[0]}>" for alt in group)
            raise QbxmlParseError(f"<{element_name}> needs {options}")


def check_value(name: str, value: str) -> None:
    """Refuse a value outside its element's enumeration, or a MaxReturned that is no integer."""
    allowed = ENUMS.get(name)
    if allowed is not None and value not in allowed:
        raise QbxmlParseError(f'<{name}> "{value}" is not one of {", ".join(sorted(allowed))}')
    if name == "MaxReturned":
        try:
            int(value)
        except ValueError:
            raise QbxmlParseError(f'<MaxReturned> "{value}" is not an integer') from None
