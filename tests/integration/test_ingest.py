"""Ingest end to end on the embedded store: encodings, quarantine, reconciliation."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from graph.config import Settings
from graph.errors import InvalidInput
from graph.store import GraphStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY
from tests.sample_graph import SAMPLE_NODES, SAMPLE_RELATIONSHIPS


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    target = tmp_path / "input"
    shutil.copytree(SAMPLE_DIR, target)
    return target


def append_rows(path: Path, *rows: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(row + "\n")


def quarantine_rows(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_bad_rows_are_quarantined_with_file_row_field_and_reason(
    embedded_store: GraphStore, sample: Path, tmp_path: Path
) -> None:
    append_rows(
        sample / "shareholdings.csv",
        "person,330100198001011237,91330106MA2AAAAA15,1.7,,",
        "business,91330106MA2AAAAA16,91330106MA2AAAAA15,0.1,,",
        "person,330100198001011237,91330106MA2AAAAA4E,0.2,2020-02-30,",
        "business,91330106MA2AAAAA5H,91330106MA2AAAAA15,0.1,,",
    )
    report = ingest_directory(
        embedded_store, sample, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
    )
    holdings = next(f for f in report.files if f.name == "shareholdings")
    assert (holdings.read, holdings.loaded, holdings.quarantined) == (10, 6, 4)
    assert all(f.reconciled for f in report.files)
    assert holdings.quarantine_file is not None
    rows = quarantine_rows(holdings.quarantine_file)
    assert [(r["_row"], r["_field"]) for r in rows] == [
        ("8", "share"),
        ("9", "holder_id"),
        ("10", "since"),
        ("11", "holder_id"),
    ]
    assert "outside 0.0..1.0" in rows[0]["_reason"]
    assert "not a valid USCC" in rows[1]["_reason"]
    assert "not in the input or the store" in rows[3]["_reason"]
    assert rows[0]["share"] == "1.7"


def test_gbk_and_bom_files_read_the_same_as_utf8(
    embedded_store: GraphStore, sample: Path, tmp_path: Path
) -> None:
    businesses = sample / "businesses.csv"
    text = businesses.read_text(encoding="utf-8")
    businesses.write_bytes(text.encode("gbk"))
    people = sample / "people.csv"
    people.write_bytes(b"\xef\xbb\xbf" + people.read_bytes())
    report = ingest_directory(
        embedded_store, sample, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
    )
    assert report.quarantined == 0
    assert {n.props["name"] for n in embedded_store.search_nodes("Business", "星辰")} == {
        "杭州星辰贸易有限公司",
        "杭州星辰电子商务有限公司",
        "星辰控股(香港)有限公司",
    }
    assert len(embedded_store.search_nodes("Person", "张伟")) == 1


def test_an_unknown_column_stops_the_run_before_anything_is_written(
    embedded_store: GraphStore, sample: Path, tmp_path: Path
) -> None:
    path = sample / "stores.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("ship_from_address", "ship_from_adress", 1),
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as caught:
        ingest_directory(
            embedded_store, sample, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
        )
    assert caught.value.file == "stores.csv"
    assert caught.value.field == "ship_from_adress"
    assert embedded_store.counts().total_nodes == 0


def test_parquet_input_loads_like_csv(
    embedded_store: GraphStore, sample: Path, tmp_path: Path
) -> None:
    import pandas as pd

    for path in sample.glob("*.csv"):
        pd.read_csv(path, dtype=str, keep_default_na=False).to_parquet(path.with_suffix(".parquet"))
        path.unlink()
    report = ingest_directory(
        embedded_store, sample, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
    )
    assert (report.read, report.loaded, report.quarantined) == (41, 41, 0)
    counts = embedded_store.counts()
    assert {label: n for label, n in counts.nodes.items() if n} == SAMPLE_NODES
    assert {rel: n for rel, n in counts.relationships.items() if n} == SAMPLE_RELATIONSHIPS


def test_bad_licence_rows_are_quarantined_and_the_good_ones_held(
    embedded_store: GraphStore, sample: Path, tmp_path: Path
) -> None:
    append_rows(
        sample / "licences.csv",
        "91330106MA2AAAAA5H,food_operation,JY13301069999999,杭州市西湖区市场监督管理局,2024-01-01,,",
        "91330106MA2AAAAA4E,tobacco,X-1,杭州市烟草专卖局,2024-01-01,,",
        "91330106MA2AAAAA4E,icp,浙B2-20250001,浙江省通信管理局,2025-01-01,2024-12-31,",
        "91330106MA2AAAAA4E,icp,浙B2-20250002,浙江省通信管理局,2025-02-30,,",
        "91330106MA2AAAAA4E,食品经营许可证,JY13301060077777,杭州市余杭区市场监督管理局,2025-01-01,,",
    )
    report = ingest_directory(
        embedded_store, sample, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
    )
    licences = next(f for f in report.files if f.name == "licences")
    assert (licences.read, licences.loaded, licences.quarantined) == (10, 6, 4)
    assert licences.reconciled
    assert licences.quarantine_file is not None
    rows = quarantine_rows(licences.quarantine_file)
    assert [(r["_row"], r["_field"]) for r in rows] == [
        ("7", "business_id"),
        ("8", "licence_type"),
        ("9", "expires"),
        ("10", "issued"),
    ]
    assert "not in the input or the store" in rows[0]["_reason"]
    assert "not a licence type" in rows[1]["_reason"]
    assert "before issued" in rows[2]["_reason"]
    held = embedded_store.edges_of(["biz:91330106MA2AAAAA4E"], ["HOLDS_LICENCE"], direction="out")
    assert [e.dst for e in held] == ["licence:food_operation:JY13301060077777"]
    assert embedded_store.get_node("licence:food_operation:JY13301069999999") is None


def test_bulk_is_refused_for_the_embedded_store_before_anything_is_read(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from cli import main as cli_main

    monkeypatch.setitem(cli_main._state, "settings", settings)
    result = CliRunner().invoke(cli_main.app, ["ingest", str(SAMPLE_DIR), "--bulk"])
    assert result.exit_code != 0
    assert "--bulk loads Neo4j: add --store neo4j" in result.output
    assert not settings.embedded_path.exists()
