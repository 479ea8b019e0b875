"""The store worker keeps the port's contract, and a worker's death costs calls, not data.

The store contract (``test_store_contract.py``) runs again on a ``WorkerStore``: the
embedded store in its own process, every call and answer crossing a pipe, as
``credgraph serve`` uses it. Then the worker is killed on purpose: calls fail at once with
StoreUnavailable (never hang), a transaction it died in leaves nothing behind and fails
to its end, and a new worker answers.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.errors import InvalidInput, StoreUnavailable
from graph.store import GraphStore
from graph.worker_store import WorkerStore
from tests.contract.test_store_contract import (  # noqa: F401 - collected again here
    test_a_failed_transaction_leaves_no_trace,
    test_a_label_pair_the_schema_does_not_allow_is_refused,
    test_a_large_batch_creates_the_new_updates_the_stored_and_the_last_row_wins,
    test_a_relationship_to_a_missing_node_is_not_written,
    test_deleting_relationships_by_rid,
    test_edges_of_respects_direction_and_type,
    test_get_nodes_keeps_the_order_asked_and_leaves_out_unknown_uids,
    test_ingesting_the_sample_gives_the_same_graph_on_both_stores,
    test_neighbourhood_follows_hops_and_type_filters,
    test_neighbourhood_of_an_unknown_entity_is_not_found,
    test_neighbourhood_says_when_it_was_truncated,
    test_paths_between_unconnected_entities_raise_no_path,
    test_paths_returns_every_shortest_path,
    test_projection_carries_edges_and_properties_as_arrays,
    test_properties_come_back_typed_and_without_nulls,
    test_search_finds_chinese_names_by_substring,
    test_setting_properties_leaves_the_others_alone,
    test_upserting_the_same_rows_twice_changes_nothing,
)

UID = "biz:91330106MA2AAAAA15"
#: How long a restart may take before a test gives up (it does not time the restart).
BOUND = 120.0


@pytest.fixture(scope="module")
def worker_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerStore]:
    store = WorkerStore(tmp_path_factory.mktemp("worker") / "graph.lbdb", buffer_pool_mb=512)
    yield store
    store.close()


@pytest.fixture
def store(worker_store: WorkerStore) -> GraphStore:
    """The contract suite's store: one worker for the module, wiped for each test."""
    worker_store.wipe()
    return worker_store


@pytest.fixture
def own_worker(tmp_path: Path) -> Iterator[WorkerStore]:
    """A worker for one test that kills it (restarts are not left to the next test)."""
    store = WorkerStore(tmp_path / "graph.lbdb", buffer_pool_mb=128, backoff=0.2)
    store.upsert_nodes("Business", [{"uid": UID, "name": "杭州星辰贸易有限公司"}])
    yield store
    store.close()


def _back(store: WorkerStore, dead: int) -> int:
    deadline = time.monotonic() + BOUND
    while store.worker_pid in (None, dead):
        assert time.monotonic() < deadline, "no new worker"
        time.sleep(0.05)
    pid = store.worker_pid
    assert pid is not None
    return pid


def test_an_invalid_input_keeps_its_field_across_the_pipe(store: GraphStore) -> None:
    with pytest.raises(InvalidInput) as refused:
        store.upsert_nodes("Nope", [{"uid": "x"}])
    assert refused.value.field == "label"


def test_a_dead_worker_fails_calls_at_once_and_a_new_one_answers(
    own_worker: WorkerStore,
) -> None:
    dead = own_worker.worker_pid
    assert dead is not None
    assert dead != os.getpid()
    os.kill(dead, signal.SIGSEGV)
    with pytest.raises(StoreUnavailable, match="retry"):
        own_worker.get_node(UID)
    assert _back(own_worker, dead) != dead
    found = own_worker.get_node(UID)
    assert found is not None
    assert found.props["name"] == "杭州星辰贸易有限公司"
    assert own_worker.restarts == 1


def test_a_transaction_its_worker_died_in_leaves_nothing_and_fails_to_its_end(
    own_worker: WorkerStore,
) -> None:
    dead = own_worker.worker_pid
    assert dead is not None

    def rename_while_the_worker_dies() -> None:
        with own_worker.transaction():
            own_worker.set_node_properties("Business", [{"uid": UID, "name": "改名一"}])
            os.kill(dead, signal.SIGKILL)
            _back(own_worker, dead)
            # The new worker is up, but this write belongs to the dead one's transaction.
            own_worker.set_node_properties("Business", [{"uid": UID, "name": "改名二"}])

    with pytest.raises(StoreUnavailable, match="during this transaction"):
        rename_while_the_worker_dies()
    found = own_worker.get_node(UID)
    assert found is not None
    assert found.props["name"] == "杭州星辰贸易有限公司"


def test_writes_go_on_past_what_the_engine_holds_for_them(tmp_path: Path) -> None:
    """LadybugDB keeps part of its buffer pool for every write until the database is
    closed: single-row writes of a business fill a 256 MB pool near the 370th (the store
    in process fails there). The worker reopens the store before that, between calls."""
    store = WorkerStore(tmp_path / "graph.lbdb", buffer_pool_mb=256)
    try:
        for n in range(600):
            store.upsert_nodes("Business", [{"uid": UID, "name": f"第{n}次"}])
        found = store.get_node(UID)
        assert found is not None
        assert found.props["name"] == "第599次"
    finally:
        store.close()
