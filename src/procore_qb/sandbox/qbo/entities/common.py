"""What every entity shares: the operation context, references, field checks and hierarchies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from procore_qb.sandbox.qbo import faults
from procore_qb.sandbox.qbo.config import SimulatorConfig
from procore_qb.sandbox.qbo.store import RealmState

__all__ = [
    "ENVELOPE_FIELDS",
    "HOME_CURRENCY",
    "MAX_LEVELS",
    "NAME_FIELDS",
    "Context",
    "EntitySpec",
    "Record",
    "check_bool",
    "check_enum",
    "check_name_text",
    "default_currency",
    "name_owner",
    "ref_value",
    "reindex_name",
]

Record = dict[str, Any]

ENVELOPE_FIELDS = frozenset({"Id", "SyncToken", "MetaData", "sparse", "domain", "status"})
"""``IntuitEntity`` elements and attributes every entity carries (spec A.1, IntuitBaseTypes.xsd)."""

MAX_LEVELS = 5
"""FullyQualifiedName is "Limited to 5 levels" (XSD IntuitNamesTypes.xsd, NameBase; spec A.2)."""


NAME_GROUPS: dict[str, tuple[str, ...]] = {
    # DisplayName "Must be unique across all Customer, Vendor, and Employee objects" (spec A.2).
    "Customer": ("Customer", "Vendor", "Employee"),
    "Vendor": ("Customer", "Vendor", "Employee"),
    "Employee": ("Customer", "Vendor", "Employee"),
    "Item": ("Item",),
    "Account": ("Account",),
    "Class": ("Class",),
}
NAME_FIELDS = {
    "Customer": "DisplayName",
    "Vendor": "DisplayName",
    "Employee": "DisplayName",
    "Item": "Name",
    "Account": "Name",
    "Class": "Name",
}


def _name_key(value: object) -> str:
    """Names compare without surrounding blanks and ignoring case [I]."""
    return str(value).strip().casefold()


def _name_index(realm: RealmState, entity: str) -> dict[str, str]:
    group = NAME_GROUPS[entity]
    index = realm.names.get(group[0])
    if index is None:
        index = {}
        for member in group:
            for record in realm.table(member).values():
                index[_name_key(record.get(NAME_FIELDS[member], ""))] = f"{member}:{record['Id']}"
        realm.names[group[0]] = index
    return index


def name_owner(realm: RealmState, entity: str, name: object) -> str | None:
    """``"Entity:Id"`` of the record holding ``name`` in ``entity``'s uniqueness group."""
    return _name_index(realm, entity).get(_name_key(name))


def reindex_name(realm: RealmState, entity: str, old: Record | None, new: Record) -> None:
    """Keep the uniqueness index in step after ``new`` was stored (replacing ``old``)."""
    if entity not in NAME_GROUPS:
        return
    index = _name_index(realm, entity)
    field_name = NAME_FIELDS[entity]
    me = f"{entity}:{new['Id']}"
    if old is not None and index.get(_name_key(old.get(field_name, ""))) == me:
        del index[_name_key(old.get(field_name, ""))]
    index[_name_key(new.get(field_name, ""))] = me


@dataclass
class Context:
    """One operation's view of a company.

    ``hidden`` holds entities created by earlier items of the same batch request: an item cannot
    see them (spec A.8, Intuit's 2017 batch blog).
    """

    realm: RealmState
    config: SimulatorConfig
    now: datetime
    hidden: set[tuple[str, str]] = field(default_factory=set)

    def get(self, entity: str, entity_id: str) -> Record | None:
        if (entity, entity_id) in self.hidden:
            return None
        return self.realm.table(entity).get(entity_id)

    def visible(self, entity: str) -> Iterable[Record]:
        """The entity's records this operation can see, in the table's order (read them
        before the operation hides more)."""
        table = self.realm.table(entity)
        if not self.hidden:
            # Outside a batch nothing is hidden: the table's own view, which a query pages
            # through once a page, without a step of Python per record.
            return table.values()
        return [record for key, record in table.items() if (entity, key) not in self.hidden]

    def ref(
        self, element: str, entities: tuple[str, ...], ref: object, *, active: bool = True
    ) -> Record:
        """Resolve a ``ReferenceType`` (``{"value": id}``) or raise 2500 Invalid Reference Id.

        Spec A.11: 2500 for an unknown id; 610's description says an *inactive* referenced list
        object is refused too, so inactive names are refused with 2500 naming the entity.
        """
        value = ref_value(element, ref)
        for entity in entities:
            record = self.get(entity, value)
            if record is not None:
                if active and record.get("Active", True) is False:
                    raise faults.invalid_reference(element, entity, value)
                return record
        raise faults.invalid_reference(element, " or ".join(entities), value)

    def named_ref(self, element: str, entities: tuple[str, ...], ref: object) -> Record:
        """A resolved reference with the target's current name, as QuickBooks echoes it."""
        target = self.ref(element, entities, ref)
        name = target.get("DisplayName", target.get("Name"))
        result: Record = {"value": target["Id"]}
        if name is not None:
            result["name"] = name
        return result


HOME_CURRENCY: Record = {"value": "USD", "name": "United States Dollar"}
"""The company's home currency (Preferences ``CurrencyPrefs.HomeCurrency``), as QuickBooks
Online fills ``CurrencyRef`` on names and transactions that do not send one: "If not specified,
the home currency is used" (Intuit API reference, Bill/Purchase/Customer ``CurrencyRef``; every
sample response, e.g. Customer "Red Rock Diner", carries ``{"value": "USD", "name": "United
States Dollar"}``)."""


def default_currency(data: Record) -> None:
    """``CurrencyRef`` defaults to the home currency; a sent one without a name gets it."""
    ref = data.get("CurrencyRef")
    if ref is None:
        data["CurrencyRef"] = dict(HOME_CURRENCY)
    elif isinstance(ref, dict) and ref.get("value") == HOME_CURRENCY["value"]:
        ref.setdefault("name", HOME_CURRENCY["name"])


def ref_value(element: str, ref: object) -> str:
    # ReferenceType is a text value with optional name/type attributes; in JSON
    # {"value": "42", "name": "..."} (spec A.1, IntuitBaseTypes.xsd).
    if not isinstance(ref, dict) or not isinstance(ref.get("value"), str | int):
        raise faults.required_missing(
            f"{element}.value", f'{element} must be an object like {{"value": "42"}}'
        )
    value = str(ref["value"]).strip()
    if not value:
        raise faults.required_missing(f"{element}.value")
    return value


def check_bool(data: Record, element: str) -> None:
    if element in data and not isinstance(data[element], bool):
        raise faults.invalid_property(element, f"a boolean ({element} must be true or false)")


def check_enum(element: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise faults.invalid_enum(element, value, allowed)


def check_name_text(element: str, value: object, maximum: int) -> str:
    """Names may not contain ':' (the hierarchy separator), tab or newline (spec A.2)."""
    if not isinstance(value, str):
        raise faults.invalid_property(element, "a string value")
    if any(bad in value for bad in (":", "\t", "\n")):
        raise faults.business_validation(
            f"{element} {value!r} contains ':', a tab or a newline; QuickBooks uses ':' to "
            "separate levels of the list. Remove those characters.",
            element,
        )
    if len(value) > maximum:
        raise faults.string_length(element, maximum, len(value))
    return value


class EntitySpec:
    """How one entity is validated, stored and rendered.

    ``writable`` fields are stored as sent; ``computed`` and ``ignored`` fields are accepted on
    input (clients echo what they read) but never taken from it. Anything else is refused with
    2010, so a client bug does not pass silently.
    """

    name: ClassVar[str]
    writable: ClassVar[frozenset[str]]
    computed: ClassVar[frozenset[str]] = frozenset()
    ignored: ClassVar[frozenset[str]] = frozenset()
    deletable: ClassVar[bool] = False
    creatable: ClassVar[bool] = True
    name_field: ClassVar[str | None] = None

    @property
    def path(self) -> str:
        return self.name.lower()

    def accepted(self) -> frozenset[str]:
        return self.writable | self.computed | self.ignored | ENVELOPE_FIELDS

    def validate(self, ctx: Context, data: Record, current: Record | None) -> Record:
        """Check ``data`` (the writable fields after sparse/full merge); return what to store."""
        raise faults.unsupported_operation(f"write is not supported for {self.name}")

    def render(self, ctx: Context, record: Record) -> Record:
        """The record as the API returns it, with computed fields filled in."""
        return dict(record)

    def check_unique_name(self, ctx: Context, data: Record, current: Record | None) -> None:
        """Names are unique within the entity, ignoring case ([I] from spec A.3/A.4)."""
        if self.name_field is None:
            return
        wanted = str(data[self.name_field]).strip().casefold()
        own = current["Id"] if current else None
        for other in ctx.realm.table(self.name).values():
            if (
                other["Id"] != own
                and str(other.get(self.name_field, "")).strip().casefold() == wanted
            ):
                raise faults.duplicate_name(KIND_WORDS.get(self.name, self.name.lower()))


KIND_WORDS = {"Item": "product or service", "Account": "account", "Class": "class"}
