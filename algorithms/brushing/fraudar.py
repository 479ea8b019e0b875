"""Dense-block detection on a bipartite matrix in the manner of FRAUDAR.

FRAUDAR (Hooi et al., "FRAUDAR: Bounding Graph Fraud in the Face of Camouflage", KDD 2016)
scores a set ``S`` of rows and columns by its average suspiciousness ``g(S) = f(S) / |S|``,
where ``f(S)`` is the total weight of the entries inside ``S``, and finds a dense block by
greedily peeling: start from every row and column, repeatedly remove the node whose removal
costs ``f`` the least, and keep the prefix of the peel with the best ``g``.  Entry ``(i, j)``
weighs ``value[i, j] / log(deg(j) + 5)``, so an edge into a popular column counts for less;
fraudsters who hide among honest accounts by also buying from popular stores (camouflage) add
little weight, and the block they form with their targets still stands out.

How the peel is made fast
-------------------------
Removing a row changes only column costs and the reverse, so runs of removals from one side can
be planned together.  During a *row phase* the row costs stay fixed; the rows that go next are
the alive rows in ``(cost, index)`` order, and the phase ends at the first row whose cost exceeds
the current cheapest column (ties go to rows, as in the reference code).  For a window of the
cheapest rows, the entries to alive columns are gathered from CSR slices, sorted by
``(column, position in the window)`` and summed per column, which tells for every column the
first position at which it would undercut the next row (a ``searchsorted``).  All rows before the
earliest such position are removed at once, their columns are debited with ``np.subtract.at``
and the density of every intermediate prefix is checked in one vector operation.  A column phase
is the mirror image.  The result is exactly the sequential greedy peel; each entry is touched a
bounded number of times per window, so one pass costs ``O(|E| log |V|)`` like a heap, with the
per-node Python work replaced by per-phase numpy calls.

Weights are rounded to integer multiples of ``2**-24`` before peeling.  Sums of integers do not
depend on the order of addition, so the incremental costs equal costs recomputed from scratch,
ties are real ties, and the peel is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from graph.errors import InvalidInput

__all__ = [
    "CAMOUFLAGE_CONSTANT",
    "QUANTUM_BITS",
    "DenseBlock",
    "column_weights",
    "detect_dense_blocks",
    "peel",
]

CAMOUFLAGE_CONSTANT = 5.0
"""The ``c`` in the column weight ``1 / log(deg + c)`` (the value used in the paper)."""

QUANTUM_BITS = 24
"""Entry weights are rounded to multiples of ``2**-QUANTUM_BITS`` so that sums are exact."""

_SCALE = float(2**QUANTUM_BITS)
_MIN_WINDOW = 512
_MAX_WINDOW = 1 << 20

IntArray = npt.NDArray[np.int64]
SparseInput = sparse.csr_matrix | sparse.csc_matrix | sparse.coo_matrix
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DenseBlock:
    """A dense block: its rows, its columns and its average suspiciousness.

    ``density`` is ``f(S) / |S|`` in weighted units: the weight of the entries between
    ``rows`` and ``cols`` divided by ``len(rows) + len(cols)``.  ``mass`` is ``f(S)``.
    """

    rows: IntArray
    cols: IntArray
    density: float
    mass: float

    @property
    def size(self) -> int:
        """Rows plus columns."""
        return int(self.rows.size + self.cols.size)


def column_weights(
    matrix: sparse.csr_matrix | sparse.csc_matrix,
    weighting: Literal["log", "none"] = "log",
) -> FloatArray:
    """Per-column weights that discount popular columns.

    Parameters
    ----------
    matrix : scipy.sparse matrix
        Non-negative rows x columns matrix; only its sparsity pattern is used.
    weighting : {"log", "none"}
        ``"log"`` gives column ``j`` the weight ``1 / log(deg(j) + 5)`` where ``deg(j)`` is
        the number of non-zero entries in the column; ``"none"`` gives every column 1.

    Returns
    -------
    numpy.ndarray
        One float weight per column.

    Raises
    ------
    InvalidInput
        If ``weighting`` is not one of the two names.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> m = sparse.csr_matrix(np.array([[1, 1], [1, 0]]))
    >>> np.round(column_weights(m), 3).tolist()
    [0.514, 0.558]
    """
    n_cols = matrix.shape[1]
    if weighting == "none":
        return np.ones(n_cols, dtype=np.float64)
    if weighting != "log":
        raise InvalidInput(f"unknown weighting {weighting!r}; use 'log' or 'none'")
    csc = sparse.csc_matrix(matrix)
    csc.eliminate_zeros()
    degree = np.diff(csc.indptr).astype(np.float64)
    weights: FloatArray = 1.0 / np.log(degree + CAMOUFLAGE_CONSTANT)
    return weights


def detect_dense_blocks(
    matrix: SparseInput,
    n_blocks: int = 3,
    *,
    weighting: Literal["log", "none"] = "log",
    min_density: float | None = None,
) -> list[DenseBlock]:
    """Find up to ``n_blocks`` dense blocks, one after another, as FRAUDAR does.

    Each block is the best-density prefix of a greedy peel of the current matrix (see
    :func:`peel`).  Its entries are then removed, the column weights are recomputed on what is
    left, and the search repeats.  Entry values multiply the weight of the entry, so a matrix of
    ones is plain FRAUDAR and larger values mark entries that other evidence makes suspicious.

    Parameters
    ----------
    matrix : scipy.sparse matrix
        Non-negative rows x columns matrix (accounts x stores, say).  Duplicate entries add up.
    n_blocks : int
        How many blocks to look for (at least 1).
    weighting : {"log", "none"}
        Column weighting; ``"log"`` (the default) resists camouflage, ``"none"`` is plain
        average degree.
    min_density : float, optional
        Stop as soon as a block's density falls below this value.

    Returns
    -------
    list of DenseBlock
        Blocks in the order found, densest first in practice; may be shorter than ``n_blocks``
        when the matrix runs out of entries or ``min_density`` stops the search.

    Raises
    ------
    InvalidInput
        If the matrix is not two-dimensional, holds negative or non-finite values, or
        ``n_blocks`` is below 1, or ``weighting`` is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> m = np.zeros((6, 5))
    >>> m[:3, :2] = 1          # three accounts all buying from the same two stores
    >>> m[3, 2] = m[4, 3] = m[5, 4] = 1
    >>> block = detect_dense_blocks(sparse.csr_matrix(m), n_blocks=1)[0]
    >>> block.rows.tolist(), block.cols.tolist()
    ([0, 1, 2], [0, 1])
    """
    if n_blocks < 1:
        raise InvalidInput(f"n_blocks must be at least 1, got {n_blocks}")
    if weighting not in ("log", "none"):
        raise InvalidInput(f"unknown weighting {weighting!r}; use 'log' or 'none'")
    current = _checked_csr(matrix)
    blocks: list[DenseBlock] = []
    for _ in range(n_blocks):
        if current.nnz == 0:
            break
        weighted = current @ sparse.diags(column_weights(current, weighting))
        block = peel(sparse.csr_matrix(weighted))
        if block is None:
            break
        if min_density is not None and block.density < min_density:
            break
        blocks.append(block)
        current = _without_block(current, block)
    return blocks


def peel(weighted: sparse.csr_matrix) -> DenseBlock | None:
    """One greedy peel of an already weighted matrix; the best-density prefix.

    The peel removes, at every step, the alive row or column whose alive entries weigh least
    (ties: rows before columns, then the lower index), and keeps the set with the highest
    ``f(S) / |S|`` seen (the first one on ties, the full matrix included).  Weights are rounded
    to multiples of ``2**-QUANTUM_BITS`` first.

    Parameters
    ----------
    weighted : scipy.sparse.csr_matrix
        Non-negative weights, column weighting already applied.

    Returns
    -------
    DenseBlock or None
        The best block, or None when the matrix carries no weight.

    Raises
    ------
    InvalidInput
        If the matrix holds negative or non-finite values.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> block = peel(sparse.csr_matrix(np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0, 0, 1]])))
    >>> block.rows.tolist(), block.cols.tolist(), block.density
    ([0, 1], [0, 1], 1.0)
    """
    csr = _checked_csr(weighted)
    quantised = sparse.csr_matrix(
        (np.rint(csr.data * _SCALE).astype(np.int64), csr.indices, csr.indptr), shape=csr.shape
    )
    quantised.eliminate_zeros()
    if quantised.nnz == 0:
        return None
    if float(csr.data.sum()) * _SCALE >= 2.0**53:
        raise InvalidInput("matrix weight too large to peel exactly; rescale the values")
    csc = quantised.tocsc()
    csc.sort_indices()
    best_size, best_mass, removed_rows, removed_cols = _greedy(
        (quantised.indptr.astype(np.int64), quantised.indices.astype(np.int64), quantised.data),
        (csc.indptr.astype(np.int64), csc.indices.astype(np.int64), csc.data),
        quantised.shape,
    )
    if best_mass == 0:
        return None
    n_rows, n_cols = quantised.shape
    keep_rows = np.ones(n_rows, dtype=bool)
    keep_rows[removed_rows] = False
    keep_cols = np.ones(n_cols, dtype=bool)
    keep_cols[removed_cols] = False
    return DenseBlock(
        rows=np.flatnonzero(keep_rows).astype(np.int64),
        cols=np.flatnonzero(keep_cols).astype(np.int64),
        density=(best_mass / best_size) / _SCALE,
        mass=best_mass / _SCALE,
    )


Csr = tuple[IntArray, IntArray, IntArray]


def _greedy(
    by_row: Csr, by_col: Csr, shape: tuple[int, int]
) -> tuple[int, int, IntArray, IntArray]:
    """Run the peel; return the best (size, mass) and the rows and columns removed before it."""
    n_rows, n_cols = shape
    queues = (_Queue(_sums(by_row)), _Queue(_sums(by_col)))
    adjacency = (by_row, by_col)
    mass = int(queues[0].cost.sum())
    size = n_rows + n_cols
    best_score, best_size, best_mass, best_step = mass / size, size, mass, 0
    step = 0
    order: list[IntArray] = []
    sides: list[int] = []
    window = _MIN_WINDOW
    while queues[0].n_alive and queues[1].n_alive:
        row_min, col_min = queues[0].min(), queues[1].min()
        if min(row_min, col_min) < mass / size:
            # Every removal below the density raises it: jump to the core, keep its score.
            for side, removed, removed_cost in _strip(mass / size, queues, adjacency):
                order.append(removed)
                sides.append(side)
                mass -= int(removed_cost.sum())
                size -= removed.size
                step += removed.size
            if mass / size > best_score:
                best_score, best_size, best_mass, best_step = mass / size, size, mass, step
            continue
        side = 0 if row_min <= col_min else 1
        removed, removed_cost = _phase(
            side, queues, adjacency[side], col_min if side == 0 else row_min, window
        )
        count = removed.size
        window = min(_MAX_WINDOW, 2 * window) if count >= window else max(_MIN_WINDOW, 2 * count)
        masses = mass - np.cumsum(removed_cost)
        sizes = size - np.arange(1, count + 1, dtype=np.int64)
        scores = masses / sizes
        at = int(np.argmax(scores))
        if scores[at] > best_score:
            best_score = float(scores[at])
            best_size, best_mass, best_step = int(sizes[at]), int(masses[at]), step + at + 1
        mass, size, step = int(masses[-1]), int(sizes[-1]), step + count
        order.append(removed)
        sides.append(side)
    removed_rows: list[IntArray] = []
    removed_cols: list[IntArray] = []
    taken = 0
    for ids, side in zip(order, sides, strict=True):
        if taken >= best_step:
            break
        part = ids[: best_step - taken]
        (removed_rows if side == 0 else removed_cols).append(part)
        taken += part.size
    empty = np.zeros(0, dtype=np.int64)
    return (
        best_size,
        best_mass,
        np.concatenate(removed_rows) if removed_rows else empty,
        np.concatenate(removed_cols) if removed_cols else empty,
    )


class _Queue:
    """Alive nodes of one side by ``(cost, index)``, with costs that only ever decrease.

    A sorted snapshot holds the nodes whose cost has not changed since it was taken
    ("clean"); nodes debited since then are "dirty" and kept in a short list.  The cheapest
    clean node is the first alive clean entry after a moving pointer, and everything up to a
    bound is a ``searchsorted`` away, so no query scans all alive nodes.  The snapshot is
    rebuilt when the dirty list grows past a fraction of the alive nodes.
    """

    def __init__(self, cost: IntArray) -> None:
        self.cost = cost
        self.alive = np.ones(cost.size, dtype=bool)
        self.dirty_flag = np.zeros(cost.size, dtype=bool)
        self._slot = np.zeros(cost.size, dtype=np.int64)
        self.n_alive = int(cost.size)
        self._rebuild(np.arange(cost.size, dtype=np.int64))

    def _rebuild(self, ids: IntArray) -> None:
        self.dirty_flag[ids] = False
        self.snap = ids[np.lexsort((ids, self.cost[ids]))]
        self.snap_cost = self.cost[self.snap]
        self.ptr = 0
        self.dirty = np.zeros(0, dtype=np.int64)

    def _advance(self) -> None:
        """Move the pointer to the first alive clean snapshot entry."""
        chunk = 64
        while self.ptr < self.snap.size:
            part = self.snap[self.ptr : self.ptr + chunk]
            valid = self.alive[part] & ~self.dirty_flag[part]
            if valid.any():
                self.ptr += int(np.argmax(valid))
                return
            self.ptr += part.size
            chunk *= 2

    def min(self) -> int:
        """The lowest alive cost."""
        self._advance()
        low = int(self.snap_cost[self.ptr]) if self.ptr < self.snap.size else _NO_COST
        if self.dirty.size:
            low = min(low, int(self.cost[self.dirty].min()))
        return low

    def below(self, bound: float, *, inclusive: bool, limit: int | None = None) -> IntArray:
        """Alive nodes with cost ``<`` (or ``<=``) ``bound``; with ``limit``, the cheapest ones.

        With a limit the answer is every node up to some cost cutoff, ties included, so it is
        always a prefix of the ``(cost, index)`` order.
        """
        self._advance()
        side: Literal["left", "right"] = "right" if inclusive else "left"
        end = self.ptr + int(np.searchsorted(self.snap_cost[self.ptr :], bound, side=side))
        if limit is not None and end - self.ptr > limit:
            cutoff = self.snap_cost[self.ptr + limit - 1]
            end = self.ptr + int(np.searchsorted(self.snap_cost[self.ptr :], cutoff, "right"))
            bound, inclusive = float(cutoff), True
        part = self.snap[self.ptr : end]
        part = part[self.alive[part] & ~self.dirty_flag[part]]
        dirty_cost = self.cost[self.dirty]
        extra = self.dirty[dirty_cost <= bound if inclusive else dirty_cost < bound]
        return np.concatenate([part, extra]) if extra.size else part

    def remove(self, ids: IntArray) -> None:
        """Mark nodes dead."""
        self.alive[ids] = False
        self.n_alive -= int(ids.size)
        if self.dirty.size:
            self.dirty = self.dirty[self.alive[self.dirty]]

    def distinct(self, ids: IntArray) -> IntArray:
        """``ids`` without repeats, in O(len(ids)) (``np.unique`` sorts, and is slow when small)."""
        places = np.arange(ids.size, dtype=np.int64)
        self._slot[ids] = places
        distinct: IntArray = ids[self._slot[ids] == places]
        return distinct

    def debit(self, ids: IntArray, amounts: IntArray) -> IntArray:
        """Lower the cost of alive ``ids`` (repeats add up); return the distinct nodes touched."""
        np.subtract.at(self.cost, ids, amounts)
        touched = self.distinct(ids)
        fresh = touched[~self.dirty_flag[touched]]
        self.dirty_flag[fresh] = True
        self.dirty = np.concatenate([self.dirty, fresh])
        if self.dirty.size > max(_MIN_WINDOW, self.n_alive // 8):
            alive_snap = self.snap[self.ptr :]
            alive_snap = alive_snap[self.alive[alive_snap] & ~self.dirty_flag[alive_snap]]
            self._rebuild(np.concatenate([alive_snap, self.dirty]))
        return touched


_NO_COST = 1 << 62


def _strip(
    threshold: float,
    queues: tuple[_Queue, _Queue],
    adjacency: tuple[Csr, Csr],
) -> list[tuple[int, IntArray, IntArray]]:
    """Remove every node whose cost is below ``threshold`` until none is left (a core).

    When ``threshold`` is the current density, the sequential peel would remove exactly these
    nodes next, whatever their order, and each removal would raise the density; so only the
    set matters and it can be removed in bulk rounds.  Returns ``(side, nodes, their costs)``
    for each round.
    """
    frontier = [queue.below(threshold, inclusive=False) for queue in queues]
    rounds: list[tuple[int, IntArray, IntArray]] = []
    side = 0 if frontier[0].size else 1
    while frontier[side].size:
        other = 1 - side
        nodes = frontier[side]
        queues[side].remove(nodes)
        rounds.append((side, nodes, queues[side].cost[nodes].copy()))
        indptr, indices, data = adjacency[side]
        _, neighbour, weight = _gather(indptr, indices, data, nodes)
        keep = queues[other].alive[neighbour]
        touched = queues[other].debit(neighbour[keep], weight[keep])
        dropped = touched[queues[other].cost[touched] < threshold]
        frontier[other] = queues[other].distinct(np.concatenate([frontier[other], dropped]))
        frontier[side] = np.zeros(0, dtype=np.int64)
        side = other
    return rounds


def _phase(
    side: int,
    queues: tuple[_Queue, _Queue],
    adjacency: Csr,
    other_min: int,
    window: int,
) -> tuple[IntArray, IntArray]:
    """Remove the longest run of ``side`` nodes the sequential peel would remove next.

    Rows win ties against columns, so a row goes while its cost is ``<=`` the cheapest column
    and a column goes while its cost is ``<`` the cheapest row.
    """
    own, other = queues[side], queues[1 - side]
    ties_go_here = side == 0
    candidates = own.below(other_min, inclusive=ties_go_here, limit=window)
    ordered = candidates[np.lexsort((candidates, own.cost[candidates]))]
    values = own.cost[ordered]
    indptr, indices, data = adjacency
    position, neighbour, weight = _gather(indptr, indices, data, ordered)
    keep = other.alive[neighbour]
    position, neighbour, weight = position[keep], neighbour[keep], weight[keep]
    stop = ordered.size
    if neighbour.size:
        by_neighbour = np.lexsort((position, neighbour))
        position, neighbour, weight = (
            position[by_neighbour],
            neighbour[by_neighbour],
            weight[by_neighbour],
        )
        running = np.cumsum(weight)
        first = np.ones(neighbour.size, dtype=bool)
        first[1:] = neighbour[1:] != neighbour[:-1]
        group_start = np.maximum.accumulate(np.where(first, np.arange(neighbour.size), 0))
        before = running[group_start] - weight[group_start]
        remaining = other.cost[neighbour] - (running - before)
        # The neighbour, debited up to this position, undercuts the node at ``undercut``.
        undercut = np.searchsorted(values, remaining, side="right" if ties_go_here else "left")
        stop = min(stop, int(np.maximum(position + 1, undercut).min()))
        debit = position < stop
        other.debit(neighbour[debit], weight[debit])
    removed = ordered[:stop]
    own.remove(removed)
    return removed, values[:stop]


def _sums(adjacency: Csr) -> IntArray:
    """Exact per-node totals of a CSR/CSC triple."""
    indptr, _, data = adjacency
    running = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(data, dtype=np.int64)])
    totals: IntArray = running[indptr[1:]] - running[indptr[:-1]]
    return totals


def _gather(
    indptr: IntArray, indices: IntArray, data: IntArray, nodes: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Entries of ``nodes`` as (position of the node in ``nodes``, neighbour, weight)."""
    starts = indptr[nodes]
    lengths = indptr[nodes + 1] - starts
    total = int(lengths.sum())
    position = np.repeat(np.arange(nodes.size, dtype=np.int64), lengths)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    slots = np.repeat(starts, lengths) + offsets
    return position, indices[slots], data[slots]


def _checked_csr(matrix: SparseInput) -> sparse.csr_matrix:
    """A canonical float CSR copy (duplicates summed, zeros dropped), refusing bad values."""
    if not sparse.issparse(matrix) or len(matrix.shape) != 2:
        raise InvalidInput("expected a 2-D scipy.sparse matrix")
    csr = sparse.csr_matrix(matrix.astype(np.float64), copy=True)
    csr.sum_duplicates()
    if csr.data.size and (not np.all(np.isfinite(csr.data)) or csr.data.min() < 0):
        raise InvalidInput("matrix values must be finite and non-negative")
    csr.eliminate_zeros()
    return csr


def _without_block(matrix: sparse.csr_matrix, block: DenseBlock) -> sparse.csr_matrix:
    """The matrix with the entries inside ``block`` set to zero."""
    coo = matrix.tocoo()
    in_rows = np.zeros(matrix.shape[0], dtype=bool)
    in_rows[block.rows] = True
    in_cols = np.zeros(matrix.shape[1], dtype=bool)
    in_cols[block.cols] = True
    keep = ~(in_rows[coo.row] & in_cols[coo.col])
    return sparse.csr_matrix(
        (coo.data[keep], (coo.row[keep], coo.col[keep])), shape=matrix.shape
    )
