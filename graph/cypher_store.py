"""What both adapters share: every port method written once over a Cypher runner.

An adapter supplies ``_run`` (rows as dicts), ``_node``/``_edge_props`` (driver values to
plain Python) and its own schema DDL and transactions; everything else is here, so the
two stores differ only where their databases do.
"""

from __future__ import annotations

import itertools
from abc import abstractmethod
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

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
from graph.model import Counts, Edge, Node, Projection, PropColumn, iso_text
from graph.schema import LABEL_BY_PREFIX, NODE_BY_LABEL, NODES, REL_BY_TYPE, RELS, Prop
from graph.store import GraphStore, Row, check_label, check_rel_type
from queries import load_query

__all__ = ["BATCH_SIZE", "CypherStore", "first_new"]

#: Rows per UNWIND batch: large enough to amortise a round trip, small enough for memory.
#: An adapter may set its own ``batch_size``.
BATCH_SIZE = 5_000

_HIDDEN = {"uid", "rid"}

#: A column read for a projection: Arrow, or a list when Arrow will not take the values.
Column: TypeAlias = pa.Array | pa.ChunkedArray | list[Any]


def _strings(values: Column) -> list[pa.Array]:
    """A uid or rid column as Arrow string chunks."""
    if isinstance(values, list):
        return [pa.array(values, pa.string())]
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    return [c if c.type == pa.string() else c.cast(pa.string()) for c in chunks]


def _code(names: list[str], name: str) -> int:
    """``name``'s position in ``names``, appended when new."""
    if name not in names:
        names.append(name)
    return names.index(name)


def _label_by_prefix(uids: pa.Array, codes: npt.NDArray[np.int32], names: list[str]) -> None:
    """Label the nodes still unlabelled (code -1) by their uid's prefix (``Unknown`` when
    it names no label), in place; one lookup per distinct prefix."""
    rest = np.flatnonzero(codes < 0)
    if not rest.size:
        return
    matched = pc.extract_regex(uids.take(pa.array(rest)), r"^(?P<prefix>[^:]*):")
    prefix = pc.if_else(matched.is_valid(), matched.field("prefix"), None)
    encoded = prefix.dictionary_encode()
    lookup = np.array(
        [_code(names, LABEL_BY_PREFIX.get(p) or "Unknown") for p in encoded.dictionary.to_pylist()]
        + [_code(names, "Unknown")],
        dtype=np.int32,
    )
    at = np.asarray(encoded.indices.fill_null(len(encoded.dictionary)).to_numpy())
    codes[rest] = lookup[at]


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
                    values = {p: iso_text(self._native(row.get(p))) for p in wanted}
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
        with_rids: bool = True,
    ) -> Projection:
        """Pull the chosen relationship types (and their endpoints) into arrays.

        Dates and timestamps arrive as ISO strings, which compare in time order. Columns
        stay in Arrow: nodes are numbered by one dictionary encoding of every uid read, in
        order of first appearance (the labels' nodes, then sources, then destinations);
        properties become arrays when first read; rids are not read without ``with_rids``.
        """
        ends: dict[str, list[pa.Array]] = {"src": [], "dst": []}
        rids: list[pa.Array] = []
        counts: list[int] = []
        edge_pieces: dict[str, list[tuple[int, Column]]] = {name: [] for name in edge_props}
        for rel_type in rel_types:
            spec = REL_BY_TYPE[check_rel_type(rel_type)]
            have = {p.name for p in spec.all_props}
            props = ", r.rid AS rid" if with_rids else ""
            props += "".join(f", r.{p} AS {p}" for p in edge_props if p in have)
            statement = render("project_edges", self.dialect, rel_type=rel_type, props=props)
            counts.append(0)
            for page in self._edge_columns(rel_type, statement):
                start = sum(counts)
                counts[-1] += len(page["src"])
                ends["src"] += _strings(page["src"])
                ends["dst"] += _strings(page["dst"])
                if with_rids:
                    rids += _strings(page["rid"])
                for name in edge_props:
                    if name in page:
                        edge_pieces[name].append((start, page[name]))
        labels_wanted = [check_label(lbl) for lbl in node_labels or ()]
        label_parts: list[list[pa.Array]] = []
        for label in labels_wanted:
            statement = render("project_nodes", self.dialect, label=label, props="")
            label_parts.append(_strings(self._columns(statement).get("uid", [])))
        parts = [*itertools.chain.from_iterable(label_parts), *ends["src"], *ends["dst"]]
        encoded = pa.chunked_array(parts, type=pa.string()).dictionary_encode()
        codes = np.concatenate(
            [np.zeros(0, np.int64)]
            + [np.asarray(c.indices.to_numpy(), dtype=np.int64) for c in encoded.chunks]
        )
        uids = encoded.chunks[-1].dictionary if encoded.num_chunks else pa.array([], pa.string())
        names: list[str] = []
        label_codes = np.full(len(uids), -1, dtype=np.int32)
        read = 0
        for label, part in zip(labels_wanted, label_parts, strict=True):
            size = sum(len(chunk) for chunk in part)
            label_codes[codes[read : read + size]] = _code(names, label)
            read += size
        _label_by_prefix(uids, label_codes, names)
        n_edges = sum(counts)
        node_pieces = self._node_pieces(uids, label_codes, names, node_props)
        return Projection.from_arrow(
            uids,
            (label_codes, tuple(names)),
            codes[read : read + n_edges],
            codes[read + n_edges :],
            (np.repeat(np.arange(len(counts), dtype=np.int32), counts), tuple(rel_types)),
            pa.chunked_array(rids, type=pa.string()) if with_rids else None,
            {k: PropColumn(n_edges, tuple(v)) for k, v in edge_pieces.items()},
            {k: PropColumn(len(uids), tuple(v)) for k, v in node_pieces.items()},
        )

    def _node_pieces(
        self,
        uids: pa.Array,
        label_codes: npt.NDArray[np.int32],
        names: Sequence[str],
        node_props: Sequence[str],
    ) -> dict[str, list[tuple[npt.NDArray[np.int64], Column]]]:
        """Each node property as pieces, one per label holding it: the label's nodes in the
        projection and their values (read by label, matched by uid)."""
        pieces: dict[str, list[tuple[npt.NDArray[np.int64], Column]]] = {
            name: [] for name in node_props
        }
        if not node_props:
            return pieces
        for label in sorted(set(names)):
            have = (
                {p.name for p in NODE_BY_LABEL[label].all_props} if label in NODE_BY_LABEL else ()
            )
            wanted = [p for p in node_props if p in have]
            if not wanted:
                continue
            props = "".join(f", n.{p} AS {p}" for p in wanted)
            columns = self._columns(render("project_nodes", self.dialect, label=label, props=props))
            nodes = np.flatnonzero(label_codes == names.index(label)).astype(np.int64)
            if not columns or not nodes.size:
                continue
            table_uids = pa.chunked_array(_strings(columns["uid"]), type=pa.string())
            rows = pc.index_in(uids.take(pa.array(nodes)), value_set=table_uids.combine_chunks())
            found = np.asarray(rows.is_valid())
            at = pa.array(np.asarray(rows.filter(found).to_numpy(), dtype=np.int64))
            for name in wanted:
                values = columns[name]
                if isinstance(values, list):
                    picked: Column = [values[i] for i in at.to_pylist()]
                else:
                    picked = values.take(at)
                pieces[name].append((nodes[found], picked))
        return pieces

    def _edge_columns(self, rel_type: str, statement: str) -> list[dict[str, Column]]:
        """A projection's edges of one type (``project_edges``), as pages of columns."""
        page = self._columns(statement)
        return [page] if page else []

    def _columns(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, Column]:
        """A read's result by column (none when it returned no row): Arrow arrays, dates as
        ISO text; a column Arrow will not take (mixed types) stays a list."""
        rows = self._run(statement, params)
        out: dict[str, Column] = {}
        for name in rows[0] if rows else ():
            values = [iso_text(self._native(row[name])) for row in rows]
            try:
                out[name] = pa.array(values)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                out[name] = values  # Neo4j is schemaless: one property, several types
        return out

    def query(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run the named query from ``queries/`` (dialect file first) and return its rows."""
        rows = self._run(load_query(name, self.dialect), params or {})
        return [{k: self._plain(v) for k, v in row.items()} for row in rows]

    def query_table(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        *,
        pages_over: str | None = None,
    ) -> pa.Table:
        """Run the named query and return its rows as an Arrow table (no row, no column);
        the server streams results, so ``pages_over`` changes nothing here."""
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
        """Delete every node and relationship (the schema stays), a batch at a time where
        the dialect's statement deletes a batch."""
        statement = load_query("wipe", self.dialect)
        while any(row["deleted"] for row in self._run(statement)):
            pass

    @staticmethod
    def _props(items: Mapping[str, Any], native: Any) -> dict[str, Any]:
        """Properties without driver internals, key fields or nulls (Neo4j keeps no nulls)."""
        return {
            k: native(v)
            for k, v in items.items()
            if v is not None and k not in _HIDDEN and not k.startswith("_")
        }
