"""Shell clusters on Neo4j with the Graph Data Science plugin, through ``graphdatascience``.

The link graph (step 3 of :mod:`algorithms.shells`) is built *inside* Neo4j by a Cypher
projection (``queries/shells/gds_link_graph.cypher``, the same weights, hub rules, caps and
threshold), and its components come from ``gds.wcc``; ``gds.degree`` gives each cluster's
link count. The business and identifier counts and the hubs are aggregated by Cypher in the
server (``queries/neo4j/shells/gds_summary.cypher``). Only the clusters' members cross Bolt
(their identifiers with each one's degree, registration dates, stores and listings), as a
small projection that the same code as :func:`algorithms.shells.find_shell_clusters` scores
and explains, so both paths return the same clusters (the contract suite checks it) and no
whole-graph projection leaves the server. The in-memory GDS graph is dropped whatever
happens.

Only :func:`algorithms.shells.service.detect_shells` calls this, after ``has_gds()``;
``graphdatascience`` is imported here and nowhere else.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from algorithms.shells.core import (
    _EDGES,
    HubAction,
    HubReport,
    IdentifierKind,
    ShellCluster,
    ShellParams,
    ShellResult,
    ShellStats,
    _context,
    _describe,
    _incidence,
    _Usable,
    hub_report,
)
from graph.errors import InvalidInput, StoreError
from graph.model import Projection
from graph.store import GraphStore
from queries import load_query

__all__ = ["gds_components", "find_shell_clusters_gds"]

_CHUNK = 5_000  # members per query: a bounded parameter list whatever the graph's size


def _client(store: GraphStore) -> Any:
    """A GDS client on the store's own driver (Bolt only: no Arrow credentials here)."""
    from graphdatascience import GraphDataScience

    driver = getattr(store, "_driver", None)
    if driver is None or store.dialect != "neo4j":
        raise InvalidInput("the GDS path needs a Neo4j store", field="store")
    return GraphDataScience(
        driver, arrow=False, database=getattr(store, "database", None), show_progress=False
    )


def _graph_exists(gds: Any, name: str) -> bool:
    rows = gds.run_cypher(
        "CALL gds.graph.exists($name) YIELD exists RETURN exists", params={"name": name}
    )
    return bool(rows["exists"].iloc[0])


def gds_components(store: GraphStore, params: ShellParams) -> tuple[list[list[str]], list[int]]:
    """Components of the link graph with 2+ members (uids) and their link counts, via GDS.

    Raises
    ------
    StoreError
        If a GDS call fails (the message says which).
    """
    gds = _client(store)
    name = f"credgraph-shells-{uuid.uuid4().hex[:12]}"
    query = load_query("shells/gds_link_graph", "neo4j")
    config: dict[str, Any] = {
        "graph": name,
        "at": params.at,
        "weights": {str(k): float(v) for k, v in params.weights.items()},
        "hub_threshold": {str(k): int(v) for k, v in params.hub_threshold.items()},
        "downweight": params.hub_action.value == "downweighted",
        "max_linked": params.max_linked_degree,
        "link_threshold": params.link_threshold,
    }
    try:
        graph, _ = gds.graph.project.cypher(query, **config)
        try:
            if graph.node_count() == 0:
                return [], []
            wcc = gds.wcc.stream(graph)
            degree = gds.degree.stream(graph)
        finally:
            gds.graph.drop(graph, fail_if_missing=False)
        ids = [int(i) for i in wcc["nodeId"].tolist()]
        rows = gds.run_cypher(
            "UNWIND $ids AS id RETURN id, gds.util.asNode(id).uid AS uid", params={"ids": ids}
        )
    except ValueError as exc:
        # The client's words for a projection of no rows (no pair linked): either "produced
        # no rows", or, when the aggregation returned its null, "must end with a single
        # RETURN gds.graph.project(...)". Either way no graph was made.
        if not _graph_exists(gds, name):
            return [], []
        gds.graph.drop(name, fail_if_missing=False)
        raise StoreError(f"GDS shell projection failed: {exc}") from exc
    except Exception as exc:
        if isinstance(exc, StoreError):
            raise
        raise StoreError(f"GDS shell clustering failed: {exc}") from exc
    uid_of = dict(zip(rows["id"].tolist(), rows["uid"].tolist(), strict=True))
    deg = dict(zip(degree["nodeId"].tolist(), degree["score"].tolist(), strict=True))
    members: dict[int, list[str]] = defaultdict(list)
    links: dict[int, float] = defaultdict(float)
    for node, comp in zip(ids, wcc["componentId"].tolist(), strict=True):
        members[int(comp)].append(str(uid_of[node]))
        links[int(comp)] += float(deg.get(node, 0.0))
    comps = sorted(members, key=lambda c: min(members[c]))
    return [sorted(members[c]) for c in comps], [round(links[c] / 2) for c in comps]


@dataclass(frozen=True)
class _Summary:
    """The whole-graph figures, aggregated in the server."""

    businesses: int
    identifiers: int
    hubs: list[HubReport]
    operates: bool


def _summary(store: GraphStore, params: ShellParams) -> _Summary:
    thresholds = {str(k): int(v) for k, v in params.hub_threshold.items()}
    rows = store.query("shells/gds_summary", {"at": params.at, "hub_threshold": thresholds})
    row = rows[0]
    hubs = [
        hub_report(str(h["uid"]), IdentifierKind(h["kind"]), int(h["degree"]), params)
        for h in row["hubs"]
    ]
    hubs.sort(key=lambda h: (-h.degree, h.kind.value, h.uid))
    return _Summary(int(row["businesses"]), int(row["identifiers"]), hubs, bool(row["operates"]))


def _day(value: Any) -> str | None:
    """A stored date (string, ``neo4j.time.Date`` or ``DateTime``) as ISO ``YYYY-MM-DD``."""
    return None if value is None else str(value)[:10]


def _members_projection(
    store: GraphStore, members: Sequence[str], params: ShellParams
) -> Projection:
    """The clusters' members with what scoring reads about them, as a small projection.

    Identifier edges arrive already filtered on ``params.at``; identifiers that carry no
    weight (excluded hubs, kinds weighted 0) are left out, as the projection path drops
    them before scoring. Stores and listings keep their since/until for :func:`_context`.
    """
    nodes: dict[str, str] = dict.fromkeys(members, "Business")
    edges: list[tuple[str, str, str, str]] = []
    since: list[str | None] = []
    until: list[str | None] = []
    props: dict[str, dict[str, Any]] = {"established": {}, "list_type": {}, "removed": {}}

    def edge(rel: str, src: str, dst: str, start: Any = None, end: Any = None) -> None:
        edges.append((f"e{len(edges)}", rel, src, dst))
        since.append(_day(start))
        until.append(_day(end))

    for k in range(0, len(members), _CHUNK):
        uids = list(members[k : k + _CHUNK])
        for row in store.query("shells/gds_member_identifiers", {"uids": uids, "at": params.at}):
            kind = IdentifierKind(row["kind"])
            degree = int(row["degree"])
            if params.weights[kind] <= 0 or (
                degree > params.hub_threshold[kind]
                and hub_report("", kind, degree, params).action is HubAction.EXCLUDED
            ):
                continue
            ident, business = str(row["identifier"]), str(row["business"])
            nodes.setdefault(ident, "Identifier")
            rel, identifier_is_src = _EDGES[kind]
            edge(rel, *((ident, business) if identifier_is_src else (business, ident)))
        for row in store.query("shells/gds_member_facts", {"uids": uids}):
            business = str(row["business"])
            props["established"][business] = row["established"]
            for op in row["operates"]:
                target = str(op["target"])
                nodes.setdefault(target, "Store")
                edge("OPERATES", business, target, op["since"], op["until"])
            for listed in row["listed"]:
                target = str(listed["target"])
                nodes.setdefault(target, "Listing")
                props["list_type"][target] = listed["list_type"]
                props["removed"][target] = _day(listed["removed"])
                edge("LISTED", business, target, listed["since"], listed["until"])
    order = list(nodes)
    return Projection.from_records(
        ((uid, nodes[uid]) for uid in order),
        edges,
        edge_props={"since": since, "until": until},
        node_props={name: [values.get(uid) for uid in order] for name, values in props.items()},
    )


def _describe_found(
    store: GraphStore, found: list[tuple[list[str], int]], params: ShellParams, operates: bool
) -> list[ShellCluster]:
    """Score and explain the components GDS found, from their members' facts alone."""
    members = sorted({uid for uids, _ in found for uid in uids})
    sub = _members_projection(store, members, params)
    inc = _incidence(sub, params.at)
    usable = _Usable(inc.matrix, inc.kind)
    ctx = replace(_context(sub, params), has_store_data=operates)
    row_of = {u: r for r, u in enumerate(sub.uid_list(inc.businesses))}
    return [
        _describe(
            sub, inc, usable, np.sort(np.array([row_of[u] for u in uids], np.int64)), n, ctx, params
        )
        for uids, n in found
    ]


def find_shell_clusters_gds(store: GraphStore, params: ShellParams | None = None) -> ShellResult:
    """:func:`~algorithms.shells.find_shell_clusters` with the work done in the server.

    The link graph is projected and split into components by GDS, the hub and identifier
    counts are aggregated by Cypher, and only the clusters' members (their identifiers,
    registration dates, stores and listings) cross Bolt to be scored and explained by the
    same code as the projection path.

    Parameters
    ----------
    store : GraphStore
        A Neo4j store whose server has the GDS plugin.
    params : ShellParams, optional
        As for :func:`~algorithms.shells.find_shell_clusters`.

    Returns
    -------
    ShellResult
        The same clusters, scores, reasons and hubs as the projection path;
        ``stats.candidate_pairs`` is -1 (the server never materialises pairs below the
        threshold for us).

    Raises
    ------
    InvalidInput
        If the store holds no business or is not Neo4j.
    StoreError
        If a GDS call fails.
    """
    params = params or ShellParams()
    if store.dialect != "neo4j":
        raise InvalidInput("the GDS path needs a Neo4j store", field="store")
    summary = _summary(store, params)
    if summary.businesses == 0:
        raise InvalidInput("the projection holds no Business node", field="labels")
    components, link_counts = gds_components(store, params)
    found = [
        (uids, n)
        for uids, n in zip(components, link_counts, strict=True)
        if len(uids) >= params.min_size
    ]
    clusters = _describe_found(store, found, params, summary.operates) if found else []
    clusters.sort(key=lambda cl: (-cl.score, -len(cl.members), cl.id))
    stats = ShellStats(
        businesses=summary.businesses,
        identifiers=summary.identifiers,
        hubs=len(summary.hubs),
        candidate_pairs=-1,
        links=int(sum(link_counts)),
        components=len(components),
        clusters=len(clusters),
    )
    return ShellResult(tuple(clusters), tuple(summary.hubs), stats)
