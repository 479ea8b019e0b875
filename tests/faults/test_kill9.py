"""Kill -9 during a decision, restart, and the state is that of a clean run.

Each case runs the ``credgraph`` CLI in a subprocess on a copy of one prepared store (the
sample data, fully propagated, plus a two-ring market with its rings detected) with
``CREDGRAPH_FAULT`` naming a crash point (``graph/faults.py``): the process is killed with
SIGKILL there. Then the same command runs again, as an officer or a retrying client
would, and the store must equal the store a single clean run gives: the same listings,
restrictions and reports, and a change feed numbered 1..n with no gap and no duplicate.
A few cases kill at a random moment instead. Every subprocess is bounded by a timeout.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from algorithms.brushing import service as rings
from algorithms.propagation import service
from graph.embedded_store import EmbeddedStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY
from tests.contract.test_rings_contract import write_market
from tests.faults.state import assert_feed_whole, snapshot

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
YUNFAN = "91330106MA2AAAAA3B"  # 杭州云帆科技有限公司, not listed in the sample
COMMAND_TIMEOUT = 120
LISTING = ("list", "add", YUNFAN, "serious_dishonesty", "--decided", "2025-01-10",
           "--id", "FAULT-1", "--legal-basis", "《办法》第二条", "--yes")  # fmt: skip
REMOVAL = ("list", "remove", "listing:FAULT-1", "--on", "2025-06-01", "--reason", "repaired")


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for item in src.iterdir():
        if item.is_dir():
            shutil.copytree(item, dst / item.name)
        else:
            shutil.copy2(item, dst / item.name)
    return dst


def _env(home: Path, fault: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDGRAPH_")}
    env.update(
        PYTHONPATH=str(ROOT),
        CREDGRAPH_ENVIRONMENT="test",
        CREDGRAPH_ID_HASH_KEY=TEST_KEY,
        CREDGRAPH_EMBEDDED_PATH=str(home / "graph.lbdb"),
        CREDGRAPH_EMBEDDED_BUFFER_POOL_MB="256",
        CREDGRAPH_QUARANTINE_DIR=str(home / "quarantine"),
    )
    if fault:
        env["CREDGRAPH_FAULT"] = fault
    return env


def _start(home: Path, args: Sequence[str], fault: str | None = None) -> subprocess.Popen[bytes]:
    code = "from cli.main import app; app()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=_env(home, fault),
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def credgraph(home: Path, *args: str, fault: str | None = None) -> int:
    """Run the CLI to the end (or its crash); the return code (-9: killed)."""
    proc = _start(home, args, fault)
    _, err = proc.communicate(timeout=COMMAND_TIMEOUT)
    if proc.returncode not in (0, -signal.SIGKILL):
        pytest.fail(f"credgraph {' '.join(args)} failed: {err.decode()[-2000:]}")
    return proc.returncode


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data, propagated, plus a two-ring market with its rings detected."""
    home = tmp_path_factory.mktemp("base")
    with EmbeddedStore(home / "graph.lbdb", buffer_pool_mb=256) as store:
        store.create_schema()
        ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=home / "q")
        service.propagate_store(store, full=True)
        write_market(store)
        rings.detect(store)
    return home


class Scenario:
    """A prepared store, a command, and the state one clean run of it leaves."""

    def __init__(
        self, root: Path, base: Path, name: str, args: Sequence[str], *, atomic: bool = True
    ) -> None:
        self.root, self.base, self.name, self.args = root, base, name, tuple(args)
        self.atomic = atomic
        self._n = 0
        self.before = snapshot(self.fresh())
        self.clean = snapshot(self.after_clean_run())

    def check_crashed(self, home: Path) -> None:
        """A decision is all or nothing: killed, the store is as before it or as after it."""
        state = snapshot(home)
        assert_feed_whole(state)
        if self.atomic:
            assert state in (self.before, self.clean), "a decision was left half written"

    def fresh(self) -> Path:
        self._n += 1
        return _copy(self.base, self.root / f"{self.name}-{self._n}")

    def after_clean_run(self) -> Path:
        home = self.fresh()
        assert credgraph(home, *self.args) == 0
        return home

    def crash_then_retry(self, fault: str) -> dict[str, Any]:
        home = self.fresh()
        assert credgraph(home, *self.args, fault=fault) == -signal.SIGKILL, (
            f"{fault} was never reached"
        )
        self.check_crashed(home)
        assert credgraph(home, *self.args) == 0
        return snapshot(home)

    def kill_at_random_then_retry(self, rng: random.Random) -> dict[str, Any]:
        home = self.fresh()
        proc = _start(home, self.args)
        time.sleep(rng.uniform(0.5, 5.0))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=COMMAND_TIMEOUT)
        self.check_crashed(home)
        assert credgraph(home, *self.args) == 0
        return snapshot(home)


@pytest.fixture(scope="module")
def listed_base(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``base`` with listing FAULT-1 added by a clean run."""
    home = _copy(base, tmp_path_factory.mktemp("listed") / "home")
    assert credgraph(home, *LISTING) == 0
    return home


@pytest.fixture(scope="module")
def adding(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return Scenario(tmp_path_factory.mktemp("add"), base, "add", LISTING)


@pytest.fixture(scope="module")
def removing(listed_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return Scenario(tmp_path_factory.mktemp("remove"), listed_base, "remove", REMOVAL)


@pytest.fixture(scope="module")
def confirming(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    with EmbeddedStore(base / "graph.lbdb", buffer_pool_mb=256) as store:
        ring = rings.list_rings(store).items[0].uid
    args = ("rings", "confirm", ring, "--officer", "o-1", "--reason", "空包",
            "--decided", "2025-02-01", "--yes")  # fmt: skip
    return Scenario(tmp_path_factory.mktemp("confirm"), base, "confirm", args)


@pytest.fixture(scope="module")
def importing(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("import")
    csv = root / "reports.csv"
    rows = [f"IPR-F-{i},taobao:100234,XC,星辰,2025-03-0{i},photo {i}" for i in range(1, 4)]
    csv.write_text("report_id,store_id,brand_id,complainant,filed,evidence\n" + "\n".join(rows))
    args = ("brands", "import", str(csv), "--complainant", "星辰")
    return Scenario(root, base, "import", args)


@pytest.fixture(scope="module")
def ingesting(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    empty = tmp_path_factory.mktemp("empty")
    with EmbeddedStore(empty / "graph.lbdb", buffer_pool_mb=256) as store:
        store.create_schema()
    args = ("ingest", str(SAMPLE_DIR))
    return Scenario(tmp_path_factory.mktemp("ingest"), empty, "ingest", args, atomic=False)


ADD_POINTS = [
    "after:upsert_nodes:Listing",
    "after:upsert_relationships:LISTED",
    "after:upsert_nodes:Restriction",
    "after:upsert_relationships:RESTRICTS",
    "after:upsert_nodes:ChangeEvent",
    "before:commit",
    "after:commit",
]


@pytest.mark.parametrize("fault", ADD_POINTS)
def test_listing_add_killed_then_retried_equals_a_clean_run(adding: Scenario, fault: str) -> None:
    assert adding.clean["feed"], "the listing imposes restrictions"
    assert_feed_whole(adding.clean)
    assert adding.crash_then_retry(fault) == adding.clean


@pytest.mark.parametrize(
    "fault",
    ["after:set_node_properties:Listing", "after:set_node_properties:Restriction", "before:commit"],
)
def test_listing_removal_killed_then_retried_equals_a_clean_run(
    removing: Scenario, fault: str
) -> None:
    assert removing.crash_then_retry(fault) == removing.clean


@pytest.mark.parametrize(
    "fault",
    [
        "after:upsert_nodes:Violation",
        "after:upsert_nodes:Listing",
        "after:upsert_nodes:ChangeEvent",
        "after:set_node_properties:BrushingRing",
        "before:commit",
    ],
)
def test_ring_confirmation_killed_then_retried_equals_a_clean_run(
    confirming: Scenario, fault: str
) -> None:
    assert "confirmed" in {status for _, status in confirming.clean["rings"]}
    assert confirming.crash_then_retry(fault) == confirming.clean


@pytest.mark.parametrize(
    "fault", ["after:upsert_nodes:InfringementReport", "after:upsert_relationships:REPORTS"]
)
def test_bulk_report_upload_killed_then_retried_equals_a_clean_run(
    importing: Scenario, fault: str
) -> None:
    assert len(importing.clean["reports"]) == 3
    assert importing.crash_then_retry(fault) == importing.clean


# A first ingest into an empty store COPYs new rows (insert_new_*); deltas upsert.
@pytest.mark.parametrize(
    "fault", ["after:insert_new_nodes:Person", "after:insert_new_relationships:3"]
)
def test_ingest_killed_then_run_again_equals_a_clean_run(ingesting: Scenario, fault: str) -> None:
    state = ingesting.crash_then_retry(fault)
    assert state["counts"] == ingesting.clean["counts"]
    assert state["listings"] == ingesting.clean["listings"]


@pytest.fixture
def rng() -> random.Random:
    return random.Random(14)


def test_listing_add_killed_at_random_moments_then_retried_equals_a_clean_run(
    adding: Scenario, rng: random.Random
) -> None:
    for _ in range(3):
        assert adding.kill_at_random_then_retry(rng) == adding.clean
