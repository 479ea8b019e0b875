"""A second writer on the embedded store, with two real processes: while ``credgraph serve``
holds the database, ``credgraph ingest`` (and a second ``serve``) stop with one plain line
naming the holder's pid and command, exit code 2, and no engine trace; once the server
stops, its holder file is gone and ingest runs."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import store_lock
from graph.embedded_store import EmbeddedStore
from graph.errors import StoreUnavailable
from tests.conftest import SAMPLE_DIR

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from cli.main import app; app()"]


def _env(database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CREDGRAPH_STORE": "embedded",
        "CREDGRAPH_EMBEDDED_PATH": str(database),
        "CREDGRAPH_WEBHOOK_DELIVERY": "false",
        "COLUMNS": "80",
    }


def _wait_for(path: Path, proc: subprocess.Popen[bytes]) -> None:
    """Until ``path`` exists (the server has the store), or fail if the server exits."""
    for _ in range(1_200):  # a guard against hanging, not a timing assertion
        if path.exists():
            return
        if proc.poll() is not None:
            pytest.fail(f"the server exited: {proc.stdout.read() if proc.stdout else b''!r}")
        time.sleep(0.1)
    pytest.fail("the server never opened the store")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """``credgraph serve`` on an ephemeral port, holding ``tmp_path/graph.lbdb``."""
    database = tmp_path / "graph.lbdb"
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", "0", "--no-access-log"],
        env=_env(database),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(store_lock.holder_path(database), proc)
        yield proc, database
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=120)
        if proc.stdout:
            proc.stdout.close()


def _run(args: list[str], database: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [*CLI, *args], env=_env(database), capture_output=True, text=True, timeout=600, check=False
    )


def _worker_of(server_pid: int) -> int:
    """The pid of the server's store worker (its child holding the store)."""
    tasks = Path(f"/proc/{server_pid}/task").iterdir()
    children = [pid for task in tasks for pid in (task / "children").read_text().split()]
    assert len(children) == 1, children
    return int(children[0])


def test_a_second_writer_is_told_who_holds_the_store(
    server: tuple[subprocess.Popen[bytes], Path],
) -> None:
    proc, database = server
    for args in (["ingest", str(SAMPLE_DIR)], ["serve", "--port", "0"]):
        refused = _run(args, database)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        output = (refused.stdout + refused.stderr).strip()
        assert "\n" not in output, output
        # the server's store worker holds the store (docs/api.md, *The store worker*)
        assert f"pid {_worker_of(proc.pid)} (credgraph serve (store worker), since " in output
        assert "Traceback" not in output
        assert "IO exception" not in output
    # in-process, the same one line
    with pytest.raises(StoreUnavailable) as caught:
        EmbeddedStore(database)
    assert f"pid {_worker_of(proc.pid)}" in str(caught.value)
    assert "\n" not in str(caught.value)

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) is not None
    assert not store_lock.holder_path(database).exists()
    loaded = _run(["ingest", str(SAMPLE_DIR)], database)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr


def test_a_holder_file_left_by_a_killed_process_is_not_believed(tmp_path: Path) -> None:
    database = tmp_path / "graph.lbdb"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],  # noqa: S603
        capture_output=True,
        text=True,
        check=True,
    )
    stale = {"pid": int(dead.stdout), "command": "credgraph ingest", "since": "yesterday"}
    store_lock.holder_path(database).write_text(json.dumps(stale), encoding="utf-8")
    store = EmbeddedStore(database)  # the lock is free: the stale file does not stop it
    try:
        record = json.loads(store_lock.holder_path(database).read_text(encoding="utf-8"))
        assert record["pid"] == os.getpid()
        message = store_lock.locked_message(database, "Could not set lock (Lock is held by PID 1)")
        assert message is not None
        assert "pid 1" in message
        assert "credgraph" not in message  # the file names another pid: not believed
    finally:
        store.close()
    assert not store_lock.holder_path(database).exists()


def test_the_recorded_command_never_carries_arguments() -> None:
    assert store_lock._program(["/usr/bin/credgraph", "check", "330100198001011237"]) == (
        "credgraph check"
    )
    assert store_lock._program(["credgraph", "330100198001011237"]) == "credgraph"


def test_a_worker_killed_at_close_leaves_no_holder_behind(tmp_path: Path) -> None:
    from graph.worker_store import WorkerStore

    database = tmp_path / "graph.lbdb"
    store = WorkerStore(database, buffer_pool_mb=64)
    worker = store.worker_pid
    assert worker is not None
    record = json.loads(store_lock.holder_path(database).read_text(encoding="utf-8"))
    assert record["pid"] == worker
    store.close_timeout = 1.0
    os.kill(worker, signal.SIGSTOP)  # a worker that cannot finish closing: killed at close
    try:
        store.close()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGKILL)
    assert not store_lock.alive(worker)
    assert not store_lock.holder_path(database).exists()
    reopened = EmbeddedStore(database)  # and the store opens again
    reopened.close()
