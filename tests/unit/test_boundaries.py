"""Behaviour exactly at the boundaries the rules name, where an off-by-one goes unnoticed.

Each test here was checked against the mutation it guards (see docs/testing.md): with the
comparison flipped (``>`` to ``>=``, ``<=`` to ``<``) the test fails.
"""

from __future__ import annotations

from datetime import date

import pytest

from algorithms.ownership import ControlParams, ControlRule, actual_controllers
from algorithms.propagation.engine import Listing, propagate
from algorithms.propagation.rules import default_rules
from graph.model import Projection

D = date.fromisoformat
#: The float tolerance the ownership rules allow; a share within it of 50% *is* 50%.
TOL = 1e-9


def _holdings(edges: list[tuple[str, str, float]]) -> Projection:
    uids = list(dict.fromkeys(u for a, b, _ in edges for u in (a, b)))
    return Projection.from_records(
        [(u, "Person" if u.startswith("person:") else "Business") for u in uids],
        [(f"h{i}", "SHAREHOLDER_OF", a, b) for i, (a, b, _) in enumerate(edges)],
        edge_props={"share": [s for _, _, s in edges]},
    )


@pytest.mark.parametrize(
    "half",
    [
        pytest.param([0.5], id="exactly-half"),
        # 0.1 + 0.2 + 0.2 == 0.5000000000000001 in floating point: still half.
        pytest.param([0.1, 0.2, 0.2], id="half-in-three-holdings"),
        # The largest value still read as "not more than half".
        pytest.param([0.5 + TOL], id="half-at-the-tolerance"),
    ],
)
def test_holding_exactly_half_is_not_majority_control(half: list[float]) -> None:
    # A holds half of T (B and C 20% each): not "more than 50%", so A is only T's largest
    # block (plurality, 30 points ahead) and plurality control does not carry A up to U,
    # which T holds 60% of: U's controller stays T.
    edges = [("person:a", "biz:t", s) for s in half]
    edges += [("person:b", "biz:t", 0.2), ("person:c", "biz:t", 0.2), ("biz:t", "biz:u", 0.6)]
    found = {f.business: f for f in actual_controllers(_holdings(edges), ControlParams())}
    assert (found["biz:t"].controller, found["biz:t"].rule) == ("person:a", ControlRule.PLURALITY)
    assert (found["biz:u"].controller, found["biz:u"].rule) == ("biz:t", ControlRule.MAJORITY)


def test_two_equal_halves_name_no_controller() -> None:
    edges = [("person:a", "biz:t", 0.5), ("person:b", "biz:t", 0.5)]
    assert actual_controllers(_holdings(edges)) == []


def test_just_over_half_is_majority_control_and_carries_up_the_chain() -> None:
    # The control case for the ones above: 50.1% is a majority, and A then controls U via T.
    edges = [
        ("person:a", "biz:t", 0.501),
        ("person:b", "biz:t", 0.2),
        ("biz:t", "biz:u", 0.6),
    ]
    found = {f.business: f for f in actual_controllers(_holdings(edges))}
    assert (found["biz:t"].controller, found["biz:t"].rule) == ("person:a", ControlRule.MAJORITY)
    assert (found["biz:u"].controller, found["biz:u"].path) == (
        "person:a",
        ("person:a", "biz:t", "biz:u"),
    )


def _operates(periods: list[tuple[str, str | None]]) -> Projection:
    return Projection.from_records(
        [("biz:a", "Business"), ("store:s", "Store")],
        [(f"o{i}", "OPERATES", "biz:a", "store:s") for i in range(len(periods))],
        edge_props={"since": [s for s, _ in periods], "until": [u for _, u in periods]},
    )


def _store_spans(periods: list[tuple[str, str | None]]) -> list[tuple[date, date | None]]:
    listing = Listing("listing:1", "biz:a", "abnormal_operation", D("2024-01-01"))
    out = propagate(_operates(periods), [listing], default_rules())
    return sorted((r.valid_from, r.valid_to) for r in out if r.subject_uid == "store:s")


def test_touching_validity_periods_are_joined_into_one_record() -> None:
    # Operated until 1 March (exclusive) and again from 1 March: no day without the edge.
    spans = _store_spans([("2024-01-01", "2024-03-01"), ("2024-03-01", None)])
    assert spans == [(D("2024-01-01"), None)]


def test_periods_one_day_apart_stay_separate() -> None:
    # The control case: 1 March itself is not covered, so there are two records.
    spans = _store_spans([("2024-01-01", "2024-03-01"), ("2024-03-02", None)])
    assert spans == [(D("2024-01-01"), D("2024-03-01")), (D("2024-03-02"), None)]
