"""ERP metadata save rules, and webhook event payloads, outside HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from procore_qb.sandbox.procore.config import SandboxConfig
from procore_qb.sandbox.procore.errors import Unprocessable
from procore_qb.sandbox.procore.save_rules import check_save_rules
from procore_qb.sandbox.procore.webhooks import emit_event
from procore_qb.sandbox.procore.world import World

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def world_with_rules(fields: dict[str, object]) -> World:
    world = World(SandboxConfig())
    world.insert(
        "erp_connections",
        {
            "id": 7,
            "_company_id": 7,
            "metadata": {
                "settings": {"entities": {"jobs": {"rules": {"save": {"fields": fields}}}}}
            },
        },
        T0,
    )
    return world


def test_no_connection_means_no_rules() -> None:
    check_save_rules(World(SandboxConfig()), 7, "jobs", {}, {"name": "x" * 500})


def test_each_validation_kind() -> None:
    world = world_with_rules(
        {
            "name": {"enabled": True, "validation": {"max_length": {"enabled": True, "length": 3}}},
            "code": {"enabled": True, "validation": {"present": {"enabled": True}}},
            "value": {
                "enabled": True,
                "validation": {"numeric": {"enabled": True}, "positive": {"enabled": True}},
            },
            "off": {"enabled": False, "validation": {"present": {"enabled": True}}},
        }
    )
    with pytest.raises(Unprocessable) as refused:
        check_save_rules(world, 7, "jobs", {}, {"name": "abcd", "value": "-2"})
    assert refused.value.errors == {
        "name": ["Too long. Maximum 3 characters."],
        "code": ["Must provide a value"],
        "value": ["Value entered has to be a postive numeric value"],
    }
    with pytest.raises(Unprocessable) as refused:
        check_save_rules(world, 7, "jobs", {}, {"name": "ab", "code": "A", "value": "lots"})
    assert refused.value.errors == {
        "value": ["Value entered is not numeric", "Value entered has to be a postive numeric value"]
    }
    check_save_rules(world, 7, "jobs", {}, {"name": "ab", "code": "A", "value": 2})


def test_updates_check_only_the_fields_they_change() -> None:
    world = world_with_rules(
        {
            "name": {"enabled": True, "validation": {"max_length": {"enabled": True, "length": 3}}},
        }
    )
    existing = {"id": 1, "name": "already too long"}
    check_save_rules(world, 7, "jobs", existing, {"phone": "1"})
    with pytest.raises(Unprocessable):
        check_save_rules(world, 7, "jobs", existing, {"name": "still too long"})


def test_events_follow_scope_and_triggers() -> None:
    world = World(SandboxConfig())
    company_hook = world.insert(
        "hooks", {"_company_id": 7, "_project_id": None, "payload_version": "v2.0"}, T0
    )
    project_hook = world.insert(
        "hooks", {"_company_id": 7, "_project_id": 70, "payload_version": "v4.0"}, T0
    )
    for hook in (company_hook, project_hook):
        world.insert(
            "triggers",
            {"_hook_id": hook["id"], "resource_name": "Projects", "event_type": "update"},
            T0,
        )

    def emit(project_id: int | None, event: str = "update") -> None:
        emit_event(
            world,
            T0,
            company_id=7,
            project_id=project_id,
            resource_name="Projects",
            event_type=event,
            resource_id=70,
            user_id=1,
            application_id="app",
        )

    emit(70)
    emit(71)
    emit(70, "create")
    events = list(world.table("events").values())
    assert [(e["_hook_id"], e["payload"]["api_version"]) for e in events] == [
        (company_hook["id"], "v2.0"),
        (project_hook["id"], "v4.0"),
        (company_hook["id"], "v2.0"),
    ]
    legacy = events[0]["payload"]
    assert legacy["metadata"]["source_application_id"] == "app"
    assert len(legacy["ulid"]) == 26
    assert legacy["timestamp"] == "2026-01-01T00:00:00Z"
    assert events[1]["payload"]["project_id"] == "70"
