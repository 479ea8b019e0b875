"""The files ``--bulk`` hands to neo4j-admin: typed headers, an id space per label, one
data file per chunk, repeated keys kept for an upsert after the import. No server here."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from graph.cypher import ColumnRows
from graph.schema import NODE_BY_LABEL
from ingest.neo4j_import import ImportFiles, LocalServer, import_header

SEEN = {"source": "b.csv", "run_id": "r", "first_seen": "2025-01-01T00:00:00"}


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_a_node_header_names_the_key_s_id_space_and_types_every_property() -> None:
    header = import_header(NODE_BY_LABEL["Business"].all_props, label="Business")
    assert header[0] == "uid:ID(Business)"
    assert {"established:date", "registered_capital:double", "first_seen:localdatetime"} <= set(
        header
    )


def test_relationship_files_start_and_end_in_their_labels_id_spaces(tmp_path: Path) -> None:
    files = ImportFiles(tmp_path / "import")
    files.prepare()
    rows = ColumnRows(
        {
            "rid": ["HAS_PHONE:a->p", "HAS_PHONE:b->p"],
            "src": ["biz:a", "biz:b"],
            "dst": ["phone:1", "phone:1"],
            **{k: [v, v] for k, v in SEEN.items()},
        }
    )
    files.write_rels("HAS_PHONE", "Business", "Phone", rows, np.array([True, False]))
    part, header = sorted((tmp_path / "import").glob("rels-HAS_PHONE-*"))
    assert _read(header)[0][:3] == [":START_ID(Business)", ":END_ID(Phone)", "rid:string"]
    assert [row[:3] for row in _read(part)] == [["biz:a", "phone:1", "HAS_PHONE:a->p"]]
    assert files.repeated == {("HAS_PHONE", ("Business", "Phone")): 1}
    assert files.arguments() == [
        f"--relationships=HAS_PHONE={header},{part}",
    ]


def test_doubles_are_written_as_java_reads_them(tmp_path: Path) -> None:
    files = ImportFiles(tmp_path / "import")
    files.prepare()
    rows = ColumnRows(
        {
            "uid": ["order:t:1", "order:t:2"],
            "amount": [0.1, float("inf")],
            "placed": ["2025-01-01T10:00:00", "2025-01-01T10:00:00"],
            **{k: [v, v] for k, v in SEEN.items()},
        }
    )
    files.write_nodes("Order", rows, np.array([True, True]))
    part = tmp_path / "import" / "nodes-Order-00001.csv"
    header = _read(tmp_path / "import" / "nodes-Order-header.csv")[0]
    amounts = [row[header.index("amount:double")] for row in _read(part)]
    assert amounts == ["0.1", "Infinity"]


def test_only_the_local_server_s_bolt_port_counts_as_local(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "neo4j.conf").write_text(
        "server.bolt.listen_address=127.0.0.1:7702\n", encoding="utf-8"
    )
    server = LocalServer(tmp_path)
    assert server.serves("bolt://127.0.0.1:7702")
    assert server.serves("neo4j://localhost:7702")
    assert not server.serves("bolt://127.0.0.1:7687")
    assert not server.serves("bolt://db.example.org:7702")
