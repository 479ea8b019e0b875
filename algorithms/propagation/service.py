"""Joint punishment through the store port: materialised, bitemporal restriction records.

Writes and reads go only through :class:`~graph.store.GraphStore` methods (``project``,
``query``, ``upsert_nodes``, ``upsert_relationships``, ``set_node_properties``), so the
embedded store and Neo4j behave the same.

Records
    Each derived restriction is stored as a ``Restriction`` node version bound to its
    subject by ``RESTRICTS``. Valid time is ``valid_from``/``valid_to`` (when the measure
    holds in the world); recorded time is ``recorded_at``/``superseded_at`` (when the
    system believed it). Nothing is deleted: a change supersedes the current version and,
    where the restriction still held for a while, records a new version with the new valid
    time. Removal, expiry and credit repair end valid time on that date (history keeps the
    restriction in force before it); a listing removed as made in error
    (:data:`~algorithms.propagation.engine.RETRACTING_REASONS`) is retracted: its versions
    are superseded with no successor, so as now known it never held, while ``known_at``
    earlier still shows what the system said then.
Feed
    Every change writes a ``ChangeEvent`` with a monotonically increasing ``seq``
    (``imposed``, ``lifted``, ``amended``); platforms page through :func:`changes`.
Read path
    :func:`status` looks the subject up by primary key and reads its ``RESTRICTS``
    records: no traversal, no rules, no engine.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from algorithms.propagation.bounded import neighbourhood, subjects_near
from algorithms.propagation.disputes import Disputes, disputed_by
from algorithms.propagation.engine import (
    DerivationPath,
    Listing,
    PathEdge,
    PreparedGraph,
    Restriction,
    RestrictionDiff,
    diff,
    prepare,
    propagate,
)
from algorithms.propagation.exclusions import (
    Exclusion,
    list_exclusions,
    load_exclusions,
    write_exclusion,
)
from algorithms.propagation.feed import advance_head, feed_head
from algorithms.propagation.rules import RuleSet, SubjectKind, default_rules
from algorithms.propagation.runs import (
    DEFAULT_BATCH_ROWS,
    BatchedRun,
    RunRows,
    RunState,
    open_runs,
    recover,
    write_in_batches,
)
from graph.errors import InvalidInput, NotFound
from graph.model import as_date
from graph.render import Link, display_name, path_text
from graph.schema import derived_from_edge, label_of_uid
from graph.store import GraphStore

log = logging.getLogger(__name__)

__all__ = [
    "ChangeEvent",
    "ExplainedPath",
    "ExplainedRestriction",
    "PropagationReport",
    "RestrictionRecord",
    "RestrictionStatus",
    "add_listing",
    "check_listing_dates",
    "check_new_listing",
    "changes",
    "current_restrictions",
    "edges_changed",
    "exclude_link",
    "exclude_subject",
    "restriction_target",
    "link_ends",
    "note_dispute",
    "explain",
    "listing_fingerprint",
    "load_listings",
    "load_listings_of_subjects",
    "preview_listing",
    "propagate_store",
    "remove_listing",
    "repair_listing",
    "status",
]


_SUBJECT_LABELS = ("Business", "Person", "Store")
#: Uids per look-up query: keeps each parameter list, and its query, bounded.
_LOOKUP_BATCH = 5_000


# -- output models -------------------------------------------------------------------------
class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class RestrictionRecord(_Model):
    """One stored restriction version."""

    uid: str
    subject_uid: str
    measure: str
    measure_name_zh: str
    measure_name_en: str
    list_type: str
    rule_id: str
    listing_uid: str
    listed_uid: str
    valid_from: date
    valid_to: date | None
    recorded_at: datetime
    superseded_at: datetime | None
    legal_basis: tuple[str, ...]
    paths: tuple[DerivationPath, ...]
    path_count: int
    #: digest of the listing (and rules version) the record was derived from
    listing_fp: str | None = None
    #: open objections against it, its listing or a link on its paths (still in force)
    disputed_by: tuple[int, ...] = ()

    @property
    def disputed(self) -> bool:
        """Under an open objection (异议): in force, but marked disputed."""
        return bool(self.disputed_by)

    def in_force(self, at: date) -> bool:
        """Whether the measure holds on ``at`` (valid time)."""
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)

    def known(self, known_at: datetime | None) -> bool:
        """Whether the system held this version at ``known_at`` (None: now)."""
        if known_at is None:
            return self.superseded_at is None
        return self.recorded_at <= known_at and (
            self.superseded_at is None or known_at < self.superseded_at
        )


class RestrictionStatus(_Model):
    """Whether an entity is restricted on a date, as the system knew it at a moment."""

    uid: str
    at: date
    known_at: datetime | None
    restricted: bool
    measures: tuple[str, ...]
    restrictions: tuple[RestrictionRecord, ...]


class ExplainedPath(_Model):
    """A derivation path written out for a person."""

    zh: str
    en: str
    nodes: tuple[str, ...]
    rids: tuple[str, ...]


class ExplainedRestriction(_Model):
    """Why one measure binds the entity: rule, listing, legal basis and the paths."""

    measure: str
    measure_name_zh: str
    measure_name_en: str
    list_type: str
    rule_id: str
    listing_uid: str
    valid_from: date
    valid_to: date | None
    legal_basis: tuple[str, ...]
    path_count: int
    paths: tuple[ExplainedPath, ...]
    #: open objections against the restriction, its listing or a link on its paths
    disputed_by: tuple[int, ...] = ()


class ChangeEvent(_Model):
    """One entry of the change feed."""

    seq: int
    kind: Literal["imposed", "lifted", "amended", "disputed", "dispute_closed"]
    subject_uid: str
    measure: str
    list_type: str
    rule_id: str
    listing_uid: str
    restriction_uid: str
    valid_from: date | None
    valid_to: date | None
    reason: str
    at: datetime
    #: the objection a ``disputed`` / ``dispute_closed`` event is about
    objection_id: int | None = None


class PropagationReport(_Model):
    """What one propagation run did."""

    mode: Literal["full", "incremental"]
    listings: int
    recomputed: int
    imposed: int
    lifted: int
    amended: int
    first_seq: int | None
    last_seq: int | None
    seconds: float


# -- encoding ------------------------------------------------------------------------------
def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _paths_json(paths: Sequence[DerivationPath]) -> str:
    return json.dumps(
        [
            {
                "nodes": list(p.nodes),
                "edges": [
                    {
                        "rid": e.rid,
                        "type": e.type,
                        "src": e.src,
                        "dst": e.dst,
                        "since": _iso(e.since),
                        "until": _iso(e.until),
                    }
                    for e in p.edges
                ],
                "valid_from": _iso(p.valid_from),
                "valid_to": _iso(p.valid_to),
            }
            for p in paths
        ],
        ensure_ascii=False,
    )


def _datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.fromisoformat(str(value)).replace(tzinfo=None)


def _paths_from_json(text: str | None) -> tuple[DerivationPath, ...]:
    out = []
    for p in json.loads(text or "[]"):
        edges = tuple(
            PathEdge(
                e["rid"], e["type"], e["src"], e["dst"], as_date(e["since"]), as_date(e["until"])
            )
            for e in p["edges"]
        )
        valid_from = as_date(p["valid_from"])
        assert valid_from is not None
        out.append(DerivationPath(tuple(p["nodes"]), edges, valid_from, as_date(p["valid_to"])))
    return tuple(out)


def _record(row: Mapping[str, Any], runs: RunState | None = None) -> RestrictionRecord:
    valid_from = as_date(row["valid_from"])
    recorded_at = _datetime(row["recorded_at"])
    assert valid_from is not None
    assert recorded_at is not None
    return RestrictionRecord(
        uid=row["uid"],
        subject_uid=row["subject_uid"],
        measure=row["measure"],
        measure_name_zh=row["measure_name_zh"] or "",
        measure_name_en=row["measure_name_en"] or "",
        list_type=row["list_type"],
        rule_id=row["rule_id"],
        listing_uid=row["listing_uid"],
        listed_uid=row["listed_uid"],
        valid_from=valid_from,
        valid_to=as_date(row["valid_to"]),
        recorded_at=recorded_at,
        superseded_at=(runs or RunState()).superseded_at(row),
        legal_basis=tuple(json.loads(row["legal_basis"] or "[]")),
        paths=_paths_from_json(row["paths"]),
        path_count=int(row["path_count"] or 0),
        listing_fp=row.get("listing_fp"),
    )


def _as_restriction(record: RestrictionRecord) -> Restriction:
    return Restriction(
        subject_uid=record.subject_uid,
        measure_id=record.measure,
        listing_uid=record.listing_uid,
        rule_id=record.rule_id,
        valid_from=record.valid_from,
        valid_to=record.valid_to,
        list_type=record.list_type,
        listed_uid=record.listed_uid,
        legal_basis=record.legal_basis,
        paths=record.paths,
        path_count=record.path_count,
    )


def _listing(row: Mapping[str, Any]) -> Listing:
    decided = as_date(row["decided"])
    if decided is None:
        raise InvalidInput(f"listing {row['uid']} has no decision date", field="decided")
    return Listing(
        uid=row["uid"],
        subject_uid=row["subject_uid"],
        list_type=row["list_type"],
        decided=decided,
        expires=as_date(row["expires"]),
        removed=as_date(row["removed"]),
        removal_reason=row["removal_reason"],
        legal_basis=row["legal_basis"],
    )


def listing_fingerprint(listing: Listing, rules: RuleSet) -> str:
    """A digest of what a listing's restrictions depend on (its fields and the rules version)."""
    fields = (
        rules.version,
        listing.subject_uid,
        listing.list_type,
        _iso(listing.decided),
        _iso(listing.expires),
        _iso(listing.removed),
        listing.removal_reason,
        listing.legal_basis,
    )
    return hashlib.sha1(json.dumps(fields).encode()).hexdigest()[:16]


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)


# -- loading state from the store ----------------------------------------------------------
def load_listings(store: GraphStore, uids: Iterable[str] | None = None) -> list[Listing]:
    """Listings from the store: all of them, or those with the given uids."""
    if uids is None:
        rows = store.query("punish/listings")
    else:
        rows = store.query("punish/listings_by_uid", {"uids": sorted(set(uids))})
    return [_listing(row) for row in rows]


def load_listings_of_subjects(store: GraphStore, subject_uids: Iterable[str]) -> list[Listing]:
    """Listings on the given entities (looked up by subject, in bounded batches)."""
    uids = sorted(set(subject_uids))
    out: list[Listing] = []
    for start in range(0, len(uids), _LOOKUP_BATCH):
        rows = store.query(
            "punish/listings_of_subjects", {"uids": uids[start : start + _LOOKUP_BATCH]}
        )
        out.extend(_listing(row) for row in rows)
    return out


def _current(
    store: GraphStore, listing_uids: Iterable[str] | None = None, runs: RunState | None = None
) -> list[RestrictionRecord]:
    if listing_uids is None:
        rows = store.query("punish/current_restrictions")
    else:
        rows = store.query_by_uids(
            "punish/current_restrictions_of_listings", sorted(set(listing_uids))
        )
    runs = runs or open_runs(store)
    records = [_record(row, runs) for row in rows if not runs.hides(row)]
    return [rec for rec in records if rec.superseded_at is None]


def _graph(store: GraphStore, rules: RuleSet) -> PreparedGraph:
    projection = store.project(
        list(rules.rel_types), edge_props=list(rules.edge_props()), node_labels=_SUBJECT_LABELS
    )
    return prepare(projection)


def _local_graph(store: GraphStore, rules: RuleSet, listings: Iterable[Listing]) -> PreparedGraph:
    """The subgraph the listings' restrictions depend on, read by a bounded traversal."""
    return prepare(neighbourhood(store, rules, listings))


def current_restrictions(
    store: GraphStore, listing_uids: Iterable[str] | None = None
) -> list[RestrictionRecord]:
    """The records not superseded: all of them, or those derived from some listings."""
    return _current(store, listing_uids)


def preview_listing(
    store: GraphStore, listing: Listing, rules: RuleSet | None = None
) -> RestrictionDiff:
    """What putting ``listing`` on record as given would change, computed without writing.

    The same comparison :func:`add_listing`, :func:`remove_listing` and
    :func:`repair_listing` make before they write: the listing's current records against
    what the engine derives for it over the current graph (its neighbourhood within the
    rules' hop limits, read from the store: see :mod:`algorithms.propagation.bounded`).
    """
    rules = rules or default_rules()
    current = _current(store, [listing.uid])
    desired = propagate(
        _local_graph(store, rules, [listing]), [listing], rules, exclusions=load_exclusions(store)
    )
    return diff([_as_restriction(r) for r in current], desired)


# -- writing -------------------------------------------------------------------------------
@dataclass
class _Writer:
    """Collects the rows one change writes, then writes them in a few batched calls."""

    store: GraphStore
    rules: RuleSet
    now: datetime
    reason: str
    fingerprints: Mapping[str, str]
    seq: int
    first_seq: int | None = None
    #: rows per transaction; a larger write goes in as a recorded batched run
    batch_rows: int = DEFAULT_BATCH_ROWS
    mode: str = "incremental"
    #: write batches into the run as they fill, rather than holding every row to the end
    stream: bool = False

    def __post_init__(self) -> None:
        self.versions: list[dict[str, Any]] = []
        self.binds: dict[str, list[dict[str, Any]]] = {}
        self.derived: list[dict[str, Any]] = []
        self.superseded: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.counts = {"imposed": 0, "lifted": 0, "amended": 0}
        self.run: BatchedRun | None = None

    def _next(self) -> int:
        self.seq += 1
        if self.first_seq is None:
            self.first_seq = self.seq
        return self.seq

    def _event(self, kind: str, r: Restriction, restriction_uid: str, reason: str) -> None:
        seq = self._next()
        self.counts[kind] += 1
        self.events.append(
            {
                "uid": f"change:{seq:012d}",
                "seq": seq,
                "kind": kind,
                "subject_uid": r.subject_uid,
                "measure": r.measure_id,
                "list_type": r.list_type,
                "rule_id": r.rule_id,
                "listing_uid": r.listing_uid,
                "restriction_uid": restriction_uid,
                "valid_from": r.valid_from,
                "valid_to": r.valid_to,
                "reason": reason,
                "at": self.now,
            }
        )

    def impose(self, r: Restriction, kind: str = "imposed", reason: str | None = None) -> None:
        """Record a new version of ``r`` and say so in the feed."""
        measure = self.rules.measure_by_id.get(r.measure_id)
        seq_uid = f"restriction:{self.seq + 1:012d}"
        self._event(kind, r, seq_uid, reason or self.reason)
        key = "|".join(str(part) for part in r.key)
        self.versions.append(
            {
                "uid": seq_uid,
                "record_key": hashlib.sha1(key.encode()).hexdigest(),
                "subject_uid": r.subject_uid,
                "measure": r.measure_id,
                "measure_name_zh": measure.name_zh if measure else r.measure_id,
                "measure_name_en": measure.name_en if measure else r.measure_id,
                "list_type": r.list_type,
                "rule_id": r.rule_id,
                "listing_uid": r.listing_uid,
                "listed_uid": r.listed_uid,
                "listing_fp": self.fingerprints.get(r.listing_uid),
                "valid_from": r.valid_from,
                "valid_to": r.valid_to,
                "recorded_at": self.now,
                "superseded_at": None,
                "legal_basis": json.dumps(list(r.legal_basis), ensure_ascii=False),
                "paths": _paths_json(r.paths),
                "path_count": r.path_count,
                "rules_version": self.rules.version,
                "source": "propagation",
            }
        )
        label = label_of_uid(r.subject_uid)
        if label in _SUBJECT_LABELS:
            self.binds.setdefault(label, []).append(
                {
                    "rid": f"restricts:{seq_uid.partition(':')[2]}",
                    "src": seq_uid,
                    "dst": r.subject_uid,
                }
            )
        self.derived.append(derived_from_edge(seq_uid, r.listing_uid))

    def supersede(self, record_uid: str) -> None:
        """Close a version in recorded time."""
        self.superseded.append({"uid": record_uid, "superseded_at": self.now})

    def lift(self, r: Restriction, record_uid: str, reason: str | None = None) -> None:
        """Retract a version: superseded, no successor."""
        self.supersede(record_uid)
        self._event("lifted", r, record_uid, reason or self.reason)

    @property
    def rows(self) -> int:
        """Rows the change writes (versions, supersessions, events)."""
        return len(self.versions) + len(self.superseded) + len(self.events)

    def spill(self) -> None:
        """When streaming, write what is collected into the run once a batch is full."""
        if not self.stream or self.rows < self.batch_rows:
            return
        if self.run is None:
            self.run = BatchedRun(
                self.store,
                mode=self.mode,
                recorded_at=self.now,
                first_seq=self.first_seq,
                batch_rows=self.batch_rows,
            )
            self.run.begin()
        self.run.write(self.versions, [row["uid"] for row in self.superseded], self.events)
        self.versions, self.superseded, self.events = [], [], []
        self.binds, self.derived = {}, []

    def abort(self) -> None:
        """Roll back a streamed run that will not be committed."""
        if self.run is not None:
            self.run.abort()
            self.run = None

    def flush(self) -> None:
        """Write everything collected, all or nothing for readers.

        Up to ``batch_rows`` rows go in one transaction; more go in as a recorded run
        committed in batches (:mod:`algorithms.propagation.runs`), so no transaction
        outgrows the server's transaction memory. A streamed run writes its last rows and
        commits.
        """
        if self.run is not None:
            self.run.write(self.versions, [row["uid"] for row in self.superseded], self.events)
            self.run.commit(self.seq)
            return
        if self.rows > self.batch_rows:
            write_in_batches(
                self.store,
                RunRows(
                    mode=self.mode,
                    recorded_at=self.now,
                    versions=self.versions,
                    superseded=[row["uid"] for row in self.superseded],
                    events=self.events,
                    first_seq=self.first_seq,
                    last_seq=self.seq if self.first_seq is not None else None,
                ),
                self.batch_rows,
            )
            return
        with self.store.transaction():
            if self.superseded:
                self.store.set_node_properties("Restriction", self.superseded)
            if self.versions:
                self.store.upsert_nodes("Restriction", self.versions)
            for label, rows in self.binds.items():
                self.store.upsert_relationships("RESTRICTS", "Restriction", label, rows)
            if self.derived:
                self.store.upsert_relationships(
                    "DERIVED_FROM", "Restriction", "Listing", self.derived
                )
            if self.events:
                self.store.upsert_nodes("ChangeEvent", self.events)
                advance_head(self.store, self.seq)


def _last_seq(store: GraphStore, runs: RunState | None = None) -> int:
    # numbers an open batched run reserved count as taken, written yet or not
    reserved = (runs or open_runs(store)).reserved_seq
    return max(feed_head(store), reserved)


def _recovered(store: GraphStore, batch_rows: int = DEFAULT_BATCH_ROWS) -> RunState:
    """Finish or roll back what a crash left open; the runs still open after that."""
    runs = open_runs(store)
    if runs.writing or runs.committed:
        recover(store, batch_rows=batch_rows)
        runs = open_runs(store)
    return runs


def _lift_reason(listing: Listing | None, fallback: str) -> str:
    if listing is None:
        return f"{fallback}: listing no longer on record"
    if listing.removed is not None:
        return (
            f"{fallback}: listing removed {listing.removed} ({listing.removal_reason or 'removed'})"
        )
    return fallback


def _apply(
    store: GraphStore,
    rules: RuleSet,
    current: Sequence[RestrictionRecord],
    desired: Sequence[Restriction],
    listings: Mapping[str, Listing],
    *,
    reason: str,
    now: datetime,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    mode: str = "incremental",
    runs: RunState | None = None,
) -> _Writer:
    writer = _new_writer(store, rules, listings, reason, now, batch_rows, mode, runs)
    _diff_into(writer, current, desired, listings, reason)
    writer.flush()
    return writer


def _new_writer(
    store: GraphStore,
    rules: RuleSet,
    listings: Mapping[str, Listing],
    reason: str,
    now: datetime,
    batch_rows: int,
    mode: str,
    runs: RunState | None,
    *,
    stream: bool = False,
) -> _Writer:
    return _Writer(
        store,
        rules,
        now,
        reason,
        {uid: listing_fingerprint(lst, rules) for uid, lst in listings.items()},
        _last_seq(store, runs),
        batch_rows=batch_rows,
        mode=mode,
        stream=stream,
    )


def _diff_into(
    writer: _Writer,
    current: Sequence[RestrictionRecord],
    desired: Sequence[Restriction],
    listings: Mapping[str, Listing],
    reason: str,
) -> None:
    """Hand the writer what turns ``current`` into ``desired``: lifts, amendments, impositions."""
    uid_by_key = {_as_restriction(rec).key: rec.uid for rec in current}
    change = diff([_as_restriction(rec) for rec in current], desired)
    for r in change.lifted:
        writer.lift(r, uid_by_key[r.key], _lift_reason(listings.get(r.listing_uid), reason))
        writer.spill()
    for old, new in change.changed:
        writer.supersede(uid_by_key[old.key])
        ended = new.valid_to is not None and (old.valid_to is None or new.valid_to < old.valid_to)
        kind = "lifted" if ended else "amended"
        writer.impose(
            new, kind, _lift_reason(listings.get(new.listing_uid), reason) if ended else None
        )
        writer.spill()
    for r in change.imposed:
        writer.impose(r)
        writer.spill()


def _report(
    mode: Literal["full", "incremental"], listings: int, recomputed: int, w: _Writer, started: float
) -> PropagationReport:
    return PropagationReport(
        mode=mode,
        listings=listings,
        recomputed=recomputed,
        imposed=w.counts["imposed"],
        lifted=w.counts["lifted"],
        amended=w.counts["amended"],
        first_seq=w.first_seq,
        last_seq=w.seq if w.first_seq is not None else None,
        seconds=round(time.perf_counter() - started, 3),
    )


# -- operations ----------------------------------------------------------------------------
#: Listings recomputed together by a propagation over the store: bounds the restrictions
#: held in memory at once (a listing derives tens to a few thousand).
LISTINGS_PER_CHUNK = 2_000
RESTRICTIONS_PER_CHUNK = 100_000


def propagate_store(
    store: GraphStore,
    rules: RuleSet | None = None,
    *,
    full: bool = False,
    now: datetime | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> PropagationReport:
    """Bring the materialised restrictions up to date with the listings and the graph.

    ``full`` recomputes every listing over the current graph (after graph changes whose
    endpoints are unknown, or edges deleted outright). Without it, only listings whose
    fields (or the rules version) changed since their records were written, and listings
    gone from the store, are recomputed. A write of more than ``batch_rows`` rows is
    committed in batches of that size as a recorded run (all or nothing for readers);
    an earlier run a crash left open is finished or rolled back first.
    """
    rules = rules or default_rules()
    started = time.perf_counter()
    runs = _recovered(store, batch_rows)
    now = _now(now)
    listings = {lst.uid: lst for lst in load_listings(store)}
    current: dict[str, list[RestrictionRecord]] = {}
    for rec in _current(store, runs=runs):
        current.setdefault(rec.listing_uid, []).append(rec)
    graph = _graph(store, rules)
    excluded = load_exclusions(store)
    if full:
        todo = set(listings) | set(current)
    else:
        fps = {uid: listing_fingerprint(lst, rules) for uid, lst in listings.items()}
        stale_fp = {
            uid
            for uid in listings
            if uid not in current or any(rec.listing_fp != fps[uid] for rec in current[uid])
        }
        todo = stale_fp | (set(current) - set(listings))
    reason = "full propagation" if full else "propagation"
    writer = _new_writer(
        store,
        rules,
        listings,
        reason,
        now,
        batch_rows,
        "full" if full else "incremental",
        runs,
        stream=True,
    )
    # Listings a chunk at a time: restrictions are keyed by listing, so each chunk's
    # difference is exact. A chunk ends at LISTINGS_PER_CHUNK listings or once it derived
    # RESTRICTIONS_PER_CHUNK restrictions: one listing on a hub derives tens of thousands
    # at 100k businesses, and 2,000 listings on hubs held 17 GB at 1M.
    chunk: list[str] = []
    desired: list[Restriction] = []
    done = 0
    try:
        for uid in sorted(todo):
            chunk.append(uid)
            if uid in listings:
                desired += propagate(graph, [listings[uid]], rules, exclusions=excluded)
            if len(chunk) >= LISTINGS_PER_CHUNK or len(desired) >= RESTRICTIONS_PER_CHUNK:
                keep = [rec for each in chunk for rec in current.pop(each, [])]
                _diff_into(writer, keep, desired, listings, reason)
                done += len(chunk)
                chunk, desired = [], []
                log.info(
                    "propagation: %d of %d listings, %s after %.0f s",
                    done,
                    len(todo),
                    writer.counts,
                    time.perf_counter() - started,
                )
        keep = [rec for each in chunk for rec in current.pop(each, [])]
        _diff_into(writer, keep, desired, listings, reason)
        writer.flush()
    except Exception:
        writer.abort()  # a crash leaves the run writing, for recover() to roll back
        raise
    return _report("full" if full else "incremental", len(listings), len(todo), writer, started)


def _update_listings(
    store: GraphStore,
    rules: RuleSet,
    affected: set[str],
    *,
    reason: str,
    now: datetime | None,
    graph: PreparedGraph | None = None,
) -> PropagationReport:
    started = time.perf_counter()
    runs = _recovered(store)
    listings = {lst.uid: lst for lst in load_listings(store, affected)}
    graph = graph or _local_graph(store, rules, listings.values())
    current = _current(store, affected, runs)
    desired = propagate(graph, listings.values(), rules, exclusions=load_exclusions(store))
    writer = _apply(
        store, rules, current, desired, listings, reason=reason, now=_now(now), runs=runs
    )
    return _report("incremental", len(listings), len(affected), writer, started)


def check_listing_dates(listing: Listing) -> None:
    """Refuse a listing that expires before it is decided (the rule ingest applies too)."""
    if listing.expires is not None and listing.expires < listing.decided:
        raise InvalidInput(
            f"expires {listing.expires} is before decided {listing.decided}", field="expires"
        )


def check_new_listing(store: GraphStore, listing: Listing, rules: RuleSet | None = None) -> str:
    """The checks a new listing must pass (dates, subject kind, list type, subject on
    record, uid); returns the subject's label. Writes nothing."""
    check_listing_dates(listing)
    rules = rules or default_rules()
    label = label_of_uid(listing.subject_uid)
    if label not in _SUBJECT_LABELS:
        raise InvalidInput(
            f"subject {listing.subject_uid!r} is not a business, person or store", field="subject"
        )
    list_type = rules.list_type_by_id.get(listing.list_type)
    if list_type is None:
        known = ", ".join(rules.list_type_by_id)
        raise InvalidInput(
            f"unknown list type {listing.list_type!r} (known: {known})", field="list_type"
        )
    kind = SubjectKind.of_label(label)
    if kind not in list_type.subjects:
        raise InvalidInput(f"{list_type.id} does not list a {label}", field="subject")
    if store.get_node(listing.subject_uid) is None:
        raise NotFound(f"no entity with uid {listing.subject_uid!r}")
    if not listing.uid.startswith("listing:"):
        raise InvalidInput("a listing uid starts with 'listing:'", field="uid")
    return label


def add_listing(
    store: GraphStore,
    listing: Listing,
    rules: RuleSet | None = None,
    *,
    authority: str | None = None,
    region: str | None = None,
    now: datetime | None = None,
) -> PropagationReport:
    """Put a listing on record (``Listing`` node, ``LISTED`` edge) and propagate from it."""
    rules = rules or default_rules()
    label = check_new_listing(store, listing, rules)
    with store.transaction():
        store.upsert_nodes(
            "Listing",
            [
                {
                    "uid": listing.uid,
                    "listing_id": listing.uid.partition(":")[2],
                    "list_type": listing.list_type,
                    "subject_uid": listing.subject_uid,
                    "authority": authority,
                    "decided": listing.decided,
                    "expires": listing.expires,
                    "removed": listing.removed,
                    "removal_reason": listing.removal_reason,
                    "legal_basis": listing.legal_basis,
                    "region": region,
                    "source": "punish",
                    "first_seen": _now(now),
                    "last_seen": _now(now),
                }
            ],
        )
        store.upsert_relationships(
            "LISTED",
            label,
            "Listing",
            [{"rid": f"listed:{listing.uid}", "src": listing.subject_uid, "dst": listing.uid}],
        )
    return _update_listings(
        store, rules, {listing.uid}, reason=f"listing {listing.uid} added", now=now
    )


def remove_listing(
    store: GraphStore,
    listing_uid: str,
    on: date,
    reason: str = "removed",
    rules: RuleSet | None = None,
    *,
    now: datetime | None = None,
) -> PropagationReport:
    """Take a listing off its list on ``on`` and lift what followed from it (and only that).

    ``reason`` ``repaired`` / ``expired`` / ``removed`` end valid time on ``on``;
    ``error`` / ``objection_upheld`` / ``revoked`` retract the listing from the start.
    """
    rules = rules or default_rules()
    if not load_listings(store, [listing_uid]):
        raise NotFound(f"no listing {listing_uid!r}")
    store.set_node_properties(
        "Listing", [{"uid": listing_uid, "removed": on, "removal_reason": reason}]
    )
    return _update_listings(
        store, rules, {listing_uid}, reason=f"listing {listing_uid} {reason} on {on}", now=now
    )


def repair_listing(
    store: GraphStore,
    listing_uid: str,
    on: date,
    rules: RuleSet | None = None,
    *,
    now: datetime | None = None,
) -> PropagationReport:
    """Credit repair (信用修复): the listing ends on ``on``; its restrictions end with it."""
    return remove_listing(store, listing_uid, on, "repaired", rules, now=now)


def edges_changed(
    store: GraphStore,
    endpoints: Iterable[str],
    rules: RuleSet | None = None,
    *,
    now: datetime | None = None,
) -> PropagationReport:
    """Re-derive what edges added or changed at ``endpoints`` affect (ended, re-dated, shares).

    Call it after writing the edges. Only listings whose rules' paths can pass an endpoint
    are recomputed, each over its own neighbourhood (:func:`bounded.subjects_near
    <algorithms.propagation.bounded.subjects_near>`). An edge deleted outright is no longer
    in the graph to find listings through: run :func:`propagate_store` with ``full=True``
    for deletions.
    """
    rules = rules or default_rules()
    reach = subjects_near(store, rules, endpoints)
    candidates = set().union(*reach.values()) if reach else set()
    affected = {
        lst.uid
        for lst in load_listings_of_subjects(store, candidates)
        if lst.subject_uid in reach.get(lst.list_type, set())
    }
    return _update_listings(store, rules, affected, reason="relationships changed", now=now)


def link_ends(store: GraphStore, rid: str, near: Iterable[str] = ()) -> tuple[str, str, str]:
    """The type and endpoints of the relationship ``rid``: looked for at the entities
    ``near`` (the objection's subject), then on the current records' derivation paths."""
    near = [u for u in near if u]
    if near:
        for edge in store.edges_of(near):
            if edge.rid == rid:
                return edge.type, edge.src, edge.dst
    for record in _current(store):
        for path in record.paths:
            for e in path.edges:
                if e.rid == rid:
                    return e.type, e.src, e.dst
    raise NotFound(f"no link with rid {rid!r} at the subject or on any derivation path")


def exclude_link(
    store: GraphStore,
    exclusion: Exclusion,
    rules: RuleSet | None = None,
    *,
    near: Iterable[str] = (),
    now: datetime | None = None,
) -> PropagationReport:
    """Exclude a link from propagation (an upheld objection) and lift what depended on it.

    Records the exclusion (``LinkExclusion``, see :mod:`algorithms.propagation.exclusions`)
    and recomputes the listings whose paths can pass the link, in its scope, each over its
    own neighbourhood: a restriction whose every path took the link is lifted (retracted:
    superseded with no successor, so history still says it was in force); one with another
    path stays, amended to the remaining paths. Every later recomputation respects it.
    Writing it again changes nothing.
    """
    rules = rules or default_rules()
    if exclusion.scope == "rule" and exclusion.scope_value not in rules.rule_by_id:
        raise InvalidInput(f"no rule {exclusion.scope_value!r}", field="scope_value")
    if exclusion.scope == "listing" and not load_listings(store, [exclusion.scope_value or ""]):
        raise NotFound(f"no listing {exclusion.scope_value!r}")
    kept = {x.uid: x for x in list_exclusions(store)}.get(exclusion.uid)
    if kept is not None and kept.src_uid and kept.dst_uid and kept.rel_type:
        rel_type, src, dst = kept.rel_type, kept.src_uid, kept.dst_uid  # written before
    else:
        rel_type, src, dst = link_ends(store, exclusion.rid, near)
    if exclusion.src_uid is None:
        exclusion = Exclusion(
            exclusion.rid,
            exclusion.scope,
            exclusion.scope_value,
            exclusion.objection_id,
            exclusion.decided,
            rel_type,
            src,
            dst,
        )
    moment = _now(now)
    with store.transaction():
        write_exclusion(store, exclusion, moment)
        if exclusion.scope == "listing":
            affected = {exclusion.scope_value or ""}
        else:
            reach = subjects_near(store, rules, [src, dst])
            candidates = set().union(*reach.values()) if reach else set()
            affected = {
                lst.uid
                for lst in load_listings_of_subjects(store, candidates)
                if lst.subject_uid in reach.get(lst.list_type, set())
                and (
                    exclusion.scope == "all"
                    or any(
                        r.id == exclusion.scope_value
                        for r in rules.list_type_by_id[lst.list_type].propagation
                    )
                )
            }
        return _update_listings(
            store,
            rules,
            affected,
            reason=f"link {exclusion.rid} excluded (objection {exclusion.objection_id})",
            now=moment,
        )


def exclude_subject(
    store: GraphStore,
    restriction_uid: str,
    objection_id: int,
    decided: date,
    rules: RuleSet | None = None,
    *,
    now: datetime | None = None,
) -> PropagationReport:
    """Lift one derived restriction for its subject (an upheld objection against it).

    The listing's rule that derived the version no longer binds that subject, whatever
    path reaches it (an exclusion of scope ``subject``); the listing is recomputed over its
    own neighbourhood, so the subject's versions from that rule are lifted (retracted:
    history still says they were in force) and nothing else changes. Every later
    recomputation respects it; writing it again changes nothing.

    Raises
    ------
    NotFound
        No restriction version has this uid.
    InvalidInput
        The version is the listed subject's own (object to the listing instead).
    """
    rules = rules or default_rules()
    subject, listing_uid, rule_id = restriction_target(store, restriction_uid)
    exclusion = Exclusion(
        restriction_uid,
        "subject",
        None,
        objection_id,
        decided,
        subject_uid=subject,
        listing_uid=listing_uid,
        rule_id=rule_id,
    )
    moment = _now(now)
    with store.transaction():
        write_exclusion(store, exclusion, moment)
        return _update_listings(
            store,
            rules,
            {listing_uid},
            reason=f"{rule_id} no longer binds {subject} (objection {objection_id})",
            now=moment,
        )


def restriction_target(store: GraphStore, restriction_uid: str) -> tuple[str, str, str]:
    """(subject, listing, rule) of a derived restriction version an objection may lift."""
    node = store.get_node(restriction_uid)
    if node is None or node.label != "Restriction":
        raise NotFound(f"no restriction {restriction_uid!r}")
    subject = str(node.props.get("subject_uid") or "")
    listing_uid = str(node.props.get("listing_uid") or "")
    rule_id = str(node.props.get("rule_id") or "")
    if not (subject and listing_uid and rule_id):
        raise NotFound(f"no restriction {restriction_uid!r}")
    if rule_id.endswith(".self"):
        raise InvalidInput(
            "this restriction binds the listed subject itself: object to the listing",
            field="target",
        )
    return subject, listing_uid, rule_id


def _disputed_records(
    store: GraphStore, target_kind: str, target: str, subject: str, rules: RuleSet
) -> list[RestrictionRecord]:
    """The current records an objection reaches (as :func:`disputes.disputed_by` marks them)."""
    if target_kind == "listing":
        return _current(store, [target])
    if target_kind == "restriction":
        node = store.get_node(target)
        listing_uid = node.props.get("listing_uid") if node is not None else None
        if not listing_uid:
            return []
        return [r for r in _current(store, [str(listing_uid)]) if r.uid == target]
    try:
        _, src, dst = link_ends(store, target, [subject])
    except NotFound:
        return []  # a link no restriction was derived over: nothing on the feed
    reach = subjects_near(store, rules, [src, dst])
    candidates = set().union(*reach.values()) if reach else set()
    listings = [
        lst.uid
        for lst in load_listings_of_subjects(store, candidates)
        if lst.subject_uid in reach.get(lst.list_type, set())
    ]
    return [
        r
        for r in _current(store, listings)
        if any(e.rid == target for p in r.paths for e in p.edges)
    ]


def note_dispute(
    store: GraphStore,
    objection_id: int,
    target_kind: str,
    target: str,
    subject: str,
    *,
    outcome: str | None = None,
    rules: RuleSet | None = None,
    now: datetime | None = None,
) -> int:
    """Tell the feed which restrictions an objection (异议) reaches; how many events.

    Without ``outcome`` (filed): a ``disputed`` event per restriction in force and
    disputed; with it (decided): a ``dispute_closed`` event per restriction the objection
    reached, its reason ``objection N upheld`` (rejected, partly_upheld). A decision
    writes its closing events once: a second call for a decided objection writes nothing.
    """
    rules = rules or default_rules()
    kind = "disputed" if outcome is None else "dispute_closed"
    if outcome is not None and store.query(
        "punish/objection_events", {"objection_id": objection_id, "kind": kind}
    ):
        return 0
    records = _disputed_records(store, target_kind, target, subject, rules)
    moment = _now(now)
    with store.transaction():
        seq = _last_seq(store)
        reason = f"objection {objection_id} {outcome or 'filed'}"
        events = []
        for r in sorted(records, key=lambda rec: rec.uid):
            seq += 1
            events.append(
                {
                    "uid": f"change:{seq:012d}",
                    "seq": seq,
                    "kind": kind,
                    "subject_uid": r.subject_uid,
                    "measure": r.measure,
                    "list_type": r.list_type,
                    "rule_id": r.rule_id,
                    "listing_uid": r.listing_uid,
                    "restriction_uid": r.uid,
                    "valid_from": r.valid_from,
                    "valid_to": r.valid_to,
                    "reason": reason,
                    "at": moment,
                    "objection_id": objection_id,
                }
            )
        if events:
            store.upsert_nodes("ChangeEvent", events)
            advance_head(store, seq)
    return len(events)


# -- reads ---------------------------------------------------------------------------------
def _records_of(store: GraphStore, uid: str) -> list[RestrictionRecord]:
    label = label_of_uid(uid)
    if label not in _SUBJECT_LABELS:
        raise InvalidInput(f"{uid!r} is not a business, person or store uid", field="uid")
    rows = store.query(f"punish/restrictions_of_{label.lower()}", {"uid": uid})
    if not rows:
        raise NotFound(f"no entity with uid {uid!r}")
    runs = open_runs(store)
    return [
        _record(row, runs) for row in rows if row.get("uid") is not None and not runs.hides(row)
    ]


def status(
    store: GraphStore,
    uid: str,
    at: date | None = None,
    known_at: datetime | None = None,
    disputes: Disputes | None = None,
) -> RestrictionStatus:
    """Whether ``uid`` is restricted on ``at`` (today) as known at ``known_at`` (now).

    ``disputes``: open objections by target (see :mod:`algorithms.propagation.disputes`);
    a restriction they reach carries their ids in ``disputed_by``.

    Served from the materialised records alone: a primary-key lookup of the subject and
    its ``RESTRICTS`` records, filtered in valid and recorded time.

    Raises
    ------
    NotFound
        No business, person or store has this uid.
    InvalidInput
        The uid names another kind of node.
    """
    at = at or date.today()
    known = None if known_at is None else known_at.replace(tzinfo=None)
    hits = tuple(
        sorted(
            (r for r in _records_of(store, uid) if r.known(known) and r.in_force(at)),
            key=lambda r: (r.measure, r.listing_uid, r.rule_id, r.valid_from),
        )
    )
    if disputes:
        hits = tuple(_with_disputes(r, disputes) for r in hits)
    return RestrictionStatus(
        uid=uid,
        at=at,
        known_at=known,
        restricted=bool(hits),
        measures=tuple(sorted({r.measure for r in hits})),
        restrictions=hits,
    )


def _with_disputes(record: RestrictionRecord, disputes: Disputes) -> RestrictionRecord:
    rids = (e.rid for p in record.paths for e in p.edges)
    found = disputed_by(disputes, record.uid, record.listing_uid, rids)
    return record.model_copy(update={"disputed_by": found}) if found else record


def _explain_path(path: DerivationPath, names: Mapping[str, str], rules: RuleSet) -> ExplainedPath:
    links = []
    for i, edge in enumerate(path.edges):
        forward = edge.src == path.nodes[i]
        role = None if forward else rules.role_of(edge.type, "in")
        links.append(
            Link(
                rel_type=edge.type,
                rid=edge.rid,
                forward=forward,
                since=edge.since,
                until=edge.until,
                word_zh=role.name_zh if role else None,
                word_en=role.name_en if role else None,
            )
        )
    return ExplainedPath(
        zh=path_text(path.nodes, links, names, "zh"),
        en=path_text(path.nodes, links, names, "en"),
        nodes=path.nodes,
        rids=tuple(e.rid for e in path.edges),
    )


def explain(
    store: GraphStore,
    uid: str,
    at: date | None = None,
    rules: RuleSet | None = None,
    disputes: Disputes | None = None,
) -> list[ExplainedRestriction]:
    """Why ``uid`` is restricted on ``at`` (today): each measure with its paths, readable;
    ``disputed_by`` names the open objections that reach it (``disputes`` as in :func:`status`)."""
    rules = rules or default_rules()
    current = status(store, uid, at, disputes=disputes)
    node_uids = sorted({n for r in current.restrictions for p in r.paths for n in p.nodes})
    names = {n.uid: display_name(n) for n in store.get_nodes(node_uids)}
    out = []
    for r in current.restrictions:
        out.append(
            ExplainedRestriction(
                measure=r.measure,
                measure_name_zh=r.measure_name_zh,
                measure_name_en=r.measure_name_en,
                list_type=r.list_type,
                rule_id=r.rule_id,
                listing_uid=r.listing_uid,
                valid_from=r.valid_from,
                valid_to=r.valid_to,
                legal_basis=r.legal_basis,
                path_count=r.path_count,
                paths=tuple(_explain_path(p, names, rules) for p in r.paths),
                disputed_by=r.disputed_by,
            )
        )
    return out


def changes(store: GraphStore, since_seq: int = 0, limit: int = 100) -> list[ChangeEvent]:
    """The change feed after ``since_seq``, oldest first (platforms keep the last seq they saw)."""
    if limit < 1 or limit > 10_000:
        raise InvalidInput("limit must be between 1 and 10000", field="limit")
    # the feed stops short of a batched run still writing, so no one pages past its events
    cap = open_runs(store).feed_cap()
    params = {"since_seq": since_seq, "until_seq": 2**62 if cap is None else cap, "limit": limit}
    rows = store.query("punish/changes", params)
    return [
        ChangeEvent(
            seq=int(row["seq"]),
            kind=row["kind"],
            subject_uid=row["subject_uid"],
            measure=row["measure"],
            list_type=row["list_type"],
            rule_id=row["rule_id"],
            listing_uid=row["listing_uid"],
            restriction_uid=row["restriction_uid"],
            valid_from=as_date(row["valid_from"]),
            valid_to=as_date(row["valid_to"]),
            reason=row["reason"] or "",
            at=_datetime(row["at"]) or datetime.min,
            objection_id=None if row.get("objection_id") is None else int(row["objection_id"]),
        )
        for row in rows
    ]
