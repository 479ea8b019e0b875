"""Backend-neutral nodes, edges, paths, subgraphs and projections (graphs and orders as arrays).

Adapters turn driver records into these; algorithms and the API see nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from graph.errors import InvalidInput

__all__ = ["Counts", "Edge", "Node", "OrderTable", "Path", "Projection", "Subgraph", "as_date"]


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


@dataclass(frozen=True)
class Projection:
    """A graph pulled into arrays for algorithms.

    Nodes are numbered ``0..n-1``; ``uids[i]`` and ``labels[i]`` describe node ``i``.
    Edge ``k`` runs from ``src[k]`` to ``dst[k]`` with type ``types[k]``; requested
    edge and node properties are arrays aligned with them (``None`` where unset).
    """

    uids: npt.NDArray[np.object_]
    labels: npt.NDArray[np.object_]
    src: npt.NDArray[np.int64]
    dst: npt.NDArray[np.int64]
    types: npt.NDArray[np.object_]
    rids: npt.NDArray[np.object_]
    edge_props: Mapping[str, npt.NDArray[Any]] = field(default_factory=dict)
    node_props: Mapping[str, npt.NDArray[Any]] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.uids.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return int(self.src.shape[0])

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
            mask = np.isin(self.types, list(types))
        values = np.ones(int(mask.sum())) if weights is None else weights[mask]
        rows, cols = self.src[mask], self.dst[mask]
        if symmetric:
            rows, cols = np.concatenate([rows, cols]), np.concatenate([cols, rows])
            values = np.concatenate([values, values])
        n = self.n_nodes
        return sparse.csr_matrix((values, (rows, cols)), shape=(n, n))

    @classmethod
    def from_columns(
        cls,
        uids: Sequence[str],
        labels: Sequence[str],
        rids: Sequence[str],
        types: Sequence[str],
        src_uids: Sequence[str],
        dst_uids: Sequence[str],
        edge_props: Mapping[str, list[Any]] | None = None,
        node_props: Mapping[str, list[Any]] | None = None,
    ) -> Projection:
        """Build from aligned columns: nodes (uid, label) and edges (rid, type, src, dst uids);
        every edge end must be among ``uids``. Ends are numbered by one hash lookup per
        column (pandas), not a dict lookup per edge."""
        index = pd.Index(np.asarray(uids, dtype=object))
        src = index.get_indexer(np.asarray(src_uids, dtype=object)).astype(np.int64)
        dst = index.get_indexer(np.asarray(dst_uids, dtype=object)).astype(np.int64)
        if (src < 0).any() or (dst < 0).any():
            raise InvalidInput("an edge end is not among the nodes", field="edges")
        return cls(
            uids=np.asarray(uids, dtype=object),
            labels=np.asarray(labels, dtype=object),
            src=src,
            dst=dst,
            types=np.asarray(types, dtype=object),
            rids=np.asarray(rids, dtype=object),
            edge_props={k: _as_array(v) for k, v in (edge_props or {}).items()},
            node_props={k: _as_array(v) for k, v in (node_props or {}).items()},
        )

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
