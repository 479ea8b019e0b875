"""The ingest run: read each file, validate, quarantine bad rows, upsert the rest.

Every row read is either loaded or quarantined with its reason (file, row, field), and
the run ends with that reconciliation per file. Re-running the same input writes the same
graph: nodes are keyed by uid and relationships by a rid derived from their content.
"""

from __future__ import annotations

import csv
import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.cypher import ColumnRows
from graph.errors import InvalidInput
from graph.redact import Redactor
from graph.store import GraphStore
from ingest.mappings import MAPPINGS, Emitted, FileMapping, NodeOut, RelOut
from ingest.readers import find_input, read_table

__all__ = ["FileReport", "IngestReport", "ProgressHook", "check_headers", "ingest_directory"]

#: Rows converted and written together: bounds memory on large files, and large enough
#: that the embedded store's bulk path (probe + COPY) pays off per write.
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


@dataclass
class _Quarantined:
    row: int
    field: str
    reason: str
    values: dict[str, str]


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
) -> IngestReport:
    """Load every input file in ``directory`` into ``store``; see the module docstring."""
    files = check_headers(directory)
    # Provenance travels as ISO text: the same value on every row, encoded once.
    seen_at = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0).isoformat()
    run_id = _run_id(files.values(), seen_at)
    report = IngestReport(run_id=run_id, directory=str(directory))
    store.create_schema()
    resolver = _Resolver(store)
    for mapping in MAPPINGS:
        path = files.get(mapping.name)
        file_report = FileReport(mapping.name, str(path) if path else None)
        report.files.append(file_report)
        if path is None:
            continue
        _ingest_file(
            store,
            mapping,
            path,
            file_report,
            resolver,
            id_hash_key,
            {"source": path.name, "run_id": run_id, "first_seen": seen_at, "last_seen": seen_at},
            quarantine_dir / run_id,
            progress,
        )
    return report


def _run_id(paths: Iterable[Path], at: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(str(path.stat().st_size).encode())
    stamp = at.replace("-", "").replace(":", "")
    return f"{stamp}-{digest.hexdigest()[:8]}-{uuid.uuid4().hex[:4]}"


class _Resolver:
    """Knows which uids exist: made earlier in this run, or already in the store."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.known: set[str] = set()

    def missing(self, uids: set[str]) -> set[str]:
        unknown = uids - self.known
        if not unknown:
            return set()
        found = {n.uid for n in self.store.get_nodes(sorted(unknown))}
        self.known |= found
        return unknown - found


def _ingest_file(
    store: GraphStore,
    mapping: FileMapping,
    path: Path,
    report: FileReport,
    resolver: _Resolver,
    key: str,
    provenance: dict[str, Any],
    quarantine_dir: Path,
    progress: ProgressHook | None,
) -> None:
    frame = read_table(path)
    total = len(frame)
    report.read = total
    quarantined: list[_Quarantined] = []
    offset = 2 if path.suffix == ".csv" else 1  # CSV: line numbers, header is line 1
    names = [str(c) for c in frame.columns]
    values_of = [frame[c].tolist() for c in frame.columns]
    del frame
    for start in range(0, total, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, total)
        chunk = [
            dict(zip(names, values, strict=True))
            for values in zip(*(column[start:stop] for column in values_of), strict=True)
        ]
        good: list[tuple[int, dict[str, str], Emitted]] = []
        convert = mapping.convert
        for i, values in enumerate(chunk):
            row_no = start + i + offset
            try:
                good.append((row_no, values, convert(values, key)))
            except InvalidInput as exc:
                quarantined.append(_Quarantined(row_no, exc.field or "", exc.reason, values))
        made = {node.props["uid"] for _, _, out in good for node in out.nodes}
        resolver.known |= made
        refs = {
            end
            for _, _, out in good
            for rel in out.rels
            for end in (rel.props["src"], rel.props["dst"])
        }
        unresolved = resolver.missing(refs)
        nodes: dict[tuple[str, str], NodeOut] = {}
        rels: dict[str, list[RelOut]] = {}
        for row_no, values, out in good:
            bad = _unresolved_reference(out, unresolved)
            if bad is not None:
                quarantined.append(_Quarantined(row_no, bad[0], bad[1], values))
                continue
            report.loaded += 1
            for node in out.nodes:
                nodes[(node.label, node.props["uid"])] = node
            for rel in out.rels:
                rels.setdefault(f"{rel.type}|{rel.src_label}|{rel.dst_label}", []).append(rel)
        report.nodes_written += _write_nodes(store, nodes.values(), provenance)
        report.relationships_written += _write_rels(store, rels, provenance)
        if progress:
            progress(mapping.name, min(start + CHUNK_ROWS, total), total)
    report.quarantined = len(quarantined)
    if quarantined:
        report.quarantine_file = str(
            _write_quarantine(quarantine_dir, path, names, quarantined, Redactor(key))
        )


def _unresolved_reference(out: Emitted, unresolved: set[str]) -> tuple[str, str] | None:
    if not unresolved:
        return None
    for rel in out.rels:
        for end, label, column in (
            (rel.props["src"], rel.src_label, rel.fields[0]),
            (rel.props["dst"], rel.dst_label, rel.fields[1]),
        ):
            if end in unresolved:
                return column, f"refers to a {label} that is not in the input or the store ({end})"
    return None


def _write_nodes(store: GraphStore, nodes: Iterable[NodeOut], provenance: dict[str, Any]) -> int:
    by_label: dict[str, list[dict[str, Any]]] = {}
    for node in nodes:
        by_label.setdefault(node.label, []).append(node.props)
    return sum(
        store.upsert_nodes(label, _columns(rows, provenance)) for label, rows in by_label.items()
    )


def _write_rels(
    store: GraphStore, rels: dict[str, list[RelOut]], provenance: dict[str, Any]
) -> int:
    written = 0
    for group_key, group in rels.items():
        rel_type, src_label, dst_label = group_key.split("|")
        rows = list({rel.props["rid"]: rel.props for rel in group}.values())
        written += store.upsert_relationships(
            rel_type, src_label, dst_label, _columns(rows, provenance)
        )
    return written


def _columns(rows: list[dict[str, Any]], provenance: dict[str, Any]) -> ColumnRows:
    """Rows as columns, provenance (the same on every row) overriding; a key missing from a
    row is null there, as it would be in the row itself."""
    names = set().union(*{tuple(row) for row in rows}) - provenance.keys()
    columns: dict[str, list[Any]] = {name: [row.get(name) for row in rows] for name in names}
    for name, value in provenance.items():
        columns[name] = [value] * len(rows)
    return ColumnRows(columns)


def _write_quarantine(
    directory: Path,
    path: Path,
    columns: list[str],
    rows: list[_Quarantined],
    redact: Redactor,
) -> Path:
    """The rejected rows with their reasons; an id number in any cell is written as the
    person's uid (the keyed hash), never in clear."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{path.stem}.quarantine.csv"
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["_row", "_field", "_reason", *columns])
        for item in sorted(rows, key=lambda q: q.row):
            cells = [item.values.get(c, "") for c in columns]
            writer.writerow(
                [
                    item.row,
                    item.field,
                    redact(item.reason),
                    *("" if c is None else redact(str(c)) for c in cells),
                ]
            )
    return target
