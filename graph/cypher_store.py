"""What both adapters share: every port method written once over a Cypher runner.

An adapter supplies ``_run`` (rows as dicts), ``_node``/``_edge_props`` (driver values to
plain Python) and its own schema DDL and transactions; everything else is here, so the
two stores differ only where their databases do.
"""

from __future__ import annotations

import itertools
from abc import abstractmethod
from collections.abc import Hashable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from graph.cypher import (
    ColumnRows,
    encode_columns,
    quote,
    render,
    render_node_upsert,
    render_rel_upsert,
    render_set_properties,
)
from graph.errors import InvalidInput
from graph.model import Counts, Edge, Node, Projection
from graph.schema import NODE_BY_LABEL, NODES, REL_BY_TYPE, RELS, Prop, label_of_uid
from graph.store import GraphStore, Row, check_label, check_rel_type
from queries import load_query

__all__ = ["BATCH_SIZE", "CypherStore", "first_new"]

#: Rows per UNWIND batch: large enough to amortise a round trip, small enough for memory.
#: An adapter may set its own ``batch_size``.
BATCH_SIZE = 5_000

_HIDDEN = {"uid", "rid"}


def _iso(value: Any) -> Any:
    """Dates and times as ISO strings, the form projections carry them in."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def first_new(
    keys: Sequence[Hashable], existing: set[int], only: set[int] | None = None
) -> tuple[list[int], list[int]]:
    """Split row positions into the first row of each new key (to create in bulk) and the
    rest, in order (to merge); rows outside ``only`` (a relationship whose end is missing)
    go in neither."""
    fresh: list[int] = []
    rest: list[int] = []
    seen: set[Hashable] = set()
    for i, key in enumerate(keys):
        if only is not None and i not in only:
            continue
        if i in existing or key in seen:
            rest.append(i)
        else:
            fresh.append(i)
        seen.add(key)
    return fresh, rest


class CypherStore(GraphStore):
    """A GraphStore over any database that speaks the Cypher in ``queries/``."""

    #: Rows per write statement.
    batch_size: int = BATCH_SIZE
    #: ``step_edges`` asks for one node per statement (``$uid``) instead of a list
    #: (``$uids``): for a database that seeks a key only by equality.
    step_one_uid_at_a_time: bool = False

    @abstractmethod
    def _run(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one statement and return its rows with driver values."""

    @abstractmethod
    def _node(self, value: Any) -> Node:
        """A driver node value as a Node."""

    @abstractmethod
    def _edge(self, value: Any, src: str, dst: str) -> Edge:
        """A driver relationship value as an Edge."""

    @abstractmethod
    def _native(self, value: Any) -> Any:
        """A driver scalar (dates, times) as a plain Python value."""

    def _batch(self, props: Sequence[Prop], columns: dict[str, list[Any]]) -> Any:
        """The ``$rows`` parameter of a write: a list of maps, unless the adapter knows better."""
        names = list(columns)
        return [
            dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)
        ]

    # -- writes ------------------------------------------------------------------------------
    def upsert_nodes(self, label: str, rows: Sequence[Row]) -> int:
        """Create or update nodes by ``uid``; rows carry the label's properties. Returns rows."""
        spec = NODE_BY_LABEL[check_label(label)]
        size = self.batch_size
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            uids = (
                batch.column("uid")
                if isinstance(batch, ColumnRows)
                else [row.get("uid") for row in batch]
            )
            missing = [i for i, uid in enumerate(uids) if not uid]
            if missing:
                raise InvalidInput(f"{label} row without uid", row=start + missing[0], field="uid")
            self._write_nodes(label, spec.all_props, encode_columns(spec.all_props, batch))
        return len(rows)

    def upsert_relationships(
        self, rel_type: str, src_label: str, dst_label: str, rows: Sequence[Row]
    ) -> int:
        """Create or update relationships by ``rid``; rows carry ``src``, ``dst`` uids and props."""
        spec = REL_BY_TYPE[check_rel_type(rel_type)]
        # Renders (and so checks the label pair) before anything is written.
        render_rel_upsert(rel_type, check_label(src_label), check_label(dst_label), self.dialect)
        props = (*spec.all_props, Prop("src"), Prop("dst"))
        written = 0
        size = self.batch_size
        for start in range(0, len(rows), size):
            columns = encode_columns(props, rows[start : start + size])
            written += self._write_rels(rel_type, src_label, dst_label, props, columns)
        return written

    def _write_nodes(
        self, label: str, props: Sequence[Prop], columns: dict[str, list[Any]]
    ) -> None:
        """Write one encoded batch of nodes; the MERGE statement unless the adapter knows better."""
        statement = render_node_upsert(label, self.dialect)
        self._run(statement, {"rows": self._batch(props, columns)})

    def _write_rels(
        self,
        rel_type: str,
        src_label: str,
        dst_label: str,
        props: Sequence[Prop],
        columns: dict[str, list[Any]],
    ) -> int:
        """Write one encoded batch of relationships; returns how many were written."""
        statement = render_rel_upsert(rel_type, src_label, dst_label, self.dialect)
        result = self._run(statement, {"rows": self._batch(props, columns)})
        return int(result[0]["written"]) if result else 0

    def set_node_properties(self, label: str, rows: Sequence[Row]) -> int:
        """Set the given properties on existing nodes by ``uid``, leaving others untouched."""
        if not rows:
            return 0
        spec = NODE_BY_LABEL[check_label(label)]
        names = [k for k in rows[0] if k != "uid"]
        if any(set(row) != set(rows[0]) for row in rows):
            raise InvalidInput("every row must set the same properties", field="props")
        statement = render_set_properties(label, names, self.dialect)
        props = [p for p in spec.all_props if p.name in names or p.name == "uid"]
        written = 0
        for start in range(0, len(rows), BATCH_SIZE):
            encoded = encode_columns(props, rows[start : start + BATCH_SIZE])
            result = self._run(statement, {"rows": self._batch(props, encoded)})
            written += int(result[0]["written"]) if result else 0
        return written

    def delete_relationships(self, rel_type: str, rids: Sequence[str]) -> int:
        """Delete relationships of one type by ``rid`` (for computed edges being recomputed)."""
        statement = render("delete_relationships", self.dialect, rel_type=check_rel_type(rel_type))
        for start in range(0, len(rids), BATCH_SIZE):
            self._run(statement, {"rids": list(rids[start : start + BATCH_SIZE])})
        return len(rids)

    # -- reads -------------------------------------------------------------------------------
    def get_nodes(self, uids: Sequence[str]) -> list[Node]:
        """The nodes with these uids, in the order asked; unknown uids are left out."""
        found: dict[str, Node] = {}
        for label, group in self.group_by_label(list(dict.fromkeys(uids))):
            statement = render("get_nodes", self.dialect, label=label)
            for row in self._run(statement, {"uids": group}):
                node = self._node(row["n"])
                found[node.uid] = node
        return [found[uid] for uid in uids if uid in found]

    def find_nodes(self, label: str, where: Mapping[str, Any], limit: int = 100) -> list[Node]:
        """Nodes of one label whose properties equal every value in ``where``."""
        spec = NODE_BY_LABEL[check_label(label)]
        known = {p.name for p in spec.all_props}
        if not where or set(where) - known:
            raise InvalidInput(
                f"{label} cannot be filtered by {sorted(set(where) - known)}", field="where"
            )
        keys = sorted(where)
        conditions = " AND ".join(f"n.{k} = $p{i}" for i, k in enumerate(keys))
        params: dict[str, Any] = {f"p{i}": where[k] for i, k in enumerate(keys)}
        params["limit"] = limit
        statement = render("find_nodes", self.dialect, label=label, conditions=conditions)
        return [self._node(row["n"]) for row in self._run(statement, params)]

    def search_nodes(self, label: str, text: str, limit: int = 20) -> list[Node]:
        """Nodes of one label whose name (or uid) contains ``text``."""
        spec = NODE_BY_LABEL[check_label(label)]
        if "name" not in {p.name for p in spec.props}:
            raise InvalidInput(f"{label} has no name to search", field="label")
        statement = render("search_nodes", self.dialect, label=label)
        return [
            self._node(row["n"]) for row in self._run(statement, {"text": text, "limit": limit})
        ]

    def edges_of(
        self,
        uids: Sequence[str],
        rel_types: Sequence[str] | None = None,
        *,
        direction: str = "both",
        limit: int = 10_000,
    ) -> list[Edge]:
        """Relationships touching these nodes, optionally of the given types."""
        if direction not in ("out", "in", "both"):
            raise InvalidInput("direction must be out, in or both", field="direction")
        types = [check_rel_type(t) for t in rel_types] if rel_types is not None else None
        edges: dict[str, Edge] = {}
        for label, group in self.group_by_label(list(dict.fromkeys(uids))):
            for side in ("out", "in"):
                if direction not in (side, "both"):
                    continue
                usable = self._types_touching(label, side, types)
                if not usable:
                    continue
                statement = render(
                    f"edges_{side}",
                    self.dialect,
                    label=label,
                    types=":" + "|".join(quote(t) for t in usable),
                )
                for row in self._run(statement, {"uids": group, "limit": limit}):
                    edge = self._edge(row["rel"], row["src"], row["dst"])
                    edges[edge.rid] = edge
        return list(edges.values())

    def step_edges(
        self,
        uids: Sequence[str],
        rel_type: str,
        direction: str,
        edge_props: Sequence[str] = (),
    ) -> list[Edge]:
        """Relationships of one type leaving (``out``) or entering (``in``) these nodes."""
        if direction not in ("out", "in"):
            raise InvalidInput("direction must be out or in", field="direction")
        spec = REL_BY_TYPE[check_rel_type(rel_type)]
        have = {p.name for p in spec.all_props}
        wanted = [p for p in edge_props if p in have]
        props = "".join(f", r.{p} AS {p}" for p in wanted)
        edges: list[Edge] = []
        for label, group in self.group_by_label(list(dict.fromkeys(uids))):
            if label not in self._types_touching_labels(rel_type, direction):
                continue
            statement = render(
                f"punish/step_{direction}",
                self.dialect,
                label=label,
                rel_type=rel_type,
                props=props,
            )
            if self.step_one_uid_at_a_time:
                batches: list[dict[str, Any]] = [{"uid": uid} for uid in group]
            else:
                batches = [
                    {"uids": group[start : start + BATCH_SIZE]}
                    for start in range(0, len(group), BATCH_SIZE)
                ]
            for params in batches:
                for row in self._run(statement, params):
                    values = {p: _iso(self._native(row.get(p))) for p in wanted}
                    edges.append(Edge(row["rid"], rel_type, row["src"], row["dst"], values))
        return edges

    @staticmethod
    def _types_touching_labels(rel_type: str, direction: str) -> set[str]:
        """Labels a relationship of ``rel_type`` can leave (out) or enter (in)."""
        end = 0 if direction == "out" else 1
        return {pair[end] for pair in REL_BY_TYPE[rel_type].pairs}

    @staticmethod
    def _types_touching(label: str, side: str, types: Sequence[str] | None) -> list[str]:
        """Relationship types that can leave (out) or enter (in) nodes of ``label``."""
        end = 0 if side == "out" else 1
        return [
            spec.type
            for spec in RELS
            if (types is None or spec.type in types) and any(p[end] == label for p in spec.pairs)
        ]

    def counts(self) -> Counts:
        """Nodes per label and relationships per type."""
        nodes = {
            spec.label: int(
                self._run(render("count_nodes", self.dialect, label=spec.label))[0]["n"]
            )
            for spec in NODES
        }
        rels = {
            spec.type: int(
                self._run(render("count_relationships", self.dialect, rel_type=spec.type))[0]["n"]
            )
            for spec in RELS
        }
        return Counts(nodes, rels)

    def project(
        self,
        rel_types: Sequence[str],
        *,
        node_props: Sequence[str] = (),
        edge_props: Sequence[str] = (),
        node_labels: Sequence[str] | None = None,
    ) -> Projection:
        """Pull the chosen relationship types (and their endpoints) into arrays.

        Dates and timestamps arrive as ISO strings, which compare in time order.
        """
        rids: list[str] = []
        types: list[str] = []
        srcs: list[str] = []
        dsts: list[str] = []
        edge_values: dict[str, list[Any]] = {name: [] for name in edge_props}
        for rel_type in rel_types:
            spec = REL_BY_TYPE[check_rel_type(rel_type)]
            have = {p.name for p in spec.all_props}
            props = "".join(f", r.{p} AS {p}" for p in edge_props if p in have)
            statement = render("project_edges", self.dialect, rel_type=rel_type, props=props)
            columns = self._edge_columns(rel_type, statement)
            n = len(columns.get("rid", ()))
            rids += columns.get("rid", [])
            srcs += columns.get("src", [])
            dsts += columns.get("dst", [])
            types += [rel_type] * n
            for name in edge_props:
                values = columns.get(name)
                edge_values[name] += (
                    [None] * n if values is None else [_iso(self._native(v)) for v in values]
                )
        labels_wanted = [check_label(lbl) for lbl in node_labels or ()]
        node_index: dict[str, str] = {}
        for label in labels_wanted:
            statement = render("project_nodes", self.dialect, label=label, props="")
            node_index.update(dict.fromkeys(self._columns(statement).get("uid", []), label))
        for uid in itertools.chain(srcs, dsts):
            if uid not in node_index:
                node_index[uid] = label_of_uid(uid) or "Unknown"
        node_values: dict[str, list[Any]] = {}
        if node_props:
            by_uid: dict[str, dict[str, Any]] = {}
            for label in sorted(set(node_index.values())):
                spec_props = (
                    {p.name for p in NODE_BY_LABEL[label].all_props}
                    if label in NODE_BY_LABEL
                    else set()
                )
                wanted = [p for p in node_props if p in spec_props]
                if not wanted:
                    continue
                props = "".join(f", n.{p} AS {p}" for p in wanted)
                for row in self._run(
                    render("project_nodes", self.dialect, label=label, props=props)
                ):
                    by_uid[row["uid"]] = {p: _iso(self._native(row[p])) for p in wanted}
            node_values = {
                p: [by_uid.get(uid, {}).get(p) for uid in node_index] for p in node_props
            }
        return Projection.from_columns(
            list(node_index),
            list(node_index.values()),
            rids,
            types,
            srcs,
            dsts,
            edge_values,
            node_values,
        )

    def _edge_columns(self, rel_type: str, statement: str) -> dict[str, list[Any]]:
        """A projection's edges of one type (``project_edges``), as lists by column."""
        return self._columns(statement)

    def _columns(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, list[Any]]:
        """A read's result as lists by column (absent when it returned no row)."""
        rows = self._run(statement, params)
        return {name: [row[name] for row in rows] for name in (rows[0] if rows else ())}

    def query(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run the named query from ``queries/`` (dialect file first) and return its rows."""
        rows = self._run(load_query(name, self.dialect), params or {})
        return [{k: self._plain(v) for k, v in row.items()} for row in rows]

    def query_table(self, name: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Run the named query and return its rows as an Arrow table (no row, no column)."""
        return self._table(load_query(name, self.dialect), params or {})

    def _table(self, statement: str, params: Mapping[str, Any]) -> pa.Table:
        """A read's result as Arrow, built from its rows; an adapter may fetch it natively."""
        rows = self._run(statement, params)
        return pa.Table.from_pylist([{k: self._plain(v) for k, v in row.items()} for row in rows])

    def query_by_uids(
        self, name: str, uids: Sequence[str], params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run a named query keyed by a list of uids (see ``GraphStore.query_by_uids``)."""
        if not self.step_one_uid_at_a_time:
            return super().query_by_uids(name, uids, params)
        statement = load_query(name, self.dialect)
        rows: list[dict[str, Any]] = []
        for uid in dict.fromkeys(uids):
            rows += self._run(statement, {**(params or {}), "uid": uid})
        return [{k: self._plain(v) for k, v in row.items()} for row in rows]

    def _plain(self, value: Any) -> Any:
        """Driver values to plain Python, recursing into lists and maps."""
        if isinstance(value, list):
            return [self._plain(v) for v in value]
        if isinstance(value, dict):
            return {k: self._plain(v) for k, v in value.items()}
        return self._native(value)

    def wipe(self) -> None:
        """Delete every node and relationship (the schema stays)."""
        self._run(load_query("wipe", self.dialect))

    @staticmethod
    def _props(items: Mapping[str, Any], native: Any) -> dict[str, Any]:
        """Properties without driver internals, key fields or nulls (Neo4j keeps no nulls)."""
        return {
            k: native(v)
            for k, v in items.items()
            if v is not None and k not in _HIDDEN and not k.startswith("_")
        }
