"""A re-send is checked, and refused, as a re-send (spec procore-workflow §4)."""

from __future__ import annotations

import pytest
from workflow_stack import Stack

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

HARBOR = 2002  # seed: eligible


def test_a_refused_resend_names_the_resend_action(online: Stack) -> None:
    sent = online.ok("cara", "POST", f"/projects/{HARBOR}/send-to-erp")
    online.ok("ben", "POST", f"/erp/jobs/{sent['id']}/reject", {"comment": "fix the number"})
    refused = online.call("eve", "POST", f"/projects/{HARBOR}/send-to-erp")
    assert refused.status_code == 403
    assert refused.json()["action"] == "resend"
    assert online.ok("cara", "POST", f"/projects/{HARBOR}/send-to-erp")["state"] == (
        "ready_to_export"
    )
