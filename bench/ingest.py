"""Ingest throughput: ``credgraph ingest`` into each store beside the raw bulk loads.

For a generated data set of ``--businesses`` businesses (cached under ``--data``):

1. ingest into a fresh embedded store (LadybugDB): rows/s and graph elements/s;
2. the LadybugDB ``COPY`` baseline: every node table and every relationship pair of the
   loaded graph exported to Parquet (``COPY (MATCH ...) TO``), then timed ``COPY ... FROM``
   into a fresh database; ratio = ingest time / COPY time;
3. ingest into Neo4j (wiped first);
4. the Neo4j baseline: the same exported rows loaded in one transaction with
   ``UNWIND $rows CREATE`` (constraints and indexes present); ratio as above.

The baselines load graph rows that are already validated, deduplicated and keyed; ingest
also reads the input files, validates, resolves references and makes the run idempotent.

    .venv/bin/python bench/ingest.py --businesses 100000
    .venv/bin/python bench/ingest.py --businesses 10000 --stores embedded
    .venv/bin/python bench/ingest.py --businesses 100000 --stores embedded,neo4j-bulk

``neo4j-bulk`` times ``credgraph ingest --store neo4j --bulk`` (``ingest.neo4j_import``)
into the local server of ``scripts/neo4j-local`` (``CREDGRAPH_NEO4J_HOME``), wiped first:
it stops and restarts that server.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Run as a script, this file's directory comes first on sys.path and this module would
# shadow the ``ingest`` package it benchmarks.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import pyarrow.parquet as pq  # noqa: E402

from graph.cypher import quote  # noqa: E402
from graph.cypher_store import CypherStore  # noqa: E402
from graph.embedded_store import DEFAULT_BUFFER_POOL_MB, EmbeddedStore  # noqa: E402
from graph.errors import StoreError  # noqa: E402
from graph.memory import tune_garbage_collector  # noqa: E402
from graph.schema import NODES, RELS  # noqa: E402
from ingest.generate import generate  # noqa: E402
from ingest.pipeline import IngestReport, ingest_directory  # noqa: E402

KEY = "bench-id-hash-key-0123456789"
#: Generated inputs are cached here between runs (``/data/`` is git-ignored).
DATA = Path(__file__).resolve().parent.parent / "data" / "bench-ingest"


@dataclass
class Result:
    """One timed load."""

    what: str
    seconds: float
    rows: int
    elements: int
    peak_rss_mb: float | None = None
    #: CPU seconds of this process (all its threads): on a shared machine the wall time
    #: mostly measures the others' load.
    cpu_seconds: float | None = None

    @property
    def rows_per_s(self) -> float:
        """Input rows per second."""
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def elements_per_s(self) -> float:
        """Nodes + relationships per second."""
        return self.elements / self.seconds if self.seconds else 0.0


def data_set(businesses: int, seed: int, root: Path) -> tuple[Path, dict[str, int]]:
    """The generated input directory for this size and seed, made once and reused."""
    directory = root / f"input-{businesses}-s{seed}"
    marker = directory / "rows.json"
    if not marker.is_file():
        shutil.rmtree(directory, ignore_errors=True)
        summary = generate(directory, businesses, seed=seed)
        marker.write_text(json.dumps(dict(summary.rows)), encoding="utf-8")
    rows: dict[str, int] = json.loads(marker.read_text(encoding="utf-8"))
    return directory, rows


def timed_ingest(store: CypherStore, directory: Path, quarantine: Path, what: str) -> Result:
    """Ingest ``directory`` into ``store`` and time it."""
    started, cpu = time.perf_counter(), time.process_time()
    report: IngestReport = ingest_directory(
        store, directory, id_hash_key=KEY, quarantine_dir=quarantine
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert all(f.reconciled for f in report.files)
    counts = store.counts()
    elements = counts.total_nodes + counts.total_relationships
    return Result(what, seconds, report.read, elements, cpu_seconds=cpu)


def export_graph(store: EmbeddedStore, target: Path) -> list[tuple[str, str | None, Path]]:
    """Every node table and relationship pair as Parquet: (table, pair or None, file)."""
    target.mkdir(parents=True, exist_ok=True)
    files: list[tuple[str, str | None, Path]] = []
    counts = store.counts()
    for spec in NODES:
        path = target / f"node-{spec.label}.parquet"
        columns = ", ".join(f"n.{p.name} AS {quote(p.name)}" for p in spec.all_props)
        if counts.nodes.get(spec.label, 0) == 0:
            continue
        store._run(f"COPY (MATCH (n:{quote(spec.label)}) RETURN {columns}) TO '{path}'")
        files.append((spec.label, None, path))
    for rel in RELS:
        for src, dst in rel.pairs:
            path = target / f"rel-{rel.type}-{src}-{dst}.parquet"
            columns = ", ".join(f"r.{p.name} AS {quote(p.name)}" for p in rel.all_props)
            match = f"MATCH (a:{quote(src)})-[r:{quote(rel.type)}]->(b:{quote(dst)})"
            if not store._run(f"{match} RETURN count(r) AS n")[0]["n"]:
                continue
            store._run(
                f"COPY ({match} RETURN a.uid AS `from`, b.uid AS `to`, {columns}) TO '{path}'"
            )
            files.append((rel.type, f"{src}|{dst}", path))
    return files


def copy_baseline(
    files: list[tuple[str, str | None, Path]], db: Path, rows: int, buffer_pool_mb: int
) -> Result:
    """Time LadybugDB ``COPY ... FROM`` of the exported files into a fresh database."""
    shutil.rmtree(db.parent, ignore_errors=True)
    store = EmbeddedStore(db, buffer_pool_mb=buffer_pool_mb)
    store.create_schema()
    elements = 0
    started, cpu = time.perf_counter(), time.process_time()
    for table, pair, path in files:
        options = ""
        if pair is not None:
            src, dst = pair.split("|")
            options = f" (from='{src}', to='{dst}')"
        store._run(f"COPY {quote(table)} FROM '{path}'{options}")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    counts = store.counts()
    elements = counts.total_nodes + counts.total_relationships
    store.close()
    return Result("LadybugDB COPY (baseline)", seconds, rows, elements, cpu_seconds=cpu)


def neo4j_unwind_baseline(
    store: CypherStore,
    files: list[tuple[str, str | None, Path]],
    rows: int,
    *,
    first: str = "graph",
) -> Result:
    """``UNWIND $rows CREATE`` over the exported rows in one transaction, constraints present
    (ends found by index seek, pinned with hints as the store's own statements are).

    When the whole graph outgrows the server's transaction memory, one transaction per
    table (label or relationship pair) instead, then one per batch of rows; the result
    says which. ``first`` skips the wider scopes known to fail.
    """
    scopes = ("graph", "table", "batch")
    for scope in scopes[scopes.index(first) : -1]:
        try:
            return _unwind(store, files, rows, scope=scope)
        except StoreError as exc:
            if "MemoryPoolOutOfMemory" not in str(exc):
                raise
            print(f"one transaction per {scope} outgrew the server's transaction memory")
    return _unwind(store, files, rows, scope="batch")


def _unwind(
    store: CypherStore, files: list[tuple[str, str | None, Path]], rows: int, *, scope: str
) -> Result:
    store.wipe()  # a batch at a time: see queries/neo4j/wipe.cypher
    batch = 20_000
    elements = 0
    started = time.perf_counter()
    with store.transaction() if scope == "graph" else nullcontext():
        for table, pair, path in files:
            records: list[dict[str, Any]] = pq.read_table(path).to_pylist()
            if pair is None:
                statement = f"UNWIND $rows AS row CREATE (n:{quote(table)}) SET n = row"
            else:
                src, dst = pair.split("|")
                for record in records:
                    record["src"], record["dst"] = record.pop("from"), record.pop("to")
                statement = (
                    f"UNWIND $rows AS row MATCH (a:{quote(src)} {{uid: row.src}}) "
                    f"USING INDEX SEEK a:{quote(src)}(uid) "
                    f"MATCH (b:{quote(dst)} {{uid: row.dst}}) "
                    f"USING INDEX SEEK b:{quote(dst)}(uid) "
                    f"CREATE (a)-[r:{quote(table)}]->(b) "
                    "SET r = row {.*, src: null, dst: null}"
                )
            with store.transaction() if scope == "table" else nullcontext():
                for start in range(0, len(records), batch):
                    store._run(statement, {"rows": records[start : start + batch]})
            elements += len(records)
    seconds = time.perf_counter() - started
    what = f"Neo4j UNWIND CREATE, 1 transaction per {scope}"
    return Result(f"{what} (baseline)", seconds, rows, elements)


def neo4j_store() -> CypherStore:
    """The Neo4j store named by ``CREDGRAPH_NEO4J_*`` (``scripts/neo4j-local env``)."""
    from graph.neo4j_store import Neo4jStore

    return Neo4jStore(
        os.environ.get("CREDGRAPH_NEO4J_URI", "bolt://127.0.0.1:7687"),
        os.environ.get("CREDGRAPH_NEO4J_USER", "neo4j"),
        os.environ.get("CREDGRAPH_NEO4J_PASSWORD", "credgraph-test"),
    )


def neo4j_bulk(directory: Path, quarantine: Path, rows: int) -> Result:
    """``credgraph ingest --store neo4j --bulk`` into the local server (wiped first), timed
    from the emptiness check to constraints and indexes online."""
    from ingest.neo4j_import import bulk_load

    store = neo4j_store()
    store.wipe()  # a batch at a time: see queries/neo4j/wipe.cypher
    store.close()
    password = os.environ.get("CREDGRAPH_NEO4J_PASSWORD", "credgraph-test")
    uri = os.environ.get("CREDGRAPH_NEO4J_URI", "bolt://127.0.0.1:7687")
    started = time.perf_counter()
    load = bulk_load(
        directory,
        connect=neo4j_store,
        uri=uri,
        password=password,
        id_hash_key=KEY,
        quarantine_dir=quarantine,
    )
    seconds = time.perf_counter() - started
    assert all(f.reconciled for f in load.report.files)
    print("bulk import steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in load.timings.items()))
    store = neo4j_store()
    counts = store.counts()
    store.close()
    elements = counts.total_nodes + counts.total_relationships
    return Result("ingest --bulk → Neo4j (neo4j-admin import)", seconds, rows, elements)


def table(results: list[Result]) -> str:
    """A Markdown table of the results."""
    lines = [
        "| load | seconds | input rows/s | nodes+rels | nodes+rels/s | peak RSS | CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rss = f"{r.peak_rss_mb / 1024:,.2f} GB" if r.peak_rss_mb else ""
        lines.append(
            f"| {r.what} | {r.seconds:,.1f} | {r.rows_per_s:,.0f} | {r.elements:,} "
            f"| {r.elements_per_s:,.0f} | {rss} "
            f"| {f'{r.cpu_seconds:,.1f}' if r.cpu_seconds is not None else ''} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print a table (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stores", default="embedded,neo4j", help="embedded, neo4j, neo4j-bulk")
    parser.add_argument("--data", type=Path, default=DATA, help="cache and scratch")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument(
        "--buffer-pool-mb",
        type=int,
        default=DEFAULT_BUFFER_POOL_MB,
        help="LadybugDB buffer pool in MB (0: the engine's own, about 80%% of memory)",
    )
    parser.add_argument(
        "--unwind-scope",
        choices=("graph", "table", "batch"),
        default="graph",
        help="the Neo4j baseline's widest transaction to try (narrower ones follow on failure)",
    )
    args = parser.parse_args()
    tune_garbage_collector()  # as ``credgraph ingest`` runs (every entry point sets it)
    stores = set(args.stores.split(","))

    started = time.perf_counter()
    directory, generated = data_set(args.businesses, args.seed, args.data)
    rows = sum(generated.values())
    print(
        f"{args.businesses:,} businesses, {rows:,} input rows in {directory} "
        f"({time.perf_counter() - started:.0f} s to generate or find)"
    )
    scratch = args.data / f"run-{args.businesses}"
    shutil.rmtree(scratch, ignore_errors=True)
    results: list[Result] = []
    ratios: list[str] = []

    files: list[tuple[str, str | None, Path]] = []
    if "embedded" in stores:
        embedded = EmbeddedStore(
            scratch / "ingest" / "graph.lbdb", buffer_pool_mb=args.buffer_pool_mb
        )
        ingest = timed_ingest(embedded, directory, scratch / "q", "ingest → embedded (LadybugDB)")
        # The process's peak so far: the ingest, buffer pool included (it runs first).
        ingest.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results.append(ingest)
        print(table([ingest]), flush=True)
        files = export_graph(embedded, scratch / "export")
        embedded.close()
        copy = copy_baseline(files, scratch / "copy" / "graph.lbdb", rows, args.buffer_pool_mb)
        results.append(copy)
        ratios.append(
            f"embedded ingest rows/s / LadybugDB COPY rows/s: {copy.seconds / ingest.seconds:.2f}x "
            f"(goal >= 0.5x; time {ingest.seconds / copy.seconds:.1f}x COPY's)"
        )
        print(table([copy]), flush=True)

    if "neo4j" in stores and files:  # the baseline loads the embedded run's export
        neo4j = neo4j_store()
        neo4j.create_schema()
        neo4j.wipe()
        into_neo4j = timed_ingest(neo4j, directory, scratch / "q", "ingest → Neo4j")
        results.append(into_neo4j)
        print(table([into_neo4j]), flush=True)
        unwind = neo4j_unwind_baseline(neo4j, files, rows, first=args.unwind_scope)
        results.append(unwind)
        ratios.append(f"Neo4j ingest / UNWIND: {into_neo4j.seconds / unwind.seconds:.1f}x")
        neo4j.wipe()
        neo4j.close()

    if "neo4j-bulk" in stores:
        results.append(neo4j_bulk(directory, scratch / "qb", rows))
        print(table(results[-1:]), flush=True)

    print()
    print(table(results))
    for line in ratios:
        print(line)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "businesses": args.businesses,
                    "rows": rows,
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "results": [asdict(r) for r in results],
                    "ratios": ratios,
                },
                indent=2,
            ),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
