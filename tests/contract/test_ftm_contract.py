"""FollowTheMoney export on both stores: the same entities, valid FtM, no id number in clear."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from followthemoney import model

from algorithms.propagation import service
from graph.store import GraphStore
from ingest.ftm_export import export_ftm, ftm_id, uid_of_ftm_id
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

TODAY = date(2025, 6, 30)


def _export(store: GraphStore, tmp_path: Path) -> list[dict[str, object]]:
    ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q")
    service.propagate_store(store, full=True)
    out = io.StringIO()
    summary = export_ftm(store, out, today=TODAY)
    lines = out.getvalue().splitlines()
    assert summary.total == len(lines)
    return [json.loads(line) for line in lines]


def test_the_sample_exports_as_valid_ftm_with_every_reference_resolved(
    store: GraphStore, tmp_path: Path
) -> None:
    entities = _export(store, tmp_path)
    ids = {str(e["id"]) for e in entities}
    schemas = {str(e["schema"]) for e in entities}
    assert {"Company", "Person", "UserAccount", "Address", "Ownership", "Directorship"} <= schemas
    assert {"Control", "Sanction"} <= schemas
    for entity in entities:
        proxy = model.get_proxy(entity)  # raises on an unknown schema or property
        for prop in proxy.iterprops():
            if prop.type.name == "entity":
                assert set(proxy.get(prop)) <= ids, (entity["id"], prop.name)
    company = next(e for e in entities if e["id"] == ftm_id("biz:91330106MA2AAAAA15"))
    assert company["properties"]["name"] == ["杭州星辰贸易有限公司"]  # type: ignore[index]
    assert uid_of_ftm_id(str(company["id"])) == "biz:91330106MA2AAAAA15"
    listings = [e for e in entities if str(e["id"]).startswith("listing.")]
    restrictions = [e for e in entities if str(e["id"]).startswith("restriction.")]
    assert listings
    assert restrictions
    assert all(e["schema"] == "Sanction" for e in listings + restrictions)


def test_no_id_number_appears_in_the_export(store: GraphStore, tmp_path: Path) -> None:
    text = json.dumps(_export(store, tmp_path), ensure_ascii=False)
    with (SAMPLE_DIR / "people.csv").open(encoding="utf-8") as f:
        numbers = [row["person_id"] for row in csv.DictReader(f)]
    assert numbers
    for number in numbers:
        assert number not in text
        assert number[-6:] + '"' not in text


@pytest.mark.neo4j
def test_both_stores_export_the_same_lines(
    embedded_store: GraphStore, neo4j_store: GraphStore, tmp_path: Path
) -> None:
    neo4j_store.wipe()
    assert _export(neo4j_store, tmp_path / "n") == _export(embedded_store, tmp_path / "e")
