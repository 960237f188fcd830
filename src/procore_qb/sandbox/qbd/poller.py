"""Run the simulated Web Connector on a schedule, as QBWC does every N minutes.

The demo starts one :class:`WebConnectorPoller` next to the app; tests call
:meth:`WebConnectorPoller.run_once` instead of waiting for the schedule.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx2

from procore_qb.sandbox.qbd.processor import RequestProcessor
from procore_qb.sandbox.qbd.webconnector import Faults, Transcript, run_session

__all__ = ["WebConnectorPoller"]


class WebConnectorPoller:
    """Calls ``run_session`` every ``every_seconds`` in a background thread until stopped."""

    def __init__(
        self,
        client_factory: Callable[[], httpx2.Client],
        url: str,
        username: str,
        password: str,
        processor: RequestProcessor,
        *,
        every_seconds: float = 10.0,
        on_transcript: Callable[[Transcript], None] | None = None,
    ) -> None:
        if every_seconds <= 0:
            raise ValueError("every_seconds must be positive")
        self._client_factory = client_factory
        self._url = url
        self._username = username
        self._password = password
        self._processor = processor
        self._every = every_seconds
        self._on_transcript = on_transcript
        self._stop = threading.Event()
        self._run_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.last_transcript: Transcript | None = None
        self.runs = 0

    def run_once(self, faults: Faults | None = None) -> Transcript:
        """One Web Connector run now (never two at once, like QBWC for one application)."""
        with self._run_lock, self._client_factory() as client:
            transcript = run_session(
                client, self._url, self._username, self._password, self._processor, faults=faults
            )
            self.last_transcript = transcript
            self.runs += 1
        if self._on_transcript is not None:
            self._on_transcript(transcript)
        return transcript

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the poller is already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="web-connector", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self._every)
