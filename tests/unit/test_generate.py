"""The synthetic generator: valid, consistent, deterministic files and truthful ground truth.

One small run (2,000 businesses, some noise) is shared by the module; the bad-row and
determinism checks make their own 1,000-business runs.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from stdnum.cn import ric, uscc

from ingest.generate import COLUMNS, INPUT_FILES, BrushingParams, GenerationSummary, generate
from ingest.generate.output import OPTIONAL_COLUMNS
from ingest.generate.stores import MAX_OPERATOR_STORES, capped_shares

FORMATS_MD = Path(__file__).resolve().parents[2] / "docs" / "formats.md"
FOREIGN_ID = re.compile(r"^[A-Z]{2}(-[A-Z]{2})?:\d+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


def read(summary: GenerationSummary, name: str) -> pd.DataFrame:
    """A file as strings, empty cells as empty strings."""
    path = summary.files[name]
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        return frame.astype(object).where(frame.notna(), "").astype(str)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def truth(summary: GenerationSummary) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(summary.ground_truth.read_text(encoding="utf-8"))
    return data


def normalise_address(text: str) -> str:
    """The normalisation docs/formats.md asks of ingest: half-width, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def documented_columns() -> dict[str, tuple[str, ...]]:
    """Columns per file, read from the table in docs/formats.md."""
    out: dict[str, tuple[str, ...]] = {}
    for line in FORMATS_MD.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) != 2 or cells[0] not in INPUT_FILES:
            continue
        cols = []
        for part in cells[1].split(", "):
            token = part.replace("**", "").strip()
            cols.append(re.split(r"[ (]", token, maxsplit=1)[0])
        out[cells[0]] = tuple(cols)
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    return generate(tmp_path_factory.mktemp("gen"), 2000, seed=11, noise=0.2)


@pytest.fixture(scope="module")
def files(run: GenerationSummary) -> dict[str, pd.DataFrame]:
    return {name: read(run, name) for name in INPUT_FILES}


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    return generate(tmp_path_factory.mktemp("bad"), 1000, seed=5, bad_rows=0.01)


# --- shape ---------------------------------------------------------------------------------


#: documented alternatives to a generated column (roles: holder_type + holder_id for person_id)
ALTERNATIVES = {"roles": ("holder_type", "holder_id")}


def test_columns_are_exactly_those_of_docs_formats(run: GenerationSummary) -> None:
    documented = documented_columns()
    assert set(documented) == set(INPUT_FILES)
    for name in INPUT_FILES:
        # every generated column is documented, in order; a documented column the generator
        # does not write is optional, or the documented alternative to one it writes
        assert [c for c in documented[name] if c in COLUMNS[name]] == list(COLUMNS[name]), name
        spare = set(OPTIONAL_COLUMNS.get(name, ())) | set(ALTERNATIVES.get(name, ()))
        assert set(documented[name]) - set(COLUMNS[name]) <= spare, name
        assert tuple(read(run, name).columns) == COLUMNS[name], name


def test_writes_every_input_file_and_ground_truth_apart(run: GenerationSummary) -> None:
    written = {p.name for p in run.out_dir.iterdir()}
    assert written == {f"{n}.csv" for n in INPUT_FILES} | {"ground_truth.json"}
    assert run.rows["businesses"] == 2000


def test_other_files_scale_with_businesses(run: GenerationSummary) -> None:
    rows = run.rows
    assert 1.2 * 2000 <= rows["people"] <= 1.4 * 2000
    assert 0.55 * 2000 <= rows["stores"] <= 0.75 * 2000
    assert rows["accounts"] >= 2 * 2000
    assert rows["orders"] >= 10 * 2000


def test_identifiers_are_unique(files: dict[str, pd.DataFrame]) -> None:
    keys = {
        "businesses": "business_id",
        "people": "person_id",
        "stores": "store_id",
        "brands": "brand_id",
        "accounts": "account_id",
        "waybills": "waybill_id",
        "orders": "order_id",
        "listings": "listing_id",
        "violations": "violation_id",
        "infringement_reports": "report_id",
        "licences": "licence_no",
    }
    for name, key in keys.items():
        assert files[name][key].is_unique, name


def test_dates_and_timestamps_are_iso(files: dict[str, pd.DataFrame]) -> None:
    dated = {
        "businesses": ["established"],
        "roles": ["since", "until"],
        "shareholdings": ["since", "until"],
        "stores": ["opened"],
        "accounts": ["created"],
        "listings": ["decided", "expires", "removed"],
        "violations": ["decided"],
        "infringement_reports": ["filed"],
        "licences": ["issued", "expires"],
    }
    for name, cols in dated.items():
        for col in cols:
            values = files[name][col]
            values = values[values != ""]
            assert values.str.fullmatch(ISO_DATE).all(), (name, col)
            pd.to_datetime(values, format="%Y-%m-%d")  # raises on 2023-02-30
    for name, col in (("orders", "placed"), ("waybills", "shipped"), ("waybills", "delivered")):
        values = files[name][col]
        assert values[values != ""].str.fullmatch(ISO_TS).all(), (name, col)


# --- validity ------------------------------------------------------------------------------


def test_every_uscc_is_valid_and_foreign_ids_are_jurisdiction_prefixed(
    files: dict[str, pd.DataFrame],
) -> None:
    ids = files["businesses"]["business_id"]
    domestic = ids[~ids.str.contains(":")]
    assert len(domestic) >= 0.97 * len(ids)
    for value in domestic:
        assert uscc.is_valid(value), value
        assert value[-1] == uscc.calc_check_digit(value[:17])
        assert value[:2] == "91"
    foreign = ids[ids.str.contains(":")]
    assert len(foreign) >= 1
    assert foreign.str.fullmatch(FOREIGN_ID).all()


def test_every_resident_id_is_valid(files: dict[str, pd.DataFrame]) -> None:
    people = files["people"]
    assert set(people["id_type"]) <= {"ric", "passport", "other"}
    rics = people.loc[people["id_type"] == "ric", "person_id"]
    assert len(rics) >= 0.95 * len(people)
    for value in rics:
        assert ric.is_valid(value), value
    assert (people["id_type"] == "passport").any()


def test_shares_in_force_sum_to_at_most_one(files: dict[str, pd.DataFrame]) -> None:
    holdings = files["shareholdings"].assign(share=lambda f: f["share"].astype(float))
    assert ((holdings["share"] > 0) & (holdings["share"] <= 1)).all()
    # at every date a holding starts, the holdings in force then sum to <= 1
    checkpoints = holdings[["business_id", "since"]].drop_duplicates()
    merged = checkpoints.merge(holdings, on="business_id", suffixes=("", "_row"))
    in_force = (merged["since_row"] <= merged["since"]) & (
        (merged["until"] == "") | (merged["until"] >= merged["since"])
    )
    totals = merged[in_force].groupby(["business_id", "since"])["share"].sum()
    assert (totals <= 1.0 + 1e-9).all(), totals[totals > 1.0 + 1e-9].head()
    assert (holdings["until"] != "").any()  # history exists


def test_holding_structure_has_chains_cross_holdings_and_a_cycle(
    run: GenerationSummary, files: dict[str, pd.DataFrame]
) -> None:
    gt = truth(run)
    corporate = files["shareholdings"]
    corporate = corporate[corporate["holder_type"] == "business"]
    edges = set(zip(corporate["holder_id"], corporate["business_id"], strict=True))
    assert gt["ownership_cycles"]
    for cycle in gt["ownership_cycles"]:
        for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            assert (a, b) in edges
    for a, b in gt["cross_holdings"]:
        assert (a, b) in edges
        assert (b, a) in edges
    # chains: some business sits at least three holding steps below another
    parents: dict[str, set[str]] = {}
    for a, b in edges:
        parents.setdefault(b, set()).add(a)

    def height(node: str, seen: frozenset[str]) -> int:
        ups = parents.get(node, set()) - seen
        return 1 + max((height(p, seen | {node}) for p in ups), default=-1)

    assert max(height(b, frozenset()) for b in parents) >= 3


def test_each_active_business_has_exactly_one_legal_representative_in_force(
    files: dict[str, pd.DataFrame],
) -> None:
    biz = files["businesses"]
    active = set(biz.loc[biz["status"] == "active", "business_id"])
    roles = files["roles"]
    reps = roles[(roles["role"] == "legal_representative") & (roles["until"] == "")]
    per_business = reps.groupby("business_id").size()
    assert set(per_business.index) >= active
    assert (per_business == 1).all()
    assert reps["person_id"].duplicated().any()  # some people represent several businesses
    assert set(roles["role"]) == {
        "legal_representative",
        "director",
        "supervisor",
        "manager",
        "actual_controller",
        "registration_agent",
    }
    assert (roles["until"] != "").any()


def test_every_reference_resolves(files: dict[str, pd.DataFrame]) -> None:
    biz = set(files["businesses"]["business_id"])
    people = set(files["people"]["person_id"])
    stores = set(files["stores"]["store_id"])
    by_type = {"business": biz, "person": people, "store": stores}

    def resolve(frame: pd.DataFrame, type_col: str, id_col: str) -> None:
        for kind, ids in frame.groupby(type_col)[id_col]:
            assert set(ids) <= by_type[str(kind)], (type_col, kind)

    roles = files["roles"]
    assert set(roles["person_id"]) <= people
    assert set(roles["business_id"]) <= biz
    holdings = files["shareholdings"]
    resolve(holdings, "holder_type", "holder_id")
    assert set(holdings["business_id"]) <= biz
    resolve(files["stores"], "operator_type", "operator_id")
    resolve(files["brands"], "owner_type", "owner_id")
    orders = files["orders"]
    assert set(orders["account_id"]) <= set(files["accounts"]["account_id"])
    assert set(orders["store_id"]) <= stores
    waybills = orders.loc[orders["waybill_id"] != "", "waybill_id"]
    assert set(waybills) == set(files["waybills"]["waybill_id"])
    resolve(files["listings"], "subject_type", "subject_id")
    resolve(files["violations"], "subject_type", "subject_id")
    reports = files["infringement_reports"]
    assert set(reports["store_id"]) <= stores
    assert set(reports["brand_id"]) <= set(files["brands"]["brand_id"])
    assert set(reports["complainant"]) <= biz | people
    assert set(files["licences"]["business_id"]) <= biz


def test_ids_carry_their_prefixes(files: dict[str, pd.DataFrame]) -> None:
    platforms = {"taobao", "tmall", "jd", "pinduoduo", "douyin"}
    assert set(files["stores"]["store_id"].str.split(":").str[0]) <= platforms
    assert set(files["orders"]["order_id"].str.split(":").str[0]) <= platforms
    assert set(files["accounts"]["account_id"].str.split(":").str[0]) <= platforms
    orders = files["orders"]
    order_platform = orders["order_id"].str.split(":").str[0]
    assert (order_platform == orders["store_id"].str.split(":").str[0]).all()
    buyer = order_platform.replace({"tmall": "taobao"})
    assert (buyer == orders["account_id"].str.split(":").str[0]).all()
    assert files["waybills"]["waybill_id"].str.fullmatch(r"[A-Z]+:\d+").all()


def test_orders_follow_the_store_opening_and_waybills_the_order(
    files: dict[str, pd.DataFrame],
) -> None:
    orders = files["orders"].merge(files["stores"][["store_id", "opened"]], on="store_id")
    assert (orders["placed"].str[:10] >= orders["opened"]).all()
    wb = files["waybills"]
    assert ((wb["delivered"] == "") | (wb["delivered"] > wb["shipped"])).all()
    joined = files["orders"].merge(wb, on="waybill_id")
    assert (joined["shipped"] > joined["placed"]).all()


def test_listings_use_the_documented_list_types_and_sane_dates(
    files: dict[str, pd.DataFrame],
) -> None:
    listings = files["listings"]
    assert set(listings["list_type"]) == {
        "serious_dishonesty",
        "abnormal_operation",
        "judgment_defaulter",
        "online_serious_violation",
        "repeat_ip_infringer",
    }
    removed = listings[listings["removed"] != ""]
    assert (removed["removed"] >= removed["decided"]).all()
    assert set(removed["removal_reason"]) <= {"credit_repair", "objection_upheld", "expired"}
    assert (listings["legal_basis"].str.startswith("《")).all()
    courts = listings[listings["list_type"] == "judgment_defaulter"]
    assert courts["authority"].str.endswith("人民法院").all()
    assert set(listings["subject_type"]) >= {"business", "person"}
    biz = files["businesses"].set_index("business_id")["status"]
    abnormal = set(biz[biz == "abnormal"].index)
    in_force = listings[
        (listings["list_type"] == "abnormal_operation") & (listings["removed"] == "")
    ]
    assert abnormal <= set(in_force["subject_id"])


def test_licences_follow_the_trade_and_the_calendar(
    run: GenerationSummary, files: dict[str, pd.DataFrame]
) -> None:
    from graph.licences import LICENCE_STATUSES, LICENCE_TYPES

    licences = files["licences"]
    biz = files["businesses"].set_index("business_id")
    assert set(licences["licence_type"]) <= set(LICENCE_TYPES)
    assert {"food_operation", "icp", "publication_operation"} <= set(licences["licence_type"])
    assert set(licences["status"]) == set(LICENCE_STATUSES)
    assert (licences["issued"] >= biz.loc[licences["business_id"], "established"].values).all()
    assert (licences["expires"] > licences["issued"]).all()
    # food and tea sellers nearly all hold a food operation licence; media a publication one
    food_sellers = biz.index[biz["name"].str.contains("食品|茶业") & (biz["status"] == "active")]
    food = licences[licences["licence_type"] == "food_operation"]
    assert food_sellers.isin(food["business_id"]).mean() > 0.75
    assert food["licence_no"].str.fullmatch(r"JY\d{14}").all()
    # some lapsed (some of those still recorded valid), some revoked, some renewed
    lapsed = licences["expires"] < "2025-06-30"
    assert (lapsed & (licences["status"] == "valid")).any()
    per_type = licences.groupby(["business_id", "licence_type"])["status"].agg(set)
    assert (per_type.map(lambda s: {"valid", "expired"} <= s)).any()
    # shells hold none; most businesses (the general trade) hold none either
    shells = {b for cluster in truth(run)["shell_clusters"] for b in cluster}
    assert shells
    assert not shells & set(licences["business_id"])
    assert 0.1 < licences["business_id"].nunique() / len(biz) < 0.5


# --- ground truth ----------------------------------------------------------------------------


def test_shell_clusters_share_an_address_and_representatives(
    run: GenerationSummary, files: dict[str, pd.DataFrame]
) -> None:
    gt = truth(run)
    biz = files["businesses"].set_index("business_id")
    roles = files["roles"]
    reps = roles[(roles["role"] == "legal_representative") & (roles["until"] == "")]
    rep_of = reps.set_index("business_id")["person_id"]
    assert len(gt["shell_clusters"]) >= 3
    for cluster in gt["shell_clusters"]:
        assert 3 <= len(cluster) <= 30
        assert set(cluster) <= set(biz.index)
        addresses = {normalise_address(a) for a in biz.loc[cluster, "address"]}
        assert len(addresses) == 1
        est = pd.to_datetime(biz.loc[cluster, "established"])
        assert (est.max() - est.min()).days <= 30
        assert rep_of[cluster].nunique() <= 3
        phones = {re.sub(r"^86", "", re.sub(r"\D", "", p)) for p in biz.loc[cluster, "phone"] if p}
        assert len(phones) <= 3
    hub_counts = biz["address"].value_counts()
    for hub in gt["hub_addresses"]:
        assert hub_counts[hub] >= 20


def test_address_variants_normalise_to_their_canonical_form(
    run: GenerationSummary, files: dict[str, pd.DataFrame]
) -> None:
    pairs = truth(run)["address_variants"]
    assert pairs
    written = (
        set(files["businesses"]["address"])
        | set(files["stores"]["ship_from_address"])
        | set(files["waybills"]["receiver_address"])
    )
    for canonical, variant in pairs:
        assert canonical != variant
        assert normalise_address(variant) == canonical
        assert variant in written


def test_brushing_rings_are_lockstep_and_ship_empty_parcels(
    run: GenerationSummary, files: dict[str, pd.DataFrame]
) -> None:
    rings = truth(run)["brushing_rings"]
    assert rings
    orders = files["orders"].merge(files["waybills"], on="waybill_id", how="left")
    accounts = set(files["accounts"]["account_id"])
    stores = set(files["stores"]["store_id"])
    ring_mask = pd.Series(False, index=orders.index)
    for ring in rings:
        assert 10 <= len(ring["accounts"]) <= 60
        assert 2 <= len(ring["stores"]) <= 6
        assert set(ring["accounts"]) <= accounts
        assert set(ring["stores"]) <= stores
        mask = orders["account_id"].isin(ring["accounts"]) & orders["store_id"].isin(ring["stores"])
        assert mask.sum() >= len(ring["accounts"])
        # a handful of drop addresses take (nearly) every ring order; camouflage may also
        # land on a boosted store by chance
        drops = orders.loc[mask, "receiver_address"].map(normalise_address).value_counts()
        assert drops.iloc[:4].sum() >= 0.9 * mask.sum()
        ring_mask |= mask
        # camouflage: the fake accounts also buy elsewhere
        others = orders["account_id"].isin(ring["accounts"]) & ~orders["store_id"].isin(
            ring["stores"]
        )
        assert others.any()
    weight = orders["weight_kg"].replace("", "nan").astype(float)
    assert (weight[ring_mask] < 0.05).mean() > 0.5
    assert (weight[~ring_mask] < 0.05).mean() < 0.02


def test_counterfeits_reports_reopened_stores_refer_to_what_exists(
    run: GenerationSummary, files: dict[str, pd.DataFrame]
) -> None:
    gt = truth(run)
    stores = files["stores"].set_index("store_id")
    brands = set(files["brands"]["brand_id"])
    counterfeit = {(c["store_id"], c["brand_id"]) for c in gt["counterfeit_stores"]}
    assert counterfeit
    assert {s for s, _ in counterfeit} <= set(stores.index)
    assert {b for _, b in counterfeit} <= brands
    for infringer in gt["repeat_infringers"]:
        assert len(infringer["stores"]) >= 2
        ops = stores.loc[infringer["stores"], "operator_id"]
        assert (ops == infringer["operator_id"]).all()
        assert set(infringer["stores"]) <= {s for s, _ in counterfeit}
    assert gt["repeat_infringers"]
    reports = files["infringement_reports"].set_index("report_id")
    confirmed = reports[reports["status"] == "confirmed"]
    assert set(zip(confirmed["store_id"], confirmed["brand_id"], strict=True)) <= counterfeit
    assert set(gt["false_reports"]) <= set(reports.index)
    assert set(reports.loc[gt["false_reports"], "status"]) <= {"pending", "rejected", "countered"}
    assert gt["reopened_stores"]
    for old, new in gt["reopened_stores"]:
        assert stores.loc[old, "status"] == "closed" or old in {s for s, _ in counterfeit}
        assert stores.loc[new, "opened"] > stores.loc[old, "opened"]
        assert stores.loc[new, "name"] != stores.loc[old, "name"]
    via_rep = {tuple(p) for p in gt["reopened_via_legal_representative"]}
    assert via_rep <= {tuple(p) for p in gt["reopened_stores"]}


def test_reopened_via_legal_representative_share_the_representative(
    run: GenerationSummary, files: dict[str, pd.DataFrame]
) -> None:
    stores = files["stores"].set_index("store_id")
    roles = files["roles"]
    reps = roles[(roles["role"] == "legal_representative") & (roles["until"] == "")]
    rep_of = reps.set_index("business_id")["person_id"]
    pairs = truth(run)["reopened_via_legal_representative"]
    assert pairs
    for old, new in pairs:
        a, b = stores.loc[old, "operator_id"], stores.loc[new, "operator_id"]
        assert a != b
        assert rep_of[a] == rep_of[b]


# --- determinism, formats, parameters ---------------------------------------------------------


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", 1000, seed=3)
    b = generate(tmp_path / "b", 1000, seed=3)
    c = generate(tmp_path / "c", 1000, seed=4)
    for name in INPUT_FILES:
        assert a.files[name].read_bytes() == b.files[name].read_bytes(), name
    assert a.ground_truth.read_bytes() == b.ground_truth.read_bytes()
    assert a.files["businesses"].read_bytes() != c.files["businesses"].read_bytes()


def test_parquet_holds_the_same_rows_as_csv(tmp_path: Path) -> None:
    as_csv = generate(tmp_path / "csv", 1000, seed=8)
    as_parquet = generate(tmp_path / "pq", 1000, seed=8, fmt="parquet")
    assert {p.suffix for p in as_parquet.files.values()} == {".parquet"}
    for name in ("businesses", "shareholdings", "waybills"):
        left = read(as_csv, name)
        right = read(as_parquet, name)
        for col in ("share", "weight_kg", "registered_capital"):
            if col in left:
                left[col] = pd.to_numeric(left[col]).fillna(-1)
                right[col] = pd.to_numeric(right[col]).fillna(-1)
        pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_brushing_parameters_shape_the_rings(tmp_path: Path) -> None:
    params = BrushingParams(rings=3, accounts=(12, 12), stores=(3, 3), camouflage="none")
    run = generate(tmp_path, 1000, seed=2, brushing=params)
    rings = truth(run)["brushing_rings"]
    assert len(rings) == 3
    assert {(len(r["accounts"]), len(r["stores"])) for r in rings} == {(12, 3)}
    orders = read(run, "orders")
    for ring in rings:
        mine = orders[orders["account_id"].isin(ring["accounts"])]
        assert mine["store_id"].isin(ring["stores"]).all()  # no camouflage


@pytest.mark.parametrize(
    "kwargs",
    [{"entities": 10}, {"noise": 1.5}, {"bad_rows": 1.0}, {"fmt": "xlsx"}],
)
def test_refuses_bad_arguments(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"entities": 1000, "seed": 1} | kwargs
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        generate(tmp_path, **args)


@pytest.mark.parametrize("field", ["density", "camouflage_level", "accounts"])
def test_brushing_params_refuse_nonsense(field: str) -> None:
    bad: dict[str, Any] = {"density": 2.0, "camouflage_level": -1.0, "accounts": (5, 2)}
    with pytest.raises(ValueError, match=field):
        BrushingParams(**{field: bad[field]})


# --- bad rows ----------------------------------------------------------------------------------


def test_bad_rows_are_where_ground_truth_says(bad_run: GenerationSummary) -> None:
    bad = truth(bad_run)["bad_rows"]
    assert {b["file"] for b in bad} >= {
        "businesses",
        "people",
        "shareholdings",
        "roles",
        "stores",
        "orders",
        "listings",
        "violations",
        "waybills",
        "licences",
    }
    frames = {name: read(bad_run, name) for name in {b["file"] for b in bad}}
    for entry in bad:
        value = frames[entry["file"]].iloc[entry["row"]][entry["field"]]
        assert str(value) == str(entry["value"]), entry
    assert bad_run.rows["businesses"] > 1000


def test_only_the_bad_rows_are_invalid(bad_run: GenerationSummary) -> None:
    bad = truth(bad_run)["bad_rows"]
    flagged = {(b["file"], b["row"]) for b in bad}

    def rows_where(name: str, invalid: pd.Series) -> set[tuple[str, int]]:
        return {(name, int(i)) for i in invalid[invalid].index}

    biz = read(bad_run, "businesses")
    ids = biz["business_id"]
    found = rows_where("businesses", ~ids.str.contains(":") & ~ids.map(uscc.is_valid))
    people = read(bad_run, "people")
    found |= rows_where(
        "people", (people["id_type"] == "ric") & ~people["person_id"].map(ric.is_valid)
    )
    holdings = read(bad_run, "shareholdings")
    found |= rows_where("shareholdings", holdings["share"].astype(float) > 1.0)
    known = set(ids[ids.str.contains(":") | ids.map(uscc.is_valid)])
    roles = read(bad_run, "roles")
    found |= rows_where("roles", ~roles["business_id"].isin(known))
    stores = read(bad_run, "stores")
    found |= rows_where(
        "stores", (stores["operator_type"] == "business") & ~stores["operator_id"].isin(known)
    )
    orders = read(bad_run, "orders")
    found |= rows_where("orders", ~orders["store_id"].isin(set(stores["store_id"])))
    for name in ("listings", "violations"):
        frame = read(bad_run, name)
        parsed = pd.to_datetime(frame["decided"], format="%Y-%m-%d", errors="coerce")
        found |= rows_where(name, parsed.isna())
    waybills = read(bad_run, "waybills")
    parsed = pd.to_datetime(waybills["shipped"], format="%Y-%m-%dT%H:%M:%S", errors="coerce")
    found |= rows_where("waybills", parsed.isna())
    licences = read(bad_run, "licences")
    found |= rows_where("licences", ~licences["business_id"].isin(known))
    assert found == flagged


def test_bad_rows_land_where_recorded_when_a_file_is_written_in_chunks(tmp_path: Path) -> None:
    from ingest.generate.bad_rows import BAD_DATES
    from ingest.generate.context import Gen
    from ingest.generate.output import Output

    out = Output(Gen(1000, 0, 0.0, BrushingParams()), tmp_path, "csv", 0.05)
    valid = pa.table({c: [f"{c}{i}" for i in range(100)] for c in COLUMNS["listings"]})
    out.emit("listings", (valid.slice(a, 30) for a in range(0, 100, 30)), total=100)
    frame = pd.read_csv(out.files["listings"], dtype=str, keep_default_na=False)
    flagged = sorted(b["row"] for b in out.bad)
    assert out.rows["listings"] == len(frame) == 105
    assert len(flagged) == 5
    assert set(frame.loc[flagged, "decided"]) <= set(BAD_DATES)
    kept = frame.drop(index=flagged)
    assert list(kept["listing_id"]) == [f"listing_id{i}" for i in range(100)]


def test_reviews_are_optional_columns_with_rings_praising_their_stores(tmp_path: Path) -> None:
    plain = generate(tmp_path / "plain", 400, 5)
    reviewed = generate(tmp_path / "reviews", 400, 5, brushing=BrushingParams(reviews=True))
    before = pd.read_csv(plain.files["orders"])
    after = pd.read_csv(reviewed.files["orders"])
    assert tuple(after.columns) == COLUMNS["orders"] + ("rating", "reviewed")
    pd.testing.assert_frame_equal(after[list(COLUMNS["orders"])], before)
    rated = after.dropna(subset=["rating"])
    assert rated["rating"].between(1, 5).all()
    assert (pd.to_datetime(rated["reviewed"]) > pd.to_datetime(rated["placed"])).all()
    truth = json.loads(reviewed.ground_truth.read_text(encoding="utf-8"))
    ring_accounts = {a for ring in truth["brushing_rings"] for a in ring["accounts"]}
    ring_stores = {s for ring in truth["brushing_rings"] for s in ring["stores"]}
    by_ring = rated["account_id"].isin(ring_accounts) & rated["store_id"].isin(ring_stores)
    assert rated.loc[by_ring, "rating"].mean() > 4.5
    assert rated.loc[~by_ring, "rating"].mean() < 4.5
    assert (rated.loc[rated["account_id"].isin(ring_accounts) & ~by_ring, "rating"] == 1).any()


def test_no_operator_runs_more_than_a_chain_retailers_share_of_stores(tmp_path: Path) -> None:
    # Uncapped, the heavy tail gave one operator 12% of all stores at 1M businesses.
    stores = read(generate(tmp_path, 20_000, seed=7), "stores")
    per_operator = stores[stores.operator_type == "business"].operator_id.value_counts()
    assert per_operator.iloc[0] <= MAX_OPERATOR_STORES * 1.1  # binomial noise around the cap
    assert per_operator.iloc[0] >= MAX_OPERATOR_STORES / 2  # hubs still exist


def test_capped_shares_keep_their_order_and_sum_to_one() -> None:
    weights = np.array([1.0, 2.0, 50.0, 100.0, 3.0])
    shares = capped_shares(weights, 0.3)
    assert shares.sum() == pytest.approx(1.0)
    assert shares.max() <= 0.3 + 1e-9
    assert list(np.argsort(shares, kind="stable")[:3]) == [0, 1, 4]
    assert capped_shares(weights, 0.1).tolist() == (weights / weights.sum()).tolist()
