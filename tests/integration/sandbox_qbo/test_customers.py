"""Customers and jobs: the hierarchy, unique names, SyncToken, full and sparse updates."""

from __future__ import annotations

from procore_qb.sandbox.qbo import SimulatorConfig

from .conftest import Api, fault


def create_customer(api: Api, name: str, **fields: object) -> dict[str, object]:
    response = api.post("/customer", {"DisplayName": name, **fields})
    assert response.status_code == 200, response.text
    return dict(response.json()["Customer"])


def test_create_customer_and_job_computes_the_hierarchy(api: Api) -> None:
    parent = create_customer(api, "Summit Owner LLC")
    job = create_customer(
        api,
        "P-1042 Riverside Clinic TI",
        Job=True,
        BillWithParent=True,
        ParentRef={"value": parent["Id"]},
    )
    assert parent["Level"] == 0
    assert parent["FullyQualifiedName"] == "Summit Owner LLC"
    assert "RootCustomerRef" not in parent
    assert job["Level"] == 1
    assert job["FullyQualifiedName"] == "Summit Owner LLC:P-1042 Riverside Clinic TI"
    assert job["RootCustomerRef"] == {"value": parent["Id"], "name": "Summit Owner LLC"}
    assert job["SyncToken"] == "0"
    assert job["MetaData"]["CreateTime"] == job["MetaData"]["LastUpdatedTime"]
    read = api.get(f"/customer/{job['Id']}")
    assert read.status_code == 200
    assert read.json()["Customer"] == job
    assert "time" in read.json()


def test_read_accepts_a_trailing_slash_and_unknown_ids_are_610(api: Api) -> None:
    assert api.get("/customer/25/").status_code == 200
    response = api.get("/customer/99999")
    assert response.status_code == 400
    assert fault(response)["code"] == "610"


def test_display_name_is_unique_across_customers_vendors_and_employees(api: Api) -> None:
    # "Ace Concrete Supply" is a seeded vendor; case does not matter.
    response = api.post("/customer", {"DisplayName": "ace concrete supply"})
    assert response.status_code == 400
    error = fault(response)
    assert error["code"] == "6240"
    assert error["Message"] == "Duplicate Name Exists Error"
    assert response.json()["Fault"]["type"] == "ValidationFault"
    employee = api.post("/employee", {"GivenName": "Jo", "FamilyName": "Park"})
    assert employee.status_code == 200
    assert employee.json()["Employee"]["DisplayName"] == "Jo Park"
    assert fault(api.post("/vendor", {"DisplayName": "Jo Park"}))["code"] == "6240"


def test_job_and_parent_ref_go_together(api: Api) -> None:
    no_parent = api.post("/customer", {"DisplayName": "Orphan Job", "Job": True})
    assert fault(no_parent)["code"] == "6150"
    assert fault(no_parent)["element"] == "Job"
    no_job = api.post("/customer", {"DisplayName": "Sub", "ParentRef": {"value": "25"}})
    assert fault(no_job)["code"] == "6150"


def test_parent_must_exist_and_be_active(api: Api) -> None:
    missing = api.post(
        "/customer", {"DisplayName": "Sub", "Job": True, "ParentRef": {"value": "4242"}}
    )
    assert fault(missing)["code"] == "2500"
    parent = create_customer(api, "Soon Inactive")
    off = api.post(
        "/customer",
        {"Id": parent["Id"], "SyncToken": parent["SyncToken"], "sparse": True, "Active": False},
    )
    assert off.status_code == 200
    child = api.post(
        "/customer", {"DisplayName": "Sub", "Job": True, "ParentRef": {"value": parent["Id"]}}
    )
    assert fault(child)["code"] == "2500"


def test_at_most_five_levels(api: Api) -> None:
    parent = create_customer(api, "L0")
    for level in range(1, 5):
        parent = create_customer(api, f"L{level}", Job=True, ParentRef={"value": parent["Id"]})
    assert parent["Level"] == 4
    assert parent["FullyQualifiedName"] == "L0:L1:L2:L3:L4"
    too_deep = api.post(
        "/customer", {"DisplayName": "L5", "Job": True, "ParentRef": {"value": parent["Id"]}}
    )
    assert too_deep.status_code == 400
    assert fault(too_deep)["code"] == "6000"
    assert "5 levels" in fault(too_deep)["Detail"]


def test_names_refuse_colons_and_excess_length(client: object, api: Api) -> None:
    colon = api.post("/customer", {"DisplayName": "Owner:Job"})
    assert fault(colon)["code"] == "6000"
    assert "':'" in fault(colon)["Detail"]
    api.client.post("/_sandbox/config", json={"display_name_max": 10})
    long = api.post("/customer", {"DisplayName": "A name over ten"})
    assert fault(long)["code"] == "2050"


def test_display_name_or_a_name_part_is_required(api: Api) -> None:
    assert fault(api.post("/customer", {"Notes": "no name"}))["code"] == "2020"
    made = api.post("/customer", {"GivenName": "Lee", "FamilyName": "Ortiz"})
    assert made.json()["Customer"]["DisplayName"] == "Lee Ortiz"


def test_bill_with_parent_only_for_jobs(api: Api) -> None:
    response = api.post("/customer", {"DisplayName": "Top", "BillWithParent": True})
    assert fault(response)["code"] == "6000"
    assert fault(response)["element"] == "BillWithParent"


def test_job_status_enum(api: Api) -> None:
    response = api.post(
        "/customer",
        {
            "DisplayName": "J",
            "Job": True,
            "ParentRef": {"value": "25"},
            "JobInfo": {"Status": "Done"},
        },
    )
    assert fault(response)["code"] == "2170"


def test_unknown_fields_are_refused(api: Api) -> None:
    response = api.post("/customer", {"DisplayName": "X", "ProcoreProjectId": 12})
    assert fault(response)["code"] == "2010"
    assert "ProcoreProjectId" in fault(response)["Detail"]


def test_sync_token_increments_and_stale_tokens_fail(api: Api) -> None:
    made = create_customer(api, "Token Test", Notes="first")
    first = api.post("/customer", {**made, "Notes": "second"})
    assert first.status_code == 200
    assert first.json()["Customer"]["SyncToken"] == "1"
    stale = api.post("/customer", {**made, "Notes": "third"})
    assert stale.status_code == 400
    assert fault(stale)["code"] == "5010"
    missing = api.post("/customer", {"Id": made["Id"], "DisplayName": "Token Test"})
    assert fault(missing)["code"] == "2020"
    assert fault(missing)["element"] == "SyncToken"
    unknown = api.post("/customer", {"Id": "777777", "SyncToken": "0", "DisplayName": "N"})
    assert fault(unknown)["code"] == "610"


def test_sparse_update_keeps_fields_and_full_update_clears_them(api: Api) -> None:
    made = create_customer(api, "Sparse Co", Notes="keep me", CompanyName="Sparse Company")
    sparse = api.post(
        "/customer",
        {"Id": made["Id"], "SyncToken": "0", "sparse": True, "CompanyName": "Renamed Co"},
    ).json()["Customer"]
    assert sparse["Notes"] == "keep me"
    assert sparse["CompanyName"] == "Renamed Co"
    assert sparse["DisplayName"] == "Sparse Co"
    full = api.post(
        "/customer", {"Id": made["Id"], "SyncToken": "1", "DisplayName": "Sparse Co"}
    ).json()["Customer"]
    assert "Notes" not in full
    assert "CompanyName" not in full
    assert full["SyncToken"] == "2"


def test_names_are_never_deleted_only_made_inactive(api: Api) -> None:
    made = create_customer(api, "Short Lived")
    deleted = api.post("/customer", {"Id": made["Id"], "SyncToken": "0"}, operation="delete")
    assert deleted.status_code == 400
    assert fault(deleted)["code"] == "500"
    assert "Active" in fault(deleted)["Detail"]
    api.post("/customer", {"Id": made["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    assert api.rows("select * from Customer where DisplayName = 'Short Lived'") == []
    hidden = api.rows("select * from Customer where DisplayName = 'Short Lived' and Active = false")
    assert [row["Id"] for row in hidden] == [made["Id"]]
    # An inactive name still holds its DisplayName.
    assert fault(api.post("/vendor", {"DisplayName": "Short Lived"}))["code"] == "6240"


def test_renaming_a_parent_renames_its_jobs(api: Api) -> None:
    parent = create_customer(api, "Old Owner")
    job = create_customer(api, "Tower", Job=True, ParentRef={"value": parent["Id"]})
    api.post(
        "/customer",
        {"Id": parent["Id"], "SyncToken": "0", "sparse": True, "DisplayName": "New Owner"},
    )
    assert (
        api.get(f"/customer/{job['Id']}").json()["Customer"]["FullyQualifiedName"]
        == "New Owner:Tower"
    )


def test_a_customer_cannot_move_under_its_own_job(api: Api) -> None:
    parent = create_customer(api, "Loop Owner")
    job = create_customer(api, "Loop Job", Job=True, ParentRef={"value": parent["Id"]})
    response = api.post(
        "/customer",
        {
            "Id": parent["Id"],
            "SyncToken": "0",
            "sparse": True,
            "Job": True,
            "ParentRef": {"value": job["Id"]},
        },
    )
    assert fault(response)["code"] == "6000"


def test_display_name_limit_defaults_to_500() -> None:
    assert SimulatorConfig().display_name_max == 500


def test_a_renamed_customer_frees_its_old_name(api: Api) -> None:
    made = create_customer(api, "Before Rename")
    renamed = api.post(
        "/customer",
        {"Id": made["Id"], "SyncToken": "0", "sparse": True, "DisplayName": "After Rename"},
    )
    assert renamed.status_code == 200
    assert api.post("/vendor", {"DisplayName": "before rename"}).status_code == 200
    assert fault(api.post("/employee", {"DisplayName": "AFTER RENAME"}))["code"] == "6240"
    # Saving a record under its own name is not a duplicate.
    again = api.post(
        "/customer", {"Id": made["Id"], "SyncToken": "1", "DisplayName": "After Rename"}
    )
    assert again.status_code == 200


def test_a_job_cannot_become_a_top_level_customer(api: Api) -> None:
    job = api.one("Customer", "DisplayName = 'Fire Station 3'")
    full = api.post(
        "/customer",
        {"Id": job["Id"], "SyncToken": job["SyncToken"], "DisplayName": "Fire Station 3"},
    )
    assert fault(full)["code"] == "6150"
    sparse = api.post(
        "/customer",
        {
            "Id": job["Id"],
            "SyncToken": job["SyncToken"],
            "sparse": True,
            "Job": False,
            "ParentRef": None,
        },
    )
    assert fault(sparse)["code"] == "6150"
