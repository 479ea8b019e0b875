"""Objections (异议) as a workflow: filed, under review, decided by a named officer with a
written reason, by a deadline; what stays open is what marks a restriction disputed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from api.objections import ObjectionStore
from graph.errors import InvalidInput, NotFound


@pytest.fixture
def objections(tmp_path: Path) -> Iterator[ObjectionStore]:
    store = ObjectionStore(tmp_path / "api.sqlite3", review_days=15)
    yield store
    store.close()


def _file(objections: ObjectionStore, kind: str = "link", target: str = "rel:42") -> int:
    return objections.file(
        target_kind=kind,
        target=target,
        subject="business:91330106MA2AAAAA4E",
        filed_by="officer:王芳",
        filed_via="cli",
        grounds="that shareholding ended in 2021",
        on=date(2025, 3, 1),
    ).id


def test_a_filed_objection_has_a_deadline_from_the_settings(objections: ObjectionStore) -> None:
    o = objections.get(_file(objections))
    assert (o.status, o.filed, o.deadline) == ("filed", "2025-03-01", "2025-03-16")
    assert o.open
    assert not o.overdue(date(2025, 3, 16))
    assert o.overdue(date(2025, 3, 17))


def test_it_moves_from_filed_to_review_to_a_decision_with_officer_and_reason(
    objections: ObjectionStore,
) -> None:
    oid = _file(objections)
    assert objections.review(oid, "李明").status == "under_review"
    decided = objections.decide(
        oid,
        "upheld",
        officer="王芳",
        reason="工商变更登记 2021-06",
        scope="rule",
        scope_value="shareholder_majority",
        on=date(2025, 3, 10),
    )
    assert (decided.status, decided.decided_by, decided.decided) == ("upheld", "王芳", "2025-03-10")
    assert (decided.scope, decided.scope_value, decided.reviewer) == (
        "rule",
        "shareholder_majority",
        "李明",
    )
    assert not decided.open


def test_a_decision_needs_an_officer_a_reason_and_an_open_objection(
    objections: ObjectionStore,
) -> None:
    oid = _file(objections)
    with pytest.raises(InvalidInput, match="reason"):
        objections.decide(oid, "rejected", officer="王芳", reason=" ")
    with pytest.raises(InvalidInput, match="officer"):
        objections.decide(oid, "rejected", officer="", reason="no grounds")
    with pytest.raises(InvalidInput, match="outcome"):
        objections.decide(oid, "maybe", officer="王芳", reason="no grounds")
    objections.decide(oid, "rejected", officer="王芳", reason="no grounds")
    with pytest.raises(InvalidInput, match="already decided"):
        objections.decide(oid, "upheld", officer="王芳", reason="changed my mind")
    with pytest.raises(InvalidInput, match="not filed"):
        objections.review(oid, "李明")
    with pytest.raises(NotFound):
        objections.get(999)


def test_a_scoped_link_decision_names_what_it_is_scoped_to(objections: ObjectionStore) -> None:
    oid = _file(objections)
    with pytest.raises(InvalidInput, match="scope listing needs"):
        objections.decide(oid, "upheld", officer="王芳", reason="r", scope="listing")
    with pytest.raises(InvalidInput, match="scope must be"):
        objections.decide(oid, "upheld", officer="王芳", reason="r", scope="region")
    whole = objections.decide(oid, "partly_upheld", officer="王芳", reason="r")
    assert (whole.scope, whole.scope_value) == ("all", None)


def test_only_open_objections_mark_their_targets_disputed(objections: ObjectionStore) -> None:
    first = _file(objections, target="rel:1")
    second = _file(objections, kind="listing", target="listing:ZJ-2024-0002")
    _file(objections, target="rel:1")
    objections.decide(first, "rejected", officer="王芳", reason="no grounds")
    assert objections.open_targets() == {"rel:1": [3], "listing:ZJ-2024-0002": [second]}
    assert [o.id for o in objections.find(target="rel:1")] == [3, 1]
    assert [o.id for o in objections.find(status="rejected")] == [first]


def test_unknown_kinds_and_empty_grounds_are_refused(objections: ObjectionStore) -> None:
    with pytest.raises(InvalidInput, match="target_kind"):
        _file(objections, kind="person")
    with pytest.raises(InvalidInput, match="grounds"):
        objections.file(
            target_kind="listing",
            target="listing:X",
            subject="s",
            filed_by="o",
            filed_via="cli",
            grounds="",
        )
