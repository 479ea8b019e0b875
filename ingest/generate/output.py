"""What is written: the input files' documented columns (:data:`COLUMNS`, in the order of
docs/formats.md, which is the load order) and :class:`Output`, which writes each file as CSV or
Parquet chunk by chunk, slips the bad rows in, and writes ``ground_truth.json``."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ingest.generate.bad_rows import BAD_ROWS
from ingest.generate.columns import IntArr, array
from ingest.generate.context import Gen

__all__ = [
    "COLUMNS",
    "INPUT_FILES",
    "OPTIONAL_COLUMNS",
    "Output",
    "table",
]


COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "businesses": (
            "business_id",
            "name",
            "status",
            "established",
            "registered_capital",
            "region",
            "address",
            "phone",
            "email",
        ),
        "people": ("person_id", "name", "id_type", "region", "phone", "email"),
        "roles": ("person_id", "business_id", "role", "since", "until"),
        "shareholdings": ("holder_type", "holder_id", "business_id", "share", "since", "until"),
        "stores": (
            "store_id",
            "name",
            "operator_type",
            "operator_id",
            "opened",
            "status",
            "region",
            "ship_from_address",
            "phone",
        ),
        "brands": ("brand_id", "name", "owner_type", "owner_id"),
        "accounts": ("account_id", "created", "phone"),
        "waybills": (
            "waybill_id",
            "weight_kg",
            "shipped",
            "delivered",
            "receiver_address",
            "receiver_phone",
        ),
        "orders": ("order_id", "account_id", "store_id", "placed", "amount", "waybill_id"),
        "listings": (
            "listing_id",
            "subject_type",
            "subject_id",
            "list_type",
            "authority",
            "decided",
            "expires",
            "removed",
            "removal_reason",
            "legal_basis",
            "region",
        ),
        "violations": (
            "violation_id",
            "subject_type",
            "subject_id",
            "kind",
            "authority",
            "decided",
            "case_no",
            "penalty",
            "amount",
            "legal_basis",
            "region",
        ),
        "infringement_reports": (
            "report_id",
            "store_id",
            "brand_id",
            "complainant",
            "status",
            "filed",
            "evidence",
        ),
        "licences": (
            "business_id",
            "licence_type",
            "licence_no",
            "authority",
            "issued",
            "expires",
            "status",
        ),
    }
)
"""Columns of every input file, in the order of docs/formats.md (which is the load order)."""

INPUT_FILES: tuple[str, ...] = tuple(COLUMNS)

OPTIONAL_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"orders": ("rating", "reviewed"), "people": ("address",)}
)
"""Documented columns written only when asked for (reviews: ``BrushingParams(reviews=True)``)."""


def _documented(name: str, columns: tuple[str, ...]) -> bool:
    """The documented columns, optionally followed by all of the file's optional ones."""
    return columns in (COLUMNS[name], COLUMNS[name] + OPTIONAL_COLUMNS.get(name, ()))


class Output:
    """Writes each file as it is produced (chunk by chunk), slipping in the bad rows."""

    def __init__(self, g: Gen, out_dir: Path, fmt: str, bad_rate: float) -> None:
        self.g = g
        self.out_dir = out_dir
        self.fmt = fmt
        self.bad_rate = bad_rate
        self.files: dict[str, Path] = {}
        self.rows: dict[str, int] = {}
        self.bad: list[dict[str, Any]] = []

    def write_ground_truth(self, truth: Mapping[str, Any]) -> Path:
        """Write ``ground_truth.json``: ``truth`` and the bad rows placed, by file and row."""
        bad = sorted(self.bad, key=lambda b: (INPUT_FILES.index(b["file"]), b["row"]))
        path = self.out_dir / "ground_truth.json"
        text = json.dumps({**truth, "bad_rows": bad}, ensure_ascii=False, indent=1)
        path.write_text(text, encoding="utf-8")
        return path

    def emit(
        self,
        name: str,
        chunks: Iterable[pa.Table],
        total: int | None = None,
        shuffle: bool = False,
    ) -> None:
        """Write ``name`` from its chunks (``total`` valid rows; default: one chunk).

        ``shuffle`` permutes a one-chunk file so that planted groups are not contiguous.
        """
        rng = self.g.rng
        parts = iter(chunks)
        first = next(parts)
        if shuffle:
            first = first.take(array(rng.permutation(first.num_rows)))
        if not _documented(name, tuple(first.column_names)):
            raise AssertionError(f"{name}: columns {first.column_names} != {COLUMNS[name]}")
        total = first.num_rows if total is None else total
        schema = first.schema
        path = self.out_dir / f"{name}.{self.fmt}"
        writer: Any
        if self.fmt == "csv":
            options = pa_csv.WriteOptions(quoting_style="needed")
            writer = pa_csv.CSVWriter(path, schema, write_options=options)
        else:
            writer = pq.ParquetWriter(path, schema)
        bad = self._bad_rows(name, first, total)
        # the i-th bad row goes just before valid row ins[i] (ins is non-decreasing)
        ins = np.empty(0, dtype=np.int64)
        if bad is not None:
            nb = bad.num_rows
            pos = np.sort(rng.choice(total + nb, size=nb, replace=False))
            ins = pos - np.arange(nb)
        done = used = written = 0  # valid rows read, bad rows placed, rows written
        with writer:
            for part in itertools.chain([first], parts):
                chunk = part.cast(schema)
                upto = int(np.searchsorted(ins, done + chunk.num_rows, side="left"))
                done += chunk.num_rows
                if bad is not None and upto > used:
                    chunk = self._merge(
                        name, chunk, bad, ins[used:upto] - (done - part.num_rows), used, written
                    )
                    used = upto
                writer.write_table(chunk)
                written += chunk.num_rows
            if bad is not None and used < bad.num_rows:  # bad rows after the last valid one
                tail = self._merge(name, bad.slice(0, 0), bad, ins[used:] - done, used, written)
                writer.write_table(tail)
                written += tail.num_rows
        self.files[name] = path
        self.rows[name] = written

    def _bad_rows(self, name: str, template: pa.Table, total: int) -> pa.Table | None:
        if self.bad_rate <= 0 or name not in BAD_ROWS:
            return None
        k = max(1, round(self.bad_rate * total))
        rows = template.take(array(self.g.rng.integers(0, template.num_rows, k)))
        cols = {c: rows.column(c).combine_chunks() for c in rows.column_names}
        BAD_ROWS[name][2](self.g, cols, k)
        return pa.table(cols).cast(template.schema)

    def _merge(
        self, name: str, chunk: pa.Table, bad: pa.Table, before: IntArr, lo: int, written: int
    ) -> pa.Table:
        """Put bad rows lo, lo+1 ... before the chunk's valid rows ``before`` (local)."""
        field_, kind, _ = BAD_ROWS[name]
        m, nb = chunk.num_rows, len(before)
        local = before + np.arange(nb)  # positions inside the merged chunk
        is_bad = np.zeros(m + nb, dtype=bool)
        is_bad[local] = True
        idx = np.empty(m + nb, dtype=np.int64)
        idx[~is_bad] = np.arange(m)
        idx[is_bad] = m + np.arange(nb)
        merged = pa.concat_tables([chunk, bad.slice(lo, nb)]).take(array(idx))
        values = bad.column(field_).slice(lo, nb).to_pylist()
        self.bad.extend(
            {"file": name, "row": written + int(p), "field": field_, "kind": kind, "value": v}
            for p, v in zip(local.tolist(), values, strict=True)
        )
        return merged


def table(name: str, cols: Mapping[str, pa.Array]) -> pa.Table:
    """A table of ``name`` from its columns, refusing columns other than the documented ones."""
    if not _documented(name, tuple(cols)):
        raise AssertionError(f"{name}: built {tuple(cols)}, documented {COLUMNS[name]}")
    return pa.table(dict(cols))
