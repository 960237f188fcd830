"""procore-qb as it is deployed, for the benchmarks that measure it end to end: ``procore-qb
serve`` in a process of its own (the API, the Web Connector endpoint and, on SQLite, the job
queue's worker), started with the settings and over the database the benchmark prepared, and
talking over HTTP on 127.0.0.1 to simulators served by the benchmark's process. So procore-qb
and the simulators each have a core of a 2-core machine, as they would on separate machines.

procore-qb's CPU time and peak resident memory are read from ``/proc`` (Linux).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from pydantic import BaseModel, SecretStr

import procore_qb

__all__ = ["ServedProcoreQb", "served_procore_qb", "settings_env"]

STARTS_WITHIN = 60.0
"""Seconds ``procore-qb serve`` gets to answer its health check (a bound, not a timing)."""
STOPS_WITHIN = 60.0


def settings_env(settings: BaseModel, prefix: str = "PROCORE_QB_") -> dict[str, str]:
    """The environment that gives ``procore-qb`` these settings: each field that was set,
    nested ones joined by ``__`` (secrets in clear: the environment of a child process)."""
    env: dict[str, str] = {}
    for name in sorted(settings.model_fields_set):
        value: Any = getattr(settings, name)
        key = f"{prefix}{name.upper()}"
        if isinstance(value, BaseModel):
            env.update(settings_env(value, f"{key}__"))
        elif isinstance(value, SecretStr):
            env[key] = value.get_secret_value()
        elif isinstance(value, bool):
            env[key] = "true" if value else "false"
        elif value is not None:
            env[key] = str(value)
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ServedProcoreQb:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def cpu_seconds(self) -> float:
        """User and system CPU time of the process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat
        return ticks / os.sysconf("SC_CLK_TCK")

    def _status(self, key: str) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"/proc/{self.process.pid}/status has no {key}")

    def peak_rss(self) -> int:
        """The most resident memory the process has had (VmHWM), in bytes."""
        return self._status("VmHWM")

    def rss(self) -> int:
        return self._status("VmRSS")

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"procore-qb serve exited: {self.tail()}")

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def served_procore_qb(settings: BaseModel, directory: Path) -> Iterator[ServedProcoreQb]:
    """``procore-qb serve`` with ``settings`` on a free port of 127.0.0.1, until the block
    ends; it runs this checkout's procore-qb, whatever is installed."""
    port = _free_port()
    env: Mapping[str, str] = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PROCORE_QB_")},
        **settings_env(settings),
        "PYTHONPATH": os.pathsep.join(
            [str(Path(procore_qb.__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]
        ),
    }
    log = directory / f"procore-qb-serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter running procore-qb
            [
                sys.executable,
                "-c",
                "from procore_qb.cli import main; main()",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = ServedProcoreQb(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + STARTS_WITHIN
        with httpx2.Client(trust_env=False, timeout=5) as http:
            while True:
                served.check_alive()
                try:
                    if http.get(f"{served.url}/healthz").status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"procore-qb serve did not start: {served.tail()}")
                time.sleep(0.05)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(STOPS_WITHIN)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
