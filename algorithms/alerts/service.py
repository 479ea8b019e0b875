"""Alerts from the restriction change feed: each change's bounded neighbourhood is read
through the store port and matched against the watches (:mod:`algorithms.alerts.core`).

A scan reads the feed after a cursor, keeps ``imposed`` events, turns each into a
:class:`~algorithms.alerts.core.Change` (``listing`` when the event's subject is the listed
entity itself, else ``restriction``), reads the neighbourhoods of all the changed
entities together, level by level (one ``edges_of`` read per hop for the whole batch, to
the largest ``hops`` of the entity watches along the union of their relationship types),
walks each changed entity's own neighbourhood out of that in memory, and returns every
watch reached with its path. Entity watches are looked up by the nodes of that
neighbourhood, so the work per change does not grow with the number of watches.

The batch read discovers each node at its least distance from any changed entity, so
every edge within ``hops`` of each one is read (an edge of a node ``hops - 1`` away is
read at the last level at the latest). It holds at most :data:`MAX_NEIGHBOURHOOD` nodes
per changed entity in all; a read cut there is counted in ``truncated``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from algorithms.alerts.core import Change, Reach, Watch, reached_watches
from algorithms.propagation import service as punish
from graph.model import Edge
from graph.store import GraphStore

__all__ = ["ScanResult", "WatchIndex", "scan"]

#: Nodes read per changed entity at most, over a scan's batch (a hub's neighbourhood is cut,
#: and said so).
MAX_NEIGHBOURHOOD = 5_000


@dataclass(frozen=True)
class ScanResult:
    """What one scan found: the watches reached, the cursor to continue from, and whether
    (1) or not (0) the node budget cut the read (its far side may hold a watch that was not
    reached)."""

    reaches: tuple[Reach, ...]
    next_seq: int
    events: int
    truncated: int


def _read_around(
    store: GraphStore, subjects: Sequence[str], hops: int, rel_types: Sequence[str]
) -> tuple[dict[str, list[Edge]], bool]:
    """The edges within ``hops`` of every subject, by node (multi-source, level by level);
    and whether the node budget cut the read."""
    budget = MAX_NEIGHBOURHOOD * len(subjects)
    seen = set(subjects)
    adjacent: dict[str, list[Edge]] = defaultdict(list)
    have: set[str] = set()
    frontier = sorted(seen)
    cut = False
    for _ in range(hops):
        if not frontier:
            break
        following: list[str] = []
        for edge in store.edges_of(frontier, rel_types, limit=budget * 4):
            if edge.rid in have:
                continue
            have.add(edge.rid)
            adjacent[edge.src].append(edge)
            adjacent[edge.dst].append(edge)
            for end in (edge.src, edge.dst):
                if end not in seen:
                    if len(seen) >= budget:
                        cut = True
                        continue
                    seen.add(end)
                    following.append(end)
        frontier = sorted(following)
    return adjacent, cut


def _local(
    start: str, adjacent: dict[str, list[Edge]], hops: int
) -> tuple[tuple[Edge, ...], frozenset[str]]:
    """``start``'s own edges and nodes within ``hops``, out of the batch read."""
    seen = {start}
    edges: dict[str, Edge] = {}
    frontier = [start]
    for _ in range(hops):
        following = []
        for node in frontier:
            for edge in adjacent.get(node, ()):
                edges[edge.rid] = edge
                other = edge.dst if edge.src == node else edge.src
                if other not in seen:
                    seen.add(other)
                    following.append(other)
        frontier = following
    return tuple(edges.values()), frozenset(seen)


@dataclass(frozen=True)
class WatchIndex:
    """Watches ready to scan with: entity watches by target, the others, and the largest
    hops and union of relationship types of the entity watches. Built once per change of
    the watches (not per scan), so a scan's work does not grow with their number."""

    by_target: Mapping[str, tuple[Watch, ...]]
    others: tuple[Watch, ...]
    hops: int
    rel_types: tuple[str, ...]

    @classmethod
    def of(cls, watches: Iterable[Watch]) -> WatchIndex:
        """Index ``watches``."""
        by_target: dict[str, list[Watch]] = defaultdict(list)
        others: list[Watch] = []
        for w in watches:
            (by_target[w.target] if w.kind == "entity" else others).append(w)
        entity = [w for group in by_target.values() for w in group]
        return cls(
            {k: tuple(v) for k, v in by_target.items()},
            tuple(others),
            max((w.hops for w in entity), default=0),
            tuple(sorted({r for w in entity for r in w.rel_types})),
        )

    def __bool__(self) -> bool:
        return bool(self.by_target or self.others)


def scan(
    store: GraphStore,
    watches: Sequence[Watch] | WatchIndex,
    since_seq: int,
    *,
    limit: int = 500,
) -> ScanResult:
    """The watches reached by the feed events after ``since_seq`` (at most ``limit``)."""
    index = watches if isinstance(watches, WatchIndex) else WatchIndex.of(watches)
    events = punish.changes(store, since_seq=since_seq, limit=limit)
    if not events:
        return ScanResult((), since_seq, 0, 0)
    imposed = [e for e in events if e.kind == "imposed"]
    listings = {n.uid: n for n in store.get_nodes(sorted({e.listing_uid for e in imposed}))}
    subjects = {n.uid: n for n in store.get_nodes(sorted({e.subject_uid for e in imposed}))}
    by_target, others = index.by_target, index.others
    hops, rel_types = index.hops, index.rel_types
    reaches: list[Reach] = []
    adjacent: dict[str, list[Edge]] = {}
    cut = False
    if hops:
        adjacent, cut = _read_around(
            store, sorted({e.subject_uid for e in imposed}), hops, rel_types
        )
    around: dict[str, tuple[tuple[Edge, ...], frozenset[str]]] = {}
    for event in imposed:
        listing = listings.get(event.listing_uid)
        listed = str(listing.get("subject_uid", "")) if listing is not None else ""
        subject = subjects.get(event.subject_uid)
        change = Change(
            seq=event.seq,
            kind="listing" if event.subject_uid == listed else "restriction",
            subject=event.subject_uid,
            listing_uid=event.listing_uid,
            list_type=event.list_type,
            measure=event.measure,
            rule_id=event.rule_id,
            region=str(subject.get("region")) if subject and subject.get("region") else None,
        )
        edges: tuple[Edge, ...] = ()
        candidates = list(others)
        if hops and change.subject not in around:
            around[change.subject] = _local(change.subject, adjacent, hops)
        if change.subject in around:
            edges, near = around[change.subject]
            candidates += [w for uid in sorted(near) for w in by_target.get(uid, ())]
        reaches.extend(reached_watches(change, edges, candidates))
    return ScanResult(tuple(reaches), events[-1].seq, len(events), int(cut))
