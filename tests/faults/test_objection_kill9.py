"""Kill -9 while an objection decision lifts what depended on a link, then recover.

An objection decision lives in two places: the objection (API SQLite file) and what it
changes in the graph (the link's exclusion, the lifted restrictions, the feed). The
decision is recorded first as not yet applied; the graph change runs in one graph
transaction; then it is logged and marked applied (``api/objections.py``). Killed inside
the graph transaction or after it, ``credgraph objections recover`` (also run before
every decision) must leave what one clean run leaves: the same graph, the feed numbered
without gap, one ``objection.decided`` entry on the decision log, the objection applied.
"""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from algorithms.propagation import service
from algorithms.propagation.exclusions import list_exclusions
from graph.embedded_store import EmbeddedStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY
from tests.faults.state import assert_feed_whole, snapshot
from tests.faults.test_kill9 import _copy, credgraph

pytestmark = pytest.mark.slow

SUBSIDIARY = "biz:91330106MA2AAAAA28"
DECIDE = ("objections", "decide", "1", "upheld", "--officer", "王芳", "--reason",
          "登记机关确认股权已转让", "--scope", "all", "--on", "2025-03-10")  # fmt: skip
RECOVER = ("objections", "recover", "--officer", "王芳")


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data, propagated, with objection 1 filed against a link of the subsidiary."""
    home = tmp_path_factory.mktemp("objected")
    with EmbeddedStore(home / "graph.lbdb", buffer_pool_mb=256) as store:
        store.create_schema()
        ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=home / "q")
        service.propagate_store(store, full=True)
        rid = next(p.rids[0] for e in service.explain(store, SUBSIDIARY) for p in e.paths if p.rids)
    args = ("objections", "file", rid, "--kind", "link", "--subject", SUBSIDIARY,
            "--grounds", "持股已于2021年转让", "--officer", "王芳")  # fmt: skip
    assert credgraph(home, *args) == 0
    return home


def _outcome(home: Path) -> dict[str, Any]:
    """The graph as a clean decision leaves it, with the objection and its log entries."""
    state = snapshot(home)
    with EmbeddedStore(home / "graph.lbdb", buffer_pool_mb=256) as store:
        state["exclusions"] = [(x.rid, x.scope, x.objection_id) for x in list_exclusions(store)]
    api = sqlite3.connect(home / "api.sqlite3")
    state["objection"] = api.execute(
        "SELECT status, scope, applied FROM objections WHERE id = 1"
    ).fetchone()
    api.close()
    log = home / "decisions.sqlite3"
    if log.exists():
        conn = sqlite3.connect(log)
        state["logged"] = conn.execute(
            "SELECT count(*) FROM entries WHERE kind = 'objection.decided'"
        ).fetchone()[0]
        conn.close()
    return state


@pytest.fixture(scope="module")
def clean(filed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = _copy(filed, tmp_path_factory.mktemp("clean") / "home")
    assert credgraph(home, *DECIDE) == 0
    return _outcome(home)


@pytest.mark.parametrize("fault", ["point:objection_written", "point:objection_applied"])
def test_a_link_decision_killed_then_recovered_equals_a_clean_run(
    filed: Path, clean: dict[str, Any], tmp_path: Path, fault: str
) -> None:
    assert clean["exclusions"]
    assert clean["objection"] == ("upheld", "all", 1)
    assert clean["logged"] == 1
    assert any(e[1] == "lifted" for e in clean["feed"]), "the link carried a restriction"
    home = _copy(filed, tmp_path / "home")
    before = snapshot(home)

    assert credgraph(home, *DECIDE, fault=fault) == -signal.SIGKILL, f"{fault} never reached"

    crashed = _outcome(home)
    assert_feed_whole(crashed)
    assert crashed["objection"] == ("upheld", "all", 0)  # decided, not known applied
    graph_only = {k: v for k, v in crashed.items() if k in before}
    if fault == "point:objection_written":  # killed inside the graph transaction
        assert graph_only == before
    else:
        assert graph_only == {k: v for k, v in clean.items() if k in before}
    assert credgraph(home, *RECOVER) == 0
    recovered = _outcome(home)
    assert_feed_whole(recovered)
    assert recovered == clean
