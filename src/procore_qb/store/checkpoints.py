"""Checkpoints of a SQLite database's write-ahead log, taken by a thread of their own.

SQLite copies the write-ahead log back into the database file (a checkpoint) from whichever
connection's commit takes the log over ``wal_autocheckpoint`` pages (1,000 by default): that
commit then waits for the copy and its fsyncs, tens of milliseconds on a busy log. In
``bench/job_costs_sync.py`` seventeen such commits took 0.5 to 0.64 s of a 100,000-line sync of
11 s, each in the thread whose work the sync was waiting for.

:class:`WalCheckpointer` runs a passive checkpoint (``PRAGMA wal_checkpoint(PASSIVE)``: it never
waits for a reader or a writer, and copies what no reader still needs) every
:data:`EVERY_SECONDS` on a connection of its own, in ``serve`` and ``worker``. The log then
rarely grows to the threshold, and SQLite starts it over from its beginning once all of it is
copied; SQLite's own checkpoint on commit stays as the backstop. On PostgreSQL, and on a
database in memory, it does nothing.

Measured in that bench (100,000 Desktop lines, three runs each way, alternated): the commits of
``serve`` took 0.36 to 0.44 s in all against 0.73 to 0.83 s, with 2 or 3 commits over 20 ms
against 17; the machine's speed moved too much between runs (8,300 to 10,900 lines a second
either way) to show the sync's own gain, which those figures put at about 3%.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

from sqlalchemy.engine import Engine

from procore_qb.store.engine import is_sqlite

__all__ = ["EVERY_SECONDS", "WalCheckpointer"]

log = logging.getLogger(__name__)

EVERY_SECONDS = 0.25
"""Between two checkpoints. A sync writes a few MB of log a second, so a quarter of a second
keeps the log to a few hundred pages, under SQLite's threshold of 1,000."""
_MAX_EVERY_SECONDS = 3600.0
_STOP_WAIT_SECONDS = 10.0
"""How long :meth:`WalCheckpointer.stop` waits for a checkpoint under way to end."""


class WalCheckpointer:
    """Passive checkpoints of ``engine``'s SQLite file every ``every_seconds`` on a thread of
    their own, from :meth:`start` to :meth:`stop` (or as a context manager)."""

    def __init__(self, engine: Engine, *, every_seconds: float = EVERY_SECONDS) -> None:
        if not 0 < every_seconds <= _MAX_EVERY_SECONDS:
            raise ValueError(
                f"every_seconds must be above 0 and at most {_MAX_EVERY_SECONDS:g}, "
                f"got {every_seconds!r}"
            )
        database = engine.url.database if is_sqlite(engine) else None
        self._path = None if database in (None, "", ":memory:") else Path(str(database))
        self._every = every_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0
        """Checkpoints run so far (each one, whatever it found to copy)."""

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once); nothing to do unless the database is a SQLite file."""
        if self._path is None or self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, args=(self._path,), name="wal-checkpoints", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, after the checkpoint under way if there is one."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(_STOP_WAIT_SECONDS)

    def __enter__(self) -> WalCheckpointer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self, path: Path) -> None:
        # mode=rw: the file is the application's; a checkpointer never creates one.
        uri = f"file:{quote(str(path.absolute()))}?mode=rw"
        try:
            connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=1.0)
        except sqlite3.Error as exc:
            log.warning("WAL checkpoints are off: cannot open %s: %s", path, exc)
            return
        try:
            while not self._stop.wait(self._every):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:
                    # Another checkpoint under way, or the file busy: the next one copies it.
                    log.debug("WAL checkpoint skipped: %s", exc)
                    continue
                self.checkpoints += 1
        finally:
            connection.close()
