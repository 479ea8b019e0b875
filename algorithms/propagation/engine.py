"""The joint-punishment engine: restrictions derived from listings, as pure functions.

Given a :class:`~graph.model.Projection` of the relationships the rules follow and the
listings on record, :func:`propagate` derives every restriction the rules impose: on the
listed entity itself (rule ``<list_type>.self``) and on entities reached along the rules'
relationships. Each :class:`Restriction` names its measure, rule, source listing, legal
basis, valid time and the shortest few paths that produced it (with the number of paths).

Propagation is vectorised: for each rule the allowed relationship types and directions
become one CSR arc table, and all listings of the rule's list type expand together, level
by level, as arrays of simple paths (a multi-source breadth-first search that remembers its
sources and paths). Hop limits are at most :data:`~algorithms.propagation.rules.MAX_HOPS`.

Incremental updates recompute only the listings a change can affect
(:func:`affected_by_edges`, :func:`update`) and give exactly what :func:`propagate` gives
over the whole graph, because a listing's restrictions depend only on that listing and the
edges within its rules' hop limits.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from algorithms.propagation.rules import (
    Condition,
    EdgeTime,
    ListType,
    PropagationRule,
    RuleSet,
    SubjectKind,
)
from graph.model import Projection, as_date
from graph.schema import label_of_uid

if TYPE_CHECKING:
    from algorithms.propagation.exclusions import Exclusions

__all__ = [
    "RETRACTING_REASONS",
    "DerivationPath",
    "Listing",
    "PathEdge",
    "PreparedGraph",
    "Restriction",
    "RestrictionDiff",
    "affected_by_edges",
    "diff",
    "prepare",
    "propagate",
    "update",
]

#: Removal reasons that void a listing from the start (it should never have been made):
#: its restrictions are retracted, not ended on the removal date.
RETRACTING_REASONS = frozenset({"error", "objection_upheld", "revoked"})

_EPOCH = date(1970, 1, 1)
_NEG = np.int64(-(2**62))
_POS = np.int64(2**62)
_KIND_CODE = {SubjectKind.BUSINESS: 0, SubjectKind.PERSON: 1, SubjectKind.STORE: 2}
_KIND_LABEL = {"Business": 0, "Person": 1, "Store": 2}


def _day(value: date) -> int:
    return (value - _EPOCH).days


def _from_day(day: int) -> date:
    return _EPOCH + timedelta(days=int(day))


# -- inputs and outputs --------------------------------------------------------------------
@dataclass(frozen=True)
class Listing:
    """An entry on a credit list: who, which list, from when, until when, and why it ended.

    Valid time is ``[decided, min(expires, removed))``; a listing removed for a reason in
    :data:`RETRACTING_REASONS` is void and derives nothing.
    """

    uid: str
    subject_uid: str
    list_type: str
    decided: date
    expires: date | None = None
    removed: date | None = None
    removal_reason: str | None = None
    legal_basis: str | None = None

    @property
    def valid_to(self) -> date | None:
        """The first day the listing no longer holds (None: open-ended)."""
        ends = [d for d in (self.expires, self.removed) if d is not None]
        return min(ends) if ends else None

    @property
    def retracted(self) -> bool:
        """Whether the listing was void from the start."""
        return self.removed is not None and self.removal_reason in RETRACTING_REASONS

    def in_force(self, on: date) -> bool:
        """Whether the listing holds on ``on``."""
        end = self.valid_to
        return not self.retracted and self.decided <= on and (end is None or on < end)


@dataclass(frozen=True)
class PathEdge:
    """A relationship along a derivation path, with its own valid time."""

    rid: str
    type: str
    src: str
    dst: str
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class DerivationPath:
    """Nodes from the listed entity to the restricted one and the edges between them.

    ``edges[i]`` joins ``nodes[i]`` and ``nodes[i + 1]`` (in either direction).
    """

    nodes: tuple[str, ...]
    edges: tuple[PathEdge, ...]
    valid_from: date
    valid_to: date | None

    def __len__(self) -> int:
        return len(self.edges)


@dataclass(frozen=True, order=True)
class Restriction:
    """One measure on one entity, derived from one listing by one rule, over one valid interval."""

    subject_uid: str
    measure_id: str
    listing_uid: str
    rule_id: str
    valid_from: date
    valid_to: date | None = field(compare=False)
    list_type: str = field(compare=False)
    listed_uid: str = field(compare=False)
    legal_basis: tuple[str, ...] = field(compare=False)
    paths: tuple[DerivationPath, ...] = field(compare=False)
    path_count: int = field(compare=False)

    @property
    def key(self) -> tuple[str, str, str, str, date]:
        """What identifies the record across recomputations."""
        return (self.listing_uid, self.rule_id, self.subject_uid, self.measure_id, self.valid_from)

    def in_force(self, on: date) -> bool:
        """Whether the restriction holds on ``on``."""
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)

    def content(self) -> tuple[Any, ...]:
        """Every field, for exact comparison (dataclass equality looks at the key fields only)."""
        return (
            *self.key,
            self.valid_to,
            self.list_type,
            self.listed_uid,
            self.legal_basis,
            self.paths,
            self.path_count,
        )


@dataclass(frozen=True)
class RestrictionDiff:
    """What changes between two sets of restrictions, matched by :attr:`Restriction.key`."""

    imposed: tuple[Restriction, ...]
    lifted: tuple[Restriction, ...]
    changed: tuple[tuple[Restriction, Restriction], ...]

    def __bool__(self) -> bool:
        return bool(self.imposed or self.lifted or self.changed)


# -- the prepared graph --------------------------------------------------------------------
class PreparedGraph:
    """A projection with dates as day numbers, node kinds and per-rule arc tables cached."""

    def __init__(self, projection: Projection) -> None:
        self.projection = projection
        self.n = projection.n_nodes
        self.kind = np.array(
            [_KIND_LABEL.get(str(lbl), -1) for lbl in projection.labels], dtype=np.int8
        )
        self.since = self._days(projection.edge_props.get("since"), _NEG)
        self.until = self._days(projection.edge_props.get("until"), _POS)
        self._arcs: dict[
            str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]
        ] = {}
        self._undirected: dict[
            tuple[str, ...], tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
        ] = {}

    def _days(self, values: npt.NDArray[Any] | None, missing: np.int64) -> npt.NDArray[np.int64]:
        m = self.projection.n_edges
        if values is None:
            return np.full(m, missing, dtype=np.int64)
        try:  # ISO date strings and None (what the stores' projections carry): vectorised
            days = np.array(values, dtype="datetime64[D]").astype(np.int64)
        except (ValueError, TypeError):
            text = [None if (d := as_date(v)) is None else d.isoformat() for v in values]
            days = np.array(text, dtype="datetime64[D]").astype(np.int64)
        days[days == np.iinfo(np.int64).min] = missing
        return days

    @property
    def index(self) -> dict[str, int]:
        """Node number by uid."""
        return self.projection.index

    def edge_numbers(self, rids: Iterable[str]) -> npt.NDArray[np.int64]:
        """Edge numbers of the given rids (those in the graph)."""
        wanted = set(rids)
        if not wanted:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(np.isin(self.projection.rids, list(wanted))).astype(np.int64)

    def condition_mask(
        self, edges: npt.NDArray[np.int64], cond: Condition
    ) -> npt.NDArray[np.bool_]:
        """Which of ``edges`` pass a condition (vectorised for numeric properties)."""
        values = self.projection.edge_props.get(cond.prop)
        if values is None:
            return np.full(edges.shape[0], cond.holds(None), dtype=bool)
        picked = values[edges]
        numeric = isinstance(cond.value, (int, float)) and not isinstance(cond.value, bool)
        if numeric and picked.dtype == np.float64:
            ops = {
                ">=": np.greater_equal,
                ">": np.greater,
                "<=": np.less_equal,
                "<": np.less,
                "==": np.equal,
                "!=": np.not_equal,
            }
            result: npt.NDArray[np.bool_] = ops[cond.op](picked, float(cond.value))
            return result
        return np.fromiter((cond.holds(v) for v in picked), dtype=bool, count=edges.shape[0])

    def arcs(
        self, rules: RuleSet, rule: PropagationRule
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """CSR over the rule's steps: ``indptr``, arc target node, arc edge number."""
        cached = self._arcs.get(rule.id)
        if cached is not None:
            return cached
        p = self.projection
        froms, tos, eids = [], [], []
        for step in rule.follow:
            rel_type, direction = rules.resolve(step)
            edges = np.flatnonzero(p.types == rel_type)
            for cond in step.where:
                edges = edges[self.condition_mask(edges, cond)]
            a, b = (
                (p.src[edges], p.dst[edges]) if direction == "out" else (p.dst[edges], p.src[edges])
            )
            froms.append(a)
            tos.append(b)
            eids.append(edges)
        frm = np.concatenate(froms).astype(np.int64)
        order = np.argsort(frm, kind="stable")
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(frm, minlength=self.n), out=indptr[1:])
        result = (
            indptr,
            np.concatenate(tos).astype(np.int64)[order],
            np.concatenate(eids).astype(np.int64)[order],
        )
        self._arcs[rule.id] = result
        return result

    def undirected(
        self, rel_types: tuple[str, ...]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """CSR ``indptr``, neighbour over the given types, both directions."""
        cached = self._undirected.get(rel_types)
        if cached is not None:
            return cached
        p = self.projection
        edges = np.flatnonzero(np.isin(p.types, list(rel_types)))
        frm = np.concatenate([p.src[edges], p.dst[edges]])
        to = np.concatenate([p.dst[edges], p.src[edges]])
        order = np.argsort(frm, kind="stable")
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(frm, minlength=self.n), out=indptr[1:])
        result = (indptr, to[order].astype(np.int64))
        self._undirected[rel_types] = result
        return result

    def path_edge(self, k: int) -> PathEdge:
        """Edge ``k`` as a PathEdge."""
        p = self.projection
        since, until = int(self.since[k]), int(self.until[k])
        return PathEdge(
            rid=str(p.rids[k]),
            type=str(p.types[k]),
            src=str(p.uids[p.src[k]]),
            dst=str(p.uids[p.dst[k]]),
            since=None if since == _NEG else _from_day(since),
            until=None if until == _POS else _from_day(until),
        )


def prepare(projection: Projection) -> PreparedGraph:
    """Get a projection ready for :func:`propagate` (reuse it across calls on the same graph)."""
    return PreparedGraph(projection)


def _expand(
    indptr: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For paths ending at ``ends``: the path each new arc extends, and the arc position."""
    starts = indptr[ends]
    degree = indptr[ends + 1] - starts
    parent = np.repeat(np.arange(ends.shape[0], dtype=np.int64), degree)
    first = np.cumsum(degree) - degree
    position = np.repeat(starts - first, degree) + np.arange(parent.shape[0], dtype=np.int64)
    return parent, position


@dataclass
class _Found:
    """Paths that reached a target at one level, as arrays."""

    listing: npt.NDArray[np.int64]
    nodes: npt.NDArray[np.int64]
    edges: npt.NDArray[np.int64]
    lo: npt.NDArray[np.int64]
    hi: npt.NDArray[np.int64]


def _walk(
    g: PreparedGraph,
    rules: RuleSet,
    rule: PropagationRule,
    starts: npt.NDArray[np.int64],
    lo: npt.NDArray[np.int64],
    hi: npt.NDArray[np.int64],
    decided: npt.NDArray[np.int64],
    blocked: _Blocked | None = None,
) -> list[_Found]:
    """Every simple path of the rule from the start nodes, level by level (never over a
    link ``blocked`` excludes for the rule or for the path's listing)."""
    indptr, arc_to, arc_edge = g.arcs(rules, rule)
    targets = np.array([_KIND_CODE[t] for t in rule.targets], dtype=np.int8)
    listing = np.arange(starts.shape[0], dtype=np.int64)
    nodes = starts.reshape(-1, 1)
    edges = np.zeros((starts.shape[0], 0), dtype=np.int64)
    found: list[_Found] = []
    for level in range(1, rule.max_hops + 1):
        if listing.shape[0] == 0:
            break
        parent, position = _expand(indptr, nodes[:, -1])
        new_node = arc_to[position]
        new_edge = arc_edge[position]
        keep = ~(nodes[parent] == new_node[:, None]).any(axis=1)
        new_lo, new_hi = lo[parent], hi[parent]
        if rule.edge_time is EdgeTime.IN_FORCE:
            new_lo = np.maximum(new_lo, g.since[new_edge])
            new_hi = np.minimum(new_hi, g.until[new_edge])
            keep &= new_lo < new_hi
        elif rule.edge_time is EdgeTime.AT_DECISION:
            when = decided[listing[parent]]
            keep &= (g.since[new_edge] <= when) & (when < g.until[new_edge])
        if blocked is not None:
            keep &= ~blocked.hits(listing[parent], new_edge)
        parent, new_node, new_edge = parent[keep], new_node[keep], new_edge[keep]
        lo, hi = new_lo[keep], new_hi[keep]
        listing = listing[parent]
        nodes = np.concatenate([nodes[parent], new_node[:, None]], axis=1)
        edges = np.concatenate([edges[parent], new_edge[:, None]], axis=1)
        if level >= rule.min_hops:
            hit = np.isin(g.kind[new_node], targets)
            if hit.any():
                found.append(_Found(listing[hit], nodes[hit], edges[hit], lo[hit], hi[hit]))
    return found


@dataclass(frozen=True)
class _Blocked:
    """Excluded links for one rule's walk: edge numbers for every start, and (start, edge)
    pairs for starts whose listing excludes a link of its own."""

    edges: npt.NDArray[np.int64]
    pairs: npt.NDArray[np.int64]
    n_edges: int

    def hits(
        self, start: npt.NDArray[np.int64], edge: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.bool_]:
        out = np.isin(edge, self.edges)
        if self.pairs.shape[0]:
            out |= np.isin(start * self.n_edges + edge, self.pairs)
        return out


def _blocked(
    g: PreparedGraph, rule_id: str, live: Sequence[Listing], exclusions: Exclusions | None
) -> _Blocked | None:
    if not exclusions:
        return None
    edges = g.edge_numbers(exclusions.for_rule(rule_id))
    m = g.projection.n_edges
    pairs = [
        i * m + int(e)
        for i, lst in enumerate(live)
        for e in g.edge_numbers(exclusions.for_listing(lst.uid)).tolist()
    ]
    if edges.shape[0] == 0 and not pairs:
        return None
    return _Blocked(edges, np.array(sorted(pairs), dtype=np.int64), m)


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of half-open intervals, touching ones joined."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _bases(*groups: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(b for group in groups for b in group if b))


def _self_restrictions(
    listing: Listing, list_type: ListType, rules: RuleSet, kind: SubjectKind | None
) -> list[Restriction]:
    end = listing.valid_to
    if listing.retracted or (end is not None and end <= listing.decided) or kind is None:
        return []
    path = DerivationPath((listing.subject_uid,), (), listing.decided, end)
    out = []
    for measure_id in list_type.measures:
        measure = rules.measure_by_id[measure_id]
        if kind not in measure.binds:
            continue
        out.append(
            Restriction(
                subject_uid=listing.subject_uid,
                measure_id=measure_id,
                listing_uid=listing.uid,
                rule_id=f"{list_type.id}.self",
                valid_from=listing.decided,
                valid_to=end,
                list_type=list_type.id,
                listed_uid=listing.subject_uid,
                legal_basis=_bases(
                    [listing.legal_basis], list_type.legal_basis, measure.legal_basis
                ),
                paths=(path,),
                path_count=1,
            )
        )
    return out


def _rule_restrictions(
    g: PreparedGraph,
    rules: RuleSet,
    list_type: ListType,
    rule: PropagationRule,
    listings: Sequence[Listing],
    max_paths: int,
    exclusions: Exclusions | None = None,
) -> list[Restriction]:
    index = g.index
    live = [
        lst
        for lst in listings
        if lst.subject_uid in index
        and not lst.retracted
        and (lst.valid_to is None or lst.valid_to > lst.decided)
    ]
    if not live:
        return []
    starts = np.array([index[lst.subject_uid] for lst in live], dtype=np.int64)
    lo = np.array([_day(lst.decided) for lst in live], dtype=np.int64)
    hi = np.array(
        [_POS if lst.valid_to is None else _day(lst.valid_to) for lst in live], dtype=np.int64
    )
    groups: dict[tuple[int, int], list[tuple[_Found, int]]] = {}
    blocked = _blocked(g, rule.id, live, exclusions)
    for chunk in _walk(g, rules, rule, starts, lo.copy(), hi.copy(), lo.copy(), blocked):
        for row, (src, node) in enumerate(
            zip(chunk.listing.tolist(), chunk.nodes[:, -1].tolist(), strict=True)
        ):
            groups.setdefault((src, node), []).append((chunk, row))
    uids = g.projection.uids
    kinds = list(SubjectKind)
    out: list[Restriction] = []
    for (src, node), hits in groups.items():
        listing = live[src]
        kind = kinds[int(g.kind[node])]
        measures = [m for m in rule.measures if kind in rules.measure_by_id[m].binds]
        if not measures:
            continue
        spans = [(int(c.lo[r]), int(c.hi[r])) for c, r in hits]
        rid_keys = [tuple(str(g.projection.rids[e]) for e in c.edges[r].tolist()) for c, r in hits]
        subject = str(uids[node])
        if exclusions is not None and exclusions.spares(listing.uid, rule.id, subject):
            continue  # an upheld objection against this restriction
        for a, b in _merge(spans):
            inside = [i for i, (lo_i, hi_i) in enumerate(spans) if lo_i < b and hi_i > a]
            inside.sort(key=lambda i: (len(rid_keys[i]), rid_keys[i]))
            paths = []
            for i in inside[:max_paths]:
                chunk, row = hits[i]
                paths.append(
                    DerivationPath(
                        nodes=tuple(str(uids[v]) for v in chunk.nodes[row].tolist()),
                        edges=tuple(g.path_edge(e) for e in chunk.edges[row].tolist()),
                        valid_from=_from_day(spans[i][0]),
                        valid_to=None if spans[i][1] == _POS else _from_day(spans[i][1]),
                    )
                )
            for measure_id in measures:
                out.append(
                    Restriction(
                        subject_uid=subject,
                        measure_id=measure_id,
                        listing_uid=listing.uid,
                        rule_id=rule.id,
                        valid_from=_from_day(a),
                        valid_to=None if b == _POS else _from_day(b),
                        list_type=list_type.id,
                        listed_uid=listing.subject_uid,
                        legal_basis=_bases(
                            rule.legal_basis, rules.measure_by_id[measure_id].legal_basis
                        ),
                        paths=tuple(paths),
                        path_count=len(inside),
                    )
                )
    return out


def _order(r: Restriction) -> tuple[str, str, str, str, date]:
    return (r.subject_uid, r.measure_id, r.listing_uid, r.rule_id, r.valid_from)


def _kind_of(g: PreparedGraph, uid: str) -> SubjectKind | None:
    i = g.index.get(uid)
    label = str(g.projection.labels[i]) if i is not None else label_of_uid(uid)
    return SubjectKind.of_label(label or "")


def propagate(
    graph: Projection | PreparedGraph,
    listings: Iterable[Listing],
    rules: RuleSet,
    *,
    max_paths: int = 3,
    exclusions: Exclusions | None = None,
) -> list[Restriction]:
    """Every restriction the rules derive from the listings, over the whole graph.

    Parameters
    ----------
    graph : Projection or PreparedGraph
        The relationships the rules follow (``rules.rel_types``) with edge properties
        ``since``/``until`` (ISO dates or None) and those the rules' conditions read.
    listings : iterable of Listing
        Listings of any list type; unknown list types derive nothing.
    rules : RuleSet
    max_paths : int
        Paths kept per restriction (the shortest; ``path_count`` has them all).
    exclusions : Exclusions, optional
        Links no path may take (upheld objections: :mod:`algorithms.propagation.exclusions`),
        for every rule, one rule, or one listing's paths.

    Returns
    -------
    list of Restriction
        Sorted by subject, measure, listing, rule and valid-from date.

    Raises
    ------
    RuleError
        Never here: rules are validated on load.

    Examples
    --------
    >>> from datetime import date
    >>> from algorithms.propagation.rules import default_rules
    >>> g = Projection.from_records(
    ...     [("person:p", "Person"), ("biz:b", "Business")],
    ...     [("r1", "LEGAL_REPRESENTATIVE_OF", "person:p", "biz:b")],
    ...     {"since": [None], "until": [None]},
    ... )
    >>> out = propagate(g, [Listing("listing:1", "biz:b", "judgment_defaulter", date(2024, 1, 1))],
    ...                 default_rules())
    >>> sorted({(r.subject_uid, r.measure_id) for r in out if r.subject_uid == "person:p"})
    [('person:p', 'high_consumption_ban')]
    """
    g = graph if isinstance(graph, PreparedGraph) else PreparedGraph(graph)
    by_type: dict[str, list[Listing]] = {}
    for listing in listings:
        by_type.setdefault(listing.list_type, []).append(listing)
    lists = rules.list_type_by_id
    out: list[Restriction] = []
    for type_id, group in by_type.items():
        list_type = lists.get(type_id)
        if list_type is None:
            continue
        kinds = {listing.uid: _kind_of(g, listing.subject_uid) for listing in group}
        for listing in group:
            kind = kinds[listing.uid]
            if kind in list_type.subjects:
                out.extend(_self_restrictions(listing, list_type, rules, kind))
        for rule in list_type.propagation:
            # the list type's reach limits may keep a rule from some listed subjects
            sources = [lst for lst in group if rules.applies(list_type, rule, kinds[lst.uid])]
            if sources:
                out.extend(
                    _rule_restrictions(g, rules, list_type, rule, sources, max_paths, exclusions)
                )
    out.sort(key=_order)
    return out


def affected_by_edges(
    graph: Projection | PreparedGraph,
    listings: Iterable[Listing],
    rules: RuleSet,
    endpoints: Iterable[str],
) -> set[str]:
    """Listings whose restrictions an edge change at ``endpoints`` may alter.

    A path of a rule with hop limit ``h`` through an edge starts within ``h - 1`` hops of
    one of its endpoints; ignoring direction and conditions gives a superset. Pass the graph
    that holds the edge (before a removal, after an addition; either for a change).

    Examples
    --------
    >>> from datetime import date
    >>> from algorithms.propagation.rules import default_rules
    >>> g = Projection.from_records([("biz:a", "Business"), ("store:s", "Store")],
    ...                             [("r", "OPERATES", "biz:a", "store:s")])
    >>> affected_by_edges(g, [Listing("listing:1", "biz:a", "abnormal_operation",
    ...                               date(2024, 1, 1))], default_rules(), ["biz:a", "store:s"])
    {'listing:1'}
    """
    g = graph if isinstance(graph, PreparedGraph) else PreparedGraph(graph)
    reach = max((rules.max_hops_of(lt.id) for lt in rules.list_types), default=0)
    seeds = [g.index[u] for u in endpoints if u in g.index]
    dist = np.full(g.n, np.iinfo(np.int64).max, dtype=np.int64)
    if seeds and reach > 1:
        indptr, nbr = g.undirected(rules.rel_types)
        frontier = np.unique(np.array(seeds, dtype=np.int64))
        dist[frontier] = 0
        for level in range(1, reach):
            _, position = _expand(indptr, frontier)
            nxt = np.unique(nbr[position])
            nxt = nxt[dist[nxt] > level]
            if nxt.shape[0] == 0:
                break
            dist[nxt] = level
            frontier = nxt
    elif seeds:
        dist[np.array(seeds, dtype=np.int64)] = 0
    out = set()
    for listing in listings:
        i = g.index.get(listing.subject_uid)
        hops = rules.max_hops_of(listing.list_type)
        if i is not None and hops >= 1 and dist[i] <= hops - 1:
            out.add(listing.uid)
    return out


def update(
    current: Iterable[Restriction],
    graph: Projection | PreparedGraph,
    listings: Iterable[Listing],
    rules: RuleSet,
    affected: Collection[str],
    *,
    max_paths: int = 3,
    exclusions: Exclusions | None = None,
) -> list[Restriction]:
    """Restrictions after a change: those of ``affected`` listings recomputed, others kept.

    ``affected`` are listing uids: an added, removed, repaired or expired listing, or those
    :func:`affected_by_edges` names. A listing in ``affected`` absent from ``listings``
    (deleted) loses its restrictions.

    Examples
    --------
    >>> from datetime import date
    >>> from algorithms.propagation.rules import default_rules
    >>> g = Projection.from_records([("biz:a", "Business")], [])
    >>> lst = Listing("listing:1", "biz:a", "abnormal_operation", date(2024, 1, 1))
    >>> before = propagate(g, [lst], default_rules())
    >>> update(before, g, [], default_rules(), {"listing:1"})
    []
    """
    g = graph if isinstance(graph, PreparedGraph) else PreparedGraph(graph)
    affected = set(affected)
    kept = [r for r in current if r.listing_uid not in affected]
    fresh = propagate(
        g,
        [lst for lst in listings if lst.uid in affected],
        rules,
        max_paths=max_paths,
        exclusions=exclusions,
    )
    out = kept + fresh
    out.sort(key=_order)
    return out


def diff(old: Iterable[Restriction], new: Iterable[Restriction]) -> RestrictionDiff:
    """What imposing ``new`` in place of ``old`` changes, record by record.

    Examples
    --------
    >>> diff([], [])
    RestrictionDiff(imposed=(), lifted=(), changed=())
    """
    before = {r.key: r for r in old}
    after = {r.key: r for r in new}
    imposed = tuple(after[k] for k in sorted(after.keys() - before.keys()))
    lifted = tuple(before[k] for k in sorted(before.keys() - after.keys()))
    changed = tuple(
        (before[k], after[k])
        for k in sorted(before.keys() & after.keys())
        if before[k].content() != after[k].content()
    )
    return RestrictionDiff(imposed, lifted, changed)
