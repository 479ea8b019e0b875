"""Shell-entity clusters through the store port: detect, write back, list, read, review.

:func:`detect_shells` projects the identifier edges out of the store, finds clusters with
:func:`algorithms.shells.find_shell_clusters` (or, on Neo4j with the Graph Data Science
plugin, builds the link graph and its components inside the database through
:mod:`algorithms.shells.gds`; the clusters are the same) and writes them back:

* a ``ShellCluster`` node per cluster, uid ``shell:<cluster_id>``, with ``score``, ``size``,
  ``reasons`` and ``shared`` (JSON text), ``status`` (``suspected`` until an officer
  reviews it) and ``detection_run``;
* a ``MEMBER_OF`` edge from each member ``Business``, rid ``MEMBER_OF:<biz>-><shell>``,
  with ``similarity`` (the member's mean Jaccard similarity to the other members).

Identity across runs
    A cluster's id is the hash of its members (:func:`algorithms.shells.cluster_id`) the
    first time it is found. On later runs a cluster that shares a majority of its members
    with a stored cluster (and holds a majority of that cluster's members) *is* that
    cluster: it keeps its uid and its review, members that left lose their ``MEMBER_OF``
    and newcomers gain one. Re-running on unchanged data therefore rewrites the same
    nodes and edges, never duplicates. A stored cluster no longer found keeps its node
    (and its review, if any) with ``size`` 0 and no members; lists leave it out unless
    asked.
Reviews
    :func:`review_cluster` sets ``status`` to ``confirmed`` or ``dismissed`` with the
    officer, reason and time. Detection never changes a reviewed status.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from algorithms.shells.agents import AGENT_REL_TYPES, AgentParams
from algorithms.shells.agents import formation_agents as find_formation_agents
from algorithms.shells.core import ShellCluster, ShellParams, ShellResult, find_shell_clusters
from graph.errors import InvalidInput, NotFound
from graph.model import Projection
from graph.paging import KeyPart, decode_cursor, encode_cursor
from graph.render import display_name, reason_text
from graph.store import GraphStore

__all__ = [
    "SHELL_EDGE_PROPS",
    "SHELL_NODE_PROPS",
    "SHELL_REL_TYPES",
    "ClusterDetail",
    "ClusterMember",
    "ClusterPage",
    "ClusterStatus",
    "ClusterSummary",
    "Decision",
    "FormationOut",
    "detect_shells",
    "formation_agents",
    "get_cluster",
    "list_clusters",
    "member_rid",
    "project_for_shells",
    "review_cluster",
    "shell_uid",
]

#: What the algorithm reads: identifier edges, stores (``OPERATES``) and listings.
SHELL_REL_TYPES: tuple[str, ...] = (
    "REGISTERED_AT",
    "HAS_PHONE",
    "HAS_EMAIL",
    "LEGAL_REPRESENTATIVE_OF",
    "SHAREHOLDER_OF",
    "REGISTRATION_AGENT_OF",
    "OPERATES",
    "LISTED",
)
SHELL_NODE_PROPS: tuple[str, ...] = ("established", "list_type", "removed")
SHELL_EDGE_PROPS: tuple[str, ...] = ("since", "until")

_PREFIX = "shell:"
#: Placeholder keyset values for the first page (the query ignores them when ``$first``).
_CLUSTER_FIRST: tuple[KeyPart, ...] = (0.0, 0, "")


class ClusterStatus(StrEnum):
    """Where a cluster stands with the officers."""

    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class Decision(StrEnum):
    """An officer's review decision."""

    CONFIRM = "confirm"
    DISMISS = "dismiss"


_STATUS_OF = {Decision.CONFIRM: ClusterStatus.CONFIRMED, Decision.DISMISS: ClusterStatus.DISMISSED}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ClusterSummary(_Model):
    """A stored shell cluster without its members."""

    uid: str = Field(description="shell:<cluster_id>")
    cluster_id: str
    score: float = Field(description="0..1, higher is more suspicious")
    size: int = Field(description="members now; 0 when the last run no longer found it")
    reasons: list[str] = Field(description="Why it looks like one operation, in words")
    shared: dict[str, int] = Field(description="Identifiers held by 2+ members, per kind")
    status: ClusterStatus
    reviewed_by: str | None = None
    review_reason: str | None = None
    reviewed_at: datetime | None = None
    detection_run: str | None = None


class ClusterMember(_Model):
    """A member business, most typical (highest similarity) first."""

    uid: str
    name: str | None = None
    uscc: str | None = None
    status: str | None = None
    established: str | None = None
    similarity: float = Field(description="Mean Jaccard similarity to the other members")


class ClusterDetail(ClusterSummary):
    """A cluster with its members."""

    members: list[ClusterMember]


class ClusterPage(_Model):
    """One page of clusters, highest score first; ``total`` counts every match and ``next``
    is the cursor of the following page (None on the last)."""

    items: list[ClusterSummary]
    total: int
    limit: int
    next: str | None = None


def shell_uid(cluster_id: str) -> str:
    """The node uid of a cluster id (an id already prefixed is returned as is)."""
    text = cluster_id.strip()
    if not text:
        raise InvalidInput("a cluster id is required", field="id")
    return text if text.startswith(_PREFIX) else _PREFIX + text


def member_rid(business: str, cluster_uid: str) -> str:
    """The rid of a business's ``MEMBER_OF`` edge into a shell cluster."""
    return f"MEMBER_OF:{business}->{cluster_uid}"


# --------------------------------------------------------------------------- detection


def project_for_shells(store: GraphStore, *, dated: bool = True) -> Projection:
    """The projection :func:`~algorithms.shells.find_shell_clusters` reads, from ``store``
    (without rids: the algorithm never reads them, and they are a string per edge).
    ``dated=False`` leaves out the edges' ``since``/``until``, read only for ``params.at``."""
    return store.project(
        SHELL_REL_TYPES,
        node_props=SHELL_NODE_PROPS,
        edge_props=SHELL_EDGE_PROPS if dated else (),
        node_labels=("Business",),
        with_rids=False,
    )


def _use_gds(store: GraphStore, use_gds: bool | None) -> bool:
    if use_gds is False or store.dialect != "neo4j":
        if use_gds:
            raise InvalidInput("the GDS path needs a Neo4j store", field="use_gds")
        return False
    has_gds = getattr(store, "has_gds", None)
    available = bool(callable(has_gds) and has_gds())
    if use_gds and not available:
        raise InvalidInput("this Neo4j server has no Graph Data Science plugin", field="use_gds")
    return available


def _run_id(now: datetime, result: ShellResult) -> str:
    digest = hashlib.blake2b(
        "|".join(c.id for c in result.clusters).encode(), digest_size=4
    ).hexdigest()
    return f"shells-{now.strftime('%Y%m%dT%H%M%SZ')}-{digest}"


def _match_previous(
    clusters: Sequence[ShellCluster], previous: Mapping[str, set[str]]
) -> dict[int, str]:
    """New cluster index -> stored cluster uid it continues (majority overlap both ways)."""
    owner = {b: uid for uid, members in previous.items() for b in members}
    candidates: list[tuple[int, str, int]] = []
    for k, cluster in enumerate(clusters):
        overlap: dict[str, int] = {}
        for b in cluster.members:
            uid = owner.get(b)
            if uid is not None:
                overlap[uid] = overlap.get(uid, 0) + 1
        for uid, n in overlap.items():
            if 2 * n > len(cluster.members) and 2 * n > len(previous[uid]):
                candidates.append((n, uid, k))
    matched: dict[int, str] = {}
    used: set[str] = set()
    for _, uid, k in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if k not in matched and uid not in used:
            matched[k] = uid
            used.add(uid)
    return matched


def detect_shells(
    store: GraphStore,
    params: ShellParams | None = None,
    *,
    use_gds: bool | None = None,
    now: datetime | None = None,
) -> ShellResult:
    """Find shell clusters in ``store`` and write them back (see the module docstring).

    Parameters
    ----------
    store : GraphStore
        Any store; on Neo4j with GDS the link graph and its components are computed there.
    params : ShellParams, optional
        Weights, hub thresholds, link threshold, minimum size (defaults documented there).
    use_gds : bool or None
        None picks GDS when the store offers it; True insists (InvalidInput without it);
        False forces the projection path.
    now : datetime, optional
        The time recorded on the written nodes (default: now, UTC).

    Returns
    -------
    ShellResult
        The clusters as written: each cluster's ``id`` is its stored ``cluster_id`` (uid
        ``shell:<id>``), which a cluster found before keeps even as its members change.

    Raises
    ------
    InvalidInput
        If the store holds no business, or GDS is insisted on where it is missing.
    """
    params = params or ShellParams()
    if _use_gds(store, use_gds):
        from algorithms.shells.gds import find_shell_clusters_gds

        result = find_shell_clusters_gds(store, params)
    else:
        result = find_shell_clusters(project_for_shells(store, dated=params.at is not None), params)
    return _write_back(store, result, now or datetime.now(UTC))


def _previous(store: GraphStore) -> tuple[dict[str, dict[str, Any]], dict[str, set[str]]]:
    nodes = {row["uid"]: row for row in store.query("shells/all_clusters")}
    members: dict[str, set[str]] = {uid: set() for uid in nodes}
    for row in store.query("shells/memberships"):
        members.setdefault(row["cluster"], set()).add(row["business"])
    return nodes, members


def _write_back(store: GraphStore, result: ShellResult, now: datetime) -> ShellResult:
    stamp = now.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    run = _run_id(stamp, result)
    with store.transaction():
        stored, previous = _previous(store)
        matched = _match_previous(result.clusters, previous)
        renamed: list[ShellCluster] = []
        node_rows: list[dict[str, Any]] = []
        edge_rows: list[dict[str, Any]] = []
        keep: set[str] = set()
        for k, cluster in enumerate(result.clusters):
            uid = matched.get(k) or shell_uid(cluster.id)
            cid = uid.removeprefix(_PREFIX)
            renamed.append(replace(cluster, id=cid))
            old = stored.get(uid, {})
            node_rows.append(
                {
                    "uid": uid,
                    "cluster_id": cid,
                    "score": cluster.score,
                    "size": len(cluster.members),
                    "reasons": json.dumps(list(cluster.reasons), ensure_ascii=False),
                    "shared": json.dumps(
                        {str(k): v for k, v in cluster.shared.items()}, sort_keys=True
                    ),
                    "status": old.get("status") or ClusterStatus.SUSPECTED.value,
                    "reviewed_by": old.get("reviewed_by"),
                    "review_reason": old.get("review_reason"),
                    "reviewed_at": old.get("reviewed_at"),
                    "detection_run": run,
                    "source": "detect_shells",
                    "run_id": run,
                    "first_seen": old.get("first_seen") or stamp,
                    "last_seen": stamp,
                }
            )
            for business, similarity in zip(cluster.members, cluster.mean_jaccard, strict=True):
                rid = member_rid(business, uid)
                keep.add(rid)
                edge_rows.append(
                    {
                        "rid": rid,
                        "src": business,
                        "dst": uid,
                        "similarity": similarity,
                        "source": "detect_shells",
                        "run_id": run,
                        "first_seen": stamp,
                        "last_seen": stamp,
                    }
                )
        gone_rids = [
            member_rid(b, uid)
            for uid, members in previous.items()
            for b in members
            if member_rid(b, uid) not in keep
        ]
        written = {row["uid"] for row in node_rows}
        vanished = [{"uid": uid, "size": 0} for uid in stored if uid not in written]
        if gone_rids:
            store.delete_relationships("MEMBER_OF", gone_rids)
        if node_rows:
            store.upsert_nodes("ShellCluster", node_rows)
        if vanished:
            store.set_node_properties("ShellCluster", vanished)
        if edge_rows:
            store.upsert_relationships("MEMBER_OF", "Business", "ShellCluster", edge_rows)
    return replace(result, clusters=tuple(renamed))


# --------------------------------------------------------------------------- reads


def _json_list(text: Any) -> list[str]:
    if not text:
        return []
    value = json.loads(text)
    return [str(v) for v in value] if isinstance(value, list) else []


def _json_counts(text: Any) -> dict[str, int]:
    if not text:
        return {}
    value = json.loads(text)
    return {str(k): int(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _summary_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "uid": row["uid"],
        "cluster_id": row.get("cluster_id") or str(row["uid"]).removeprefix(_PREFIX),
        "score": float(row.get("score") or 0.0),
        "size": int(row.get("size") or 0),
        "reasons": _json_list(row.get("reasons")),
        "shared": _json_counts(row.get("shared")),
        "status": ClusterStatus(row.get("status") or ClusterStatus.SUSPECTED.value),
        "reviewed_by": row.get("reviewed_by"),
        "review_reason": row.get("review_reason"),
        "reviewed_at": row.get("reviewed_at"),
        "detection_run": row.get("detection_run"),
    }


def list_clusters(
    store: GraphStore,
    *,
    status: ClusterStatus | None = None,
    min_score: float = 0.0,
    include_vanished: bool = False,
    limit: int = 50,
    cursor: str | None = None,
) -> ClusterPage:
    """Stored clusters, highest score first (ties: larger, then by uid), one page from
    ``cursor`` (the ``next`` of the previous page; None for the first).

    Raises
    ------
    InvalidInput
        If ``limit`` is outside 1..1000 or ``cursor`` is not one this list issued.
    """
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must lie in 1..1000", field="limit")
    after = _CLUSTER_FIRST if cursor is None else decode_cursor("shells", cursor, (float, int, str))
    params = {
        "status": status.value if status is not None else "",
        "min_score": float(min_score),
        "min_size": 0 if include_vanished else 1,
    }
    total = int(store.query("shells/count_clusters", params)[0]["n"])
    rows = store.query(
        "shells/list_clusters",
        {
            **params,
            "first": cursor is None,
            "after_score": after[0],
            "after_size": after[1],
            "after_uid": after[2],
            "limit": limit + 1,
        },
    )
    items = [ClusterSummary(**_summary_fields(row)) for row in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    nxt = (
        None
        if last is None
        else encode_cursor("shells", (float(last["score"]), int(last["size"]), str(last["uid"])))
    )
    return ClusterPage(items=items, total=total, limit=limit, next=nxt)


def get_cluster(store: GraphStore, cluster: str) -> ClusterDetail:
    """One cluster with its members, most typical first.

    Raises
    ------
    NotFound
        If no cluster has this id (with or without the ``shell:`` prefix).
    """
    uid = shell_uid(cluster)
    rows = store.query("shells/get_cluster", {"uid": uid})
    if not rows:
        raise NotFound(f"no shell cluster {uid!r}")
    members = [
        ClusterMember(
            uid=row["uid"],
            name=row.get("name"),
            uscc=row.get("uscc"),
            status=row.get("status"),
            established=str(row["established"]) if row.get("established") else None,
            similarity=float(row.get("similarity") or 0.0),
        )
        for row in store.query("shells/cluster_members", {"uid": uid})
    ]
    members.sort(key=lambda m: (-m.similarity, m.uid))
    return ClusterDetail(**_summary_fields(rows[0]), members=members)


def review_cluster(
    store: GraphStore,
    cluster: str,
    decision: Decision,
    officer: str,
    reason: str,
    *,
    now: datetime | None = None,
) -> ClusterDetail:
    """Record an officer's decision on a cluster; later detection runs keep it.

    Raises
    ------
    NotFound
        If no cluster has this id.
    InvalidInput
        If the officer or the reason is blank.
    """
    if not officer.strip():
        raise InvalidInput("the reviewing officer is required", field="officer")
    if not reason.strip():
        raise InvalidInput("a reason is required", field="reason")
    uid = shell_uid(cluster)
    if not store.query("shells/get_cluster", {"uid": uid}):
        raise NotFound(f"no shell cluster {uid!r}")
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    store.set_node_properties(
        "ShellCluster",
        [
            {
                "uid": uid,
                "status": _STATUS_OF[Decision(decision)].value,
                "reviewed_by": officer.strip(),
                "review_reason": reason.strip(),
                "reviewed_at": stamp,
            }
        ],
    )
    return get_cluster(store, uid)


# --------------------------------------------------------------------------- formation agents


class FormationOut(BaseModel):
    """Companies formed by one agent at one address (or registered at one address)."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(description="formation_agent | registered_office")
    agent: str | None
    agent_name: str | None
    address: str
    address_text: str | None
    companies: int
    burst: int = Field(description="Most companies established within the window")
    burst_from: date | None
    burst_to: date | None
    window_days: int
    score: float
    reason_zh: str
    reason_en: str
    examples: list[str] = Field(description="Up to 20 of the companies, earliest first")


def formation_agents(
    store: GraphStore, params: AgentParams | None = None, *, limit: int = 100
) -> list[FormationOut]:
    """Agents and addresses that registered many companies, ranked (a batch read).

    Raises
    ------
    InvalidInput
        If ``limit`` is outside 1..10,000.
    """
    if not 1 <= limit <= 10_000:
        raise InvalidInput("limit must be between 1 and 10000", field="limit")
    params = params or AgentParams(at=datetime.now(UTC).date())
    projection = store.project(
        AGENT_REL_TYPES, node_props=("established",), edge_props=("since", "until")
    )
    found = find_formation_agents(projection, params)[:limit]
    wanted = sorted({u for f in found for u in (f.agent, f.address) if u})
    names = {n.uid: display_name(n) for n in store.get_nodes(wanted)}
    out = []
    for f in found:
        words = {
            **f.params,
            "agent": names.get(f.agent, f.agent) if f.agent else "",
            "address": names.get(f.address, f.address),
        }
        out.append(
            FormationOut(
                code=f.code,
                agent=f.agent,
                agent_name=names.get(f.agent) if f.agent else None,
                address=f.address,
                address_text=names.get(f.address),
                companies=len(f.companies),
                burst=f.burst,
                burst_from=f.burst_from,
                burst_to=f.burst_to,
                window_days=params.window_days,
                score=f.score,
                reason_zh=reason_text(f.code, words, "zh"),
                reason_en=reason_text(f.code, words, "en"),
                examples=list(f.companies[:20]),
            )
        )
    return out
