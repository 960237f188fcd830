"""Worker plumbing shared by both adapters: names and stopping on signals."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["default_worker_name", "stop_on_signals"]


def default_worker_name() -> str:
    """``host-pid``: unique among running workers and stable for the life of the process, so
    logs and the queue's records of who holds a job can be traced to one process."""
    return f"{socket.gethostname()}-{os.getpid()}"


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Set ``stop`` on SIGINT or SIGTERM while the block runs (main thread only; elsewhere the
    caller's own ``stop`` event is the way to end the worker)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
