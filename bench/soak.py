"""Soak: single checks at 80% of the measured maximum, with listing writes and webhooks.

Prepares a market like ``bench/api.py`` (generate, ingest, propagate), starts
``credgraph serve`` on 127.0.0.1 (access log off, audit trail on and durable, webhook
delivery on) and a local webhook receiver, registers it with a platform key, then:

1. measures the maximum single-check rate for ``--probe-seconds`` (closed loop,
   ``--connections`` workers);
2. runs ``--minutes`` at ``--load`` (default 0.8) of that rate, open loop (requests
   are started on a fixed schedule, so a slow server shows as latency, not as fewer
   requests), while an officer key adds a listing and later removes it every
   ``--write-every`` seconds (each one imposes and lifts restrictions: feed events,
   hence webhook deliveries);
3. every ``--sample-seconds`` prints one JSON line: requests, errors (non-2xx and
   transport errors), p50/p99 of the window, the server's RSS, listing writes and
   webhook deliveries received so far.

    .venv/bin/python bench/soak.py --entities 5000 --minutes 10

The final line is a summary (RSS first and last sample and its slope per minute over
the second half of the run).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api import _free_port, prepare  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class _Receiver(BaseHTTPRequestHandler):
    deliveries = 0
    events = 0

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        with contextlib.suppress(ValueError, AttributeError):
            _Receiver.events += len(json.loads(body).get("events", []))
        _Receiver.deliveries += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature
        return


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _probe(
    base: str, headers: dict[str, str], paths: list[str], seconds: float, conc: int
) -> float:
    done = 0
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:

        async def worker(k: int) -> None:
            nonlocal done
            i = k
            while time.perf_counter() < deadline:
                await client.get(paths[i % len(paths)])
                done += 1
                i += conc

        started = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(conc)))
        return done / (time.perf_counter() - started)


class _Window:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.total_errors = 0
        self.total = 0

    def take(self) -> tuple[list[float], int]:
        lat, err = self.latencies, self.errors
        self.latencies, self.errors = [], 0
        return sorted(lat), err


async def _soak(
    base: str,
    platform: dict[str, str],
    officer: dict[str, str],
    paths: list[str],
    usccs: list[str],
    rate: float,
    args: argparse.Namespace,
    server_pid: int,
) -> dict[str, Any]:
    window = _Window()
    writes = 0
    samples: list[dict[str, Any]] = []
    started = time.perf_counter()
    end = started + args.minutes * 60
    limit = asyncio.Semaphore(args.max_in_flight)
    async with (
        httpx.AsyncClient(base_url=base, headers=platform, timeout=30) as client,
        httpx.AsyncClient(base_url=base, headers=officer, timeout=120) as officer_client,
    ):

        async def one(path: str) -> None:
            async with limit:
                t0 = time.perf_counter()
                try:
                    r = await client.get(path)
                    if r.status_code >= 300:
                        window.errors += 1
                except httpx.HTTPError:
                    window.errors += 1
                window.latencies.append((time.perf_counter() - t0) * 1000)
                window.total += 1

        async def writer() -> None:
            nonlocal writes
            n = 0
            while True:
                await asyncio.sleep(max(0.0, min(args.write_every, end - time.perf_counter())))
                if time.perf_counter() >= end:
                    break
                n += 1
                uid = f"listing:SOAK-{n}"
                body = {
                    "listing_id": f"SOAK-{n}",
                    "kind": "business",
                    "id": usccs[(n * 7919) % len(usccs)],
                    "list_type": "serious_dishonesty",
                    "decided": "2025-01-10",
                }
                try:
                    r = await officer_client.post("/v1/listings", json=body)
                    writes += r.status_code == 201
                    if n > 1:
                        prev = f"listing:SOAK-{n - 1}"
                        removal = {"on": "2025-06-01", "reason": "repaired"}
                        r = await officer_client.post(f"/v1/listings/{prev}/removal", json=removal)
                        writes += r.status_code == 200
                except httpx.HTTPError:
                    window.errors += 1
                del uid

        async def sampler() -> None:
            while time.perf_counter() < end:
                await asyncio.sleep(args.sample_seconds)
                lat, err = window.take()
                window.total_errors += err
                sample = {
                    "t_s": round(time.perf_counter() - started),
                    "requests": len(lat),
                    "rps": round(len(lat) / args.sample_seconds, 1),
                    "errors": err,
                    "p50_ms": round(lat[len(lat) // 2], 1) if lat else None,
                    "p99_ms": round(lat[int(len(lat) * 0.99)], 1) if lat else None,
                    "rss_mb": round(_rss_mb(server_pid), 1),
                    "listing_writes": writes,
                    "webhook_deliveries": _Receiver.deliveries,
                    "webhook_events": _Receiver.events,
                }
                samples.append(sample)
                print(json.dumps(sample), flush=True)

        tasks = [asyncio.create_task(writer()), asyncio.create_task(sampler())]
        interval = 1.0 / rate
        pending: set[asyncio.Task[None]] = set()
        i = 0
        next_at = time.perf_counter()
        while next_at < end:
            now = time.perf_counter()
            if next_at > now:
                await asyncio.sleep(next_at - now)
            task = asyncio.create_task(one(paths[i % len(paths)]))
            pending.add(task)
            task.add_done_callback(pending.discard)
            i += 1
            next_at += interval
        await asyncio.gather(*pending, *tasks)
    return {"samples": samples, "sent": i, "errors": window.total_errors, "writes": writes}


def _slope_per_minute(samples: list[dict[str, Any]]) -> float:
    half = samples[len(samples) // 2 :]
    if len(half) < 2:
        return 0.0
    xs = [s["t_s"] / 60 for s in half]
    ys = [s["rss_mb"] for s in half]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs) or 1.0
    return float(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den)


def main() -> None:
    """Prepare, probe, soak, summarise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=5_000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--load", type=float, default=0.8)
    parser.add_argument("--probe-seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--max-in-flight", type=int, default=64)
    parser.add_argument("--write-every", type=float, default=5.0)
    parser.add_argument("--sample-seconds", type=float, default=10.0)
    args = parser.parse_args()

    from api.security import KeyStore

    work = Path(tempfile.mkdtemp(prefix="credgraph-soak-"))
    env, population = prepare(work, args.entities)
    usccs = population.known
    keys = KeyStore(work / "api.sqlite3")
    officer = {"X-API-Key": keys.create("soak-officer", "officer", rate=1e9, burst=10**9).token}
    keys.close()
    platform = {"X-API-Key": env["BENCH_TOKEN"]}
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **env,
        "PYTHONPATH": str(ROOT),
        "CREDGRAPH_WEBHOOK_ALLOW_PRIVATE_HOSTS": "true",
        "CREDGRAPH_WEBHOOK_POLL_SECONDS": "1",
    }
    env.pop("CREDGRAPH_BENCH_CEILING", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from cli.main import app; app()",
            "serve",
            "--port",
            str(port),
            "--no-access-log",
        ],  # fmt: skip
        env=env,
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
        hook = httpx.post(
            base + "/v1/webhooks",
            json={"url": f"http://127.0.0.1:{receiver.server_address[1]}/hook"},
            headers=platform,
            timeout=30,
        )
        hook.raise_for_status()
        paths = [f"/v1/restrictions/business/{u}" for u in usccs[:5_000]]
        with httpx.Client(base_url=base, headers=platform, timeout=120) as warm:
            for start in range(0, len(paths), 1_000):
                items = [{"kind": "business", "id": u} for u in usccs[start : start + 1_000]]
                warm.post("/v1/restrictions/batch", json={"items": items}).raise_for_status()
        maximum = asyncio.run(_probe(base, platform, paths, args.probe_seconds, args.connections))
        rate = maximum * args.load
        print(json.dumps({"max_rps": round(maximum, 1), "target_rps": round(rate, 1)}), flush=True)
        result = asyncio.run(_soak(base, platform, officer, paths, usccs, rate, args, server.pid))
        samples = result["samples"]
        print(
            json.dumps(
                {
                    "entities": args.entities,
                    "minutes": args.minutes,
                    "cpus": os.cpu_count(),
                    "max_rps": round(maximum, 1),
                    "target_rps": round(rate, 1),
                    "sent": result["sent"],
                    "errors": result["errors"],
                    "listing_writes": result["writes"],
                    "webhook_deliveries": _Receiver.deliveries,
                    "webhook_events": _Receiver.events,
                    "p99_ms_worst_window": max((s["p99_ms"] or 0) for s in samples),
                    "rss_mb_first": samples[0]["rss_mb"] if samples else None,
                    "rss_mb_last": samples[-1]["rss_mb"] if samples else None,
                    "rss_mb_per_minute_second_half": round(_slope_per_minute(samples), 2),
                }
            ),
            flush=True,
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        receiver.shutdown()


if __name__ == "__main__":
    main()
