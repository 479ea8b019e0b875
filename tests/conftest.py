"""Shared fixtures.

Fixture strategy: the ``store`` fixture (``tests/contract``) is parametrised over both
adapters, so every contract test runs once on LadybugDB and once on Neo4j. The embedded
store is a fresh database directory per test. Neo4j is one server for the session
(started by ``scripts/neo4j-local``, reached through ``CREDGRAPH_NEO4J_*``), wiped before
each test that uses it; when it cannot be reached the Neo4j cases skip, except under a
truthy ``CI`` (``1``, ``yes``, ``true``: anything but empty, ``0``, ``false``, ``no``,
``off``) where they fail. ``settings`` builds ``Settings`` directly, never from the
process environment's store choice.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.config import Settings
from graph.embedded_store import EmbeddedStore
from graph.errors import StoreUnavailable
from graph.store import GraphStore

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "docs" / "sample"
TEST_KEY = "test-id-hash-key-0123456789"


def in_ci() -> bool:
    """Whether ``CI`` is set to a truthy value: then a skip for a missing service fails."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def neo4j_settings(tmp: Path) -> Settings:
    """Settings pointing at the test Neo4j server."""
    return Settings(
        environment="test",
        store="neo4j",
        neo4j_uri=os.environ.get("CREDGRAPH_NEO4J_URI", "bolt://127.0.0.1:7687"),
        neo4j_user=os.environ.get("CREDGRAPH_NEO4J_USER", "neo4j"),
        neo4j_password=os.environ.get("CREDGRAPH_NEO4J_PASSWORD", "credgraph-test"),
        id_hash_key=TEST_KEY,
        quarantine_dir=tmp / "quarantine",
    )


@pytest.fixture(scope="session")
def neo4j_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """One Neo4j connection for the session; skips (or fails under CI) when unreachable."""
    from graph.neo4j_store import Neo4jStore

    settings = neo4j_settings(tmp_path_factory.mktemp("neo4j"))
    try:
        store = Neo4jStore(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
        )
    except StoreUnavailable as exc:
        if in_ci():
            pytest.fail(f"CI is set but Neo4j is unreachable: {exc}")
        pytest.skip(f"Neo4j unreachable ({exc}); start it with scripts/neo4j-local start")
    store.create_schema()
    yield store
    store.close()


@pytest.fixture
def embedded_store(tmp_path: Path) -> Iterator[GraphStore]:
    """A fresh LadybugDB database for one test."""
    store = EmbeddedStore(tmp_path / "graph.lbdb", buffer_pool_mb=512)
    store.create_schema()
    yield store
    store.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded-store settings inside the test's own directory."""
    return Settings(
        environment="test",
        store="embedded",
        embedded_path=tmp_path / "graph.lbdb",
        embedded_buffer_pool_mb=512,
        id_hash_key=TEST_KEY,
        quarantine_dir=tmp_path / "quarantine",
    )
