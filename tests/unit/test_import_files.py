"""The import tool's files end as the normal path's upserts would leave the graph."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

from graph.cypher import ColumnRows
from ingest.neo4j_import import ImportFiles, import_header

SEEN = {"source": "a.csv", "run_id": "r1", "last_seen": "2025-01-01T00:00:00"}


def _rows(**columns: list[object]) -> ColumnRows:
    n = len(next(iter(columns.values())))
    return ColumnRows({**columns, **{k: [v] * n for k, v in SEEN.items()}})


def _read(files: ImportFiles, parts: list[Path]) -> list[dict[str, object]]:
    header = parts[0].read_text(encoding="utf-8").strip().split(",")
    names = [c if c.startswith(":") else c.split(":")[0] for c in header]
    out: list[dict[str, object]] = []
    for part in parts[1:]:
        table = pacsv.read_csv(
            part,
            read_options=pacsv.ReadOptions(column_names=names),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
        )
        out += table.to_pylist()
    return sorted(out, key=lambda r: str(r.get("uid") or r.get("rid")))


def test_a_key_written_again_ends_with_its_last_values_and_its_first_first_seen(
    tmp_path: Path,
) -> None:
    files = ImportFiles(tmp_path / "import")
    files.prepare()
    first = _rows(
        uid=["addr:1", "addr:2"],
        text=["1 Road", "2 Road"],
        region=["330100", "330200"],
        first_seen=["2025-01-01T00:00:00"] * 2,
    )
    files.write_nodes("Address", first, np.array([True, True]))
    again = _rows(
        uid=["addr:1", "addr:3"],
        text=["1 Road", "3 Road"],
        region=["330106", "330300"],
        first_seen=["2025-02-01T00:00:00"] * 2,
    )
    files.write_nodes("Address", again, np.array([False, True]))
    files.write_nodes(
        "Address",
        _rows(
            uid=["addr:1"],
            text=["1 Road, gate 2"],
            region=[None],
            first_seen=["2025-03-01T00:00:00"],
        ),
        np.array([False]),
    )
    assert files.repeated == {("Address", None): 2}  # held on disk until the fold
    files.finish()
    assert not (tmp_path / "import" / "repeated").exists()  # and gone once folded in
    rows = _read(files, files.nodes["Address"])
    assert [r["uid"] for r in rows] == ["addr:1", "addr:2", "addr:3"]  # each key once
    one = rows[0]
    assert (one["text"], one["region"]) == ("1 Road, gate 2", None)  # the last row's
    assert str(one["first_seen"]).startswith("2025-01-01")  # the first row's
    assert files.folded == 2


def test_a_relationship_repeated_between_other_ends_is_one_more_relationship(
    tmp_path: Path,
) -> None:
    files = ImportFiles(tmp_path / "import")
    files.prepare()

    def rel(src: str, dst: str) -> ColumnRows:
        return _rows(rid=["reg:1"], src=[src], dst=[dst], first_seen=["2025-01-01T00:00:00"])

    files.write_rels(
        "REGISTERED_AT", "Business", "Address", rel("biz:a", "addr:1"), np.array([True])
    )
    files.write_rels(
        "REGISTERED_AT", "Business", "Address", rel("biz:a", "addr:1"), np.array([False])
    )
    files.write_rels(
        "REGISTERED_AT", "Business", "Address", rel("biz:a", "addr:2"), np.array([False])
    )
    files.finish()
    parts = files.rels[("REGISTERED_AT", "Business", "Address")]
    assert import_header([], ends=("Business", "Address"))[0] in parts[0].read_text()
    rows = _read(files, parts)
    assert sorted((r[":START_ID(Business)"], r[":END_ID(Address)"]) for r in rows) == [
        ("biz:a", "addr:1"),
        ("biz:a", "addr:2"),
    ]
