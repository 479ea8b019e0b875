"""API figures: single checks and 1,000-id batches, cold and warm, against the framework ceiling.

Generates a market (``ingest.generate``), ingests it into a fresh embedded store and
propagates restrictions, then starts ``credgraph serve`` (uvicorn, one process, access log
off: the audit trail is on) on 127.0.0.1 with ``CREDGRAPH_BENCH_CEILING=1``, which adds
``GET /bench/ceiling`` (a constant JSON answer, no key, no audit) to the same app. The load
generator is a bounded asyncio + httpx client in this (second) process; the ceiling is
measured with the same client, so the ratio compares like with like.

What is asked: ids drawn at random from the whole generated population: mostly known
businesses (any of them, so some restricted), plus a share of businesses with a
restriction in force and a share of well-formed USCCs that are not on record (answered
404). Every request of a *cold* run asks an id not asked before since the server started
(no answer, existence or uid cache can help); the *warm* run then asks the same ids again
(everything cached). Batches are 1,000 ids drawn the same way, a different body each time.
Each scenario sends a fixed number of requests and reports every status it got; a non-2xx
answer other than 404 for an unknown id is counted as ``unexpected``.

    .venv/bin/python bench/api.py --entities 20000 --requests 4000

Prints a JSON report: requests/s, p50/p99 (ms) and status counts per scenario, and the
ratio of the warm and cold single checks' throughput to the ceiling's.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
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


@dataclass(frozen=True)
class Population:
    """Who may be asked about: every generated business, the restricted ones, made-up ones."""

    known: list[str]
    restricted: list[str]
    unknown: list[str]


def _unknown_usccs(known: set[str], n: int, seed: int) -> list[str]:
    """Well-formed USCCs (valid check digit) that are not on record."""
    from stdnum.cn import uscc

    rng = random.Random(seed)
    base = sorted(known)
    out: set[str] = set()
    while len(out) < n:
        chars = list(rng.choice(base)[:17])
        for i in rng.sample(range(10, 16), 2):
            chars[i] = rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY")
        body = "".join(chars)
        candidate = body + uscc.calc_check_digit(body)
        if candidate not in known and uscc.is_valid(candidate):
            out.add(candidate)
    return sorted(out)


def prepare(work: Path, entities: int) -> tuple[dict[str, str], Population]:
    """Generate, ingest and propagate; returns the server's environment and the population."""
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
    today = date.today()
    restricted_uids = {
        r.subject_uid for r in service.current_restrictions(store) if r.in_force(today)
    }
    store.close()
    print(
        f"prepared {entities:,} businesses in {time.perf_counter() - started:.0f} s "
        f"({report.imposed:,} restrictions)",
        file=sys.stderr,
    )
    with (data / "businesses.csv").open(encoding="utf-8") as handle:
        usccs = [row["business_id"] for row in csv.DictReader(handle)]
    usccs = [u for u in usccs if ":" not in u]  # mainland USCCs (the check's path format)
    restricted = [u for u in usccs if f"biz:{u}" in restricted_uids]
    population = Population(usccs, restricted, _unknown_usccs(set(usccs), len(usccs) // 4, 11))
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
    return env, population


class Draw:
    """Ids drawn without replacement: each id is handed out once, so a cold run stays cold."""

    def __init__(self, population: Population, unknown_share: float, restricted_share: float):
        self.rng = random.Random(7)
        self.known = population.known[:]
        self.restricted = population.restricted[:]
        self.unknown = population.unknown[:]
        for pool in (self.known, self.restricted, self.unknown):
            self.rng.shuffle(pool)
        self.used: set[str] = set()
        self.asked = {"known": 0, "restricted": 0, "unknown": 0}
        self.unknown_share = unknown_share
        self.restricted_share = restricted_share

    def _take(self, pool: list[str]) -> str:
        while pool:
            uid = pool.pop()
            if uid not in self.used:
                self.used.add(uid)
                return uid
        raise RuntimeError("the population is used up: raise --entities or lower --requests")

    def take(self) -> tuple[str, bool]:
        """One fresh id and whether it is on record."""
        roll = self.rng.random()
        if roll < self.unknown_share:
            self.asked["unknown"] += 1
            return self._take(self.unknown), False
        # Restricted businesses are few in a small market: once each was asked, known ones
        # stand in (the report gives the counts actually asked).
        while self.restricted and self.restricted[-1] in self.used:
            self.restricted.pop()  # already asked through the known pool
        if roll < self.unknown_share + self.restricted_share and self.restricted:
            self.asked["restricted"] += 1
            return self._take(self.restricted), True
        self.asked["known"] += 1
        return self._take(self.known), True


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    #: Status that counts as expected besides 2xx (404 for an id not on record).
    expected: int | None = None
    #: For batches: how many ids in the body are not on record.
    not_found: int = 0


async def _run(url: str, token: str, requests: list[Request], conc: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    unexpected = 0
    mismatched = 0
    queue = iter(enumerate(requests))
    headers = {"X-API-Key": token, "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=120) as c:

        async def worker() -> None:
            nonlocal unexpected, mismatched
            for _, req in queue:
                started = time.perf_counter()
                response = await c.request(req.method, req.path, content=req.body)
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[response.status_code] += 1
                ok = response.is_success or response.status_code == req.expected
                unexpected += not ok
                if ok and req.body is not None and req.path.endswith("/batch"):
                    mismatched += response.json()["not_found"] != req.not_found

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(conc)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2], 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
        "status": {str(k): v for k, v in sorted(statuses.items())},
        "non_2xx": sum(v for k, v in statuses.items() if not 200 <= k < 300),
        "unexpected": unexpected,
        "batch_not_found_mismatches": mismatched,
    }


def run(url: str, token: str, requests: list[Request], conc: int) -> dict[str, Any]:
    """Send ``requests`` once each over ``conc`` connections; latency and status counts."""
    return asyncio.run(_run(url, token, requests, conc))


def singles(draw: Draw, n: int) -> list[Request]:
    out = []
    for _ in range(n):
        uscc, known = draw.take()
        out.append(
            Request("GET", f"/v1/restrictions/business/{uscc}", None, None if known else 404)
        )
    return out


def batches(draw: Draw, n: int, size: int = 1_000) -> list[Request]:
    out = []
    for _ in range(n):
        items, missing = [], 0
        for _ in range(size):
            uscc, known = draw.take()
            items.append({"kind": "business", "id": uscc})
            missing += not known
        body = json.dumps({"items": items}).encode()
        out.append(Request("POST", "/v1/restrictions/batch", body, None, missing))
    return out


def main() -> None:
    """Run every scenario and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=4_000, help="single checks per run")
    parser.add_argument("--batches", type=int, default=4, help="1,000-id batches per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--unknown-share", type=float, default=0.1)
    parser.add_argument("--restricted-share", type=float, default=0.1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="credgraph-bench-api-"))
    env, population = prepare(work, args.entities)
    token = env["BENCH_TOKEN"]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [sys.executable, "-c", "from cli.main import run; run()", "serve"]
    server = subprocess.Popen(
        [*serve, "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
        env={**env, "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])},
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=(work / "server.log").open("wb"),  # a file: a full pipe would stall the server
    )
    try:
        ready_by = time.monotonic() + 300  # a loaded machine starts slowly
        while time.monotonic() < ready_by:
            if server.poll() is not None:
                log = (work / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the server stopped: {log}")
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("the server did not become ready")
        draw = Draw(population, args.unknown_share, args.restricted_share)
        single = singles(draw, args.requests)
        batch_c1, batch_c4 = batches(draw, args.batches), batches(draw, args.batches)
        ceiling = [Request("GET", "/bench/ceiling")] * args.requests
        results: dict[str, Any] = {
            "entities": args.entities,
            "population": {
                "known": len(population.known),
                "restricted": len(population.restricted),
                "unknown": len(population.unknown),
            },
            "asked": {
                "single_checks": len(single),
                "batch_ids": 1_000 * 2 * args.batches,
                "drawn_from": dict(draw.asked),  # over singles and batches
            },
            "connections": args.connections,
            "load_generator": "httpx (asyncio), one process",
            "cpus": os.cpu_count(),
        }
        # Cold first: the very first request also builds the restriction snapshot.
        results["single_check_cold"] = run(base, token, single, args.connections)
        results["batch_1000_c1_cold"] = run(base, token, batch_c1, 1)
        results["batch_1000_c4_cold"] = run(base, token, batch_c4, 4)
        results["ceiling"] = run(base, token, ceiling, args.connections)
        results["single_check_warm"] = run(base, token, single, args.connections)
        results["batch_1000_c1_warm"] = run(base, token, batch_c1, 1)
        results["batch_1000_c4_warm"] = run(base, token, batch_c4, 4)
        for temp in ("cold", "warm"):
            results[f"single_{temp}_vs_ceiling"] = round(
                results[f"single_check_{temp}"]["rps"] / results["ceiling"]["rps"], 3
            )
        print(json.dumps(results, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
