"""Duplicate keys with different values within one input file, reported, not hidden.

Rule (deterministic, documented in docs/formats.md): within a file, **the last row in file
order wins** — rows are upserted in order, so a later row with the same key (a node's uid,
a relationship's rid) replaces an earlier one. Every replacement that changes a value is
listed in the reconciliation: the key, the row that won, the row it replaced and the
fields that differed. Rows that repeat a key with the same values are harmless repeats
and are only counted.

Keys and values are kept as 64-bit hashes per row of the file (8 bytes per field and row),
spilled chunk by chunk to a temporary directory, and compared once at the end of the file:
only the key hashes come back into memory whole (8 bytes a row), then the rows of keys
that repeat. A key's text is kept only once it repeats (to name it in the report). So
memory does not grow with the file: at a million businesses ``waybills.csv`` holds ten
million rows, several hash columns each. Nodes whose values follow from their key
(addresses, phones, e-mails) are not tracked.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from graph.schema import NODE_BY_LABEL
from ingest.columnar import NodeBatch, Objects, RelBatch
from ingest.uidset import HashSet, hash_keys

__all__ = ["Conflict", "ConflictTracker", "MAX_LISTED"]

#: Conflicts listed per file in the report (all are counted).
MAX_LISTED = 1000


@dataclass(frozen=True)
class Conflict:
    """A key asserted again with other values: ``row`` won over ``replaced_row``."""

    kind: str
    key: str
    row: int
    replaced_row: int
    fields: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON form for the report."""
        return {
            "kind": self.kind,
            "key": self.key,
            "won_row": self.row,
            "replaced_row": self.replaced_row,
            "fields": list(self.fields),
        }


@dataclass
class _Part:
    """One chunk's rows of one kind, on disk: key hashes, row numbers, value hashes."""

    path: Path
    columns: list[str]


@dataclass
class _Seen:
    columns: list[str]
    parts: list[_Part] = field(default_factory=list)
    #: every key hash so far, to notice a repeat as it arrives
    known: HashSet = field(default_factory=HashSet)
    #: the text of each key that repeats, by its hash
    names: dict[int, str] = field(default_factory=dict)


class ConflictTracker:
    """Collects one file's keys and value hashes chunk by chunk; ``finish`` compares."""

    def __init__(self) -> None:
        self._seen: dict[str, _Seen] = {}
        self._spill: tempfile.TemporaryDirectory[str] | None = None
        self._parts = 0
        self.repeats = 0

    def add(self, batches: list[NodeBatch] | list[RelBatch], gone: npt.NDArray[np.int64]) -> None:
        """Record the loaded rows of a chunk's batches (``gone``: rows not loaded)."""
        for batch in batches:
            if isinstance(batch, NodeBatch):
                if NODE_BY_LABEL[batch.label].keyed_by_value:  # a repeat cannot differ
                    continue
                kind, key = batch.label, "uid"
            else:
                kind, key = batch.type, "rid"
            keep = ~np.isin(batch.rows, gone) if len(gone) else np.ones(len(batch.rows), bool)
            if not keep.any():
                continue
            names = sorted(n for n in batch.columns if n not in (key, "src", "dst"))
            seen = self._seen.setdefault(kind, _Seen(names))
            if seen.columns != names:  # the same kind with other fields: compare the common
                seen.columns = [n for n in seen.columns if n in names]
            matrix = np.zeros((int(keep.sum()), len(names)), dtype=np.uint64)
            for j, name in enumerate(names):
                matrix[:, j] = _hash_values(batch.columns[name][keep])
            keys = batch.columns[key][keep]
            hashed = hash_keys(keys)
            again = (
                seen.known.contains(hashed) | pd.Series(hashed).duplicated(keep=False).to_numpy()
            )
            for i in np.flatnonzero(again):
                seen.names[int(hashed[i])] = str(keys[i])
            seen.known.add(hashed)
            seen.parts.append(self._write_part(hashed, batch.rows[keep], matrix, names))

    def _write_part(
        self,
        keys: npt.NDArray[np.uint64],
        rows: npt.NDArray[np.int64],
        matrix: npt.NDArray[np.uint64],
        columns: list[str],
    ) -> _Part:
        if self._spill is None:
            self._spill = tempfile.TemporaryDirectory(prefix="credgraph-conflicts-")
        path = Path(self._spill.name) / f"{self._parts}.npz"
        self._parts += 1
        np.savez(path, keys=keys, rows=rows, hashes=matrix)
        return _Part(path, columns)

    def finish(self) -> tuple[int, list[Conflict]]:
        """(number of conflicts, the first ``MAX_LISTED`` of them in row order)."""
        found: list[Conflict] = []
        total = 0
        try:
            for kind, seen in self._seen.items():
                if not seen.parts:
                    continue
                key_hash, rows, hashes = _repeated_rows(seen)
                if not len(key_hash):
                    continue
                order = np.lexsort((rows, key_hash))
                same_key = key_hash[order][1:] == key_hash[order][:-1]
                later, earlier = order[1:][same_key], order[:-1][same_key]
                differs = hashes[later] != hashes[earlier]
                changed = differs.any(axis=1) if len(seen.columns) else np.zeros(len(later), bool)
                self.repeats += int((~changed).sum())
                total += int(changed.sum())
                for i in np.flatnonzero(changed):
                    if len(found) >= MAX_LISTED:
                        break
                    fields = tuple(n for j, n in enumerate(seen.columns) if differs[i, j])
                    found.append(
                        Conflict(
                            kind,
                            seen.names[int(key_hash[later[i]])],
                            int(rows[later[i]]),
                            int(rows[earlier[i]]),
                            fields,
                        )
                    )
        finally:
            self._seen.clear()
            if self._spill is not None:
                self._spill.cleanup()
                self._spill = None
        found.sort(key=lambda c: (c.row, c.kind))
        return total, found


def _repeated_rows(
    seen: _Seen,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
    """The key hashes, row numbers and value hashes (the columns every part has) of the
    rows whose key occurs more than once: all keys are read back, then only those rows."""
    every = np.concatenate([np.load(part.path)["keys"] for part in seen.parts])
    ordered = np.sort(every)
    del every
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered
    keys, rows, hashes = [], [], []
    for part in seen.parts:
        with np.load(part.path) as data:
            mask = np.isin(data["keys"], repeated)
            if not mask.any():
                continue
            at = [part.columns.index(name) for name in seen.columns]
            keys.append(data["keys"][mask])
            rows.append(data["rows"][mask])
            hashes.append(data["hashes"][mask][:, at])
    if not keys:
        empty = np.zeros(0, dtype=np.uint64)
        return empty, np.zeros(0, dtype=np.int64), np.zeros((0, len(seen.columns)), np.uint64)
    return np.concatenate(keys), np.concatenate(rows), np.concatenate(hashes)


def _hash_values(values: Objects) -> npt.NDArray[np.uint64]:
    """A hash per value (computed once per distinct value); None and NaN hash alike."""
    try:
        return np.asarray(pd.util.hash_array(values, categorize=True), dtype=np.uint64)
    except TypeError:  # values of mixed types: by their text
        pass
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    text = np.asarray(
        ["\x00" if v is None or (isinstance(v, float) and v != v) else repr(v) for v in uniques],
        dtype=object,
    )
    hashed = np.asarray(pd.util.hash_array(text, categorize=False), dtype=np.uint64)
    return np.asarray(hashed[codes], dtype=np.uint64)
