"""``credgraph ingest`` shows quarantine reasons and conflicts per file and writes
report.json; ``credgraph ingest --format ftm`` loads a FollowTheMoney file (issue 15)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import main as cli_main
from graph.config import Settings
from tests.conftest import SAMPLE_DIR, TEST_KEY


@pytest.fixture
def cli_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = Settings(
        environment="test",
        store="embedded",
        embedded_path=tmp_path / "graph.lbdb",
        embedded_buffer_pool_mb=256,
        id_hash_key=TEST_KEY,
        quarantine_dir=tmp_path / "quarantine",
    )
    monkeypatch.setitem(cli_main._state, "settings", settings)
    return settings


def test_ingest_prints_reasons_and_conflicts_and_writes_the_report(
    cli_settings: Settings, tmp_path: Path
) -> None:
    directory = tmp_path / "input"
    shutil.copytree(SAMPLE_DIR, directory)
    with (directory / "businesses.csv").open("a", encoding="utf-8") as handle:
        handle.write("91330106MA2AAAAA16,坏码,active,,,,,,\n")
        handle.write("91330106ma2aaaaa15,改名公司,active,,,,,,\n")
    result = CliRunner().invoke(cli_main.app, ["ingest", str(directory)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "quarantined rows per reason" in result.output
    assert "not a valid USCC" in result.output
    assert "given again with other values" in result.output
    [report_path] = list(cli_settings.quarantine_dir.glob("*/report.json"))
    report = json.loads(report_path.read_text(encoding="utf-8"))
    businesses = report["files"][0]
    assert businesses["conflicts"] == 1
    assert businesses["conflict_list"][0]["key"] == "biz:91330106MA2AAAAA15"
    assert sum(businesses["quarantine_reasons"].values()) == 1


def test_ingest_format_ftm_loads_a_followthemoney_file(
    cli_settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "registry.jsonl"
    entities = [
        {
            "id": "c1",
            "schema": "Company",
            "properties": {
                "name": ["Alpen AG"],
                "registrationNumber": ["10000001"],
                "jurisdiction": ["CHE"],
            },
        },
        {"id": "x1", "schema": "Vessel", "properties": {"name": ["Sea Star"]}},
    ]
    path.write_text("\n".join(json.dumps(e) for e in entities) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli_main.app, ["ingest", "--format", "ftm", str(path)], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "schema: schema … is not mapped" in result.output
    assert "businesses" in result.output
