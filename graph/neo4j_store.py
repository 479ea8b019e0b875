"""Neo4jStore: the GraphStore on a Neo4j server through the official ``neo4j`` driver.

For production and scale-out (a single server, a cluster or Aura). Writes go in UNWIND
batches inside managed transactions; every value is a parameter.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import exceptions as neo4j_errors
from neo4j.graph import Node as DriverNode
from neo4j.graph import Relationship as DriverRelationship
from neo4j.time import Date, DateTime

from graph.cypher import quote, render, render_node_upsert, render_rel_upsert
from graph.cypher_store import CypherStore, first_new
from graph.errors import StoreError, StoreUnavailable
from graph.model import Edge, Node
from graph.schema import NODES, RELS, Prop

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
    # No index on relationship rids: relationships are found between their two ends, which
    # are indexed. With one, the planner (whose index statistics are sampled, so can say
    # "empty" well into a load) found "the" relationship by scanning the type's whole rid
    # index once per row: 5 s instead of 0.3 s for 5,000 rows at 3,000 businesses, worse as
    # the graph grows. Databases made by earlier versions have theirs dropped.
    for rel in RELS:
        statements.append(f"DROP INDEX {rel.type.lower()}_rid IF EXISTS")
    return statements


class Neo4jStore(CypherStore):
    """A Neo4j database reached over Bolt."""

    dialect = "neo4j"

    def __init__(self, uri: str, user: str, password: str, *, database: str = "neo4j") -> None:
        self.uri = uri
        self.database = database
        self._driver = neo4j.GraphDatabase.driver(
            uri,
            auth=(user, password),
            max_transaction_retry_time=10.0,
            # "type does not exist" for a type no row has yet (counts, deletes on an empty
            # store): expected, and otherwise logged as a warning per query.
            notifications_disabled_classifications=[
                neo4j.NotificationDisabledClassification.UNRECOGNIZED
            ],
        )
        try:
            self._driver.verify_connectivity()
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.AuthError, OSError) as exc:
            self._driver.close()  # an unclosed driver warns when collected
            raise StoreUnavailable(f"cannot reach Neo4j at {uri}: {exc}") from exc
        # The open explicit transaction belongs to the thread that opened it: another
        # thread (the API's feed and alert workers) reading meanwhile must not run inside it.
        self._local = threading.local()

    @property
    def _tx(self) -> neo4j.Transaction | None:
        tx: neo4j.Transaction | None = getattr(self._local, "tx", None)
        return tx

    @_tx.setter
    def _tx(self, tx: neo4j.Transaction | None) -> None:
        self._local.tx = tx

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

    # Bulk writes. MERGE checks every row against what is stored, and for a relationship
    # that means expanding between its two ends: on a first load (the common case) that is
    # wasted work. A batch of at least ``bulk_min_rows`` is split instead: a probe (index
    # seeks) finds the rows already stored, the first row of every other key is CREATEd
    # and the rest (stored, or repeated within the batch) updated after it, in order. The
    # bulk statements pin the ends' index seeks (see the templates).
    # Smaller writes (the API's) MERGE. Two bulk writers racing on the same new relationship
    # key could both create it; ingest runs are not meant to overlap on one database.

    #: Batches at least this large take the probe + CREATE path.
    bulk_min_rows = 100

    def _write_nodes(
        self, label: str, props: Sequence[Prop], columns: dict[str, list[Any]]
    ) -> None:
        uids = columns["uid"]
        if len(uids) < self.bulk_min_rows or self._tx is not None:
            super()._write_nodes(label, props, columns)
            return
        probe = render("upsert_nodes_probe", self.dialect, label=label)
        stored = {row["uid"] for row in self._run(probe, {"uids": uids})}
        fresh, rest = first_new(uids, {i for i, uid in enumerate(uids) if uid in stored})
        rows = self._batch(props, columns)
        if fresh:
            create = render_node_upsert(label, self.dialect, "upsert_nodes_create")
            try:
                self._run(create, {"rows": [rows[i] for i in fresh]})
            except StoreError as exc:
                if not isinstance(exc.__cause__, neo4j_errors.ConstraintError):
                    raise
                # Another writer created one of them since the probe: merge them all.
                rest = sorted([*fresh, *rest])
        if rest:
            self._run(render_node_upsert(label, self.dialect), {"rows": [rows[i] for i in rest]})

    def _write_rels(
        self,
        rel_type: str,
        src_label: str,
        dst_label: str,
        props: Sequence[Prop],
        columns: dict[str, list[Any]],
    ) -> int:
        rids = columns["rid"]
        if len(rids) < self.bulk_min_rows or self._tx is not None:
            return super()._write_rels(rel_type, src_label, dst_label, props, columns)
        slots = {"rel_type": rel_type, "src_label": src_label, "dst_label": dst_label}
        probe = render("upsert_relationships_probe", self.dialect, **slots)
        params = {"rids": rids, "src": columns["src"], "dst": columns["dst"]}
        stored = {int(row["i"]) for row in self._run(probe, params)}
        keys = list(zip(rids, columns["src"], columns["dst"], strict=True))
        fresh, rest = first_new(keys, stored)
        rows = self._batch(props, columns)
        written = 0
        for positions, template in (
            (fresh, "upsert_relationships_create"),
            (rest, "upsert_relationships_update"),
        ):
            if not positions:
                continue
            statement = render_rel_upsert(rel_type, src_label, dst_label, self.dialect, template)
            result = self._run(statement, {"rows": [rows[i] for i in positions]})
            written += int(result[0]["written"]) if result else 0
        return written

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
