"""``credgraph detect rings`` and ``credgraph rings ...`` through Typer's runner, embedded store.

The store holds the two-ring synthetic market of the contract suite; the CLI's settings are
the test's own (``cli.main`` keeps them per invocation in ``_state``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import main as cli_main
from graph.config import Settings
from graph.embedded_store import EmbeddedStore
from tests.contract.test_rings_contract import OPERATOR, write_market


@pytest.fixture
def planted(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Write the market; yield the accounts of the ring whose store has an operator."""
    with EmbeddedStore(settings.embedded_path, buffer_pool_mb=512) as store:
        store.create_schema()
        _, rings = write_market(store)
    monkeypatch.setitem(cli_main._state, "settings", settings)
    return rings[0]


@pytest.fixture
def cli(planted: set[str]) -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli_main.app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_detect_list_show_confirm_dismiss(cli: CliRunner, planted: set[str]) -> None:
    report = json.loads(_run(cli, "detect", "rings", "--json"))
    assert report["created"] == 2
    assert report["orders"] > 0
    again = json.loads(_run(cli, "detect", "rings", "--json"))
    assert (again["created"], again["updated"]) == (0, 2)
    assert "2 found" in _run(cli, "detect", "rings")
    listed = json.loads(_run(cli, "rings", "list", "--json"))["items"]
    assert [r["status"] for r in listed] == ["suspected", "suspected"]
    first, second = (r["uid"] for r in listed)
    assert first in _run(cli, "rings", "list")
    details = [json.loads(_run(cli, "rings", "show", uid, "--json")) for uid in (first, second)]
    assert all(d["orders"] and d["shared_receivers"] for d in details)
    assert "shared receivers" in _run(cli, "rings", "show", first)
    boosted = next(d["uid"] for d in details if set(d["accounts"]) == planted)
    confirmed = json.loads(
        _run(
            cli,
            "rings",
            "confirm",
            boosted,
            "--officer",
            "o-1",
            "--reason",
            "空包",
            "--yes",
            "--json",
        )
    )
    assert confirmed["ring"]["status"] == "confirmed"
    assert any(
        r["subject_uid"] == OPERATOR and r["measure"] == "platform_entry_restriction"
        for r in confirmed["restrictions"]
    )
    other = second if boosted == first else first
    _run(cli, "rings", "dismiss", other, "--officer", "o-1", "--reason", "household")
    listed = json.loads(_run(cli, "rings", "list", "--json"))["items"]
    statuses = {r["uid"]: r["status"] for r in listed}
    assert statuses == {boosted: "confirmed", other: "dismissed"}


def test_errors_exit_2_with_a_plain_message(cli: CliRunner) -> None:
    result = cli.invoke(cli_main.app, ["rings", "show", "ring:0000000000000000"])
    assert result.exit_code == 2
    assert "no brushing ring" in result.output
    result = cli.invoke(
        cli_main.app,
        ["rings", "dismiss", "ring:0000000000000000", "--officer", "o", "--reason", "r"],
    )
    assert result.exit_code == 2


def test_a_bare_ring_id_works_where_the_prefixed_one_does(cli: CliRunner) -> None:
    _run(cli, "detect", "rings", "--json")
    listed = json.loads(_run(cli, "rings", "list", "--json"))["items"]
    uid = listed[0]["uid"]
    bare = uid.removeprefix("ring:").upper()
    assert json.loads(_run(cli, "rings", "show", bare, "--json"))["uid"] == uid
    result = cli.invoke(cli_main.app, ["rings", "show", "xyz"])
    assert result.exit_code == 2
    assert "'xyz' is not a ring id" in result.output
    assert "Traceback" not in result.output


def test_parameter_errors_are_one_line_and_flags_read_as_flags() -> None:
    import typer
    from click.testing import CliRunner as ClickRunner

    command: Any = typer.main.get_command(cli_main.app)
    cli_main._flags_without_type(command)
    runner = ClickRunner()
    bad = runner.invoke(command, ["detect", "rings", "--blocks", "0"])
    assert bad.exit_code == 2
    assert "--blocks" in bad.output
    assert "Traceback" not in bad.output
    shown = runner.invoke(command, ["detect", "rings", "--help"], terminal_width=100)
    assert "--orders-only" in shown.output
    assert "<bool>" not in shown.output


def test_accounts_and_stores_ranked_by_score(cli: CliRunner, planted: set[str]) -> None:
    _run(cli, "detect", "rings", "--json")
    top = json.loads(_run(cli, "rings", "accounts", "--top", "5", "--json"))
    assert len(top) == 5
    assert {a["uid"] for a in top} <= planted
    assert all(a["score"] >= 0.9 for a in top)
    table = _run(cli, "rings", "accounts", "--top", "3", "--lang", "en")
    assert top[0]["uid"] in table
    assert "accounts by brushing score" in table
    stores = json.loads(_run(cli, "rings", "stores", "--top", "2", "--json"))
    assert stores[0]["score"] >= stores[1]["score"]
    one = _run(cli, "rings", "score", top[0]["uid"], "--lang", "en")
    assert top[0]["uid"] in one
    assert "•" in one


def test_score_errors_are_one_line(cli: CliRunner) -> None:
    result = CliRunner().invoke(cli_main.app, ["rings", "accounts", "--top", "0"])
    assert result.exit_code != 0
    assert "--top" in result.output
    missing = CliRunner().invoke(cli_main.app, ["rings", "score", "account:tb:nobody"])
    assert missing.exit_code != 0
    assert "no brushing score" in missing.output
