"""``credgraph objections ...`` through Typer's runner (embedded store, sample data): an
upheld listing objection takes the listing off as ``objection_upheld`` and is on record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graph.config import Settings
from tests.integration.cli_sample import entries, run, sample_cli


@pytest.fixture
def cli(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    runner = sample_cli(settings, tmp_path, monkeypatch)
    run(runner, "propagate")
    return runner


def test_an_upheld_listing_objection_removes_the_listing_and_is_logged(
    cli: CliRunner, settings: Settings
) -> None:
    filed = json.loads(
        run(
            cli,
            "objections",
            "file",
            "listing:ZJ-2024-0002",
            "--subject",
            "business:x",
            "--grounds",
            "penalty annulled on appeal",
            "--officer",
            "王芳",
            "--on",
            "2025-03-01",
            "--json",
        )
    )
    assert (filed["status"], filed["deadline"]) == ("filed", "2025-03-16")
    run(cli, "objections", "review", str(filed["id"]), "--officer", "李明")
    decided = json.loads(
        run(
            cli,
            "objections",
            "decide",
            str(filed["id"]),
            "upheld",
            "--officer",
            "王芳",
            "--reason",
            "行政复议撤销原处罚决定",
            "--on",
            "2025-03-10",
            "--json",
        )
    )
    assert decided["status"] == "upheld"
    assert decided["propagation"]["lifted"] > 0
    logged = [e for e in entries(settings) if e["kind"] == "objection.decided"]
    assert len(logged) == 1
    assert logged[0]["subject"] == f"objection:{filed['id']}"
    assert logged[0]["data"]["reason"] == "行政复议撤销原处罚决定"
    assert logged[0]["data"]["lifted"] == decided["propagation"]["lifted"]
    listed = json.loads(run(cli, "objections", "list", "--status", "upheld", "--json"))
    assert [o["id"] for o in listed] == [filed["id"]]
    assert "decision log verified" in run(cli, "audit", "verify")


def test_a_rejected_objection_changes_nothing_in_the_graph(
    cli: CliRunner, settings: Settings
) -> None:
    oid = run(
        cli,
        "objections",
        "file",
        "rel:1",
        "--kind",
        "link",
        "--subject",
        "person:x",
        "--grounds",
        "I am not the actual controller",
        "--officer",
        "王芳",
    ).split()[1]
    out = json.loads(
        run(
            cli,
            "objections",
            "decide",
            oid,
            "rejected",
            "--officer",
            "王芳",
            "--reason",
            "股权登记显示持股 60%",
            "--json",
        )
    )
    assert out["propagation"] is None
    assert [e["kind"] for e in entries(settings)][-1] == "objection.decided"
    run(cli, "objections", "decide", oid, "upheld", "--officer", "王芳", "--reason", "x", code=1)


def test_status_and_explain_mark_a_restriction_under_an_open_objection_disputed(
    cli: CliRunner,
) -> None:
    subsidiary = "biz:91330106MA2AAAAA28"
    restrictions = json.loads(run(cli, "status", subsidiary, "--json"))["restrictions"]
    assert restrictions
    assert all(r["disputed_by"] == [] for r in restrictions)
    target = restrictions[0]["listing_uid"]
    oid = run(
        cli,
        "objections",
        "file",
        target,
        "--subject",
        subsidiary,
        "--grounds",
        "penalty annulled",
        "--officer",
        "王芳",
    ).split()[1]
    during = json.loads(run(cli, "status", subsidiary, "--json"))
    assert during["restricted"] is True
    assert [r["disputed_by"] for r in during["restrictions"] if r["listing_uid"] == target] == [
        [int(oid)] for r in restrictions if r["listing_uid"] == target
    ]
    explained = json.loads(run(cli, "explain", subsidiary, "--json"))
    assert {tuple(e["disputed_by"]) for e in explained if e["listing_uid"] == target} == {
        (int(oid),)
    }
    assert "异议审查中" in run(cli, "explain", subsidiary)


def test_an_upheld_link_objection_lifts_what_only_that_link_carried(
    cli: CliRunner, settings: Settings
) -> None:
    subsidiary = "biz:91330106MA2AAAAA28"

    def why(uid: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = json.loads(run(cli, "explain", uid, "--json"))
        return found

    def key(e: dict[str, Any]) -> tuple[str, str, str]:
        return (e["measure"], e["listing_uid"], e["rule_id"])

    derived = [e for e in why(subsidiary) if e["paths"] and e["paths"][0]["rids"]]
    assert derived
    rid = derived[0]["paths"][0]["rids"][0]
    carried = {key(e) for e in derived if e["path_count"] == 1 and rid in e["paths"][0]["rids"]}
    assert carried
    oid = run(
        cli,
        "objections",
        "file",
        rid,
        "--kind",
        "link",
        "--subject",
        subsidiary,
        "--grounds",
        "持股已于2021年转让",
        "--officer",
        "王芳",
    ).split()[1]
    decided = json.loads(
        run(
            cli,
            "objections",
            "decide",
            oid,
            "upheld",
            "--officer",
            "王芳",
            "--reason",
            "登记机关确认股权已转让",
            "--scope",
            "all",
            "--json",
        )  # fmt: skip
    )
    assert decided["propagation"]["lifted"] == len(carried)
    after = why(subsidiary)
    assert not carried & {key(e) for e in after}
    assert all(rid not in p["rids"] for e in after for p in e["paths"])
    logged = [e for e in entries(settings) if e["kind"] == "objection.decided"][-1]
    assert (logged["data"]["scope"], logged["data"]["lifted"]) == ("all", len(carried))
    # a full recomputation respects the exclusion: nothing to change
    full = json.loads(run(cli, "propagate", "--full", "--json"))
    assert (full["imposed"], full["lifted"], full["amended"]) == (0, 0, 0)


def test_a_decision_the_graph_cannot_carry_out_is_refused_before_it_is_recorded(
    cli: CliRunner,
) -> None:
    oid = run(
        cli,
        "objections",
        "file",
        "no-such-rid",
        "--kind",
        "link",
        "--subject",
        "biz:91330106MA2AAAAA28",
        "--grounds",
        "x",
        "--officer",
        "王芳",
    ).split()[1]
    out = run(
        cli, "objections", "decide", oid, "upheld", "--officer", "王芳", "--reason", "r", code=2
    )
    assert "no-such-rid" in out
    shown = json.loads(run(cli, "objections", "show", oid, "--json"))
    assert shown["open"] is True  # nothing recorded: it can still be decided
    decided = json.loads(
        run(
            cli,
            "objections",
            "decide",
            oid,
            "rejected",
            "--officer",
            "王芳",
            "--reason",
            "该关联关系不存在",
            "--json",
        )
    )
    assert decided["status"] == "rejected"
