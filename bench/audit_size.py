"""Audit trail size per million checks, and the durable writer's commit rate.

Writes the rows ``credgraph serve`` writes for one million checks into a fresh SQLite file
through :class:`api.audit.AuditLog` (the same code, group commit on), twice: as 1,000
batch requests of 1,000 subjects each (one audit row per request plus one subject row
per subject) and as one million single checks (one audit row each). Subjects are drawn
from a pool of businesses and people (``--pool``), as a platform's checks repeat. For
comparison it writes the batch case in the previous layout too (``audit_subjects``:
request id and subject text per row, indexed by subject).

    .venv/bin/python bench/audit_size.py --checks 1000000 --pool 200000

Prints JSON: bytes per million checks for each case, and rows/s.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.audit import AuditLog, AuditRecord  # noqa: E402

KEY = "bench-id-hash-key-0123456789"


def _pool(n: int, rng: random.Random) -> list[str]:
    people = [f"person:{rng.getrandbits(128):032x}" for _ in range(n // 4)]
    firms = [f"biz:91330106MA{rng.getrandbits(40):010X}"[:22] for _ in range(n - n // 4)]
    return people + firms


def _record(i: int, subjects: tuple[str, ...], subject: str | None) -> AuditRecord:
    return AuditRecord(
        request_id=f"{i:032x}",
        at=datetime.now(UTC).isoformat(timespec="milliseconds"),
        key_id="Y4M5RE5w",
        key_name="taobao",
        scope="platform",
        method="POST",
        path="/v1/restrictions/batch" if subjects else "/v1/restrictions/check",
        subject=f"batch:{len(subjects)}" if subjects else subject,
        status=200,
        duration_ms=12.5,
        client="127.0.0.1",
        subjects=subjects,
    )


def _size(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def batch_case(path: Path, checks: int, pool: list[str], rng: random.Random) -> dict[str, float]:
    log = AuditLog(path, key=KEY)
    started = time.perf_counter()
    for i in range(checks // 1000):
        log.record(_record(i, tuple(rng.choices(pool, k=1000)), None))
        if i % 20 == 19:
            log.flush()
    log.close()
    seconds = time.perf_counter() - started
    return {"bytes_per_million": _size(path) * 1e6 / checks, "subject_rows_per_s": checks / seconds}


def single_case(path: Path, checks: int, pool: list[str], rng: random.Random) -> dict[str, float]:
    log = AuditLog(path, key=KEY)
    started = time.perf_counter()
    for i in range(checks):
        log.record(_record(i, (), rng.choice(pool)))
        if i % 20_000 == 19_999:
            log.flush()
    log.close()
    seconds = time.perf_counter() - started
    return {"bytes_per_million": _size(path) * 1e6 / checks, "rows_per_s": checks / seconds}


def old_layout_case(path: Path, checks: int, pool: list[str], rng: random.Random) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE audit_subjects (request_id TEXT NOT NULL, subject TEXT NOT NULL)")
    conn.execute("CREATE INDEX audit_subjects_subject ON audit_subjects(subject)")
    for i in range(checks // 1000):
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO audit_subjects VALUES (?, ?)",
            [(f"{i:032x}", s) for s in rng.choices(pool, k=1000)],
        )
        conn.execute("COMMIT")
    conn.close()
    return _size(path) * 1e6 / checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checks", type=int, default=1_000_000)
    parser.add_argument("--pool", type=int, default=200_000)
    args = parser.parse_args()
    rng = random.Random(7)
    pool = _pool(args.pool, rng)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        report = {
            "checks": args.checks,
            "pool": args.pool,
            "batch_1000": batch_case(root / "batch.sqlite3", args.checks, pool, rng),
            "single": single_case(root / "single.sqlite3", args.checks, pool, rng),
            "old_layout_batch_bytes_per_million": old_layout_case(
                root / "old.sqlite3", args.checks, pool, rng
            ),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
