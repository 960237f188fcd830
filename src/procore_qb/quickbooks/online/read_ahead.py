"""Reading one page ahead: the next page of a QuickBooks Online read is fetched in a thread
while the caller works on the page it has, so QuickBooks' time to answer overlaps procore-qb's
time to keep what it read.

At most two pages are held at once (the caller's, and the next one, being fetched or waiting
to be handed over), whatever the length of the read. What the source raises is raised to the
caller, in order, after the pages before it. A caller that stops early stops the thread: it
finishes the fetch it is in, if any, and fetches nothing more.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

__all__ = ["read_ahead"]

T = TypeVar("T")

_POLL_SECONDS = 0.1
"""How often the thread, waiting for the caller to take what it fetched, checks that the
caller still reads."""


class _End(Generic[T]):
    """What ends the read: the source ran out (``error`` None) or raised ``error``."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


def read_ahead(source: Iterable[T], *, name: str = "read-ahead") -> Iterator[T]:
    """The items of ``source``, each next one fetched in a thread named ``name`` while the
    caller works on the one before. The source is used in that thread alone."""
    handed: queue.Queue[tuple[T] | _End[T]] = queue.Queue(maxsize=1)
    wanted = threading.Semaphore(0)
    """Released each time the caller takes an item: the next one may be fetched."""
    stop = threading.Event()

    def hand(item: tuple[T] | _End[T]) -> bool:
        handed.put(item)  # never blocks: an item is fetched only once the last was taken
        while not stop.is_set():
            if wanted.acquire(timeout=_POLL_SECONDS):
                return True
        return False

    def fetch() -> None:
        items = iter(source)
        try:
            for item in items:
                if not hand((item,)):
                    return
            hand(_End(None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, raised there
            hand(_End(exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=fetch, name=name, daemon=True)
    thread.start()
    try:
        while True:
            got = handed.get()
            wanted.release()
            if isinstance(got, _End):
                if got.error is not None:
                    raise got.error
                return
            yield got[0]
    finally:
        stop.set()
        thread.join()
