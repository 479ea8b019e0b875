"""``credgraph demo`` runs the whole pipeline end to end on a fresh embedded store."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli import main as cli
from graph.config import Settings


def test_the_demo_runs_every_stage_and_explains_a_derived_restriction(
    settings: Settings, tmp_path: Path
) -> None:
    cli.use_settings(settings)
    result = CliRunner().invoke(
        cli.app, ["demo", "--entities", "1500", "--seed", "3", "--input", str(tmp_path / "in")]
    )
    assert result.exit_code == 0, result.output
    output = result.output
    for stage in (
        "1 · generate",
        "2 · ingest",
        "3 · ownership",
        "4 · detection",
        "5 · joint punishment",
        "7 · a platform's check",
        "8 · and why",
        "9 · a seller's identity and licences",
        "10 · formation agents",
        "11 · risk alert",
        "12 · regional overview",
        "13 · FollowTheMoney export",
        "14 · a signed exchange packet",
        "15 · preview before imposing",
        "16 · an objection",
    ):
        assert stage in output
    assert "bureau B" in output
    assert "restrictions under its own rules" in " ".join(output.split())
    assert "entities →" in output
    assert "suspected shell clusters" in output
    assert "suspected brushing rings" in output
    assert "restricted on" in output
    before_objection, objection = output.split("16 · an objection")
    assert "not restricted" not in before_objection
    assert "objection 1 filed against" in objection
    assert "upheld" in objection
    assert "would restrict" in before_objection  # the preview, by name
    assert "依据" in output  # the legal basis of each measure is shown
    # The identity check: the licences held pass, the one asked for but not held fails.
    assert "name matches True" in output
    assert "✓" in output
    assert "✗" in output
    assert ": missing" in output
