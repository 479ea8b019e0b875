"""The console's graph reads (grouped expansion, neighbour pages, names) on both stores."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from algorithms.propagation import service
from api.app import create_app
from graph.config import Settings
from graph.store import GraphStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

XINGCHEN = "biz:91330106MA2AAAAA15"

Client = tuple[TestClient, dict[str, str]]


@pytest.fixture
def client(store: GraphStore, settings: Settings, tmp_path: Path) -> Iterator[Client]:
    ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q")
    service.propagate_store(store, full=True)
    app = create_app(settings, store, api_db=tmp_path / "api.sqlite3")
    with TestClient(app) as test_client:
        officer = {"X-API-Key": app.state.credgraph.keys.create("zj-amr", "officer").token}
        yield test_client, officer


def _json(response: Any) -> Any:
    assert response.status_code < 300, response.text
    return response.json()


def _bucket(expansion: dict[str, Any], rel: str, direction: str, label: str) -> dict[str, Any]:
    key = (rel, direction, label)
    return next(b for b in expansion["buckets"] if (b["type"], b["direction"], b["label"]) == key)


def test_expansion_counts_every_relationship_and_fetches_the_small_groups(client: Client) -> None:
    c, officer = client
    grown = _json(c.get(f"/console/api/entities/{XINGCHEN}/expand", headers=officer))
    assert grown["centre"]["name"] == "杭州星辰贸易有限公司"
    # shareholders: a person and a Hong Kong company, one group each
    people = _bucket(grown, "SHAREHOLDER_OF", "in", "Person")
    companies = _bucket(grown, "SHAREHOLDER_OF", "in", "Business")
    assert (people["count"], people["fetched"]) == (1, True)
    assert (companies["count"], companies["fetched"]) == (1, True)
    names = {n["uid"]: n["name"] for n in grown["nodes"]}
    assert "张伟" in names.values()
    for edge in grown["edges"]:
        assert XINGCHEN in (edge["src"], edge["dst"])


def test_groups_larger_than_group_at_are_counted_not_fetched(client: Client) -> None:
    c, officer = client
    grown = _json(c.get(f"/console/api/entities/{XINGCHEN}/expand?group_at=0", headers=officer))
    people = _bucket(grown, "SHAREHOLDER_OF", "in", "Person")
    assert (people["count"], people["fetched"]) == (1, False)
    fetched = {n["uid"] for n in grown["nodes"]}
    page = _json(
        c.get(
            f"/console/api/entities/{XINGCHEN}/neighbours",
            params={"type": "SHAREHOLDER_OF", "direction": "in", "label": "Person", "limit": 1},
            headers=officer,
        )
    )
    assert page["total"] == 1
    assert [n["name"] for n in page["nodes"]] == ["张伟"]
    assert not fetched & {n["uid"] for n in page["nodes"]}


def test_hidden_labels_are_counted_only(client: Client) -> None:
    c, officer = client
    grown = _json(
        c.get(
            f"/console/api/entities/{XINGCHEN}/expand",
            params={"hide": ["Listing", "Restriction"]},
            headers=officer,
        )
    )
    assert {n["label"] for n in grown["nodes"]}.isdisjoint({"Listing", "Restriction"})
    listed = [b for b in grown["buckets"] if b["label"] == "Listing"]
    assert listed
    assert all(not b["fetched"] and b["count"] >= 1 for b in listed)


def test_the_network_as_it_stood_on_a_date(client: Client) -> None:
    c, officer = client
    # the director's role ended on 2022-12-31; the company was founded 2018-03-12
    now = _json(c.get(f"/console/api/entities/{XINGCHEN}/expand", headers=officer))
    then = _json(c.get(f"/console/api/entities/{XINGCHEN}/expand?at=2020-01-01", headers=officer))
    before = _json(c.get(f"/console/api/entities/{XINGCHEN}/expand?at=2010-01-01", headers=officer))
    assert not any(b["type"] == "DIRECTOR_OF" for b in now["buckets"])
    assert _bucket(then, "DIRECTOR_OF", "in", "Person")["count"] == 1
    assert not any(b["type"] == "SHAREHOLDER_OF" for b in before["buckets"])


def test_names_for_uids(client: Client) -> None:
    c, officer = client
    answer = _json(
        c.post(
            "/console/api/names",
            json={"uids": [XINGCHEN, "biz:NOT-ON-RECORD"]},
            headers=officer,
        )
    )["names"]
    assert answer[XINGCHEN] == {"label": "Business", "name": "杭州星辰贸易有限公司"}
    assert answer["biz:NOT-ON-RECORD"] == {"label": "Business", "name": None}


def test_an_unknown_entity_is_404(client: Client) -> None:
    c, officer = client
    response = c.get("/console/api/entities/biz:NOPE/expand", headers=officer)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_saved_investigation_is_shared_and_never_silently_overwritten(
    client: Client,
) -> None:
    c, officer = client
    case = {
        "name": "星辰系关联排查",
        "notes": "法定代表人张伟同时控制两家企业。",
        "at": "2025-01-01",
        "nodes": [{"uid": XINGCHEN, "x": 10.5, "y": -3.0, "pinned": True}],
    }
    saved = _json(c.post("/console/api/cases", json=case, headers=officer))
    assert (saved["name"], saved["version"], saved["node_count"]) == ("星辰系关联排查", 1, 1)
    assert saved["created_by"] == "zj-amr"

    listed = _json(c.get("/console/api/cases", headers=officer))["items"]
    assert [x["case_id"] for x in listed] == [saved["case_id"]]
    opened = _json(c.get(f"/console/api/cases/{saved['case_id']}", headers=officer))
    assert opened["nodes"] == case["nodes"]
    assert opened["notes"] == case["notes"]

    # an update from version 1 goes in; a second one from the same version is refused
    changed = {**case, "notes": "补充：两家企业共用地址。", "version": 1}
    updated = _json(c.put(f"/console/api/cases/{saved['case_id']}", json=changed, headers=officer))
    assert (updated["version"], updated["notes"]) == (2, "补充：两家企业共用地址。")
    stale = c.put(f"/console/api/cases/{saved['case_id']}", json=changed, headers=officer)
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith("application/problem+json")
    missing = c.get("/console/api/cases/case-000000000000", headers=officer)
    assert missing.status_code == 404


def test_a_saved_set_of_nodes_is_drawn_again_with_the_edges_among_them(client: Client) -> None:
    c, officer = client
    grown = _json(c.get(f"/console/api/entities/{XINGCHEN}/expand", headers=officer))
    person = next(n["uid"] for n in grown["nodes"] if n["name"] == "张伟")
    drawn = _json(c.post("/console/api/edges", json={"uids": [XINGCHEN, person]}, headers=officer))
    assert {n["uid"] for n in drawn["nodes"]} == {XINGCHEN, person}
    assert drawn["edges"]
    assert all({e["src"], e["dst"]} == {XINGCHEN, person} for e in drawn["edges"])
    assert "LEGAL_REPRESENTATIVE_OF" in {e["type"] for e in drawn["edges"]}
