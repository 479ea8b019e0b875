"""Ingest of generated data: exactly the planted bad rows are quarantined, the rest load."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from graph.store import GraphStore
from ingest.generate import generate
from ingest.pipeline import ingest_directory
from tests.conftest import TEST_KEY


def test_the_planted_bad_rows_and_only_those_are_quarantined(
    embedded_store: GraphStore, tmp_path: Path
) -> None:
    summary = generate(tmp_path / "input", 1000, seed=11, bad_rows=0.003)
    truth = json.loads(summary.ground_truth.read_text(encoding="utf-8"))
    planted = {(bad["file"], bad["row"] + 2, bad["field"]) for bad in truth["bad_rows"]}
    assert planted, "the generator planted no bad rows"

    report = ingest_directory(
        embedded_store, tmp_path / "input", id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
    )

    assert all(f.reconciled for f in report.files)
    found = set()
    for file_report in report.files:
        assert file_report.read == summary.rows[file_report.name]
        if file_report.quarantine_file:
            with open(file_report.quarantine_file, encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    found.add((file_report.name, int(row["_row"]), row["_field"]))
    assert found == planted
    assert report.quarantined == len(planted)
    assert embedded_store.counts().nodes["Business"] == summary.rows["businesses"] - sum(
        1 for file, _, _ in planted if file == "businesses"
    )
