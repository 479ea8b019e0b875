"""Clusters of businesses linked through shared identifiers: suspected shell companies (空壳公司).

Two businesses are *linked* when they share enough identifiers: registered address
(``REGISTERED_AT``), phone (``HAS_PHONE``), e-mail (``HAS_EMAIL``), legal representative
(``LEGAL_REPRESENTATIVE_OF``), shareholder (``SHAREHOLDER_OF``) or registration agent
(``REGISTRATION_AGENT_OF``). Linked businesses form clusters (connected components); each
cluster is scored and explained in words a credit officer can check.

Method
------
1. Business-identifier incidence ``B`` (sparse, one column per identifier and kind).
2. **Hubs**: an identifier shared by more than ``hub_threshold[kind]`` businesses (a
   registration agent's office address, an agent filing for hundreds of companies) says
   little about any pair. It is excluded (default) or down-weighted to ``weight / ln(degree)``;
   either way it is reported in :attr:`ShellResult.hubs`, never cut silently. Excluded hubs are
   never expanded into pairs, so their cliques are never materialised.
3. Pair strength per kind: ``S_k = B_k diag(w) B_kᵀ`` (sparse, upper triangle), capped at the
   kind's weight so that ten shared phones count as one shared kind; summed over kinds.
   A link needs a summed strength of at least ``link_threshold`` (default 2: two different
   kinds of identifier in common, e.g. legal representative and address).
4. Connected components of the link graph (``scipy.sparse.csgraph``); those with at least
   ``min_size`` members are clusters.
5. Per cluster: pairwise Jaccard similarity of the members' identifier sets ranks the members
   (highest mean first); the score in ``[0, 1]`` is a weighted mean of cohesion (mean pairwise
   Jaccard), registration burst at one address, members operating no store, and members
   already on the abnormal-operation list, each spelled out as a reason.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator
from scipy import sparse
from scipy.sparse import csgraph

from algorithms.ownership.core import edges_in_force
from graph.errors import InvalidInput
from graph.model import Projection

__all__ = [
    "HubAction",
    "HubReport",
    "IdentifierKind",
    "ShellCluster",
    "ShellParams",
    "ShellResult",
    "ShellStats",
    "cluster_id",
    "find_shell_clusters",
    "hub_report",
    "pairwise_f1",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class IdentifierKind(StrEnum):
    """A kind of identifier two businesses can share."""

    ADDRESS = "address"
    PHONE = "phone"
    EMAIL = "email"
    LEGAL_REPRESENTATIVE = "legal_representative"
    SHAREHOLDER = "shareholder"
    REGISTRATION_AGENT = "registration_agent"


# kind -> (relationship type, True when the identifier is the relationship's source)
_EDGES: dict[IdentifierKind, tuple[str, bool]] = {
    IdentifierKind.ADDRESS: ("REGISTERED_AT", False),
    IdentifierKind.PHONE: ("HAS_PHONE", False),
    IdentifierKind.EMAIL: ("HAS_EMAIL", False),
    IdentifierKind.LEGAL_REPRESENTATIVE: ("LEGAL_REPRESENTATIVE_OF", True),
    IdentifierKind.SHAREHOLDER: ("SHAREHOLDER_OF", True),
    IdentifierKind.REGISTRATION_AGENT: ("REGISTRATION_AGENT_OF", True),
}
_KINDS = tuple(IdentifierKind)
_PLURAL = {
    IdentifierKind.ADDRESS: ("address", "addresses"),
    IdentifierKind.PHONE: ("phone", "phones"),
    IdentifierKind.EMAIL: ("e-mail", "e-mails"),
    IdentifierKind.LEGAL_REPRESENTATIVE: ("legal representative", "legal representatives"),
    IdentifierKind.SHAREHOLDER: ("shareholder", "shareholders"),
    IdentifierKind.REGISTRATION_AGENT: ("registration agent", "registration agents"),
}
_LIST_NAMES = {
    "abnormal_operation": "abnormal-operation list",
    "serious_dishonesty": "serious-dishonesty list",
    "judgment_defaulter": "judgment-defaulter list",
}
_DEFAULT_WEIGHTS: dict[IdentifierKind, float] = {
    IdentifierKind.ADDRESS: 1.0,
    IdentifierKind.PHONE: 1.0,
    IdentifierKind.EMAIL: 1.0,
    IdentifierKind.LEGAL_REPRESENTATIVE: 1.0,
    # Half weight: a legal representative is nearly always a shareholder too, so a serial
    # entrepreneur's companies would otherwise share "two kinds" through one person. With
    # 0.5 the person alone (representative + shareholder = 1.5) never links two businesses.
    IdentifierKind.SHAREHOLDER: 0.5,
    IdentifierKind.REGISTRATION_AGENT: 0.5,
}


class HubAction(StrEnum):
    """What was done with a hub identifier."""

    EXCLUDED = "excluded"
    DOWNWEIGHTED = "downweighted"


class ShellParams(BaseModel):
    """Options of :func:`find_shell_clusters`; every default is documented on its field."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: dict[IdentifierKind, float] = Field(
        default_factory=lambda: dict(_DEFAULT_WEIGHTS),
        description="Strength of one shared identifier per kind (a kind left out keeps its "
        "default: 1 for address, phone, e-mail and legal representative; 0.5 for "
        "shareholder, who is usually the legal representative as well (one person should "
        "not count as two kinds), and for registration agent, whose job is to file for many "
        "unrelated businesses).",
    )
    hub_threshold: dict[IdentifierKind, int] = Field(
        default_factory=lambda: dict.fromkeys(_KINDS, 50),
        description="An identifier shared by more businesses than this is a hub (default 50 "
        "for every kind).",
    )
    hub_action: HubAction = Field(
        HubAction.EXCLUDED,
        description="Exclude hubs (default) or down-weight them to weight / ln(degree).",
    )
    max_linked_degree: int = Field(
        2000,
        ge=2,
        description="Down-weighted hubs with more businesses than this are excluded anyway: "
        "their cliques would not fit in memory.",
    )
    link_threshold: float = Field(
        2.0, gt=0, description="Summed strength a pair needs to be linked (two kinds)."
    )
    min_size: int = Field(3, ge=2, description="Smallest cluster reported.")
    at: date | None = Field(None, description="Use only edges in force on this day.")
    burst_days: int = Field(
        30, ge=0, description="Window for 'registered at one address within N days'."
    )
    flag_list_types: tuple[str, ...] = Field(
        ("abnormal_operation",),
        description="Listing types (node property list_type) counted as a warning sign.",
    )
    score_weights: dict[str, float] = Field(
        default_factory=lambda: {"cohesion": 0.35, "burst": 0.2, "no_store": 0.25, "listed": 0.2},
        description="Weights of the score's signals: cohesion, burst, no_store, listed.",
    )

    @field_validator("weights", mode="before")
    @classmethod
    def _merge_weights(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            merged: dict[Any, Any] = dict(_DEFAULT_WEIGHTS)
            merged.update({IdentifierKind(k): v for k, v in value.items()})
            if any(v < 0 for v in merged.values()):
                raise ValueError("identifier weights must be >= 0")
            return merged
        return value

    @field_validator("hub_threshold", mode="before")
    @classmethod
    def _merge_thresholds(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            merged: dict[Any, Any] = dict.fromkeys(_KINDS, 50)
            merged.update({IdentifierKind(k): v for k, v in value.items()})
            if any(v < 2 for v in merged.values()):
                raise ValueError("hub thresholds must be >= 2")
            return merged
        return value

    @field_validator("score_weights")
    @classmethod
    def _check_score_weights(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = set(value) - {"cohesion", "burst", "no_store", "listed"}
        if unknown or any(v < 0 for v in value.values()) or not sum(value.values()) > 0:
            raise ValueError("score_weights: cohesion, burst, no_store, listed; >= 0, sum > 0")
        return value


@dataclass(frozen=True)
class HubReport:
    """An identifier shared by too many businesses to mean anything on its own."""

    uid: str
    kind: IdentifierKind
    degree: int
    action: HubAction
    weight: float


@dataclass(frozen=True)
class ShellCluster:
    """A suspected shell cluster.

    ``members`` are ordered by ``mean_jaccard`` (the member's mean Jaccard similarity of
    identifier sets to the other members), most typical first; ``shared`` counts the
    identifiers of each kind held by two or more members.
    """

    id: str
    members: tuple[str, ...]
    mean_jaccard: tuple[float, ...]
    score: float
    reasons: tuple[str, ...]
    shared: Mapping[IdentifierKind, int]
    n_links: int


@dataclass(frozen=True)
class ShellStats:
    """Sizes met along the way, for monitoring and benchmarks."""

    businesses: int
    identifiers: int
    hubs: int
    candidate_pairs: int
    links: int
    components: int
    clusters: int


@dataclass(frozen=True)
class ShellResult:
    """Clusters (highest score first), every hub met (largest first), and statistics."""

    clusters: tuple[ShellCluster, ...]
    hubs: tuple[HubReport, ...]
    stats: ShellStats


def cluster_id(members: Iterable[str]) -> str:
    """A stable id: the first 16 hex digits of the SHA-1 of the sorted member uids."""
    return hashlib.sha1("\n".join(sorted(members)).encode(), usedforsecurity=False).hexdigest()[:16]


@dataclass
class _Incidence:
    """Business x identifier incidence: rows are businesses, columns (kind, node) pairs."""

    matrix: sparse.csr_array  # binary
    businesses: IntArray  # node number per row
    kind: IntArray  # kind index per column
    node: IntArray  # node number per column


def _incidence(projection: Projection, at: date | None) -> _Incidence:
    is_business = projection.label_mask("Business")
    businesses = np.flatnonzero(is_business).astype(np.int64)
    row_of = np.full(projection.n_nodes, -1, dtype=np.int64)
    row_of[businesses] = np.arange(businesses.size)
    rows: list[IntArray] = []
    keys: list[IntArray] = []
    n = np.int64(projection.n_nodes)
    for k, kind in enumerate(_KINDS):
        rel, identifier_is_src = _EDGES[kind]
        mask = edges_in_force(projection, at, projection.type_mask(rel))
        ident = projection.src if identifier_is_src else projection.dst
        biz = projection.dst if identifier_is_src else projection.src
        mask &= is_business[biz]
        rows.append(row_of[biz[mask]])
        keys.append(k * n + ident[mask].astype(np.int64))
    row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    key = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    columns, col = np.unique(key, return_inverse=True)
    matrix = sparse.csr_array(
        (np.ones(row.size), (row, col.reshape(-1))), shape=(businesses.size, columns.size)
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return _Incidence(matrix, businesses, columns // n, columns % n)


def _hub_weights(
    inc: _Incidence, params: ShellParams, projection: Projection
) -> tuple[FloatArray, list[HubReport]]:
    degree = np.diff(sparse.csc_array(inc.matrix).indptr).astype(np.int64)
    base = np.array([params.weights[_KINDS[k]] for k in inc.kind], dtype=np.float64)
    limit = np.array([params.hub_threshold[_KINDS[k]] for k in inc.kind], dtype=np.int64)
    weight = base.copy()
    hubs: list[HubReport] = []
    over = np.flatnonzero(degree > limit)
    for c, uid in zip(over.tolist(), projection.uid_list(inc.node[over]), strict=True):
        hub = hub_report(uid, _KINDS[inc.kind[c]], int(degree[c]), params)
        weight[c] = hub.weight
        hubs.append(hub)
    hubs.sort(key=lambda h: (-h.degree, h.kind.value, h.uid))
    return weight, hubs


def hub_report(uid: str, kind: IdentifierKind, degree: int, params: ShellParams) -> HubReport:
    """What is done with an identifier held by ``degree`` businesses, more than its kind's
    hub threshold: down-weighted to ``weight / ln(degree)`` when asked and small enough to
    expand, excluded otherwise."""
    base = float(params.weights[kind])
    if params.hub_action is HubAction.DOWNWEIGHTED and degree <= params.max_linked_degree:
        return HubReport(uid, kind, degree, HubAction.DOWNWEIGHTED, base / math.log(degree))
    return HubReport(uid, kind, degree, HubAction.EXCLUDED, 0.0)


def _pair_strength(inc: _Incidence, weight: FloatArray, params: ShellParams) -> sparse.csr_array:
    """Upper-triangular pair strengths, per kind capped at the kind's weight, then summed."""
    n = inc.matrix.shape[0]
    total = sparse.csr_array((n, n))
    csc = sparse.csc_array(inc.matrix)
    for k, kind in enumerate(_KINDS):
        cols = np.flatnonzero((inc.kind == k) & (weight > 0))
        if cols.size == 0:
            continue
        part = sparse.csr_array(csc[:, cols])
        weighted = sparse.csr_array(part @ sparse.diags_array(weight[cols]))
        strength = sparse.csr_array(sparse.triu(weighted @ part.T, k=1, format="csr"))
        strength.data = np.minimum(strength.data, params.weights[kind])
        total = sparse.csr_array(total + strength)
    return total


def _dates(values: npt.NDArray[Any] | None, nodes: IntArray) -> list[date | None]:
    out: list[date | None] = []
    for i in nodes.tolist():
        raw = None if values is None else values[i]
        try:
            out.append(None if raw is None else date.fromisoformat(str(raw)[:10]))
        except ValueError:
            out.append(None)
    return out


def _largest_burst(days: list[date], window: int) -> int:
    """Most dates falling within ``window`` days of one another."""
    ordered = sorted(days)
    best, lo = 0, 0
    for hi, day in enumerate(ordered):
        while (day - ordered[lo]).days > window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def _count(n: int, kind: IdentifierKind) -> str:
    singular, plural = _PLURAL[kind]
    return f"{n} {singular if n == 1 else plural}"


@dataclass
class _Context:
    """What cluster scoring needs beyond the incidence: stores, listings, dates."""

    operates: npt.NDArray[np.bool_]  # per node
    has_store_data: bool
    listed: dict[str, npt.NDArray[np.bool_]]  # list_type -> per node
    established: npt.NDArray[Any] | None


def _context(projection: Projection, params: ShellParams) -> _Context:
    n = projection.n_nodes
    ops = edges_in_force(projection, params.at, projection.type_mask("OPERATES"))
    operates = np.zeros(n, dtype=bool)
    operates[projection.src[ops]] = True
    listed: dict[str, npt.NDArray[np.bool_]] = {}
    list_type = projection.node_props.get("list_type")
    removed = projection.node_props.get("removed")
    lst = edges_in_force(projection, params.at, projection.type_mask("LISTED"))
    if list_type is not None:
        for k in np.flatnonzero(lst).tolist():
            listing = int(projection.dst[k])
            kind = list_type[listing]
            if kind not in params.flag_list_types:
                continue
            gone = None if removed is None else removed[listing]
            if (
                gone is not None
                and gone == gone
                and (params.at is None or str(gone)[:10] <= params.at.isoformat())
            ):
                continue  # removed from the list (credit repaired): no longer a sign
            listed.setdefault(str(kind), np.zeros(n, dtype=bool))[projection.src[k]] = True
    return _Context(
        operates,
        bool(projection.type_mask("OPERATES").any()),
        listed,
        projection.node_props.get("established"),
    )


@dataclass
class _Usable:
    """The incidence restricted to identifiers that carry weight (excluded hubs dropped)."""

    matrix: sparse.csr_array
    kind: IntArray


def _describe(
    projection: Projection,
    inc: _Incidence,
    usable: _Usable,
    rows: IntArray,
    n_links: int,
    ctx: _Context,
    params: ShellParams,
) -> ShellCluster:
    picked = sparse.csr_array(usable.matrix[rows])
    # Renumber the columns the cluster uses, so per-cluster work ignores the other millions.
    present, local = np.unique(picked.indices, return_inverse=True)
    sub = sparse.csr_array(
        (picked.data, local.reshape(-1), picked.indptr), shape=(rows.size, present.size)
    )
    sub_kind = usable.kind[present]
    m = rows.size
    sizes = np.asarray(sub.sum(axis=1)).reshape(-1)
    inter = sparse.coo_array(sub @ sub.T)
    off = inter.row != inter.col
    i, j, both = inter.row[off], inter.col[off], inter.data[off]
    jaccard = both / (sizes[i] + sizes[j] - both)
    mean_j = np.bincount(i, weights=jaccard, minlength=m) / max(m - 1, 1)
    nodes = inc.businesses[rows]
    uids = projection.uid_list(nodes)
    order = sorted(range(m), key=lambda r: (-mean_j[r], uids[r]))

    col_count = np.diff(sparse.csc_array(sub).indptr)
    shared_cols = np.flatnonzero(col_count >= 2)
    shared = Counter(_KINDS[k] for k in sub_kind[shared_cols].tolist())
    reasons = [
        f"{_count(shared[kind], kind)} in common" for kind in _KINDS if shared.get(kind, 0) > 0
    ]

    signals: dict[str, float] = {"cohesion": float(mean_j.mean()) if m else 0.0}
    address_cols = [
        c for c in shared_cols.tolist() if _KINDS[sub_kind[c]] is IdentifierKind.ADDRESS
    ]
    best_at, best_burst = 0, 0
    csc = sparse.csc_array(sub)
    for c in address_cols:
        at_rows = csc.indices[csc.indptr[c] : csc.indptr[c + 1]]
        days = [d for d in _dates(ctx.established, nodes[at_rows]) if d is not None]
        burst = _largest_burst(days, params.burst_days) if days else 0
        if (burst, at_rows.size) > (best_burst, best_at):
            best_burst, best_at = burst, int(at_rows.size)
    if best_burst >= 2:
        reasons.append(
            f"{best_burst} businesses at one address registered within {params.burst_days} days"
        )
    elif best_at >= 2:
        reasons.append(f"{best_at} businesses at one address")
    signals["burst"] = best_burst / m
    if ctx.has_store_data:
        idle = int((~ctx.operates[nodes]).sum())
        if idle == m:
            reasons.append("none operates a store")
        elif idle:
            reasons.append(f"{idle} of {m} operate no store")
        signals["no_store"] = idle / m
    flagged = np.zeros(m, dtype=bool)
    for list_type in params.flag_list_types:
        on_list = ctx.listed.get(list_type)
        if on_list is None:
            continue
        hits = int(on_list[nodes].sum())
        flagged |= on_list[nodes]
        if hits:
            name = _LIST_NAMES.get(list_type, list_type.replace("_", "-") + " list")
            reasons.append(f"{hits} already on the {name}")
    signals["listed"] = float(flagged.mean())
    weights = {k: params.score_weights.get(k, 0.0) for k in signals}
    total = sum(weights.values())
    score = sum(weights[k] * signals[k] for k in signals) / total if total > 0 else 0.0
    return ShellCluster(
        id=cluster_id(uids),
        members=tuple(uids[r] for r in order),
        mean_jaccard=tuple(float(mean_j[r]) for r in order),
        score=float(min(1.0, max(0.0, score))),
        reasons=tuple(reasons),
        shared=dict(shared),
        n_links=n_links,
    )


def find_shell_clusters(projection: Projection, params: ShellParams | None = None) -> ShellResult:
    """Clusters of businesses linked through shared identifiers, scored and explained.

    Parameters
    ----------
    projection : Projection
        Business nodes (label ``Business``), identifier edges (``REGISTERED_AT``,
        ``HAS_PHONE``, ``HAS_EMAIL``, ``LEGAL_REPRESENTATIVE_OF``, ``SHAREHOLDER_OF``,
        ``REGISTRATION_AGENT_OF``); optionally ``OPERATES`` and ``LISTED`` edges, node
        properties ``established`` (ISO date), ``list_type`` and ``removed`` (on listings).
        Without any ``OPERATES`` edge the store signal is left out of the score.
    params : ShellParams, optional
        Weights, hub thresholds, link threshold, minimum size; see :class:`ShellParams`.

    Returns
    -------
    ShellResult
        Clusters with at least ``params.min_size`` members, highest score first; every hub
        identifier with its kind, degree and what was done with it; statistics.

    Raises
    ------
    InvalidInput
        If the projection has no Business node.

    Examples
    --------
    >>> nodes = [(f"biz:{i}", "Business") for i in range(3)]
    >>> nodes += [("addr:x", "Address"), ("person:r", "Person")]
    >>> edges = [(f"a{i}", "REGISTERED_AT", f"biz:{i}", "addr:x") for i in range(3)]
    >>> edges += [(f"l{i}", "LEGAL_REPRESENTATIVE_OF", "person:r", f"biz:{i}") for i in range(3)]
    >>> result = find_shell_clusters(Projection.from_records(nodes, edges))
    >>> [c.members for c in result.clusters]
    [('biz:0', 'biz:1', 'biz:2')]
    >>> result.clusters[0].reasons
    ('1 address in common', '1 legal representative in common', '3 businesses at one address')
    """
    params = params or ShellParams()
    if not projection.label_mask("Business").any():
        raise InvalidInput("the projection holds no Business node", field="labels")
    inc = _incidence(projection, params.at)
    weight, hubs = _hub_weights(inc, params, projection)
    strength = _pair_strength(inc, weight, params)
    linked = strength.data >= params.link_threshold - 1e-9
    coo = strength.tocoo()
    r, c = coo.row[linked], coo.col[linked]
    nb = inc.matrix.shape[0]
    links = sparse.csr_array((np.ones(r.size), (r, c)), shape=(nb, nb))
    n_comp, comp = csgraph.connected_components(links, directed=False)
    sizes = np.bincount(comp, minlength=n_comp)
    link_count = np.bincount(comp[r], minlength=n_comp)
    ctx = _context(projection, params)
    kept = np.flatnonzero(weight > 0)
    usable = _Usable(sparse.csr_array(inc.matrix[:, kept]), inc.kind[kept])
    clusters: list[ShellCluster] = []
    order = np.argsort(comp, kind="stable")
    starts = np.searchsorted(comp[order], np.arange(n_comp + 1))
    for k in np.flatnonzero(sizes >= params.min_size).tolist():
        rows = order[starts[k] : starts[k + 1]].astype(np.int64)
        clusters.append(_describe(projection, inc, usable, rows, int(link_count[k]), ctx, params))
    clusters.sort(key=lambda cl: (-cl.score, -len(cl.members), cl.id))
    stats = ShellStats(
        businesses=nb,
        identifiers=int(inc.matrix.shape[1]),
        hubs=len(hubs),
        candidate_pairs=int(strength.nnz),
        links=int(r.size),
        components=int((sizes > 1).sum()),
        clusters=len(clusters),
    )
    return ShellResult(tuple(clusters), tuple(hubs), stats)


def pairwise_f1(predicted: list[set[str]], truth: list[set[str]]) -> tuple[float, float, float]:
    """Pairwise clustering precision, recall and F1: over pairs of items put in one cluster.

    A pair counts as predicted when both items share a predicted cluster, as true when they
    share a true cluster. Items absent from ``truth`` are singletons there, so pairs predicted
    around them are false positives. Empty denominators give 1.0 when both sides have no
    pair (nothing to find, nothing claimed), else 0.0.

    Parameters
    ----------
    predicted : list of set of str
        Disjoint predicted clusters.
    truth : list of set of str
        Disjoint true clusters.

    Returns
    -------
    tuple of float
        ``(precision, recall, f1)``.

    Raises
    ------
    InvalidInput
        If an item appears in two clusters of the same list.

    Examples
    --------
    >>> pairwise_f1([{"a", "b", "c"}], [{"a", "b"}, {"c", "d"}])
    (0.3333333333333333, 0.5, 0.4)
    """

    def owner(clusters: list[set[str]], name: str) -> dict[str, int]:
        where: dict[str, int] = {}
        for k, cluster in enumerate(clusters):
            for item in cluster:
                if item in where:
                    raise InvalidInput(f"{item!r} is in two {name} clusters", field=name)
                where[item] = k
        return where

    owner(predicted, "predicted")
    true_of = owner(truth, "truth")
    n_pred = sum(len(c) * (len(c) - 1) // 2 for c in predicted)
    n_true = sum(len(c) * (len(c) - 1) // 2 for c in truth)
    both = 0
    for cluster in predicted:
        counts = Counter(true_of[x] for x in cluster if x in true_of)
        both += sum(v * (v - 1) // 2 for v in counts.values())
    if n_pred == 0 and n_true == 0:
        return 1.0, 1.0, 1.0
    precision = both / n_pred if n_pred else 0.0
    recall = both / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
