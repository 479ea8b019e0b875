"""Restriction writes larger than a transaction may hold: batched, all or nothing for readers.

On both stores, with a small ``batch_rows``:

1. A full propagation far larger than one batch succeeds, records its run as done and
   leaves exactly the records, statuses and feed a one-transaction write leaves.
2. A run that dies before its commit changes nothing a reader sees (status, records,
   feed); the next write rolls it back and then does the work.
3. A run that dies after its commit already shows its outcome to readers; the next write
   finishes it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from algorithms.propagation import runs, service
from algorithms.propagation.engine import Listing
from graph.store import GraphStore

T1 = datetime(2024, 3, 1, 9, 0, 0)
T2 = datetime(2024, 4, 1, 9, 0, 0)
N = 24  # businesses; each listed, each with a representative, two stores, a subsidiary


class Crash(BaseException):
    """The process dying mid-write (not an error the writer could catch and undo)."""


def build(store: GraphStore) -> list[Listing]:
    """N businesses, each with its people and stores, and their listings (not yet propagated)."""
    store.upsert_nodes("Business", [{"uid": f"biz:{i}", "name": f"企业{i}"} for i in range(2 * N)])
    store.upsert_nodes("Person", [{"uid": f"person:{i}", "name": f"人{i}"} for i in range(N)])
    store.upsert_nodes("Store", [{"uid": f"store:{i}", "name": f"店{i}"} for i in range(2 * N)])
    store.upsert_relationships(
        "LEGAL_REPRESENTATIVE_OF",
        "Person",
        "Business",
        [{"rid": f"lr{i}", "src": f"person:{i}", "dst": f"biz:{i}"} for i in range(N)],
    )
    store.upsert_relationships(
        "OPERATES",
        "Business",
        "Store",
        [{"rid": f"op{j}", "src": f"biz:{j // 2}", "dst": f"store:{j}"} for j in range(2 * N)],
    )
    store.upsert_relationships(
        "SHAREHOLDER_OF",
        "Business",
        "Business",
        [
            {"rid": f"sh{i}", "src": f"biz:{i}", "dst": f"biz:{N + i}", "share": 0.8}
            for i in range(N)
        ],
    )
    listings = [
        Listing(f"listing:{i}", f"biz:{i}", "serious_dishonesty", date(2024, 1, 1))
        for i in range(N)
    ]
    store.upsert_nodes(
        "Listing",
        [
            {
                "uid": lst.uid,
                "list_type": lst.list_type,
                "subject_uid": lst.subject_uid,
                "decided": lst.decided,
            }
            for lst in listings
        ],
    )
    return listings


def snapshot(store: GraphStore) -> tuple[Any, ...]:
    """What a reader sees: current records, every subject's status, the whole feed."""
    records = sorted(
        (r.subject_uid, r.measure, r.listing_uid, r.rule_id, r.valid_from, r.valid_to)
        for r in service.current_restrictions(store)
    )
    statuses = tuple(
        service.status(store, uid, at=date(2024, 6, 1)).measures
        for uid in [f"biz:{i}" for i in range(2 * N)] + [f"store:{i}" for i in range(2 * N)]
    )
    feed = [(e.seq, e.kind, e.subject_uid, e.measure) for e in service.changes(store, 0, 10_000)]
    return tuple(records), statuses, tuple(feed)


def run_states(store: GraphStore) -> list[str]:
    return [row["state"] for row in store.query("punish/open_runs")]


@pytest.mark.parametrize(
    ("listings_per_chunk", "restrictions_per_chunk"),
    [(2_000, 100_000), (5, 100_000), (1, 100_000), (2_000, 7)],
)
def test_a_full_propagation_in_small_batches_leaves_what_one_transaction_leaves(
    store: GraphStore,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    listings_per_chunk: int,
    restrictions_per_chunk: int,
) -> None:
    from graph.embedded_store import EmbeddedStore

    build(store)
    monkeypatch.setattr(service, "LISTINGS_PER_CHUNK", listings_per_chunk)
    monkeypatch.setattr(service, "RESTRICTIONS_PER_CHUNK", restrictions_per_chunk)
    held: list[int] = []
    real_write = runs.BatchedRun.write

    def write(run: runs.BatchedRun, versions: Any, superseded: Any, events: Any) -> None:
        held.append(len(versions) + len(superseded) + len(events))
        real_write(run, versions, superseded, events)

    monkeypatch.setattr(runs.BatchedRun, "write", write)
    batched = service.propagate_store(store, full=True, now=T1, batch_rows=40)
    monkeypatch.undo()
    assert batched.imposed > 5 * 40  # many batches
    # streamed into the run as it is computed: never more than a batch (and the rows of
    # the one restriction that filled it) held at once
    assert len(held) > 5
    assert max(held) <= 40 + 3
    assert run_states(store) == []  # recorded, committed and finished
    with EmbeddedStore(tmp_path / "one.lbdb") as reference:
        reference.create_schema()
        build(reference)
        single = service.propagate_store(reference, full=True, now=T1, batch_rows=10**6)
        assert single.imposed == batched.imposed
        assert snapshot(reference) == snapshot(store)


@pytest.mark.parametrize(
    "dies_at", [pytest.param(3, id="writing-versions"), pytest.param(18, id="writing-events")]
)
def test_a_run_that_dies_before_its_commit_is_invisible_and_then_rolled_back(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch, dies_at: int
) -> None:
    build(store)
    service.propagate_store(store, full=True, now=T1, batch_rows=40)
    before = snapshot(store)
    # half the listings are retracted (made in error), the other half repaired: a second
    # full run writes new versions, supersedes old ones and fills the feed, in 20 batches
    store.set_node_properties(
        "Listing",
        [
            {
                "uid": f"listing:{i}",
                "removed": date(2024, 2, 1),
                "removal_reason": "error" if i % 2 == 0 else "repaired",
            }
            for i in range(N)
        ],
    )
    batches = {"n": 0}
    real = runs._heartbeat

    def dies_on_a_batch(*args: Any) -> None:
        batches["n"] += 1
        if batches["n"] == dies_at:
            raise Crash
        real(*args)

    monkeypatch.setattr(runs, "_heartbeat", dies_on_a_batch)
    with pytest.raises(Crash):
        service.propagate_store(store, full=True, now=T2, batch_rows=40)
    monkeypatch.setattr(runs, "_heartbeat", real)

    assert run_states(store) == ["writing"]
    assert snapshot(store) == before  # readers see nothing of the dead run
    acted = runs.recover(store, stale_after=timedelta(0))
    assert [action for _, action in acted] == ["rolled_back"]
    assert snapshot(store) == before
    assert run_states(store) == []

    after = service.propagate_store(store, full=True, now=T2, batch_rows=40)
    assert after.lifted > 0
    assert not service.status(store, "store:0", at=date(2024, 1, 15)).restricted  # retracted
    assert service.status(store, "store:2", at=date(2024, 1, 15)).restricted  # repaired later
    assert not service.status(store, "store:2", at=date(2024, 6, 1)).restricted
    # as known before the retraction, the store was restricted
    assert service.status(store, "store:0", at=date(2024, 1, 15), known_at=T1).restricted
    feed = [e.seq for e in service.changes(store, 0, 10_000)]
    assert feed == sorted(set(feed))


def test_a_run_that_dies_after_its_commit_is_seen_whole_and_then_finished(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(store)

    def dies(*args: Any, **kwargs: Any) -> None:
        raise Crash

    monkeypatch.setattr(runs, "finish", dies)
    with pytest.raises(Crash):
        service.propagate_store(store, full=True, now=T1, batch_rows=40)
    monkeypatch.undo()

    assert run_states(store) == ["committed"]
    seen = snapshot(store)
    assert service.status(store, "store:0", at=date(2024, 6, 1)).restricted
    acted = runs.recover(store)
    assert [action for _, action in acted] == ["finished"]
    assert run_states(store) == []
    assert snapshot(store) == seen
    again = service.propagate_store(store, full=True, now=T2, batch_rows=40)
    assert (again.imposed, again.lifted, again.amended) == (0, 0, 0)


def test_the_feed_head_moves_with_every_commit_and_numbers_the_next_write(
    store: GraphStore,
) -> None:
    from algorithms.propagation.feed import feed_head

    listings = build(store)
    # a store written before the head existed: events, no head; the head is found by a scan
    store.upsert_nodes(
        "ChangeEvent",
        [
            {
                "uid": "change:000000000007",
                "seq": 7,
                "kind": "imposed",
                "subject_uid": "biz:0",
                "measure": "m",
                "list_type": "serious_dishonesty",
                "rule_id": "r",
                "listing_uid": "listing:0",
                "restriction_uid": "restriction:000000000007",
                "valid_from": date(2024, 1, 1),
                "reason": "written before the head existed",
                "at": T1,
            }
        ],
    )
    assert feed_head(store) == 7

    service.propagate_store(store, full=True, now=T1, batch_rows=40)  # a batched run
    seqs = [e.seq for e in service.changes(store, 7, 10_000)]
    assert seqs[0] == 8
    assert feed_head(store) == seqs[-1]

    service.remove_listing(store, listings[0].uid, date(2024, 2, 1), "repaired", now=T2)
    after = [e.seq for e in service.changes(store, seqs[-1], 10_000)]
    assert after
    assert after[0] == seqs[-1] + 1
    assert feed_head(store) == after[-1]
