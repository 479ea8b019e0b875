"""``credgraph audit verify``: check the whole decision log offline, from its file alone.

Method, in order (docs/decision-log.md):

1. Entries, in ``seq`` order. For each: its text must parse, its recomputed leaf hash must
   equal the stored one and its ``kind``/``subject`` the indexed columns (else *edited*);
   the stored key must be the next number (else *removed*); the ``seq`` inside the text
   must be its position (a later position declaring it: *reordered*; an earlier one
   declaring the same: *inserted*; nobody: *removed*); its ``prev`` must be the previous
   entry's hash (it naming a later entry: *reordered*; the one before the previous:
   *inserted*; anything else: the previous entry was *edited* and its hash recomputed).
   The scan stops at the first problem: what follows would only echo it.
2. Tree heads, in order, over the leaf hashes recomputed in step 1: each must carry a valid
   Ed25519 signature by the log's key (else *forged*), sizes and times must not go back
   (else *out of order*), a head may not cover more entries than the log holds (else
   *truncated*: the first missing entry is named), and its root must equal the root of
   that many entries (else *mismatch*: the first entry after the last matching head is
   named). Entries no head covers were *inserted* outside the log.
3. Witnessed heads (an export another department holds) are checked the same way under
   the key pinned in the export: truncation of entries *and* heads, a rewritten history
   or a replaced key shows there.
4. Evidence: every ``evidence.added`` entry's file is hashed again (missing / changed).
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from api.ledger.log import ZERO_HASH, Kind, TreeHead, file_sha256, head_signed_by
from api.ledger.merkle import Frontier, tree_hash
from api.ledger.verify import key_id, leaf_hash
from graph.errors import NotFound

__all__ = ["Code", "Problem", "Verification", "WitnessedHeads", "verify_log"]


class Code(StrEnum):
    """What verification found."""

    EDITED = "entry_edited"
    REMOVED = "entry_removed"
    INSERTED = "entry_inserted"
    REORDERED = "entry_reordered"
    TRUNCATED = "log_truncated"
    HEAD_FORGED = "head_forged"
    HEAD_OUT_OF_ORDER = "head_out_of_order"
    HEAD_MISMATCH = "head_mismatch"
    KEY_CHANGED = "key_changed"
    EVIDENCE_MISSING = "evidence_missing"
    EVIDENCE_CHANGED = "evidence_changed"


_MESSAGES: dict[Code, tuple[str, str]] = {
    Code.EDITED: ("entry {entry} was edited{detail_en}", "第 {entry} 条记录被篡改{detail_zh}"),
    Code.REMOVED: ("entry {entry} was removed", "第 {entry} 条记录被删除"),
    Code.INSERTED: (
        "entry {entry} was inserted{detail_en}",
        "第 {entry} 条记录系事后插入{detail_zh}",
    ),
    Code.REORDERED: (
        "entry {entry} is out of order (position {entry} holds entry {found})",
        "第 {entry} 条记录顺序被调换（该位置存放的是第 {found} 条）",
    ),
    Code.TRUNCATED: (
        "the log was truncated: tree head #{head} covers {size} entries, the log holds "
        "{held}; entry {entry} onwards are missing",
        "日志被截断：第 {head} 号树头覆盖 {size} 条记录，日志仅余 {held} 条；自第 {entry} 条起缺失",
    ),
    Code.HEAD_FORGED: (
        "tree head #{head} is not signed by the log's key (forged or swapped)",
        "第 {head} 号树头并非由本日志密钥签名（伪造或被替换）",
    ),
    Code.HEAD_OUT_OF_ORDER: (
        "tree head #{head} goes back in size or time (heads swapped)",
        "第 {head} 号树头的规模或时间倒退（树头顺序被调换）",
    ),
    Code.HEAD_MISMATCH: (
        "tree head #{head} does not match the entries: entry {entry} or a later one up to "
        "{size} was changed",
        "第 {head} 号树头与记录不符：第 {entry} 至 {size} 条之间的记录被改动",
    ),
    Code.KEY_CHANGED: (
        "the log's signing key is not the key the witnessed heads were signed with",
        "日志签名密钥与见证方所存树头的签名密钥不一致",
    ),
    Code.EVIDENCE_MISSING: (
        "evidence {digest} (entry {entry}) is missing from the evidence store",
        "第 {entry} 条记录所登记的证据 {digest} 已不在证据库中",
    ),
    Code.EVIDENCE_CHANGED: (
        "evidence {digest} (entry {entry}) was changed: its bytes now hash to {found}",
        "第 {entry} 条记录所登记的证据 {digest} 已被改动（现摘要 {found}）",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One finding: a code, the entry and head it names, and parameters for the message."""

    code: Code
    entry: int | None = None
    head: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        """The finding in English (``en``) or Chinese (``zh``)."""
        en, zh = _MESSAGES[self.code]
        values = {"entry": self.entry, "head": self.head, "detail_en": "", "detail_zh": ""}
        values.update(self.params)
        return (zh if lang == "zh" else en).format(**values)

    def to_json(self) -> dict[str, Any]:
        """The finding with both messages."""
        return {
            "code": self.code.value,
            "entry": self.entry,
            "head": self.head,
            **{k: v for k, v in self.params.items() if not k.startswith("detail")},
            "message_en": self.message("en"),
            "message_zh": self.message("zh"),
        }


@dataclass(frozen=True)
class Verification:
    """The outcome: counts and findings (empty when the log holds)."""

    entries: int
    heads: int
    witnessed: int
    evidence: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Whether nothing was found."""
        return not self.problems

    @property
    def first_entry(self) -> int | None:
        """The earliest entry any finding names."""
        named = [p.entry for p in self.problems if p.entry is not None]
        return min(named) if named else None

    def to_json(self) -> dict[str, Any]:
        """The outcome as JSON."""
        return {
            "ok": self.ok,
            "entries": self.entries,
            "heads": self.heads,
            "witnessed_heads": self.witnessed,
            "evidence_files": self.evidence,
            "first_entry": self.first_entry,
            "problems": [p.to_json() for p in self.problems],
        }


@dataclass(frozen=True)
class WitnessedHeads:
    """Heads another department holds (``credgraph audit heads export``) and its key."""

    public_key: bytes
    heads: tuple[TreeHead, ...]

    @classmethod
    def load(cls, path: Path) -> WitnessedHeads:
        """Read an export file."""
        from api.ledger.log import head_from_json

        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            base64.b64decode(data["public_key"]),
            tuple(head_from_json(h) for h in data["tree_heads"]),
        )


@dataclass
class _Row:
    seq: int
    text: str
    stored_hash: str
    kind: str
    subject: str | None
    leaf: bytes
    body: dict[str, Any] | None


def _read(path: Path) -> tuple[list[_Row], list[TreeHead]]:
    if not path.exists():
        raise NotFound(f"{path}: no decision log here")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        raw = conn.execute(
            "SELECT seq, entry, leaf_hash, kind, subject FROM entries ORDER BY seq"
        ).fetchall()
        heads = [
            TreeHead(int(n), int(s), int(t), str(r), str(k), str(g))
            for n, s, t, r, k, g in conn.execute(
                "SELECT number, tree_size, timestamp, root_hash, key_id, signature"
                " FROM tree_heads ORDER BY number"
            )
        ]
    finally:
        conn.close()
    rows = []
    for seq, text, stored, kind, subject in raw:
        text = str(text)
        try:
            body = json.loads(text)
            if not isinstance(body, dict):
                body = None
        except ValueError:
            body = None
        rows.append(
            _Row(int(seq), text, str(stored), str(kind), subject, leaf_hash(text.encode()), body)
        )
    return rows, heads


def _check_entries(rows: Sequence[_Row]) -> Problem | None:
    by_hash = {r.leaf.hex(): i for i, r in enumerate(rows)}
    declared: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        if r.body is not None and isinstance(r.body.get("seq"), int):
            declared.setdefault(int(r.body["seq"]), []).append(i)
    referenced = {str(r.body.get("prev")) for r in rows if r.body is not None}
    prev = ZERO_HASH
    for i, r in enumerate(rows):
        position = i + 1
        body = r.body
        if (
            body is None
            or r.leaf.hex() != r.stored_hash
            or body.get("kind") != r.kind
            or body.get("subject") != r.subject
        ):
            return Problem(Code.EDITED, position)
        if r.seq != position:
            return Problem(Code.REMOVED, position)
        said = body.get("seq")
        if said != position:
            if isinstance(said, int) and said < position:
                # An extra entry came earlier: the one no successor chained to.
                for q in range(max(said, 1), position):
                    if rows[q - 1].leaf.hex() not in referenced:
                        return Problem(Code.INSERTED, q)
                return Problem(Code.INSERTED, position - 1)
            if any(j > i for j in declared.get(position, [])):
                return Problem(Code.REORDERED, position, params={"found": said})
            return Problem(Code.REMOVED, position)
        if body.get("prev") != prev:
            later = by_hash.get(str(body.get("prev")), -1)
            if later > i:
                return Problem(Code.REORDERED, position, params={"found": later + 1})
            if i >= 2 and body.get("prev") == rows[i - 2].leaf.hex():
                return Problem(Code.INSERTED, position - 1)
            return Problem(
                Code.EDITED,
                max(position - 1, 1),
                params={
                    "detail_en": f" (entry {position} recorded another hash for it)",
                    "detail_zh": f"（第 {position} 条记录所载其摘要与之不符）",
                },
            )
        prev = r.leaf.hex()
    return None


def _root_of(leaves: Sequence[bytes], size: int, cache: dict[int, bytes]) -> bytes:
    if size not in cache:
        cache[size] = tree_hash(leaves[:size])
    return cache[size]


def _prefix_roots(leaves: Sequence[bytes], sizes: Sequence[int]) -> dict[int, bytes]:
    """Roots of every prefix size asked for, in one pass with a frontier."""
    wanted = sorted({s for s in sizes if 0 <= s <= len(leaves)})
    frontier, roots = Frontier(), {}
    for size in wanted:
        while frontier.size < size:
            frontier.append(leaves[frontier.size])
        roots[size] = frontier.root()
    return roots


def _check_heads(
    heads: Sequence[TreeHead], leaves: Sequence[bytes], public_key: bytes
) -> list[Problem]:
    problems: list[Problem] = []
    roots = _prefix_roots(leaves, [h.tree_size for h in heads])
    kid = key_id(public_key)
    last: TreeHead | None = None
    matched = 0
    for h in heads:
        if h.key_id != kid or not head_signed_by(h, public_key):
            problems.append(Problem(Code.HEAD_FORGED, None, h.number))
            continue
        if last is not None and (h.tree_size < last.tree_size or h.timestamp < last.timestamp):
            problems.append(Problem(Code.HEAD_OUT_OF_ORDER, None, h.number))
            continue
        last = h
        if h.tree_size > len(leaves):
            problems.append(
                Problem(
                    Code.TRUNCATED,
                    len(leaves) + 1,
                    h.number,
                    {"size": h.tree_size, "held": len(leaves)},
                )
            )
            break
        if roots[h.tree_size].hex() != h.root_hash:
            problems.append(
                Problem(Code.HEAD_MISMATCH, matched + 1, h.number, {"size": h.tree_size})
            )
            break
        matched = h.tree_size
    covered = max((h.tree_size for h in heads), default=0)
    if not problems and len(leaves) > covered:
        problems.append(
            Problem(
                Code.INSERTED,
                covered + 1,
                params={
                    "detail_en": " (no signed tree head covers it)",
                    "detail_zh": "（无签名树头覆盖）",
                },
            )
        )
    return problems


def _check_witnessed(
    witnessed: WitnessedHeads, leaves: Sequence[bytes], public_key: bytes
) -> list[Problem]:
    problems: list[Problem] = []
    if witnessed.public_key != public_key:
        problems.append(Problem(Code.KEY_CHANGED))
    cache: dict[int, bytes] = {}
    matched = 0
    for h in sorted(witnessed.heads, key=lambda h: h.tree_size):
        if not head_signed_by(h, witnessed.public_key):
            problems.append(Problem(Code.HEAD_FORGED, None, h.number))
            continue
        if h.tree_size > len(leaves):
            problems.append(
                Problem(
                    Code.TRUNCATED,
                    len(leaves) + 1,
                    h.number,
                    {"size": h.tree_size, "held": len(leaves)},
                )
            )
            break
        if _root_of(leaves, h.tree_size, cache).hex() != h.root_hash:
            problems.append(
                Problem(Code.HEAD_MISMATCH, matched + 1, h.number, {"size": h.tree_size})
            )
            break
        matched = h.tree_size
    return problems


def _evidence_path(root: Path, digest: str) -> Path:
    return root / "sha256" / digest[:2] / digest


def _check_evidence(rows: Sequence[_Row], root: Path) -> tuple[int, list[Problem]]:
    problems: list[Problem] = []
    seen: dict[str, str | None] = {}
    for r in rows:
        if r.kind != Kind.EVIDENCE_ADDED or r.body is None:
            continue
        digest = str(r.body.get("data", {}).get("sha256", ""))
        if digest not in seen:
            path = _evidence_path(root, digest)
            seen[digest] = file_sha256(path) if path.is_file() else None
        found = seen[digest]
        if found is None:
            problems.append(Problem(Code.EVIDENCE_MISSING, r.seq, params={"digest": digest}))
        elif found != digest:
            problems.append(
                Problem(Code.EVIDENCE_CHANGED, r.seq, params={"digest": digest, "found": found})
            )
    return len(seen), problems


def verify_log(
    path: Path,
    public_key: bytes,
    *,
    evidence_root: Path | None = None,
    witnessed: WitnessedHeads | None = None,
) -> Verification:
    """Check the log file at ``path`` under ``public_key`` (raw 32 bytes); see the module
    docstring for the method. Reads the file read-only; needs no graph store."""
    rows, heads = _read(path)
    problems: list[Problem] = []
    first = _check_entries(rows)
    if first is not None:
        problems.append(first)
    leaves = [r.leaf for r in rows]
    problems.extend(_check_heads(heads, leaves, public_key))
    if witnessed is not None:
        problems.extend(_check_witnessed(witnessed, leaves, public_key))
    evidence = 0
    if evidence_root is not None:
        evidence, found = _check_evidence(rows, evidence_root)
        problems.extend(found)
    return Verification(
        entries=len(rows),
        heads=len(heads),
        witnessed=0 if witnessed is None else len(witnessed.heads),
        evidence=evidence,
        problems=tuple(problems),
    )
