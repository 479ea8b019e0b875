"""Reading input files into pandas: CSV in UTF-8, UTF-8 with BOM or GBK, or Parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from graph.errors import InvalidInput

__all__ = ["ENCODINGS", "find_input", "read_table"]

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
            return pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
                skipinitialspace=True,
            )
        except (pd.errors.ParserError, ValueError) as exc:
            raise InvalidInput(f"cannot parse as CSV: {exc}", file=path.name) from exc
    raise InvalidInput("not readable as UTF-8 (with or without BOM) or GBK/GB18030", file=path.name)
