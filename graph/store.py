"""The store port: everything CreditGraph asks of a graph database.

Two adapters implement it, ``EmbeddedStore`` (LadybugDB) and ``Neo4jStore`` (Neo4j). One
contract suite (``tests/contract``) holds them to the same answers. Methods speak in domain
terms; Cypher lives in ``queries/``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import pyarrow as pa

from graph.errors import InvalidInput
from graph.model import Counts, Edge, Node, Path, Projection, Subgraph
from graph.schema import NODE_BY_LABEL, REL_BY_TYPE, label_of_uid

__all__ = ["MAX_OFFSET", "GraphStore", "Row", "check_label", "check_rel_type"]

#: Deepest ``offset`` a list computed in memory accepts (links, repeat infringers, search).
#: No named query pages with ``SKIP``: LadybugDB 0.22 crashed the process on
#: ``ORDER BY ... SKIP n LIMIT m`` when ``n`` passed the end of the result, so store lists
#: are keyset-paged (:mod:`graph.paging`).
MAX_OFFSET = 10_000

Row = Mapping[str, Any]


def check_label(label: str) -> str:
    """Return ``label`` if the schema knows it, else raise InvalidInput."""
    if label not in NODE_BY_LABEL:
        raise InvalidInput(f"unknown node label {label!r}", field="label")
    return label


def check_rel_type(rel_type: str) -> str:
    """Return ``rel_type`` if the schema knows it, else raise InvalidInput."""
    if rel_type not in REL_BY_TYPE:
        raise InvalidInput(f"unknown relationship type {rel_type!r}", field="rel_type")
    return rel_type


class GraphStore(ABC):
    """A graph database holding the CreditGraph schema."""

    #: ``"ladybug"`` or ``"neo4j"``: picks per-dialect query files.
    dialect: str

    # -- lifecycle ---------------------------------------------------------------------------
    @abstractmethod
    def create_schema(self) -> None:
        """Create tables / constraints / indexes for every label and type; idempotent."""

    @abstractmethod
    def wipe(self) -> None:
        """Delete every node and relationship (the schema stays)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections and files."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Run the calls made inside the ``with`` block atomically."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writes ------------------------------------------------------------------------------
    @abstractmethod
    def upsert_nodes(self, label: str, rows: Sequence[Row]) -> int:
        """Create or update nodes by ``uid``; rows carry the label's properties. Returns rows."""

    @abstractmethod
    def upsert_relationships(
        self, rel_type: str, src_label: str, dst_label: str, rows: Sequence[Row]
    ) -> int:
        """Create or update relationships by ``rid``; rows carry ``src``, ``dst`` uids and props."""

    def insert_new_nodes(self, label: str, rows: Sequence[Row]) -> int:
        """Write nodes the caller knows are new: no stored node has one of these uids and
        no two rows share one (a first load). An adapter may skip the lookups an upsert
        makes; the result must be what ``upsert_nodes`` would give. Returns rows."""
        return self.upsert_nodes(label, rows)

    def insert_new_relationships(
        self, rel_type: str, src_label: str, dst_label: str, rows: Sequence[Row]
    ) -> int:
        """Write relationships the caller knows are new (no stored or repeated ``rid``)
        between ends it knows exist; as ``insert_new_nodes``. Returns relationships written."""
        return self.upsert_relationships(rel_type, src_label, dst_label, rows)

    def hold_relationship_inserts(self) -> bool:
        """From now on the store may hold what :meth:`insert_new_relationships` is given and
        write it at :meth:`release_relationship_inserts`, one statement per type and pair
        instead of one per batch; any other statement (a read, an upsert) writes what is
        held first. For a load that knows its relationships are new and runs again after a
        crash: while holding, the store may also defer making its inserts durable until a
        statement that depends on them, or the release (a crash loses those inserts, as it
        loses what is held). Returns whether the store holds them (the default does not)."""
        return False

    def release_relationship_inserts(self) -> int:
        """Write every relationship held, make every write durable and stop holding;
        returns how many relationships were written."""
        return 0

    @abstractmethod
    def set_node_properties(self, label: str, rows: Sequence[Row]) -> int:
        """Set the given properties on existing nodes by ``uid``, leaving others untouched."""

    @abstractmethod
    def delete_relationships(self, rel_type: str, rids: Sequence[str]) -> int:
        """Delete relationships of one type by ``rid`` (for computed edges being recomputed)."""

    # -- reads -------------------------------------------------------------------------------
    @abstractmethod
    def get_nodes(self, uids: Sequence[str]) -> list[Node]:
        """The nodes with these uids, in the order asked; unknown uids are left out."""

    def get_node(self, uid: str) -> Node | None:
        """The node with this uid, or None."""
        found = self.get_nodes([uid])
        return found[0] if found else None

    @abstractmethod
    def find_nodes(self, label: str, where: Mapping[str, Any], limit: int = 100) -> list[Node]:
        """Nodes of one label whose properties equal every value in ``where``."""

    @abstractmethod
    def search_nodes(self, label: str, text: str, limit: int = 20) -> list[Node]:
        """Nodes of one label whose name (or uid) contains ``text``."""

    @abstractmethod
    def edges_of(
        self,
        uids: Sequence[str],
        rel_types: Sequence[str] | None = None,
        *,
        direction: str = "both",
        limit: int = 10_000,
    ) -> list[Edge]:
        """Relationships touching these nodes, optionally of the given types.

        ``direction`` is ``"out"`` (the node is the source), ``"in"`` or ``"both"``.
        """

    @abstractmethod
    def step_edges(
        self,
        uids: Sequence[str],
        rel_type: str,
        direction: str,
        edge_props: Sequence[str] = (),
    ) -> list[Edge]:
        """Relationships of one type leaving (``out``) or entering (``in``) these nodes.

        One step of a bounded traversal: every such relationship (no limit), with only the
        requested properties (those the relationship type has; dates as ISO strings).
        """

    @abstractmethod
    def counts(self) -> Counts:
        """Nodes per label and relationships per type."""

    @abstractmethod
    def project(
        self,
        rel_types: Sequence[str],
        *,
        node_props: Sequence[str] = (),
        edge_props: Sequence[str] = (),
        node_labels: Sequence[str] | None = None,
        with_rids: bool = True,
    ) -> Projection:
        """Pull the chosen relationship types (and their endpoints) into arrays.

        With ``node_labels`` every node of those labels is included, isolated or not.
        Without ``with_rids`` the rids are not read (the projection's ``rids`` raise).
        """

    @abstractmethod
    def query(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run the named query from ``queries/`` (dialect file first) and return its rows."""

    @abstractmethod
    def query_table(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        *,
        pages_over: str | None = None,
    ) -> pa.Table:
        """Run the named query and return its rows as an Arrow table, a column per field:
        for batch jobs reading millions of rows (no Python object per value).

        ``pages_over`` names a label: a store that holds a query's whole result in memory
        runs its dialect's file (which takes ``$lo`` and ``$hi``) once per range of that
        label's nodes and concatenates the pages.
        """

    def query_by_uids(
        self, name: str, uids: Sequence[str], params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run a named query keyed by a list of uids (``$uids``); the rows of every uid.

        A store that seeks a key only by equality runs its dialect's file once per uid
        (``$uid``) instead: there, a list joins the whole table.
        """
        return self.query(name, {**(params or {}), "uids": list(uids)})

    # -- traversals shared by both adapters ---------------------------------------------------
    def neighbourhood(
        self,
        uid: str,
        hops: int = 1,
        rel_types: Sequence[str] | None = None,
        *,
        max_nodes: int = 500,
    ) -> Subgraph:
        """Nodes within ``hops`` of ``uid`` and the edges among them, at most ``max_nodes``."""
        if not 1 <= hops <= 6:
            raise InvalidInput("hops must be between 1 and 6", field="hops")
        for rel_type in rel_types or ():
            check_rel_type(rel_type)
        centre = self.get_node(uid)
        if centre is None:
            from graph.errors import NotFound

            raise NotFound(f"no entity with uid {uid!r}")
        seen: dict[str, None] = {uid: None}
        edges: dict[str, Edge] = {}
        frontier = [uid]
        truncated = False
        for _ in range(hops):
            if not frontier:
                break
            next_frontier: list[str] = []
            for edge in self.edges_of(frontier, rel_types, limit=max_nodes * 4):
                if edge.src in seen and edge.dst in seen:
                    edges[edge.rid] = edge
                    continue
                for end in (edge.src, edge.dst):
                    if end not in seen:
                        if len(seen) >= max_nodes:
                            truncated = True
                            break
                        seen[end] = None
                        next_frontier.append(end)
                if edge.src in seen and edge.dst in seen:
                    edges[edge.rid] = edge
            frontier = next_frontier
        nodes = self.get_nodes(list(seen))
        return Subgraph(tuple(nodes), tuple(edges.values()), truncated)

    def paths(
        self,
        a: str,
        b: str,
        *,
        max_hops: int = 4,
        rel_types: Sequence[str] | None = None,
        limit: int = 5,
        max_expanded: int = 20_000,
    ) -> list[Path]:
        """Up to ``limit`` shortest paths (ignoring direction) from ``a`` to ``b``.

        Breadth-first from ``a`` with parent sets, so every shortest path is reachable;
        ``max_expanded`` bounds the nodes visited so that hubs cannot exhaust the store.
        """
        from graph.errors import NoPath, NotFound

        for uid in (a, b):
            if self.get_node(uid) is None:
                raise NotFound(f"no entity with uid {uid!r}")
        if a == b:
            node = self.get_node(a)
            assert node is not None
            return [Path((node,), ())]
        depth: dict[str, int] = {a: 0}
        parents: dict[str, list[Edge]] = {}
        frontier = [a]
        found = False
        for level in range(1, max_hops + 1):
            if not frontier or found:
                break
            next_frontier: list[str] = []
            for edge in self.edges_of(frontier, rel_types, limit=max_expanded):
                for here, there in ((edge.src, edge.dst), (edge.dst, edge.src)):
                    if depth.get(here) != level - 1:
                        continue
                    if there not in depth:
                        if len(depth) >= max_expanded:
                            continue
                        depth[there] = level
                        next_frontier.append(there)
                    if depth[there] == level:
                        parents.setdefault(there, []).append(edge)
            frontier = next_frontier
            found = b in depth
        if b not in depth:
            raise NoPath(f"no path between {a} and {b} within {max_hops} hops")
        walks: list[list[Edge]] = []
        stack: deque[tuple[str, list[Edge]]] = deque([(b, [])])
        while stack and len(walks) < limit:
            here, tail = stack.pop()
            if here == a:
                walks.append(list(reversed(tail)))
                continue
            for edge in sorted(parents.get(here, []), key=lambda e: e.rid, reverse=True):
                stack.append((edge.other(here), [*tail, edge]))
        nodes = {
            n.uid: n
            for n in self.get_nodes(list({u for w in walks for e in w for u in (e.src, e.dst)}))
        }
        result = []
        for walk in walks:
            uids = [a]
            for edge in walk:
                uids.append(edge.other(uids[-1]))
            result.append(Path(tuple(nodes[u] for u in uids), tuple(walk)))
        return result

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def group_by_label(uids: Sequence[str]) -> Iterator[tuple[str, list[str]]]:
        """Uids grouped by the label their prefix names (unknown prefixes dropped)."""
        groups: dict[str, list[str]] = {}
        for uid in uids:
            label = label_of_uid(uid)
            if label is not None:
                groups.setdefault(label, []).append(uid)
        yield from groups.items()
