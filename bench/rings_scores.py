"""Per-account and per-store brushing scores on the generator: calibration, grid and peers.

Used by ``bench/rings.py`` (``--calibrate``, ``--grid``, ``--reliability``, ``--peers``); kept
apart so the ring benchmark above it stays readable.

* ``--calibrate`` fits the weights and isotonic tables of
  :mod:`algorithms.brushing.scores` on markets drawn at random over the grid's ranges (seeds
  1000 and up; half with reviews) and writes ``algorithms/brushing/calibration.json``.
* ``--reliability`` scores other markets (seeds 5000 and up) and tabulates, per score band,
  how many accounts fall in it and what share of them are planted ring accounts.
* ``--grid`` runs every cell of ring size x density x camouflage x duration (seed 0) and
  reports, per cell, account precision and recall of the ring detector ("before": ring
  members are the flagged accounts) and of the scores at :data:`FLAG_AT` ("after"), with AUC
  and average precision of each ranking.
* ``--peers`` compares, on the same markets with reviews, our scores, REV2 on the ratings
  alone and the published FRAUDAR (``rgmining-fraudar``; an account's score is the first block
  holding it), by AUC and average precision, with CPU times.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from algorithms.brushing.rev2 import rev2
from algorithms.brushing.rings import find_rings
from algorithms.brushing.scores import (
    ACCOUNT_FEATURES,
    CALIBRATION_PATH,
    STORE_FEATURES,
    Calibration,
    Model,
    Scores,
    fit_calibration,
    load_calibration,
    score_entities,
)
from ingest.generate.market import MarketSpec, SyntheticMarket, make_market

__all__ = ["Cell", "calibrate", "grid", "peers", "reliability"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Camo = Literal["none", "random", "popular", "mixed"]

SIZES = (5, 20, 50, 200)
DENSITIES = (0.3, 0.6, 1.0)
CAMOUFLAGES: tuple[Camo, ...] = ("none", "random", "popular", "mixed")
DURATIONS = (1, 30, 180)
BACKGROUND = 20_000
RINGS_PER_MARKET = 3
FLAG_AT = 0.9
"""The score at which the grid flags an account (about 90% precision by calibration)."""


@dataclass(frozen=True)
class Cell:
    """One market of the grid."""

    size: int
    density: float
    camouflage: Camo
    days: int

    def spec(self, seed: int, reviews: bool) -> MarketSpec:
        """The market spec: three rings of ``size`` accounts on eight stores each."""
        return MarketSpec(
            n_orders=BACKGROUND,
            n_rings=RINGS_PER_MARKET,
            ring_accounts=self.size,
            ring_density=self.density,
            camouflage=self.camouflage,
            days=max(30, self.days),
            ring_days=self.days,
            reviews=reviews,
            seed=seed,
        )

    @property
    def name(self) -> str:
        """How the cell is written in tables."""
        return f"{self.size} | {self.density:g} | {self.camouflage} | {self.days}"


def cells() -> Iterator[Cell]:
    """Every cell of the grid."""
    for size, density, camo, days in itertools.product(SIZES, DENSITIES, CAMOUFLAGES, DURATIONS):
        yield Cell(size, density, camo, days)


def truth(market: SyntheticMarket) -> tuple[BoolArray, BoolArray]:
    """Planted ring accounts and stores as masks."""
    accounts = np.zeros(market.orders.n_accounts, dtype=bool)
    accounts[market.ring_accounts] = True
    stores = np.zeros(market.orders.n_stores, dtype=bool)
    stores[market.ring_stores] = True
    return accounts, stores


def auc(score: FloatArray, positive: BoolArray) -> float:
    """Area under the ROC curve (ties count half), by ranks."""
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if not n_pos or not n_neg:
        return float("nan")
    from scipy.stats import rankdata

    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def average_precision(score: FloatArray, positive: BoolArray) -> float:
    """Average precision of the ranking (ties broken against the positives)."""
    if not positive.any():
        return float("nan")
    order = np.lexsort((positive, -score))
    hits = positive[order]
    precision = np.cumsum(hits) / np.arange(1, hits.size + 1)
    return float(precision[hits].mean())


def precision_recall(flagged: BoolArray, positive: BoolArray) -> tuple[float, float]:
    """Precision and recall of a set of flags (precision 1 when nothing is flagged)."""
    hits = int((flagged & positive).sum())
    found = int(flagged.sum())
    return (hits / found if found else 1.0), hits / max(int(positive.sum()), 1)


def _dummy() -> Calibration:
    flat = np.array([0.0, 1.0])

    def model(names: tuple[str, ...]) -> Model:
        return Model(names, np.zeros(len(names)), 0.0, flat, flat)

    return Calibration(model(ACCOUNT_FEATURES), model(STORE_FEATURES), "none")


def _training(seed0: int, count: int) -> list[tuple[SyntheticMarket, BoolArray, BoolArray]]:
    rng = np.random.default_rng(seed0)
    out = []
    for k in range(count):
        cell = Cell(
            int(rng.choice(SIZES)),
            float(rng.choice(DENSITIES)),
            CAMOUFLAGES[int(rng.integers(0, 4))],
            int(rng.choice(DURATIONS)),
        )
        market = make_market(cell.spec(seed0 + k, reviews=bool(k % 2)))
        out.append((market, *truth(market)))
    return out


def calibrate(count: int = 24) -> Calibration:
    """Fit on ``count`` markets (seeds 1000+), isotonic tables on ``count`` more (2000+)."""
    fit = _training(1000, count)
    hold = _training(2000, count)
    dummy = _dummy()

    def scored(
        items: list[tuple[SyntheticMarket, BoolArray, BoolArray]], cal: Calibration
    ) -> list[tuple[Scores, BoolArray, BoolArray]]:
        return [(score_entities(m.orders, calibration=cal), a, s) for m, a, s in items]

    first = fit_calibration(scored(fit, dummy), scored(hold, dummy), "accounts only")
    accounts_only = Calibration(first.account, dummy.store, "accounts only")
    note = (
        f"{count} markets for the weights (seeds 1000-{999 + count}) and {count} for the "
        f"isotonic tables (seeds 2000-{1999 + count}) of ingest.generate.market, "
        f"{BACKGROUND:,} background orders, {RINGS_PER_MARKET} rings of {SIZES} accounts, "
        f"density {DENSITIES}, camouflage {CAMOUFLAGES}, {DURATIONS} days, every other one "
        "with reviews; bench/rings.py --calibrate"
    )
    final = fit_calibration(scored(fit, accounts_only), scored(hold, accounts_only), note)
    final = Calibration(first.account, final.store, note)
    CALIBRATION_PATH.write_text(
        json.dumps(final.as_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    load_calibration.cache_clear()
    return final


def reliability(count: int = 24) -> list[str]:
    """Markdown rows: score band, accounts (stores) in it, share planted, on seeds 5000+."""
    items = _training(5000, count)
    bands = np.array([0.0, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001])
    rows = []
    for kind in ("accounts", "stores"):
        scores_l, truth_l = [], []
        for market, accounts, stores in items:
            scored = score_entities(market.orders)
            part = scored.accounts if kind == "accounts" else scored.stores
            mask = part.has_orders
            scores_l.append(part.score[mask])
            truth_l.append((accounts if kind == "accounts" else stores)[mask])
        score, positive = np.concatenate(scores_l), np.concatenate(truth_l)
        for low, high in itertools.pairwise(bands):
            inside = (score >= low) & (score < high)
            n = int(inside.sum())
            mean = float(score[inside].mean()) if n else float("nan")
            share = float(positive[inside].mean()) if n else float("nan")
            rows.append(
                f"| {kind} | {low:.2f}-{min(high, 1.0):.2f} | {n:,} | {mean:.3f} | {share:.3f} |"
            )
    return rows


def grid(reviews: bool = False, seed: int = 0) -> list[str]:
    """One markdown row per cell: before (ring members) and after (scores >= FLAG_AT)."""
    rows = []
    for cell in cells():
        market = make_market(cell.spec(seed, reviews))
        accounts, _ = truth(market)
        start = time.process_time()
        scored = score_entities(market.orders)
        seconds = time.process_time() - start
        member = np.zeros(market.orders.n_accounts)
        for ring in scored.rings:
            member[ring.accounts] = np.maximum(member[ring.accounts], ring.score)
        has = scored.accounts.has_orders
        before = precision_recall(member[has] > 0, accounts[has])
        after = precision_recall(scored.accounts.score[has] >= FLAG_AT, accounts[has])
        b_auc, a_auc = (
            auc(member[has], accounts[has]),
            auc(scored.accounts.score[has], accounts[has]),
        )
        b_ap = average_precision(member[has], accounts[has])
        a_ap = average_precision(scored.accounts.score[has], accounts[has])
        rows.append(
            f"| {cell.name} | {before[0]:.2f} / {before[1]:.2f} | {b_auc:.3f} | {b_ap:.3f} "
            f"| {after[0]:.2f} / {after[1]:.2f} | {a_auc:.3f} | {a_ap:.3f} | {seconds:.1f} |"
        )
        print(rows[-1], flush=True)
    return rows


def _published_scores(market: SyntheticMarket, n_blocks: int) -> FloatArray:
    """Published FRAUDAR: an account in block k (0-based) scores ``n_blocks - k``, else 0."""
    from fraudar.export import greedy  # bench dependency only

    orders = market.orders
    matrix = sparse.csr_matrix(
        (np.ones(orders.n_orders), (orders.account, orders.store)),
        shape=(orders.n_accounts, orders.n_stores),
    )
    matrix.data[:] = 1.0
    detect: Any = greedy.detectMultiple
    with contextlib.redirect_stdout(io.StringIO()):
        found: list[Any] = detect(matrix.astype(np.int64), greedy.logWeightedAveDegree, n_blocks)
    score = np.zeros(orders.n_accounts)
    for k, block in enumerate(found):
        rows = np.fromiter(block[0][0], dtype=np.int64)
        score[rows] = np.maximum(score[rows], n_blocks - k)
    return score


def peers(count: int = 6, n_blocks: int = 5) -> list[str]:
    """Markdown rows per market and method: account AUC, AP and CPU seconds."""
    rows = []
    rng = np.random.default_rng(9000)
    for k in range(count):
        cell = Cell(
            int(rng.choice(SIZES)),
            float(rng.choice(DENSITIES)),
            CAMOUFLAGES[1 + k % 3],
            int(rng.choice(DURATIONS)),
        )
        market = make_market(cell.spec(9000 + k, reviews=True))
        accounts, _ = truth(market)
        has = np.bincount(market.orders.account, minlength=market.orders.n_accounts) > 0
        results: list[tuple[str, FloatArray, float]] = []
        start = time.process_time()
        ours = score_entities(market.orders).accounts.score
        results.append(("ours (scores)", ours, time.process_time() - start))
        start = time.process_time()
        rings = find_rings(market.orders)
        member = np.zeros(market.orders.n_accounts)
        for ring in rings:
            member[ring.accounts] = np.maximum(member[ring.accounts], ring.score)
        results.append(("ours (ring members)", member, time.process_time() - start))
        start = time.process_time()
        fairness = rev2(market.orders).fairness
        results.append(("REV2 (ratings)", 1.0 - fairness, time.process_time() - start))
        start = time.process_time()
        published = _published_scores(market, n_blocks)
        results.append(("published FRAUDAR", published, time.process_time() - start))
        for method, score, seconds in results:
            rows.append(
                f"| {cell.name} | {method} | {auc(score[has], accounts[has]):.3f} "
                f"| {average_precision(score[has], accounts[has]):.3f} | {seconds:.1f} |"
            )
            print(rows[-1], flush=True)
    return rows
