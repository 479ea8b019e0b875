"""Alerts from the restriction change feed: each change's bounded neighbourhood is read
through the store port and matched against the watches (:mod:`algorithms.alerts.core`).

A scan reads the feed after a cursor, keeps ``imposed`` events, turns each into a
:class:`~algorithms.alerts.core.Change` (``listing`` when the event's subject is the listed
entity itself, else ``restriction``), reads the subject's neighbourhood once to the
largest ``hops`` of the entity watches along the union of their relationship types, and
returns every watch reached with its path. Entity watches are looked up by the nodes of
that neighbourhood, so the work per change does not grow with the number of watches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from algorithms.alerts.core import Change, Reach, Watch, reached_watches
from algorithms.propagation import service as punish
from graph.errors import NotFound
from graph.model import Edge
from graph.store import GraphStore

__all__ = ["ScanResult", "scan"]

#: Nodes read around one change at most (a hub's neighbourhood is cut, and said so).
MAX_NEIGHBOURHOOD = 5_000


@dataclass(frozen=True)
class ScanResult:
    """What one scan found: the watches reached, the cursor to continue from, and how many
    neighbourhoods a limit cut (their far side may hold a watch that was not reached)."""

    reaches: tuple[Reach, ...]
    next_seq: int
    events: int
    truncated: int


def scan(
    store: GraphStore, watches: Sequence[Watch], since_seq: int, *, limit: int = 500
) -> ScanResult:
    """The watches reached by the feed events after ``since_seq`` (at most ``limit``)."""
    events = punish.changes(store, since_seq=since_seq, limit=limit)
    if not events:
        return ScanResult((), since_seq, 0, 0)
    imposed = [e for e in events if e.kind == "imposed"]
    listings = {n.uid: n for n in store.get_nodes(sorted({e.listing_uid for e in imposed}))}
    subjects = {n.uid: n for n in store.get_nodes(sorted({e.subject_uid for e in imposed}))}
    by_target: dict[str, list[Watch]] = defaultdict(list)
    others: list[Watch] = []
    for w in watches:
        (by_target[w.target] if w.kind == "entity" else others).append(w)
    entity_watches = [w for group in by_target.values() for w in group]
    hops = max((w.hops for w in entity_watches), default=0)
    rel_types = sorted({r for w in entity_watches for r in w.rel_types})
    reaches: list[Reach] = []
    truncated = 0
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
            try:
                sub = store.neighbourhood(
                    change.subject, hops, rel_types, max_nodes=MAX_NEIGHBOURHOOD
                )
            except NotFound:
                sub = None
            if sub is not None:
                truncated += sub.truncated
                around[change.subject] = (sub.edges, frozenset(n.uid for n in sub.nodes))
        if change.subject in around:
            edges, near = around[change.subject]
            candidates += [w for uid in sorted(near) for w in by_target.get(uid, ())]
        reaches.extend(reached_watches(change, edges, candidates))
    return ScanResult(tuple(reaches), events[-1].seq, len(events), truncated)
