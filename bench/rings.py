"""Benchmark brushing-ring detection against the published FRAUDAR implementation.

Plants rings in synthetic markets (:mod:`ingest.generate.market`) at several ring
densities and camouflage kinds, then scores the accounts and stores each method reports:

* ``ours-raw``: :func:`detect_dense_blocks` on the binary account x store matrix, blocks taken
  as they come (the like-for-like comparison with the published code);
* ``ours-orders``: :func:`find_rings` with every signal off (blocks split and filtered);
* ``ours-logistics``: :func:`find_rings` with the logistics and identity signals;
* ``published``: ``fraudar.export.greedy.detectMultiple(M, logWeightedAveDegree, k)`` from
  ``rgmining-fraudar`` on the same binary matrix.

Times are CPU seconds of this process (``time.process_time``), so other load on the machine
does not inflate them; the compiled peel is warmed up before timing.  Run::

    .venv/bin/python bench/rings.py --orders 1000000

``--generated ENTITIES`` runs the same methods on data written by ``ingest.generate``
(planted rings with its ``BrushingParams``: ring density, camouflage kind and level) across
:data:`GENERATED_GRID`, scored against the generator's ``ground_truth.json``::

    .venv/bin/python bench/rings.py --generated 5000 --rings 8

Per-account and per-store scores (:mod:`algorithms.brushing.scores`, helpers in
``bench/rings_scores.py``)::

    .venv/bin/python bench/rings.py --calibrate      # fit and write calibration.json
    .venv/bin/python bench/rings.py --reliability    # score bands vs share planted
    .venv/bin/python bench/rings.py --grid [--reviews]   # size x density x camouflage x days
    .venv/bin/python bench/rings.py --peers          # ours vs REV2 vs published FRAUDAR
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

# Run as a script, this file's directory comes first on sys.path and bench/ingest.py would
# shadow the ``ingest`` package the markets come from.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import sparse  # noqa: E402

from algorithms.brushing.fraudar import detect_dense_blocks  # noqa: E402
from algorithms.brushing.rings import RingParams, find_rings  # noqa: E402
from algorithms.brushing.signals import OrderTable  # noqa: E402
from graph.errors import InvalidInput  # noqa: E402
from ingest.generate.market import (  # noqa: E402
    MarketSpec,
    PlantedGroup,
    SyntheticMarket,
    make_market,
)

__all__ = ["main"]

IntArray = npt.NDArray[np.int64]
Camouflage = Literal["none", "random", "biased"]
GeneratorCamouflage = Literal["none", "random", "popular", "mixed"]


@dataclass(frozen=True)
class Row:
    """One method on one market."""

    config: str
    method: str
    account: tuple[float, float, float]
    store: tuple[float, float, float]
    seconds: float
    #: For ``published``: whether its account and store sets equal ``ours-raw``'s exactly.
    same_as_ours_raw: bool | None = None


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


def _methods(
    market: SyntheticMarket, n_blocks: int, published: bool
) -> list[tuple[str, Callable[[], tuple[IntArray, IntArray]]]]:
    matrix = _binary(market)
    methods: list[tuple[str, Callable[[], tuple[IntArray, IntArray]]]] = [
        ("ours-raw", partial(_ours_raw, matrix, n_blocks)),
        ("ours-orders", partial(_ours, market, RingParams.orders_only(n_blocks=n_blocks))),
        ("ours-logistics", partial(_ours, market, RingParams(n_blocks=n_blocks))),
    ]
    if published:
        methods.append(("published", partial(_published, matrix, n_blocks)))
    return methods


def _measure(name: str, market: SyntheticMarket, n_blocks: int, published: bool) -> list[Row]:
    rows: list[Row] = []
    found: dict[str, tuple[IntArray, IntArray]] = {}
    for method, call in _methods(market, n_blocks, published):
        accounts, stores, seconds = _timed(call)
        found[method] = (accounts, stores)
        same = None
        if method == "published":
            ours_accounts, ours_stores = found["ours-raw"]
            same = bool(
                np.array_equal(np.sort(accounts), np.sort(ours_accounts))
                and np.array_equal(np.sort(stores), np.sort(ours_stores))
            )
        row = Row(
            name,
            method,
            _prf(accounts, market.ring_accounts),
            _prf(stores, market.ring_stores),
            seconds,
            same,
        )
        rows.append(row)
        print(_format(row), flush=True)
    return rows


def _warm_up() -> None:
    """Compile (or load from numba's cache) the peel before anything is timed."""
    detect_dense_blocks(sparse.csr_matrix(np.ones((2, 2))), 1)


def run(
    n_orders: int, n_blocks: int, configs: list[tuple[float, Camouflage]], published_max: int
) -> list[Row]:
    """Every method on every configuration; prints each row as it is measured."""
    _warm_up()
    rows: list[Row] = []
    for density, camouflage in configs:
        spec = MarketSpec(n_orders=n_orders, ring_density=density, camouflage=camouflage)
        name = f"density {density:g}, camouflage {camouflage}"
        rows += _measure(name, make_market(spec), n_blocks, n_orders <= published_max)
    return rows


GENERATED_GRID: tuple[tuple[float, GeneratorCamouflage, float], ...] = (
    (0.5, "none", 0.0),
    (0.5, "random", 1.0),
    (0.5, "popular", 1.0),
    (0.5, "mixed", 3.0),
    (0.8, "none", 0.0),
    (0.8, "random", 1.0),
    (0.8, "popular", 1.0),
    (0.8, "mixed", 3.0),
)
"""Ring density, camouflage kind and camouflage level (cover orders per ring order)."""


def generated_market(directory: Path) -> SyntheticMarket:
    """Orders, waybills and planted rings of an ``ingest.generate`` directory (CSV).

    Receiver addresses and phones are keyed the way ingest keys them (normalised text), so
    address variants of one drop address count as one receiver, as in the graph.
    """
    import pyarrow.csv as pacsv

    from graph.identity import address_uid, phone_uid

    orders = pacsv.read_csv(directory / "orders.csv").to_pandas()
    waybills = pacsv.read_csv(directory / "waybills.csv").to_pandas()
    table = orders.merge(waybills, on="waybill_id", how="left")
    accounts, account = np.unique(table["account_id"].astype(str), return_inverse=True)
    stores, store = np.unique(table["store_id"].astype(str), return_inverse=True)

    def codes(values: Any, key: Callable[[str], str]) -> IntArray:
        keyed = [key(v) if isinstance(v, str) and v else "" for v in values]
        uniq, code = np.unique(np.array(keyed, dtype=object), return_inverse=True)
        code = code.astype(np.int64)
        if uniq.size and uniq[0] == "":
            code = code - 1
        return code

    def seconds(column: str) -> IntArray:
        stamps = pd.to_datetime(table[column])
        out: IntArray = stamps.to_numpy(dtype="datetime64[s]").astype(np.int64)
        out[stamps.isna().to_numpy()] = -1
        return out

    order_table = OrderTable(
        account=account.astype(np.int64),
        store=store.astype(np.int64),
        placed=seconds("placed"),
        weight_kg=table["weight_kg"].to_numpy(dtype=np.float64, na_value=np.nan),
        shipped=seconds("shipped"),
        delivered=seconds("delivered"),
        address=codes(table["receiver_address"], address_uid),
        phone=codes(table["receiver_phone"].astype(object), lambda v: _safe(phone_uid, v)),
        n_accounts=int(accounts.size),
        n_stores=int(stores.size),
    )
    truth = json.loads((directory / "ground_truth.json").read_text(encoding="utf-8"))
    rings = tuple(
        PlantedGroup(
            accounts=np.flatnonzero(np.isin(accounts, ring["accounts"])).astype(np.int64),
            stores=np.flatnonzero(np.isin(stores, ring["stores"])).astype(np.int64),
        )
        for ring in truth["brushing_rings"]
    )
    return SyntheticMarket(orders=order_table, rings=rings)


def _safe(key: Callable[[str], str], value: str) -> str:
    try:
        return key(value)
    except InvalidInput:
        return ""


def run_generated(
    entities: int, n_blocks: int, rings: int, seed: int, work: Path, published: bool
) -> list[Row]:
    """Every method on the generator's data across :data:`GENERATED_GRID`."""
    from ingest.generate import BrushingParams, generate

    _warm_up()
    rows: list[Row] = []
    for density, camouflage, level in GENERATED_GRID:
        params = BrushingParams(
            rings=rings, density=density, camouflage=camouflage, camouflage_level=level
        )
        directory = work / f"d{density:g}-{camouflage}-{level:g}"
        generate(directory, entities, seed, brushing=params)
        market = generated_market(directory)
        name = f"density {density:g}, camouflage {camouflage} x{level:g}"
        rows += _measure(name, market, n_blocks, published)
    return rows


def _format(row: Row) -> str:
    a, s = row.account, row.store
    same = {None: "", True: " (sets = ours-raw)", False: " (sets differ from ours-raw)"}
    return (
        f"| {row.config} | {row.method}{same[row.same_as_ours_raw]} "
        f"| {a[0]:.2f} / {a[1]:.2f} / {a[2]:.2f} "
        f"| {s[0]:.2f} / {s[1]:.2f} / {s[2]:.2f} | {row.seconds:.1f} |"
    )


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the grid, print a markdown table and the speed ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=200_000, help="background orders")
    parser.add_argument("--blocks", type=int, default=5, help="blocks per method")
    parser.add_argument("--densities", default="0.5,0.8", help="comma-separated ring densities")
    parser.add_argument(
        "--camouflage", default="none,random,biased", help="comma-separated camouflage kinds"
    )
    parser.add_argument(
        "--published-max", type=int, default=10**9, help="skip the published code above this"
    )
    parser.add_argument(
        "--generated",
        type=int,
        metavar="ENTITIES",
        help="instead: ingest.generate data with this many businesses, over GENERATED_GRID",
    )
    parser.add_argument("--rings", type=int, default=8, help="planted rings (--generated)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (--generated)")
    parser.add_argument("--calibrate", action="store_true", help="fit calibration.json")
    parser.add_argument("--reliability", action="store_true", help="reliability table")
    parser.add_argument("--grid", action="store_true", help="the recall grid, before/after")
    parser.add_argument("--reviews", action="store_true", help="grid markets carry reviews")
    parser.add_argument("--peers", action="store_true", help="scores vs REV2 vs FRAUDAR")
    args = parser.parse_args(argv)
    if args.calibrate or args.reliability or args.grid or args.peers:
        _scores(args)
        return
    configs: list[tuple[float, Camouflage]] = [
        (float(d), c) for d in args.densities.split(",") for c in args.camouflage.split(",")
    ]
    if args.generated:
        print(f"generated: entities={args.generated} rings={args.rings} blocks={args.blocks}")
    else:
        print(f"orders={args.orders} blocks={args.blocks}")
    print("| market | method | accounts P / R / F1 | stores P / R / F1 | CPU s |")
    print("|---|---|---|---|---|")
    if args.generated:
        with tempfile.TemporaryDirectory() as work:
            rows = run_generated(
                args.generated, args.blocks, args.rings, args.seed, Path(work), True
            )
    else:
        rows = run(args.orders, args.blocks, configs, args.published_max)
    ours = sum(r.seconds for r in rows if r.method == "ours-raw")
    published = sum(r.seconds for r in rows if r.method == "published")
    compared = [r for r in rows if r.same_as_ours_raw is not None]
    if compared:
        same = sum(bool(r.same_as_ours_raw) for r in compared)
        print(
            f"\nours-raw and published: identical account and store sets in {same} of "
            f"{len(compared)} markets"
        )
    if published:
        print(f"speed: published / ours-raw = {published / ours:.1f}x (same matrices)")


def _scores(args: argparse.Namespace) -> None:
    """The score runs of ``bench/rings_scores.py``."""
    sys.path.append(str(Path(__file__).resolve().parent))
    import rings_scores

    _warm_up()
    if args.calibrate:
        fitted = rings_scores.calibrate()
        print("calibration written:", fitted.fitted_on)
        for kind, model in (("account", fitted.account), ("store", fitted.store)):
            weights = ", ".join(
                f"{n} {w:+.2f}" for n, w in zip(model.features, model.weights, strict=True)
            )
            print(f"{kind}: intercept {model.intercept:+.2f}; {weights}")
    if args.reliability:
        print("| entities | score band | n | mean score | share planted |")
        print("|---|---|---|---|---|")
        for row in rings_scores.reliability():
            print(row)
    if args.grid:
        print(f"reviews={args.reviews}")
        print(
            "| size | density | camouflage | days | before P / R | AUC | AP "
            "| after P / R | AUC | AP | CPU s |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        rings_scores.grid(reviews=args.reviews)
    if args.peers:
        print("| size | density | camouflage | days | method | account AUC | AP | CPU s |")
        print("|---|---|---|---|---|---|---|---|")
        rings_scores.peers()


if __name__ == "__main__":
    main()
