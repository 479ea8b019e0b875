"""Bounded propagation: the part of the graph a listing's restrictions depend on, read
from the store step by step instead of projecting the whole graph.

The method, step by step:

1. **Arcs per rule.** A rule follows arcs: a relationship type taken in a direction (``out``:
   source to target; ``in``: target to source), with the step's conditions. The engine
   (:func:`~algorithms.propagation.engine.propagate`) derives a rule's restrictions from
   the simple paths of at most ``max_hops`` such arcs starting at the listed entity.
2. **Why a bounded read is exact.** Every arc on such a path leaves a node within
   ``max_hops - 1`` arcs of the listed entity, counting along the same rule's arcs. So the
   arcs leaving the nodes within ``max_hops - 1`` steps of the listed entity hold every
   path the engine finds over the whole graph; and being a subgraph they hold no path it
   would not find. The engine over that subgraph gives exactly the restrictions a full
   projection gives for the listing (the property tests hold them equal on both stores).
3. **Forward walk** (:func:`neighbourhood`). One breadth-first walk per rule, from the
   subjects of the listings of its list type (several sources at once: the union of their
   neighbourhoods). At each level the frontiers of every rule are merged per arc into one
   store call per (label, relationship type, direction) (:meth:`GraphStore.step_edges`);
   a node is expanded once per arc. An arc whose step condition fails (``share >= 0.5``)
   cannot lie on a path, so its far end is not expanded: a hub with many minority holdings
   stays bounded. Dates are not used to prune; the engine applies them.
4. **Reverse walk** (:func:`subjects_near`). A path through a changed edge passes one of its
   endpoints within ``max_hops - 1`` arcs of the listed entity; walking each rule's arcs
   backwards from the endpoints finds every subject whose listings the change can affect
   (a superset: recomputing an unaffected listing changes nothing).

The cost is the size of the neighbourhood (and one round trip per arc and level), not the
size of the graph. A listing on an operator of 1,500 stores reads its 1,500 ``OPERATES``
edges because its restrictions reach all 1,500 stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from algorithms.propagation.engine import Listing
from algorithms.propagation.rules import Condition, PropagationRule, RuleSet
from graph.model import Edge, Projection
from graph.schema import label_of_uid
from graph.store import GraphStore

__all__ = ["Arc", "neighbourhood", "rule_arcs", "subjects_near"]


@dataclass(frozen=True)
class Arc:
    """A relationship type taken in one direction, with the conditions its step sets."""

    rel_type: str
    direction: str
    where: tuple[Condition, ...] = ()

    def passes(self, edge: Edge) -> bool:
        """Whether a path may take ``edge`` along this arc (the step's conditions hold)."""
        return all(c.holds(edge.props.get(c.prop)) for c in self.where)

    def tail(self, edge: Edge) -> str:
        """The end the arc leaves from."""
        return edge.src if self.direction == "out" else edge.dst

    def head(self, edge: Edge) -> str:
        """The end the arc reaches."""
        return edge.dst if self.direction == "out" else edge.src

    def reversed(self) -> Arc:
        """The same relationships walked the other way."""
        return Arc(self.rel_type, "in" if self.direction == "out" else "out", self.where)


def rule_arcs(rules: RuleSet, rule: PropagationRule) -> tuple[Arc, ...]:
    """The arcs a rule's paths may take, one per step."""
    out = []
    for step in rule.follow:
        rel_type, direction = rules.resolve(step)
        out.append(Arc(rel_type, direction, step.where))
    return tuple(out)


@dataclass
class _Walk:
    """One breadth-first walk: a rule's arcs from some sources, up to ``levels`` expansions."""

    arcs: tuple[Arc, ...]
    levels: int
    frontier: set[str]
    seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.seen |= self.frontier


class _Stepper:
    """Reads arcs from the store, each (node, arc) once, merging the walks' requests."""

    def __init__(self, store: GraphStore, edge_props: Sequence[str]) -> None:
        self.store = store
        self.edge_props = list(edge_props)
        self.by_tail: dict[tuple[str, str], dict[str, list[Edge]]] = {}
        self.edges: dict[tuple[str, str], Edge] = {}

    def run(self, walks: Sequence[_Walk]) -> None:
        """Advance every walk to its last level."""
        depth = max((w.levels for w in walks), default=0)
        for level in range(depth):
            active = [w for w in walks if level < w.levels and w.frontier]
            if not active:
                break
            wanted: dict[tuple[str, str], set[str]] = {}
            for w in active:
                for arc in w.arcs:
                    wanted.setdefault((arc.rel_type, arc.direction), set()).update(w.frontier)
            for (rel_type, direction), uids in wanted.items():
                self._fetch(rel_type, direction, uids)
            for w in active:
                nxt: set[str] = set()
                for arc in w.arcs:
                    cache = self.by_tail[(arc.rel_type, arc.direction)]
                    for uid in w.frontier:
                        for edge in cache.get(uid, ()):
                            self.edges[(edge.type, edge.rid)] = edge
                            head = arc.head(edge)
                            if head not in w.seen and arc.passes(edge):
                                nxt.add(head)
                w.seen |= nxt
                w.frontier = nxt

    def _fetch(self, rel_type: str, direction: str, uids: Iterable[str]) -> None:
        cache = self.by_tail.setdefault((rel_type, direction), {})
        todo = sorted(u for u in uids if u not in cache)
        if not todo:
            return
        for uid in todo:
            cache[uid] = []
        tail = Arc(rel_type, direction).tail
        for edge in self.store.step_edges(todo, rel_type, direction, self.edge_props):
            cache[tail(edge)].append(edge)


def neighbourhood(store: GraphStore, rules: RuleSet, listings: Iterable[Listing]) -> Projection:
    """The subgraph every path the rules take from these listings' subjects lies in.

    Parameters
    ----------
    store : GraphStore
    rules : RuleSet
    listings : iterable of Listing
        Listings of any list type; their subjects are in the result even when isolated.

    Returns
    -------
    Projection
        The listed entities, the relationships within each rule's hop limit along its arcs
        (with ``rules.edge_props()``: dates as ISO strings) and their endpoints. Over it
        :func:`~algorithms.propagation.engine.propagate` gives the same restrictions for
        these listings as over the whole graph.

    Examples
    --------
    >>> from datetime import date
    >>> from algorithms.propagation.rules import default_rules
    >>> from graph.embedded_store import EmbeddedStore
    >>> import tempfile, pathlib
    >>> store = EmbeddedStore(pathlib.Path(tempfile.mkdtemp()) / "g.lbdb")
    >>> store.create_schema()
    >>> _ = store.upsert_nodes("Business", [{"uid": "biz:a"}])
    >>> _ = store.upsert_nodes("Store", [{"uid": "store:s"}])
    >>> _ = store.upsert_relationships(
    ...     "OPERATES", "Business", "Store", [{"rid": "o1", "src": "biz:a", "dst": "store:s"}])
    >>> g = neighbourhood(store, default_rules(),
    ...                   [Listing("listing:1", "biz:a", "abnormal_operation", date(2024, 1, 1))])
    >>> sorted(g.uids.tolist()), g.rids.tolist()
    (['biz:a', 'store:s'], ['o1'])
    >>> store.close()
    """
    by_type: dict[str, set[str]] = {}
    subjects: set[str] = set()
    for listing in listings:
        by_type.setdefault(listing.list_type, set()).add(listing.subject_uid)
        subjects.add(listing.subject_uid)
    walks = []
    for type_id, sources in by_type.items():
        list_type = rules.list_type_by_id.get(type_id)
        if list_type is None:
            continue
        for rule in list_type.propagation:
            walks.append(_Walk(rule_arcs(rules, rule), rule.max_hops, set(sources)))
    stepper = _Stepper(store, rules.edge_props())
    stepper.run(walks)
    return _projection(subjects, stepper.edges.values(), rules.edge_props())


def _projection(
    subjects: Iterable[str], edges: Iterable[Edge], edge_props: Sequence[str]
) -> Projection:
    ordered = sorted(edges, key=lambda e: (e.type, e.rid))
    nodes = dict.fromkeys(sorted(subjects))
    for edge in ordered:
        nodes.setdefault(edge.src)
        nodes.setdefault(edge.dst)
    return Projection.from_records(
        [(uid, label_of_uid(uid) or "Unknown") for uid in nodes],
        [(e.rid, e.type, e.src, e.dst) for e in ordered],
        {p: [e.props.get(p) for e in ordered] for p in edge_props},
    )


def subjects_near(
    store: GraphStore, rules: RuleSet, endpoints: Iterable[str]
) -> dict[str, set[str]]:
    """Per list type, the entities whose listings a change to edges at ``endpoints`` may alter.

    Walks each rule's arcs backwards from the endpoints, ``max_hops - 1`` levels: a path of
    the rule through an edge at an endpoint starts at a node found so. Call it on the graph
    after the change (an edge deleted outright cannot be walked through). List types
    without propagation rules are left out: edges do not change their restrictions.
    """
    seeds = set(endpoints)
    walks: list[tuple[str, _Walk]] = []
    if seeds:
        for list_type in rules.list_types:
            for rule in list_type.propagation:
                arcs = tuple(a.reversed() for a in rule_arcs(rules, rule))
                walks.append((list_type.id, _Walk(arcs, rule.max_hops - 1, set(seeds))))
    _Stepper(store, rules.edge_props()).run([w for _, w in walks])
    reach: dict[str, set[str]] = {}
    for type_id, walk in walks:
        reach.setdefault(type_id, set()).update(walk.seen)
    return reach
