"""FollowTheMoney import (issue 15 item 6) on both stores: the sample exported with
``export_ftm`` and imported into an empty store gives back what FtM carries, and what
cannot be mapped is quarantined with its line, field and reason."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from graph.store import GraphStore
from ingest.ftm_export import export_ftm
from ingest.ftm_import import ingest_ftm
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

ROLES = (
    "LEGAL_REPRESENTATIVE_OF",
    "DIRECTOR_OF",
    "SUPERVISOR_OF",
    "MANAGER_OF",
    "REGISTRATION_AGENT_OF",
)


def nodes(store: GraphStore, label: str, *props: str) -> list[dict[str, Any]]:
    projection = store.project([], node_props=props, node_labels=[label])
    return [
        {"uid": str(uid), **{p: projection.node_props[p][i] for p in props}}
        for i, uid in enumerate(projection.uids.tolist())
        if projection.labels[i] == label
    ]


def carried(store: GraphStore) -> dict[str, Any]:
    """What FtM carries, with people by name (their uids are keyed hashes of id numbers
    FtM never receives)."""
    projection = store.project(
        ["SHAREHOLDER_OF", *ROLES, "REGISTERED_AT"],
        node_props=("name", "text"),
        edge_props=("share", "since", "until", "computed"),
    )
    names = projection.node_props["name"]

    def who(i: int) -> str:
        uid = str(projection.uids[i])
        return f"person {names[i]}" if uid.startswith("person:") else uid

    edges: Counter[tuple[Any, ...]] = Counter()
    for k in range(projection.n_edges):
        share = projection.edge_props["share"][k]
        edges[
            (
                str(projection.types[k]),
                who(int(projection.src[k])),
                who(int(projection.dst[k])),
                None if share is None or share != share else round(float(share), 6),
                projection.edge_props["since"][k],
                projection.edge_props["until"][k],
            )
        ] += 1
    businesses = {
        n["uid"]: (n["name"], n["jurisdiction"], n["status"], str(n["established"]))
        for n in nodes(store, "Business", "name", "jurisdiction", "status", "established")
    }
    people = Counter(n["name"] for n in nodes(store, "Person", "name"))
    listings = {
        n["listing_id"]: (n["list_type"], n["subject_uid"][:4], str(n["decided"]))
        for n in nodes(store, "Listing", "listing_id", "list_type", "subject_uid", "decided")
    }
    return {"edges": edges, "businesses": businesses, "people": people, "listings": listings}


def test_the_sample_round_trips_through_followthemoney(store: GraphStore, tmp_path: Path) -> None:
    ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q")
    before = carried(store)
    out = io.StringIO()
    export_ftm(store, out, today=date(2025, 6, 30))
    path = tmp_path / "sample.ftm.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    store.wipe()
    store.create_schema()
    report = ingest_ftm(store, path, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q2")
    assert all(f.reconciled for f in report.files)
    assert sum(f.quarantined for f in report.files[1:]) == 0
    after = carried(store)
    assert after == before
    sources = {n["source"] for n in nodes(store, "Business", "source")}
    assert sources == {"ftm:sample.ftm"}


def test_unmappable_entities_are_quarantined_with_line_field_and_reason(
    store: GraphStore, tmp_path: Path
) -> None:
    lines = [
        {
            "id": "c1",
            "schema": "Company",
            "properties": {
                "name": ["Alpen AG"],
                "registrationNumber": ["10000001"],
                "jurisdiction": ["che"],
            },
        },
        {"id": "c2", "schema": "Company", "properties": {"name": ["No Number Ltd"]}},
        {
            "id": "p1",
            "schema": "Person",
            "properties": {"name": ["Jane Roe"], "passportNumber": ["X1234567"]},
        },
        {"id": "v1", "schema": "Vessel", "properties": {"name": ["Sea Star"]}},
        {"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["c1"]}},
        {"id": "o2", "schema": "Ownership", "properties": {"owner": ["p9"], "asset": ["c1"]}},
        {
            "id": "d1",
            "schema": "Directorship",
            "properties": {
                "director": ["c1"],
                "organization": ["c1"],
                "role": ["Chairman of the board"],
            },
        },
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    report = ingest_ftm(
        store, path, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q", dataset="unit"
    )
    ftm = report.files[0]
    assert (ftm.read, ftm.loaded, ftm.quarantined) == (8, 3, 5)
    assert ftm.quarantine_file is not None
    with open(ftm.quarantine_file, encoding="utf-8") as handle:
        refused = [(r["_row"], r["_field"]) for r in csv.DictReader(handle)]
    assert sorted(refused) == sorted(
        [("2", "registrationNumber"), ("4", "schema"), ("6", "owner"), ("7", "role"), ("8", "-")]
    )
    text = Path(ftm.quarantine_file).read_text(encoding="utf-8")
    assert "X1234567" not in text
    held = store.edges_of(["biz:CH:10000001"], ["SHAREHOLDER_OF"], direction="in")
    assert len(held) == 1
    assert held[0].props.get("share") is None
    assert held[0].props.get("source") == "ftm:unit"
    [jane] = store.find_nodes("Person", {"name": "Jane Roe"})
    assert "X1234567" not in json.dumps(dict(jane.props), ensure_ascii=False, default=str)
