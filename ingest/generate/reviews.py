"""Optional review columns of orders.csv (``rating`` 1-5 and ``reviewed``), with fake reviews.

Written only when :class:`~ingest.generate.params.BrushingParams` has ``reviews=True``.  Honest
buyers review about 60 % of delivered orders, rating the store's quality (a Beta(5, 2) draw per
store) with noise, one hour to ten days after delivery.  Stores that buy brushing sell poorly
(quality Beta(2, 5)), but their ring orders are rated 5 (sometimes 4) within hours of the fake
delivery; a ring's cover orders at other stores get one star with probability ``smear`` (rings
sometimes run down competitors).  The draws come from their own random stream (the run's seed
and 16), so every other column is the same with reviews on or off.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ingest.generate.columns import IntArr
from ingest.generate.vocab import DAY, HOUR

__all__ = ["review_columns"]


def review_columns(
    seed: int,
    store: IntArr,
    kind: IntArr,
    delivered: IntArr,
    known: npt.NDArray[np.bool_],
    boosted: IntArr,
    n_stores: int,
    smear: float,
) -> tuple[npt.NDArray[np.float64], IntArr]:
    """Per order, the rating (nan: no review) and the review time (epoch s, -1: none).

    ``kind`` is 0 for ordinary orders, 1 for ring orders and 2 for a ring's cover orders;
    ``known`` marks orders whose delivery is on record (only those are reviewed).
    """
    rng = np.random.default_rng([seed, 16])
    n = store.size
    quality = rng.beta(5.0, 2.0, n_stores)
    quality[boosted] = rng.beta(2.0, 5.0, boosted.size)
    honest = np.clip(np.rint(1.0 + 4.0 * quality[store] + rng.normal(0.0, 0.8, n)), 1, 5)
    wrote = known & (rng.random(n) < 0.6)
    after = rng.integers(HOUR, 10 * DAY, n)
    rating = np.where(wrote, honest, np.nan)
    ring = kind == 1
    praise = np.where(rng.random(n) < 0.85, 5.0, 4.0)
    ring_wrote = known & (rng.random(n) < 0.9)
    rating[ring] = np.where(ring_wrote[ring], praise[ring], np.nan)
    after[ring] = rng.integers(10 * 60, 6 * HOUR, int(ring.sum()))
    smeared = (kind == 2) & known & (rng.random(n) < smear)
    rating[smeared] = 1.0
    reviewed = np.where(np.isfinite(rating), delivered + after, -1).astype(np.int64)
    return rating.astype(np.float64), reviewed
