"""``credgraph rings confirm`` / ``list add`` preview first; ``credgraph approvals`` for the
second officer. Typer's runner, the embedded store, the market of
``tests/contract/test_proportion_contract.py`` (an operator of a boosted store also runs 60
other stores), and a server threshold of 3 subjects.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from algorithms.propagation import service as punish
from api.ledger.log import DecisionLog
from cli import main as cli_main
from graph.config import Settings
from graph.embedded_store import EmbeddedStore
from tests.contract.test_proportion_contract import market_with_a_big_operator
from tests.contract.test_rings_contract import OPERATOR


@pytest.fixture
def ring(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    with EmbeddedStore(settings.embedded_path, buffer_pool_mb=512) as store:
        store.create_schema()
        uid, _ = market_with_a_big_operator(store)
    monkeypatch.setitem(
        cli_main._state, "settings", settings.model_copy(update={"approval_above": 3})
    )
    return uid


def run(*args: str, code: int = 0, stdin: str | None = None) -> str:
    result = CliRunner().invoke(cli_main.app, list(args), input=stdin)
    assert result.exit_code == code, result.output
    return result.output


def restricted(settings: Settings, uid: str) -> bool:
    with EmbeddedStore(settings.embedded_path, buffer_pool_mb=512) as store:
        return punish.status(store, uid, at=date.today()).restricted


def test_a_confirmation_shows_its_preview_and_applies_nothing_without_a_yes(
    ring: str, settings: Settings
) -> None:
    out = run(
        "rings", "confirm", ring, "--officer", "王芳", "--reason", "空包", code=1, stdin="n\n"
    )
    assert "预览（尚未执行）: 4 项列入，限制 5 个主体" in out
    assert "被列入网店的经营者 (1 个主体)" in out
    assert "某某电子商务有限公司（企业）" in out
    assert "限制在网络交易平台开设新店铺" in out
    assert "经营者的其他网店不受波及" in out
    assert "须另一名执法人员批准后才执行" in out
    assert OPERATOR not in out  # names, never uids
    assert "nothing applied" in out
    assert not restricted(settings, OPERATOR)
    assert json.loads(run("approvals", "list", "--json")) == []


def test_a_large_confirmation_needs_a_second_different_officer(
    ring: str, settings: Settings
) -> None:
    out = run("rings", "confirm", ring, "--officer", "王芳", "--reason", "空包", "--yes")
    assert "approval 1 pending" in out
    assert not restricted(settings, OPERATOR)
    listed = json.loads(run("approvals", "list", "--json"))
    assert [(a["id"], a["subjects"], a["requested_by"]) for a in listed] == [(1, 5, "王芳")]
    assert "某某电子商务有限公司" in run("approvals", "show", "1")

    refused = run("approvals", "approve", "1", "--officer", "王芳", "--reason", "同意", code=2)
    assert "a second, different officer must approve it" in refused
    assert not restricted(settings, OPERATOR)

    done = json.loads(
        run("approvals", "approve", "1", "--officer", "李强", "--reason", "已核对", "--json")
    )
    assert done["approval"]["status"] == "approved"
    assert done["result"]["ring"]["status"] == "confirmed"
    assert restricted(settings, OPERATOR)
    with DecisionLog.open(settings) as log:
        kinds = [
            (e.kind, e.body["actor"]["officer"]) for e in log.entries() if e.kind != "rules.changed"
        ]
    assert kinds == [
        ("approval.requested", "王芳"),
        ("approval.approved", "李强"),
        ("ring.confirmed", "李强"),
    ]


def test_a_listing_over_the_threshold_needs_an_officer_and_a_reason(ring: str) -> None:
    args = ("list", "add", "store:tb:sib000", "repeat_ip_infringer", "--decided", "2024-06-01")
    out = run(*args, "--yes", code=2)
    assert "give --officer and --reason" in out
    assert "知识产权重复侵权的规则" not in out  # the server's 3 is stricter than the rules' 20
    pending = run(*args, "--yes", "--officer", "王芳", "--reason", "多店售假")
    assert "同一经营者经营的其他网店 (60 个主体)" in pending
    assert "approval 1 pending" in pending
    run("approvals", "reject", "1", "--officer", "王芳", "--reason", "撤回")
    assert (
        json.loads(run("approvals", "list", "--status", "rejected", "--json"))[0]["decided_by"]
        == "王芳"
    )


def test_listing_a_repeat_infringer_shows_its_preview_first(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.contract.test_brands_contract import build

    with EmbeddedStore(settings.embedded_path, buffer_pool_mb=512) as store:
        store.create_schema()
        build(store)
    monkeypatch.setitem(cli_main._state, "settings", settings)
    args = ("brands", "list-repeat", "biz:OP", "--listing-id", "RI-9", "--decided", "2025-01-01")
    out = run(*args, code=1, stdin="n\n")
    assert "某公司（企业）" in out
    assert "biz:OP" not in out.split("nothing applied")[0]  # the preview names, never uids
    assert "nothing applied" in out
    assert not restricted(settings, "biz:OP")
    run(*args, "--yes")
    assert restricted(settings, "biz:OP")
