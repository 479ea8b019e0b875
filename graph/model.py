"""Backend-neutral nodes, edges, paths, subgraphs and projections (graphs and orders as arrays).

Adapters turn driver records into these; algorithms and the API see nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
from scipy import sparse

from graph.errors import InvalidInput

__all__ = [
    "Counts",
    "Edge",
    "Node",
    "OrderTable",
    "Path",
    "Projection",
    "PropColumn",
    "Subgraph",
    "as_date",
    "iso_text",
]


def as_date(value: Any) -> date | None:
    """A date property as a store or projection gives it back (date, datetime, ISO text),
    or None when unset (None, empty text, a NaN from a numeric column)."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Node:
    """A node: its uid, label and properties (uid excluded)."""

    uid: str
    label: str
    props: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        """A property value, or ``default`` when unset."""
        value = self.props.get(name)
        return default if value is None else value


@dataclass(frozen=True)
class Edge:
    """A directed relationship from ``src`` to ``dst`` (uids)."""

    rid: str
    type: str
    src: str
    dst: str
    props: Mapping[str, Any] = field(default_factory=dict)

    def other(self, uid: str) -> str:
        """The endpoint that is not ``uid``."""
        return self.dst if uid == self.src else self.src


@dataclass(frozen=True)
class Path:
    """A walk of nodes and edges; ``edges[i]`` joins ``nodes[i]`` and ``nodes[i+1]``."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def __len__(self) -> int:
        return len(self.edges)

    @property
    def uids(self) -> tuple[str, ...]:
        """The uids along the path."""
        return tuple(node.uid for node in self.nodes)


@dataclass(frozen=True)
class Subgraph:
    """Nodes and edges around a centre; ``truncated`` says a limit cut the expansion."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    truncated: bool = False

    def node(self, uid: str) -> Node | None:
        """The node with this uid, if present."""
        return next((n for n in self.nodes if n.uid == uid), None)


@dataclass(frozen=True)
class Counts:
    """How many nodes per label and relationships per type a store holds."""

    nodes: Mapping[str, int]
    relationships: Mapping[str, int]

    @property
    def total_nodes(self) -> int:
        """All nodes."""
        return sum(self.nodes.values())

    @property
    def total_relationships(self) -> int:
        """All relationships."""
        return sum(self.relationships.values())


class Projection:
    """A graph pulled into arrays for algorithms.

    Nodes are numbered ``0..n-1``; ``uids[i]`` and ``labels[i]`` describe node ``i``.
    Edge ``k`` runs from ``src[k]`` to ``dst[k]`` with type ``types[k]``; requested
    edge and node properties are arrays aligned with them (``None`` where unset).

    Built by a store (:meth:`from_arrow`), it stays compact: uids and rids are Arrow
    strings, labels and types small codes, and properties become arrays only when read;
    ``uids``, ``labels``, ``types`` and ``rids`` are made (once) when asked for, while
    :meth:`uid_list`, :meth:`label_mask` and :meth:`type_mask` never make them. A store
    asked for no rids (``with_rids=False``) gives a projection whose ``rids`` raise.
    """

    def __init__(
        self,
        uids: npt.NDArray[np.object_],
        labels: npt.NDArray[np.object_],
        src: npt.NDArray[np.int64],
        dst: npt.NDArray[np.int64],
        types: npt.NDArray[np.object_],
        rids: npt.NDArray[np.object_],
        edge_props: Mapping[str, npt.NDArray[Any]] | None = None,
        node_props: Mapping[str, npt.NDArray[Any]] | None = None,
    ) -> None:
        label_codes, label_names = pd.factorize(np.asarray(labels, dtype=object))
        type_codes, type_names = pd.factorize(np.asarray(types, dtype=object))
        self._init(
            np.asarray(uids, dtype=object),
            _Codes(label_codes.astype(np.int32), tuple(str(v) for v in label_names)),
            np.asarray(src, dtype=np.int64),
            np.asarray(dst, dtype=np.int64),
            _Codes(type_codes.astype(np.int32), tuple(str(v) for v in type_names)),
            np.asarray(rids, dtype=object),
            dict(edge_props or {}),
            dict(node_props or {}),
        )

    def _init(
        self,
        uids: npt.NDArray[np.object_] | pa.Array,
        labels: _Codes,
        src: npt.NDArray[np.int64],
        dst: npt.NDArray[np.int64],
        types: _Codes,
        rids: npt.NDArray[np.object_] | pa.ChunkedArray | None,
        edge_props: Mapping[str, npt.NDArray[Any]],
        node_props: Mapping[str, npt.NDArray[Any]],
    ) -> None:
        self._uids = uids
        self._labels = labels
        self.src = src
        self.dst = dst
        self._types = types
        self._rids = rids
        self.edge_props = edge_props
        self.node_props = node_props

    @classmethod
    def from_arrow(
        cls,
        uids: pa.Array,
        labels: tuple[npt.NDArray[np.int32], tuple[str, ...]],
        src: npt.NDArray[np.int64],
        dst: npt.NDArray[np.int64],
        types: tuple[npt.NDArray[np.int32], tuple[str, ...]],
        rids: pa.ChunkedArray | None,
        edge_props: Mapping[str, PropColumn],
        node_props: Mapping[str, PropColumn],
    ) -> Projection:
        """A compact projection: Arrow uids (and rids, or None when not read), labels and
        types as codes into their names, properties made into arrays when first read."""
        projection = cls.__new__(cls)
        projection._init(
            uids,
            _Codes(*labels),
            src,
            dst,
            _Codes(*types),
            rids,
            _LazyColumns(edge_props),
            _LazyColumns(node_props),
        )
        return projection

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self._uids)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return int(self.src.shape[0])

    @cached_property
    def uids(self) -> npt.NDArray[np.object_]:
        """Node uids (object array)."""
        if isinstance(self._uids, np.ndarray):
            return self._uids
        return np.asarray(self._uids.to_numpy(zero_copy_only=False), dtype=object)

    @cached_property
    def labels(self) -> npt.NDArray[np.object_]:
        """Node labels (object array)."""
        return self._labels.values()

    @cached_property
    def types(self) -> npt.NDArray[np.object_]:
        """Edge types (object array)."""
        return self._types.values()

    @cached_property
    def rids(self) -> npt.NDArray[np.object_]:
        """Edge rids (object array).

        Raises
        ------
        InvalidInput
            If the projection was made without rids.
        """
        if self._rids is None:
            raise InvalidInput("this projection was made without rids", field="rids")
        if isinstance(self._rids, np.ndarray):
            return self._rids
        return np.asarray(self._rids.to_numpy(), dtype=object)

    def uid_list(self, nodes: npt.NDArray[np.int64]) -> list[str]:
        """The uids of the given node numbers, without making every uid a Python string."""
        if isinstance(self._uids, np.ndarray) or "uids" in self.__dict__:
            return [str(u) for u in self.uids[nodes].tolist()]
        return [str(u) for u in self._uids.take(pa.array(nodes, pa.int64())).to_pylist()]

    def label_mask(self, *labels: str) -> npt.NDArray[np.bool_]:
        """Which nodes carry one of ``labels``."""
        return self._labels.mask(labels)

    def type_mask(self, *types: str) -> npt.NDArray[np.bool_]:
        """Which edges are of one of ``types``."""
        return self._types.mask(types)

    @cached_property
    def index(self) -> dict[str, int]:
        """Node number by uid."""
        return {str(uid): i for i, uid in enumerate(self.uids)}

    def adjacency(
        self,
        types: Iterable[str] | None = None,
        weights: npt.NDArray[np.float64] | None = None,
        *,
        symmetric: bool = False,
    ) -> sparse.csr_matrix:
        """A CSR matrix ``A[src, dst]`` over the chosen edge types (all when None)."""
        mask = np.ones(self.n_edges, dtype=bool)
        if types is not None:
            mask = self.type_mask(*types)
        values = np.ones(int(mask.sum())) if weights is None else weights[mask]
        rows, cols = self.src[mask], self.dst[mask]
        if symmetric:
            rows, cols = np.concatenate([rows, cols]), np.concatenate([cols, rows])
            values = np.concatenate([values, values])
        n = self.n_nodes
        return sparse.csr_matrix((values, (rows, cols)), shape=(n, n))

    def __repr__(self) -> str:
        return f"Projection({self.n_nodes} nodes, {self.n_edges} edges)"

    @classmethod
    def from_records(
        cls,
        nodes: Iterable[tuple[str, str]],
        edges: Iterable[tuple[str, str, str, str]],
        edge_props: Mapping[str, list[Any]] | None = None,
        node_props: Mapping[str, list[Any]] | None = None,
    ) -> Projection:
        """Build from ``(uid, label)`` nodes and ``(rid, type, src_uid, dst_uid)`` edges."""
        node_list = list(nodes)
        uids = np.array([uid for uid, _ in node_list], dtype=object)
        labels = np.array([label for _, label in node_list], dtype=object)
        position = {uid: i for i, (uid, _) in enumerate(node_list)}
        edge_list = list(edges)
        src = np.fromiter((position[e[2]] for e in edge_list), dtype=np.int64, count=len(edge_list))
        dst = np.fromiter((position[e[3]] for e in edge_list), dtype=np.int64, count=len(edge_list))
        return cls(
            uids=uids,
            labels=labels,
            src=src,
            dst=dst,
            types=np.array([e[1] for e in edge_list], dtype=object),
            rids=np.array([e[0] for e in edge_list], dtype=object),
            edge_props={k: _as_array(v) for k, v in (edge_props or {}).items()},
            node_props={k: _as_array(v) for k, v in (node_props or {}).items()},
        )


@dataclass(frozen=True)
class OrderTable:
    """Orders as aligned arrays; row ``k`` is one order.

    ``account`` and ``store`` number accounts ``0..n_accounts-1`` and stores
    ``0..n_stores-1``.  Times are epoch seconds (int64); ``shipped`` and ``delivered`` are -1 when
    unknown.  ``weight_kg`` is nan when unknown.  ``address`` and ``phone`` number the distinct
    receiver addresses and phones (-1 when unknown).  ``rating`` (1-5, nan when the order has no
    review) and ``reviewed`` (epoch seconds of the review, -1 when unknown) are optional: None
    when the orders carry no reviews at all.

    The ring detector's input (``algorithms.brushing``): its service builds one from the
    store's order pages, and ``ingest.generate.market`` generates markets as one.
    """

    account: npt.NDArray[np.int64]
    store: npt.NDArray[np.int64]
    placed: npt.NDArray[np.int64]
    weight_kg: npt.NDArray[np.float64]
    shipped: npt.NDArray[np.int64]
    delivered: npt.NDArray[np.int64]
    address: npt.NDArray[np.int64]
    phone: npt.NDArray[np.int64]
    n_accounts: int
    n_stores: int
    rating: npt.NDArray[np.float64] | None = None
    reviewed: npt.NDArray[np.int64] | None = None

    def __post_init__(self) -> None:
        n = self.account.shape[0]
        names = ["store", "placed", "weight_kg", "shipped", "delivered", "address", "phone"]
        names += [name for name in ("rating", "reviewed") if getattr(self, name) is not None]
        for name in names:
            if getattr(self, name).shape != (n,):
                shape = getattr(self, name).shape
                raise InvalidInput(f"expected {n} values, got shape {shape}", field=name)
        if n and (self.account.min() < 0 or self.account.max() >= self.n_accounts):
            raise InvalidInput("account index out of range", field="account")
        if n and (self.store.min() < 0 or self.store.max() >= self.n_stores):
            raise InvalidInput("store index out of range", field="store")
        if self.rating is not None:
            known = self.rating[np.isfinite(self.rating)]
            if known.size and (known.min() < 1 or known.max() > 5):
                raise InvalidInput("ratings must lie in 1..5", field="rating")

    @property
    def has_ratings(self) -> bool:
        """Whether any order carries a review rating."""
        return self.rating is not None and bool(np.isfinite(self.rating).any())

    @property
    def n_orders(self) -> int:
        """Number of orders."""
        return int(self.account.shape[0])


def _as_array(values: list[Any]) -> npt.NDArray[Any]:
    """Floats stay numeric (None -> nan); anything else is an object array."""
    if (
        values
        and all(v is None or isinstance(v, (int, float)) for v in values)
        and any(isinstance(v, float) for v in values)
    ):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return np.array(values, dtype=object)


@dataclass(frozen=True)
class _Codes:
    """Labels or types as codes into their distinct names (``-1``: none)."""

    codes: npt.NDArray[np.int32]
    names: tuple[str, ...]

    def values(self) -> npt.NDArray[np.object_]:
        lookup = np.empty(len(self.names) + 1, dtype=object)
        lookup[: len(self.names)] = self.names
        return np.asarray(lookup[self.codes], dtype=object)

    def mask(self, wanted: Iterable[str]) -> npt.NDArray[np.bool_]:
        chosen = set(wanted)
        return np.isin(self.codes, [i for i, name in enumerate(self.names) if name in chosen])


ArrowValues: TypeAlias = pa.Array | pa.ChunkedArray
_ARROW = (pa.Array, pa.ChunkedArray)


@dataclass(frozen=True)
class PropColumn:
    """One property's values for ``size`` items, in pieces read from a store: each piece
    an Arrow array (or a list) placed from an offset (int) or at given positions.

    :meth:`array` gives what :meth:`Projection.from_records` would make of the values
    (``None`` where no piece says otherwise): dates and times as ISO text, floats as a
    float array (nan for missing), anything else an object array. Repeated text (dates)
    is one Python string per distinct value, not one per item.
    """

    size: int
    pieces: tuple[tuple[int | npt.NDArray[np.int64], ArrowValues | list[Any]], ...] = ()

    def array(self) -> npt.NDArray[Any]:
        """The values as one array."""
        kinds = {
            _kind(chunk.type) if isinstance(chunk, _ARROW) else "other" for _, chunk in self.pieces
        }
        if kinds <= {"float", "null"}:
            floats = np.full(self.size, np.nan)
            known = False
            for where, chunk in self.pieces:
                if isinstance(chunk, _ARROW) and _kind(chunk.type) == "float":
                    known = known or chunk.null_count < len(chunk)
                    _put(
                        floats,
                        where,
                        np.asarray(chunk.to_numpy(zero_copy_only=False), dtype=np.float64),
                    )
            if known:
                return floats
        out = np.full(self.size, None, dtype=object)
        if kinds <= {"text", "temporal", "null"}:
            for where, chunk in self.pieces:
                if isinstance(chunk, _ARROW):
                    _put(out, where, _objects(chunk))
            return out
        for where, chunk in self.pieces:
            values = chunk if isinstance(chunk, list) else _pylist(chunk)
            _put(out, where, np.array(values + [None], dtype=object)[:-1])
        return _as_array(out.tolist())


class _LazyColumns(Mapping[str, npt.NDArray[Any]]):
    """Property arrays made from their :class:`PropColumn` when first read."""

    def __init__(self, columns: Mapping[str, PropColumn]) -> None:
        self._columns = dict(columns)
        self._made: dict[str, npt.NDArray[Any]] = {}

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        if name not in self._made:
            self._made[name] = self._columns[name].array()
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def _kind(kind: pa.DataType) -> str:
    if pa.types.is_floating(kind):
        return "float"
    if pa.types.is_null(kind):
        return "null"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "text"
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return "temporal"
    return "other"


def _put(out: npt.NDArray[Any], where: int | npt.NDArray[np.int64], values: Any) -> None:
    if isinstance(where, int):
        out[where : where + len(values)] = values
    else:
        out[where] = values


def iso_text(value: Any) -> Any:
    """Dates and times as ISO text, as projections carry them; other values unchanged."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _pylist(values: ArrowValues) -> list[Any]:
    return [iso_text(v) for v in values.to_pylist()]


def _objects(values: ArrowValues) -> npt.NDArray[np.object_]:
    """Text or dates as an object array holding one Python string per distinct value."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_null(values.type):
        return np.full(len(values), None, dtype=object)
    encoded = values.dictionary_encode()
    lookup = np.empty(len(encoded.dictionary) + 1, dtype=object)
    lookup[:-1] = _pylist(encoded.dictionary)
    codes = encoded.indices.fill_null(len(encoded.dictionary))
    return np.asarray(lookup[codes.to_numpy()], dtype=object)
