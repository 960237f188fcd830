"""QuickBooks Desktop's Web Connector does not run for a day: accepted exports wait, shown as
waiting for it in the Jobs tab, nothing fails or is given up on; its next run completes them."""

from __future__ import annotations

import pytest
from workflow_stack import Stack

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

PROJECTS = (2001, 2002)  # seed: eligible


def test_accepted_exports_wait_a_day_for_the_web_connector(desktop: Stack) -> None:
    desktop.ok("ada", "POST", "/erp/jobs/refresh")
    desktop.settle()
    ids = [desktop.ok("cara", "POST", f"/projects/{p}/send-to-erp")["id"] for p in PROJECTS]
    parent = desktop.ok("ben", "GET", "/erp/customers")["items"][0]["id"]
    desktop.ok("ben", "POST", "/erp/jobs/accept", {"ids": ids, "customer_id": parent})
    before = {o.name for o in desktop.qbd.company.lists(["Customer"])}  # type: ignore[union-attr]

    for _ in range(24):  # a day of hourly work with no Web Connector
        desktop.clock.advance(hours=1)
        desktop.run_jobs()
    waiting = {i["id"]: i for i in desktop.items("ben", "failed_to_export")}
    assert set(waiting) == set(ids)
    for item in waiting.values():
        assert item["state"] == "exporting", item
        assert item["error"] is None
        assert item["waiting_for"] == "the QuickBooks Web Connector's next run"
    assert {o.name for o in desktop.qbd.company.lists(["Customer"])} == before  # type: ignore[union-attr]

    desktop.web_connector()
    desktop.run_jobs()
    for item_id in ids:
        synced = desktop.ok("ben", "GET", f"/erp/jobs/{item_id}")
        assert synced["state"] == "synced", synced
        assert synced["waiting_for"] is None
    assert desktop.items("ben", "failed_to_export") == []
