"""A first load into an empty Neo4j with ``neo4j-admin database import full``.

``credgraph ingest DIR --store neo4j --bulk``: the input is read, validated, quarantined
and resolved exactly as the normal path does (``ingest.pipeline.run_ingest``); instead of
writing through Bolt, the graph goes to the import tool's CSV files
(``ImportFiles``: per label a header ``uid:ID(<Label>)`` plus typed properties, one id
space per label; per relationship type and label pair a header
``:START_ID(<Label>),:END_ID(<Label>)`` plus typed properties; a data file per chunk).

The tool writes a database's files directly, so the database must be offline. Community
Edition has one user database (``neo4j``), so the load goes into it, and only when it is
empty. On the local server that ``scripts/neo4j-local`` runs (found by
``CREDGRAPH_NEO4J_HOME``, default ``.neo4j`` in the repository) ``bulk_load``:

1. starts the server if it is down and refuses, before anything is written, unless the
   ``neo4j`` database holds no node (later loads are deltas: the normal path);
2. validates and writes the CSV files under ``<home>/import/`` while the server runs;
3. stops the server, runs the import (``scripts/neo4j-local admin database import full
   --overwrite-destination``; the database was empty), starts the server again;
4. creates the constraints and indexes (``Neo4jStore.create_schema``).

A server that is not the local one (another host or port than the home's configuration)
is refused: its files cannot be reached.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from graph.cypher import ColumnRows, encode_columns
from graph.errors import ConfigError, StoreError
from graph.schema import NODE_BY_LABEL, REL_BY_TYPE, Prop, PropType
from graph.store import GraphStore
from ingest.pipeline import Flags, IngestReport, ProgressHook, Sink, run_ingest

__all__ = ["BulkLoad", "ImportFiles", "LocalServer", "bulk_load", "import_header"]

REPO = Path(__file__).resolve().parent.parent

#: How the import tool names each property type in a header.
_HEADER_TYPE: dict[PropType, str] = {
    PropType.STRING: "string",
    PropType.INT: "long",
    PropType.DOUBLE: "double",
    PropType.BOOL: "boolean",
    PropType.DATE: "date",
    PropType.TIMESTAMP: "localdatetime",
}

_ARROW: dict[PropType, pa.DataType] = {
    PropType.STRING: pa.string(),
    PropType.INT: pa.int64(),
    PropType.DOUBLE: pa.string(),
    PropType.BOOL: pa.bool_(),
    PropType.DATE: pa.string(),
    PropType.TIMESTAMP: pa.string(),
}


def import_header(
    props: Sequence[Prop], *, label: str | None = None, ends: tuple[str, str] | None = None
) -> list[str]:
    """Header columns: ``uid:ID(label)`` for a node's key, or the ends' id spaces first."""
    columns: list[str] = []
    if ends is not None:
        columns += [f":START_ID({ends[0]})", f":END_ID({ends[1]})"]
    for prop in props:
        if label is not None and prop.name == "uid":
            columns.append(f"uid:ID({label})")
        else:
            columns.append(f"{prop.name}:{_HEADER_TYPE[prop.type]}")
    return columns


class ImportFiles(Sink):
    """A sink writing the import tool's CSV files into ``directory``.

    The target is empty, so nothing is stored outside the run. A key written again later
    in the run (an address or phone another file names too, a repeated row) must end with
    its last row's values, as the normal path's upserts leave it (every property but
    ``first_seen``, which stays the first row's). The files get each key's first row; the
    rows that repeat a key are spilled, typed, to Parquet files under ``repeated/`` (memory
    holds one chunk's, not the run's: 15.4M of them at 1M businesses), and ``finish`` folds
    them into the files before the import, one label or type at a time: each repeated
    key's row is rewritten with its last values (a relationship repeated between other
    ends is one more relationship, as ``MERGE`` makes it). The tool's
    ``--skip-duplicate-nodes`` would keep an arbitrary one of a key's rows, and upserting
    the repeats through Bolt after the import took 39 minutes at 1M.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.nodes: dict[str, list[Path]] = {}
        self.rels: dict[tuple[str, str, str], list[Path]] = {}
        #: Spill files of the rows that repeat a key, per label or (type, ends).
        self.replays: dict[tuple[str, tuple[str, str] | None], list[Path]] = {}
        #: Rows spilled so far, per label or (type, ends).
        self.repeated: dict[tuple[str, tuple[str, str] | None], int] = {}
        self.rows = 0
        self.folded = 0

    def prepare(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)

    def stored(self, uids: list[str]) -> set[str]:
        return set()

    def write_nodes(self, label: str, rows: ColumnRows, new: Flags) -> int:
        props = NODE_BY_LABEL[label].all_props
        parts = self.nodes.setdefault(label, [])
        if not parts:
            parts.append(self._header(f"nodes-{label}", import_header(props, label=label)))
        table = self._typed(props, rows)
        self._replay(label, None, table, new)
        return self._part(parts, f"nodes-{label}", table, new) + int((~new).sum())

    def write_rels(
        self, rel_type: str, src_label: str, dst_label: str, rows: ColumnRows, new: Flags
    ) -> int:
        props = REL_BY_TYPE[rel_type].all_props
        parts = self.rels.setdefault((rel_type, src_label, dst_label), [])
        name = f"rels-{rel_type}-{src_label}-{dst_label}"
        if not parts:
            header = import_header(props, ends=(src_label, dst_label))
            parts.append(self._header(name, header))
        table = self._typed((Prop("src"), Prop("dst"), *props), rows)
        self._replay(rel_type, (src_label, dst_label), table, new)
        return self._part(parts, name, table, new) + int((~new).sum())

    def _replay(self, name: str, pair: tuple[str, str] | None, table: pa.Table, new: Flags) -> None:
        again = np.flatnonzero(~new)
        if not again.size:
            return
        key = (name, pair)
        spills = self.replays.setdefault(key, [])
        stem = name if pair is None else f"{name}-{pair[0]}-{pair[1]}"
        folder = self.directory / "repeated"
        folder.mkdir(exist_ok=True)
        path = folder / f"{stem}-{len(spills):05d}.parquet"
        pq.write_table(table.take(pa.array(again, pa.int64())), path)
        spills.append(path)
        self.repeated[key] = self.repeated.get(key, 0) + int(again.size)

    def finish(self) -> None:
        """Fold the repeated keys into the files (see the class docstring), then remove
        the spill files."""
        for (name, pair), spills in self.replays.items():
            repeated = pa.concat_tables([pq.read_table(path) for path in spills])
            self.folded += self._fold(name, pair, repeated)
            for path in spills:
                path.unlink()
        self.replays = {}
        shutil.rmtree(self.directory / "repeated", ignore_errors=True)

    def _fold(self, name: str, pair: tuple[str, str] | None, last: pa.Table) -> int:
        if pair is None:
            props: Sequence[Prop] = NODE_BY_LABEL[name].all_props
            parts, stem = self.nodes[name], f"nodes-{name}"
        else:
            props = (Prop("src"), Prop("dst"), *REL_BY_TYPE[name].all_props)
            parts, stem = self.rels[(name, *pair)], f"rels-{name}-{pair[0]}-{pair[1]}"
        schema = pa.schema([(p.name, _ARROW[p.type]) for p in props])
        keys = _keys(last, pair is not None)
        # The last row of each repeated key (rows are in run order).
        final = last.take(pa.array(_last_positions(keys)))
        final_keys = _keys(final, pair is not None)
        first_seen: dict[str, Any] = {}
        emptied: list[Path] = []
        for path in parts[1:]:  # the header first
            table = _read_part(path, schema)
            hit = pc.is_in(_keys(table, pair is not None), value_set=final_keys)
            if not pc.any(hit).as_py():
                continue
            found = table.filter(hit)
            if "first_seen" in schema.names:
                first_seen.update(
                    zip(
                        _keys(found, pair is not None).to_pylist(),
                        found.column("first_seen").to_pylist(),
                        strict=True,
                    )
                )
            rest = table.filter(pc.invert(hit))
            if rest.num_rows:
                pacsv.write_csv(rest, path, _CSV_WRITE)
            else:  # the import tool is not handed an empty file
                path.unlink()
                emptied.append(path)
            self.rows -= found.num_rows
        parts[:] = [p for p in parts if p not in emptied]
        if "first_seen" in schema.names and first_seen:
            kept = [
                first_seen.get(k, v)
                for k, v in zip(
                    final_keys.to_pylist(), final.column("first_seen").to_pylist(), strict=True
                )
            ]
            at = schema.get_field_index("first_seen")
            final = final.set_column(at, "first_seen", pa.array(kept, _ARROW[PropType.TIMESTAMP]))
        path = self.directory / f"{stem}-{len(parts):05d}.csv"
        pacsv.write_csv(final, path, _CSV_WRITE)
        parts.append(path)
        self.rows += final.num_rows
        return int(last.num_rows)

    @staticmethod
    def _typed(props: Sequence[Prop], rows: ColumnRows) -> pa.Table:
        columns = encode_columns(props, rows)
        return pa.table(
            {
                p.name: pa.array([_csv_value(v, p.type) for v in columns[p.name]], _ARROW[p.type])
                for p in props
            }
        )

    def _header(self, name: str, columns: list[str]) -> Path:
        path = self.directory / f"{name}-header.csv"
        path.write_text(",".join(columns) + "\n", encoding="utf-8")
        return path

    def _part(self, parts: list[Path], name: str, typed: pa.Table, new: Flags) -> int:
        keep = np.flatnonzero(new)
        if not keep.size:
            return 0
        table = typed.take(pa.array(keep, pa.int64()))
        path = self.directory / f"{name}-{len(parts):05d}.csv"
        pacsv.write_csv(table, path, _CSV_WRITE)
        parts.append(path)
        self.rows += int(keep.size)
        return int(keep.size)

    def arguments(self) -> list[str]:
        """The import tool's ``--nodes`` and ``--relationships`` arguments."""
        out = [
            f"--nodes={label}={','.join(map(str, paths))}" for label, paths in self.nodes.items()
        ]
        out += [
            f"--relationships={rel_type}={','.join(map(str, paths))}"
            for (rel_type, _, _), paths in self.rels.items()
        ]
        return out


_CSV_WRITE = pacsv.WriteOptions(include_header=False)


def _read_part(path: Path, schema: pa.Schema) -> pa.Table:
    """A data file as written: strings quoted (an empty one stays empty), nulls empty."""
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=schema.names),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    )


def _keys(table: pa.Table, relationship: bool) -> pa.Array:
    """A node's uid, or a relationship's rid and ends (``MERGE`` matches all three)."""
    if not relationship:
        return table.column("uid").combine_chunks()
    columns = [table.column(c).combine_chunks() for c in ("rid", "src", "dst")]
    return pc.binary_join_element_wise(*columns, "\x1f")


def _last_positions(keys: pa.Array) -> list[int]:
    """Positions of each key's last occurrence, in the order of those occurrences."""
    last: dict[Any, int] = {}
    for i, key in enumerate(keys.to_pylist()):
        last.pop(key, None)
        last[key] = i
    return list(last.values())


def _csv_value(value: Any, prop_type: PropType) -> Any:
    """A value as the import tool reads it: doubles as shortest round-trip text, with
    Java's spelling of infinity (an unbounded ``_number`` accepts ``inf``)."""
    if prop_type is PropType.DOUBLE and value is not None:
        number = float(value)
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return "NaN" if math.isnan(number) else repr(number)
    return value


@dataclass(frozen=True)
class LocalServer:
    """The Neo4j server ``scripts/neo4j-local`` manages in ``home``."""

    home: Path
    script: Path = REPO / "scripts" / "neo4j-local"

    @classmethod
    def from_environment(cls) -> LocalServer:
        """``CREDGRAPH_NEO4J_HOME``, else the repository's ``.neo4j``."""
        home = os.environ.get("CREDGRAPH_NEO4J_HOME")
        return cls(Path(home) if home else REPO / ".neo4j")

    def setting(self, name: str) -> str | None:
        """A value of the home's ``conf/neo4j.conf``."""
        conf = self.home / "conf" / "neo4j.conf"
        if not conf.is_file():
            return None
        for line in conf.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == name:
                return value.strip()
        return None

    @property
    def bolt_port(self) -> int | None:
        address = self.setting("server.bolt.listen_address")
        return int(address.rsplit(":", 1)[1]) if address else None

    def serves(self, uri: str) -> bool:
        """Whether ``uri`` reaches this server (a loopback host and its Bolt port)."""
        parsed = urlparse(uri)
        local = parsed.hostname in ("127.0.0.1", "localhost", "::1")
        return local and parsed.port == self.bolt_port

    def _env(self, password: str) -> dict[str, str]:
        """The script's settings as this server was started with (so a restart keeps them)."""
        env = {
            # A loaded machine can take minutes to bring a server up (the script's own
            # default, 120 s, was too short at a load average of 30).
            "CREDGRAPH_NEO4J_START_TIMEOUT": "600",
            **os.environ,
            "CREDGRAPH_NEO4J_HOME": str(self.home),
            "CREDGRAPH_NEO4J_PASSWORD": password,
        }
        for variable, key in (
            ("CREDGRAPH_NEO4J_BOLT_PORT", "server.bolt.listen_address"),
            ("CREDGRAPH_NEO4J_HTTP_PORT", "server.http.listen_address"),
        ):
            value = self.setting(key)
            if value:
                env[variable] = value.rsplit(":", 1)[1]
        for variable, key in (
            ("CREDGRAPH_NEO4J_HEAP", "server.memory.heap.max_size"),
            ("CREDGRAPH_NEO4J_PAGECACHE", "server.memory.pagecache.size"),
        ):
            value = self.setting(key)
            if value and variable not in os.environ:
                env[variable] = value
        return env

    def run(self, password: str, *args: str) -> subprocess.CompletedProcess[str]:
        """``scripts/neo4j-local ARGS`` for this home; raises StoreError on failure."""
        done = subprocess.run(  # noqa: S603 - our own script, arguments built here
            [str(self.script), *args],
            env=self._env(password),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            tail = "\n".join((done.stderr + done.stdout).strip().splitlines()[-15:])
            raise StoreError(
                f"scripts/neo4j-local {args[0]} failed (exit {done.returncode}):\n{tail}"
            )
        return done

    def running(self, password: str) -> bool:
        """Whether the server is up."""
        done = subprocess.run(  # noqa: S603
            [str(self.script), "status"], env=self._env(password), capture_output=True, check=False
        )
        return done.returncode == 0


@dataclass
class BulkLoad:
    """What a bulk load did: the ingest report and the import's own figures."""

    report: IngestReport
    files: Path
    rows_written: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    folded: int = 0  # rows repeating a key, folded into the files before the import


def bulk_load(
    directory: Path,
    *,
    connect: Callable[[], GraphStore],
    uri: str,
    password: str,
    id_hash_key: str,
    quarantine_dir: Path,
    server: LocalServer | None = None,
    progress: ProgressHook | None = None,
    now: datetime | None = None,
    keep_files: bool = False,
) -> BulkLoad:
    """Load ``directory`` into the empty ``neo4j`` database of the local server (see the
    module docstring). ``connect`` opens the Neo4j store at ``uri`` (through the port);
    ``password`` is handed to ``scripts/neo4j-local``. Raises ConfigError before anything
    is written when the server is not the local one or its database is not empty."""
    server = server or LocalServer.from_environment()
    if not (server.home / "lib").is_dir() or server.bolt_port is None:
        raise ConfigError(
            f"--bulk needs the local Neo4j of scripts/neo4j-local; none is installed in "
            f"{server.home} (run scripts/neo4j-local start, or set CREDGRAPH_NEO4J_HOME)"
        )
    if not server.serves(uri):
        raise ConfigError(
            f"--bulk imports into the local Neo4j in {server.home} (bolt port "
            f"{server.bolt_port}), but the store is {uri}: the import tool writes database "
            "files, so it cannot load a remote server; load it without --bulk"
        )
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if not server.running(password):
        server.run(password, "start")
    with connect() as store:
        held = store.counts().total_nodes
    if held:
        raise ConfigError(
            f"--bulk loads only an empty database, and Neo4j database 'neo4j' holds {held:,} "
            "nodes: load later files without --bulk (the normal path updates in place), or "
            "empty it first (scripts/neo4j-local reset deletes its data)"
        )
    timings["check"] = time.perf_counter() - started

    files = server.home / "import" / f"credgraph-bulk-{os.getpid()}"
    sink = ImportFiles(files)
    mark = time.perf_counter()
    report = run_ingest(
        sink,
        directory,
        id_hash_key=id_hash_key,
        quarantine_dir=quarantine_dir,
        progress=progress,
        now=now,
    )
    timings[f"validate and write files ({sink.folded:,} repeated rows folded in)"] = (
        time.perf_counter() - mark
    )

    mark = time.perf_counter()
    server.run(password, "stop")
    try:
        server.run(
            password,
            "admin",
            "database",
            "import",
            "full",
            "neo4j",  # before --nodes, whose list would take it for a file
            "--overwrite-destination=true",
            "--multiline-fields=true",
            f"--report-file={files / 'import.report'}",
            *sink.arguments(),
        )
    except StoreError:
        _drop_database(server.home)  # it was empty; the server makes a new one
        server.run(password, "start")
        raise
    timings["import"] = time.perf_counter() - mark
    mark = time.perf_counter()
    server.run(password, "start")
    with connect() as store:
        store.create_schema()
    timings["start and schema"] = time.perf_counter() - mark
    if not keep_files:
        shutil.rmtree(files, ignore_errors=True)
    timings["total"] = time.perf_counter() - started
    return BulkLoad(report, files, sink.rows, timings, sink.folded)


def _drop_database(home: Path) -> None:
    """Remove the ``neo4j`` database's store and transaction logs (a failed import)."""
    for sub in ("databases", "transactions"):
        shutil.rmtree(home / "data" / sub / "neo4j", ignore_errors=True)
