"""Class: an optional dimension on lines (``Name``, ``SubClass``, ``ParentRef``)."""

from __future__ import annotations

from typing import Any, ClassVar

from procore_qb.quickbooks.online.resources.base import EntityResource, ref

__all__ = ["ClassResource"]


class ClassResource(EntityResource):
    ENTITY: ClassVar[str] = "Class"
    NAME_LIST: ClassVar[bool] = True

    def create_class(
        self, name: str, *, request_id: str, parent_id: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"Name": name}
        if parent_id:
            body["SubClass"] = True
            body["ParentRef"] = ref(parent_id)
        return self.create(body, request_id=request_id)
