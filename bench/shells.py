"""Shell-cluster quality and speed: pairwise P/R/F1 against planted truth, and timings.

Quality: generate a market with :func:`ingest.generate.generate`, build the projection the
detection service reads, run :func:`algorithms.shells.find_shell_clusters` and score it
against ``ground_truth.json`` with :func:`algorithms.shells.pairwise_f1`.

The projection is built straight from the generated CSV files with pandas (the same
uids and identifier normalisation as ``ingest/mappings.py``, person uids unhashed), because
ingesting a million businesses into a store takes far longer than the algorithm.
``--via-store`` instead ingests into a fresh embedded store and projects through the port
(only sensible up to ~10k businesses).

Speed: the algorithm beside ``scipy.sparse.csgraph.connected_components`` on the *same*
link graph (the algorithm's step 4 alone), and beside networkx (``nx.connected_components``
over the link graph) on a sample.

Usage::

    python -m bench.shells quality --entities 10000 --noise 0 --noise 0.3
    python -m bench.shells speed --entities 100000 --entities 1000000
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from algorithms.shells.core import (
    IdentifierKind,
    ShellParams,
    ShellResult,
    find_shell_clusters,
    pairwise_f1,
)
from graph.identity import normalise_address, normalise_phone
from graph.model import Projection

__all__ = [
    "link_graph",
    "main",
    "nx_clusters",
    "projection_from_csv",
    "score",
    "truth_clusters",
]

_ROLE_REL = {
    "legal_representative": "LEGAL_REPRESENTATIVE_OF",
    "registration_agent": "REGISTRATION_AGENT_OF",
}


def _read(directory: Path, name: str, columns: Sequence[str]) -> pd.DataFrame:
    return pd.read_csv(
        directory / f"{name}.csv", usecols=list(columns), dtype=str, keep_default_na=False
    )


def _uids(values: pd.Series, make: Any) -> npt.NDArray[np.object_]:
    """Apply ``make`` once per distinct value (identifier columns repeat a lot)."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([make(v) for v in uniques], dtype=object)
    return mapped[codes]


def _phone(text: str) -> str | None:
    try:
        return "phone:" + normalise_phone(text)
    except Exception:  # noqa: BLE001 - a malformed phone is simply not an identifier
        return None


def projection_from_csv(directory: Path) -> Projection:
    """The shell-detection projection of a generated directory, built with pandas."""
    biz = _read(
        directory, "businesses", ("business_id", "established", "address", "phone", "email")
    )
    biz_uid = "biz:" + biz["business_id"].to_numpy(dtype=object)
    src: list[npt.NDArray[np.object_]] = []
    dst: list[npt.NDArray[np.object_]] = []
    types: list[str] = []
    since: list[npt.NDArray[np.object_]] = []
    until: list[npt.NDArray[np.object_]] = []

    def add(rel: str, s: Any, d: Any, lo: Any = None, hi: Any = None) -> None:
        s, d = np.asarray(s, dtype=object), np.asarray(d, dtype=object)
        keep = np.array([x is not None for x in d], dtype=bool) & (d != "")
        src.append(s[keep])
        dst.append(d[keep])
        types.extend([rel] * int(keep.sum()))
        none = np.full(len(s), None, dtype=object)
        since.append((none if lo is None else np.asarray(lo, dtype=object))[keep])
        until.append((none if hi is None else np.asarray(hi, dtype=object))[keep])

    add(
        "REGISTERED_AT",
        biz_uid,
        _uids(biz["address"], lambda a: "addr:" + normalise_address(a) if a else None),
    )
    add("HAS_PHONE", biz_uid, _uids(biz["phone"], lambda p: _phone(p) if p else None))
    add(
        "HAS_EMAIL",
        biz_uid,
        _uids(biz["email"], lambda e: "email:" + e.strip().lower() if e else None),
    )
    roles = _read(directory, "roles", ("person_id", "business_id", "role", "since", "until"))
    for role, rel in _ROLE_REL.items():
        part = roles[roles["role"] == role]
        add(
            rel,
            "person:" + part["person_id"].str.upper().to_numpy(dtype=object),
            "biz:" + part["business_id"].to_numpy(dtype=object),
            part["since"].replace("", None).to_numpy(dtype=object),
            part["until"].replace("", None).to_numpy(dtype=object),
        )
    hold = _read(
        directory, "shareholdings", ("holder_type", "holder_id", "business_id", "since", "until")
    )
    prefix = np.where(hold["holder_type"] == "business", "biz:", "person:").astype(object)
    add(
        "SHAREHOLDER_OF",
        prefix + hold["holder_id"].str.upper().to_numpy(dtype=object),
        "biz:" + hold["business_id"].to_numpy(dtype=object),
        hold["since"].replace("", None).to_numpy(dtype=object),
        hold["until"].replace("", None).to_numpy(dtype=object),
    )
    stores = _read(directory, "stores", ("store_id", "operator_type", "operator_id", "opened"))
    op = stores[stores["operator_type"] == "business"]
    add(
        "OPERATES",
        "biz:" + op["operator_id"].to_numpy(dtype=object),
        "store:" + op["store_id"].to_numpy(dtype=object),
        op["opened"].replace("", None).to_numpy(dtype=object),
    )
    listings = _read(
        directory,
        "listings",
        ("listing_id", "subject_type", "subject_id", "list_type", "decided", "expires", "removed"),
    )
    li = listings[listings["subject_type"] == "business"]
    listing_uid = "listing:" + li["listing_id"].to_numpy(dtype=object)
    removed = li["removed"].replace("", None).to_numpy(dtype=object)
    expires = li["expires"].replace("", None).to_numpy(dtype=object)
    add(
        "LISTED",
        "biz:" + li["subject_id"].to_numpy(dtype=object),
        listing_uid,
        li["decided"].replace("", None).to_numpy(dtype=object),
        np.where(pd.isna(removed), expires, removed),
    )

    s_all, d_all = np.concatenate(src), np.concatenate(dst)
    codes, node_uids = pd.factorize(np.concatenate([biz_uid, s_all, d_all]))
    nb, ne = len(biz_uid), len(s_all)
    labels = np.array(
        [_label(str(u)) for u in node_uids], dtype=object
    )  # one call per distinct node
    n = len(node_uids)
    established = np.full(n, None, dtype=object)
    established[codes[:nb]] = biz["established"].replace("", None).to_numpy(dtype=object)
    list_type = np.full(n, None, dtype=object)
    removed_prop = np.full(n, None, dtype=object)
    where = pd.Index(node_uids).get_indexer(listing_uid)
    list_type[where] = li["list_type"].to_numpy(dtype=object)
    removed_prop[where] = removed
    return Projection(
        uids=np.asarray(node_uids, dtype=object),
        labels=labels,
        src=codes[nb : nb + ne].astype(np.int64),
        dst=codes[nb + ne :].astype(np.int64),
        types=np.array(types, dtype=object),
        rids=np.arange(ne).astype(str).astype(object),
        edge_props={"since": np.concatenate(since), "until": np.concatenate(until)},
        node_props={"established": established, "list_type": list_type, "removed": removed_prop},
    )


_LABELS = {
    "biz": "Business",
    "person": "Person",
    "addr": "Address",
    "phone": "Phone",
    "email": "Email",
    "store": "Store",
    "listing": "Listing",
}


def _label(uid: str) -> str:
    return _LABELS[uid.split(":", 1)[0]]


def truth_clusters(directory: Path) -> list[set[str]]:
    """The planted shell clusters as sets of business uids."""
    truth = json.loads((directory / "ground_truth.json").read_text())
    return [{f"biz:{b}" for b in cluster} for cluster in truth["shell_clusters"]]


def score(result: ShellResult, truth: list[set[str]]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of the detected clusters."""
    return pairwise_f1([set(c.members) for c in result.clusters], truth)


def link_graph(projection: Projection, params: ShellParams) -> sparse.csr_array:
    """The algorithm's link graph (businesses x businesses), rebuilt for the baselines."""
    from algorithms.shells.core import _hub_weights, _incidence, _pair_strength

    inc = _incidence(projection, params.at)
    weight, _ = _hub_weights(inc, params, projection)
    strength = _pair_strength(inc, weight, params)
    linked = strength.data >= params.link_threshold - 1e-9
    coo = strength.tocoo()
    nb = inc.matrix.shape[0]
    return sparse.csr_array(
        (np.ones(int(linked.sum())), (coo.row[linked], coo.col[linked])), shape=(nb, nb)
    )


@dataclass
class _Timer:
    seconds: float = 0.0

    def __enter__(self) -> _Timer:
        self._t = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._t


def _generate(entities: int, seed: int, noise: float, root: Path) -> Path:
    from ingest.generate import generate

    out = root / f"n{entities}-s{seed}-noise{noise:g}"
    if not (out / "ground_truth.json").exists():
        generate(out, entities, seed, noise=noise)
    return out


def _quality(args: argparse.Namespace, root: Path) -> None:
    print("| businesses | noise | clusters (true) | precision | recall | F1 | algorithm s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for entities in args.entities:
        for noise in args.noise:
            directory = _generate(entities, args.seed, noise, root)
            projection = projection_from_csv(directory)
            truth = truth_clusters(directory)
            with _Timer() as t:
                result = find_shell_clusters(projection, ShellParams())
            p, r, f = score(result, truth)
            print(
                f"| {entities:,} | {noise:g} | {len(result.clusters)} ({len(truth)}) "
                f"| {p:.3f} | {r:.3f} | {f:.3f} | {t.seconds:.2f} |",
                flush=True,
            )


def nx_clusters(projection: Projection, params: ShellParams) -> list[set[str]]:
    """The same clusters computed the plain way: pairs counted in dicts, networkx components.

    Excluded hubs only (the default); enough to time networkx on the same link graph and to
    check the vectorised algorithm against it.
    """
    import networkx as nx

    from algorithms.shells.core import _EDGES, _KINDS

    uids = projection.uids
    is_business = projection.labels == "Business"
    holders: dict[tuple[IdentifierKind, int], set[int]] = {}
    for kind in _KINDS:
        rel, ident_is_src = _EDGES[kind]
        for k in np.flatnonzero(projection.types == rel).tolist():
            i, b = (projection.src[k], projection.dst[k])
            if not ident_is_src:
                i, b = b, i
            if is_business[b]:
                holders.setdefault((kind, int(i)), set()).add(int(b))
    strength: dict[tuple[int, int], dict[IdentifierKind, float]] = {}
    for (kind, _), members in holders.items():
        if len(members) < 2 or len(members) > params.hub_threshold[kind]:
            continue
        w = params.weights[kind]
        ordered = sorted(members)
        for x in range(len(ordered)):
            for y in range(x + 1, len(ordered)):
                per_kind = strength.setdefault((ordered[x], ordered[y]), {})
                per_kind[kind] = min(w, per_kind.get(kind, 0.0) + w)
    graph = nx.Graph()
    graph.add_edges_from(
        pair
        for pair, per_kind in strength.items()
        if sum(per_kind.values()) >= params.link_threshold - 1e-9
    )
    return [
        {str(uids[b]) for b in comp}
        for comp in nx.connected_components(graph)
        if len(comp) >= params.min_size
    ]


def _speed(args: argparse.Namespace, root: Path) -> None:
    params = ShellParams()
    print(
        "| businesses | projection from CSV s | find_shell_clusters s | scipy CC on its link "
        "graph ms | ratio | networkx pipeline s | same clusters |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|")
    for entities in args.entities:
        directory = _generate(entities, args.seed, 0.0, root)
        with _Timer() as load:
            projection = projection_from_csv(directory)
        with _Timer() as algo:
            result = find_shell_clusters(projection, params)
        links = link_graph(projection, params)
        with _Timer() as cc:
            csgraph.connected_components(links, directed=False)
        nx_cell, same = "", ""
        if entities <= args.nx_sample:
            with _Timer() as nx_t:
                reference = nx_clusters(projection, params)
            nx_cell = f"{nx_t.seconds:.2f}"
            same = str(
                sorted(map(sorted, reference)) == sorted(sorted(c.members) for c in result.clusters)
            )
        print(
            f"| {entities:,} | {load.seconds:.1f} | {algo.seconds:.2f} | {cc.seconds * 1000:.1f} "
            f"| {algo.seconds / max(cc.seconds, 1e-9):,.0f}x | {nx_cell} | {same} |",
            flush=True,
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Run the quality or speed benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("mode", choices=("quality", "speed"))
    parser.add_argument("--entities", type=int, action="append")
    parser.add_argument("--noise", type=float, action="append")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--nx-sample", type=int, default=100_000, help="run networkx up to this many businesses"
    )
    parser.add_argument("--data", type=Path, help="where generated directories are kept")
    args = parser.parse_args(argv)
    args.entities = args.entities or [10_000, 100_000]
    args.noise = args.noise or [0.0, 0.3]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.data or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        (_quality if args.mode == "quality" else _speed)(args, root)


if __name__ == "__main__":
    main()
