"""``credgraph detect shells``, ``shells``, ``ownership`` and ``controllers`` through Typer's
runner, on a generated market of 1,500 businesses ingested into the embedded store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import main as cli
from graph.config import Settings
from graph.embedded_store import EmbeddedStore
from ingest.generate import generate
from ingest.pipeline import ingest_directory
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Generated files and an embedded store holding them (built once for the module)."""
    root = tmp_path_factory.mktemp("shells-cli")
    generate(root / "data", 1_500, 11)
    store = EmbeddedStore(root / "graph.lbdb", buffer_pool_mb=512)
    try:
        ingest_directory(store, root / "data", id_hash_key=TEST_KEY, quarantine_dir=root / "q")
    finally:
        store.close()
    return root / "data", root / "graph.lbdb"


@pytest.fixture
def run(market: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose commands use the market's store."""
    _, db = market
    settings = Settings(
        environment="test",
        store="embedded",
        embedded_path=db,
        embedded_buffer_pool_mb=512,
        id_hash_key=TEST_KEY,
        quarantine_dir=db.parent / "q",
    )
    monkeypatch.setitem(cli._state, "settings", settings)
    return CliRunner()


def _json(output: str) -> dict[str, Any]:
    value = json.loads(output)
    assert isinstance(value, dict)
    return value


def test_detect_shells_finds_the_planted_clusters(
    run: CliRunner, market: tuple[Path, Path]
) -> None:
    data, _ = market
    result = run.invoke(cli.app, ["detect", "shells", "--json"])
    assert result.exit_code == 0, result.output
    body = _json(result.output)
    clusters = body["clusters"]
    assert isinstance(clusters, list)
    truth = json.loads((data / "ground_truth.json").read_text())["shell_clusters"]
    found = {frozenset(m["uid"] for m in c["members"]) for c in clusters}
    planted = {frozenset(f"biz:{b}" for b in c) for c in truth}
    assert len(found & planted) >= len(planted) - 1
    assert all(c["reasons"] for c in clusters)

    table = run.invoke(cli.app, ["detect", "shells", "--min-score", "0.5"])
    assert table.exit_code == 0, table.output
    assert "shell clusters" in table.output
    assert "in common" in table.output


def test_review_a_cluster_from_the_command_line(run: CliRunner) -> None:
    assert run.invoke(cli.app, ["detect", "shells", "--json"]).exit_code == 0
    listed = run.invoke(cli.app, ["shells", "list", "--json", "--limit", "1"])
    assert listed.exit_code == 0, listed.output
    first = _json(listed.output)
    items = first["items"]
    assert isinstance(items, list)
    uid = items[0]["uid"]
    assert first["total"] > 1
    # the next page by its cursor: another cluster
    after = run.invoke(
        cli.app, ["shells", "list", "--json", "--limit", "1", "--cursor", first["next"]]
    )
    assert after.exit_code == 0, after.output
    assert _json(after.output)["items"][0]["uid"] != uid
    bad = run.invoke(cli.app, ["shells", "list", "--cursor", "not-a-cursor"])
    assert bad.exit_code == 2
    assert "cursor" in bad.output
    reviewed = run.invoke(
        cli.app,
        ["shells", "review", uid, "--decision", "confirm", "--officer", "o-1", "--reason", "visit"],
    )
    assert reviewed.exit_code == 0, reviewed.output
    assert "confirmed" in reviewed.output
    logged = run.invoke(cli.app, ["audit", "log", "--subject", uid, "--json"])
    assert [(e["kind"], e["actor"]["officer"]) for e in json.loads(logged.output)] == [
        ("shell.confirmed", "o-1")
    ]
    assert run.invoke(cli.app, ["detect", "shells", "--json"]).exit_code == 0
    shown = run.invoke(cli.app, ["shells", "show", uid, "--json"])
    assert _json(shown.output)["status"] == "confirmed"
    missing = run.invoke(cli.app, ["shells", "show", "shell:0000"])
    assert missing.exit_code == 2
    assert "no shell cluster" in missing.output


def test_ownership_and_controllers(run: CliRunner, market: tuple[Path, Path]) -> None:
    data, _ = market
    truth = json.loads((data / "ground_truth.json").read_text())
    uscc = truth["ownership_cycles"][0][0]
    result = run.invoke(cli.app, ["ownership", uscc, "--json"])
    assert result.exit_code == 0, result.output
    body = _json(result.output)
    assert body["business"] == f"biz:{uscc}"
    holders = body["holders"]
    assert isinstance(holders, list)
    assert holders
    assert sum(h["share"] for h in holders if h["label"] == "Person") <= 1.0 + 1e-9
    text = run.invoke(cli.app, ["ownership", uscc])
    assert text.exit_code == 0, text.output
    assert "actual controller" in text.output
    assert run.invoke(cli.app, ["ownership", "biz:NOPE"]).exit_code == 2

    computed = run.invoke(cli.app, ["controllers", "compute", "--json"])
    assert computed.exit_code == 0, computed.output
    first = _json(computed.output)
    assert isinstance(first["computed"], int)
    assert first["computed"] > 0
    again = _json(run.invoke(cli.app, ["controllers", "compute", "--json"]).output)
    assert again["computed"] == first["computed"]
    assert again["removed"] == 0


# -- the same features over HTTP (officer scope) -----------------------------------------------
def test_api_lists_reads_and_reviews_clusters_and_reports_ownership(
    run: CliRunner, market: tuple[Path, Path], tmp_path: Path
) -> None:
    import warnings

    from starlette.exceptions import StarletteDeprecationWarning

    from api.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from fastapi.testclient import TestClient

    assert run.invoke(cli.app, ["detect", "shells", "--json"]).exit_code == 0
    data, db = market
    settings = cli._state["settings"]
    store = EmbeddedStore(db, buffer_pool_mb=512)
    try:
        app = create_app(settings, store, api_db=tmp_path / "api.sqlite3")
        with TestClient(app) as client:
            keys = app.state.credgraph.keys
            officer = {"X-API-Key": keys.create("officer-9", "officer").token}
            platform = {"X-API-Key": keys.create("taobao", "platform").token}

            assert client.get("/v1/shells", headers=platform).status_code == 403
            page = client.get("/v1/shells?limit=2", headers=officer)
            assert page.status_code == 200, page.text
            body = page.json()
            assert len(body["items"]) == 2
            assert body["items"][0]["score"] >= body["items"][1]["score"]
            assert body["next"] is not None
            second = client.get(body["next"], headers=officer).json()
            assert second["items"][0]["uid"] not in {c["uid"] for c in body["items"]}

            uid = body["items"][0]["uid"]
            detail = client.get(f"/v1/shells/{uid}", headers=officer)
            assert detail.status_code == 200
            assert detail.json()["members"]
            assert detail.json()["reasons"]
            assert client.get("/v1/shells/shell:00000000", headers=officer).status_code == 404
            assert client.get("/v1/shells/not-an-id", headers=officer).status_code == 422

            reviewed = client.post(
                f"/v1/shells/{uid}/review",
                headers=officer,
                json={"decision": "dismiss", "reason": "一家连锁企业的分店"},
            )
            assert reviewed.status_code == 200, reviewed.text
            assert reviewed.json()["status"] == "dismissed"
            assert reviewed.json()["reviewed_by"] == "officer-9"
            logged = client.get("/v1/decisions", params={"subject": uid}, headers=officer).json()
            assert [(e["kind"], e["actor"].get("name")) for e in logged][-1:] == [
                ("shell.dismissed", "officer-9")
            ]
            bad = client.post(
                f"/v1/shells/{uid}/review",
                headers=officer,
                json={"decision": "maybe", "reason": "x"},
            )
            assert bad.status_code == 422
            dismissed = client.get("/v1/shells?status=dismissed", headers=officer).json()
            assert [c["uid"] for c in dismissed["items"]] == [uid]

            truth = json.loads((data / "ground_truth.json").read_text())
            biz = f"biz:{truth['ownership_cycles'][0][0]}"
            report = client.get(f"/v1/entities/{biz}/ownership", headers=officer)
            assert report.status_code == 200, report.text
            assert report.json()["business"] == biz
            assert report.json()["holders"]
            assert client.get(f"/v1/entities/{biz}/ownership", headers=platform).status_code == 403
            missing = client.get("/v1/entities/biz:NOPE/ownership", headers=officer)
            assert missing.status_code == 404
    finally:
        store.close()
