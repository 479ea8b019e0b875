"""Per-account and per-store brushing scores, REV2, and the markets with reviews they run on."""

from __future__ import annotations

import numpy as np
import pytest

from algorithms.brushing.rev2 import rev2
from algorithms.brushing.scores import (
    ACCOUNT_FEATURES,
    STORE_FEATURES,
    _isotonic,
    load_calibration,
    score_entities,
)
from graph.errors import InvalidInput
from graph.model import OrderTable
from graph.render import REASONS, reason_text
from ingest.generate.market import MarketSpec, make_market


def _ratings(account: list[int], store: list[int], rating: list[float]) -> OrderTable:
    n = len(account)
    return OrderTable(
        account=np.array(account),
        store=np.array(store),
        placed=np.zeros(n, dtype=np.int64),
        weight_kg=np.ones(n),
        shipped=-np.ones(n, dtype=np.int64),
        delivered=-np.ones(n, dtype=np.int64),
        address=np.arange(n),
        phone=np.arange(n),
        n_accounts=max(account) + 1,
        n_stores=max(store) + 1,
        rating=np.array(rating, dtype=np.float64),
    )


def _rev2_reference(
    edges: list[tuple[int, int, float]], n_users: int, n_items: int, rounds: int
) -> tuple[list[float], list[float]]:
    """REV2 as the paper writes it, one rating at a time (alpha = beta = (1, 0), gamma = (1, 1))."""
    fair = [1.0] * n_users
    good = [1.0] * n_items
    rel = [1.0] * len(edges)
    for _ in range(rounds):
        rated_items = {p for _, p, _ in edges}
        mu_g = sum(good[p] for p in rated_items) / len(rated_items)
        new_good = []
        for p in range(n_items):
            mine = [(k, s) for k, (_, q, s) in enumerate(edges) if q == p]
            total = sum(rel[k] * s for k, s in mine)
            new_good.append(max(-1.0, min(1.0, (mu_g + total) / (1 + len(mine)))))
        good = new_good
        rel = [(fair[u] + (1 - abs(s - good[p]) / 2)) / 2 for u, p, s in edges]
        raters = {u for u, _, _ in edges}
        mu_f = sum(fair[u] for u in raters) / len(raters)
        fair = [
            (mu_f + sum(rel[k] for k, (v, _, _) in enumerate(edges) if v == u))
            / (1 + sum(1 for v, _, _ in edges if v == u))
            for u in range(n_users)
        ]
    return fair, good


def test_rev2_matches_a_plain_reference_implementation() -> None:
    rng = np.random.default_rng(4)
    account = rng.integers(0, 6, 30).tolist()
    store = rng.integers(0, 4, 30).tolist()
    stars = rng.integers(1, 6, 30).astype(float).tolist()
    ours = rev2(_ratings(account, store, stars), tol=0.0, max_iter=7)
    edges = [(a, s, (r - 3) / 2) for a, s, r in zip(account, store, stars, strict=True)]
    fair, good = _rev2_reference(edges, 6, 4, rounds=7)
    assert ours.iterations == 7
    np.testing.assert_allclose(ours.fairness, fair, atol=1e-12)
    np.testing.assert_allclose(ours.goodness, good, atol=1e-12)


def test_a_rater_who_runs_down_good_stores_is_the_least_fair() -> None:
    # accounts 0-4 rate stores 0-2 five stars; account 5 gives each of them one star
    account = [a for a in range(5) for _ in range(3)] + [5, 5, 5]
    store = [s for _ in range(5) for s in range(3)] + [0, 1, 2]
    stars = [5.0] * 15 + [1.0, 1.0, 1.0]
    found = rev2(_ratings(account, store, stars))
    assert int(np.argmin(found.fairness)) == 5
    assert found.goodness.min() > 0.5


def test_rev2_needs_ratings() -> None:
    market = make_market(MarketSpec(n_orders=500, n_rings=1))
    with pytest.raises(InvalidInput):
        rev2(market.orders)


def test_reviews_leave_the_orders_as_they_were_and_rings_praise_their_stores() -> None:
    spec = MarketSpec(n_orders=4_000, n_rings=2, camouflage="mixed", seed=5)
    plain = make_market(spec).orders
    market = make_market(MarketSpec(**{**spec.__dict__, "reviews": True}))
    reviewed = market.orders
    for name in ("account", "store", "placed", "shipped", "delivered", "address", "phone"):
        np.testing.assert_array_equal(getattr(plain, name), getattr(reviewed, name))
    assert plain.rating is None
    assert reviewed.rating is not None
    assert reviewed.reviewed is not None
    ring = np.isin(reviewed.account, market.ring_accounts)
    boosted = ring & np.isin(reviewed.store, market.ring_stores)
    rated = np.isfinite(reviewed.rating)
    assert reviewed.rating[boosted & rated].mean() > 4.5
    assert reviewed.rating[~ring & rated].mean() < 4.5
    assert (reviewed.rating[ring & ~boosted & rated] == 1).any()
    assert (reviewed.reviewed[rated] > reviewed.delivered[rated]).all()


def test_a_short_campaign_stays_within_its_days() -> None:
    market = make_market(MarketSpec(n_orders=3_000, n_rings=1, ring_days=1, days=60))
    orders = market.orders
    ring = np.isin(orders.account, market.ring_accounts) & np.isin(orders.store, market.ring_stores)
    span = orders.placed[ring].max() - orders.placed[ring].min()
    assert span < 86_400 + 600


@pytest.mark.parametrize("reviews", [False, True])
def test_every_account_and_store_with_orders_gets_a_score_and_rings_rank_first(
    reviews: bool,
) -> None:
    market = make_market(
        MarketSpec(n_orders=8_000, n_rings=2, camouflage="biased", reviews=reviews, seed=2)
    )
    scores = score_entities(market.orders)
    accounts = scores.accounts
    orders_per_account = np.bincount(market.orders.account, minlength=market.orders.n_accounts)
    assert (accounts.has_orders == (orders_per_account > 0)).all()
    assert ((accounts.score >= 0) & (accounts.score <= 1)).all()
    ring = np.zeros(market.orders.n_accounts, dtype=bool)
    ring[market.ring_accounts] = True
    assert accounts.score[ring].min() > accounts.score[~ring & accounts.has_orders].max()
    assert all(accounts.reasons[a] for a in market.ring_accounts)
    stores = scores.stores
    boosted = np.zeros(market.orders.n_stores, dtype=bool)
    boosted[market.ring_stores] = True
    assert stores.score[boosted].mean() > 0.9 > stores.score[~boosted].mean()


def test_reasons_are_codes_written_out_in_both_languages() -> None:
    market = make_market(MarketSpec(n_orders=5_000, n_rings=1, reviews=True))
    scores = score_entities(market.orders)
    reasons = [r for rs in (*scores.accounts.reasons, *scores.stores.reasons) for r in rs]
    assert {r.code for r in reasons} <= set(REASONS)
    assert any(r.code.startswith("brushing_store_") for r in reasons)
    for reason in reasons:
        for lang in ("zh", "en"):
            text = reason_text(reason.code, reason.params, lang)
            assert "{" not in text
            assert reason.code not in text


def test_the_shipped_calibration_is_monotone_and_fits_the_features() -> None:
    calibration = load_calibration()
    assert calibration.account.features == ACCOUNT_FEATURES
    assert calibration.store.features == STORE_FEATURES
    for model in (calibration.account, calibration.store):
        assert (np.diff(model.iso_x) >= 0).all()
        assert (np.diff(model.iso_y) >= 0).all()
        assert 0 <= model.iso_y.min() <= model.iso_y.max() <= 1


def test_isotonic_pools_adjacent_violators() -> None:
    raw = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    truth = np.array([0, 1, 0, 0, 1, 1], dtype=bool)
    knots_x, knots_y = _isotonic(raw, truth)
    fitted = np.interp(raw, knots_x, knots_y)
    np.testing.assert_allclose(fitted[:4], [0.0, 1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(fitted[4:], [1.0, 1.0])
