"""Memory of batches handed to LadybugDB: Arrow parameters, Parquet files, and reopening.

Each mode runs in its own process: ``--batches`` COPYs of ``--rows`` businesses into a
fresh database (a probe ``LOAD FROM`` before each, as ingest does), then prints the
process's resident memory split into the main heap and anonymous mappings (where the
buffer pool lives), and Arrow's live allocations.

- ``arrow``: the batch as an Arrow table parameter (``COPY T FROM $rows``), as the store
  did before: LadybugDB 0.22 never releases the table and keeps the pool pages its scan used.
- ``parquet``: the batch as a Parquet file, one session: nothing leaks, but the engine
  holds some memory per row written until the database closes.
- ``store``: ``EmbeddedStore.upsert_nodes`` as it is (Parquet files, reopening the
  database every ``reopen_after_rows``).

    .venv/bin/python bench/spool.py --rows 50000 --batches 40
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODES = ("arrow", "parquet", "store")


def _memory() -> dict[str, int]:
    heap = anon = rss = 0
    mapping = None
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            parts = line.split()
            if "-" in parts[0] and not parts[0].endswith(":"):
                mapping = parts[5] if len(parts) > 5 else ""
            elif parts[0] == "Rss:":
                kb = int(parts[1])
                rss += kb
                heap += kb if mapping == "[heap]" else 0
                anon += kb if mapping == "" else 0
    return {"rss_mb": rss // 1024, "heap_mb": heap // 1024, "anon_mb": anon // 1024}


def run_mode(mode: str, rows: int, batches: int, pool_mb: int) -> dict[str, Any]:
    """One mode in this process; returns its memory after the last batch."""
    sys.path.insert(0, str(ROOT))
    import ladybug
    import pyarrow as pa
    import pyarrow.parquet as pq

    from graph.embedded_store import EmbeddedStore

    directory = Path(tempfile.mkdtemp(prefix="spool-bench-"))
    started = time.perf_counter()
    if mode == "store":
        store = EmbeddedStore(directory / "g.lbdb", buffer_pool_mb=pool_mb)
        store.create_schema()
        for b in range(batches):
            batch = [
                {"uid": f"biz:{b}-{i}", "name": f"公司{b}-{i}", "region": "330100"}
                for i in range(rows)
            ]
            store.upsert_nodes("Business", batch)
    else:
        db = ladybug.Database(str(directory / "g.lbdb"), buffer_pool_size=pool_mb * 2**20)
        conn = ladybug.Connection(db)
        conn.execute("CREATE NODE TABLE T(uid STRING, name STRING, PRIMARY KEY(uid))")
        for b in range(batches):
            table = pa.table(
                {
                    "uid": [f"biz:{b}-{i}" for i in range(rows)],
                    "name": [f"公司{b}-{i}" for i in range(rows)],
                }
            )
            if mode == "arrow":
                statements = [
                    ("LOAD FROM $rows MATCH (n:T {uid: uid}) RETURN n.uid", {"rows": table}),
                    ("COPY T FROM $rows", {"rows": table}),
                ]
            else:
                path = directory / "batch.parquet"
                pq.write_table(table, path, compression="none")
                statements = [
                    (f"LOAD FROM '{path}' MATCH (n:T {{uid: uid}}) RETURN n.uid", {}),
                    (f"COPY T FROM '{path}'", {}),
                ]
            for query, params in statements:
                result = conn.execute(query, params)
                for each in result if isinstance(result, list) else [result]:
                    each.close()
    seconds = time.perf_counter() - started
    memory = _memory()
    shutil.rmtree(directory, ignore_errors=True)
    return {
        "mode": mode,
        "rows": rows * batches,
        "seconds": round(seconds, 1),
        **memory,
        "arrow_live_mb": pa.total_allocated_bytes() // 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--pool-mb", type=int, default=1024)
    parser.add_argument("--mode", choices=MODES, help="run one mode here (used internally)")
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(run_mode(args.mode, args.rows, args.batches, args.pool_mb)))
        return
    print(f"{'mode':8} {'rows':>10} {'s':>6} {'RSS MB':>7} {'heap MB':>8} {'anon MB':>8} arrow MB")
    for mode in MODES:
        command = [sys.executable, __file__, "--mode", mode, "--rows", str(args.rows)]
        command += ["--batches", str(args.batches), "--pool-mb", str(args.pool_mb)]
        out = subprocess.run(command, capture_output=True, text=True, check=False)
        if out.returncode:
            print(f"{mode:8} failed: {out.stderr.strip().splitlines()[-1]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['mode']:8} {r['rows']:>10} {r['seconds']:>6} {r['rss_mb']:>7} "
            f"{r['heap_mb']:>8} {r['anon_mb']:>8} {r['arrow_live_mb']:>8}"
        )


if __name__ == "__main__":
    main()
