"""Every entry point runs with the garbage-collector thresholds of ``graph.memory``: with
Python's defaults the 20k demo took 36.6 s against 31.4 s (docs/scale.md)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.app import create_app
from cli import main as cli_main
from graph.config import Settings
from graph.memory import GC_THRESHOLDS
from tests.conftest import TEST_KEY


@pytest.fixture
def default_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        store="embedded",
        embedded_path=tmp_path / "graph.lbdb",
        id_hash_key=TEST_KEY,
    )


def test_a_cli_command_runs_with_the_tuned_collector(
    default_thresholds: None, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(cli_main._state, "settings", settings)
    result = CliRunner().invoke(cli_main.app, ["schema"])
    assert result.exit_code == 0, result.output
    assert gc.get_threshold() == GC_THRESHOLDS


def test_the_api_app_runs_with_the_tuned_collector(
    default_thresholds: None, settings: Settings, tmp_path: Path
) -> None:
    create_app(settings, api_db=tmp_path / "api.sqlite3")
    assert gc.get_threshold() == GC_THRESHOLDS
    assert GC_THRESHOLDS[0] > 700  # the youngest generation waits for far more allocations
