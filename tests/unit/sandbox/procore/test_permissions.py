"""Access levels, the 403 message and the manifest shape."""

from __future__ import annotations

import pytest

from procore_qb.sandbox.procore.errors import Forbidden
from procore_qb.sandbox.procore.permissions import has_level, manifest, require

BEN = {
    "id": 102,
    "name": "Ben Brooks",
    "_erp_integrations": "standard",
    "_directory": "read_only",
    "_project_admin": "none",
    "_can_push": True,
}


def test_levels_are_ordered() -> None:
    assert has_level(BEN, "company", "erp_integrations", "read_only")
    assert has_level(BEN, "company", "erp_integrations", "standard")
    assert not has_level(BEN, "company", "erp_integrations", "admin")
    assert not has_level(BEN, "company", "admin", "read_only")  # missing means None


def test_refusal_names_tool_level_and_fix() -> None:
    with pytest.raises(Forbidden) as refused:
        require(BEN, "company", "directory", "admin", "create company users")
    message = refused.value.message
    assert message.startswith("Ben Brooks may not create company users")
    assert "'Admin' on the company Directory tool (has 'Read Only')" in message
    assert refused.value.body() == {"error": {"code": "forbidden", "message": message}}


def test_manifest_shape() -> None:
    tools = manifest(BEN, project_id=None, base_url="http://sim")["tools"]
    erp = next(t for t in tools if t["name"] == "erp_integrations")
    assert erp["user_access_level"] == {"id": 3, "name": "Standard"}
    assert erp["permitted_actions"][0]["label"] == "Can Push to Accounting"
    assert erp["can_create"] is True
    project_tools = manifest(BEN, project_id=7, base_url="http://sim")["tools"]
    assert [t["friendly_name"] for t in project_tools] == ["Admin"]
    assert project_tools[0]["available_for_user"] is False
