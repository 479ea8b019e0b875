"""The column-at-a-time conversion gives exactly what the row converters give.

Generated input with planted bad rows, plus rows written to reach every fallback (white
space at the edges, timestamps and numbers in forms Arrow does not parse, Unicode digits,
empty optional columns), is ingested twice: through the column path and through the row
converters alone. Every node, relationship, property and quarantine line must agree. The
stores are local directories, the one I/O these tests allow themselves.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph.embedded_store import EmbeddedStore
from ingest import pipeline
from ingest.columnar import convert_chunk
from ingest.generate import generate
from ingest.mappings import MAPPINGS
from ingest.pipeline import IngestReport, ingest_directory
from ingest.privacy import mask_id, mask_personal_ids
from ingest.readers import read_table
from tests.conftest import SAMPLE_DIR, TEST_KEY

NOW = datetime(2025, 3, 1, 9, 30, 0)


def _append(path: Path, *rows: list[str]) -> None:
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return next(csv.reader(handle))


def _row(path: Path, **values: str) -> list[str]:
    return [values.get(name, "") for name in _header(path)]


@pytest.fixture(scope="module")
def awkward_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated files with planted bad rows, plus rows that take every fallback."""
    directory = tmp_path_factory.mktemp("columnar") / "input"
    generate(directory, 400, seed=5, bad_rows=0.01)
    with (directory / "businesses.csv").open(encoding="utf-8") as handle:
        first = next(csv.DictReader(handle))
    with (directory / "accounts.csv").open(encoding="utf-8") as handle:
        account = next(csv.DictReader(handle))["account_id"]
    with (directory / "stores.csv").open(encoding="utf-8") as handle:
        store = next(csv.DictReader(handle))["store_id"]
    waybills, orders = directory / "waybills.csv", directory / "orders.csv"
    _append(
        waybills,
        _row(waybills, waybill_id=" sf:EDGE1 ", weight_kg=" 1.5", shipped="2024-01-02 03:04:05"),
        _row(waybills, waybill_id="sf:EDGE2", weight_kg="1e2", shipped="2024-01-02T03:04:05+08:00"),
        _row(waybills, waybill_id="sf:EDGE3", weight_kg="nan"),
        _row(waybills, waybill_id="sf:EDGE4", weight_kg="-1"),
        _row(waybills, waybill_id="sf:EDGE5", shipped="2024-02-30T00:00:00"),
        _row(
            waybills, waybill_id="sf:EDGE6", weight_kg="1_000", receiver_phone="\u3000138 0013 8000"
        ),
        _row(waybills, waybill_id="sf:EDGE7", shipped="2024-01-02T03:04:05.250"),
        _row(waybills, waybill_id=":EDGE8"),
        _row(
            waybills,
            waybill_id="sf:EDGE9",
            shipped="2024-01-03T00:00:00",
            delivered="2024-01-02T00:00:00",
        ),
    )
    _append(
        orders,
        _row(orders, order_id="tb:E1", account_id=account, store_id=store, placed="2024-05-05"),
        _row(orders, order_id="tb:E2", account_id=account, store_id=store, placed=" ", amount="3"),
        _row(
            orders,
            order_id="tb:E3",
            account_id=account,
            store_id=store,
            placed="2024-05-05T10:00:00",
            amount="Infinity",
            waybill_id="sf:EDGE1",
        ),
        _row(
            orders,
            order_id="tb:E4",
            account_id="tb:nobody",
            store_id=store,
            placed="2024-05-05T10:00:00",
            waybill_id="sf:nowhere",
        ),
    )
    businesses = directory / "businesses.csv"
    _append(
        businesses,
        _row(businesses, business_id=first["business_id"], name="同一家 again", region="٣٣٠١٠٦"),
        _row(businesses, business_id="91330106MA2AAAAA15", name="x", registered_capital="-5"),
    )
    return directory


def _load(directory: Path, tmp: Path, *, columnar: bool) -> tuple[EmbeddedStore, IngestReport]:
    store = EmbeddedStore(tmp / ("columnar" if columnar else "rows") / "g.lbdb", buffer_pool_mb=512)
    report = ingest_directory(
        store,
        directory,
        id_hash_key=TEST_KEY,
        quarantine_dir=tmp / ("qc" if columnar else "qr"),
        now=NOW,
        columnar=columnar,
    )
    return store, report


def _graph(store: EmbeddedStore) -> tuple[list[Any], list[Any]]:
    def plain(value: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((k, repr(v)) for k, v in value.items() if k[0] != "_" and k != "run_id")

    nodes = sorted(
        (row["n"]["_LABEL"], plain(row["n"])) for row in store._run("MATCH (n) RETURN n")
    )
    rels = sorted(
        (row["r"]["_LABEL"], row["a"], row["b"], plain(row["r"]))
        for row in store._run("MATCH (a)-[r]->(b) RETURN a.uid AS a, b.uid AS b, r")
    )
    return nodes, rels


def _quarantine(report: IngestReport) -> list[tuple[str, list[list[str]]]]:
    out = []
    for f in report.files:
        if f.quarantine_file:
            with open(f.quarantine_file, encoding="utf-8") as handle:
                out.append((f.name, list(csv.reader(handle))))
    return out


def test_the_column_path_loads_and_refuses_exactly_what_the_row_converters_do(
    awkward_input: Path, tmp_path: Path
) -> None:
    by_column, column_report = _load(awkward_input, tmp_path, columnar=True)
    by_row, row_report = _load(awkward_input, tmp_path, columnar=False)
    try:
        assert all(f.reconciled for f in column_report.files)
        assert [(f.name, f.read, f.loaded, f.quarantined) for f in column_report.files] == [
            (f.name, f.read, f.loaded, f.quarantined) for f in row_report.files
        ]
        assert column_report.quarantined > 10
        assert _quarantine(column_report) == _quarantine(row_report)
        assert _graph(by_column) == _graph(by_row)
    finally:
        by_column.close()
        by_row.close()


def test_a_rerun_through_the_column_path_changes_nothing(
    awkward_input: Path, tmp_path: Path
) -> None:
    store, first = _load(awkward_input, tmp_path, columnar=True)
    try:
        before = _graph(store)
        again = ingest_directory(
            store, awkward_input, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q2", now=NOW
        )
        assert (again.read, again.loaded, again.quarantined) == (
            first.read,
            first.loaded,
            first.quarantined,
        )
        assert _graph(store) == before
    finally:
        store.close()


@pytest.mark.parametrize("columnar", [True, False], ids=["columns", "rows"])
def test_every_file_writes_only_what_its_mapping_declares(
    awkward_input: Path, columnar: bool
) -> None:
    """A run lets go of the rids of a type once no later file declares it (``writes``)."""
    for directory in (awkward_input, SAMPLE_DIR):
        for mapping in MAPPINGS:
            path = directory / f"{mapping.name}.csv"
            if not path.exists():
                continue
            frame = read_table(path)
            rows = np.arange(2, len(frame) + 2, dtype=np.int64)
            out = convert_chunk(mapping, frame, rows, TEST_KEY, columnar=columnar)
            written = {b.label for b in out.nodes} | {r.type for r in out.rels}
            assert written, f"{path} wrote nothing"
            assert written <= mapping.writes, (path, written - mapping.writes)


def test_a_run_that_lets_go_of_every_relationship_key_after_each_file_loads_the_same_graph(
    awkward_input: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were a mapping to write a type it does not declare, its rows would be upserted."""
    remembering, _ = _load(awkward_input, tmp_path / "remembering", columnar=True)
    monkeypatch.setattr(pipeline, "_written_after", lambda mapping, present: frozenset())
    forgetting, report = _load(awkward_input, tmp_path / "forgetting", columnar=True)
    try:
        assert all(f.reconciled for f in report.files)
        assert _graph(forgetting) == _graph(remembering)
    finally:
        remembering.close()
        forgetting.close()


def test_quarantined_rows_never_hold_an_id_number_in_clear(
    awkward_input: Path, tmp_path: Path
) -> None:
    people = awkward_input / "people.csv"
    with people.open(encoding="utf-8") as handle:
        person = next(csv.DictReader(handle))
    clear = person["person_id"]
    holdings = awkward_input.parent / "holdings-input"
    holdings.mkdir()
    for name in ("businesses.csv", "people.csv"):
        (holdings / name).write_bytes((awkward_input / name).read_bytes())
    (holdings / "people.csv").write_text(
        (awkward_input / "people.csv").read_text(encoding="utf-8") + f"{clear[:-1]}0,某人,ric,,,\n",
        encoding="utf-8",
    )
    (holdings / "shareholdings.csv").write_text(
        "holder_type,holder_id,business_id,share,since,until\n"
        f"person,{clear},91330106MA2AAAAA15,1.7,,\n"
        f"persn,{clear},91330106MA2AAAAA15,0.1,,\n",
        encoding="utf-8",
    )
    store = EmbeddedStore(tmp_path / "g.lbdb", buffer_pool_mb=512)
    try:
        report = ingest_directory(
            store, holdings, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q", now=NOW
        )
    finally:
        store.close()
    written = "".join(
        Path(f.quarantine_file).read_text(encoding="utf-8")
        for f in report.files
        if f.quarantine_file
    )
    assert report.quarantined >= 3
    assert clear not in written
    assert clear[:-1] not in written
    assert mask_id(clear) in written


def test_masking_keeps_businesses_and_hides_people() -> None:
    row = {"holder_type": "business", "holder_id": "91330106MA2AAAAA15", "share": "0.5"}
    assert mask_personal_ids("shareholdings", row) == row
    person = {"holder_type": "person", "holder_id": "P1234567", "share": "0.5"}
    assert mask_personal_ids("shareholdings", person)["holder_id"] == "P******7"
    note = {"evidence": "see 330106199001011234 and 33010619900101123X"}
    assert mask_personal_ids("infringement_reports", note)["evidence"] == (
        "see 3301**********1234 and 3301**********123X"
    )
