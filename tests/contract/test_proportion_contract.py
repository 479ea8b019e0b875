"""Proportionate confirmation through each store: previews by name, reach limits per list type.

The two-ring market of ``test_rings_contract`` (the first ring's first store operated by a
business), where that operator also runs 60 other stores: the case of one operator with
1,544 stores whose ring confirmation restricted them all, at a testable size.

- With the shipped rules (``online_serious_violation`` has ``reach.other_stores: false``)
  confirming the ring lists the boosted stores; the operator is restricted through its
  store; its 60 other stores are not. The preview says so and names every subject.
- With ``other_stores: true`` the operator is listed and its 61 stores are reached: more
  than the list type's ``approval_above`` (50), so the preview asks for a second officer.
- ``repeat_ip_infringer``'s sibling-store rule stops at the listed store when its list
  type's reach says ``other_stores: false``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import yaml

from algorithms.brushing import service as rings
from algorithms.propagation import service as punish
from algorithms.propagation.engine import Listing
from algorithms.propagation.proportion import preview_listings
from algorithms.propagation.rules import DEFAULT_RULES_PATH, RuleSet, parse_rules
from api import approvals
from graph.store import GraphStore
from tests.contract.test_rings_contract import OPERATOR, write_market

T = datetime(2024, 5, 2, 9, 0, 0)
SIBLINGS = 60


def rules_with(list_type: str, **reach: Any) -> RuleSet:
    """The shipped rules with one list type's reach changed."""
    data = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    for lt in data["list_types"]:
        if lt["id"] == list_type:
            lt["reach"] = {**lt.get("reach", {}), **reach}
    return parse_rules(data, source="test-rules.yaml")


def market_with_a_big_operator(store: GraphStore) -> tuple[str, list[str]]:
    """The ring market; the operator of the first ring's first store runs 60 more stores."""
    _, planted = write_market(store)
    siblings = [f"store:tb:sib{i:03d}" for i in range(SIBLINGS)]
    store.upsert_nodes(
        "Store",
        [
            {"uid": uid, "platform": "tb", "shop_id": uid[9:], "name": f"某某旗舰店{i:03d}"}
            for i, uid in enumerate(siblings)
        ],
    )
    store.upsert_relationships(
        "OPERATES",
        "Business",
        "Store",
        [{"rid": f"op:sib{i}", "src": OPERATOR, "dst": uid} for i, uid in enumerate(siblings)],
    )
    rings.detect(store, now=T)
    for summary in rings.list_rings(store).items:
        if set(rings.ring_detail(store, summary.uid).accounts) & planted[0]:
            return summary.uid, siblings
    raise AssertionError("planted ring not found")


def test_a_store_level_violation_stays_at_its_stores(store: GraphStore) -> None:
    ring, siblings = market_with_a_big_operator(store)
    preview = approvals.ring_confirm_preview(store, ring, approval_above=50)
    # the four boosted stores are listed, and reach their one operator on record
    assert (preview.listings, preview.subjects) == (4, 5)
    assert not preview.needs_approval
    assert [n.code for n in preview.notes] == ["reach_stores_only"]
    assert "其他网店不受波及" in preview.notes[0].zh
    by_rule = {r.rule_id: r for r in preview.rules}
    assert set(by_rule) == {
        "online_serious_violation.self",
        "online_serious_violation.store_operator",
    }
    operator = by_rule["online_serious_violation.store_operator"]
    assert [n.name for n in operator.names] == ["某某电子商务有限公司"]
    assert [(m.name_zh, m.subjects) for m in operator.measures] == [
        ("限制在网络交易平台开设新店铺", 1)
    ]
    own = by_rule["online_serious_violation.self"]
    assert own.subjects == 4
    assert all(n.name.startswith("店铺") and n.kind_zh == "网店" for n in own.names)
    assert not any(":" in n.name for r in preview.rules for n in r.names)  # names, not uids
    assert preview.limit.source == "rules"
    assert preview.limit.list_type == "online_serious_violation"
    assert preview.limit.legal_basis

    result = rings.confirm(store, ring, "officer-7", "平台核实空包", now=T)
    assert preview.restrictions == len(result.restrictions)
    assert {r.subject_uid for r in result.restrictions} - set(siblings) == {
        r.subject_uid for r in result.restrictions
    }
    at = date(2024, 6, 1)
    assert "platform_entry_restriction" in punish.status(store, OPERATOR, at=at).measures
    assert not punish.status(store, siblings[0], at=at).restricted


def test_when_the_rules_let_it_reach_the_operators_stores_a_second_officer_must_approve(
    store: GraphStore,
) -> None:
    ring, siblings = market_with_a_big_operator(store)
    wide = rules_with("online_serious_violation", other_stores=True)
    preview = approvals.ring_confirm_preview(store, ring, approval_above=1_000, rules=wide)
    assert [n.code for n in preview.notes] == ["reach_operators", "approval_needed"]
    stores_rule = next(r for r in preview.rules if r.rule_id == "online_serious_violation.stores")
    assert stores_rule.subjects == SIBLINGS + 1
    assert {m.measure: m.subjects for m in stores_rule.measures} == {
        "promotion_ban": SIBLINGS + 1,
        "store_risk_notice": SIBLINGS + 1,
    }
    assert "某某旗舰店000" in {n.name for n in stores_rule.names}
    assert preview.subjects > 50
    # the list type's limit (50) is stricter than the server's (1,000): it applied
    assert preview.needs_approval
    assert (preview.limit.threshold, preview.limit.source) == (50, "rules")
    # and the server's applies where it is stricter
    strict = approvals.ring_confirm_preview(store, ring, approval_above=10, rules=wide)
    assert (strict.limit.threshold, strict.limit.source) == (10, "settings")


def test_a_reach_limit_keeps_a_store_listing_from_the_operators_other_stores(
    store: GraphStore,
) -> None:
    _, siblings = market_with_a_big_operator(store)
    boosted = store.edges_of([OPERATOR], ["OPERATES"], direction="out")
    first = sorted(e.dst for e in boosted if e.dst not in siblings)[0]
    listing = Listing("listing:ip-1", first, "repeat_ip_infringer", date(2024, 1, 1))
    shipped = preview_listings(store, [listing], action="listing.add")
    reached = {r.rule_id: r.subjects for r in shipped.rules}
    assert reached["repeat_ip_infringer.sibling_stores"] == SIBLINGS
    assert shipped.needs_approval  # 62 subjects, more than the list type's 20
    cut = rules_with("repeat_ip_infringer", other_stores=False)
    limited = preview_listings(store, [listing], cut, action="listing.add")
    assert "repeat_ip_infringer.sibling_stores" not in {r.rule_id for r in limited.rules}
    assert limited.subjects == 2  # the store and its operator
    assert not limited.needs_approval
    punish.add_listing(store, listing, cut)
    assert not punish.status(store, siblings[0], at=date(2024, 6, 1)).restricted
    assert punish.status(store, first, at=date(2024, 6, 1)).restricted
