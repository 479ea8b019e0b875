"""Duplicate keys within one file, tracked chunk by chunk with nothing but hashes in memory:
the last row wins, a repeat with other values is a conflict naming the key, both rows and
the fields that differ, and a repeat with the same values only a repeat."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from ingest.columnar import NodeBatch
from ingest.conflicts import ConflictTracker

NONE = np.zeros(0, dtype=np.int64)


def chunk(first_row: int, uids: list[str], **columns: list[object]) -> list[NodeBatch]:
    rows = np.arange(first_row, first_row + len(uids), dtype=np.int64)
    data = {"uid": np.asarray(uids, dtype=object)}
    data.update({k: np.asarray(v, dtype=object) for k, v in columns.items()})
    return [NodeBatch("Business", rows, data)]


def test_repeats_across_chunks_are_compared_field_by_field() -> None:
    tracker = ConflictTracker()
    tracker.add(
        chunk(2, ["biz:a", "biz:b", "biz:c"], name=["甲", "乙", "丙"], region=["1", "2", "3"]), NONE
    )
    tracker.add(chunk(5, ["biz:d", "biz:a"], name=["丁", "甲"], region=["4", "9"]), NONE)
    tracker.add(
        chunk(7, ["biz:b", "biz:e", "biz:c"], name=["乙", "戊", "丙"], region=["2", "5", "3"]), NONE
    )
    total, conflicts = tracker.finish()
    assert total == 1
    assert [c.as_dict() for c in conflicts] == [
        {"kind": "Business", "key": "biz:a", "won_row": 6, "replaced_row": 2, "fields": ["region"]}
    ]
    assert tracker.repeats == 2  # biz:b and biz:c again, with the same values


def test_rows_not_loaded_are_not_compared() -> None:
    tracker = ConflictTracker()
    tracker.add(chunk(2, ["biz:a"], name=["甲"]), NONE)
    tracker.add(chunk(3, ["biz:a"], name=["别的名字"]), np.array([3], dtype=np.int64))
    assert tracker.finish() == (0, [])


def test_a_kind_whose_fields_change_between_chunks_is_compared_on_the_common_ones() -> None:
    tracker = ConflictTracker()
    tracker.add(chunk(2, ["biz:a"], name=["甲"], region=["1"]), NONE)
    tracker.add(chunk(3, ["biz:a"], name=["甲"], status=["吊销"]), NONE)
    tracker.add(chunk(4, ["biz:a"], name=["乙"], region=["1"], status=["存续"]), NONE)
    total, conflicts = tracker.finish()
    assert total == 1
    assert conflicts[0].fields == ("name",)
    assert (conflicts[0].row, conflicts[0].replaced_row) == (4, 3)


def test_its_spill_files_are_gone_after_the_file() -> None:
    before = set(Path(tempfile.gettempdir()).glob("credgraph-conflicts-*"))
    tracker = ConflictTracker()
    tracker.add(chunk(2, [f"biz:{i}" for i in range(1000)], name=["x"] * 1000), NONE)
    assert set(Path(tempfile.gettempdir()).glob("credgraph-conflicts-*")) - before
    tracker.finish()
    assert set(Path(tempfile.gettempdir()).glob("credgraph-conflicts-*")) == before
