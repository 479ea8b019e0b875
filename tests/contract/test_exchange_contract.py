"""Exchange packets between two bureaus (two stores in one test), on both kinds of store.

Bureau A holds the sample data set (docs/sample); bureau B starts empty (or with a local
record of its own). A packet of A's Zhejiang (33) listings and violations goes to B, which
verifies it, loads it with A as provenance and derives restrictions under its own rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from algorithms.propagation import service
from graph.embedded_store import EmbeddedStore
from graph.errors import InvalidInput
from graph.store import GraphStore
from ingest.exchange import (
    export_packet,
    import_packet,
    new_private_key,
    public_key_hex,
    verify_packet,
)
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

XINGCHEN = "biz:91330106MA2AAAAA15"
NOW = datetime(2025, 6, 30, 12, 0)


@pytest.fixture
def bureau_a(tmp_path: Path) -> Iterator[GraphStore]:
    store = EmbeddedStore(tmp_path / "a.lbdb", buffer_pool_mb=256)
    store.create_schema()
    ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "qa")
    service.propagate_store(store, full=True)
    yield store
    store.close()


def _packet(store: GraphStore, tmp_path: Path, name: str = "packet") -> tuple[Path, str]:
    key = new_private_key(tmp_path / f"{name}.key")
    export_packet(
        store,
        tmp_path / name,
        key,
        authority="浙江省市场监督管理局",
        region="33",
        period_from=date(2020, 1, 1),
        period_to=date(2025, 12, 31),
        id_hash_key=TEST_KEY,
        now=NOW,
    )
    return tmp_path / name, public_key_hex(key)


def test_a_packet_moves_listings_with_provenance_and_restrictions_follow_local_rules(
    bureau_a: GraphStore, store: GraphStore, tmp_path: Path
) -> None:
    packet, signer = _packet(bureau_a, tmp_path)
    manifest = verify_packet(packet, [signer])
    assert manifest.counts["Sanction"] >= 2
    assert manifest.region == "33"
    report = import_packet(store, packet, [signer], id_hash_key=TEST_KEY, now=NOW)
    assert sorted(report.listings) == ["listing:ZJ-2024-0001", "listing:ZJ-2024-0002"]
    assert report.conflicts == []
    assert report.unmatched_people == 0
    listing = store.get_node("listing:ZJ-2024-0002")
    assert listing is not None
    assert listing.get("source") == "exchange:浙江省市场监督管理局"
    assert str(listing.get("run_id")).startswith("packet:")
    assert listing.get("list_type") == "serious_dishonesty"
    assert not service.status(store, XINGCHEN, date(2025, 1, 1)).restricted
    service.propagate_store(store)
    assert service.status(store, XINGCHEN, date(2025, 1, 1)).restricted
    again = import_packet(store, packet, [signer], id_hash_key=TEST_KEY, now=NOW)
    assert sum(again.created.values()) == 0
    assert again.listings == []
    assert sum(again.unchanged.values()) == sum(report.created.values())


def test_a_local_record_that_differs_is_reported_and_kept(
    bureau_a: GraphStore, store: GraphStore, tmp_path: Path
) -> None:
    store.upsert_nodes("Business", [{"uid": XINGCHEN, "name": "星辰贸易(本地登记名)"}])
    packet, signer = _packet(bureau_a, tmp_path)
    report = import_packet(store, packet, [signer], id_hash_key=TEST_KEY, now=NOW)
    [conflict] = [c for c in report.conflicts if c.startswith(XINGCHEN)]
    assert "name here '星辰贸易(本地登记名)'" in conflict
    assert "packet '杭州星辰贸易有限公司'" in conflict
    node = store.get_node(XINGCHEN)
    assert node is not None
    assert node.get("name") == "星辰贸易(本地登记名)"


def test_packets_flow_both_ways(bureau_a: GraphStore, store: GraphStore, tmp_path: Path) -> None:
    packet, signer = _packet(bureau_a, tmp_path, "a-to-b")
    import_packet(store, packet, [signer], id_hash_key=TEST_KEY, now=NOW)
    back, signer_b = _packet(store, tmp_path, "b-to-a")
    returned = import_packet(bureau_a, back, [signer_b], id_hash_key=TEST_KEY, now=NOW)
    assert sum(returned.created.values()) == 0
    assert returned.conflicts == []
    assert returned.unchanged["Listing"] == 2


def test_a_tampered_or_unknown_packet_is_refused(
    bureau_a: GraphStore, store: GraphStore, tmp_path: Path
) -> None:
    packet, signer = _packet(bureau_a, tmp_path)
    with pytest.raises(InvalidInput, match="does not trust"):
        verify_packet(packet, ["00" * 32])
    body = (packet / "entities.jsonl").read_text(encoding="utf-8")
    (packet / "entities.jsonl").write_text(body.replace("ZJ-2024-0002", "ZJ-2024-9999"), "utf-8")
    with pytest.raises(InvalidInput, match="not the file the manifest signed"):
        import_packet(store, packet, [signer], id_hash_key=TEST_KEY)
    (packet / "entities.jsonl").write_text(body, encoding="utf-8")
    manifest = json.loads((packet / "manifest.json").read_text(encoding="utf-8"))
    manifest["region"] = "44"
    (packet / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    with pytest.raises(InvalidInput, match="signature does not verify"):
        import_packet(store, packet, [signer], id_hash_key=TEST_KEY)
    assert store.get_node("listing:ZJ-2024-0002") is None
