"""LadybugDB ``COPY`` into a relationship table: in batches, or once from the same files.

Usage::

    .venv/bin/python bench/relcopy.py --rels 6000000 --batch 500000

Builds ``Account`` (rels / 3) and ``Ord`` (rels) nodes, then ``PLACED`` relationships from
random accounts to every order, written as Parquet batches; copies them batch by batch into
one fresh database and in one statement (a list of the same files) into another, printing
each batch's time and RSS, and the totals. The embedded store's ingest holds new
relationships until their file ends for this reason (``EmbeddedStore.hold_relationship_inserts``).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import ladybug
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def _rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def _database(root: Path, name: str, n_orders: int) -> tuple[ladybug.Database, ladybug.Connection]:
    db = ladybug.Database(str(root / name), buffer_pool_size=1 << 30)
    conn = ladybug.Connection(db)
    conn.execute("CREATE NODE TABLE Account(uid STRING PRIMARY KEY)")
    conn.execute("CREATE NODE TABLE Ord(uid STRING PRIMARY KEY)")
    conn.execute("CREATE REL TABLE PLACED(FROM Account TO Ord, rid STRING, first_seen TIMESTAMP)")
    for table, prefix, n in (("Account", "account", n_orders // 3), ("Ord", "order", n_orders)):
        for start in range(0, n, 1_000_000):
            ids = np.arange(start, min(n, start + 1_000_000))
            path = root / "nodes.parquet"
            pq.write_table(pa.table({"uid": [f"{prefix}:tb:{i:09d}" for i in ids]}), path)
            conn.execute(f"COPY {table} FROM '{path}'")
    return db, conn


def _batches(root: Path, n_orders: int, batch: int) -> list[Path]:
    rng = np.random.default_rng(1)
    seen = np.full(batch, np.datetime64("2025-01-01T00:00:00", "us"))
    files = []
    for start in range(0, n_orders, batch):
        ids = np.arange(start, min(n_orders, start + batch))
        acc = rng.integers(0, n_orders // 3, ids.size)
        table = pa.table(
            {
                "from": [f"account:tb:{a:09d}" for a in acc],
                "to": [f"order:tb:{i:09d}" for i in ids],
                "rid": [
                    f"PLACED:account:tb:{a:09d}->order:tb:{i:09d}"
                    for a, i in zip(acc, ids, strict=True)
                ],
                "first_seen": pa.array(seen[: ids.size]),
            }
        )
        path = root / f"rels-{start:010d}.parquet"
        pq.write_table(table, path)
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rels", type=int, default=6_000_000)
    parser.add_argument("--batch", type=int, default=500_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="relcopy-"))
    try:
        files = _batches(root, args.rels, args.batch)
        db, conn = _database(root, "batched.lbdb", args.rels)
        total = 0.0
        for k, path in enumerate(files, 1):
            started = time.perf_counter()
            conn.execute(f"COPY PLACED FROM '{path}'")
            took = time.perf_counter() - started
            total += took
            print(f"batch {k:3d}: {took:6.1f} s, RSS {_rss_mb():,} MB", flush=True)
        db.close()
        batched_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        db, conn = _database(root, "once.lbdb", args.rels)
        listed = "[" + ", ".join(f"'{p}'" for p in files) + "]"
        started = time.perf_counter()
        conn.execute(f"COPY PLACED FROM {listed}")
        once = time.perf_counter() - started
        db.close()
        print(f"| {args.rels:,} relationships | seconds | RSS after, MB |")
        print("|---|---:|---:|")
        print(f"| {len(files)} batches of {args.batch:,} | {total:.1f} | {batched_peak:,} (peak) |")
        print(f"| one COPY of the same files | {once:.1f} | {_rss_mb():,} |")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
