"""Neo4jStore: the GraphStore on a Neo4j server through the official ``neo4j`` driver.

For production and scale-out (a single server, a cluster or Aura). Writes go in UNWIND
batches inside managed transactions; every value is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import exceptions as neo4j_errors
from neo4j.graph import Node as DriverNode
from neo4j.graph import Relationship as DriverRelationship
from neo4j.time import Date, DateTime

from graph.cypher import quote
from graph.cypher_store import CypherStore
from graph.errors import StoreError, StoreUnavailable
from graph.model import Edge, Node
from graph.schema import NODES, RELS

__all__ = ["Neo4jStore", "neo4j_ddl"]


def neo4j_ddl() -> list[str]:
    """Constraints and indexes for every label and type, generated from ``graph.schema``."""
    statements = []
    for spec in NODES:
        statements.append(
            f"CREATE CONSTRAINT {spec.label.lower()}_uid IF NOT EXISTS "
            f"FOR (n:{quote(spec.label)}) REQUIRE n.uid IS UNIQUE"
        )
        for prop in spec.props:
            if prop.indexed:
                statements.append(
                    f"CREATE INDEX {spec.label.lower()}_{prop.name} IF NOT EXISTS "
                    f"FOR (n:{quote(spec.label)}) ON (n.{prop.name})"
                )
    for rel in RELS:
        statements.append(
            f"CREATE INDEX {rel.type.lower()}_rid IF NOT EXISTS "
            f"FOR ()-[r:{quote(rel.type)}]-() ON (r.rid)"
        )
    return statements


class Neo4jStore(CypherStore):
    """A Neo4j database reached over Bolt."""

    dialect = "neo4j"

    def __init__(self, uri: str, user: str, password: str, *, database: str = "neo4j") -> None:
        self.uri = uri
        self.database = database
        self._driver = neo4j.GraphDatabase.driver(
            uri, auth=(user, password), max_transaction_retry_time=10.0
        )
        try:
            self._driver.verify_connectivity()
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.AuthError, OSError) as exc:
            self._driver.close()  # an unclosed driver warns when collected
            raise StoreUnavailable(f"cannot reach Neo4j at {uri}: {exc}") from exc
        self._tx: neo4j.Transaction | None = None
        self._session: neo4j.Session | None = None

    def _run(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        try:
            if self._tx is not None:
                result = self._tx.run(query, dict(params or {}))
                return [dict(record) for record in result]
            records, _, _ = self._driver.execute_query(
                query, dict(params or {}), database_=self.database
            )
            return [dict(record) for record in records]
        except neo4j_errors.ServiceUnavailable as exc:
            raise StoreUnavailable(f"Neo4j at {self.uri}: {exc}") from exc
        except neo4j_errors.Neo4jError as exc:
            raise StoreError(f"Neo4j: {exc}") from exc

    def _native(self, value: Any) -> Any:
        if isinstance(value, (Date, DateTime)):
            return value.to_native()
        return value

    def _node(self, value: Any) -> Node:
        assert isinstance(value, DriverNode)
        label = next(iter(value.labels))
        return Node(value["uid"], label, self._props(dict(value), self._native))

    def _edge(self, value: Any, src: str, dst: str) -> Edge:
        assert isinstance(value, DriverRelationship)
        return Edge(value["rid"], value.type, src, dst, self._props(dict(value), self._native))

    def create_schema(self) -> None:
        """Create every constraint and index; idempotent."""
        for statement in neo4j_ddl():
            self._run(statement)
        self._run("CALL db.awaitIndexes(300)")

    def has_gds(self) -> bool:
        """Whether the server has the Graph Data Science plugin."""
        try:
            self._run("RETURN gds.version() AS version")
        except StoreError:
            return False
        return True

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the calls made inside the ``with`` block atomically."""
        if self._tx is not None:
            yield
            return
        session = self._driver.session(database=self.database)
        tx = session.begin_transaction()
        self._tx = tx
        try:
            yield
        except BaseException:
            tx.rollback()
            raise
        else:
            tx.commit()
        finally:
            self._tx = None
            session.close()

    def close(self) -> None:
        """Close the driver and its connections."""
        self._driver.close()
