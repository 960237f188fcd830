"""Items (cost codes), accounts, classes, vendors, company info and preferences."""

from __future__ import annotations

from .conftest import Api, fault


def account_id(api: Api, name: str) -> str:
    return str(api.one("Account", f"Name = '{name}'")["Id"])


def test_seeded_items_are_the_cost_codes(api: Api) -> None:
    service = api.rows("select * from Item where Type = 'Service' maxresults 1000")
    assert "03-300" in {row["Name"] for row in service}
    concrete = api.one("Item", "Name = '03-300'")
    assert concrete["IncomeAccountRef"]["name"] == "Construction Income"
    assert concrete["ExpenseAccountRef"]["name"] == "Subcontractors"
    assert concrete["FullyQualifiedName"] == "03-300"


def test_create_service_item_needs_an_income_account(api: Api) -> None:
    missing = api.post("/item", {"Name": "31-000", "Type": "Service"})
    assert fault(missing)["code"] == "2020"
    assert fault(missing)["element"] == "IncomeAccountRef"
    income = account_id(api, "Construction Income")
    made = api.post(
        "/item", {"Name": "31-000", "Type": "Service", "IncomeAccountRef": {"value": income}}
    )
    assert made.status_code == 200
    assert made.json()["Item"]["IncomeAccountRef"] == {
        "value": income,
        "name": "Construction Income",
    }


def test_purchase_information_needs_an_expense_account(api: Api) -> None:
    income = account_id(api, "Construction Income")
    response = api.post(
        "/item",
        {
            "Name": "32-000",
            "Type": "Service",
            "IncomeAccountRef": {"value": income},
            "PurchaseCost": 10,
        },
    )
    assert fault(response)["element"] == "ExpenseAccountRef"
    noninventory = api.post("/item", {"Name": "Nails", "Type": "NonInventory", "PurchaseDesc": "x"})
    assert fault(noninventory)["element"] == "ExpenseAccountRef"
    plain = api.post("/item", {"Name": "Nails", "Type": "NonInventory"})
    assert plain.status_code == 200


def test_item_type_is_an_enum_and_required(api: Api) -> None:
    assert fault(api.post("/item", {"Name": "T1"}))["code"] == "2020"
    bad = api.post("/item", {"Name": "T1", "Type": "CostCode"})
    assert fault(bad)["code"] == "2170"
    assert "Service" in fault(bad)["Detail"]


def test_item_names_are_unique(api: Api) -> None:
    response = api.post("/item", {"Name": "lumber", "Type": "NonInventory"})
    assert fault(response)["code"] == "6240"
    assert "product or service" in fault(response)["Detail"]


def test_item_account_refs_must_exist(api: Api) -> None:
    response = api.post(
        "/item", {"Name": "33-000", "Type": "Service", "IncomeAccountRef": {"value": "9999"}}
    )
    assert fault(response)["code"] == "2500"
    assert fault(response)["element"] == "IncomeAccountRef"


def test_sub_items_under_a_category(api: Api) -> None:
    category = api.post("/item", {"Name": "Division 03", "Type": "Category"}).json()["Item"]
    income = account_id(api, "Construction Income")
    sub = api.post(
        "/item",
        {
            "Name": "03-310",
            "Type": "Service",
            "IncomeAccountRef": {"value": income},
            "SubItem": True,
            "ParentRef": {"value": category["Id"]},
        },
    ).json()["Item"]
    assert sub["FullyQualifiedName"] == "Division 03:03-310"
    assert sub["Level"] == 1
    orphan = api.post(
        "/item",
        {
            "Name": "03-320",
            "Type": "Service",
            "IncomeAccountRef": {"value": income},
            "SubItem": True,
        },
    )
    assert fault(orphan)["element"] == "ParentRef"


def test_accounts_have_a_type_and_unique_name(api: Api) -> None:
    made = api.post(
        "/account", {"Name": "Retainage Payable", "AccountType": "Other Current Liability"}
    )
    assert made.json()["Account"]["Classification"] == "Liability"
    assert (
        fault(api.post("/account", {"Name": "checking", "AccountType": "Bank"}))["code"] == "6240"
    )
    assert fault(api.post("/account", {"Name": "X", "AccountType": "Savings"}))["code"] == "2170"
    assert fault(api.post("/account", {"Name": "X"}))["code"] == "2020"


def test_classes_nest_and_are_unique(api: Api) -> None:
    parent = api.post("/class", {"Name": "Commercial"}).json()["Class"]
    child = api.post("/class", {"Name": "Healthcare", "ParentRef": {"value": parent["Id"]}})
    assert child.json()["Class"]["FullyQualifiedName"] == "Commercial:Healthcare"
    assert child.json()["Class"]["SubClass"] is True
    assert fault(api.post("/class", {"Name": "commercial"}))["code"] == "6240"


def test_company_info_and_preferences(api: Api) -> None:
    info = api.get("/companyinfo/9130357992221046")
    assert info.json()["CompanyInfo"]["CompanyName"] == "Summit Ridge Builders LLC"
    assert fault(api.get("/companyinfo/1"))["code"] == "610"
    prefs = api.get("/preferences").json()["Preferences"]
    assert prefs["AccountingInfoPrefs"]["ClassTrackingPerTxnLine"] is True
    rows = api.rows("select * from CompanyInfo")
    assert rows[0]["CompanyName"] == "Summit Ridge Builders LLC"
    assert fault(api.post("/companyinfo", {"CompanyName": "Other"}))["code"] == "500"


def test_unknown_entity_path_is_unsupported(api: Api) -> None:
    assert fault(api.get("/widget/1"))["code"] == "500"
    assert fault(api.post("/widget", {}))["code"] == "500"


def test_malformed_json_body(api: Api) -> None:
    response = api.client.post(
        "/v3/company/9130357992221046/customer", content=b"{nope", headers=api.headers
    )
    assert fault(response)["code"] == "2010"
