"""Benchmark brushing-ring detection against the published FRAUDAR implementation.

Plants rings in synthetic markets (:mod:`algorithms.brushing.synthetic`) at several ring
densities and camouflage kinds, then scores the accounts and stores each method reports:

* ``ours-raw``: :func:`detect_dense_blocks` on the binary account x store matrix, blocks taken
  as they come (the like-for-like comparison with the published code);
* ``ours-orders``: :func:`find_rings` with every signal off (blocks split and filtered);
* ``ours-logistics``: :func:`find_rings` with the logistics and identity signals;
* ``published``: ``fraudar.export.greedy.detectMultiple(M, logWeightedAveDegree, k)`` from
  ``rgmining-fraudar`` on the same binary matrix.

Times are CPU seconds of this process (``time.process_time``), so other load on the machine
does not inflate them.  Run::

    .venv/bin/python bench/rings.py --orders 1000000
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from algorithms.brushing.fraudar import detect_dense_blocks
from algorithms.brushing.rings import RingParams, find_rings
from algorithms.brushing.synthetic import MarketSpec, SyntheticMarket, make_market

__all__ = ["main"]

IntArray = npt.NDArray[np.int64]
Camouflage = Literal["none", "random", "biased"]


@dataclass(frozen=True)
class Row:
    """One method on one market."""

    config: str
    method: str
    account: tuple[float, float, float]
    store: tuple[float, float, float]
    seconds: float


def _prf(found: IntArray, planted: IntArray) -> tuple[float, float, float]:
    hits = int(np.isin(found, planted).sum())
    if hits == 0:
        return 0.0, 0.0, 0.0
    precision, recall = hits / found.size, hits / planted.size
    return precision, recall, 2 * precision * recall / (precision + recall)


def _union(parts: list[IntArray]) -> IntArray:
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def _timed(run: Callable[[], tuple[IntArray, IntArray]]) -> tuple[IntArray, IntArray, float]:
    start = time.process_time()
    accounts, stores = run()
    return accounts, stores, time.process_time() - start


def _binary(market: SyntheticMarket) -> sparse.csr_matrix:
    orders = market.orders
    matrix = sparse.csr_matrix(
        (np.ones(orders.n_orders), (orders.account, orders.store)),
        shape=(orders.n_accounts, orders.n_stores),
    )
    matrix.data[:] = 1.0
    return matrix


def _published(matrix: sparse.csr_matrix, n_blocks: int) -> tuple[IntArray, IntArray]:
    from fraudar.export import greedy  # the package is a bench dependency only

    detect: Any = greedy.detectMultiple
    with contextlib.redirect_stdout(io.StringIO()):
        found: list[Any] = detect(matrix.astype(np.int64), greedy.logWeightedAveDegree, n_blocks)
    rows = [np.fromiter(block[0][0], dtype=np.int64) for block in found]
    cols = [np.fromiter(block[0][1], dtype=np.int64) for block in found]
    return _union(rows), _union(cols)


def _ours_raw(matrix: sparse.csr_matrix, n_blocks: int) -> tuple[IntArray, IntArray]:
    blocks = detect_dense_blocks(matrix, n_blocks)
    return _union([b.rows for b in blocks]), _union([b.cols for b in blocks])


def _ours(market: SyntheticMarket, params: RingParams) -> tuple[IntArray, IntArray]:
    rings = find_rings(market.orders, params)
    return _union([r.accounts for r in rings]), _union([r.stores for r in rings])


def run(
    n_orders: int, n_blocks: int, configs: list[tuple[float, Camouflage]], published_max: int
) -> list[Row]:
    """Every method on every configuration; prints each row as it is measured."""
    rows: list[Row] = []
    for density, camouflage in configs:
        spec = MarketSpec(n_orders=n_orders, ring_density=density, camouflage=camouflage)
        market = make_market(spec)
        matrix = _binary(market)
        name = f"density {density:g}, camouflage {camouflage}"
        methods: list[tuple[str, Callable[[], tuple[IntArray, IntArray]]]] = [
            ("ours-raw", partial(_ours_raw, matrix, n_blocks)),
            ("ours-orders", partial(_ours, market, RingParams.orders_only(n_blocks=n_blocks))),
            ("ours-logistics", partial(_ours, market, RingParams(n_blocks=n_blocks))),
        ]
        if n_orders <= published_max:
            methods.append(("published", partial(_published, matrix, n_blocks)))
        for method, call in methods:
            accounts, stores, seconds = _timed(call)
            row = Row(
                name,
                method,
                _prf(accounts, market.ring_accounts),
                _prf(stores, market.ring_stores),
                seconds,
            )
            rows.append(row)
            print(_format(row), flush=True)
    return rows


def _format(row: Row) -> str:
    a, s = row.account, row.store
    return (
        f"| {row.config} | {row.method} | {a[0]:.2f} / {a[1]:.2f} / {a[2]:.2f} "
        f"| {s[0]:.2f} / {s[1]:.2f} / {s[2]:.2f} | {row.seconds:.1f} |"
    )


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the grid, print a markdown table and the speed ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=200_000, help="background orders")
    parser.add_argument("--blocks", type=int, default=5, help="blocks per method")
    parser.add_argument(
        "--densities", default="0.5,0.8", help="comma-separated ring densities"
    )
    parser.add_argument(
        "--camouflage", default="none,random,biased", help="comma-separated camouflage kinds"
    )
    parser.add_argument(
        "--published-max", type=int, default=10**9, help="skip the published code above this"
    )
    args = parser.parse_args(argv)
    configs: list[tuple[float, Camouflage]] = [
        (float(d), c)
        for d in args.densities.split(",")
        for c in args.camouflage.split(",")
    ]
    print(f"orders={args.orders} blocks={args.blocks}")
    print("| market | method | accounts P / R / F1 | stores P / R / F1 | CPU s |")
    print("|---|---|---|---|---|")
    rows = run(args.orders, args.blocks, configs, args.published_max)
    ours = sum(r.seconds for r in rows if r.method == "ours-raw")
    published = sum(r.seconds for r in rows if r.method == "published")
    if published:
        print(f"\nspeed: published / ours-raw = {published / ours:.1f}x (same matrices)")


if __name__ == "__main__":
    main()
