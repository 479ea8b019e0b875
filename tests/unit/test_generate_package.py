"""The generator package writes what the single-module generator wrote, byte for byte.

``ingest/generate.py`` became the package ``ingest/generate/`` (one module per part of the
world) and the ring detector's market synthesiser moved into it (``market.py``). The digests
below were taken from the code *before* the move; a refactoring of the package must leave
them unchanged, while a deliberate change of the generated data updates them (and says so in
its commit). CSV files and ``ground_truth.json`` are compared byte for byte. Parquet files are
compared by content (schema and values): their bytes also carry the writer's pyarrow version.
Digests are the first 16 hex digits of SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from ingest.generate import BrushingParams, generate
from ingest.generate.market import MarketSpec, SyntheticMarket, make_market, market_graph

RUNS: dict[str, dict[str, Any]] = {
    "csv-200-s1-default": {"entities": 200, "seed": 1},
    "csv-300-s7-noisy": {
        "entities": 300,
        "seed": 7,
        "noise": 0.3,
        "bad_rows": 0.05,
        "brushing": BrushingParams(
            rings=3,
            density=0.6,
            camouflage="random",
            camouflage_level=2.0,
            empty_parcel=0.5,
            receivers=(2, 3),
        ),
    },
    "parquet-250-s11": {
        "entities": 250,
        "seed": 11,
        "fmt": "parquet",
        "noise": 0.5,
        "bad_rows": 0.02,
        "brushing": BrushingParams(
            rings=2, camouflage="popular", waves=(1, 3), accounts=(5, 12), stores=(2, 3)
        ),
    },
    "csv-1000-s3-none": {
        "entities": 1000,
        "seed": 3,
        "noise": 0.1,
        "bad_rows": 0.01,
        "brushing": BrushingParams(camouflage="none", window_hours=12.0),
    },
    "parquet-1000-s42": {"entities": 1000, "seed": 42, "fmt": "parquet"},
}

MARKETS: dict[str, MarketSpec] = {
    "default-2k": MarketSpec(n_orders=2_000),
    "random-decoys": MarketSpec(n_orders=3_000, n_rings=2, camouflage="random", n_decoys=2, seed=5),
    "biased": MarketSpec(
        n_orders=1_500,
        n_rings=1,
        ring_accounts=12,
        camouflage="biased",
        camouflage_ratio=2.0,
        ring_logistics=0.5,
        days=10,
        seed=9,
    ),
}

EXPECTED_FILES: dict[str, dict[str, str]] = {
    "csv-200-s1-default": {
        "accounts.csv": "f7f2991ec4a4ff67",
        "brands.csv": "2e20291a87acb618",
        "businesses.csv": "cf51cf86a1d0a93c",
        "ground_truth.json": "5882edb7c579064d",
        "infringement_reports.csv": "15bf73398e8ff2d8",
        "licences.csv": "a47997cd39b6881f",
        "listings.csv": "7f25b3923dfe2dc3",
        "orders.csv": "1dd11bd6a6c3a4d5",
        "people.csv": "2b79c493029bedfe",
        "roles.csv": "813636c9f5acb98d",
        "shareholdings.csv": "1c4579feb976e7c7",
        "stores.csv": "8b4e49cc9461597f",
        "violations.csv": "3d8eb2ee563c7840",
        "waybills.csv": "3c4bac9075bafc17",
    },
    "csv-300-s7-noisy": {
        "accounts.csv": "9b60ea9032f69776",
        "brands.csv": "44fe15e261ac487c",
        "businesses.csv": "1dd2ded162062872",
        "ground_truth.json": "0c5896bf6530ad2e",
        "infringement_reports.csv": "72f0e1f1c62f5c86",
        "licences.csv": "627bf2f267a055ca",
        "listings.csv": "8ccaa43dd8c6ca0f",
        "orders.csv": "bc9cb7e61af72c8d",
        "people.csv": "b1cf575311541720",
        "roles.csv": "a17862376e33a6df",
        "shareholdings.csv": "8b6caa02584da835",
        "stores.csv": "e0ec7caad2946854",
        "violations.csv": "d77a3e778c7e1c94",
        "waybills.csv": "76c22e2e0eeae09e",
    },
    "parquet-250-s11": {
        "accounts.parquet": "7d1fb40f83c89a7e",
        "brands.parquet": "ecf809829c52d76d",
        "businesses.parquet": "500e0b432c21ee1f",
        "ground_truth.json": "7fc7bd25883027f6",
        "infringement_reports.parquet": "381634711ad32605",
        "licences.parquet": "24f9b7839708b46c",
        "listings.parquet": "a9efb1d99a433118",
        "orders.parquet": "7d9a01dd8e3a3829",
        "people.parquet": "5bd21a8a89b10ac1",
        "roles.parquet": "f1d4f504cbaca245",
        "shareholdings.parquet": "96789ddc7463260e",
        "stores.parquet": "8d508c3fc8bc050e",
        "violations.parquet": "4d7cc269b92fe26b",
        "waybills.parquet": "806cda4a359ab69d",
    },
    "csv-1000-s3-none": {
        "accounts.csv": "5857c361c84a7cd3",
        "brands.csv": "ea3d3628a857a556",
        "businesses.csv": "665dc7d664a9301b",
        "ground_truth.json": "1f858ae0db3ed2d3",
        "infringement_reports.csv": "06e4fa45175cfc4e",
        "licences.csv": "ff60bbb82195527d",
        "listings.csv": "cd33b6687f8b9b17",
        "orders.csv": "be3d72619b3da38d",
        "people.csv": "0562cff217e2d92f",
        "roles.csv": "57fac270ced3f523",
        "shareholdings.csv": "3891d34415f7ef05",
        "stores.csv": "8fa344329f8af229",
        "violations.csv": "ac5675acaf59581b",
        "waybills.csv": "259a8ff0511cc125",
    },
    "parquet-1000-s42": {
        "accounts.parquet": "b116a593e71cb201",
        "brands.parquet": "171971965b16ca75",
        "businesses.parquet": "67b8f45a3df7e7c3",
        "ground_truth.json": "17122980843cde71",
        "infringement_reports.parquet": "dddbe6fb84839860",
        "licences.parquet": "1f3b3239e4bf81bc",
        "listings.parquet": "14dd837fa8e0978a",
        "orders.parquet": "0bea619cfe697283",
        "people.parquet": "4f5f135224f3c782",
        "roles.parquet": "7c3d740dab282b52",
        "shareholdings.parquet": "7a897d9125567850",
        "stores.parquet": "e415a6e771b83f0f",
        "violations.parquet": "36f0ece1b01f755a",
        "waybills.parquet": "794fffd5e9e4227c",
    },
}

EXPECTED_MARKETS: dict[str, str] = {
    "default-2k": "4521761f4695ffca",
    "random-decoys": "b2e0879f3cfac754",
    "biased": "8df3813b47fd4746",
}

EXPECTED_MARKET_GRAPH = "822f66b472aa2526"


def digest(data: bytes) -> str:
    """The first 16 hex digits of the data's SHA-256."""
    return hashlib.sha256(data).hexdigest()[:16]


def file_digest(path: Path) -> str:
    """Bytes of a CSV or JSON file; schema and values of a Parquet file."""
    if path.suffix != ".parquet":
        return digest(path.read_bytes())
    table = pq.read_table(path)
    content = json.dumps([str(table.schema), table.to_pydict()], ensure_ascii=False, default=str)
    return digest(content.encode())


def market_digest(market: SyntheticMarket) -> str:
    """Every order column, the sizes and the planted groups, in a fixed order."""
    h = hashlib.sha256()
    orders = market.orders
    for name in (
        "account",
        "store",
        "placed",
        "weight_kg",
        "shipped",
        "delivered",
        "address",
        "phone",
    ):
        h.update(getattr(orders, name).tobytes())
    h.update(f"{orders.n_accounts},{orders.n_stores}".encode())
    for group in (*market.rings, *market.decoys):
        h.update(group.accounts.tobytes())
        h.update(group.stores.tobytes())
    return h.hexdigest()[:16]


@pytest.mark.parametrize("run", sorted(RUNS))
def test_a_seed_gives_the_files_the_single_module_generator_wrote(run: str, tmp_path: Path) -> None:
    generate(tmp_path, **RUNS[run])
    written = {path.name: file_digest(path) for path in sorted(tmp_path.iterdir())}
    assert written == EXPECTED_FILES[run]


@pytest.mark.parametrize("name", sorted(MARKETS))
def test_a_seed_gives_the_market_the_brushing_synthesiser_made(name: str) -> None:
    assert market_digest(make_market(MARKETS[name])) == EXPECTED_MARKETS[name]


def test_the_market_as_graph_rows_is_unchanged() -> None:
    graph = market_graph(make_market(MARKETS["biased"]))
    rows = [
        graph.nodes,
        {"|".join(key): value for key, value in graph.rels.items()},
        graph.account_uids,
        graph.store_uids,
    ]
    assert digest(json.dumps(rows, default=str, sort_keys=True).encode()) == EXPECTED_MARKET_GRAPH
