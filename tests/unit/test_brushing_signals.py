"""Pairs of ids made unique as one key each: what ``np.unique`` along an axis gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from algorithms.brushing.signals import unique_pairs

ids = st.lists(st.tuples(st.integers(0, 50), st.integers(-5, 3_000_000)), max_size=60)


@given(rows=ids)
def test_unique_pairs_gives_the_pairs_and_positions_unique_along_an_axis_gives(
    rows: list[tuple[int, int]],
) -> None:
    first = np.array([a for a, _ in rows], dtype=np.int64)
    second = np.array([b for _, b in rows], dtype=np.int64)
    pairs, inverse = unique_pairs(first, second)
    if not rows:
        assert pairs.shape == (2, 0)
        assert inverse.size == 0
        return
    expected, positions = np.unique(np.stack([first, second]), axis=1, return_inverse=True)
    assert pairs.tolist() == expected.tolist()
    assert inverse.tolist() == positions.ravel().tolist()
