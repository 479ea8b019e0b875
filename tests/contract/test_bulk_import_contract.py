"""``--bulk`` (neo4j-admin database import) gives the graph the normal path gives.

The same input (generated, with planted bad rows, and the sample) is loaded into Neo4j
twice: through the store port (the session's Neo4j) and through the import tool into a
second, throwaway server that ``scripts/neo4j-local`` runs from its own home (the jars of
the installed one, linked; the bulk load stops and restarts that server, never the
session's). Every node, relationship and property must agree, and so must the reports.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from graph.errors import ConfigError
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from ingest import pipeline
from ingest.generate import generate
from ingest.neo4j_import import LocalServer, bulk_load
from ingest.pipeline import IngestReport, ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY, in_ci

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

NOW = datetime(2025, 4, 1, 8, 0, 0)
PASSWORD = "bulk-test-password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def scratch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A second local server in its own home, sharing the installed server's jars."""
    installed = LocalServer.from_environment().home
    if not (installed / "lib").is_dir() or not (installed / ".installed").is_file():
        if in_ci():
            pytest.fail(f"no Neo4j installed in {installed}")
        pytest.skip(f"no Neo4j installed in {installed} (scripts/neo4j-local install)")
    home = tmp_path_factory.mktemp("bulk-neo4j")
    for linked in ("lib", "plugins"):
        (home / linked).symlink_to(installed / linked)
    for copied in (".installed", ".gds-status"):
        if (installed / copied).is_file():
            shutil.copy(installed / copied, home / copied)
    server = LocalServer(home)
    env = {
        **os.environ,
        "CREDGRAPH_NEO4J_HOME": str(home),
        "CREDGRAPH_NEO4J_BOLT_PORT": str(_free_port()),
        "CREDGRAPH_NEO4J_HTTP_PORT": str(_free_port()),
        "CREDGRAPH_NEO4J_PASSWORD": PASSWORD,
        "CREDGRAPH_NEO4J_HEAP": "512m",
        "CREDGRAPH_NEO4J_PAGECACHE": "128m",
    }
    subprocess.run([str(server.script), "start"], env=env, check=True, capture_output=True)  # noqa: S603
    try:
        yield server
    finally:
        subprocess.run([str(server.script), "stop"], env=env, check=False, capture_output=True)  # noqa: S603


@pytest.fixture(scope="module")
def bulk_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated input whose first business is given again, renamed, as the last row of
    its file (a later chunk when chunks are small: a key written twice in one run)."""
    directory = tmp_path_factory.mktemp("bulk-input") / "input"
    generate(directory, 150, seed=3, bad_rows=0.01)
    businesses = directory / "businesses.csv"
    with businesses.open(encoding="utf-8", newline="") as handle:
        first = next(csv.DictReader(handle))
    with businesses.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(first)).writerow({**first, "name": "改名后的公司"})
    return directory


def _dump(store: Neo4jStore) -> tuple[list[Any], list[Any]]:
    def plain(props: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((k, repr(v)) for k, v in props.items() if k != "run_id")

    nodes = sorted(
        (row["labels"], plain(row["props"]))
        for row in store._run("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    )
    rels = sorted(
        (row["type"], row["a"], row["b"], plain(row["props"]))
        for row in store._run(
            "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.uid AS a, b.uid AS b, "
            "properties(r) AS props"
        )
    )
    return nodes, rels


def _summary(report: IngestReport) -> list[tuple[str, int, int, int]]:
    return [(f.name, f.read, f.loaded, f.quarantined) for f in report.files]


def test_a_bulk_import_gives_every_node_relationship_and_property_the_normal_path_gives(
    neo4j_store: GraphStore,
    scratch_server: LocalServer,
    bulk_input: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert isinstance(neo4j_store, Neo4jStore)
    neo4j_store.wipe()
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 64)  # the renamed business in a later chunk
    normal = ingest_directory(
        neo4j_store, bulk_input, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "qn", now=NOW
    )
    uri = f"bolt://127.0.0.1:{scratch_server.bolt_port}"
    load = bulk_load(
        bulk_input,
        connect=lambda: Neo4jStore(uri, "neo4j", PASSWORD),
        uri=uri,
        password=PASSWORD,
        id_hash_key=TEST_KEY,
        quarantine_dir=tmp_path / "qb",
        server=scratch_server,
        now=NOW,
    )
    assert _summary(load.report) == _summary(normal)
    assert load.report.quarantined > 0
    assert load.folded > 0  # a key written again (the renamed business) was folded
    assert all(f.reconciled for f in load.report.files)
    bulk = Neo4jStore(uri, "neo4j", PASSWORD)
    try:
        assert _dump(bulk) == _dump(neo4j_store)
        constraints = {row["name"] for row in bulk._run("SHOW CONSTRAINTS YIELD name")}
        assert "business_uid" in constraints
        # Later deltas go through the normal path, on top of the imported graph.
        delta = ingest_directory(
            bulk, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "qd", now=NOW
        )
        again = ingest_directory(
            neo4j_store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "qe", now=NOW
        )
        assert _summary(delta) == _summary(again)
        assert _dump(bulk) == _dump(neo4j_store)
    finally:
        bulk.close()


def test_a_bulk_import_refuses_a_database_that_holds_data(
    scratch_server: LocalServer, tmp_path: Path
) -> None:
    uri = f"bolt://127.0.0.1:{scratch_server.bolt_port}"
    store = Neo4jStore(uri, "neo4j", PASSWORD)
    try:
        store.upsert_nodes("Brand", [{"uid": "brand:x", "brand_id": "x", "name": "X"}])
    finally:
        store.close()
    with pytest.raises(ConfigError, match="only an empty database"):
        bulk_load(
            SAMPLE_DIR,
            connect=lambda: Neo4jStore(uri, "neo4j", PASSWORD),
            uri=uri,
            password=PASSWORD,
            id_hash_key=TEST_KEY,
            quarantine_dir=tmp_path / "q",
            server=scratch_server,
        )


def test_a_bulk_import_refuses_a_server_it_cannot_reach_on_disk(tmp_path: Path) -> None:
    server = LocalServer.from_environment()
    if server.bolt_port is None:
        if in_ci():
            pytest.fail("CI is set but no local Neo4j is configured")
        pytest.skip("no local Neo4j configured")
    with pytest.raises(ConfigError, match="cannot load a remote server"):
        bulk_load(
            SAMPLE_DIR,
            connect=lambda: pytest.fail("a remote server must be refused before connecting"),
            uri="bolt://neo4j.example.org:7687",
            password=PASSWORD,
            id_hash_key=TEST_KEY,
            quarantine_dir=tmp_path / "q",
            server=server,
        )
