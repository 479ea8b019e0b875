"""Kill -9 a running ``credgraph serve``: answered checks stay audited, listings stay whole.

The server runs in a subprocess over a copy of the sample data (propagated). Every answer
it sent must have its audit row on disk (rows are group-committed before the answer
leaves), console calls included; a listing POSTed while the server dies is either fully
recorded or not at all, and the client's retry after a restart gives the state of a
clean run.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

from algorithms.propagation import service
from api.security import KeyStore, Scope
from graph.embedded_store import EmbeddedStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY
from tests.faults.server import Server
from tests.faults.state import assert_feed_whole, snapshot

pytestmark = pytest.mark.slow

XINGCHEN = "91330106MA2AAAAA15"
YUNFAN = "91330106MA2AAAAA3B"
LISTING = {
    "listing_id": "API-FAULT-1",
    "kind": "business",
    "id": YUNFAN,
    "list_type": "serious_dishonesty",
    "decided": "2025-01-10",
    "legal_basis": "《办法》第二条",
}


class Home:
    """A server home: the store and the API database with one key per scope."""

    def __init__(self, path: Path, platform: str, officer: str) -> None:
        self.path = path
        self.platform = {"X-API-Key": platform}
        self.officer = {"X-API-Key": officer}

    def copy(self, to: Path) -> Home:
        shutil.copytree(self.path, to)
        return Home(to, self.platform["X-API-Key"], self.officer["X-API-Key"])

    def audit_rows(self) -> list[tuple[str, str, int]]:
        with sqlite3.connect(self.path / "api.sqlite3") as conn:
            return conn.execute("SELECT method, path, status FROM audit ORDER BY id").fetchall()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Home:
    home = tmp_path_factory.mktemp("api") / "home"
    home.mkdir()
    with EmbeddedStore(home / "graph.lbdb", buffer_pool_mb=256) as store:
        store.create_schema()
        ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=home / "q")
        service.propagate_store(store, full=True)
    keys = KeyStore(home / "api.sqlite3")
    try:
        platform = keys.create("taobao", Scope.PLATFORM).token
        officer = keys.create("zj-amr", Scope.OFFICER).token
    finally:
        keys.close()
    return Home(home, platform, officer)


def test_every_answered_check_is_audited_after_kill9(prepared: Home, tmp_path: Path) -> None:
    home = prepared.copy(tmp_path / "home")
    server = Server(home.path)
    answered = 0
    try:
        with server.client() as client:
            for i in range(150):
                if i % 10 == 0:  # the console's API is audited like /v1
                    r = client.post(
                        "/console/api/restricted",
                        json={"uids": [f"biz:{XINGCHEN}"]},
                        headers=home.officer,
                    )
                else:
                    r = client.post(
                        "/v1/restrictions/check",
                        json={"kind": "business", "id": XINGCHEN},
                        headers=home.platform,
                    )
                assert r.status_code == 200, r.text
                answered += 1
    finally:
        server.kill()
    rows = home.audit_rows()
    assert len(rows) >= answered == 150
    assert sum(1 for _, path, _ in rows if path == "/console/api/restricted") == 15


def _post_listing(url: str, headers: dict[str, str], out: list[int | str]) -> None:
    try:
        r = httpx.post(f"{url}/v1/listings", json=LISTING, headers=headers, timeout=60)
        out.append(r.status_code)
    except httpx.TransportError as exc:
        out.append(type(exc).__name__)


@pytest.fixture(scope="module")
def clean_listing(prepared: Home, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    home = prepared.copy(tmp_path_factory.mktemp("clean") / "home")
    server = Server(home.path)
    try:
        r = httpx.post(f"{server.url}/v1/listings", json=LISTING, headers=home.officer, timeout=120)
        assert r.status_code == 201, r.text
    finally:
        server.stop()
    state = snapshot(home.path)
    assert state["feed"]
    assert any(x[0] == "listing:API-FAULT-1" for x in state["listings"])
    assert_feed_whole(state)
    return state


def _retry_and_compare(home: Home, before: dict[str, object], clean: dict[str, object]) -> None:
    crashed = snapshot(home.path)
    assert_feed_whole(crashed)
    assert crashed in (before, clean), "a listing was left half written"
    server = Server(home.path)
    try:
        r = httpx.post(f"{server.url}/v1/listings", json=LISTING, headers=home.officer, timeout=120)
        assert r.status_code == 201, r.text
    finally:
        server.stop()
    assert snapshot(home.path) == clean


@pytest.mark.parametrize(
    "fault", ["after:upsert_nodes:Listing", "after:upsert_nodes:Restriction", "before:commit"]
)
def test_listing_post_killed_mid_write_then_retried_equals_a_clean_run(
    prepared: Home, clean_listing: dict[str, object], tmp_path: Path, fault: str
) -> None:
    home = prepared.copy(tmp_path / "home")
    before = snapshot(home.path)
    server = Server(home.path, fault=fault)
    outcome: list[int | str] = []
    _post_listing(server.url, home.officer, outcome)
    server.proc.wait(timeout=60)
    server.kill()
    assert outcome
    assert not isinstance(outcome[0], int), "the server answered instead of dying"
    _retry_and_compare(home, before, clean_listing)


def test_listing_post_killed_at_random_moments(
    prepared: Home, clean_listing: dict[str, object], tmp_path: Path
) -> None:
    rng = random.Random(14)
    for attempt in range(3):
        home = prepared.copy(tmp_path / f"home-{attempt}")
        before = snapshot(home.path)
        server = Server(home.path)
        outcome: list[int | str] = []
        thread = threading.Thread(target=_post_listing, args=(server.url, home.officer, outcome))
        thread.start()
        time.sleep(rng.uniform(0.05, 0.3))
        server.kill()
        thread.join(timeout=60)
        _retry_and_compare(home, before, clean_listing)
