"""Case transfer (案件移送) between two bureaus through the CLI: sent, received, returned.

Each bureau is its own data directory (graph, signing key, transfer log); the CLI's
settings are switched between them per command, as two offices would run it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from algorithms.propagation import service
from cli import main as cli_main
from graph.config import Settings
from graph.embedded_store import EmbeddedStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

CASE = "violation:V-2024-001"
EVIDENCE = "ab" * 32


def _settings(root: Path) -> Settings:
    return Settings(
        environment="test",
        store="embedded",
        embedded_path=root / "graph.lbdb",
        embedded_buffer_pool_mb=256,
        id_hash_key=TEST_KEY,
        quarantine_dir=root / "quarantine",
    )


@pytest.fixture
def bureaus(tmp_path: Path) -> tuple[Settings, Settings]:
    a, b = _settings(tmp_path / "a"), _settings(tmp_path / "b")
    for settings, load in ((a, True), (b, False)):
        with EmbeddedStore(settings.embedded_path, buffer_pool_mb=256) as store:
            store.create_schema()
            if load:
                ingest_directory(
                    store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
                )
                service.propagate_store(store, full=True)
    return a, b


def _as(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str, code: int = 0) -> str:
    monkeypatch.setitem(cli_main._state, "settings", settings)
    result = CliRunner().invoke(cli_main.app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_a_case_is_sent_received_and_returned_with_its_status_on_both_sides(
    bureaus: tuple[Settings, Settings], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    a, b = bureaus
    (tmp_path / "trust-a").write_text(_as(a, monkeypatch, "exchange", "keygen"), "utf-8")
    (tmp_path / "trust-b").write_text(_as(b, monkeypatch, "exchange", "keygen"), "utf-8")
    sent = _as(
        a,
        monkeypatch,
        "exchange",
        "transfer",
        CASE,
        "--to",
        "宁波市市场监督管理局",
        "--authority",
        "杭州市市场监督管理局",
        "--out",
        str(tmp_path / "p1"),
        "--evidence",
        EVIDENCE,
    )
    assert f"case {CASE} sent" in sent
    received = _as(
        b,
        monkeypatch,
        "exchange",
        "import",
        str(tmp_path / "p1"),
        "--trust",
        str(tmp_path / "trust-a"),
        "--authority",
        "宁波市市场监督管理局",
    )
    assert f"case {CASE} received from 杭州市市场监督管理局" in received
    with EmbeddedStore(b.embedded_path, buffer_pool_mb=256) as store:
        case = store.get_node(CASE)
        assert case is not None
        assert case.get("source") == "exchange:杭州市市场监督管理局"
    assert "received" in _as(b, monkeypatch, "exchange", "cases")
    # Returning needs a reason; an unknown case cannot be answered.
    _as(
        b,
        monkeypatch,
        "exchange",
        "reply",
        CASE,
        "--sender",
        "杭州市市场监督管理局",
        "--decision",
        "returned",
        "--authority",
        "宁波市市场监督管理局",
        "--out",
        str(tmp_path / "p2"),
        code=2,
    )
    _as(
        b,
        monkeypatch,
        "exchange",
        "reply",
        "violation:nope",
        "--sender",
        "杭州市市场监督管理局",
        "--decision",
        "accepted",
        "--authority",
        "宁波市市场监督管理局",
        "--out",
        str(tmp_path / "p2"),
        code=2,
    )
    _as(
        b,
        monkeypatch,
        "exchange",
        "reply",
        CASE,
        "--sender",
        "杭州市市场监督管理局",
        "--decision",
        "returned",
        "--reason",
        "不属本局管辖",
        "--authority",
        "宁波市市场监督管理局",
        "--out",
        str(tmp_path / "p2"),
    )
    answered = _as(
        a,
        monkeypatch,
        "exchange",
        "import",
        str(tmp_path / "p2"),
        "--trust",
        str(tmp_path / "trust-b"),
        "--authority",
        "杭州市市场监督管理局",
    )
    assert f"case {CASE} returned by 宁波市市场监督管理局" in answered
    status_a = _as(a, monkeypatch, "exchange", "cases")
    assert "to 宁波市市场监督管理局  returned (不属本局管辖)" in status_a
    assert "from 杭州市市场监督管理局  returned (不属本局管辖)" in _as(
        b, monkeypatch, "exchange", "cases"
    )
    # A packet from a key nobody trusts is refused with the reason.
    refused = _as(
        a,
        monkeypatch,
        "exchange",
        "import",
        str(tmp_path / "p2"),
        "--trust",
        str(tmp_path / "trust-a"),
        code=2,
    )
    assert "does not trust" in refused
