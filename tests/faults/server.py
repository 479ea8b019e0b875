"""A real ``credgraph serve`` in a subprocess, for tests that kill it or read its logs."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import TEST_KEY

__all__ = ["ROOT", "Server", "cli_env", "free_port"]

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env(home: Path, fault: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a ``credgraph`` subprocess whose every file is under ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDGRAPH_")}
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    env.update(
        PYTHONPATH=str(ROOT),
        TMPDIR=str(home / "tmp"),
        CREDGRAPH_ENVIRONMENT="test",
        CREDGRAPH_ID_HASH_KEY=TEST_KEY,
        CREDGRAPH_EMBEDDED_PATH=str(home / "graph.lbdb"),
        CREDGRAPH_EMBEDDED_BUFFER_POOL_MB="256",
        CREDGRAPH_QUARANTINE_DIR=str(home / "quarantine"),
        CREDGRAPH_WEBHOOK_DELIVERY="false",
        **extra,
    )
    if fault:
        env["CREDGRAPH_FAULT"] = fault
    return env


class Server:
    """``credgraph serve`` on a free port; its output goes to ``home/logs/serve-N.log``."""

    def __init__(self, home: Path, fault: str | None = None, **env: str) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        logs = home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.log = logs / f"serve-{len(list(logs.iterdir())) + 1}.log"
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from cli.main import app; app()",
                "serve",
                "--port",
                str(self.port),
                "--db",
                str(home / "api.sqlite3"),
            ],  # fmt: skip
            env=cli_env(home, fault, **env),
            cwd=home,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")

    def client(self) -> httpx.Client:
        """A client for this server."""
        return httpx.Client(base_url=self.url, timeout=30.0)

    def worker_pid(self) -> int | None:
        """The pid of the process holding the graph now (the store worker, or the server
        itself without one), from the holder file; None while none holds it."""
        with contextlib.suppress(OSError, ValueError):
            pid = json.loads((self.home / "graph.lbdb.holder").read_text()).get("pid")
            if isinstance(pid, int) and Path(f"/proc/{pid}").exists():
                return pid
        return None

    def _worker_gone(self, pid: int | None) -> None:
        """Wait (bounded) until the store worker ``pid`` has ended: it dies with the server
        (the kernel signals it), a moment later."""
        deadline = time.monotonic() + 15
        while pid is not None and Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            with contextlib.suppress(OSError, IndexError):
                zombie = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] == "Z"
                if zombie and len(os.listdir(f"/proc/{pid}/task")) <= 1:
                    break  # a zombie none of whose threads still runs holds no files
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush (the store worker goes with it)."""
        worker = self.worker_pid()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._worker_gone(worker if worker != self.proc.pid else None)
        self._out.close()

    def stop(self) -> None:
        """SIGTERM and wait: uvicorn's graceful shutdown (the lifespan closes everything)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        self._out.close()
