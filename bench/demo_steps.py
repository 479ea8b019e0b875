"""``credgraph demo`` with each step's wall time and peak RSS.

Usage::

    .venv/bin/python bench/demo_steps.py [--entities 20000] [--input DIR] [--gc default]

Runs the demo in this process (in the current directory's ``.credgraph``) and, on standard
error, prints a table: seconds and the highest RSS sampled (every 0.2 s) per step.
``--gc default`` keeps Python's garbage-collector thresholds instead of the ones every
entry point sets (``graph.memory.tune_garbage_collector``), to measure what they save.
"""

from __future__ import annotations

import argparse
import gc
import sys
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cli.main as cli  # noqa: E402
import graph.memory  # noqa: E402


def _rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--input", default=".credgraph/demo-input")
    parser.add_argument("--gc", choices=["tuned", "default"], default="tuned")
    args = parser.parse_args()
    if args.gc == "default":
        graph.memory.GC_THRESHOLDS = gc.get_threshold()  # what the CLI then sets
    peak = [0]
    marks: list[tuple[str, float, int]] = []
    title_now = ["start"]
    since = [time.perf_counter()]

    def sample() -> None:
        while True:
            peak[0] = max(peak[0], _rss_mb())
            time.sleep(0.2)

    threading.Thread(target=sample, daemon=True).start()
    rule = cli.console.rule

    def timed_rule(title: Any = "", *rest: Any, **options: Any) -> None:
        now = time.perf_counter()
        marks.append((title_now[0], now - since[0], peak[0]))
        peak[0] = _rss_mb()
        title_now[0], since[0] = str(title), now
        rule(title, *rest, **options)

    cli.console.rule = timed_rule  # type: ignore[method-assign]
    started = time.perf_counter()
    try:
        cli.app(["demo", "--entities", str(args.entities), "--input", args.input])
    except SystemExit:
        pass
    finally:
        marks.append((title_now[0], time.perf_counter() - since[0], peak[0]))
        for title, seconds, mb in marks:
            print(f"{seconds:7.2f} s {mb:6,d} MB  {title}", file=sys.stderr)
        print(f"{time.perf_counter() - started:7.2f} s total", file=sys.stderr)


if __name__ == "__main__":
    main()
