"""The ingest run: read each file, validate, quarantine bad rows, upsert the rest.

Every row read is either loaded or quarantined with its reason (file, row, field), and
the run ends with that reconciliation per file. Re-running the same input writes the same
graph: nodes are keyed by uid and relationships by a rid derived from their content.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import re
import uuid
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from graph.cypher import ColumnRows
from graph.errors import InvalidInput
from graph.memory import release_free_heap
from graph.redact import Redactor
from graph.schema import NODE_BY_LABEL
from graph.store import GraphStore
from ingest.columnar import Converted, NodeBatch, Objects, RelBatch, Rows, convert_chunk
from ingest.conflicts import ConflictTracker
from ingest.mappings import MAPPINGS, FileMapping
from ingest.privacy import mask_personal_ids
from ingest.readers import find_input, iter_chunks, read_table
from ingest.uidset import HashSet, hash_keys, member, sorted_unique

Flags = npt.NDArray[np.bool_]

__all__ = [
    "FileReport",
    "IngestReport",
    "ProgressHook",
    "Sink",
    "StoreSink",
    "check_headers",
    "reason_kind",
    "report_json",
    "ingest_directory",
    "run_frames",
    "run_ingest",
]

#: Rows read, converted and written together: memory is bounded by a chunk, whatever the
#: file's size, and a chunk is large enough that a bulk write (COPY) pays off.
CHUNK_ROWS = 100_000

#: Called as (file name, rows done, rows in file).
ProgressHook = Callable[[str, int, int], None]


@dataclass
class FileReport:
    """What happened to one input file."""

    name: str
    path: str | None
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    nodes_written: int = 0
    relationships_written: int = 0
    quarantine_file: str | None = None
    #: Quarantined rows per reason (field and reason with the row's values left out).
    reasons: dict[str, int] = field(default_factory=dict)
    #: Keys asserted again with other values (the last row won; see ``ingest.conflicts``).
    conflicts: int = 0
    conflict_list: list[dict[str, Any]] = field(default_factory=list)
    #: Keys asserted again with the same values.
    repeats: int = 0

    @property
    def reconciled(self) -> bool:
        """Every row read was loaded or quarantined."""
        return self.read == self.loaded + self.quarantined


@dataclass
class IngestReport:
    """What an ingest run did, file by file."""

    run_id: str
    directory: str
    files: list[FileReport] = field(default_factory=list)

    @property
    def read(self) -> int:
        """Rows read in all files."""
        return sum(f.read for f in self.files)

    @property
    def loaded(self) -> int:
        """Rows loaded in all files."""
        return sum(f.loaded for f in self.files)

    @property
    def quarantined(self) -> int:
        """Rows quarantined in all files."""
        return sum(f.quarantined for f in self.files)


def report_json(report: IngestReport) -> dict[str, Any]:
    """The run's reconciliation as JSON: per file the counts, the quarantine reasons with
    their counts, and the conflicts (which row won, which it replaced, which fields)."""
    return {
        "run_id": report.run_id,
        "directory": report.directory,
        "read": report.read,
        "loaded": report.loaded,
        "quarantined": report.quarantined,
        "files": [
            {
                "name": f.name,
                "path": f.path,
                "read": f.read,
                "loaded": f.loaded,
                "quarantined": f.quarantined,
                "reconciled": f.reconciled,
                "nodes_written": f.nodes_written,
                "relationships_written": f.relationships_written,
                "quarantine_file": f.quarantine_file,
                "quarantine_reasons": dict(sorted(f.reasons.items(), key=lambda kv: -kv[1])),
                "repeats": f.repeats,
                "conflicts": f.conflicts,
                "conflict_rule": "last row in file order wins",
                "conflict_list": f.conflict_list,
            }
            for f in report.files
            if f.path is not None
        ],
    }


def check_headers(directory: Path) -> dict[str, Path]:
    """The input files present, after checking that each has exactly the allowed columns.

    Raises InvalidInput before anything is written if a file lacks a required column or
    has a column the format does not define (a typo must not silently drop data).
    """
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a directory", file=str(directory))
    found: dict[str, Path] = {}
    for mapping in MAPPINGS:
        path = find_input(directory, mapping.name)
        if path is None:
            continue
        columns = list(read_table(path).columns) if path.suffix == ".parquet" else _csv_header(path)
        missing = [c for c in mapping.required if c not in columns]
        if missing:
            raise InvalidInput(
                "required column missing (see docs/formats.md)", file=path.name, field=missing[0]
            )
        unknown = [c for c in columns if c not in mapping.columns]
        if unknown:
            raise InvalidInput(
                f"unknown column; allowed: {', '.join(mapping.columns)}",
                file=path.name,
                field=unknown[0],
            )
        found[mapping.name] = path
    if not found:
        raise InvalidInput(
            "no input files found (expected e.g. businesses.csv; see docs/formats.md)",
            file=str(directory),
        )
    return found


def _csv_header(path: Path) -> list[str]:
    frame = read_table(path) if path.stat().st_size < 1_000_000 else None
    if frame is not None:
        return list(frame.columns)
    with path.open("rb") as handle:
        first = handle.readline()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return next(csv.reader([first.decode(encoding)]))
        except UnicodeDecodeError:
            continue
    raise InvalidInput("header is not UTF-8 or GBK", file=path.name)


def ingest_directory(
    store: GraphStore,
    directory: Path,
    *,
    id_hash_key: str,
    quarantine_dir: Path,
    progress: ProgressHook | None = None,
    now: datetime | None = None,
    columnar: bool = True,
) -> IngestReport:
    """Load every input file in ``directory`` into ``store``; see the module docstring.

    ``columnar=False`` converts every row with the row converters (the reference the
    column path is tested against).
    """
    return run_ingest(
        StoreSink(store),
        directory,
        id_hash_key=id_hash_key,
        quarantine_dir=quarantine_dir,
        progress=progress,
        now=now,
        columnar=columnar,
    )


def run_ingest(
    sink: Sink,
    directory: Path,
    *,
    id_hash_key: str,
    quarantine_dir: Path,
    progress: ProgressHook | None = None,
    now: datetime | None = None,
    columnar: bool = True,
) -> IngestReport:
    """Validate, quarantine, resolve and hand every input file's graph to ``sink``."""
    files = check_headers(directory)
    # Provenance travels as ISO text: the same value on every row, encoded once.
    seen_at = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0).isoformat()
    run_id = _run_id(files.values(), seen_at)
    report = IngestReport(run_id=run_id, directory=str(directory))
    sink.prepare()
    run = _Run(sink, id_hash_key, columnar)
    try:
        for mapping in MAPPINGS:
            path = files.get(mapping.name)
            file_report = FileReport(mapping.name, str(path) if path else None)
            report.files.append(file_report)
            if path is None:
                continue
            provenance = {
                "source": path.name,
                "run_id": run_id,
                "first_seen": seen_at,
                "last_seen": seen_at,
            }
            run.file(mapping, path, file_report, provenance, quarantine_dir / run_id, progress)
            run.keep_only(_written_after(mapping, files))
    except BaseException:
        if isinstance(sink, StoreSink):  # what earlier chunks reported written is written
            with contextlib.suppress(Exception):
                sink.finish()
        raise
    sink.finish()
    return report


_VALUE = re.compile(r"'[^']*'|\"[^\"]*\"|\([^)]*\)|\d+(\.\d+)?")


def reason_kind(field_name: str, reason: str) -> str:
    """A quarantine reason without the row's own values, to count rows per reason."""
    return f"{field_name or '-'}: {_VALUE.sub('…', reason)}"


#: A column of frames handed to :func:`run_frames`: the input line each row came from.
LINE = "_line"


def run_frames(
    sink: Sink,
    frames: dict[str, pd.DataFrame],
    *,
    source: str,
    id_hash_key: str,
    quarantine_dir: Path,
    now: datetime | None = None,
    report: IngestReport | None = None,
) -> IngestReport:
    """Validate, quarantine and load input rows already in memory (one frame of text
    columns per file kind of docs/formats.md, optionally with a ``_line`` column of input
    line numbers), exactly as files would be; provenance ``source`` on everything."""
    seen_at = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0).isoformat()
    digest = hashlib.sha256(source.encode()).hexdigest()[:8]
    run_id = f"{seen_at.replace('-', '').replace(':', '')}-{digest}-{uuid.uuid4().hex[:4]}"
    report = report or IngestReport(run_id=run_id, directory=source)
    report.run_id = run_id
    sink.prepare()
    run = _Run(sink, id_hash_key, True)
    for mapping in MAPPINGS:
        frame = frames.get(mapping.name)
        if frame is None:
            continue
        unknown = [c for c in frame.columns if c not in mapping.columns and c != LINE]
        if unknown:
            raise InvalidInput("unknown column", file=mapping.name, field=str(unknown[0]))
        path = Path(f"{mapping.name}.csv")
        file_report = FileReport(mapping.name, f"{source} ({mapping.name})")
        report.files.append(file_report)
        provenance = {
            "source": source,
            "run_id": run_id,
            "first_seen": seen_at,
            "last_seen": seen_at,
        }
        chunks = [frame.iloc[i : i + CHUNK_ROWS] for i in range(0, len(frame), CHUNK_ROWS)]
        run.file(mapping, path, file_report, provenance, quarantine_dir / run_id, None, chunks)
        run.keep_only(_written_after(mapping, frames))
    sink.finish()
    return report


def _written_after(mapping: FileMapping, present: Mapping[str, object]) -> frozenset[str]:
    """What the files of the run after ``mapping`` (in ``MAPPINGS`` order) may write."""
    later = MAPPINGS[MAPPINGS.index(mapping) + 1 :]
    return frozenset().union(*(m.writes for m in later if m.name in present))


def _run_id(paths: Iterable[Path], at: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(str(path.stat().st_size).encode())
    stamp = at.replace("-", "").replace(":", "")
    return f"{stamp}-{digest.hexdigest()[:8]}-{uuid.uuid4().hex[:4]}"


class Sink(ABC):
    """Where a run's validated graph goes: a store, or files for a bulk import tool."""

    @abstractmethod
    def prepare(self) -> None:
        """Before the first write (create the schema, look at what is stored)."""

    def finish(self) -> None:
        """After the last write."""
        return None

    def file_done(self) -> None:
        """After the last write of one input file."""
        return None

    @abstractmethod
    def stored(self, uids: list[str]) -> set[str]:
        """Which of ``uids`` exist outside this run (references to them resolve)."""

    @abstractmethod
    def write_nodes(self, label: str, rows: ColumnRows, new: Flags) -> int:
        """Write nodes; ``new[i]`` says row i's uid was not stored before and not written
        earlier in this run (its table was empty when the run began). Returns rows written."""

    @abstractmethod
    def write_rels(
        self, rel_type: str, src_label: str, dst_label: str, rows: ColumnRows, new: Flags
    ) -> int:
        """Write relationships (``new`` as for nodes, by rid). Returns relationships written."""


class StoreSink(Sink):
    """Writes through the store port: upserts, or a plain bulk insert for rows known new.

    New relationships of one type and pair are gathered across chunks, up to
    ``rel_batch_rows``, and inserted together: LadybugDB's ``COPY`` into a relationship
    table takes time in proportion to the table, not to the batch (1.6M relationships in
    batches of 100k: 22 s; of 400k: 11 s; at once: 6.4 s), so 100k-row chunks made a
    large file's load quadratic. An upsert of the type inserts what is gathered first.

    The store's work runs on one writer thread, in order, while the caller converts the
    next chunks (the engines release the GIL while they copy): a write is handed over once
    the rows of the unfinished ones and its own are at most ``writer_rows_ahead``, so
    memory holds that many rows more. A failed write is raised from the next call;
    ``finish`` waits for every write. Not for use inside a transaction the calling thread
    holds on a lock-wrapped store (the API's): the writer thread would wait for that lock.
    """

    rel_batch_rows = 500_000
    #: The batch when the store holds relationship inserts until the file ends
    #: (``GraphStore.hold_relationship_inserts``): each batch is then only a file on disk.
    held_batch_rows = 100_000
    #: Rows handed to the writer and not yet written: how far the caller converts ahead.
    #: At 20k businesses one write ahead took 12.6-13.5 s, 300k rows 11.3-11.5 s, 500k no
    #: less; at 100k the peak is 2,047 MB (``bench/ingest_memory.py``).
    writer_rows_ahead = 300_000

    def __init__(self, store: GraphStore, *, background: bool = True) -> None:
        self.store = store
        self._pending: dict[tuple[str, str, str], list[ColumnRows]] = {}
        self._writer = _Writer(self.writer_rows_ahead) if background else None
        self._holding = False

    def prepare(self) -> None:
        self.store.create_schema()
        counts = self.store.counts()
        self.fresh = {k for k, v in {**counts.nodes, **counts.relationships}.items() if v == 0}
        self._holding = bool(self._call(self.store.hold_relationship_inserts))
        if self._holding:
            self.rel_batch_rows = self.held_batch_rows

    def stored(self, uids: list[str]) -> set[str]:
        return {n.uid for n in self._call(self.store.get_nodes, uids)}

    def write_nodes(self, label: str, rows: ColumnRows, new: Flags) -> int:
        """Hands the rows to the writer: both writes return their rows' count (the port's
        contract), and a failure is raised from the next call."""
        if label not in self.fresh:
            self._submit(self.store.upsert_nodes, label, rows, rows=len(rows))
            return len(rows)
        for part, insert in _split(rows, new):
            write = self.store.insert_new_nodes if insert else self.store.upsert_nodes
            self._submit(write, label, part, rows=len(part))
        return len(rows)

    def write_rels(
        self, rel_type: str, src_label: str, dst_label: str, rows: ColumnRows, new: Flags
    ) -> int:
        if rel_type not in self.fresh:
            upsert = self.store.upsert_relationships
            return int(self._call(upsert, rel_type, src_label, dst_label, rows))
        key = (rel_type, src_label, dst_label)
        written = 0
        for part, insert in _split(rows, new):
            if insert:
                pending = self._pending.setdefault(key, [])
                pending.append(part)
                written += len(part)
                if sum(len(p) for p in pending) >= self.rel_batch_rows:
                    self._insert_pending(key)
            else:
                for other in [k for k in self._pending if k[0] == rel_type]:
                    self._insert_pending(other)
                upsert = self.store.upsert_relationships
                written += self._call(upsert, rel_type, src_label, dst_label, part)
        return written

    def finish(self) -> None:
        self.file_done()
        if self._holding:
            self._call(self.store.release_relationship_inserts)
            self._holding = False
        if self._writer is not None:
            self._writer.drain()

    def file_done(self) -> None:
        """What a file gathered goes in before the next file: memory holds one file's, and
        a store holding relationship inserts copies the file's in one statement each."""
        for key in list(self._pending):
            self._insert_pending(key)
        if self._holding:
            self._submit(self._release_and_hold)

    def _release_and_hold(self) -> None:
        self.store.release_relationship_inserts()
        self.store.hold_relationship_inserts()

    def _insert_pending(self, key: tuple[str, str, str]) -> None:
        parts = self._pending.pop(key, [])
        if parts:
            batch = _concat(parts)
            self._submit(self.store.insert_new_relationships, *key, batch, rows=len(batch))

    def _submit(self, fn: Callable[..., Any], *args: Any, rows: int = 0) -> None:
        if self._writer is None:
            fn(*args)
        else:
            self._writer.submit(fn, *args, rows=rows)

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(*args) if self._writer is None else self._writer.call(fn, *args)


class _Writer:
    """One thread running calls in the order they were handed in; ``submit`` returns once
    the rows of the unfinished calls and the new one are at most ``rows_ahead`` (or none is
    unfinished), ``call`` once its own has run. A call without rows (the release of what
    the store holds) does not count."""

    def __init__(self, rows_ahead: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer")
        self._queued: deque[tuple[Future[Any], int]] = deque()
        self._rows_ahead = rows_ahead

    def submit(self, fn: Callable[..., Any], *args: Any, rows: int = 0) -> None:
        while self._queued and (
            self._queued[0][0].done() or self._unfinished_rows() + rows > self._rows_ahead
        ):
            self._queued.popleft()[0].result()  # raises what a write raised
        self._queued.append((self._pool.submit(fn, *args), rows))

    def _unfinished_rows(self) -> int:
        return sum(rows for future, rows in self._queued if not future.done())

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.drain()
        return self._pool.submit(fn, *args).result()

    def drain(self) -> None:
        """Wait for every call handed in; raise the first failure (the rest still run)."""
        failure: BaseException | None = None
        while self._queued:
            try:
                self._queued.popleft()[0].result()
            except BaseException as exc:  # noqa: BLE001 - re-raised below, first one wins
                failure = failure or exc
        if failure is not None:
            raise failure


def _concat(parts: list[ColumnRows]) -> ColumnRows:
    """Batches as one, in order; a column some batch lacks is null on its rows."""
    if len(parts) == 1:
        return parts[0]
    names = list(dict.fromkeys(name for part in parts for name in part.columns))
    return ColumnRows(
        {
            name: [value for part in parts for value in part.columns.get(name, [None] * len(part))]
            for name in names
        }
    )


def _split(rows: ColumnRows, new: Flags) -> list[tuple[ColumnRows, bool]]:
    """The new rows (to insert), then the others (to upsert after them)."""
    if new.all():
        return [(rows, True)]
    parts = []
    for wanted in (True, False):
        keep = np.flatnonzero(new == wanted).tolist()
        if len(keep):
            parts.append(
                (ColumnRows({k: [v[i] for i in keep] for k, v in rows.columns.items()}), wanted)
            )
    return parts


class _Run:
    """One ingest run's memory: the keys written so far, as 64-bit hashes (see ``uidset``).

    ``nodes[label]`` holds every uid written (or found stored) in this run: references
    resolve against it before the store is asked. A node keyed by value (an address, a
    phone) that the run already wrote is not written again, as nothing but its ``source``
    would change (at 20k businesses: 100k updates, each after a checkpoint on the embedded
    store); ``stored[label]`` keeps those of its uids found stored instead, which the run
    still updates. ``rels[type]`` holds the rids written: a rid not in it is new to a table
    that was empty, and is inserted without a probe.

    A hash collision can only make a new key look written: it is then upserted (the same
    result) or, keyed by value, not written; or a reference resolves that should not.
    Either way the write of a relationship to the missing end refuses it.
    """

    def __init__(self, sink: Sink, key: str, columnar: bool) -> None:
        self.sink = sink
        self.key = key
        self.columnar = columnar
        self.nodes: dict[str, HashSet] = {}
        self.stored: dict[str, HashSet] = {}
        self.rels: dict[str, HashSet] = {}
        #: Relationship types whose rids were let go (``keep_only``): their rows are
        #: upserted, as if the run had not written them.
        self.forgotten: set[str] = set()

    def keep_only(self, needed: frozenset[str]) -> None:
        """Let go of the rids of every relationship type that is not ``needed`` (no later
        file writes it): at 1M businesses the run's rids are about 0.5 GB (49 MB at 100k),
        nearly all of types the last files (listings, violations ...) do not write. Node
        keys stay: a reference resolves against them, and only a store sees what the run
        wrote."""
        for name in [name for name in self.rels if name not in needed]:
            del self.rels[name]
            self.forgotten.add(name)

    def file(
        self,
        mapping: FileMapping,
        path: Path,
        report: FileReport,
        provenance: dict[str, Any],
        quarantine_dir: Path,
        progress: ProgressHook | None,
        frames: Sequence[pd.DataFrame] | None = None,
    ) -> None:
        if frames is None:
            total, chunks = iter_chunks(path, CHUNK_ROWS)
        else:
            total, chunks = sum(len(f) for f in frames), iter(frames)
        offset = 2 if path.suffix == ".csv" else 1  # CSV: line numbers, header is line 1
        quarantine = _QuarantineWriter(quarantine_dir, path, mapping.name)
        tracker = ConflictTracker()
        start = 0
        for frame in chunks:
            frame.columns = [str(c) for c in frame.columns]
            rows = np.arange(start + offset, start + offset + len(frame), dtype=np.int64)
            if LINE in frame.columns:  # rows made from other input: its line numbers
                rows = frame[LINE].to_numpy(dtype=np.int64)
                frame = frame.drop(columns=[LINE])
            converted = convert_chunk(mapping, frame, rows, self.key, columnar=self.columnar)
            bad = {row: (name, reason) for row, name, reason in converted.bad}
            bad.update(self._resolve(converted, bad))
            report.read += len(frame)
            report.quarantined += len(bad)
            report.loaded += len(frame) - len(bad)
            if bad:
                quarantine.write(frame, rows, bad)
                for name, reason in bad.values():
                    kind = reason_kind(name, reason)
                    report.reasons[kind] = report.reasons.get(kind, 0) + 1
            gone = np.fromiter(bad, dtype=np.int64, count=len(bad))
            tracker.add(converted.nodes, gone)
            tracker.add(converted.rels, gone)
            nodes, rels = self._write(converted, bad, provenance)
            report.nodes_written += nodes
            report.relationships_written += rels
            start += len(frame)
            if progress:
                progress(mapping.name, start, max(total, start))
        self.sink.file_done()
        release_free_heap()  # a file's chunks are gone: the next file starts from a lower RSS
        if progress:
            progress(mapping.name, start, start)
        report.quarantine_file = quarantine.close()
        report.conflicts, listed = tracker.finish()
        report.repeats = tracker.repeats
        report.conflict_list = [{"file": path.name, **c.as_dict()} for c in listed]

    def _resolve(
        self, converted: Converted, refused: dict[int, tuple[str, str]]
    ) -> dict[int, tuple[str, str]]:
        """Rows naming an entity neither made by a loaded row nor stored, with the first
        such end (in the order the row asserts its relationships) as the reason."""
        unresolved: dict[int, tuple[str, str]] = {}
        while True:
            gone = np.fromiter(unresolved, dtype=np.int64, count=len(unresolved))
            made: dict[str, npt.NDArray[np.uint64]] = {}
            for batch in converted.nodes:
                keep = ~np.isin(batch.rows, gone)
                hashes = hash_keys(batch.columns["uid"][keep])
                made[batch.label] = sorted_unique(
                    np.concatenate([made.get(batch.label, _NO_HASHES), hashes])
                )
            failures: dict[int, tuple[int, int, str, str]] = {}
            for rel in converted.rels:
                keep = ~np.isin(rel.rows, gone)
                for end, (label, column) in enumerate(
                    ((rel.src_label, "src"), (rel.dst_label, "dst"))
                ):
                    uids = rel.columns[column][keep]
                    missing = self._missing(label, uids, made.get(label, _NO_HASHES))
                    for i in np.flatnonzero(missing):
                        row = int(rel.rows[keep][i])
                        failure = (
                            rel.order,
                            end,
                            rel.fields[end],
                            f"refers to a {label} that is not in the input or the store "
                            f"({uids[i]})",
                        )
                        if row not in failures or failure[:2] < failures[row][:2]:
                            failures[row] = failure
            if not failures:
                return unresolved
            for row, (_, _, name, reason) in failures.items():
                unresolved[row] = (name, reason)

    def _missing(
        self, label: str, uids: Objects, made: npt.NDArray[np.uint64]
    ) -> npt.NDArray[np.bool_]:
        if not len(uids):
            return np.zeros(0, dtype=bool)
        hashes = hash_keys(uids)
        known = self.nodes.setdefault(label, HashSet()).contains(hashes)
        known |= member(made, hashes)
        if known.all():
            return ~known
        asked = sorted({str(u) for u in uids[~known]})
        found = self.sink.stored(asked)
        if found:
            self.nodes[label].add(hash_keys(sorted(found)))
            if NODE_BY_LABEL[label].keyed_by_value:
                self.stored.setdefault(label, HashSet()).add(hash_keys(sorted(found)))
            known |= np.isin(uids, sorted(found))
        return ~known

    def _write(
        self, converted: Converted, bad: dict[int, tuple[str, str]], provenance: dict[str, Any]
    ) -> tuple[int, int]:
        gone = np.fromiter(bad, dtype=np.int64, count=len(bad))
        nodes = 0
        for (label,), (_, columns) in _gather(converted.nodes, gone, "uid").items():
            hashes = hash_keys(columns["uid"])
            seen = self.nodes.setdefault(label, HashSet())
            new = ~seen.contains(hashes)
            if NODE_BY_LABEL[label].keyed_by_value and not new.all():
                again = ~new & ~self.stored.get(label, HashSet()).contains(hashes)
                if again.any():  # written in this run, with the same properties
                    columns = {name: values[~again] for name, values in columns.items()}
                    hashes, new = hashes[~again], new[~again]
                    if not len(hashes):
                        continue
            seen.add(hashes)
            nodes += self.sink.write_nodes(label, _with(columns, provenance), new)
        rels = 0
        for key, (_, columns) in _gather(converted.rels, gone, "rid").items():
            rel_type, src_label, dst_label = key
            if rel_type in self.forgotten:
                new = np.zeros(len(columns["rid"]), dtype=bool)
            else:
                hashes = hash_keys(columns["rid"])
                seen = self.rels.setdefault(rel_type, HashSet())
                new = ~seen.contains(hashes)
                seen.add(hashes)
            rels += self.sink.write_rels(
                rel_type, src_label, dst_label, _with(columns, provenance), new
            )
        return nodes, rels


_NO_HASHES: npt.NDArray[np.uint64] = np.zeros(0, dtype=np.uint64)


def _gather(
    batches: Sequence[NodeBatch] | Sequence[RelBatch], gone: Rows, key: str
) -> dict[tuple[str, ...], tuple[Rows, dict[str, Objects]]]:
    """Batches of one label (or relationship type and pair) as one, without the rows in
    ``gone``, in row order, the last row of each key kept (as upserting them in order)."""
    groups: dict[tuple[str, ...], list[NodeBatch | RelBatch]] = {}
    for batch in batches:
        group: tuple[str, ...] = (
            (batch.label,)
            if isinstance(batch, NodeBatch)
            else (batch.type, batch.src_label, batch.dst_label)
        )
        groups.setdefault(group, []).append(batch)
    out: dict[tuple[str, ...], tuple[Rows, dict[str, Objects]]] = {}
    for group, members in groups.items():
        names: dict[str, None] = {}
        for b in members:
            names.update(dict.fromkeys(b.columns))
        rows = np.concatenate([b.rows for b in members])
        columns = {
            name: np.concatenate(
                [b.columns.get(name, np.full(len(b.rows), None, dtype=object)) for b in members]
            )
            for name in names
        }
        keep = ~np.isin(rows, gone) if len(gone) else np.ones(len(rows), dtype=bool)
        order = np.flatnonzero(keep)
        order = order[np.argsort(rows[order], kind="stable")]
        last = ~pd.Series(columns[key][order]).duplicated(keep="last").to_numpy()
        order = order[last]
        if len(order):
            out[group] = (rows[order], {k: v[order] for k, v in columns.items()})
    return out


def _with(columns: dict[str, Objects], provenance: dict[str, Any]) -> ColumnRows:
    """Columns as ``ColumnRows`` with provenance (the same on every row) overriding."""
    n = len(columns[next(iter(columns))])
    out: dict[str, list[Any]] = {k: v.tolist() for k, v in columns.items() if k not in provenance}
    for name, value in provenance.items():
        out[name] = [value] * n
    return ColumnRows(out)


_MASK = Redactor(mask=True)


class _QuarantineWriter:
    """A file's refused rows, written as they come (row order), personal ids masked."""

    def __init__(self, directory: Path, path: Path, kind: str) -> None:
        self.directory = directory
        self.path = path
        self.kind = kind
        self.target: Path | None = None
        self._handle: Any = None
        self._writer: Any = None
        self._columns: list[str] = []

    def write(self, frame: pd.DataFrame, rows: Rows, bad: dict[int, tuple[str, str]]) -> None:
        if self._writer is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self.target = self.directory / f"{self.path.stem}.quarantine.csv"
            self._handle = self.target.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._handle)
            self._columns = [str(c) for c in frame.columns]
            self._writer.writerow(["_row", "_field", "_reason", *self._columns])
        values = frame.to_numpy(dtype=object)
        position = {int(r): i for i, r in enumerate(rows.tolist()) if int(r) in bad}
        for row in sorted(bad):
            name, reason = bad[row]
            record = dict(zip(self._columns, values[position[row]], strict=True))
            masked = mask_personal_ids(self.kind, record)
            cells = (masked.get(c, "") for c in self._columns)
            # Any other cell (a name, an address, a note) holding an id number: masked too.
            self._writer.writerow(
                [row, name, _MASK(reason), *("" if c is None else _MASK(str(c)) for c in cells)]
            )

    def close(self) -> str | None:
        if self._handle is not None:
            self._handle.close()
        return str(self.target) if self.target else None
