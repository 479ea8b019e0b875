"""Embedded ingest of a generated input: wall time and peak RSS, with relationship inserts
held per file (the default) or copied batch by batch (``--no-hold``).

Usage::

    .venv/bin/python bench/ingest_memory.py --businesses 100000 --pool-mb 1024 [--no-hold]

The input is generated (seed 7) under ``--data`` unless it is there already; the store is a
fresh temporary database removed afterwards.
"""

from __future__ import annotations

import argparse
import gc
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.embedded_store import EmbeddedStore  # noqa: E402
from graph.memory import GC_THRESHOLDS, tune_garbage_collector  # noqa: E402
from ingest.generate import generate  # noqa: E402
from ingest.pipeline import ingest_directory  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data" / "bench-ingest"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument("--pool-mb", type=int, default=1024)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--no-hold", action="store_true", help="copy relationships per batch")
    parser.add_argument(
        "--gc",
        choices=["tuned", "default"],
        default="tuned",
        help="the collector thresholds every entry point sets, or Python's",
    )
    args = parser.parse_args()
    if args.gc == "tuned":
        tune_garbage_collector()
    source = args.data / f"input-{args.businesses}-s7"
    if not (source / "businesses.csv").exists():
        generate(source, args.businesses, 7)
    if args.no_hold:
        EmbeddedStore.hold_relationship_inserts = lambda self: False  # type: ignore[method-assign]
    work = Path(tempfile.mkdtemp(prefix="ingest-memory-", dir=args.data))
    try:
        with EmbeddedStore(work / "graph.lbdb", buffer_pool_mb=args.pool_mb) as store:
            started = time.perf_counter()
            report = ingest_directory(
                store, source, id_hash_key="k" * 32, quarantine_dir=work / "quarantine"
            )
            seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        mode = "per batch" if args.no_hold else "held per file"
        mode += f", gc {gc.get_threshold() if args.gc == 'default' else GC_THRESHOLDS}"
        print(
            f"{args.businesses:,} businesses, {report.read:,} rows, pool {args.pool_mb} MB, "
            f"relationships {mode}: {seconds:.1f} s, peak RSS {peak:,} MB"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
