"""Which watches a change reaches (algorithms/alerts/core.py), as specifications."""

from __future__ import annotations

from algorithms.alerts.core import Change, Reach, Watch, reached_watches, severity
from graph.model import Edge

#   person:p --LEGAL_REPRESENTATIVE_OF--> biz:a, biz:b ; biz:b --OPERATES--> store:s
#   biz:a --REGISTERED_AT--> addr:x <--REGISTERED_AT-- biz:c   (not followed by default)
EDGES = [
    Edge("r1", "LEGAL_REPRESENTATIVE_OF", "person:p", "biz:a"),
    Edge("r2", "LEGAL_REPRESENTATIVE_OF", "person:p", "biz:b"),
    Edge("r3", "OPERATES", "biz:b", "store:s"),
    Edge("r4", "REGISTERED_AT", "biz:a", "addr:x"),
    Edge("r5", "REGISTERED_AT", "biz:c", "addr:x"),
]
LISTED_A = Change(9, "listing", "biz:a", "listing:1", "abnormal_operation", "m", "rule", "330106")


def _targets(reaches: list[Reach]) -> list[str]:
    return sorted(r.watch.target for r in reaches)


def test_a_watch_is_reached_within_its_hops_along_its_relationship_types_only() -> None:
    watches = [
        Watch(1, "k", "entity", "biz:b", hops=2),
        Watch(2, "k", "entity", "store:s", hops=2),  # three hops away
        Watch(3, "k", "entity", "store:s", hops=3),
        Watch(4, "k", "entity", "biz:c", hops=4),  # only through the shared address
        Watch(5, "k", "entity", "biz:c", hops=2, rel_types=("REGISTERED_AT",)),
    ]
    reached = reached_watches(LISTED_A, EDGES, watches)
    assert sorted(r.watch.id for r in reached) == [1, 3, 5]
    by_id = {r.watch.id: r for r in reached}
    assert by_id[3].path == ("biz:a", "person:p", "biz:b", "store:s")
    assert by_id[3].rel_types == ("LEGAL_REPRESENTATIVE_OF", "LEGAL_REPRESENTATIVE_OF", "OPERATES")
    assert by_id[5].path == ("biz:a", "addr:x", "biz:c")


def test_region_and_list_type_watches_match_the_change_itself() -> None:
    watches = [
        Watch(1, "k", "region", "3301"),
        Watch(2, "k", "region", "3302"),
        Watch(3, "k", "list_type", "abnormal_operation"),
        Watch(4, "k", "list_type", "serious_dishonesty"),
    ]
    assert sorted(r.watch.id for r in reached_watches(LISTED_A, EDGES, watches)) == [1, 3]


def test_severity_is_high_on_the_entity_or_for_serious_dishonesty_and_falls_with_distance() -> None:
    def reach(hops: int, list_type: str = "abnormal_operation") -> Reach:
        change = Change(1, "listing", "biz:a", "l", list_type, "m", "r")
        path = tuple(f"n{i}" for i in range(hops + 1))
        return Reach(Watch(1, "k", "entity", "x"), change, path, ("T",) * hops)

    assert [severity(reach(h)) for h in (0, 1, 2, 3)] == ["high", "medium", "low", "low"]
    assert severity(reach(3, "serious_dishonesty")) == "high"
