"""Brand algorithms as a specification: reputation, evidence, links, repeat infringers."""

from __future__ import annotations

from datetime import date

import pytest

from algorithms.brands.core import (
    ActorKind,
    LinkParams,
    Membership,
    Reach,
    ReportObs,
    StoreEvidence,
    StoreInfo,
    check_transition,
    infringement_links,
    repeat_infringers,
    reputations,
    store_evidence,
)
from algorithms.brands.service import BrandScope, parse_reports_csv
from graph.errors import InvalidInput


def _ev(*stores: str, weight: float = 0.9) -> dict[str, StoreEvidence]:
    return {
        s: StoreEvidence(s, weight, (f"report:{s}",), ("brand:x",), date(2024, 1, 1), None)
        for s in stores
    }


def test_reputation_is_the_beta_smoothed_acceptance_rate() -> None:
    reps = reputations(
        {"good": {"confirmed": 10}, "bad": {"rejected": 6, "countered": 4}, "new": {}},
        prior=(4.0, 1.0),
    )
    assert reps["good"].weight == pytest.approx(14 / 15)
    assert reps["bad"].weight == pytest.approx(4 / 15)
    assert reps["new"].weight == pytest.approx(0.8)


def test_store_weight_follows_status_and_complainant() -> None:
    reps = reputations({"good": {"confirmed": 10}, "bad": {"rejected": 10}})
    reports = [
        ReportObs("report:1", "store:a", "brand:x", "confirmed", "good"),
        ReportObs("report:2", "store:b", "brand:x", "confirmed", "bad"),
        ReportObs("report:3", "store:c", "brand:x", "pending", "good"),
        ReportObs("report:4", "store:d", "brand:x", "rejected", "good"),
        ReportObs("report:5", "store:e", "brand:x", "countered", "good"),
    ]
    ev = store_evidence(reports, reps)
    assert set(ev) == {"store:a", "store:b", "store:c"}
    assert ev["store:a"].weight > ev["store:c"].weight > ev["store:b"].weight


def test_transitions() -> None:
    assert check_transition("pending", "countered").value == "countered"
    assert check_transition("rejected", "pending").value == "pending"
    with pytest.raises(InvalidInput):
        check_transition("rejected", "confirmed")
    with pytest.raises(InvalidInput):
        check_transition("pending", "deleted")


def test_links_carry_paths_and_prefer_the_stronger_path() -> None:
    ev = _ev("store:a")
    members = [
        Membership("store:a", "biz:o", ActorKind.OPERATOR, (("OPERATES", "biz:o"),)),
        Membership(
            "store:a",
            "person:p",
            ActorKind.PERSON,
            (("OPERATES", "biz:o"), ("LEGAL_REPRESENTATIVE_OF", "person:p")),
        ),
    ]
    reach = [
        Reach("biz:o", "store:a", (("OPERATES", "store:a"),), "biz:o"),
        Reach("biz:o", "store:b", (("OPERATES", "store:b"),), "biz:o"),
        Reach(
            "person:p",
            "store:c",
            (("LEGAL_REPRESENTATIVE_OF", "biz:q"), ("OPERATES", "store:c")),
            "biz:q",
        ),
    ]
    links = {x.store: x for x in infringement_links(ev, members, reach, {})}
    assert set(links) == {"store:a", "store:b", "store:c"}
    assert links["store:a"].relation == "reported"
    assert links["store:b"].relation == "same_operator"
    c = links["store:c"]
    assert c.relation == "same_person"
    assert c.paths[0].nodes == (
        "report:store:a",
        "store:a",
        "biz:o",
        "person:p",
        "biz:q",
        "store:c",
    )
    assert len(c.paths[0].rels) == len(c.paths[0].nodes) - 1
    assert c.evidence == ("report:store:a",)
    assert links["store:b"].weight > c.weight


def test_hubs_are_not_expanded() -> None:
    ev = _ev("store:a")
    members = [Membership("store:a", "biz:hub", ActorKind.OPERATOR, ())]
    reach = [Reach("biz:hub", f"store:{i}", (), "biz:hub") for i in range(60)]
    links = infringement_links(ev, members, reach, {}, LinkParams(max_actor_stores=50))
    assert [x.store for x in links] == ["store:a"]


def test_repeat_infringer_ranks_platforms_and_reopenings() -> None:
    ev = _ev("store:a", "store:b", "store:c", "store:d")
    info = {
        "store:a": StoreInfo("store:a", "老店", "taobao", "closed", date(2020, 1, 1)),
        "store:b": StoreInfo("store:b", "新店", "pinduoduo", "open", date(2021, 1, 1)),
        "store:c": StoreInfo("store:c", "甲", "taobao", "open", date(2020, 1, 1)),
        "store:d": StoreInfo("store:d", "乙", "taobao", "open", date(2021, 1, 1)),
    }
    members = [
        Membership("store:a", "biz:x", ActorKind.OPERATOR, ()),
        Membership("store:b", "biz:x", ActorKind.OPERATOR, ()),
        Membership("store:c", "biz:y", ActorKind.OPERATOR, ()),
        Membership("store:d", "biz:y", ActorKind.OPERATOR, ()),
    ]
    reach = [
        Reach("biz:x", "store:a", (), "biz:x"),
        Reach("biz:x", "store:b", (), "biz:x"),
        Reach("biz:y", "store:c", (), "biz:y"),
        Reach("biz:y", "store:d", (), "biz:y"),
    ]
    ranked = repeat_infringers(ev, members, reach, info)
    assert [x.actor for x in ranked] == ["biz:x", "biz:y"]
    assert ranked[0].reopened == (("store:a", "store:b"),)
    assert any("closed" in reason for reason in ranked[0].reasons)
    assert ranked[0].platforms == ("pinduoduo", "taobao")


def test_a_person_counts_only_across_operators() -> None:
    ev = _ev("store:a", "store:b")
    one_business = [
        Membership(s, "person:p", ActorKind.PERSON, (("OPERATES", "biz:o"),)) for s in ev
    ]
    reach = [Reach("person:p", s, (), "biz:o") for s in ev]
    assert repeat_infringers(ev, one_business, reach, {}) == []
    two = [Reach("person:p", "store:a", (), "biz:o"), Reach("person:p", "store:b", (), "biz:q")]
    ranked = repeat_infringers(ev, one_business, two, {})
    assert [(x.actor, x.operators) for x in ranked] == [("person:p", ("biz:o", "biz:q"))]


def test_low_reputation_lowers_the_ranking() -> None:
    reps = reputations({"good": {"confirmed": 20}, "bad": {"rejected": 20}})
    reports = [
        ReportObs(f"report:{s}", s, "brand:x", "pending", who)
        for s, who in (
            ("store:a", "good"),
            ("store:b", "good"),
            ("store:c", "bad"),
            ("store:d", "bad"),
        )
    ]
    ev = store_evidence(reports, reps)
    members = [
        Membership(s, op, ActorKind.OPERATOR, ())
        for s, op in (
            ("store:a", "biz:x"),
            ("store:b", "biz:x"),
            ("store:c", "biz:y"),
            ("store:d", "biz:y"),
        )
    ]
    reach = [Reach(m.actor, m.seed, (), m.actor) for m in members]
    ranked = repeat_infringers(ev, members, reach, {}, LinkParams(min_score=0.0))
    assert [x.actor for x in ranked] == ["biz:x", "biz:y"]
    assert repeat_infringers(ev, members, reach, {}, LinkParams(min_score=0.5))[0].actor == "biz:x"


def test_scope_params_never_send_an_empty_list() -> None:
    member = BrandScope.of([]).params(["brand:a"])
    assert member["see_all"] is False
    assert member["allowed"] == [""]
    assert BrandScope.officer().params()["any_brand"] is True


def test_bulk_csv_parsing_names_the_row() -> None:
    rows = parse_reports_csv(
        "store_id,brand_id,evidence,evidence_sha256\ntaobao:1,XC,photo," + "a" * 64 + "\n"
    )
    assert rows[0].store_id == "taobao:1"
    with pytest.raises(InvalidInput) as err:
        parse_reports_csv("store_id,brand_id,evidence\ntaobao:1,XC,\n")
    assert err.value.row == 2
    with pytest.raises(InvalidInput):
        parse_reports_csv("store_id,brand,evidence\n")
