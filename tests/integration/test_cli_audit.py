"""``credgraph audit ...`` and ``credgraph evidence ...`` through Typer's runner, and the
decisions other commands put on record (embedded store with the sample data)."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.ledger.log import decision_log_path
from api.ledger.verify import verify_proof
from cli import main as cli_main
from graph.config import Settings
from graph.embedded_store import EmbeddedStore
from tests.integration.cli_sample import entries, run, sample_cli


@pytest.fixture
def cli(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    return sample_cli(settings, tmp_path, monkeypatch)


def test_decisions_made_at_the_command_line_are_on_record(
    cli: CliRunner, settings: Settings
) -> None:
    run(
        cli,
        "list",
        "add",
        "91330106MA2AAAAA4E",
        "serious_dishonesty",
        "--yes",
        "--decided",
        "2025-01-10",
        "--id",
        "T-1",
        "--authority",
        "杭州市市场监督管理局",
    )
    run(cli, "list", "remove", "T-1", "--on", "2025-02-01", "--reason", "error")
    run(cli, "list", "repair", "ZJ-2024-0002", "--on", "2025-01-01")
    key_id = run(cli, "keys", "create", "--scope", "platform", "--name", "taobao").split()[-1][3:11]
    run(cli, "keys", "revoke", key_id)
    run(
        cli,
        "brands",
        "decide",
        "R-0001",
        "countered",
        "--officer",
        "王芳",
        "--counter-notice",
        "licensed",
    )
    kinds = [(e["kind"], e["subject"]) for e in entries(settings)]
    assert kinds == [
        ("rules.changed", "rules"),
        ("listing.added", "listing:T-1"),
        ("listing.removed", "listing:T-1"),
        ("listing.repaired", "listing:ZJ-2024-0002"),
        ("key.created", f"key:{key_id}"),
        ("key.revoked", f"key:{key_id}"),
        ("report.decided", "report:R-0001"),
    ]
    listed = entries(settings)[1]
    assert listed["actor"]["via"] == "cli"
    assert listed["data"]["authority"] == "杭州市市场监督管理局"
    assert "cg_" not in json.dumps(entries(settings))  # never a key's token
    # The first listing and the rules it was first propagated under share one signed head.
    assert "decision log verified: 7 entries, 6 signed tree heads" in run(cli, "audit", "verify")


def test_a_changed_rules_file_is_on_record_before_the_decision(
    cli: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    from algorithms.propagation.rules import DEFAULT_RULES_PATH

    rules = tmp_path / "rules.yaml"
    rules.write_text(DEFAULT_RULES_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    run(cli, "propagate", "--rules", str(rules))
    run(cli, "propagate", "--rules", str(rules))
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# amended\n", encoding="utf-8")
    run(
        cli,
        "list",
        "add",
        "91330106MA2AAAAA4E",
        "serious_dishonesty",
        "--yes",
        "--decided",
        "2025-01-10",
        "--id",
        "T-2",
        "--rules",
        str(rules),
    )
    found = entries(settings)
    assert [e["kind"] for e in found] == ["rules.changed", "rules.changed", "listing.added"]
    digest = hashlib.sha256(rules.read_bytes()).hexdigest()
    assert found[1]["data"] == {"file": "rules.yaml", "sha256": digest}


def test_verify_names_the_first_tampered_entry_in_both_languages(
    cli: CliRunner, settings: Settings
) -> None:
    for i in range(3):
        run(
            cli,
            "list",
            "add",
            "91330106MA2AAAAA4E",
            "serious_dishonesty",
            "--yes",
            "--decided",
            "2025-01-10",
            "--id",
            f"T-{i}",
        )
    conn = sqlite3.connect(decision_log_path(settings), isolation_level=None)
    conn.execute("DROP TRIGGER entries_no_update")
    conn.execute("UPDATE entries SET entry = replace(entry, 'T-1', 'T-9') WHERE seq = 3")
    conn.close()
    out = run(cli, "audit", "verify", code=1)
    assert "FAILED" in out
    assert "entry 3 was edited" in out
    assert "第 3 条记录被篡改" in run(cli, "audit", "verify", "--zh", code=1)
    report = json.loads(run(cli, "audit", "verify", "--json", code=1))
    assert report["first_entry"] == 3
    assert report["problems"][0]["code"] == "entry_edited"


def test_proofs_and_exported_heads_let_another_bureau_check_a_decision(
    cli: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    for i in range(3):
        run(
            cli,
            "list",
            "add",
            "91330106MA2AAAAA4E",
            "serious_dishonesty",
            "--yes",
            "--decided",
            "2025-01-10",
            "--id",
            f"T-{i}",
        )
    heads = tmp_path / "heads.json"
    assert "wrote 3 signed tree heads" in run(cli, "audit", "heads", "export", "--out", str(heads))
    export = json.loads(heads.read_text())
    key = base64.b64decode(export["public_key"])
    proof = json.loads(run(cli, "audit", "proof", "3"))
    assert verify_proof(proof, key)
    assert proof["tree_head"]["root_hash"] == export["tree_heads"][-1]["root_hash"]
    about = json.loads(run(cli, "audit", "proof", "listing:T-0"))
    assert [p["seq"] for p in about] == [2]
    assert verify_proof(about[0], key)
    consistency = json.loads(run(cli, "audit", "consistency", "2"))
    assert consistency["second"] == 4
    assert "listing.added" in run(cli, "audit", "log")
    # Entries and heads cut back together: only the witness's copy shows it.
    conn = sqlite3.connect(decision_log_path(settings), isolation_level=None)
    for trigger in ("entries_no_delete", "heads_no_delete"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DELETE FROM entries WHERE seq = 4")
    conn.execute("DELETE FROM tree_heads WHERE tree_size = 4")
    conn.close()
    run(cli, "audit", "verify")
    out = run(cli, "audit", "verify", "--heads", str(heads), code=1)
    assert "entry 4 onwards are missing" in out
    public = base64.b64encode(key).decode()
    run(cli, "audit", "verify", "--public-key", public, code=0)
    assert "no decision 99" in run(cli, "audit", "proof", "99", code=2)


def test_evidence_is_added_listed_and_fetched_with_its_digest(
    cli: CliRunner, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings.model_copy(update={"evidence_max_bytes": 1_000})
    monkeypatch.setitem(cli_main._state, "settings", settings)
    file = tmp_path / "appraisal.pdf"
    file.write_bytes(b"%PDF-1.7 appraisal report JD-2025-118")
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    out = run(cli, "evidence", "add", "violation:V-2024-001", str(file), "--officer", "王芳")
    assert digest in out
    (listed,) = json.loads(run(cli, "evidence", "list", "violation:V-2024-001", "--json"))
    assert (listed["sha256"], listed["added_by"], listed["filename"]) == (
        digest,
        "王芳",
        "appraisal.pdf",
    )
    assert listed["media_type"] == "application/pdf"
    copy = tmp_path / "copy.pdf"
    run(cli, "evidence", "get", digest, "--out", str(copy))
    assert copy.read_bytes() == file.read_bytes()
    assert "no violation" in run(
        cli, "evidence", "add", "violation:nope", str(file), "--officer", "x", code=2
    )
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (settings.evidence_max_bytes + 1))
    assert "limited to" in run(
        cli, "evidence", "add", "violation:V-2024-001", str(big), "--officer", "x", code=2
    )
    assert "1 evidence files" in run(cli, "audit", "verify")


def test_ring_confirmation_and_dismissal_are_on_record(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.contract.test_rings_contract import write_market

    with EmbeddedStore(settings.embedded_path, buffer_pool_mb=512) as store:
        store.create_schema()
        write_market(store)
    monkeypatch.setitem(cli_main._state, "settings", settings)
    cli = CliRunner()
    run(cli, "detect", "rings")
    listed = json.loads(run(cli, "rings", "list", "--json"))["items"]
    first, second = (r["uid"] for r in listed)
    confirmed = json.loads(
        run(
            cli,
            "rings",
            "confirm",
            first,
            "--officer",
            "o-1",
            "--reason",
            "空包",
            "--yes",
            "--json",
        )
    )
    run(cli, "rings", "dismiss", second, "--officer", "o-2", "--reason", "household")
    ring_entries = [e for e in entries(settings) if e["kind"].startswith("ring.")]
    assert [(e["kind"], e["subject"], e["actor"]["officer"]) for e in ring_entries] == [
        ("ring.confirmed", first, "o-1"),
        ("ring.dismissed", second, "o-2"),
    ]
    assert ring_entries[0]["data"]["violation_uid"] == confirmed["violation_uid"]
    assert ring_entries[0]["data"]["listings"] == list(confirmed["listings"])
