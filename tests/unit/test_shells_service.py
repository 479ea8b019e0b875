"""How a detection run decides that a cluster continues a stored one (no I/O)."""

from __future__ import annotations

from algorithms.shells.core import ShellCluster
from algorithms.shells.service import _match_previous, member_rid, shell_uid


def _cluster(*members: str) -> ShellCluster:
    return ShellCluster(
        id="x",
        members=members,
        mean_jaccard=(0.5,) * len(members),
        score=0.5,
        reasons=(),
        shared={},
        n_links=len(members) - 1,
    )


def test_a_cluster_continues_the_stored_one_holding_a_majority_both_ways() -> None:
    previous = {"shell:old": {"a", "b", "c", "d"}}
    assert _match_previous([_cluster("a", "b", "c")], previous) == {0: "shell:old"}
    assert _match_previous([_cluster("a", "b", "c", "d", "e")], previous) == {0: "shell:old"}


def test_half_is_not_a_majority() -> None:
    previous = {"shell:old": {"a", "b", "c", "d"}}
    assert _match_previous([_cluster("a", "b")], previous) == {}
    assert _match_previous([_cluster("a", "b", "x", "y", "z")], previous) == {}


def test_a_stored_cluster_is_continued_once_by_the_largest_overlap() -> None:
    previous = {"shell:old": {"a", "b", "c"}}
    found = [_cluster("a", "b", "x"), _cluster("a", "b", "c", "y")]
    # Both hold a majority of old's members only if they share two or more; the larger
    # overlap (three members) wins and the other cluster gets a new id.
    assert _match_previous(found, previous) == {1: "shell:old"}


def test_split_and_merge() -> None:
    previous = {"shell:p": {"a", "b", "c"}, "shell:q": {"d", "e", "f"}}
    merged = [_cluster("a", "b", "c", "d", "e", "f")]
    assert _match_previous(merged, previous) == {}
    split = [_cluster("a", "b"), _cluster("c", "x", "y")]
    assert _match_previous(split, previous) == {0: "shell:p"}


def test_ids() -> None:
    assert shell_uid("abc") == "shell:abc"
    assert shell_uid("shell:abc") == "shell:abc"
    assert member_rid("biz:1", "shell:abc") == "MEMBER_OF:biz:1->shell:abc"
