"""Which watches a change reaches, and by which path.

A *watch* follows one entity (and everything within ``hops`` of it along chosen
relationship types), a region (subjects whose region code starts with it) or a list type.
A *change* is something that happened to one entity: a listing imposed on it, a
restriction derived onto it. The change reaches an entity watch when the watched entity
lies within the watch's ``hops`` of the changed entity along the watch's relationship
types (in either direction); the alert carries the shortest such path, so an officer reads
why it concerns the watched entity. Severity: ``high`` for the watched entity itself or a
serious-dishonesty listing, ``medium`` one hop away, ``low`` further.

Work per change is bounded by the neighbourhood the caller passes (at most the largest
``hops`` of any watch, <= 4), never by the graph.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from graph.model import Edge

__all__ = [
    "DEFAULT_WATCH_RELS",
    "MAX_WATCH_HOPS",
    "Change",
    "Reach",
    "Watch",
    "reached_watches",
    "severity",
]

#: What a watch follows by default: controllers, legal representatives, shareholders and
#: operated stores.
DEFAULT_WATCH_RELS: tuple[str, ...] = (
    "ACTUAL_CONTROLLER_OF",
    "LEGAL_REPRESENTATIVE_OF",
    "SHAREHOLDER_OF",
    "OPERATES",
)
MAX_WATCH_HOPS = 4


@dataclass(frozen=True)
class Watch:
    """What one key follows: ``kind`` is ``entity``, ``region`` or ``list_type``."""

    id: int
    key_id: str
    kind: str
    target: str
    hops: int = 2
    rel_types: tuple[str, ...] = DEFAULT_WATCH_RELS


@dataclass(frozen=True)
class Change:
    """Something that happened to ``subject``: ``kind`` is ``listing`` (it was listed) or
    ``restriction`` (a measure was derived onto it), from listing ``listing_uid``."""

    seq: int
    kind: str
    subject: str
    listing_uid: str
    list_type: str
    measure: str
    rule_id: str
    region: str | None = None


@dataclass(frozen=True)
class Reach:
    """A watch a change reached: the path runs from the changed entity to the watched one
    (``path[0] == change.subject``), ``rel_types[i]`` joins ``path[i]`` and ``path[i+1]``."""

    watch: Watch
    change: Change
    path: tuple[str, ...]
    rel_types: tuple[str, ...]

    @property
    def distance(self) -> int:
        """Hops between the changed and the watched entity (0: the watched entity itself)."""
        return len(self.rel_types)


def severity(reach: Reach) -> str:
    """``high``, ``medium`` or ``low`` (see the module docstring)."""
    if reach.distance == 0 or reach.change.list_type == "serious_dishonesty":
        return "high"
    return "medium" if reach.distance == 1 else "low"


def _paths(
    start: str, edges: Sequence[Edge], rel_types: Iterable[str], hops: int
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Shortest path (nodes, rel types) from ``start`` to every node within ``hops``."""
    allowed = set(rel_types)
    adjacent: dict[str, list[tuple[str, str]]] = {}
    for e in edges:
        if e.type in allowed:
            adjacent.setdefault(e.src, []).append((e.dst, e.type))
            adjacent.setdefault(e.dst, []).append((e.src, e.type))
    for options in adjacent.values():
        options.sort()
    best: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {start: ((start,), ())}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        nodes, types = best[node]
        if len(types) >= hops:
            continue
        for other, rel in adjacent.get(node, ()):
            if other not in best:
                best[other] = ((*nodes, other), (*types, rel))
                queue.append(other)
    return best


def reached_watches(change: Change, edges: Sequence[Edge], watches: Iterable[Watch]) -> list[Reach]:
    """The watches ``change`` reaches, given the edges around the changed entity.

    ``edges`` must cover the changed entity's neighbourhood to the largest ``hops`` of the
    entity watches (more is harmless). Region and list-type watches match the change itself.

    Examples
    --------
    >>> edges = [Edge("r1", "LEGAL_REPRESENTATIVE_OF", "person:p", "biz:a"),
    ...          Edge("r2", "LEGAL_REPRESENTATIVE_OF", "person:p", "biz:b")]
    >>> change = Change(1, "listing", "biz:a", "listing:1", "abnormal_operation", "m", "r")
    >>> [(r.watch.target, r.path) for r in reached_watches(
    ...     change, edges, [Watch(7, "k", "entity", "biz:b", hops=2)])]
    [('biz:b', ('biz:a', 'person:p', 'biz:b'))]
    """
    out: list[Reach] = []
    cache: dict[tuple[tuple[str, ...], int], Mapping[str, tuple[tuple[str, ...], ...]]] = {}
    for watch in watches:
        if watch.kind == "region":
            if change.region and change.region.startswith(watch.target):
                out.append(Reach(watch, change, (change.subject,), ()))
            continue
        if watch.kind == "list_type":
            if change.list_type == watch.target:
                out.append(Reach(watch, change, (change.subject,), ()))
            continue
        key = (tuple(sorted(watch.rel_types)), watch.hops)
        if key not in cache:
            cache[key] = _paths(change.subject, edges, watch.rel_types, watch.hops)
        found = cache[key].get(watch.target)
        if found is not None:
            out.append(Reach(watch, change, found[0], found[1]))
    return out
