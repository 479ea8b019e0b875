"""Reading input files into pandas: CSV in UTF-8, UTF-8 with BOM or GBK, or Parquet; every
column as Python strings ('' for a missing value), which the converters read as they are."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pandas as pd

from graph.errors import InvalidInput

__all__ = ["ENCODINGS", "detect_encoding", "find_input", "iter_chunks", "read_table"]

#: How every CSV is read: Python strings (pandas 3 makes ``dtype=str`` Arrow-backed, and
#: the converters would turn each column back), '' for an empty field.
_CSV_OPTIONS: dict[str, Any] = {
    "dtype": object,
    "keep_default_na": False,
    "skipinitialspace": True,
}

#: Tried in order; ``utf-8-sig`` also reads plain UTF-8 and strips a BOM.
ENCODINGS = ("utf-8-sig", "gb18030")


def find_input(directory: Path, name: str) -> Path | None:
    """The file for kind ``name`` in ``directory`` (``.csv`` or ``.parquet``), if any."""
    for suffix in (".csv", ".parquet"):
        candidate = directory / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def read_table(path: Path) -> pd.DataFrame:
    """Every column as text (empty string for a missing value), whatever the encoding."""
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        return frame.astype("string").fillna("").astype(object)
    raw = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return cast(pd.DataFrame, pd.read_csv(path, encoding=encoding, **_CSV_OPTIONS))
        except (pd.errors.ParserError, ValueError) as exc:
            raise InvalidInput(f"cannot parse as CSV: {exc}", file=path.name) from exc
    raise InvalidInput("not readable as UTF-8 (with or without BOM) or GBK/GB18030", file=path.name)


def detect_encoding(path: Path) -> tuple[str, int]:
    """The first of ``ENCODINGS`` the whole file decodes in, and its line count, read in
    blocks (memory does not grow with the file)."""
    import codecs

    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        try:
            with path.open("rb") as handle:
                while block := handle.read(1 << 22):
                    decoder.decode(block)
                    lines += block.count(b"\n")
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, lines
    raise InvalidInput("not readable as UTF-8 (with or without BOM) or GBK/GB18030", file=path.name)


def iter_chunks(path: Path, rows: int) -> tuple[int, Iterator[pd.DataFrame]]:
    """An estimate of the rows in ``path`` and its rows in frames of at most ``rows``,
    read as ``read_table`` reads them (every column as text, '' for a missing value)."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)

        def batches() -> Iterator[pd.DataFrame]:
            for batch in parquet.iter_batches(batch_size=rows):
                yield batch.to_pandas().astype("string").fillna("").astype(object)

        return parquet.metadata.num_rows, batches()
    encoding, lines = detect_encoding(path)

    def frames() -> Iterator[pd.DataFrame]:
        try:
            with pd.read_csv(path, encoding=encoding, chunksize=rows, **_CSV_OPTIONS) as reader:
                yield from reader
        except (pd.errors.ParserError, ValueError) as exc:
            raise InvalidInput(f"cannot parse as CSV: {exc}", file=path.name) from exc

    return max(lines - 1, 0), frames()
