"""The fast write paths give exactly what the plain ones give.

The embedded store's bulk path (probe, COPY the new, MERGE the rest) is checked against
its MERGE-only path on the same calls; ``ColumnRows`` against row dicts; the timestamp
shortcut in the mappings against the full parse. The embedded store here is a local
directory, the one I/O these tests allow themselves.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from graph.cypher import ColumnRows, encode_columns
from graph.cypher_store import first_new
from graph.embedded_store import EmbeddedStore
from graph.schema import NODE_BY_LABEL
from graph.store import GraphStore
from ingest.mappings import _is_canonical_timestamp
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

SEEN = {"source": "t.csv", "run_id": "r1", "first_seen": "2025-01-01T00:00:00"}


def _store(path: Path, bulk: bool) -> EmbeddedStore:
    store = EmbeddedStore(path / "graph.lbdb", buffer_pool_mb=512)
    store.bulk_min_rows = 1 if bulk else 10**9
    store.create_schema()
    return store


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[EmbeddedStore, EmbeddedStore]]:
    merge_only, bulk = _store(tmp_path / "merge", False), _store(tmp_path / "bulk", True)
    yield merge_only, bulk
    merge_only.close()
    bulk.close()


def _graph(store: EmbeddedStore) -> tuple[list[Any], list[Any]]:
    nodes = sorted(
        (label, row["n"]["uid"], sorted((k, str(v)) for k, v in row["n"].items() if k[0] != "_"))
        for label in ("Business", "Person", "Phone")
        for row in store._run(f"MATCH (n:`{label}`) RETURN n")
    )
    uids = [uid for _, uid, _ in nodes]
    edges = sorted(
        (e.rid, e.type, e.src, e.dst, sorted((k, str(v)) for k, v in e.props.items()))
        for e in store.edges_of(uids)
    )
    return nodes, edges


def _writes(store: GraphStore) -> list[int]:
    """A sequence of writes that visits every branch of the bulk path."""
    people = [{"uid": f"person:{i}", "name": f"p{i}", **SEEN} for i in range(6)]
    people.append({"uid": "person:2", "name": "p2 again", **SEEN, "last_seen": "2025-02-01"})
    phones = [{"uid": f"phone:{i}", "number": str(i)} for i in range(4)]
    written = [store.upsert_nodes("Person", people), store.upsert_nodes("Phone", phones)]
    # half existing, half new, one repeated, one with a zone offset (falls back to MERGE)
    more = [{"uid": f"person:{i}", "name": f"q{i}", **SEEN} for i in range(3, 9)]
    written.append(store.upsert_nodes("Person", more))
    written.append(
        store.upsert_nodes(
            "Business", [{"uid": "biz:1", "name": "b", "first_seen": "2025-01-01T08:00:00+08:00"}]
        )
    )
    rels = [
        {"rid": f"HAS_PHONE:{i}", "src": f"person:{i}", "dst": f"phone:{i % 4}", "since": None}
        for i in range(8)
    ]
    rels.append({"rid": "HAS_PHONE:x", "src": "person:404", "dst": "phone:1"})  # missing end
    rels.append({"rid": "HAS_PHONE:1", "src": "person:1", "dst": "phone:1", "since": "2020-01-01"})
    written.append(store.upsert_relationships("HAS_PHONE", "Person", "Phone", rels))
    again = [{**r, "source": "again.csv", "since": "2021-05-05"} for r in rels[3:]]
    written.append(store.upsert_relationships("HAS_PHONE", "Person", "Phone", again))
    return written


def test_the_bulk_path_writes_what_merge_writes(pair: tuple[EmbeddedStore, EmbeddedStore]) -> None:
    merge_only, bulk = pair
    assert _writes(merge_only) == _writes(bulk)
    assert _graph(merge_only) == _graph(bulk)


def test_ingest_through_the_bulk_path_gives_the_same_graph(
    pair: tuple[EmbeddedStore, EmbeddedStore], tmp_path: Path
) -> None:
    now = datetime(2025, 1, 1, 12, 0, 0)
    for store in pair:
        for _ in range(2):  # the second run updates every node and relationship
            ingest_directory(
                store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q", now=now
            )
    merge_only, bulk = pair
    assert merge_only.counts() == bulk.counts()
    uids = [row["uid"] for row in merge_only._run("MATCH (n) RETURN n.uid AS uid ORDER BY n.uid")]

    def plain(store: EmbeddedStore) -> list[Any]:
        return [
            (n.uid, {k: v for k, v in n.props.items() if k != "run_id"})
            for n in store.get_nodes(uids)
        ]

    def edges(store: EmbeddedStore) -> list[Any]:
        return sorted(
            (e.rid, e.src, e.dst, sorted((k, str(v)) for k, v in e.props.items() if k != "run_id"))
            for e in store.edges_of(uids, direction="out")
        )

    assert plain(merge_only) == plain(bulk)
    assert edges(merge_only) == edges(bulk)


def test_first_new_copies_the_first_of_each_new_key_and_merges_the_rest() -> None:
    keys = ["a", "b", "a", "c", "b", "d"]
    assert first_new(keys, existing={1}) == ([0, 3, 5], [1, 2, 4])
    assert first_new(keys, existing=set(), only={0, 2, 5}) == ([0, 5], [2])


def test_column_rows_encode_like_row_dicts() -> None:
    props = NODE_BY_LABEL["Business"].all_props
    rows: list[dict[str, Any]] = [
        {"uid": "biz:1", "name": "x", "registered_capital": 5},
        {"uid": "biz:2", "established": "2020-01-01"},
    ]
    columns = ColumnRows(
        {
            "uid": ["biz:1", "biz:2"],
            "name": ["x", None],
            "registered_capital": [5, None],
            "established": [None, "2020-01-01"],
        }
    )
    assert encode_columns(props, columns) == encode_columns(props, rows)
    assert list(columns) == rows
    assert list(columns[1:]) == rows[1:]


def test_the_timestamp_shortcut_agrees_with_the_full_parse() -> None:
    def full(value: str) -> str | None:
        try:
            return datetime.fromisoformat(value).replace(tzinfo=None).isoformat(timespec="seconds")
        except ValueError:
            return None

    rng = random.Random(5)
    base = "2023-01-03T00:45:50"
    for _ in range(20_000):
        chars = list(base)
        for _ in range(rng.randint(1, 3)):
            chars[rng.randrange(len(chars))] = rng.choice("0123456789-:TZ+ .W")
        value = "".join(chars)
        if _is_canonical_timestamp(value) and full(value) is not None:
            assert full(value) == value


def test_relationships_gathered_across_chunks_give_the_graph_inserted_at_once(
    pair: tuple[EmbeddedStore, EmbeddedStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New relationships wait for a large batch (or an upsert of their type, or the end);
    with chunks of 7 rows, repeats of a rid fall in later chunks than their first row."""
    from ingest import pipeline

    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 7)
    now = datetime(2025, 1, 1, 12, 0, 0)
    gathered, at_once = pair
    for store, batch in ((gathered, 10**9), (at_once, 1)):
        monkeypatch.setattr(pipeline.StoreSink, "rel_batch_rows", batch)
        report = ingest_directory(
            store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q", now=now
        )
        assert all(f.reconciled for f in report.files)
    assert gathered.counts() == at_once.counts()
    assert gathered.counts().total_relationships > 0
    uids = [row["uid"] for row in at_once._run("MATCH (n) RETURN n.uid AS uid")]

    def edges(store: EmbeddedStore) -> list[Any]:
        return sorted(
            (e.rid, e.src, e.dst, sorted((k, str(v)) for k, v in e.props.items() if k != "run_id"))
            for e in store.edges_of(uids, direction="out")
        )

    assert edges(gathered) == edges(at_once)
