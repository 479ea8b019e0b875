"""A calibrated brushing score for every account and store with orders, with its reasons.

Rings (:mod:`algorithms.brushing.rings`) name groups; a platform also needs a number for each
account and store it can rank, threshold and explain.  Method, step by step:

1. **Features.**  Per account: how many of its orders show each logistics tell (empty parcel,
   implausibly fast waybill, a receiver shared by several accounts), how many lockstep
   partners it has, the mean suspicion of its orders, how suspicious the stores it buys from
   look (the share of their orders that are suspicious), whether a detected ring holds it
   (the ring's score) and, when orders carry reviews, its REV2 unfairness (``1 - F(u)``,
   :mod:`algorithms.brushing.rev2`) and how many reviews it wrote within hours of delivery.
   Per store: the suspicion its orders carry (total and share), how many of its buyers and
   orders the account scores call suspicious, whether a ring boosts it and how many of its
   high ratings come from suspicious accounts.  Counts enter as ``log(1 + n)``, so the tenth
   empty parcel adds less than the second, and sums (not means) keep camouflage from diluting
   the evidence.
2. **Raw score.**  A logistic model ``sigmoid(b + w . x)`` with one weight per feature.
3. **Calibration.**  The raw score is mapped through an isotonic (monotone) table so that,
   on markets from :mod:`ingest.generate.market` with planted rings, a score of 0.9 means
   that about 90 % of the entities scored near 0.9 belong to a planted ring.
   Weights and table are data (``calibration.json`` beside this module), fitted by
   :func:`fit_calibration` (``bench/rings.py --calibrate``) on markets other than those the
   reliability table and the grid in ``docs/rings.md`` are measured on.
4. **Reasons.**  Each feature's share of the logit, ``w_i x_i``, is its weight of evidence;
   the features that add at least :data:`REASON_MIN` become reasons, largest first, each a
   code and the counts behind it, written out by :func:`graph.render.reason_text`.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from algorithms.brushing.rev2 import rev2
from algorithms.brushing.rings import (
    DEFAULT_PARAMS,
    Ring,
    RingParams,
    Tells,
    find_rings,
    order_tells,
)
from algorithms.brushing.signals import receiver_sharing
from graph.errors import InvalidInput
from graph.model import OrderTable

__all__ = [
    "ACCOUNT_FEATURES",
    "CALIBRATION_PATH",
    "QUICK_REVIEW_HOURS",
    "REASON_MIN",
    "STORE_FEATURES",
    "Calibration",
    "EntityScores",
    "Model",
    "Reason",
    "Scores",
    "fit_calibration",
    "load_calibration",
    "score_entities",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ACCOUNT_FEATURES = (
    "light",
    "fast",
    "receiver",
    "lockstep",
    "mean_suspicion",
    "store_suspicion",
    "ring",
    "orders",
    "unfair",
    "quick_reviews",
)
"""Account features, in the order of the model's weights."""

STORE_FEATURES = (
    "suspicious_orders",
    "suspicious_share",
    "suspect_buyers",
    "suspect_share",
    "ring",
    "orders",
    "suspect_praise",
)
"""Store features, in the order of the model's weights."""

REASON_MIN = 0.5
"""A feature becomes a reason when it adds at least this much to the logit."""

QUICK_REVIEW_HOURS = 6.0
"""A review written less than this many hours after delivery counts as quick."""

SUSPECT = 0.5
"""Accounts scored at least this are the suspicious buyers a store's features count."""

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class Reason:
    """One reason: a code of :data:`graph.render.REASONS` and the figures it is written with."""

    code: str
    params: dict[str, Any]
    weight: float


@dataclass(frozen=True)
class Model:
    """Logistic weights over named features and the isotonic table that calibrates them."""

    features: tuple[str, ...]
    weights: FloatArray
    intercept: float
    iso_x: FloatArray
    iso_y: FloatArray

    def logit(self, x: FloatArray) -> FloatArray:
        """``b + w . x`` per row."""
        z: FloatArray = self.intercept + x @ self.weights
        return z

    def calibrated(self, x: FloatArray) -> FloatArray:
        """The calibrated score per row, in ``[0, 1]``."""
        raw = 1.0 / (1.0 + np.exp(-self.logit(x)))
        out: FloatArray = np.interp(raw, self.iso_x, self.iso_y)
        return out

    def as_json(self) -> dict[str, Any]:
        """The model as plain data."""
        return {
            "features": list(self.features),
            "weights": [round(float(w), 6) for w in self.weights],
            "intercept": round(self.intercept, 6),
            "isotonic": {
                "raw": [round(float(v), 6) for v in self.iso_x],
                "calibrated": [round(float(v), 6) for v in self.iso_y],
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], expected: Sequence[str]) -> Model:
        """Read a model back, refusing one fitted on other features."""
        if tuple(data["features"]) != tuple(expected):
            raise InvalidInput("calibration features do not match the code", field="features")
        return cls(
            features=tuple(data["features"]),
            weights=np.array(data["weights"], dtype=np.float64),
            intercept=float(data["intercept"]),
            iso_x=np.array(data["isotonic"]["raw"], dtype=np.float64),
            iso_y=np.array(data["isotonic"]["calibrated"], dtype=np.float64),
        )


@dataclass(frozen=True)
class Calibration:
    """The account and store models, and how they were fitted."""

    account: Model
    store: Model
    fitted_on: str

    def as_json(self) -> dict[str, Any]:
        """Everything as plain data (what ``calibration.json`` holds)."""
        return {
            "fitted_on": self.fitted_on,
            "account": self.account.as_json(),
            "store": self.store.as_json(),
        }


@cache
def load_calibration(path: Path = CALIBRATION_PATH) -> Calibration:
    """The calibration shipped with the package (or another file of the same shape).

    Raises
    ------
    InvalidInput
        If the file is missing or was fitted on other features.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read the calibration {path}: {exc}", field="path") from exc
    return Calibration(
        account=Model.from_json(data["account"], ACCOUNT_FEATURES),
        store=Model.from_json(data["store"], STORE_FEATURES),
        fitted_on=str(data.get("fitted_on", "")),
    )


@dataclass(frozen=True)
class EntityScores:
    """Scores of one kind of entity: one row per account (or store) of the order table.

    ``score`` is calibrated, in ``[0, 1]``; ``has_orders`` is False for entities without
    orders (their score is 0 and they have no reasons); ``features`` is the model's input.
    ``reasons[k]`` is worked out when read, so millions of accounts cost arrays, not objects.
    """

    score: FloatArray
    features: FloatArray
    contributions: FloatArray
    reasons: Sequence[tuple[Reason, ...]]
    has_orders: BoolArray


@dataclass(frozen=True)
class Scores:
    """Account and store scores, and the rings found on the way."""

    accounts: EntityScores
    stores: EntityScores
    rings: tuple[Ring, ...]


@dataclass(frozen=True)
class _Facts:
    """Per-entity counts the features and the reasons are made of."""

    n_orders: IntArray
    light: IntArray
    fast: IntArray
    receiver: IntArray
    receiver_accounts: IntArray
    partners: IntArray
    mean_suspicion: FloatArray
    store_suspicion: FloatArray
    ring_score: FloatArray
    ring_size: IntArray
    fairness: FloatArray
    n_ratings: IntArray
    quick: IntArray


def score_entities(
    orders: OrderTable,
    params: RingParams = DEFAULT_PARAMS,
    *,
    calibration: Calibration | None = None,
    rings: Sequence[Ring] | None = None,
    tells: Tells | None = None,
) -> Scores:
    """Score every account and store with orders; see the module docstring for the method.

    Parameters
    ----------
    orders : OrderTable
        The orders (with ratings when there are reviews).
    params : RingParams
        Thresholds of the tells and of the ring search.
    calibration : Calibration, optional
        Models to apply; the package's ``calibration.json`` by default.
    rings, tells : optional
        Rings and tells already computed for these orders and parameters.

    Returns
    -------
    Scores

    Raises
    ------
    InvalidInput
        If the parameters are refused or the calibration cannot be read.

    Examples
    --------
    >>> from ingest.generate.market import MarketSpec, make_market
    >>> market = make_market(MarketSpec(n_orders=5_000, n_rings=1))
    >>> scores = score_entities(market.orders)
    >>> ring = market.rings[0].accounts
    >>> bool(scores.accounts.score[ring].mean() > 0.8 > scores.accounts.score.mean())
    True
    """
    calibration = calibration or load_calibration()
    tells = tells if tells is not None else order_tells(orders, params)
    found = tuple(rings) if rings is not None else tuple(find_rings(orders, params, tells=tells))
    facts = _account_facts(orders, params, tells, found)
    x_acc = _account_features(facts)
    accounts = _entity_scores(calibration.account, x_acc, facts.n_orders > 0)
    accounts = _with_reasons(accounts, _AccountReasons(facts, accounts, params))
    x_st, store_facts = _store_features(orders, tells, found, accounts.score)
    n_store_orders = np.bincount(orders.store, minlength=orders.n_stores)
    stores = _entity_scores(calibration.store, x_st, n_store_orders > 0)
    stores = _with_reasons(stores, _StoreReasons(store_facts, stores))
    return Scores(accounts=accounts, stores=stores, rings=found)


# -- features ------------------------------------------------------------------------------
def _count(index: IntArray, flags: BoolArray, n: int) -> IntArray:
    out: IntArray = np.bincount(index[flags], minlength=n).astype(np.int64)
    return out


def _account_facts(
    orders: OrderTable, params: RingParams, tells: Tells, rings: Sequence[Ring]
) -> _Facts:
    n_acc, n_st = orders.n_accounts, orders.n_stores
    n_orders = np.bincount(orders.account, minlength=n_acc).astype(np.int64)
    sharing = receiver_sharing(orders)
    susp = tells.suspicion
    sum_susp = np.bincount(orders.account, weights=susp, minlength=n_acc)
    mean_susp = np.divide(sum_susp, n_orders, out=np.zeros(n_acc), where=n_orders > 0)
    # How suspicious the account's stores look without the account's own orders.
    st_sum = np.bincount(orders.store, weights=susp, minlength=n_st)
    st_n = np.bincount(orders.store, minlength=n_st).astype(np.float64)
    others = (st_sum[orders.store] - susp) / (st_n[orders.store] - 1.0 + 5.0)
    store_susp = np.divide(
        np.bincount(orders.account, weights=others, minlength=n_acc),
        n_orders,
        out=np.zeros(n_acc),
        where=n_orders > 0,
    )
    partners = (
        np.diff(tells.partners.indptr).astype(np.int64)
        if tells.partners is not None
        else np.zeros(n_acc, dtype=np.int64)
    )
    ring_score = np.zeros(n_acc)
    ring_size = np.zeros(n_acc, dtype=np.int64)
    for ring in rings:
        better = ring.score > ring_score[ring.accounts]
        ring_score[ring.accounts[better]] = ring.score
        ring_size[ring.accounts[better]] = ring.accounts.size
    fairness = np.ones(n_acc)
    n_ratings = np.zeros(n_acc, dtype=np.int64)
    quick = np.zeros(n_acc, dtype=np.int64)
    if orders.has_ratings and orders.rating is not None:
        found = rev2(orders)
        fairness, n_ratings = found.fairness, found.n_ratings
        if orders.reviewed is not None:
            known = np.isfinite(orders.rating) & (orders.reviewed >= 0) & (orders.delivered >= 0)
            gap = orders.reviewed - orders.delivered
            fast_review = known & (gap < QUICK_REVIEW_HOURS * 3600)
            quick = _count(orders.account, fast_review, n_acc)
    return _Facts(
        n_orders=n_orders,
        light=_count(orders.account, tells.light, n_acc),
        fast=_count(orders.account, tells.fast, n_acc),
        receiver=_count(orders.account, tells.receiver, n_acc),
        receiver_accounts=sharing.per_account,
        partners=partners,
        mean_suspicion=mean_susp,
        store_suspicion=store_susp,
        ring_score=ring_score,
        ring_size=ring_size,
        fairness=fairness,
        n_ratings=n_ratings,
        quick=quick,
    )


def _account_features(f: _Facts) -> FloatArray:
    unfair = np.where(f.n_ratings > 0, 1.0 - f.fairness, 0.0)
    return np.column_stack(
        [
            np.log1p(f.light),
            np.log1p(f.fast),
            np.log1p(f.receiver),
            np.log1p(f.partners),
            f.mean_suspicion,
            f.store_suspicion,
            f.ring_score,
            np.log1p(f.n_orders),
            unfair,
            np.log1p(f.quick),
        ]
    ).astype(np.float64)


@dataclass(frozen=True)
class _StoreFacts:
    n_orders: IntArray
    suspicious_orders: FloatArray
    suspect_buyers: IntArray
    suspect_orders: IntArray
    ring_score: FloatArray
    suspect_praise: IntArray


def _store_features(
    orders: OrderTable, tells: Tells, rings: Sequence[Ring], account_score: FloatArray
) -> tuple[FloatArray, _StoreFacts]:
    n_st = orders.n_stores
    n_orders = np.bincount(orders.store, minlength=n_st).astype(np.int64)
    susp = np.bincount(orders.store, weights=tells.suspicion, minlength=n_st)
    by_suspect = account_score[orders.account] >= SUSPECT
    suspect_orders = _count(orders.store, by_suspect, n_st)
    pairs = np.unique(orders.store[by_suspect] * orders.n_accounts + orders.account[by_suspect])
    suspect_buyers = np.bincount(pairs // orders.n_accounts, minlength=n_st).astype(np.int64)
    ring_score = np.zeros(n_st)
    for ring in rings:
        ring_score[ring.stores] = np.maximum(ring_score[ring.stores], ring.score)
    praise = np.zeros(n_st, dtype=np.int64)
    if orders.rating is not None:
        with np.errstate(invalid="ignore"):
            high = np.isfinite(orders.rating) & (orders.rating >= 4)
        praise = _count(orders.store, high & by_suspect, n_st)
    shrunk = n_orders + 5.0
    x = np.column_stack(
        [
            np.log1p(susp),
            susp / shrunk,
            np.log1p(suspect_buyers),
            suspect_orders / shrunk,
            ring_score,
            np.log1p(n_orders),
            np.log1p(praise),
        ]
    ).astype(np.float64)
    facts = _StoreFacts(
        n_orders, susp.astype(np.float64), suspect_buyers, suspect_orders, ring_score, praise
    )
    return x, facts


# -- scores and reasons --------------------------------------------------------------------
def _entity_scores(model: Model, x: FloatArray, has_orders: BoolArray) -> EntityScores:
    score = np.where(has_orders, model.calibrated(x), 0.0)
    contributions = x * model.weights
    return EntityScores(
        score=score.astype(np.float64),
        features=x,
        contributions=contributions,
        reasons=(),
        has_orders=has_orders,
    )


def _with_reasons(scores: EntityScores, reasons: Sequence[tuple[Reason, ...]]) -> EntityScores:
    return EntityScores(
        score=scores.score,
        features=scores.features,
        contributions=scores.contributions,
        reasons=reasons,
        has_orders=scores.has_orders,
    )


class _LazyReasons(Sequence[tuple[Reason, ...]]):
    """Reasons per row, each worked out from the facts when it is read."""

    def __init__(self, scores: EntityScores) -> None:
        self._scores = scores
        self._order: npt.NDArray[np.int8] | None = None

    def _top(self, names: Sequence[str], row: int) -> list[tuple[str, float]]:
        """Row ``row``'s features worth a reason (contribution at least ``REASON_MIN``),
        largest first; every row's order is sorted once, on the first read."""
        if self._order is None:
            self._order = np.argsort(-self._scores.contributions, axis=1).astype(np.int8)
        values = self._scores.contributions[row].tolist()
        return [(names[k], values[k]) for k in self._order[row].tolist() if values[k] >= REASON_MIN]

    def __len__(self) -> int:
        return int(self._scores.score.size)

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return tuple(self[i] for i in range(*k.indices(len(self))))
        k = int(k)
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        return self._reasons(k) if self._scores.has_orders[k] else ()

    @abstractmethod
    def _reasons(self, k: int) -> tuple[Reason, ...]:
        """The reasons of row ``k`` (an entity with orders)."""


class _AccountReasons(_LazyReasons):
    def __init__(self, f: _Facts, scores: EntityScores, params: RingParams) -> None:
        super().__init__(scores)
        self._f, self._params = f, params

    def _reasons(self, a: int) -> tuple[Reason, ...]:
        reasons = []
        for name, weight in self._top(ACCOUNT_FEATURES, a):
            figures = self._figures(name, a)
            if figures is not None:
                reasons.append(Reason(f"brushing_account_{name}", figures, round(weight, 3)))
        return tuple(reasons)

    def _figures(self, name: str, a: int) -> dict[str, Any] | None:
        """The figures a reason about feature ``name`` quotes for account ``a`` (None for a
        feature without a reason text); only the features picked are worked out."""
        f, params = self._f, self._params
        n = int(f.n_orders[a])
        if name == "light":
            grams = params.light_parcel_kg * 1000
            return {"n": int(f.light[a]), "orders": n, "grams": f"{grams:g}"}
        if name == "fast":
            return {"n": int(f.fast[a]), "orders": n, "hours": f"{params.fast_delivery_hours:g}"}
        if name == "receiver":
            return {"n": int(f.receiver[a]), "accounts": int(f.receiver_accounts[a])}
        if name == "lockstep":
            minutes = params.lockstep_window_seconds / 60
            return {"partners": int(f.partners[a]), "minutes": f"{minutes:g}"}
        if name == "mean_suspicion":
            return {"share": f"{f.mean_suspicion[a]:.0%}", "orders": n}
        if name == "store_suspicion":
            return {"share": f"{f.store_suspicion[a]:.0%}"}
        if name == "ring":
            return {"accounts": int(f.ring_size[a]), "score": f"{f.ring_score[a]:.2f}"}
        if name == "unfair":
            return {"fairness": f"{f.fairness[a]:.2f}", "n": int(f.n_ratings[a])}
        if name == "quick_reviews":
            return {"n": int(f.quick[a]), "hours": f"{QUICK_REVIEW_HOURS:g}"}
        return None


_STORE_REASON_CODES = {
    "suspicious_orders": "suspicious_orders",
    "suspicious_share": "suspicious_orders",
    "suspect_buyers": "suspect_buyers",
    "suspect_share": "suspect_buyers",
    "ring": "ring",
    "suspect_praise": "suspect_praise",
}


class _StoreReasons(_LazyReasons):
    def __init__(self, f: _StoreFacts, scores: EntityScores) -> None:
        super().__init__(scores)
        self._f = f

    def _reasons(self, s: int) -> tuple[Reason, ...]:
        f = self._f
        reasons: dict[str, Reason] = {}
        n = int(f.n_orders[s])
        for name, weight in self._top(STORE_FEATURES, s):
            code = _STORE_REASON_CODES.get(name)
            if code is None or code in reasons:
                continue
            table: dict[str, dict[str, Any]] = {
                "suspicious_orders": {"suspicion": f"{f.suspicious_orders[s]:.1f}", "orders": n},
                "suspect_buyers": {
                    "buyers": int(f.suspect_buyers[s]),
                    "n": int(f.suspect_orders[s]),
                    "orders": n,
                },
                "ring": {"score": f"{f.ring_score[s]:.2f}"},
                "suspect_praise": {"n": int(f.suspect_praise[s])},
            }
            reasons[code] = Reason(f"brushing_store_{code}", table[code], round(weight, 3))
        return tuple(reasons.values())


# -- fitting -------------------------------------------------------------------------------
def _logistic(x: FloatArray, y: BoolArray, ridge: float = 1.0) -> tuple[FloatArray, float]:
    """Weights and intercept by Newton's method (IRLS) with a small ridge, classes balanced."""
    n, k = x.shape
    design = np.column_stack([np.ones(n), x])
    positive = max(int(y.sum()), 1)
    negative = max(n - positive, 1)
    sample = np.where(y, n / (2 * positive), n / (2 * negative))
    beta = np.zeros(k + 1)
    penalty = ridge * np.eye(k + 1)
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        w = sample * p * (1 - p) + 1e-9
        gradient = design.T @ (sample * (y - p)) - penalty @ beta
        hessian = (design * w[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta[1:], float(beta[0])


def _isotonic(raw: FloatArray, y: BoolArray, bins: int = 400) -> tuple[FloatArray, FloatArray]:
    """Pool-adjacent-violators on ``raw`` sorted: a step function, as knots for ``np.interp``.

    Each pooled block contributes its first and last raw value at the block's rate, so the
    table is flat inside a block and linear only across the gap between two blocks.  Large
    tables are thinned to about ``bins`` knots.
    """
    order = np.argsort(raw, kind="stable")
    xs, ys = raw[order], y[order].astype(np.float64)
    values: list[float] = []
    weights: list[float] = []
    lefts: list[float] = []
    rights: list[float] = []
    for xv, yv in zip(xs.tolist(), ys.tolist(), strict=True):
        values.append(yv)
        weights.append(1.0)
        lefts.append(xv)
        rights.append(xv)
        while len(values) > 1 and values[-2] >= values[-1]:
            w = weights[-2] + weights[-1]
            v = (values[-2] * weights[-2] + values[-1] * weights[-1]) / w
            values[-2:] = [v]
            weights[-2:] = [w]
            lefts[-2:] = [lefts[-2]]
            rights[-2:] = [rights[-1]]
    knots_x = np.ravel(np.column_stack([lefts, rights]))
    knots_y = np.repeat(np.array(values), 2)
    if knots_x.size > bins:
        keep = np.unique(np.linspace(0, knots_x.size - 1, bins).round().astype(int))
        knots_x, knots_y = knots_x[keep], knots_y[keep]
    return np.concatenate([[0.0], knots_x, [1.0]]), np.concatenate(
        [[knots_y[0]], knots_y, [knots_y[-1]]]
    )


#: Features that may count against suspicion (every other weight is kept non-negative, so
#: a reason never says that evidence made an entity look more honest).
_SIGNED = ("orders",)


def _fit_model(
    names: Sequence[str], fit: tuple[FloatArray, BoolArray], hold: tuple[FloatArray, BoolArray]
) -> Model:
    x_fit, y_fit = fit
    active = np.ones(len(names), dtype=bool)
    while True:  # drop evidence features that come out negative, refit on the rest
        weights_active, intercept = _logistic(x_fit[:, active], y_fit)
        weights = np.zeros(len(names))
        weights[active] = weights_active
        wrong = (weights < 0) & np.array([n not in _SIGNED for n in names])
        if not wrong.any():
            break
        active &= ~wrong
    x_hold, y_hold = hold
    raw = 1.0 / (1.0 + np.exp(-(intercept + x_hold @ weights)))
    iso_x, iso_y = _isotonic(raw, y_hold)
    return Model(tuple(names), weights, intercept, iso_x, iso_y)


def fit_calibration(
    fit: Sequence[tuple[Scores, BoolArray, BoolArray]],
    hold: Sequence[tuple[Scores, BoolArray, BoolArray]],
    fitted_on: str,
) -> Calibration:
    """Fit the weights on ``fit`` and the isotonic tables on ``hold``.

    Each item is the scores of one market (any calibration: only the features are used) with
    the planted ring accounts and stores as boolean masks.  Entities without orders are left
    out.  Store features depend on the account scores, so fit the accounts first, re-score
    with the new account model and fit the stores on that (``bench/rings.py --calibrate``).
    """

    def stack(
        items: Sequence[tuple[Scores, BoolArray, BoolArray]], kind: str
    ) -> tuple[FloatArray, BoolArray]:
        xs, ys = [], []
        for scores, ring_accounts, ring_stores in items:
            part = scores.accounts if kind == "account" else scores.stores
            truth = ring_accounts if kind == "account" else ring_stores
            xs.append(part.features[part.has_orders])
            ys.append(truth[part.has_orders])
        return np.concatenate(xs), np.concatenate(ys)

    return Calibration(
        account=_fit_model(ACCOUNT_FEATURES, stack(fit, "account"), stack(hold, "account")),
        store=_fit_model(STORE_FEATURES, stack(fit, "store"), stack(hold, "store")),
        fitted_on=fitted_on,
    )
