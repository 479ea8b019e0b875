"""The ``store`` fixture: each contract test runs on the embedded store and on Neo4j."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.store import GraphStore


@pytest.fixture(
    params=[
        pytest.param("embedded", id="embedded"),
        pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
    ]
)
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    """A clean store of each kind."""
    if request.param == "embedded":
        yield request.getfixturevalue("embedded_store")
        return
    neo4j: GraphStore = request.getfixturevalue("neo4j_store")
    neo4j.wipe()
    yield neo4j
