"""Webhook hooks and triggers (v1.0, company scope); spec procore-api §1.8.

``POST /rest/v1.0/webhooks/hooks`` ``{"company_id", "hook": {"api_version", "namespace",
"destination_url", "destination_headers"}}``; triggers under ``…/hooks/{hook_id}/triggers`` with
``{"company_id", "api_version", "trigger": {"resource_name", "event_type"}}``. Namespaces are
lowercase letters, digits and ``-`` (developers.procore.com/documentation/webhooks-api).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from procore_qb.procore.answers import answer_list, answer_object
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.errors import ProcoreUsageError
from procore_qb.procore.sync import JSONObject

__all__ = ["EVENT_TYPES", "Webhooks"]

EVENT_TYPES = frozenset({"create", "update", "delete"})
_NAMESPACE = re.compile(r"^[a-z0-9-]+$")


class Webhooks:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    @property
    def _scope(self) -> dict[str, int]:
        return {"company_id": self.client.company_id}

    def hooks(self, *, namespace: str | None = None) -> Iterator[JSONObject]:
        params: dict[str, Any] = dict(self._scope)
        if namespace:
            params["namespace"] = namespace
        data: Any = self.client.get("/rest/v1.0/webhooks/hooks", params)
        return iter(answer_list(data, "webhook"))

    def create_hook(
        self,
        *,
        namespace: str,
        destination_url: str,
        destination_headers: Mapping[str, str] | None = None,
        api_version: str = "v2",
    ) -> JSONObject:
        if not _NAMESPACE.match(namespace):
            raise ProcoreUsageError(
                f"webhook namespace {namespace!r} may hold only lowercase letters, digits and '-'"
            )
        hook: dict[str, Any] = {
            "api_version": api_version,
            "namespace": namespace,
            "destination_url": destination_url,
        }
        if destination_headers:
            hook["destination_headers"] = dict(destination_headers)
        data: Any = self.client.post("/rest/v1.0/webhooks/hooks", {**self._scope, "hook": hook})
        return dict(answer_object(data, "webhook"))

    def delete_hook(self, hook_id: int) -> None:
        self.client.delete(f"/rest/v1.0/webhooks/hooks/{hook_id}", self._scope)

    def triggers(self, hook_id: int) -> Iterator[JSONObject]:
        data: Any = self.client.get(f"/rest/v1.0/webhooks/hooks/{hook_id}/triggers", self._scope)
        return iter(answer_list(data, "webhook trigger"))

    def create_trigger(
        self, hook_id: int, *, resource_name: str, event_type: str, api_version: str = "v2"
    ) -> JSONObject:
        if event_type not in EVENT_TYPES:
            raise ProcoreUsageError(
                f"webhook event_type must be one of {sorted(EVENT_TYPES)}, got {event_type!r}"
            )
        data: Any = self.client.post(
            f"/rest/v1.0/webhooks/hooks/{hook_id}/triggers",
            {
                **self._scope,
                "api_version": api_version,
                "trigger": {"resource_name": resource_name, "event_type": event_type},
            },
        )
        return dict(answer_object(data, "webhook trigger"))

    def delete_trigger(self, hook_id: int, trigger_id: int) -> None:
        self.client.delete(
            f"/rest/v1.0/webhooks/hooks/{hook_id}/triggers/{trigger_id}", self._scope
        )
