"""API figures: single check and 1,000-id batch against the framework ceiling.

Generates a market (``ingest.generate``), ingests it into a fresh embedded store and
propagates restrictions, then starts ``credgraph serve`` (uvicorn, one process, access log
off: the audit trail is on) on 127.0.0.1 with ``CREDGRAPH_BENCH_CEILING=1``, which adds
``GET /bench/ceiling`` (a constant JSON answer, no key, no audit) to the same app. The load
generator runs in a second process: ``wrk`` when installed (``apt-get install wrk``), else
a bounded asyncio + httpx client. Single checks rotate over the generated businesses.

    .venv/bin/python bench/api.py --entities 20000 --seconds 10

Prints a JSON report: requests/s and p50/p99 (ms) per scenario and the ratio of the single
check's throughput to the ceiling's.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's directory comes first on sys.path and its name would hide
# the ``api`` package: look in the project root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prepare(work: Path, entities: int) -> tuple[dict[str, str], list[str]]:
    """Generate, ingest and propagate; returns the server's environment and some USCCs."""
    from algorithms.propagation import service
    from api.security import KeyStore
    from graph.embedded_store import EmbeddedStore
    from ingest.generate import generate
    from ingest.pipeline import ingest_directory

    key = "bench-id-hash-key-0123456789"
    data = work / "input"
    started = time.perf_counter()
    generate(data, entities, 7)
    store = EmbeddedStore(work / "graph.lbdb", buffer_pool_mb=1024)
    store.create_schema()
    ingest_directory(store, data, id_hash_key=key, quarantine_dir=work / "q")
    report = service.propagate_store(store, full=True)
    store.close()
    print(
        f"prepared {entities:,} businesses in {time.perf_counter() - started:.0f} s "
        f"({report.imposed:,} restrictions)",
        file=sys.stderr,
    )
    with (data / "businesses.csv").open(encoding="utf-8") as handle:
        usccs = [row["business_id"] for row in csv.DictReader(handle)]
    keys = KeyStore(work / "api.sqlite3")
    token = keys.create("bench", "platform", rate=1e9, burst=1_000_000_000).token
    keys.close()
    env = {
        **os.environ,
        "CREDGRAPH_EMBEDDED_PATH": str(work / "graph.lbdb"),
        "CREDGRAPH_ID_HASH_KEY": key,
        "CREDGRAPH_STORE": "embedded",
        "CREDGRAPH_API_DB": str(work / "api.sqlite3"),
        "CREDGRAPH_BENCH_CEILING": "1",
        "BENCH_TOKEN": token,
    }
    return env, usccs


def _wrk(url: str, script: Path, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": pct("50"),
        "p99_ms": pct("99"),
        "non_2xx": float(errors.group(1)) if errors else 0.0,
    }


def _lua(token: str, method: str, paths: list[str], body: str | None) -> str:
    quoted = ",".join(json.dumps(p) for p in paths)
    body_line = f"wrk.body = {json.dumps(body)}" if body else ""
    return f"""
wrk.method = "{method}"
wrk.headers["X-API-Key"] = "{token}"
wrk.headers["Content-Type"] = "application/json"
{body_line}
local paths = {{{quoted}}}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
"""


async def _httpx_load(
    url: str, token: str, method: str, paths: list[str], body: str | None, seconds: int, conc: int
) -> dict[str, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    headers = {"X-API-Key": token, "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=url, headers=headers) as client:

        async def worker(offset: int) -> None:
            i = offset
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                await client.request(method, paths[i % len(paths)], content=body)
                latencies.append((time.perf_counter() - started) * 1000)
                i += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(conc)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[int(len(latencies) * 0.99)],
        "non_2xx": 0.0,
    }


def load(
    base: str,
    token: str,
    method: str,
    paths: list[str],
    body: str | None,
    seconds: int,
    connections: int,
    work: Path,
) -> dict[str, float]:
    """Drive one scenario from a second process (wrk) or, without wrk, this one."""
    if shutil.which("wrk"):
        script = work / f"s{abs(hash((method, paths[0], connections)))}.lua"
        script.write_text(_lua(token, method, paths, body))
        return _wrk(base + paths[0], script, seconds, connections)
    return asyncio.run(_httpx_load(base, token, method, paths, body, seconds, connections))


def main() -> None:
    """Run every scenario and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="alternating ceiling/check rounds")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="credgraph-bench-api-"))
    env, usccs = prepare(work, args.entities)
    token = env["BENCH_TOKEN"]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "credgraph"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=env,
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("the server did not become ready")
        singles = [f"/v1/restrictions/business/{u}" for u in usccs[:5_000]]
        batch_body = json.dumps({"items": [{"kind": "business", "id": u} for u in usccs[:1_000]]})
        headers = {"X-API-Key": token}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as warm:
            # Warm: snapshot built, every subject known (batches fill the existence cache).
            for start in range(0, len(singles), 1_000):
                items = [{"kind": "business", "id": u} for u in usccs[start : start + 1_000]]
                warm.post("/v1/restrictions/batch", json={"items": items}).raise_for_status()
        results: dict[str, Any] = {
            "entities": args.entities,
            "connections": args.connections,
            "seconds": args.seconds,
            "load_generator": "wrk" if shutil.which("wrk") else "httpx",
            "cpus": os.cpu_count(),
        }
        # The machine may be shared: alternate ceiling and check rounds, report medians.
        rounds: dict[str, list[dict[str, float]]] = {"ceiling": [], "single_check": []}
        for _ in range(args.rounds):
            rounds["ceiling"].append(
                load(
                    base,
                    token,
                    "GET",
                    ["/bench/ceiling"],
                    None,
                    args.seconds,
                    args.connections,
                    work,
                )
            )
            rounds["single_check"].append(
                load(base, token, "GET", singles, None, args.seconds, args.connections, work)
            )
        for name, runs in rounds.items():
            results[name] = {
                k: statistics.median(r[k] for r in runs) for k in ("rps", "p50_ms", "p99_ms")
            } | {"rps_rounds": [r["rps"] for r in runs]}
        results["batch_1000_c1"] = load(
            base, token, "POST", ["/v1/restrictions/batch"], batch_body, args.seconds, 1, work
        )
        results["batch_1000_c4"] = load(
            base, token, "POST", ["/v1/restrictions/batch"], batch_body, args.seconds, 4, work
        )
        results["single_vs_ceiling"] = round(
            results["single_check"]["rps"] / results["ceiling"]["rps"], 3
        )
        print(json.dumps(results, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
