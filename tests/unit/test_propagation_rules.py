"""Rules files: the default file loads, and malformed files are refused naming file and key."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from algorithms.propagation.rules import (
    DEFAULT_RULES_PATH,
    MAX_HOPS,
    Condition,
    default_rules,
    load_rules,
    parse_rules,
)
from graph.errors import RuleError

RAW: dict[str, Any] = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))


def _first_rule(d: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = d["list_types"][0]["propagation"][0]
    return rule


def test_default_rules_load_with_a_legal_basis_everywhere() -> None:
    rules = default_rules()
    assert {lt.id for lt in rules.list_types} == {
        "serious_dishonesty",
        "abnormal_operation",
        "judgment_defaulter",
        "online_serious_violation",
        "repeat_ip_infringer",
    }
    assert all(m.legal_basis for m in rules.measures)
    assert all(r.legal_basis and r.max_hops <= MAX_HOPS for r in rules.rule_by_id.values())
    assert (
        "《关于对失信被执行人实施联合惩戒的合作备忘录》(发改财金〔2016〕141号)" in rules.legal_bases
    )


BREAKAGES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "no hop limit",
        lambda d: _first_rule(d).pop("max_hops"),
        "propagation[serious_dishonesty.legal_representative].max_hops: Field required",
    ),
    (
        "hop limit above the cap",
        lambda d: _first_rule(d).update(max_hops=MAX_HOPS + 1),
        "propagation[serious_dishonesty.legal_representative].max_hops: 5 exceeds the limit of 4",
    ),
    (
        "unknown measure",
        lambda d: d["list_types"][2]["measures"].append("public_shaming"),
        "list_types[judgment_defaulter].measures: unknown measure 'public_shaming'",
    ),
    (
        "unknown role",
        lambda d: _first_rule(d).update(follow=[{"role": "cousin"}]),
        "follow[0].role: unknown role 'cousin'",
    ),
    (
        "unknown relationship type",
        lambda d: _first_rule(d).update(follow=[{"rel_type": "FRIEND_OF", "direction": "in"}]),
        "follow[0].rel_type: unknown relationship type 'FRIEND_OF'",
    ),
    (
        "condition on a missing property",
        lambda d: _first_rule(d).update(
            follow=[
                {
                    "role": "legal_representative",
                    "where": [{"prop": "weight", "op": ">", "value": 1}],
                }
            ]
        ),
        "follow[0].where[0].prop: LEGAL_REPRESENTATIVE_OF has no property 'weight'",
    ),
    (
        "step without a direction",
        lambda d: _first_rule(d).update(follow=[{"rel_type": "OPERATES"}]),
        "follow[0]: a step needs a role, or a rel_type and a direction",
    ),
    (
        "measure that cannot bind the targets",
        lambda d: _first_rule(d).update(measures=["promotion_ban"]),
        "measures: 'promotion_ban' binds none of the rule's targets",
    ),
    (
        "typo in a key",
        lambda d: _first_rule(d).update(max_hop=1),
        "legal_representative].max_hop: Extra inputs are not permitted",
    ),
    (
        "measure without legal basis",
        lambda d: d["measures"][0].update(legal_basis=[]),
        "measures[credit_publicity].legal_basis: Tuple should have at least 1 item",
    ),
    (
        "duplicate rule id",
        lambda d: d["list_types"][0]["propagation"].append(copy.deepcopy(_first_rule(d))),
        "serious_dishonesty.legal_representative].id: duplicate rule id",
    ),
    (
        "rule id outside its list",
        lambda d: _first_rule(d).update(id="other.rule"),
        "a rule id must start with its list type",
    ),
    (
        "unknown edge timing",
        lambda d: _first_rule(d).update(edge_time="sometimes"),
        "edge_time: Input should be 'in_force', 'at_decision' or 'any'",
    ),
]


@pytest.mark.parametrize(("what", "breaks", "message"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_broken_rules_are_refused_naming_file_and_key(
    tmp_path: Path, what: str, breaks: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = copy.deepcopy(RAW)
    breaks(data)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value), what


def test_unreadable_and_invalid_yaml_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="cannot read the rules file"):
        load_rules(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: [unclosed\n", encoding="utf-8")
    with pytest.raises(RuleError, match="bad.yaml: not valid YAML"):
        load_rules(bad)
    with pytest.raises(RuleError, match=r"x.yaml: \(top level\): a rules file must be a mapping"):
        parse_rules(["not", "a", "mapping"], source="x.yaml")


@pytest.mark.parametrize(
    ("op", "value", "edge_value", "holds"),
    [
        (">=", 0.5, 0.5, True),
        (">=", 0.5, 0.49, False),
        (">=", 0.5, None, False),
        ("!=", True, None, True),
        ("==", True, True, True),
        (">", 0.5, "x", False),
    ],
)
def test_condition_semantics(op: str, value: float | bool, edge_value: Any, holds: bool) -> None:
    assert Condition(prop="share", op=op, value=value).holds(edge_value) is holds


def test_reach_limits_cite_their_legal_basis_and_name_the_rules_they_cut() -> None:
    rules = default_rules()
    by_id = rules.list_type_by_id
    online = by_id["online_serious_violation"].reach
    assert (online.other_stores, online.approval_above) == (False, 50)
    assert any("过罚相当" in basis for basis in online.legal_basis)
    assert by_id["abnormal_operation"].reach.approval_above is None  # the settings decide
    cut = [r.id for lt in rules.list_types for r in lt.propagation if rules.reaches_other_stores(r)]
    assert cut == ["repeat_ip_infringer.sibling_stores"]
    bad = copy.deepcopy(RAW)
    bad["list_types"][0]["reach"] = {"approval_above": 5}
    with pytest.raises(RuleError, match=r"list_types\[serious_dishonesty\]\.reach\.legal_basis"):
        parse_rules(bad, source="x.yaml")
    zero = copy.deepcopy(RAW)
    zero["list_types"][0]["reach"]["approval_above"] = 0
    with pytest.raises(RuleError, match=r"reach\.approval_above"):
        parse_rules(zero, source="x.yaml")
