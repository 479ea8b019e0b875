"""The decision log as an auditor sees it: tamper with the file, verification names the entry.

Each test builds a real log (SQLite file, Ed25519 key) of twelve decisions, each its own
batch with its own signed tree head, then changes the file the way someone with access to
it could (``sqlite3`` after dropping the append-only triggers) and runs the offline
verification ``credgraph audit verify`` runs.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.ledger import record as rec
from api.ledger.check import Code, Verification, WitnessedHeads, verify_log
from api.ledger.evidence import EvidenceStore, EvidenceTooLarge
from api.ledger.log import (
    ZERO_HASH,
    Decision,
    DecisionLog,
    Kind,
    Signer,
    canonical,
)
from api.ledger.verify import leaf_hash, main, verify_consistency, verify_proof
from graph.errors import ConfigError, InvalidInput

ACTOR = {"via": "cli", "user": "auditor", "officer": "王芳"}
N = 12


@pytest.fixture
def log(tmp_path: Path) -> DecisionLog:
    log = DecisionLog(tmp_path / "decisions.sqlite3", Signer(tmp_path / "decision-log.key"))
    for i in range(1, N + 1):
        log.append(
            Decision(
                Kind.LISTING_ADDED,
                ACTOR,
                f"listing:ZJ-2025-{i:04d}",
                {"subject_uid": f"biz:91330106MA2AAAA{i:03d}", "list_type": "serious_dishonesty"},
            )
        )
    return log


def verify(log: DecisionLog, **kwargs: object) -> Verification:
    return verify_log(log.path, log.signer.public_key, **kwargs)  # type: ignore[arg-type]


def tamper(log: DecisionLog, *statements: str, params: tuple[object, ...] = ()) -> None:
    """Run SQL on the file as an intruder would: triggers dropped first."""
    conn = sqlite3.connect(log.path, isolation_level=None)
    for trigger in ("entries_no_update", "entries_no_delete", "heads_no_update", "heads_no_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in statements:
        conn.execute(statement, params if "?" in statement else ())
    conn.close()


def rows(log: DecisionLog) -> dict[int, tuple[str, str, str, str | None]]:
    conn = sqlite3.connect(log.path)
    found = {
        int(seq): (str(text), str(h), str(kind), subject)
        for seq, text, h, kind, subject in conn.execute(
            "SELECT seq, entry, leaf_hash, kind, subject FROM entries"
        )
    }
    conn.close()
    return found


def rewrite(log: DecisionLog, seq: int, change: Callable[[dict[str, Any]], None]) -> str:
    """Entry ``seq`` with ``change`` applied and its stored hash made to fit; returns it."""
    body = json.loads(rows(log)[seq][0])
    change(body)
    text = canonical(body)
    tamper(
        log,
        "UPDATE entries SET entry = ?, leaf_hash = ? WHERE seq = ?",
        params=(text, leaf_hash(text.encode()).hex(), seq),
    )
    return text


def only(result: Verification) -> tuple[Code, int | None]:
    assert not result.ok
    first = result.problems[0]
    return first.code, first.entry


def test_an_untouched_log_verifies_and_every_entry_is_covered_by_a_signed_head(
    log: DecisionLog,
) -> None:
    result = verify(log)
    assert result.ok, result.to_json()
    assert (result.entries, result.heads) == (N, N)
    head = log.latest_head()
    assert head is not None
    assert head.tree_size == N


def test_the_file_refuses_updates_and_deletes(log: DecisionLog) -> None:
    conn = sqlite3.connect(log.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE entries SET kind = 'x.y' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM tree_heads")
    conn.close()


def test_an_edited_entry_is_named(log: DecisionLog) -> None:
    tamper(log, "UPDATE entries SET entry = replace(entry, 'ZJ-2025-0005', 'ZJ-2025-9999')")
    assert only(verify(log)) == (Code.EDITED, 5)


def test_an_edited_entry_whose_stored_hash_was_recomputed_is_named(log: DecisionLog) -> None:
    def change(body: dict[str, Any]) -> None:
        body["data"]["list_type"] = "abnormal_operation"

    rewrite(log, 5, change)
    result = verify(log)
    assert only(result) == (Code.EDITED, 5)
    assert "entry 5 was edited" in result.problems[0].message("en")
    assert "第 5 条记录被篡改" in result.problems[0].message("zh")


def test_the_last_entry_edited_with_its_hash_recomputed_fails_its_signed_head(
    log: DecisionLog,
) -> None:
    rewrite(log, N, lambda body: body.update(subject="listing:other"))
    tamper(log, f"UPDATE entries SET subject = 'listing:other' WHERE seq = {N}")
    result = verify(log)
    assert only(result) == (Code.HEAD_MISMATCH, N)
    assert result.first_entry == N


def test_a_history_rewritten_from_an_entry_on_is_caught_by_the_heads(log: DecisionLog) -> None:
    """The intruder edits entry 5 and re-chains every later entry: the chain holds, the
    signed heads do not."""
    prev = rows(log)[4][1]
    for seq in range(5, N + 1):

        def change(body: dict[str, Any], seq: int = seq, prev: str = prev) -> None:
            body["prev"] = prev
            if seq == 5:
                body["data"] = {"subject_uid": "biz:someone-else", "list_type": "x"}

        text = rewrite(log, seq, change)
        prev = leaf_hash(text.encode()).hex()
    assert only(verify(log)) == (Code.HEAD_MISMATCH, 5)


def test_a_removed_entry_is_named(log: DecisionLog) -> None:
    tamper(log, "DELETE FROM entries WHERE seq = 5")
    assert only(verify(log)) == (Code.REMOVED, 5)


def test_a_removed_entry_is_named_when_the_rest_were_renumbered(log: DecisionLog) -> None:
    tamper(
        log,
        "DELETE FROM entries WHERE seq = 5",
        *(f"UPDATE entries SET seq = {s - 1} WHERE seq = {s}" for s in range(6, N + 1)),
    )
    assert only(verify(log)) == (Code.REMOVED, 5)


def test_an_inserted_entry_is_named(log: DecisionLog) -> None:
    """A forged decision slipped in as entry 5, chained to entry 4; the rest moved up."""
    for s in range(N, 4, -1):
        tamper(log, f"UPDATE entries SET seq = {s + 1} WHERE seq = {s}")
    body = json.loads(rows(log)[4][0])
    body.update(seq=5, subject="listing:forged", prev=rows(log)[4][1])
    text = canonical(body)
    tamper(
        log,
        "INSERT INTO entries (seq, entry, leaf_hash, kind, subject) VALUES (?, ?, ?, ?, ?)",
        params=(5, text, leaf_hash(text.encode()).hex(), "listing.added", "listing:forged"),
    )
    assert only(verify(log)) == (Code.INSERTED, 5)


def test_an_entry_appended_behind_the_logs_back_is_named(log: DecisionLog) -> None:
    body = json.loads(rows(log)[N][0])
    body.update(seq=N + 1, subject="listing:forged", prev=rows(log)[N][1])
    text = canonical(body)
    tamper(
        log,
        "INSERT INTO entries (seq, entry, leaf_hash, kind, subject) VALUES (?, ?, ?, ?, ?)",
        params=(N + 1, text, leaf_hash(text.encode()).hex(), "listing.added", "listing:forged"),
    )
    result = verify(log)
    assert only(result) == (Code.INSERTED, N + 1)
    assert "no signed tree head covers it" in result.problems[0].message()


def test_reordered_entries_are_named(log: DecisionLog) -> None:
    five, six = rows(log)[5], rows(log)[6]
    for seq, (text, h, kind, subject) in ((5, six), (6, five)):
        tamper(
            log,
            "UPDATE entries SET entry = ?, leaf_hash = ?, kind = ?, subject = ? WHERE seq = ?",
            params=(text, h, kind, subject, seq),
        )
    result = verify(log)
    assert only(result) == (Code.REORDERED, 5)
    assert "position 5 holds entry 6" in result.problems[0].message()


def test_a_truncated_log_is_named_by_the_heads_that_covered_it(log: DecisionLog) -> None:
    tamper(log, "DELETE FROM entries WHERE seq >= 9")
    result = verify(log)
    assert only(result) == (Code.TRUNCATED, 9)


def test_a_log_truncated_with_its_heads_is_caught_by_a_witness(
    log: DecisionLog, tmp_path: Path
) -> None:
    export = tmp_path / "witness.json"
    export.write_text(
        json.dumps(
            {
                "public_key": base64.b64encode(log.signer.public_key).decode(),
                "tree_heads": [h.to_json() for h in log.heads()],
            }
        )
    )
    tamper(log, "DELETE FROM entries WHERE seq >= 9", "DELETE FROM tree_heads WHERE tree_size >= 9")
    assert verify(log).ok  # the file alone cannot tell
    result = verify(log, witnessed=WitnessedHeads.load(export))
    assert only(result) == (Code.TRUNCATED, 9)


def test_a_swapped_tree_head_is_named(log: DecisionLog) -> None:
    """Head 7 given head 8's root (its own signature kept): the signature no longer holds."""
    root8 = log.heads()[7].root_hash
    tamper(log, "UPDATE tree_heads SET root_hash = ? WHERE number = 7", params=(root8,))
    result = verify(log)
    assert [(p.code, p.head) for p in result.problems] == [(Code.HEAD_FORGED, 7)]


def test_tree_heads_swapped_in_order_are_named(log: DecisionLog) -> None:
    seven, eight = log.heads()[6], log.heads()[7]
    for number, h in ((7, eight), (8, seven)):
        tamper(
            log,
            "UPDATE tree_heads SET tree_size = ?, timestamp = ?, root_hash = ?, signature = ?"
            " WHERE number = ?",
            params=(h.tree_size, h.timestamp, h.root_hash, h.signature, number),
        )
    result = verify(log)
    assert (result.problems[0].code, result.problems[0].head) == (Code.HEAD_OUT_OF_ORDER, 8)


def test_heads_re_signed_with_another_key_fail_under_the_logs_key(
    log: DecisionLog, tmp_path: Path
) -> None:
    intruder = Signer(tmp_path / "intruder.key")
    head = log.heads()[-1]
    forged = intruder.sign(head.timestamp, head.tree_size, bytes.fromhex(head.root_hash))
    tamper(
        log,
        "UPDATE tree_heads SET signature = ?, key_id = ? WHERE number = ?",
        params=(forged, intruder.key_id, head.number),
    )
    assert [(p.code, p.head) for p in verify(log).problems] == [(Code.HEAD_FORGED, N)]
    witness = WitnessedHeads(log.signer.public_key, tuple(log.heads()[:3]))
    replaced = verify_log(log.path, intruder.public_key, witnessed=witness)
    assert Code.KEY_CHANGED in {p.code for p in replaced.problems}


def test_inclusion_proofs_check_against_every_head_without_the_database(
    log: DecisionLog,
) -> None:
    key = log.signer.public_key
    for seq in (1, 5, N):
        proof = json.loads(json.dumps(log.inclusion_proof(seq)))
        assert verify_proof(proof, key)
        assert json.loads(proof["entry"])["subject"] == f"listing:ZJ-2025-{seq:04d}"
    older = log.inclusion_proof(3, tree_size=7)
    assert older["tree_head"]["tree_size"] == 7
    assert verify_proof(older, key)
    forged = {**older, "entry": older["entry"].replace("0003", "0004")}
    assert not verify_proof(forged, key)
    assert not verify_proof(log.inclusion_proof(3), Signer(log.path.parent / "k2").public_key)


def test_a_consistency_proof_links_two_published_heads(log: DecisionLog) -> None:
    document = log.consistency_proof(5)
    head5 = log.head_of_size(5)
    assert verify_consistency(
        5,
        document["second"],
        bytes.fromhex(head5.root_hash),
        bytes.fromhex(document["tree_head"]["root_hash"]),
        [bytes.fromhex(p) for p in document["proof"]],
    )


def test_the_standalone_verifier_runs_as_a_script(
    log: DecisionLog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proof = tmp_path / "proof.json"
    proof.write_text(json.dumps(log.inclusion_proof(4)))
    key = base64.b64encode(log.signer.public_key).decode()
    assert main([str(proof), "--public-key", key]) == 0
    assert capsys.readouterr().out.strip() == "valid"
    proof.write_text(json.dumps({**log.inclusion_proof(4), "leaf_index": 4}))
    assert main([str(proof), "--public-key", key]) == 1


def test_a_batch_of_decisions_shares_one_signed_head(log: DecisionLog) -> None:
    entries = log.append(
        Decision(Kind.RULES_CHANGED, ACTOR, "rules", {"sha256": "ab" * 32}),
        Decision(Kind.LISTING_REMOVED, ACTOR, "listing:ZJ-2025-0001", {"on": "2025-03-01"}),
    )
    assert [e.seq for e in entries] == [N + 1, N + 2]
    assert entries[1].body["prev"] == entries[0].leaf_hash
    head = log.latest_head()
    assert head is not None
    assert head.tree_size == N + 2
    assert len(log.heads()) == N + 1
    assert verify(log).ok


def test_the_first_entry_chains_to_zeros_and_entries_are_canonical_json(
    log: DecisionLog,
) -> None:
    first = log.entry(1)
    assert first.body["prev"] == ZERO_HASH
    assert first.text == canonical(first.body)
    assert "王芳" in first.text  # UTF-8 as is, not \\u escapes
    with pytest.raises(InvalidInput, match="float"):
        log.append(Decision(Kind.LISTING_ADDED, ACTOR, "listing:x", {"amount": 1.5}))
    with pytest.raises(InvalidInput, match="kind"):
        log.append(Decision("Listing Added", ACTOR, "listing:x"))


def test_the_signing_key_is_private_to_its_owner(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    Signer(key)
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    os.chmod(key, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        Signer(key)


def test_a_changed_rules_file_is_put_on_record_once(log: DecisionLog, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("measures: []\n")
    decision = Decision(Kind.LISTING_ADDED, ACTOR, "listing:a", {})
    first = rec.record(log, decision, rules=rules)
    again = rec.record(log, decision, rules=rules)
    rules.write_text("measures: [changed]\n")
    changed = rec.record(log, decision, rules=rules)
    assert [e.kind for e in first] == ["rules.changed", "listing.added"]
    assert [e.kind for e in again] == ["listing.added"]
    assert [e.kind for e in changed] == ["rules.changed", "listing.added"]
    assert changed[0].body["data"]["sha256"] != first[0].body["data"]["sha256"]


def test_a_changed_evidence_file_is_named_by_its_entry(log: DecisionLog, tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence", max_bytes=1_000)
    stored = store.put([b"appraisal report ", b"JD-2025-118"], name="appraisal.pdf")
    (entry,) = rec.record(
        log,
        rec.evidence_added(
            ACTOR, "report:R1", stored, filename="appraisal.pdf", media_type="application/pdf"
        ),
    )
    assert verify(log, evidence_root=store.root).ok
    os.chmod(stored.path, 0o644)
    stored.path.write_bytes(b"appraisal report JD-2025-119")
    result = verify(log, evidence_root=store.root)
    assert only(result) == (Code.EVIDENCE_CHANGED, entry.seq)
    stored.path.unlink()
    assert only(verify(log, evidence_root=store.root)) == (Code.EVIDENCE_MISSING, entry.seq)


def test_evidence_is_stored_by_digest_once_and_limited_in_size(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence", max_bytes=10)
    a = store.put([b"0123456789"])
    b = store.put([b"01234", b"56789"])
    assert a.sha256 == b.sha256
    assert (a.new, b.new) == (True, False)
    assert store.get(a.sha256).read_bytes() == b"0123456789"
    assert a.path == tmp_path / "evidence" / "sha256" / a.sha256[:2] / a.sha256
    with pytest.raises(EvidenceTooLarge, match="10 bytes"):
        store.put([b"0123456789", b"!"], name="big.bin")
    assert list((tmp_path / "evidence" / "tmp").iterdir()) == []


def test_a_log_will_not_be_continued_under_another_key(log: DecisionLog, tmp_path: Path) -> None:
    log.close()
    with pytest.raises(ConfigError, match="restore the log's key file"):
        DecisionLog(log.path, Signer(tmp_path / "new.key"))
    with pytest.raises(ConfigError, match="no decision-log signing key"):
        Signer(tmp_path / "missing.key", create=False)
