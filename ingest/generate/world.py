"""The whole run: :func:`generate` makes each part of the world in a fixed order
(the order fixes the random stream, so one seed gives the same bytes), writes the files and
``ground_truth.json``."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from ingest.generate.brands import counterfeit_pairs, make_brands, make_reports
from ingest.generate.columns import str_list
from ingest.generate.commerce import make_commerce
from ingest.generate.context import Gen
from ingest.generate.licences import make_licences
from ingest.generate.listings import make_listings, make_violations
from ingest.generate.offshore import make_offshore
from ingest.generate.output import INPUT_FILES, Output, table
from ingest.generate.ownership import make_ownership, make_roles, shareholding_columns
from ingest.generate.params import BrushingParams, GenerationSummary
from ingest.generate.registry import business_columns, make_businesses, make_people, pick_people
from ingest.generate.stores import make_stores, store_columns, stores_by_operator
from ingest.generate.vocab import PLATFORM_SERVICE_PHONES

__all__ = [
    "generate",
]


def generate(
    out_dir: Path,
    entities: int,
    seed: int,
    *,
    fmt: Literal["csv", "parquet"] = "csv",
    noise: float = 0.0,
    bad_rows: float = 0.0,
    brushing: BrushingParams | None = None,
    offshore: int = 0,
) -> GenerationSummary:
    """Write a synthetic input directory with ``entities`` businesses and its ground truth.

    Parameters
    ----------
    out_dir
        Created if absent; input files of the chosen format are overwritten.
    entities
        Number of businesses (>= 100); every other file scales with it (package docstring).
    seed
        Seed of the one ``numpy.random.Generator``: same seed, same bytes.
    fmt
        ``"csv"`` (UTF-8) or ``"parquet"``.
    noise
        In [0, 1]: probability that a shell-cluster member loses its shared phone (and
        e-mail), and growth of the legitimate hubs (addresses, agent and service phones).
    bad_rows
        In [0, 1): share of extra invalid rows per file (at least one per file when > 0),
        recorded in ground truth ``bad_rows``.
    brushing
        Brushing-ring parameters; ``BrushingParams()`` when omitted.
    offshore
        When > 0 (at least 20), also an offshore registry slice of that many companies in
        ``out_dir/offshore/`` (``ingest.generate.offshore``); the main files are unchanged.

    Returns
    -------
    GenerationSummary
        Paths and row counts (bad rows included) of every file, and the ground-truth path.

    Raises
    ------
    ValueError
        If ``entities < 100`` or ``fmt``, ``noise`` or ``bad_rows`` is out of range.

    Example
    -------
    >>> import tempfile
    >>> s = generate(Path(tempfile.mkdtemp()), 1000, seed=7)
    >>> s.rows["businesses"]
    1000
    """
    if entities < 100:
        raise ValueError(f"entities={entities}: need at least 100 businesses")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise={noise}: must lie in [0, 1]")
    if not 0.0 <= bad_rows < 1.0:
        raise ValueError(f"bad_rows={bad_rows}: must lie in [0, 1)")
    if offshore and offshore < 20:
        raise ValueError(f"offshore={offshore}: 0 or at least 20 companies")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt={fmt!r}: csv or parquet")
    params = brushing or BrushingParams()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    g = Gen(entities, seed, noise, params)
    out = Output(g, out_dir, fmt, bad_rows)
    rng = g.rng
    n_people = round(1.3 * entities)

    biz, binfo = make_businesses(g, n_people)
    people, people_cols = make_people(g, n_people)
    # cluster nominees: 1-3 people who represent and hold every member of their cluster
    n_clusters = len(binfo["shell_clusters"])
    cluster_reps = pick_people(g, people, n_clusters * 3).reshape(n_clusters, 3)
    nrep = rng.integers(1, 4, n_clusters)
    for j in (1, 2):
        cluster_reps[:, j] = np.where(nrep > j, cluster_reps[:, j], cluster_reps[:, 0])
    edges, rep, otruth = make_ownership(g, biz, people, cluster_reps)
    st, sinfo = make_stores(g, biz, people, rep)  # may hand a legal representative on
    roles = make_roles(g, biz, people, rep, otruth["controllers"], otruth["first_holder"])

    out.emit("businesses", [table("businesses", business_columns(g, biz))], shuffle=True)
    out.emit("people", [table("people", people_cols)], shuffle=True)
    out.emit("roles", [table("roles", roles)], shuffle=True)
    del people_cols, roles
    holdings = shareholding_columns(edges, biz, people)
    out.emit("shareholdings", [table("shareholdings", holdings)], shuffle=True)
    del holdings, edges
    out.emit("stores", [table("stores", store_columns(g, st, biz, people))], shuffle=True)
    brand_cols, _, _ = make_brands(g, biz, people)
    out.emit("brands", [table("brands", brand_cols)])

    cf = sinfo["counterfeit"]
    cf_store, cf_brand = counterfeit_pairs(g, cf, sinfo["cf_pairs"], len(brand_cols["brand_id"]))
    report_cols, false_reports = make_reports(
        g, st, cf_store, cf_brand, brand_cols["brand_id"], brand_cols["owner_id"]
    )

    rings, boosted_idx = make_commerce(g, st, out)

    by_op = stores_by_operator(st, cf)
    repeat_ops = sorted(op for op, stores in by_op.items() if len(stores) >= 2)
    listings = make_listings(g, biz, people, st, rep, repeat_ops, cf)
    out.emit("listings", [table("listings", listings)], shuffle=True)
    violations = make_violations(g, biz, people, st, cf, boosted_idx)
    out.emit("violations", [table("violations", violations)], shuffle=True)
    out.emit("infringement_reports", [table("infringement_reports", report_cols)])
    # last, so that adding licences left every other file of a seed as it was
    out.emit("licences", [table("licences", make_licences(g, biz))], shuffle=True)

    def op_id(t: int, i: int) -> str:
        return str((biz.ids if t == 0 else people.ids)[i].as_py())

    old, new, via_rep = sinfo["reopened"]
    sid = [str(x) for x in st.ids.to_pylist()]
    bid = [str(x) for x in brand_cols["brand_id"].to_pylist()]
    truth: dict[str, Any] = {
        "schema_version": 1,
        "seed": seed,
        "entities": entities,
        "format": fmt,
        "noise": noise,
        "bad_rows_rate": bad_rows,
        # review options appear only when on, so earlier runs' ground truth stays as it was
        "brushing_params": {
            k: v
            for k, v in asdict(params).items()
            if params.reviews or k not in ("reviews", "smear")
        },
        "shell_clusters": binfo["shell_clusters"],
        "hub_addresses": binfo["hub_addresses"],
        "hub_phones": binfo["hub_phones"],
        "platform_service_phones": list(PLATFORM_SERVICE_PHONES),
        "registration_agents": str_list(people.ids, binfo["registration_agents_idx"]),
        "address_variants": sorted([c, v] for v, c in g.variants.items()),
        "phone_variants": sorted([c, v] for v, c in g.phone_variants.items()),
        "holding_groups": otruth["holding_groups"],
        "ownership_cycles": otruth["ownership_cycles"],
        "cross_holdings": otruth["cross_holdings"],
        "reopened_stores": [[sid[o], sid[w]] for o, w in zip(old, new, strict=True)],
        "reopened_via_legal_representative": [
            [sid[o], sid[w]] for o, w, v in zip(old, new, via_rep, strict=True) if v
        ],
        "counterfeit_stores": [
            {"store_id": sid[s], "brand_id": bid[b]}
            for s, b in zip(cf_store.tolist(), cf_brand.tolist(), strict=True)
        ],
        "repeat_infringers": [
            {
                "operator_type": ("business", "person")[t],
                "operator_id": op_id(t, i),
                "stores": [sid[s] for s in by_op[(t, i)]],
            }
            for t, i in repeat_ops
        ],
        "false_reports": false_reports,
        "brushing_rings": rings,
    }
    gt = out.write_ground_truth(truth)
    extra: dict[str, int] = {
        "shell_clusters": len(truth["shell_clusters"]),
        "brushing_rings": len(rings),
        "counterfeit_stores": len(truth["counterfeit_stores"]),
        "bad_rows": len(out.bad),
    }
    if offshore:
        extra["offshore_companies"] = make_offshore(out_dir / "offshore", offshore, seed)[
            "companies"
        ]
    return GenerationSummary(
        out_dir=out_dir,
        fmt=fmt,
        files=MappingProxyType({name: out.files[name] for name in INPUT_FILES}),
        rows=MappingProxyType({name: out.rows[name] for name in INPUT_FILES}),
        ground_truth=gt,
        extra=MappingProxyType(extra),
    )
