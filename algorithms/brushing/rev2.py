"""REV2: fairness of raters, goodness of stores and reliability of ratings, computed together.

Kumar, Hooi, Makhija, Kumar, Faloutsos, Subrahmanian, "REV2: Fraudulent User Prediction in
Rating Platforms", WSDM 2018.  Every rating ``(u, p)`` is rescaled to ``score(u, p)`` in
``[-1, 1]`` (1 star -> -1, 5 stars -> 1).  Three quantities depend on one another:

* fairness of a rater ``F(u)`` in ``[0, 1]``: the mean reliability of its ratings,
  ``F(u) = (a1 * mu_F + a2 * I_U(u) + sum_p R(u, p)) / (a1 + a2 + |Out(u)|)``;
* goodness of a store ``G(p)`` in ``[-1, 1]``: its ratings weighted by their reliability,
  ``G(p) = (b1 * mu_G + b2 * I_P(p) + sum_u R(u, p) score(u, p)) / (b1 + b2 + |In(p)|)``;
* reliability of a rating ``R(u, p)`` in ``[0, 1]``: fair raters and ratings that agree with
  the store's goodness are reliable,
  ``R(u, p) = (g1 * F(u) + g2 * (1 - |score(u, p) - G(p)| / 2)) / (g1 + g2)``.

``mu_F`` and ``mu_G`` are the current means (the paper's smoothing towards the average, so a
rater with one rating is not judged on it alone); ``I_U`` and ``I_P`` are optional behaviour
priors in ``[0, 1]`` (1 = looks honest; the paper uses BIRDNEST, the detector passes its
logistics suspicion).  Starting from ``F = R = 1, G = 1`` the three updates repeat until no
value moves by more than ``tol``.  Every update is a weighted ``bincount`` over the ratings,
so one iteration costs ``O(ratings)``.

A rater's suspiciousness is ``1 - F(u)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from graph.errors import InvalidInput
from graph.model import OrderTable

__all__ = ["Rev2", "rev2"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Rev2:
    """Fairness per account, goodness per store, reliability per rated order.

    ``rated`` marks the orders that carry a rating (``reliability`` is nan elsewhere);
    ``n_ratings`` counts each account's ratings (fairness of an account with none is the
    prior mean).  ``iterations`` is how many rounds ran before the values settled.
    """

    fairness: FloatArray
    goodness: FloatArray
    reliability: FloatArray
    rated: npt.NDArray[np.bool_]
    n_ratings: IntArray
    iterations: int


def rev2(
    orders: OrderTable,
    *,
    alpha: tuple[float, float] = (1.0, 0.0),
    beta: tuple[float, float] = (1.0, 0.0),
    gamma: tuple[float, float] = (1.0, 1.0),
    account_prior: FloatArray | None = None,
    store_prior: FloatArray | None = None,
    tol: float = 1e-4,
    max_iter: int = 100,
) -> Rev2:
    """Run REV2 on the orders' ratings.

    Parameters
    ----------
    orders : OrderTable
        Orders; only those with a rating take part.
    alpha, beta : (float, float)
        Smoothing weights of the mean and of the behaviour prior, for fairness and goodness.
    gamma : (float, float)
        Weights of the rater's fairness and of the rating's agreement in reliability.
    account_prior, store_prior : numpy.ndarray, optional
        Behaviour priors ``I_U`` per account and ``I_P`` per store, in ``[0, 1]`` (1 looks
        honest); used with weight ``alpha[1]`` / ``beta[1]``.
    tol : float
        Stop when no fairness, goodness or reliability moves by more than this.
    max_iter : int
        Stop after this many rounds in any case.

    Returns
    -------
    Rev2

    Raises
    ------
    InvalidInput
        If the orders carry no rating, or a weight is negative, or ``gamma`` sums to zero.

    Examples
    --------
    >>> import numpy as np
    >>> t = OrderTable(
    ...     account=np.array([0, 1, 2, 2]), store=np.array([0, 0, 0, 1]),
    ...     placed=np.zeros(4, dtype=np.int64), weight_kg=np.ones(4),
    ...     shipped=-np.ones(4, dtype=np.int64), delivered=-np.ones(4, dtype=np.int64),
    ...     address=np.arange(4), phone=np.arange(4), n_accounts=3, n_stores=2,
    ...     rating=np.array([5.0, 5.0, 1.0, 5.0]))
    >>> result = rev2(t)
    >>> bool(result.fairness[2] < result.fairness[0])
    True
    """
    if orders.rating is None or not orders.has_ratings:
        raise InvalidInput("the orders carry no ratings", field="rating")
    if min(*alpha, *beta, *gamma) < 0 or sum(gamma) <= 0:
        raise InvalidInput("REV2 weights must be non-negative and gamma must not sum to 0")
    rated = np.isfinite(orders.rating)
    user = orders.account[rated]
    item = orders.store[rated]
    score = (orders.rating[rated] - 3.0) / 2.0
    n_users, n_items = orders.n_accounts, orders.n_stores
    out_deg = np.bincount(user, minlength=n_users).astype(np.float64)
    in_deg = np.bincount(item, minlength=n_items).astype(np.float64)
    prior_u = np.ones(n_users) if account_prior is None else account_prior
    prior_p = np.ones(n_items) if store_prior is None else store_prior
    fairness = np.ones(n_users)
    goodness = np.ones(n_items)
    reliability = np.ones(score.size)
    a1, a2 = alpha
    b1, b2 = beta
    g1, g2 = gamma
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        mu_g = float(goodness[in_deg > 0].mean()) if (in_deg > 0).any() else 0.0
        new_goodness = (
            b1 * mu_g + b2 * prior_p + np.bincount(item, reliability * score, minlength=n_items)
        ) / (b1 + b2 + in_deg)
        new_goodness = np.clip(new_goodness, -1.0, 1.0)
        new_reliability = (
            g1 * fairness[user] + g2 * (1.0 - np.abs(score - new_goodness[item]) / 2.0)
        ) / (g1 + g2)
        mu_f = float(fairness[out_deg > 0].mean()) if (out_deg > 0).any() else 1.0
        new_fairness = (
            a1 * mu_f + a2 * prior_u + np.bincount(user, new_reliability, minlength=n_users)
        ) / (a1 + a2 + out_deg)
        change = max(
            float(np.abs(new_goodness - goodness).max(initial=0.0)),
            float(np.abs(new_reliability - reliability).max(initial=0.0)),
            float(np.abs(new_fairness - fairness).max(initial=0.0)),
        )
        fairness, goodness, reliability = new_fairness, new_goodness, new_reliability
        if change <= tol:
            break
    per_order = np.full(orders.n_orders, np.nan)
    per_order[rated] = reliability
    return Rev2(
        fairness=fairness,
        goodness=goodness,
        reliability=per_order,
        rated=rated,
        n_ratings=out_deg.astype(np.int64),
        iterations=iterations,
    )
