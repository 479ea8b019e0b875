"""Kill -9 while the embedded store defers its checkpoints (a load holding its inserts).

LadybugDB writes a ``COPY``'s rows only at a checkpoint, and a statement that writes
through its log (an update) after rows a crash loses made the engine crash on reopening.
The store checkpoints before such a statement: after a crash the store opens, keeps what
came before the last update, and the load runs again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph.embedded_store import EmbeddedStore

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from graph.embedded_store import EmbeddedStore

    def business(i, name):
        return {"uid": f"biz:{i:06d}", "name": name, "region": "330100"}

    store = EmbeddedStore(sys.argv[1], buffer_pool_mb=256)
    store.create_schema()
    store.hold_relationship_inserts()  # checkpoints deferred from here
    store.insert_new_nodes("Business", [business(i, "first") for i in range(3000)])
    store.upsert_nodes("Business", [business(7, "renamed")])  # an update: through the log
    store.insert_new_nodes("Business", [business(i, "later") for i in range(3000, 4000)])
    if sys.argv[2] == "release":
        store.release_relationship_inserts()  # the load says it is done: all durable
    print("written", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no close, no checkpoint
    """
)


def _killed_writer(path: Path, end: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", WRITER, str(path), end],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "written" in done.stdout, done.stderr
    assert done.returncode == -9
    opened = subprocess.run(  # reopening replays the log: a crash here is the defect
        [sys.executable, "-c", "import sys; from graph.embedded_store import EmbeddedStore; "
         "EmbeddedStore(sys.argv[1], buffer_pool_mb=256).close()", str(path)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr


def _names(path: Path) -> dict[str, int]:
    store = EmbeddedStore(path, buffer_pool_mb=256)
    with store:
        rows = store._run("MATCH (b:Business) RETURN b.name AS name, count(b) AS n")
    return {row["name"]: row["n"] for row in rows}


def test_a_store_killed_while_deferring_checkpoints_opens_with_what_came_before_an_update(
    tmp_path: Path,
) -> None:
    _killed_writer(tmp_path / "graph.lbdb", "killed")
    names = _names(tmp_path / "graph.lbdb")
    assert names["first"] == 2999  # copied before the update: checkpointed, kept
    assert names["renamed"] == 1
    assert names.get("later", 0) in (0, 1000)  # after the last checkpoint: lost or whole


def test_a_store_killed_after_the_release_keeps_every_row(tmp_path: Path) -> None:
    _killed_writer(tmp_path / "graph.lbdb", "release")
    assert _names(tmp_path / "graph.lbdb") == {"first": 2999, "renamed": 1, "later": 1000}
