"""Restriction writes too large for one transaction, committed in bounded batches.

A server limits the memory one transaction may use (Neo4j's
``db.memory.transaction.total.max``): a full propagation over a large graph cannot go in
one. It goes in as a recorded :class:`PropagationRun` instead, with the same
all-or-nothing outcome for readers:

1. **writing**: the run is recorded (with the change-feed numbers it reserves); the new
   restriction versions and the feed events are written in batches of at most
   ``batch_rows`` rows per transaction, each carrying ``run_uid``, and the versions'
   edges (``RESTRICTS``, ``DERIVED_FROM``) after the last batch; the versions the run
   supersedes are marked ``superseded_by``. Readers ignore all of it:
   rows of a run that is not committed are invisible, marks of it are not supersessions,
   and the feed stops short of its first number.
2. **committed**: one small transaction sets the run's state. From then on readers treat
   its rows as written and its marks as supersessions (at the run's recorded time).
3. **done**: the run's marks are turned into plain fields in batches (``run_uid`` cleared,
   ``superseded_at`` set), after which the run is only history.

A crash leaves the run ``writing`` or ``committed``. :func:`recover` (called before every
propagation write) finishes committed runs and rolls back writing runs whose heartbeat is
older than ``stale_after``: their never-visible rows are deleted and their marks cleared.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from algorithms.propagation.feed import advance_head, feed_head
from graph.schema import derived_from_edge, label_of_uid
from graph.store import GraphStore

__all__ = [
    "DEFAULT_BATCH_ROWS",
    "RESERVE_SEQ",
    "BatchedRun",
    "RunRows",
    "RunState",
    "finish",
    "open_runs",
    "recover",
    "roll_back",
    "write_in_batches",
]

#: Rows per transaction of a batched write (a restriction version, with its paths, is
#: about 1-2 kB in a transaction's memory: 20,000 rows stay far below Neo4j's defaults).
DEFAULT_BATCH_ROWS = 20_000

_SUBJECT_LABELS = ("Business", "Person", "Store")


def _chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _batches(
    versions: Sequence[dict[str, Any]],
    superseded: Sequence[str],
    events: Sequence[dict[str, Any]],
    size: int,
) -> Iterator[tuple[Sequence[dict[str, Any]], Sequence[str], Sequence[dict[str, Any]]]]:
    """The three kinds of rows, in order, cut into transactions of at most ``size`` rows
    together (one commit for a batch of versions and events, not one each)."""
    taken = [0, 0, 0]
    kinds = (versions, superseded, events)
    while any(taken[k] < len(kinds[k]) for k in range(3)):
        room = size
        parts: list[Sequence[Any]] = []
        for k, rows in enumerate(kinds):
            part = rows[taken[k] : taken[k] + room]
            taken[k] += len(part)
            room -= len(part)
            parts.append(part)
        yield parts[0], parts[1], parts[2]


def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.fromisoformat(str(value)).replace(tzinfo=None)


@dataclass(frozen=True)
class RunState:
    """The runs not yet finished, as readers need them."""

    #: runs still writing (their rows invisible), with the first feed number they reserved
    writing: Mapping[str, int | None] = field(default_factory=dict)
    #: committed runs not yet finished, with their recorded time
    committed: Mapping[str, datetime] = field(default_factory=dict)
    #: the highest feed number any open run reserved
    reserved_seq: int = 0

    def hides(self, row: Mapping[str, Any]) -> bool:
        """Whether a restriction version or event belongs to a run not committed."""
        return row.get("run_uid") in self.writing

    def superseded_at(self, row: Mapping[str, Any]) -> datetime | None:
        """A version's recorded end, counting the marks of committed runs."""
        own = _timestamp(row.get("superseded_at"))
        if own is not None:
            return own
        return self.committed.get(row.get("superseded_by") or "")

    def feed_cap(self) -> int | None:
        """The last feed number readers may see (None: no limit)."""
        firsts = [s for s in self.writing.values() if s is not None]
        return min(firsts) - 1 if firsts else None


def open_runs(store: GraphStore) -> RunState:
    """The runs still writing or committed but not finished."""
    writing: dict[str, int | None] = {}
    committed: dict[str, datetime] = {}
    reserved = 0
    for row in store.query("punish/open_runs"):
        if row["last_seq"] is not None:
            reserved = max(reserved, int(row["last_seq"]))
        if row["state"] == "writing":
            writing[row["uid"]] = None if row["first_seq"] is None else int(row["first_seq"])
        else:
            committed[row["uid"]] = _timestamp(row["recorded_at"]) or datetime.min
    return RunState(writing, committed, reserved)


@dataclass
class RunRows:
    """What one batched write puts on record."""

    mode: str
    recorded_at: datetime
    versions: list[dict[str, Any]]
    superseded: list[str]
    events: list[dict[str, Any]]
    first_seq: int | None
    last_seq: int | None


def _new_uid(now: datetime) -> str:
    return f"propagation:{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def _set_run(store: GraphStore, uid: str, **props: Any) -> None:
    store.set_node_properties("PropagationRun", [{"uid": uid, **props}])


#: Feed numbers a streamed run reserves ahead of the events it has written, so that a
#: writer starting meanwhile numbers its events after them (see :class:`BatchedRun`).
RESERVE_SEQ = 1_000_000


class BatchedRun:
    """A recorded run written a batch at a time, as its rows are produced.

    :meth:`begin` records the run (``writing``); :meth:`write` adds rows in transactions of
    at most ``batch_rows``, any number of times; :meth:`commit` makes them visible at once
    and finishes the run; :meth:`abort` rolls it back. A writer that streams (a full
    propagation over a large graph) never holds more than one batch of rows.

    The run reserves feed numbers ahead of the events written (``RESERVE_SEQ`` at a time,
    extended before any event past the reservation is written): a writer that starts
    meanwhile takes its numbers after the reservation, never inside the run's range.
    """

    def __init__(
        self,
        store: GraphStore,
        *,
        mode: str,
        recorded_at: datetime,
        first_seq: int | None,
        batch_rows: int = DEFAULT_BATCH_ROWS,
        on_batch: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.mode = mode
        self.recorded_at = recorded_at
        self.first_seq = first_seq
        self.size = max(1, batch_rows)
        self.on_batch = on_batch
        self.uid = _new_uid(recorded_at)
        self.rows = 0
        self.reserved: int | None = None
        #: (version uid, subject uid, listing uid) of the versions written, for their edges
        self._edges: list[tuple[str, str, str]] = []

    def begin(self, reserve_to: int | None = None) -> None:
        """Record the run as writing, reserving feed numbers up to ``reserve_to``."""
        self.reserved = reserve_to
        self.store.upsert_nodes(
            "PropagationRun",
            [
                {
                    "uid": self.uid,
                    "state": "writing",
                    "mode": self.mode,
                    "recorded_at": self.recorded_at,
                    "first_seq": self.first_seq,
                    "last_seq": reserve_to,
                    "rows": 0,
                    "heartbeat_at": self.recorded_at,
                }
            ],
        )

    def write(
        self,
        versions: Sequence[dict[str, Any]],
        superseded: Sequence[str],
        events: Sequence[dict[str, Any]],
    ) -> None:
        """Add rows to the run: versions (with their edges), supersession marks, events."""
        last = max((int(e["seq"]) for e in events), default=None)
        if last is not None and (self.reserved is None or last > self.reserved):
            if self.first_seq is None:
                self.first_seq = min(int(e["seq"]) for e in events)
            self.reserved = last + RESERVE_SEQ
            _set_run(self.store, self.uid, first_seq=self.first_seq, last_seq=self.reserved)
        for chunk, uids, events_chunk in _batches(versions, superseded, events, self.size):
            with self.store.transaction():
                if chunk:
                    self.store.upsert_nodes(
                        "Restriction", [{**v, "run_uid": self.uid} for v in chunk]
                    )
                if uids:
                    self.store.set_node_properties(
                        "Restriction", [{"uid": u, "superseded_by": self.uid} for u in uids]
                    )
                if events_chunk:
                    self.store.upsert_nodes(
                        "ChangeEvent", [{**e, "run_uid": self.uid} for e in events_chunk]
                    )
            for v in chunk:
                self._edges.append((v["uid"], v["subject_uid"], v["listing_uid"]))
            self._heartbeat()
            if len(self._edges) >= self._edge_rows():
                self._write_edges()
        self.rows += len(versions) + len(superseded) + len(events)

    def _write_edges(self) -> None:
        """The gathered versions' ``RESTRICTS`` and ``DERIVED_FROM`` edges, one write per type.

        Gathered across batches (up to ``_edge_rows``) rather than written with each:
        LadybugDB's commit of a relationship write takes time in proportion to the table
        (86k restrictions in batches of 20k: ~5 s of commits). The edges are invisible
        until the commit as their versions are, and a roll-back deletes them with the
        versions. Small: three uids an edge.

        Inserted without the upsert's lookups: a version's uid, and so its edges' rids,
        comes from a feed number reserved for this run, and a run that never committed is
        rolled back with its edges (``DETACH DELETE``) before its numbers are taken again.
        """
        binds: dict[str, list[dict[str, Any]]] = {}
        derived = []
        for uid, subject, listing in self._edges:
            label = label_of_uid(subject)
            if label in _SUBJECT_LABELS:
                binds.setdefault(label, []).append(
                    {"rid": f"restricts:{uid.partition(':')[2]}", "src": uid, "dst": subject}
                )
            derived.append(derived_from_edge(uid, listing))
        for label, edges in binds.items():
            self.store.insert_new_relationships("RESTRICTS", "Restriction", label, edges)
        if derived:
            self.store.insert_new_relationships("DERIVED_FROM", "Restriction", "Listing", derived)
        self._edges = []
        self._heartbeat()

    def _edge_rows(self) -> int:
        """Edges per write: an edge row is a tenth of a version's (no paths, no names)."""
        return self.size * 10

    def commit(self, last_seq: int | None) -> None:
        """Write the gathered edges, make every row visible at once (one small transaction
        that also moves the feed's head past the run's events), then finish the run."""
        self._write_edges()
        with self.store.transaction():
            _set_run(
                self.store,
                self.uid,
                state="committed",
                committed_at=_now(),
                last_seq=last_seq,
                rows=self.rows,
            )
            if last_seq is not None and last_seq > feed_head(self.store):
                advance_head(self.store, last_seq)
        finish(self.store, self.uid, self.size)

    def abort(self) -> None:
        """Undo the run now when the store still answers (else :func:`recover` will)."""
        with contextlib.suppress(Exception):
            roll_back(self.store, self.uid, self.size)

    def _heartbeat(self) -> None:
        _heartbeat(self.store, self.uid, self.on_batch)


def write_in_batches(
    store: GraphStore,
    rows: RunRows,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    *,
    on_batch: Callable[[], None] | None = None,
) -> str:
    """Write ``rows`` as a recorded run in transactions of at most ``batch_rows`` rows.

    Returns the run's uid. An error before the commit leaves the run ``writing`` (rolled
    back by :func:`recover`, or at once here when the store still answers); after it, the
    run is committed and :func:`recover` finishes it. ``on_batch`` is called after every
    batch (a hook for progress).
    """
    run = BatchedRun(
        store,
        mode=rows.mode,
        recorded_at=rows.recorded_at,
        first_seq=rows.first_seq,
        batch_rows=batch_rows,
        on_batch=on_batch,
    )
    run.begin(reserve_to=rows.last_seq)
    try:
        run.write(rows.versions, rows.superseded, rows.events)
    except Exception:
        run.abort()
        raise
    run.commit(rows.last_seq)
    return run.uid


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _heartbeat(store: GraphStore, uid: str, on_batch: Callable[[], None] | None) -> None:
    _set_run(store, uid, heartbeat_at=_now())
    if on_batch is not None:
        on_batch()


def _drain(
    store: GraphStore, query: str, run_uid: str, size: int, apply: Callable[[list[str]], None]
) -> None:
    """Apply ``apply`` to the uids ``query`` finds for the run, a batch at a time, until none
    are left (each batch leaves the query's condition)."""
    while True:
        uids = [row["uid"] for row in store.query(query, {"run": run_uid, "limit": size})]
        if not uids:
            return
        with store.transaction():
            apply(uids)


def finish(store: GraphStore, run_uid: str, batch_rows: int = DEFAULT_BATCH_ROWS) -> None:
    """Turn a committed run's marks into plain fields, in batches; the run becomes done."""
    rows = store.query("punish/run", {"uid": run_uid})
    if not rows:
        return
    recorded_at = _timestamp(rows[0]["recorded_at"])
    _drain(
        store,
        "punish/run_versions",
        run_uid,
        batch_rows,
        lambda uids: _set_each(store, "Restriction", uids, run_uid=None),
    )
    _drain(
        store,
        "punish/run_superseded",
        run_uid,
        batch_rows,
        lambda uids: _set_each(
            store, "Restriction", uids, superseded_at=recorded_at, superseded_by=None
        ),
    )
    _drain(
        store,
        "punish/run_events",
        run_uid,
        batch_rows,
        lambda uids: _set_each(store, "ChangeEvent", uids, run_uid=None),
    )
    _set_run(store, run_uid, state="done", finished_at=_now())


def roll_back(store: GraphStore, run_uid: str, batch_rows: int = DEFAULT_BATCH_ROWS) -> None:
    """Undo a run that never committed: its rows deleted, its marks cleared, in batches."""
    _drain(
        store,
        "punish/run_versions",
        run_uid,
        batch_rows,
        lambda uids: _discard(store, "punish/discard_restrictions", uids),
    )
    _drain(
        store,
        "punish/run_superseded",
        run_uid,
        batch_rows,
        lambda uids: _set_each(store, "Restriction", uids, superseded_by=None),
    )
    _drain(
        store,
        "punish/run_events",
        run_uid,
        batch_rows,
        lambda uids: _discard(store, "punish/discard_events", uids),
    )
    _set_run(store, run_uid, state="rolled_back", finished_at=_now())


def _discard(store: GraphStore, query: str, uids: list[str]) -> None:
    """Delete rows no reader ever saw (those of a run that did not commit)."""
    store.query(query, {"uids": uids})


def _set_each(store: GraphStore, label: str, uids: list[str], **props: Any) -> None:
    store.set_node_properties(label, [{"uid": u, **props} for u in uids])


def recover(
    store: GraphStore,
    *,
    stale_after: timedelta = timedelta(minutes=10),
    batch_rows: int = DEFAULT_BATCH_ROWS,
    now: datetime | None = None,
) -> list[tuple[str, str]]:
    """Finish committed runs and roll back writing runs silent for ``stale_after``.

    Returns ``(run uid, "finished" | "rolled_back")`` for each run it acted on. A run still
    writing (heartbeat within ``stale_after``) is left alone: another process owns it.
    """
    moment = (now or _now()).replace(tzinfo=None)
    done: list[tuple[str, str]] = []
    for row in store.query("punish/open_runs"):
        if row["state"] == "committed":
            finish(store, row["uid"], batch_rows)
            done.append((row["uid"], "finished"))
            continue
        beat = _timestamp(row["heartbeat_at"]) or datetime.min
        if moment - beat >= stale_after:
            roll_back(store, row["uid"], batch_rows)
            done.append((row["uid"], "rolled_back"))
    return done
