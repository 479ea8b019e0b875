"""The decision log: hash-chained entries in an append-only SQLite file, signed tree heads.

Where it lives: ``decisions.sqlite3`` beside the API database in the data directory
(``Settings.decision_log_path``), not in the graph. The log is a record *about* the graph
(who decided what, when), it must survive a graph rebuild or re-ingest and read the same
whichever store backs the graph, and an auditor must be able to verify it from the file
alone, offline. Triggers refuse UPDATE and DELETE; they stop mistakes, not an attacker
with the file, which is what the hashes and signatures are for.

An entry is canonical JSON (sorted keys, no spaces, UTF-8)::

    {"v":1,"seq":7,"at":"…","kind":"listing.added","actor":{…},"subject":"listing:…",
     "data":{…},"prev":"<leaf hash of entry 6, hex>"}

``seq`` counts from 1 (leaf index + 1); ``prev`` chains each entry to the one before
(64 zeros for the first). Each entry is a leaf of an RFC 6962 Merkle tree, leaf hash
SHA-256(0x00 || entry). Every :meth:`DecisionLog.append` is one batch: its entries and a
new tree head signed with the log's Ed25519 key (``TreeHeadSignature`` of RFC 6962
section 3.5) commit in one transaction, so every entry is covered by a signed head.

:func:`verify_log` re-derives everything from the entry texts and names the first entry
that was edited, removed, inserted or reordered, a head that is forged, swapped or no
longer matches, a truncated log, and evidence files whose bytes changed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.ledger.merkle import Frontier, consistency_proof, inclusion_proof
from api.ledger.verify import key_id, leaf_hash, tree_head_message, verify_tree_head
from graph.config import Settings
from graph.errors import ConfigError, InvalidInput, NotFound

__all__ = [
    "ZERO_HASH",
    "Decision",
    "DecisionLog",
    "Entry",
    "Kind",
    "Signer",
    "TreeHead",
    "canonical",
    "decision_key_path",
    "decision_log_path",
    "evidence_dir",
    "file_sha256",
    "head_from_json",
    "head_signed_by",
]

ZERO_HASH = "0" * 64
ENTRY_VERSION = 1


class Kind(StrEnum):
    """What an entry records. New kinds are appended here (the log accepts any
    ``word.word`` kind; this list is what the product writes and the docs describe)."""

    LISTING_ADDED = "listing.added"
    LISTING_REMOVED = "listing.removed"
    LISTING_REPAIRED = "listing.repaired"
    RING_CONFIRMED = "ring.confirmed"
    RING_DISMISSED = "ring.dismissed"
    SHELL_CONFIRMED = "shell.confirmed"
    SHELL_DISMISSED = "shell.dismissed"
    REPORT_DECIDED = "report.decided"
    KEY_CREATED = "key.created"
    KEY_REVOKED = "key.revoked"
    RULES_CHANGED = "rules.changed"
    EVIDENCE_ADDED = "evidence.added"
    EXCHANGE_IMPORTED = "exchange.imported"
    CASE_TRANSFERRED = "case.transferred"
    CASE_ANSWERED = "case.answered"
    #: Reserved for the objection workflow (issue 18 item 1).
    OBJECTION_DECIDED = "objection.decided"
    #: Proportionate confirmation (api/approvals.py): a large action waits for a second officer.
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_APPROVED = "approval.approved"
    APPROVAL_REJECTED = "approval.rejected"


def decision_log_path(settings: Settings) -> Path:
    """The log file: ``Settings.decision_log_path`` or beside the embedded graph."""
    return settings.decision_log_path or settings.embedded_path.parent / "decisions.sqlite3"


def decision_key_path(settings: Settings) -> Path:
    """The signing key: ``Settings.decision_key_path`` or beside the log."""
    return settings.decision_key_path or decision_log_path(settings).parent / "decision-log.key"


def evidence_dir(settings: Settings) -> Path:
    """Where evidence files are kept: ``Settings.evidence_dir`` or beside the log."""
    return settings.evidence_dir or decision_log_path(settings).parent / "evidence"


def canonical(value: Mapping[str, Any]) -> str:
    """The one text of a JSON object that is hashed: sorted keys, no spaces, UTF-8 as is.

    Floats are refused (their text is not the same in every language); dates and
    numbers that are not integers go in as strings.
    """
    _no_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _no_floats(value: Any, where: str = "data") -> None:
    if isinstance(value, float):
        raise InvalidInput(f"{where} is a float; record it as a string", field=where)
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise InvalidInput(f"{where} has a non-text key {k!r}", field=where)
            _no_floats(v, f"{where}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _no_floats(v, f"{where}[{i}]")
    elif value is not None and not isinstance(value, str | int | bool):
        raise InvalidInput(f"{where} is a {type(value).__name__}, not JSON", field=where)


@dataclass(frozen=True)
class Decision:
    """A decision to record: what kind, who, about what, and its particulars."""

    kind: str
    actor: Mapping[str, Any]
    subject: str | None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Entry:
    """One stored entry: its canonical text is what the leaf hash covers."""

    seq: int
    text: str
    leaf_hash: str

    @property
    def body(self) -> dict[str, Any]:
        """The entry as a dict."""
        body: dict[str, Any] = json.loads(self.text)
        return body

    @property
    def kind(self) -> str:
        """The entry's kind."""
        return str(self.body["kind"])

    @property
    def subject(self) -> str | None:
        """The uid the decision is about."""
        subject = self.body.get("subject")
        return None if subject is None else str(subject)

    def to_json(self) -> dict[str, Any]:
        """The entry for people and programs: its fields plus its text and hash."""
        return {**self.body, "leaf_hash": self.leaf_hash, "entry": self.text}


@dataclass(frozen=True)
class TreeHead:
    """A signed tree head (STH): the root of the first ``tree_size`` entries."""

    number: int
    tree_size: int
    timestamp: int
    root_hash: str
    key_id: str
    signature: str

    def to_json(self, public_key: bytes | None = None) -> dict[str, Any]:
        """The head as JSON; with ``public_key``, the key a witness pins (base64)."""
        out: dict[str, Any] = {
            "number": self.number,
            "tree_size": self.tree_size,
            "timestamp": self.timestamp,
            "time": datetime.fromtimestamp(self.timestamp / 1000, UTC).isoformat(
                timespec="milliseconds"
            ),
            "root_hash": self.root_hash,
            "key_id": self.key_id,
            "signature": self.signature,
        }
        if public_key is not None:
            out["public_key"] = base64.b64encode(public_key).decode()
        return out


class Signer:
    """The log's Ed25519 key, kept in a PKCS#8 PEM file readable by its owner only (0600).

    Created on first use; a key file that group or others can read is refused (as ssh
    refuses such a private key).
    """

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if not path.exists():
            if not create:
                raise ConfigError(f"{path}: no decision-log signing key here")
            self._create(path)
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(
                f"{path}: the decision-log signing key is readable by others "
                f"(mode {mode:o}); chmod 600 it"
            )
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except ValueError as exc:
            raise ConfigError(f"{path}: not a PEM private key: {exc}") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError(f"{path}: not an Ed25519 key")
        self._key = key
        self.public_key = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.key_id = key_id(self.public_key)

    @staticmethod
    def _create(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return  # another process made it a moment ago
        with os.fdopen(fd, "wb") as f:
            f.write(pem)

    def sign(self, timestamp: int, tree_size: int, root: bytes) -> str:
        """Base64 Ed25519 signature over the RFC 6962 tree head structure."""
        signature = self._key.sign(tree_head_message(timestamp, tree_size, root))
        return base64.b64encode(signature).decode()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    entry TEXT NOT NULL,
    leaf_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT
);
CREATE INDEX IF NOT EXISTS entries_subject ON entries(subject, seq);
CREATE INDEX IF NOT EXISTS entries_kind ON entries(kind, seq);
CREATE TABLE IF NOT EXISTS tree_heads (
    number INTEGER PRIMARY KEY,
    tree_size INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    root_hash TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    frontier TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS heads_no_update BEFORE UPDATE ON tree_heads
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS heads_no_delete BEFORE DELETE ON tree_heads
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
"""

_KIND_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz_.")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class DecisionLog:
    """Append decisions, read entries and tree heads, make proofs (thread-safe; several
    processes may append to one file: each batch takes SQLite's write lock first)."""

    def __init__(self, path: Path, signer: Signer) -> None:
        self.path = path
        self.signer = signer
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=30
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()
        last = self._conn.execute(
            "SELECT key_id FROM tree_heads ORDER BY number DESC LIMIT 1"
        ).fetchone()
        if last is not None and last[0] != signer.key_id:
            self._conn.close()
            raise ConfigError(
                f"{path}: its tree heads are signed by key {last[0][:16]}…, not by "
                f"{signer.path} ({signer.key_id[:16]}…); restore the log's key file"
            )

    @classmethod
    def open(cls, settings: Settings) -> DecisionLog:
        """The log and key the settings name."""
        return cls(decision_log_path(settings), Signer(decision_key_path(settings)))

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # -- writing ------------------------------------------------------------------------------
    def append(self, *decisions: Decision) -> list[Entry]:
        """Append ``decisions`` as one batch and sign the new tree head; returns the entries."""
        if not decisions:
            return []
        for d in decisions:
            if not d.kind or not set(d.kind) <= _KIND_CHARS or "." not in d.kind:
                raise InvalidInput(f"{d.kind!r} is not an entry kind (word.word)", field="kind")
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        written: list[Entry] = []
        with self._write() as conn:
            frontier, last_seq, prev = self._tail(conn)
            for d in decisions:
                last_seq += 1
                text = canonical(
                    {
                        "v": ENTRY_VERSION,
                        "seq": last_seq,
                        "at": at,
                        "kind": d.kind,
                        "actor": dict(d.actor),
                        "subject": d.subject,
                        "data": dict(d.data),
                        "prev": prev,
                    }
                )
                leaf = leaf_hash(text.encode("utf-8"))
                prev = leaf.hex()
                frontier.append(leaf)
                conn.execute(
                    "INSERT INTO entries (seq, entry, leaf_hash, kind, subject)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (last_seq, text, prev, d.kind, d.subject),
                )
                written.append(Entry(last_seq, text, prev))
            stamp = max(_now_ms(), self._last_timestamp(conn))
            root = frontier.root()
            conn.execute(
                "INSERT INTO tree_heads (tree_size, timestamp, root_hash, key_id, signature,"
                " frontier) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    frontier.size,
                    stamp,
                    root.hex(),
                    self.signer.key_id,
                    self.signer.sign(stamp, frontier.size, root),
                    json.dumps(frontier.to_json()),
                ),
            )
        return written

    def _tail(self, conn: sqlite3.Connection) -> tuple[Frontier, int, str]:
        """The frontier, last seq and last leaf hash, from the latest head (rebuilt from
        the leaves when the head does not cover every entry)."""
        row = conn.execute(
            "SELECT seq, leaf_hash FROM entries ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        last_seq, prev = (int(row[0]), str(row[1])) if row else (0, ZERO_HASH)
        head = conn.execute(
            "SELECT tree_size, frontier FROM tree_heads ORDER BY number DESC LIMIT 1"
        ).fetchone()
        if head is not None and int(head[0]) == last_seq:
            return Frontier.from_json(json.loads(head[1])), last_seq, prev
        frontier = Frontier()
        for (h,) in conn.execute("SELECT leaf_hash FROM entries ORDER BY seq"):
            frontier.append(bytes.fromhex(h))
        return frontier, last_seq, prev

    @staticmethod
    def _last_timestamp(conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT max(timestamp) FROM tree_heads").fetchone()
        return int(row[0] or 0)

    # -- reading ------------------------------------------------------------------------------
    def size(self) -> int:
        """How many entries the log holds."""
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM entries").fetchone()[0])

    def entry(self, seq: int) -> Entry:
        """Entry ``seq`` (from 1)."""
        if not 0 < seq < 2**63:
            raise NotFound(f"no decision {seq} in the log")
        with self._lock:
            row = self._conn.execute(
                "SELECT seq, entry, leaf_hash FROM entries WHERE seq = ?", (seq,)
            ).fetchone()
        if row is None:
            raise NotFound(f"no decision {seq} in the log")
        return Entry(int(row[0]), str(row[1]), str(row[2]))

    def entries(
        self,
        *,
        subject: str | None = None,
        kind: str | None = None,
        after: int = 0,
        limit: int = 100,
    ) -> list[Entry]:
        """Entries after ``after``, oldest first, about ``subject`` / of ``kind``."""
        after, limit = min(max(after, 0), 2**63 - 1), min(max(limit, 0), 2**63 - 1)
        where: list[str] = ["seq > ?"]
        params: list[int | str] = [after]
        if subject is not None:
            where.append("subject = ?")
            params.append(subject)
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        params.append(limit)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT seq, entry, leaf_hash FROM entries WHERE {' AND '.join(where)}"
                " ORDER BY seq LIMIT ?",
                params,
            ).fetchall()
        return [Entry(int(s), str(t), str(h)) for s, t, h in rows]

    def last(self, kind: str) -> Entry | None:
        """The newest entry of ``kind``."""
        with self._lock:
            row = self._conn.execute(
                "SELECT seq, entry, leaf_hash FROM entries WHERE kind = ? ORDER BY seq DESC"
                " LIMIT 1",
                (kind,),
            ).fetchone()
        return None if row is None else Entry(int(row[0]), str(row[1]), str(row[2]))

    def evidence(self, *, target: str | None = None, sha256: str | None = None) -> list[Entry]:
        """``evidence.added`` entries for a violation or report, or for one file."""
        where: list[str] = ["kind = ?"]
        params: list[str] = [Kind.EVIDENCE_ADDED.value]
        if target is not None:
            where.append("subject = ?")
            params.append(target)
        if sha256 is not None:
            where.append("json_extract(entry, '$.data.sha256') = ?")
            params.append(sha256)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT seq, entry, leaf_hash FROM entries WHERE {' AND '.join(where)}"
                " ORDER BY seq",
                params,
            ).fetchall()
        return [Entry(int(s), str(t), str(h)) for s, t, h in rows]

    def heads(self, *, after: int = 0, limit: int = 1_000) -> list[TreeHead]:
        """Signed tree heads after head number ``after``, oldest first."""
        after, limit = min(max(after, 0), 2**63 - 1), min(max(limit, 0), 2**63 - 1)
        with self._lock:
            rows = self._conn.execute(
                "SELECT number, tree_size, timestamp, root_hash, key_id, signature"
                " FROM tree_heads WHERE number > ? ORDER BY number LIMIT ?",
                (after, limit),
            ).fetchall()
        return [_head(r) for r in rows]

    def latest_head(self) -> TreeHead | None:
        """The newest signed tree head, None for an empty log."""
        with self._lock:
            row = self._conn.execute(
                "SELECT number, tree_size, timestamp, root_hash, key_id, signature"
                " FROM tree_heads ORDER BY number DESC LIMIT 1"
            ).fetchone()
        return None if row is None else _head(row)

    def head_of_size(self, tree_size: int) -> TreeHead:
        """The (first) signed head of exactly ``tree_size`` entries."""
        if not 0 < tree_size < 2**63:
            raise NotFound(f"no signed tree head of size {tree_size}")
        with self._lock:
            row = self._conn.execute(
                "SELECT number, tree_size, timestamp, root_hash, key_id, signature"
                " FROM tree_heads WHERE tree_size = ? ORDER BY number LIMIT 1",
                (tree_size,),
            ).fetchone()
        if row is None:
            raise NotFound(f"no signed tree head of size {tree_size}")
        return _head(row)

    def _leaves(self, n: int) -> list[bytes]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT leaf_hash FROM entries WHERE seq <= ? ORDER BY seq", (n,)
            ).fetchall()
        return [bytes.fromhex(r[0]) for r in rows]

    def inclusion_proof(self, seq: int, tree_size: int | None = None) -> dict[str, Any]:
        """The proof (JSON) that decision ``seq`` is in the tree of a signed head.

        Against the latest head by default, or the head of ``tree_size`` entries (one a
        platform already holds).
        """
        entry = self.entry(seq)
        head = self.latest_head() if tree_size is None else self.head_of_size(tree_size)
        if head is None or head.tree_size < seq:
            raise NotFound(f"decision {seq} is not covered by a signed tree head yet")
        leaves = self._leaves(head.tree_size)
        path = inclusion_proof(leaves, seq - 1)
        return {
            "format": "credgraph-inclusion-proof/1",
            "seq": seq,
            "leaf_index": seq - 1,
            "entry": entry.text,
            "leaf_hash": entry.leaf_hash,
            "audit_path": [p.hex() for p in path],
            "tree_head": head.to_json(self.signer.public_key),
        }

    def consistency_proof(self, first: int, second: int | None = None) -> dict[str, Any]:
        """The proof (JSON) that the tree of ``second`` entries extends that of ``first``."""
        head = self.latest_head() if second is None else self.head_of_size(second)
        if head is None:
            raise NotFound("the log is empty")
        if not 0 <= first <= head.tree_size:
            raise InvalidInput(
                f"first size {first} is not within 0..{head.tree_size}", field="first"
            )
        leaves = self._leaves(head.tree_size)
        return {
            "format": "credgraph-consistency-proof/1",
            "first": first,
            "second": head.tree_size,
            "proof": [p.hex() for p in consistency_proof(leaves, first)],
            "tree_head": head.to_json(self.signer.public_key),
        }


def _head(row: Sequence[Any]) -> TreeHead:
    number, size, stamp, root, kid, signature = row
    return TreeHead(int(number), int(size), int(stamp), str(root), str(kid), str(signature))


def head_from_json(data: Mapping[str, Any]) -> TreeHead:
    """A tree head read back from JSON (an export a witness holds)."""
    try:
        return TreeHead(
            int(data.get("number", 0)),
            int(data["tree_size"]),
            int(data["timestamp"]),
            str(data["root_hash"]),
            str(data.get("key_id", "")),
            str(data["signature"]),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidInput(f"not a tree head: {exc}", field="tree_head") from exc


def head_signed_by(head: TreeHead, public_key: bytes) -> bool:
    """Whether ``head``'s signature holds under ``public_key``."""
    return verify_tree_head(head.to_json(), public_key)


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
