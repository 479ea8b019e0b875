"""Shell clusters on Neo4j with the Graph Data Science plugin, through ``graphdatascience``.

The link graph (step 3 of :mod:`algorithms.shells`) is built *inside* Neo4j by a Cypher
projection (``queries/shells/gds_link_graph.cypher``, the same weights, hub rules, caps and
threshold), and its components come from ``gds.wcc``; ``gds.degree`` gives each cluster's
link count. Scoring and member ranking then run on the projection exactly as in
:func:`algorithms.shells.find_shell_clusters`, so both paths return the same clusters (the
contract suite checks it). The in-memory GDS graph is dropped whatever happens.

Only :func:`algorithms.shells.service.detect_shells` calls this, after ``has_gds()``;
``graphdatascience`` is imported here and nowhere else.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import numpy as np
from scipy import sparse

from algorithms.shells.core import (
    ShellCluster,
    ShellParams,
    ShellResult,
    ShellStats,
    _context,
    _describe,
    _hub_weights,
    _incidence,
    _Usable,
)
from graph.errors import InvalidInput, StoreError
from graph.model import Projection
from graph.store import GraphStore
from queries import load_query

__all__ = ["gds_components", "find_shell_clusters_gds"]


def _client(store: GraphStore) -> Any:
    """A GDS client on the store's own driver (Bolt only: no Arrow credentials here)."""
    from graphdatascience import GraphDataScience

    driver = getattr(store, "_driver", None)
    if driver is None or store.dialect != "neo4j":
        raise InvalidInput("the GDS path needs a Neo4j store", field="store")
    return GraphDataScience(
        driver, arrow=False, database=getattr(store, "database", None), show_progress=False
    )


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
    except ValueError as exc:  # the client: a projection of no rows
        if "produced no rows" in str(exc):
            return [], []
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


def find_shell_clusters_gds(
    store: GraphStore, projection: Projection, params: ShellParams | None = None
) -> ShellResult:
    """:func:`~algorithms.shells.find_shell_clusters` with linking and WCC done by GDS.

    Parameters
    ----------
    store : GraphStore
        A Neo4j store whose server has the GDS plugin.
    projection : Projection
        The same projection the pure path reads (for scoring, ranking and hub reports).
    params : ShellParams, optional
        As for :func:`~algorithms.shells.find_shell_clusters`.

    Returns
    -------
    ShellResult
        The same clusters, scores and reasons as the pure path; ``stats.candidate_pairs``
        is -1 (the database never materialises pairs below the threshold for us).

    Raises
    ------
    InvalidInput
        If the projection has no Business node or the store is not Neo4j.
    StoreError
        If a GDS call fails.
    """
    params = params or ShellParams()
    if not projection.label_mask("Business").any():
        raise InvalidInput("the projection holds no Business node", field="labels")
    components, link_counts = gds_components(store, params)
    inc = _incidence(projection, params.at)
    weight, hubs = _hub_weights(inc, params, projection)
    ctx = _context(projection, params)
    kept = np.flatnonzero(weight > 0)
    usable = _Usable(sparse.csr_array(inc.matrix[:, kept]), inc.kind[kept])
    row_of = {u: r for r, u in enumerate(projection.uid_list(inc.businesses))}
    clusters: list[ShellCluster] = []
    for uids, n_links in zip(components, link_counts, strict=True):
        if len(uids) < params.min_size:
            continue
        rows = np.sort(np.array([row_of[u] for u in uids], dtype=np.int64))
        clusters.append(_describe(projection, inc, usable, rows, n_links, ctx, params))
    clusters.sort(key=lambda cl: (-cl.score, -len(cl.members), cl.id))
    stats = ShellStats(
        businesses=int(inc.matrix.shape[0]),
        identifiers=int(inc.matrix.shape[1]),
        hubs=len(hubs),
        candidate_pairs=-1,
        links=int(sum(link_counts)),
        components=len(components),
        clusters=len(clusters),
    )
    return ShellResult(tuple(clusters), tuple(hubs), stats)
