"""The QuickBooks company file: lists, transactions, deletions and open iterators in SQLite.

One :class:`CompanyFile` is one ``.qbw`` as far as qbXML can tell. It stores objects, hands out
identifiers and timestamps, and serialises writers; the rules of each request live in the
request handlers.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from procore_qb.sandbox.qbd.clock import Clock
from procore_qb.sandbox.qbd.errors import CompanyFileError
from procore_qb.sandbox.qbd.nodes import Node

__all__ = [
    "ENTITY_KINDS",
    "ITEM_KINDS",
    "CompanyFile",
    "DeletedObject",
    "IteratorState",
    "ListObject",
    "TxnObject",
    "TxnRecord",
    "format_time",
]

ENTITY_KINDS = ("Customer", "Vendor", "Employee", "OtherName")
ITEM_KINDS = ("ItemService", "ItemOtherCharge", "ItemNonInventory")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lists (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    parent_id TEXT,
    full_name TEXT NOT NULL,
    full_key TEXT NOT NULL,
    sublevel INTEGER NOT NULL,
    is_active INTEGER NOT NULL,
    edit_sequence TEXT NOT NULL,
    time_created TEXT NOT NULL,
    time_modified TEXT NOT NULL,
    modified_at REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS lists_kind ON lists (kind, full_key);
CREATE INDEX IF NOT EXISTS lists_name ON lists (name_key, parent_id);
CREATE TABLE IF NOT EXISTS txns (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    txn_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    txn_number INTEGER NOT NULL,
    txn_date TEXT NOT NULL,
    ref_number TEXT,
    edit_sequence TEXT NOT NULL,
    time_created TEXT NOT NULL,
    time_modified TEXT NOT NULL,
    modified_at REAL NOT NULL,
    entity_ids TEXT NOT NULL,
    list_refs TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS txns_kind ON txns (kind, seq);
CREATE TABLE IF NOT EXISTS deleted (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    is_txn INTEGER NOT NULL,
    del_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    time_created TEXT NOT NULL,
    time_deleted TEXT NOT NULL,
    deleted_at REAL NOT NULL,
    name TEXT
);
CREATE TABLE IF NOT EXISTS iterators (
    iterator_id TEXT PRIMARY KEY,
    request_type TEXT NOT NULL,
    remaining TEXT NOT NULL,
    options TEXT NOT NULL,
    touched_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS message_sets (
    message_set_id TEXT PRIMARY KEY,
    response TEXT NOT NULL
);
"""


def format_time(when: datetime) -> str:
    """qbXML ``DATETIMETYPE``: time with its UTC offset, e.g. ``2026-11-02T09:00:00+00:00``."""
    return when.isoformat(timespec="seconds")


@dataclass(slots=True)
class ListObject:
    """A list element (customer or job, vendor, item, account, terms)."""

    list_id: str
    kind: str
    name: str
    parent_id: str | None
    full_name: str
    sublevel: int
    is_active: bool
    edit_sequence: str
    time_created: str
    time_modified: str
    modified_at: float
    body: Node = field(default_factory=lambda: Node("Body"))


@dataclass(slots=True)
class TxnObject:
    """A transaction; ``body`` holds its header fields and lines in ``*Ret`` form."""

    txn_id: str
    kind: str
    txn_number: int
    txn_date: str
    ref_number: str | None
    edit_sequence: str
    time_created: str
    time_modified: str
    modified_at: float
    entity_ids: list[str]
    list_refs: list[str]
    body: Node = field(default_factory=lambda: Node("Body"))


@dataclass(frozen=True, slots=True)
class DeletedObject:
    is_txn: bool
    del_type: str
    object_id: str
    time_created: str
    time_deleted: str
    deleted_at: float
    name: str | None


@dataclass(slots=True)
class IteratorState:
    """An open iterator: the IDs its Start found, of which the first ``offset`` are returned.

    The IDs are written once, when the Start leaves some for a Continue, and each page then
    moves only the offset (:meth:`CompanyFile.move_iterator`), so a page costs the same
    however many IDs are left."""

    iterator_id: str
    request_type: str
    remaining: list[str]
    options: dict[str, object]
    touched_at: float
    offset: int = 0


_OFFSET = "offset"
"""Where an iterator's offset is kept among its options (the table has no column for it; an
iterator saved without one has returned none of the IDs it holds)."""
_ITERATORS_AT_HAND = 4


_LIST_COLUMNS = (
    "list_id, kind, name, parent_id, full_name, sublevel, is_active, edit_sequence, "
    "time_created, time_modified, modified_at, body"
)
_TXN_COLUMNS = (
    "txn_id, kind, txn_number, txn_date, ref_number, edit_sequence, time_created, "
    "time_modified, modified_at, entity_ids, list_refs, body"
)


_TXN_HEAD_COLUMNS = _TXN_COLUMNS.removesuffix(", body")
_RECORD_COLUMNS = "txn_id, txn_number, edit_sequence, time_created, time_modified, body"
TxnRecord = tuple[str, int, str, str, str, str]
"""A transaction as :meth:`CompanyFile.txn_records` reads it: TxnID, TxnNumber, EditSequence,
TimeCreated, TimeModified, and the body's JSON text."""
IDS_PER_QUERY = 500
"""IDs bound in one ``IN (...)`` (far below SQLite's limit of 32,766 variables)."""


def _list_row(row: sqlite3.Row) -> ListObject:
    return ListObject(
        list_id=row["list_id"],
        kind=row["kind"],
        name=row["name"],
        parent_id=row["parent_id"],
        full_name=row["full_name"],
        sublevel=row["sublevel"],
        is_active=bool(row["is_active"]),
        edit_sequence=row["edit_sequence"],
        time_created=row["time_created"],
        time_modified=row["time_modified"],
        modified_at=row["modified_at"],
        body=Node.from_json(json.loads(row["body"])),
    )


def _txn_row(row: sqlite3.Row, *, with_body: bool = True) -> TxnObject:
    return TxnObject(
        txn_id=row["txn_id"],
        kind=row["kind"],
        txn_number=row["txn_number"],
        txn_date=row["txn_date"],
        ref_number=row["ref_number"],
        edit_sequence=row["edit_sequence"],
        time_created=row["time_created"],
        time_modified=row["time_modified"],
        modified_at=row["modified_at"],
        entity_ids=json.loads(row["entity_ids"]),
        list_refs=json.loads(row["list_refs"]),
        body=Node.from_json(json.loads(row["body"])) if with_body else Node("Body"),
    )


class CompanyFile:
    """One company file in SQLite at ``path`` (``":memory:"`` for a throw-away one)."""

    def __init__(self, path: str | Path, clock: Clock) -> None:
        self.path = str(path)
        self.clock = clock
        self._lock = threading.RLock()
        self._iterator_ids: dict[str, list[str]] = {}
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        try:
            if self.path != ":memory:":
                # A damaged or foreign file is refused at once, not at the first request.
                verdict = self._db.execute("PRAGMA quick_check(1)").fetchone()[0]
                if verdict != "ok":
                    raise sqlite3.DatabaseError(str(verdict))
            self._db.execute(
                "PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA foreign_keys=ON"
            )
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise CompanyFileError(
                f"the company file {self.path} cannot be opened ({exc}): move it away to "
                "start again from the seed company"
            ) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the body as one SQLite transaction, serialised against other callers."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def is_empty(self) -> bool:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM lists").fetchone()[0]) == 0

    def wipe(self) -> None:
        with self.transaction():
            for table in ("meta", "lists", "txns", "deleted", "iterators", "message_sets"):
                self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            self._iterator_ids.clear()

    # ------------------------------------------------------------------ meta and identifiers
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _next(self, counter: str) -> int:
        current = int(self.get_meta(counter) or "0") + 1
        self.set_meta(counter, str(current))
        return current

    def new_id(self, counter: str = "next_list_id") -> str:
        """An identifier in QuickBooks' form: a hex sequence number, a dash, the creation time.

        ListIDs and TxnIDs look like ``80000001-1600977189`` (spec B.2 examples; the issue's
        format rule): 0x80000000 plus a running number in eight upper-case hex digits, then
        the Unix time the object was created.
        """
        number = 0x80000000 + self._next(counter)
        return f"{number:08X}-{int(self.clock.now().timestamp())}"

    def next_txn_number(self) -> int:
        return self._next("next_txn_number")

    def new_edit_sequence(self, previous: str | None = None) -> str:
        """QuickBooks' EditSequence is the Unix time of the change; it must change on every write.

        Two writes within one second still get different values (the previous one plus one).
        """
        stamp = int(self.clock.now().timestamp())
        if previous is not None and previous.isdigit() and int(previous) >= stamp:
            stamp = int(previous) + 1
        return str(stamp)

    def now(self) -> tuple[str, float]:
        when = self.clock.now()
        return format_time(when), when.timestamp()

    # ------------------------------------------------------------------ lists
    def insert_list(self, obj: ListObject) -> None:
        with self._lock:
            self._db.execute(
                f"INSERT INTO lists ({_LIST_COLUMNS}, name_key, full_key) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*self._list_values(obj), obj.name.casefold(), obj.full_name.casefold()),
            )

    def update_list(self, obj: ListObject) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE lists SET kind=?, name=?, parent_id=?, full_name=?, sublevel=?, "
                "is_active=?, edit_sequence=?, time_created=?, time_modified=?, modified_at=?, "
                "body=?, name_key=?, full_key=? WHERE list_id=?",
                (
                    *self._list_values(obj)[1:],
                    obj.name.casefold(),
                    obj.full_name.casefold(),
                    obj.list_id,
                ),
            )

    @staticmethod
    def _list_values(obj: ListObject) -> tuple[object, ...]:
        return (
            obj.list_id,
            obj.kind,
            obj.name,
            obj.parent_id,
            obj.full_name,
            obj.sublevel,
            int(obj.is_active),
            obj.edit_sequence,
            obj.time_created,
            obj.time_modified,
            obj.modified_at,
            json.dumps(obj.body.to_json()),
        )

    def get_list(self, list_id: str) -> ListObject | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_LIST_COLUMNS} FROM lists WHERE list_id = ?",  # noqa: S608
                (list_id,),
            ).fetchone()
        return None if row is None else _list_row(row)

    def find_list(self, kinds: Sequence[str], full_name: str) -> ListObject | None:
        """The object of one of ``kinds`` whose FullName matches, case-insensitively."""
        marks = ", ".join("?" for _ in kinds)
        with self._lock:
            row = self._db.execute(
                f"SELECT {_LIST_COLUMNS} FROM lists "  # noqa: S608
                f"WHERE kind IN ({marks}) AND full_key = ?",
                (*kinds, full_name.casefold()),
            ).fetchone()
        return None if row is None else _list_row(row)

    def list_name(self, list_id: str) -> tuple[str, str] | None:
        """The kind and FullName of a list element, without reading the rest of it."""
        with self._lock:
            row = self._db.execute(
                "SELECT kind, full_name FROM lists WHERE list_id = ?", (list_id,)
            ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def find_list_id(self, kinds: Sequence[str], full_name: str) -> tuple[str, str] | None:
        """The ListID and stored FullName of the element :meth:`find_list` finds, without
        reading the rest of it."""
        marks = ", ".join("?" for _ in kinds)
        with self._lock:
            row = self._db.execute(
                f"SELECT list_id, full_name FROM lists "  # noqa: S608
                f"WHERE kind IN ({marks}) AND full_key = ?",
                (*kinds, full_name.casefold()),
            ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def find_named(
        self, kinds: Sequence[str], name: str, parent_id: str | None
    ) -> ListObject | None:
        """An object of ``kinds`` called ``name`` (any case) directly under ``parent_id``."""
        marks = ", ".join("?" for _ in kinds)
        parent_clause = "parent_id IS NULL" if parent_id is None else "parent_id = ?"
        params: tuple[object, ...] = (*kinds, name.casefold())
        if parent_id is not None:
            params = (*params, parent_id)
        with self._lock:
            row = self._db.execute(
                f"SELECT {_LIST_COLUMNS} FROM lists "  # noqa: S608
                f"WHERE kind IN ({marks}) AND name_key = ? AND {parent_clause}",
                params,
            ).fetchone()
        return None if row is None else _list_row(row)

    def lists(self, kinds: Sequence[str]) -> list[ListObject]:
        """Every object of ``kinds``, sorted by FullName as QuickBooks lists them."""
        marks = ", ".join("?" for _ in kinds)
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_LIST_COLUMNS} FROM lists "  # noqa: S608
                f"WHERE kind IN ({marks}) ORDER BY full_key, seq",
                tuple(kinds),
            ).fetchall()
        return [_list_row(row) for row in rows]

    def list_ids(self, kinds: Sequence[str]) -> list[str]:
        marks = ", ".join("?" for _ in kinds)
        with self._lock:
            rows = self._db.execute(
                f"SELECT list_id FROM lists WHERE kind IN ({marks}) "  # noqa: S608
                "ORDER BY full_key, seq",
                tuple(kinds),
            ).fetchall()
        return [str(row[0]) for row in rows]

    def children_of(self, list_id: str) -> list[ListObject]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_LIST_COLUMNS} FROM lists WHERE parent_id = ? "  # noqa: S608
                "ORDER BY full_key",
                (list_id,),
            ).fetchall()
        return [_list_row(row) for row in rows]

    def delete_list(self, obj: ListObject, del_type: str) -> str:
        when, stamp = self.now()
        with self._lock:
            self._db.execute("DELETE FROM lists WHERE list_id = ?", (obj.list_id,))
            self._db.execute(
                "INSERT INTO deleted (is_txn, del_type, object_id, time_created, time_deleted, "
                "deleted_at, name) VALUES (0, ?, ?, ?, ?, ?, ?)",
                (del_type, obj.list_id, obj.time_created, when, stamp, obj.full_name),
            )
        return when

    def list_in_use(self, list_id: str) -> bool:
        """True when a transaction or another list element refers to the list element."""
        quoted = json.dumps(list_id)
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM txns, json_each(txns.list_refs) WHERE json_each.value = ? "
                "UNION ALL SELECT 1 FROM lists WHERE instr(body, ?) > 0 LIMIT 1",
                (list_id, quoted),
            ).fetchone()
        return row is not None

    # ------------------------------------------------------------------ transactions
    def insert_txn(self, obj: TxnObject) -> None:
        with self._lock:
            self._db.execute(
                f"INSERT INTO txns ({_TXN_COLUMNS}) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    obj.txn_id,
                    obj.kind,
                    obj.txn_number,
                    obj.txn_date,
                    obj.ref_number,
                    obj.edit_sequence,
                    obj.time_created,
                    obj.time_modified,
                    obj.modified_at,
                    json.dumps(obj.entity_ids),
                    json.dumps(obj.list_refs),
                    json.dumps(obj.body.to_json()),
                ),
            )

    def update_txn(self, obj: TxnObject) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE txns SET txn_date=?, ref_number=?, edit_sequence=?, time_modified=?, "
                "modified_at=?, entity_ids=?, list_refs=?, body=? WHERE txn_id=?",
                (
                    obj.txn_date,
                    obj.ref_number,
                    obj.edit_sequence,
                    obj.time_modified,
                    obj.modified_at,
                    json.dumps(obj.entity_ids),
                    json.dumps(obj.list_refs),
                    json.dumps(obj.body.to_json()),
                    obj.txn_id,
                ),
            )

    def get_txn(self, txn_id: str) -> TxnObject | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_TXN_COLUMNS} FROM txns WHERE txn_id = ?",  # noqa: S608
                (txn_id,),
            ).fetchone()
        return None if row is None else _txn_row(row)

    def txn_records(self, txn_ids: Sequence[str]) -> list[TxnRecord]:
        """The stored form of the transactions ``txn_ids`` that still exist, in the order
        asked: the columns a ``*Ret`` shows and the body as stored, unread, a query of at most
        :data:`IDS_PER_QUERY` IDs at a time (for answering a query page without a query per
        transaction)."""
        found: dict[str, TxnRecord] = {}
        with self._lock:
            for start in range(0, len(txn_ids), IDS_PER_QUERY):
                chunk = txn_ids[start : start + IDS_PER_QUERY]
                marks = ", ".join("?" * len(chunk))
                cursor = self._db.execute(
                    f"SELECT {_RECORD_COLUMNS} FROM txns "  # noqa: S608
                    f"WHERE txn_id IN ({marks})",
                    tuple(chunk),
                )
                cursor.row_factory = None  # plain tuples: the record as it comes
                for row in cursor:
                    found[row[0]] = row
        return [found[txn_id] for txn_id in txn_ids if txn_id in found]

    def txns(self, kind: str) -> list[TxnObject]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_TXN_COLUMNS} FROM txns WHERE kind = ? "  # noqa: S608
                "ORDER BY txn_date, seq",
                (kind,),
            ).fetchall()
        return [_txn_row(row) for row in rows]

    def txn_ids(self, kind: str) -> list[str]:
        """The TxnIDs of :meth:`txns`, in the same order, without reading the transactions."""
        with self._lock:
            rows = self._db.execute(
                "SELECT txn_id FROM txns WHERE kind = ? ORDER BY txn_date, seq", (kind,)
            ).fetchall()
        return [str(row[0]) for row in rows]

    def txn_heads(self, kind: str, *, with_refs: bool = True) -> list[TxnObject]:
        """The transactions of :meth:`txns` with an empty ``body``: their columns only, for
        filtering many transactions without reading each one's lines; without ``with_refs``
        their ``entity_ids`` and ``list_refs`` are left empty too (for filters that do not
        read them)."""
        with self._lock:
            cursor = self._db.execute(
                f"SELECT {_TXN_HEAD_COLUMNS} FROM txns WHERE kind = ? "  # noqa: S608
                "ORDER BY txn_date, seq",
                (kind,),
            )
            cursor.row_factory = None  # plain tuples, in _TXN_HEAD_COLUMNS' order
            rows = cursor.fetchall()
        loads = json.loads
        return [
            TxnObject(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
                row[8],
                loads(row[9]) if with_refs else [],
                loads(row[10]) if with_refs else [],
                Node("Body"),
            )
            for row in rows
        ]

    def count_txns(self, kind: str) -> int:
        with self._lock:
            return int(
                self._db.execute("SELECT COUNT(*) FROM txns WHERE kind = ?", (kind,)).fetchone()[0]
            )

    def txns_of_entity(self, kind: str, list_id: str) -> list[TxnObject]:
        """Transactions of ``kind`` whose payee, vendor or a line's customer is ``list_id``."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_TXN_COLUMNS} FROM txns, json_each(txns.entity_ids) "  # noqa: S608
                "WHERE kind = ? AND json_each.value = ? ORDER BY txn_date, seq",
                (kind, list_id),
            ).fetchall()
        return [_txn_row(row) for row in rows]

    def delete_txn(self, obj: TxnObject) -> str:
        when, stamp = self.now()
        with self._lock:
            self._db.execute("DELETE FROM txns WHERE txn_id = ?", (obj.txn_id,))
            self._db.execute(
                "INSERT INTO deleted (is_txn, del_type, object_id, time_created, time_deleted, "
                "deleted_at, name) VALUES (1, ?, ?, ?, ?, ?, ?)",
                (obj.kind, obj.txn_id, obj.time_created, when, stamp, obj.ref_number),
            )
        return when

    # ------------------------------------------------------------------ deleted objects
    def deleted(self, is_txn: bool, types: Sequence[str]) -> list[DeletedObject]:
        marks = ", ".join("?" for _ in types)
        with self._lock:
            rows = self._db.execute(
                "SELECT is_txn, del_type, object_id, time_created, time_deleted, deleted_at, "  # noqa: S608
                f"name FROM deleted WHERE is_txn = ? AND del_type IN ({marks}) ORDER BY seq",
                (int(is_txn), *types),
            ).fetchall()
        return [
            DeletedObject(bool(row[0]), row[1], row[2], row[3], row[4], float(row[5]), row[6])
            for row in rows
        ]

    # ------------------------------------------------------------------ iterators
    def save_iterator(self, state: IteratorState) -> None:
        """Keep a new iterator: its IDs, its options as they are now, and its offset."""
        with self._lock:
            self._db.execute(
                "INSERT INTO iterators (iterator_id, request_type, remaining, options, touched_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    state.iterator_id,
                    state.request_type,
                    json.dumps(state.remaining),
                    json.dumps({**state.options, _OFFSET: state.offset}),
                    state.touched_at,
                ),
            )
            self._remember_ids(state.iterator_id, state.remaining)

    def move_iterator(self, state: IteratorState) -> None:
        """Keep how far a saved iterator has come and when; its IDs and its other options stay
        as they were saved."""
        with self._lock:
            self._db.execute(
                "UPDATE iterators SET options = json_set(options, '$.offset', ?), touched_at = ? "
                "WHERE iterator_id = ?",
                (state.offset, state.touched_at, state.iterator_id),
            )

    def get_iterator(self, iterator_id: str) -> IteratorState | None:
        with self._lock:
            row = self._db.execute(
                "SELECT iterator_id, request_type, options, touched_at "
                "FROM iterators WHERE iterator_id = ?",
                (iterator_id,),
            ).fetchone()
            if row is None:
                return None
            ids = self._iterator_ids.get(iterator_id)
            if ids is None:
                stored = self._db.execute(
                    "SELECT remaining FROM iterators WHERE iterator_id = ?", (iterator_id,)
                ).fetchone()
                ids = json.loads(stored[0])
                self._remember_ids(iterator_id, ids)
        options = json.loads(row[2])
        offset = options.pop(_OFFSET, 0)
        return IteratorState(row[0], row[1], ids, options, row[3], int(offset))

    def _remember_ids(self, iterator_id: str, ids: list[str]) -> None:
        # An iterator's IDs never change once saved, so the ones read or written last are kept
        # at hand (a few iterators at a time) instead of being read again for every page; the
        # iterator's row is still read each time, so a dropped one is not found.
        self._iterator_ids.pop(iterator_id, None)
        self._iterator_ids[iterator_id] = ids
        while len(self._iterator_ids) > _ITERATORS_AT_HAND:
            del self._iterator_ids[next(iter(self._iterator_ids))]

    def drop_iterator(self, iterator_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM iterators WHERE iterator_id = ?", (iterator_id,))
            self._iterator_ids.pop(iterator_id, None)

    def drop_all_iterators(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM iterators")
            self._iterator_ids.clear()

    def drop_iterators_before(self, stamp: float) -> None:
        with self._lock:
            self._db.execute("DELETE FROM iterators WHERE touched_at < ?", (stamp,))

    # ------------------------------------------------------------------ error recovery
    def save_message_set(self, message_set_id: str, response: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO message_sets (message_set_id, response) VALUES (?, ?) "
                "ON CONFLICT(message_set_id) DO UPDATE SET response = excluded.response",
                (message_set_id, response),
            )

    def get_message_set(self, message_set_id: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT response FROM message_sets WHERE message_set_id = ?", (message_set_id,)
            ).fetchone()
        return None if row is None else str(row[0])

    def drop_message_set(self, message_set_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM message_sets WHERE message_set_id = ?", (message_set_id,))
