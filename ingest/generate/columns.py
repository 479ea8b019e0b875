"""Small vectorised helpers shared by every part of the generator.

pyarrow string columns built from numpy arrays (:func:`take` from a vocabulary,
:func:`concat`, :func:`numstr`, ISO dates and timestamps, masks with :func:`where`) and
numpy helpers (:func:`later_dups`, :class:`Unique` numbers, :func:`probabilities`,
:func:`group_sizes`). Randomness only comes in through the generator handed to them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "BoolArr",
    "FloatArr",
    "IntArr",
    "Unique",
    "array",
    "concat",
    "const",
    "floats",
    "group_sizes",
    "iso_dates",
    "iso_times",
    "later_dups",
    "nulls",
    "numstr",
    "probabilities",
    "str_list",
    "strings",
    "take",
    "where",
]


IntArr = npt.NDArray[np.int64]
FloatArr = npt.NDArray[np.float64]
BoolArr = npt.NDArray[np.bool_]


def array(values: Any, type: pa.DataType | None = None, mask: Any = None) -> pa.Array:
    """``pa.array`` that never returns a ChunkedArray (it does for large bytes arrays)."""
    out = pa.array(values, type=type, mask=mask)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def strings(values: Sequence[str]) -> pa.Array:
    """A string column of ``values``."""
    return array(list(values), type=pa.string())


def take(vocab: pa.Array, idx: npt.ArrayLike) -> pa.Array:
    """``vocab[idx]`` as a column."""
    return vocab.take(array(np.asarray(idx, dtype=np.int64)))


def concat(*parts: Any) -> pa.Array:
    """Element-wise concatenation of string columns and scalars."""
    return pc.binary_join_element_wise(*parts, "")


def numstr(x: npt.ArrayLike, width: int = 0) -> pa.Array:
    """Integers as decimal strings, left-padded with zeros to ``width``."""
    out = array(np.asarray(x, dtype=np.int64)).cast(pa.string())
    return pc.utf8_lpad(out, width, "0") if width else out


def iso_dates(days: npt.ArrayLike) -> pa.Array:
    """Days since the epoch as ``YYYY-MM-DD`` strings."""
    arr = array(np.asarray(days, dtype=np.int32), type=pa.int32())
    return arr.cast(pa.date32()).cast(pa.string())


def iso_times(secs: npt.ArrayLike) -> pa.Array:
    """Seconds since the epoch as ``YYYY-MM-DDTHH:MM:SS`` strings."""
    arr = array(np.asarray(secs, dtype=np.int64).astype("datetime64[s]"))
    return pc.replace_substring(arr.cast(pa.string()), " ", "T", max_replacements=1)


def where(keep: npt.ArrayLike, arr: pa.Array, other: Any = None) -> pa.Array:
    """``arr`` where ``keep``, else ``other`` (null by default)."""
    if other is None:
        other = pa.scalar(None, type=arr.type)
    return pc.if_else(array(np.asarray(keep, dtype=bool)), arr, other)


def nulls(n: int) -> pa.Array:
    """``n`` null strings."""
    return pa.nulls(n, type=pa.string())


def const(n: int, value: str) -> pa.Array:
    """``n`` times ``value``."""
    return array(np.full(n, value, dtype=object), type=pa.string())


def floats(x: npt.ArrayLike, keep: npt.ArrayLike | None = None) -> pa.Array:
    """A float column, null where ``keep`` is false."""
    vals = np.asarray(x, dtype=np.float64)
    if keep is None:
        return array(vals, type=pa.float64())
    return array(vals, type=pa.float64(), mask=~np.asarray(keep, dtype=bool))


def later_dups(keys: npt.NDArray[Any]) -> BoolArr:
    """Mark every occurrence of a key except its first (in index order)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    dup = np.zeros(len(keys), dtype=bool)
    dup[order[1:]] = sorted_keys[1:] == sorted_keys[:-1]
    return dup


def str_list(arr: pa.Array, idx: npt.ArrayLike) -> list[str]:
    """``arr[idx]`` as a list of Python strings (for the ground truth)."""
    return [str(v) for v in take(arr, idx).to_pylist()]


class Unique:
    """Hands out integers never handed out before (phones, id serials, shop numbers)."""

    def __init__(self, rng: np.random.Generator, draw: Callable[[int], IntArr]) -> None:
        self._rng = rng
        self._draw = draw
        self._chunks: list[IntArr] = []  # sorted; searched, never merged (merging re-sorts)

    def take(self, k: int) -> IntArr:
        """``k`` numbers, distinct from each other and from all handed out before."""
        out = self._draw(k).astype(np.int64)
        todo = np.arange(k)
        while len(todo):
            bad = np.zeros(k, dtype=bool)
            bad[todo] = self._seen(out[todo])
            bad |= later_dups(out)
            todo = np.flatnonzero(bad)
            out[todo] = self._draw(len(todo))
        if k:
            self._chunks.append(np.sort(out))
        return out

    def _seen(self, values: IntArr) -> BoolArr:
        seen = np.zeros(len(values), dtype=bool)
        for chunk in self._chunks:
            pos = np.minimum(np.searchsorted(chunk, values), len(chunk) - 1)
            seen |= chunk[pos] == values
        return seen


def probabilities(w: npt.ArrayLike) -> FloatArr:
    """Weights scaled to sum to one."""
    arr: FloatArr = np.asarray(w, dtype=np.float64)
    out: FloatArr = arr / arr.sum()
    return out


def group_sizes(rng: np.random.Generator, k: int, low: int, high: int, p: float) -> IntArr:
    """k group sizes in [low, high], geometric above low (small groups are common)."""
    return np.minimum(low - 1 + rng.geometric(p, k), high).astype(np.int64)
