"""An upheld objection (异议) against one derived restriction lifts exactly that: the
listing's rule no longer binds that subject; other subjects, the subject's other listings
and later listings are untouched, history keeps what was in force, and every later
recomputation respects it (both stores)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from algorithms.propagation import service
from algorithms.propagation.engine import Listing
from graph.errors import InvalidInput, NotFound
from graph.store import GraphStore
from tests.contract.test_propagation_contract import T1, T2, T3, build

ON = date(2024, 3, 1)


def _listed(store: GraphStore) -> None:
    build(store)
    service.add_listing(
        store, Listing("listing:jd1", "biz:a", "judgment_defaulter", date(2024, 1, 10)), now=T1
    )
    service.add_listing(
        store,
        Listing(
            "listing:sd1",
            "biz:a",
            "serious_dishonesty",
            date(2024, 1, 15),
            expires=date(2027, 1, 15),
        ),
        now=T1,
    )


def _version(store: GraphStore, subject: str, listing_uid: str) -> str:
    found = [
        r.uid
        for r in service.status(store, subject, at=ON).restrictions
        if r.listing_uid == listing_uid
    ]
    assert len(found) == 1, found
    return found[0]


def test_an_upheld_restriction_objection_lifts_that_restriction_only(store: GraphStore) -> None:
    _listed(store)
    before = service.status(store, "person:rep", at=ON).measures
    assert before == ("high_consumption_ban", "honours_ban", "representative_ban")
    ctl_before = service.status(store, "person:ctl", at=ON).measures

    objected = _version(store, "person:rep", "listing:jd1")
    report = service.exclude_subject(store, objected, 7, date(2024, 6, 1), now=T2)
    assert (report.lifted, report.imposed, report.amended) == (1, 0, 0)

    # the judgment-defaulter listing no longer binds the representative; the other
    # listing still does, and the controller is untouched
    assert service.status(store, "person:rep", at=ON).measures == (
        "honours_ban",
        "representative_ban",
    )
    assert service.status(store, "person:ctl", at=ON).measures == ctl_before
    # history: as known before the decision, it was in force
    assert service.status(store, "person:rep", at=ON, known_at=T1).measures == before

    # a full recomputation respects it, and carrying the decision out again changes nothing
    full = service.propagate_store(store, full=True, now=T3)
    assert (full.imposed, full.lifted, full.amended) == (0, 0, 0)
    again = service.exclude_subject(store, objected, 7, date(2024, 6, 1), now=T3)
    assert (again.imposed, again.lifted, again.amended) == (0, 0, 0)


def test_a_later_listing_still_binds_the_subject(store: GraphStore) -> None:
    _listed(store)
    service.exclude_subject(
        store, _version(store, "person:rep", "listing:jd1"), 7, date(2024, 6, 1), now=T2
    )
    service.add_listing(
        store,
        Listing("listing:jd2", "biz:a", "judgment_defaulter", date(2024, 2, 1)),
        now=datetime(2024, 6, 2, 9, 0, 0),
    )
    rep = service.status(store, "person:rep", at=ON).restrictions
    assert {(r.listing_uid, r.measure) for r in rep if r.measure == "high_consumption_ban"} == {
        ("listing:jd2", "high_consumption_ban")
    }


def test_the_listed_subjects_own_restriction_and_an_unknown_one_are_refused(
    store: GraphStore,
) -> None:
    _listed(store)
    own = next(
        r.uid
        for r in service.status(store, "biz:a", at=ON).restrictions
        if r.listing_uid == "listing:jd1"
    )
    with pytest.raises(InvalidInput) as refused:
        service.exclude_subject(store, own, 7, ON, now=T2)
    assert refused.value.field == "target"
    with pytest.raises(NotFound):
        service.exclude_subject(store, "restriction:none", 7, ON, now=T2)
