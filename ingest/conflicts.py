"""Duplicate keys with different values within one input file, reported, not hidden.

Rule (deterministic, documented in docs/formats.md): within a file, **the last row in file
order wins** — rows are upserted in order, so a later row with the same key (a node's uid,
a relationship's rid) replaces an earlier one. Every replacement that changes a value is
listed in the reconciliation: the key, the row that won, the row it replaced and the
fields that differed. Rows that repeat a key with the same values are harmless repeats
and are only counted.

Keys and values are kept as 64-bit hashes per row of the file (8 bytes per field and row)
and compared once at the end of the file; a key's text is kept only once it repeats (to
name it in the report), so memory does not hold every key of a large file. Nodes whose
values follow from their key (addresses, phones, e-mails) are not tracked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ingest.columnar import NodeBatch, Objects, RelBatch
from ingest.uidset import HashSet, hash_keys

__all__ = ["Conflict", "ConflictTracker", "MAX_LISTED"]

#: Conflicts listed per file in the report (all are counted).
MAX_LISTED = 1000

#: Labels whose properties are a function of the uid: a repeat cannot differ.
_DERIVED = frozenset({"Address", "Phone", "Email"})


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
class _Seen:
    columns: list[str]
    keys: list[npt.NDArray[np.uint64]] = field(default_factory=list)
    rows: list[npt.NDArray[np.int64]] = field(default_factory=list)
    hashes: list[npt.NDArray[np.uint64]] = field(default_factory=list)
    #: every key hash so far, to notice a repeat as it arrives
    known: HashSet = field(default_factory=HashSet)
    #: the text of each key that repeats, by its hash
    names: dict[int, str] = field(default_factory=dict)


class ConflictTracker:
    """Collects one file's keys and value hashes chunk by chunk; ``finish`` compares."""

    def __init__(self) -> None:
        self._seen: dict[str, _Seen] = {}
        self.repeats = 0

    def add(self, batches: list[NodeBatch] | list[RelBatch], gone: npt.NDArray[np.int64]) -> None:
        """Record the loaded rows of a chunk's batches (``gone``: rows not loaded)."""
        for batch in batches:
            if isinstance(batch, NodeBatch):
                if batch.label in _DERIVED:
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
                names = [n for n in seen.columns if n in batch.columns]
                seen.columns = names
                seen.hashes = [h[:, : len(names)] for h in seen.hashes]
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
            seen.keys.append(hashed)
            seen.rows.append(batch.rows[keep])
            seen.hashes.append(matrix)

    def finish(self) -> tuple[int, list[Conflict]]:
        """(number of conflicts, the first ``MAX_LISTED`` of them in row order)."""
        found: list[Conflict] = []
        total = 0
        for kind, seen in self._seen.items():
            if not seen.keys:
                continue
            key_hash = np.concatenate(seen.keys)
            rows = np.concatenate(seen.rows)
            hashes = np.concatenate(seen.hashes)
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
        self._seen.clear()
        found.sort(key=lambda c: (c.row, c.kind))
        return total, found


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
