"""Brand algorithms against plain references on small random markets (hypothesis).

Each reference is written from the module docstring of :mod:`algorithms.brands` (the
formulas for reputation, store weight, link weight and repeat-infringer score), with dicts
and loops over a market drawn at random: stores run by operators, people behind operators,
a shell cluster, reports with every status and complainants with every record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.brands import (
    ActorKind,
    LinkParams,
    Membership,
    Reach,
    ReportObs,
    StoreEvidence,
    StoreInfo,
    infringement_links,
    repeat_infringers,
    reputations,
    store_evidence,
)

STATUSES = ("pending", "confirmed", "rejected", "countered")
FACTOR = {"confirmed": 1.0, "pending": 0.5}  # the docstring: "otherwise 0"
KIND_FACTOR = {ActorKind.OPERATOR: 1.0, ActorKind.PERSON: 0.8, ActorKind.CLUSTER: 0.6}


# --------------------------------------------------------------------------- reputation


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["c1", "c2", "c3", "c4"]),
        st.fixed_dictionaries({s: st.integers(0, 30) for s in STATUSES}),
    ),
    st.tuples(st.floats(0.5, 10), st.floats(0.5, 10)),
)
def test_reputation_is_accepted_plus_prior_over_decided_plus_prior(
    counts: dict[str, dict[str, int]], prior: tuple[float, float]
) -> None:
    a, b = prior
    found = reputations(counts, prior)
    assert set(found) == set(counts)
    for who, c in counts.items():
        decided = c["confirmed"] + c["rejected"] + c["countered"]
        assert found[who].weight == pytest.approx((c["confirmed"] + a) / (decided + a + b))
        # Pending reports do not move the weight; one more rejection lowers it.
        worse = reputations({who: {**c, "rejected": c["rejected"] + 1}}, prior)[who]
        assert worse.weight < found[who].weight
        waiting = reputations({who: {**c, "pending": c["pending"] + 5}}, prior)[who]
        assert waiting.weight == found[who].weight


# --------------------------------------------------------------------------- a random market


@dataclass(frozen=True)
class BrandMarket:
    operator_of: dict[str, str]  # store -> operating business
    people_of: dict[str, set[str]]  # business -> people behind it
    cluster: set[str]  # businesses in one shell cluster
    reports: list[ReportObs]
    info: dict[str, StoreInfo]

    def stores_of(self, businesses: set[str]) -> list[str]:
        return sorted(s for s, o in self.operator_of.items() if o in businesses)

    def actors(self) -> dict[str, tuple[ActorKind, set[str]]]:
        """Every actor, its kind and the businesses it stands for."""
        out: dict[str, tuple[ActorKind, set[str]]] = {}
        for b in set(self.operator_of.values()):
            out[b] = (ActorKind.OPERATOR, {b})
        for b, people in self.people_of.items():
            for p in people:
                out.setdefault(p, (ActorKind.PERSON, set()))[1].add(b)
        if self.cluster:
            out["shell:1"] = (ActorKind.CLUSTER, set(self.cluster))
        return out

    def graph(self, seeds: set[str]) -> tuple[list[Membership], list[Reach]]:
        """Memberships of the seed stores and every actor's reach, as the service builds them."""
        memberships: list[Membership] = []
        reach: list[Reach] = []
        for actor, (kind, businesses) in sorted(self.actors().items()):
            for store in self.stores_of(businesses):
                op = self.operator_of[store]
                steps = (
                    (("OPERATES", store),)
                    if kind is ActorKind.OPERATOR
                    else (
                        ("BEHIND", op),
                        ("OPERATES", store),
                    )
                )
                reach.append(Reach(actor, store, steps, op))
                if store in seeds:
                    memberships.append(Membership(store, actor, kind, (("BEHIND", actor),)))
        return memberships, reach


@st.composite
def brand_markets(draw: st.DrawFn) -> BrandMarket:
    businesses = [f"biz:{i}" for i in range(draw(st.integers(1, 4)))]
    stores = [f"store:{i}" for i in range(draw(st.integers(1, 8)))]
    operator_of = {s: draw(st.sampled_from(businesses)) for s in stores}
    people = [f"person:{i}" for i in range(3)]
    people_of = {b: draw(st.sets(st.sampled_from(people), max_size=2)) for b in businesses}
    cluster = draw(st.sets(st.sampled_from(businesses), max_size=3))
    reports = [
        ReportObs(
            f"report:{k}",
            draw(st.sampled_from(stores)),
            draw(st.sampled_from(["brand:x", "brand:y"])),
            draw(st.sampled_from(STATUSES)),
            draw(st.sampled_from(["c1", "c2", "c3"])),
            date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 300))),
        )
        for k in range(draw(st.integers(0, 8)))
    ]
    info = {
        s: StoreInfo(
            s,
            name=draw(st.sampled_from(["甲店", "乙店", "丙店"])),
            platform=draw(st.sampled_from([None, "taobao", "jd", "pdd"])),
            status=draw(st.sampled_from(["open", "closed"])),
            opened=draw(st.none() | st.dates(date(2020, 1, 1), date(2020, 12, 31))),
        )
        for s in stores
    }
    return BrandMarket(operator_of, people_of, cluster, reports, info)


link_params = st.builds(
    LinkParams,
    min_weight=st.sampled_from([0.0, 0.2]),
    max_actor_stores=st.sampled_from([3, 50]),
    max_person_businesses=st.sampled_from([1, 10]),
    min_stores=st.sampled_from([1, 2]),
    min_score=st.sampled_from([0.0, 0.5, 1.0]),
)


def _evidence(market: BrandMarket) -> dict[str, StoreEvidence]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in market.reports:
        counts[r.complainant][r.status] += 1
    return store_evidence(market.reports, reputations(counts))


@settings(max_examples=200, deadline=None)
@given(brand_markets())
def test_store_weight_is_the_noisy_or_of_its_active_reports(market: BrandMarket) -> None:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in market.reports:
        counts[r.complainant][r.status] += 1
    rep = {
        c: (n["confirmed"] + 4) / (n["confirmed"] + n["rejected"] + n["countered"] + 5)
        for c, n in counts.items()
    }
    miss: dict[str, float] = defaultdict(lambda: 1.0)
    for r in market.reports:
        if r.status in FACTOR:
            miss[r.store] *= 1 - FACTOR[r.status] * rep[r.complainant]
    found = _evidence(market)
    assert {s: e.weight for s, e in found.items()} == pytest.approx(
        {s: 1 - m for s, m in miss.items()}
    )


def _usable(
    market: BrandMarket, params: LinkParams, *, cap_stores: bool
) -> dict[str, tuple[ActorKind, list[str]]]:
    """Actors that are not hubs, with their stores."""
    out = {}
    for actor, (kind, businesses) in market.actors().items():
        stores = market.stores_of(businesses)
        if cap_stores and len(stores) > params.max_actor_stores:
            continue
        operators = {market.operator_of[s] for s in stores}
        if kind is ActorKind.PERSON and len(operators) > params.max_person_businesses:
            continue
        out[actor] = (kind, stores)
    return out


@settings(max_examples=200, deadline=None)
@given(brand_markets(), link_params)
def test_links_weigh_the_seed_times_actor_factor_times_reported_share(
    market: BrandMarket, params: LinkParams
) -> None:
    evidence = _evidence(market)
    memberships, reach = market.graph(set(evidence))
    best: dict[str, float] = {s: e.weight for s, e in evidence.items()}
    for kind, stores in _usable(market, params, cap_stores=True).values():
        share = (sum(s in evidence for s in stores) + 1) / (len(stores) + 1)
        for seed in (s for s in stores if s in evidence):
            weight = evidence[seed].weight * KIND_FACTOR[kind] * share
            for store in stores:
                if store != seed:
                    best[store] = max(best.get(store, 0.0), weight)
    expected = {s: w for s, w in best.items() if w >= params.min_weight}
    links = infringement_links(evidence, memberships, reach, market.info, params)
    assert {link.store: link.weight for link in links} == pytest.approx(expected)
    assert [link.weight for link in links] == sorted((link.weight for link in links), reverse=True)
    for link in links:
        assert link.reported == (link.store in evidence)
        assert link.paths[0].weight == link.weight
        assert link.paths[0].nodes[-1] == link.store
        assert len(link.paths) <= params.max_paths


def _reopened(stores: list[str], info: dict[str, StoreInfo], bad: set[str]) -> set[tuple[str, str]]:
    dated = sorted(
        (info[s] for s in stores if info[s].opened is not None),
        key=lambda i: (i.opened, i.uid),
    )
    pairs = set()
    for k, old in enumerate(dated):
        if old.status != "closed":
            continue
        for new in dated[k + 1 :]:
            if new.name != old.name and new.opened != old.opened and {old.uid, new.uid} & bad:
                pairs.add((old.uid, new.uid))
                break
    return pairs


@settings(max_examples=200, deadline=None)
@given(brand_markets(), link_params)
def test_repeat_infringers_score_weights_platforms_and_reopenings(
    market: BrandMarket, params: LinkParams
) -> None:
    evidence = _evidence(market)
    memberships, reach = market.graph(set(evidence))
    expected = {}
    for actor, (kind, stores) in _usable(market, params, cap_stores=False).items():
        if not any(s in evidence for s in stores):
            continue  # an actor is known only through a reported store
        bad = [s for s in stores if s in evidence]
        operators = {market.operator_of[s] for s in bad}
        if len(bad) < params.min_stores or (kind is not ActorKind.OPERATOR and len(operators) < 2):
            continue
        platforms = {p for s in bad if (p := market.info[s].platform)}
        reopened = _reopened(stores, market.info, set(bad))
        score = sum(evidence[s].weight for s in bad) * (1 + 0.25 * max(len(platforms) - 1, 0))
        score += 0.5 * len(reopened)
        if score >= params.min_score:
            expected[actor] = (kind, tuple(bad), tuple(sorted(operators)), reopened, score)
    found = repeat_infringers(evidence, memberships, reach, market.info, params)
    assert {f.actor: (f.kind, f.stores, f.operators, set(f.reopened)) for f in found} == {
        actor: e[:4] for actor, e in expected.items()
    }
    assert {f.actor: f.score for f in found} == pytest.approx(
        {actor: e[4] for actor, e in expected.items()}
    )
    assert [f.score for f in found] == sorted((f.score for f in found), reverse=True)
