"""ASGI apps served by uvicorn in background threads, on loopback ports."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

__all__ = ["BackgroundServer", "ServerError"]


class ServerError(Exception):
    """A server could not start (the port is taken, or it stopped at once)."""


class BackgroundServer:
    """One app on ``127.0.0.1:port`` (``port`` 0: a free one, known before it starts)."""

    def __init__(self, app: Any, *, name: str, port: int = 0, host: str = "127.0.0.1") -> None:
        self.name = name
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((host, port))
        except OSError as exc:
            self._socket.close()
            raise ServerError(f"{name}: cannot listen on {host}:{port} ({exc.strerror})") from exc
        self.host = host
        self.port = int(self._socket.getsockname()[1])
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._run, name=f"server-{name}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def set_app(self, app: Any) -> None:
        """Serve ``app`` instead (before :meth:`start`): the port is known before the app that
        needs its own URL is built."""
        if self._server.started:
            raise ServerError(f"{self.name} is already serving")
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))

    def _run(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self, timeout: float = 30.0) -> None:
        """Start serving; returns once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ServerError(f"{self.name} did not start on {self.url}")
            time.sleep(0.02)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._socket.close()
