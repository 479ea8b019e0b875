"""Shared by the CLI tests on the sample data: a runner over an embedded store holding
``docs/sample``, running a command, and reading the decision log as written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.ledger.log import decision_log_path
from cli import main as cli_main
from graph.config import Settings
from graph.embedded_store import EmbeddedStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

__all__ = ["entries", "run", "sample_cli"]


def sample_cli(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The sample data ingested into the settings' embedded store, the CLI pointed at it."""
    with EmbeddedStore(settings.embedded_path, buffer_pool_mb=512) as store:
        store.create_schema()
        ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q")
    monkeypatch.setitem(cli_main._state, "settings", settings)
    monkeypatch.delenv("CREDGRAPH_API_DB", raising=False)
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    """Run ``credgraph ARGS``; its output, once the exit code is the one expected."""
    result = cli.invoke(cli_main.app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def entries(settings: Settings) -> list[dict[str, Any]]:
    """The decision log's entries, in order, as stored."""
    conn = sqlite3.connect(decision_log_path(settings))
    found = [json.loads(t) for (t,) in conn.execute("SELECT entry FROM entries ORDER BY seq")]
    conn.close()
    return found
