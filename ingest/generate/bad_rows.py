"""Invalid rows for ``bad_rows > 0``: each maker turns valid template rows into
rows invalid in exactly one field (bad check character, unknown business or store, share out of
range, unparseable date or timestamp); :class:`~ingest.generate.output.Output` places them and
records them for the ground truth."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from ingest.generate.columns import array, concat, const, nulls, numstr, strings, take
from ingest.generate.context import Gen
from ingest.generate.registry import USCC_ALPHABET, rics, usccs
from ingest.generate.vocab import day_of

__all__ = [
    "BAD_DATES",
    "BAD_ROWS",
    "BadMaker",
]


BAD_DATES = ("2023-02-30", "2023/13/01", "昨天", "20231301", "2021-00-10")

# Each maker turns k valid template rows into k rows that are invalid in one field only.
BadMaker = Callable[["Gen", dict[str, pa.Array], int], None]


def _bad_business(g: Gen, cols: dict[str, pa.Array], k: int) -> None:
    good = usccs(g, g.counties(k), np.full(k, day_of("2020-01-01"))).to_pylist()
    shift = g.rng.integers(1, 31, k)
    cols["business_id"] = strings(
        [
            u[:-1] + USCC_ALPHABET[(USCC_ALPHABET.index(u[-1]) + int(d)) % 31]
            for u, d in zip(good, shift.tolist(), strict=True)
        ]
    )


def _bad_person(g: Gen, cols: dict[str, pa.Array], k: int) -> None:
    ids, _ = rics(g, k)
    checks = "0123456789X"
    cols["person_id"] = strings(
        [v[:-1] + checks[(checks.index(v[-1]) + 1) % 11] for v in ids.to_pylist()]
    )
    cols["id_type"] = const(k, "ric")


def _bad_share(g: Gen, cols: dict[str, pa.Array], k: int) -> None:
    cols["share"] = array(np.full(k, 1.7))
    cols["until"] = nulls(k)


def _bad_role(g: Gen, cols: dict[str, pa.Array], k: int) -> None:
    cols["business_id"] = usccs(g, g.counties(k), np.full(k, day_of("2021-06-01")))


def _bad_licence(g: Gen, cols: dict[str, pa.Array], k: int) -> None:
    cols["business_id"] = usccs(g, g.counties(k), np.full(k, day_of("2022-03-01")))


def _bad_store(g: Gen, cols: dict[str, pa.Array], k: int) -> None:
    cols["store_id"] = concat("taobao:", numstr(g.serials.take(k) % 10**9 + 2 * 10**9))
    cols["operator_type"] = const(k, "business")
    cols["operator_id"] = usccs(g, g.counties(k), np.full(k, day_of("2022-06-01")))


def _bad_order(g: Gen, cols: dict[str, pa.Array], k: int) -> None:
    cols["order_id"] = concat("taobao:", numstr(9 * 10**17 + g.serials.take(k)))
    cols["store_id"] = concat("taobao:", numstr(g.serials.take(k) % 10**9 + 3 * 10**9))
    cols["waybill_id"] = nulls(k)


def _bad_decided(id_col: str, prefix: str) -> BadMaker:
    def make(g: Gen, cols: dict[str, pa.Array], k: int) -> None:
        cols[id_col] = concat(prefix, numstr(g.serials.take(k), 9))
        cols["decided"] = take(strings(BAD_DATES), g.rng.integers(0, len(BAD_DATES), k))

    return make


def _bad_waybill(g: Gen, cols: dict[str, pa.Array], k: int) -> None:
    cols["waybill_id"] = concat("ZTO:", numstr(9 * 10**13 + g.serials.take(k)))
    bad = strings(["2024-13-01T25:00:00", "2024-02-30T10:00:00", "not shipped"])
    cols["shipped"] = take(bad, g.rng.integers(0, 3, k))


BAD_ROWS: dict[str, tuple[str, str, BadMaker]] = {
    # file: (field, kind, maker)
    "businesses": ("business_id", "bad_check_character", _bad_business),
    "people": ("person_id", "bad_check_digit", _bad_person),
    "shareholdings": ("share", "share_out_of_range", _bad_share),
    "roles": ("business_id", "unknown_business", _bad_role),
    "stores": ("operator_id", "unknown_business", _bad_store),
    "orders": ("store_id", "unknown_store", _bad_order),
    "listings": ("decided", "unparseable_date", _bad_decided("listing_id", "BAD-")),
    "violations": ("decided", "unparseable_date", _bad_decided("violation_id", "BADCF-")),
    "waybills": ("shipped", "unparseable_timestamp", _bad_waybill),
    "licences": ("business_id", "unknown_business", _bad_licence),
}
