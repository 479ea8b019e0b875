"""Keyset pagination on both stores: every list that pages in the store walks from cursor to
cursor and yields every row exactly once, in order, with ties in the sort key; a cursor
that is not one the list issued is refused on the field ``cursor``.

The lists: brands (by uid), a brand's reports (filed, uid), shell clusters (score desc,
size desc, uid) and brushing rings (score desc, uid). Each holds 11 rows, paged by 3
(four pages), with repeated scores, sizes and filing days so that ties cross page ends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import pytest

from algorithms.brands import service as svc
from algorithms.brushing import service as rings
from algorithms.shells import service as shells_service
from graph.errors import InvalidInput
from graph.paging import encode_cursor
from graph.store import GraphStore

N, PAGE = 11, 3
OFFICER = svc.BrandScope.officer()
BRAND = "brand:P"

T = TypeVar("T")


def _walk(fetch: Callable[[str | None], tuple[list[T], str | None]]) -> tuple[list[T], int]:
    """Every item of a list, following ``next`` cursors; and how many pages it took."""
    items: list[T] = []
    cursor: str | None = None
    pages = 0
    while True:
        page, cursor = fetch(cursor)
        items.extend(page)
        pages += 1
        assert pages <= N, "the cursors never ended"
        if cursor is None:
            return items, pages


def _plant(store: GraphStore) -> None:
    store.upsert_nodes("Brand", [{"uid": f"brand:{i:02d}", "name": f"b{i}"} for i in range(N)])
    store.upsert_nodes("Brand", [{"uid": BRAND, "name": "paged"}])
    store.upsert_nodes("Store", [{"uid": "store:taobao:1", "platform": "taobao"}])
    store.upsert_nodes(
        "InfringementReport",
        [
            # three filing days for eleven reports: ties on `filed` cross every page end
            {"uid": f"report:{i:02d}", "status": "pending", "filed": date(2025, 3, 1 + i % 3)}
            for i in range(N)
        ],
    )
    for rel, dst in (("CONCERNS", BRAND), ("REPORTS", "store:taobao:1")):
        label = "Brand" if rel == "CONCERNS" else "Store"
        store.upsert_relationships(
            rel,
            "InfringementReport",
            label,
            [{"rid": f"{rel}:{i}", "src": f"report:{i:02d}", "dst": dst} for i in range(N)],
        )
    store.upsert_nodes(
        "ShellCluster",
        [
            {
                "uid": f"shell:{i:04x}",
                "cluster_id": f"{i:04x}",
                "score": (0.9, 0.5, 0.5, 0.1)[i % 4],
                "size": 2 + i % 2,
                "reasons": "[]",
                "shared": "{}",
                "status": "suspected",
            }
            for i in range(N)
        ],
    )
    store.upsert_nodes(
        "BrushingRing",
        [
            {
                "uid": f"ring:{i:016x}",
                "ring_id": f"{i:016x}",
                "score": (0.75, 0.25)[i % 2],
                "n_accounts": 3,
                "n_stores": 1,
                "reasons": "[]",
                "status": "suspected",
            }
            for i in range(N)
        ],
    )


def test_brands_page_by_uid_without_gaps_or_repeats(store: GraphStore) -> None:
    _plant(store)

    def fetch(cursor: str | None) -> tuple[list[str], str | None]:
        page = svc.list_brands(store, OFFICER, cursor, PAGE)
        return [b.uid for b in page.items], page.next

    uids, pages = _walk(fetch)
    assert uids == sorted([f"brand:{i:02d}" for i in range(N)] + [BRAND])
    assert pages == 4


def test_reports_page_in_filed_order_across_tied_days(store: GraphStore) -> None:
    _plant(store)

    def fetch(cursor: str | None) -> tuple[list[tuple[date | None, str]], str | None]:
        page = svc.list_reports(store, OFFICER, BRAND, cursor=cursor, limit=PAGE)
        assert page.has_more == (page.next is not None)
        return [(r.filed, r.uid) for r in page.items], page.next

    rows, pages = _walk(fetch)
    expected = sorted((date(2025, 3, 1 + i % 3), f"report:{i:02d}") for i in range(N))
    assert rows == expected
    assert pages == 4


def test_shell_clusters_page_by_score_then_size_then_uid(store: GraphStore) -> None:
    _plant(store)

    def fetch(cursor: str | None) -> tuple[list[str], str | None]:
        page = shells_service.list_clusters(store, limit=PAGE, cursor=cursor)
        assert page.total == N
        return [c.uid for c in page.items], page.next

    uids, pages = _walk(fetch)
    keyed = sorted((-(0.9, 0.5, 0.5, 0.1)[i % 4], -(2 + i % 2), f"shell:{i:04x}") for i in range(N))
    assert uids == [uid for *_, uid in keyed]
    assert pages == 4


def test_rings_page_by_score_then_uid(store: GraphStore) -> None:
    _plant(store)

    def fetch(cursor: str | None) -> tuple[list[str], str | None]:
        page = rings.list_rings(store, limit=PAGE, cursor=cursor)
        return [r.uid for r in page.items], page.next

    uids, pages = _walk(fetch)
    keyed = sorted((-(0.75, 0.25)[i % 2], f"ring:{i:016x}") for i in range(N))
    assert uids == [uid for _, uid in keyed]
    assert pages == 4


def test_a_page_that_ends_exactly_at_the_end_has_no_next(store: GraphStore) -> None:
    _plant(store)
    first = rings.list_rings(store, limit=N - 1)
    assert first.next is not None
    last = rings.list_rings(store, limit=1, cursor=first.next)
    assert len(last.items) == 1
    assert last.next is None


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "e30.AAAAAAAAAAA",  # base64url of {} with a made-up tag
        "WyJyaW5ncyIsMC41LCJyaW5nOjEiXQ.AAAAAAAAAAA",  # a ring key with a forged tag
    ],
)
def test_a_cursor_the_list_did_not_issue_is_invalid_input(store: GraphStore, cursor: str) -> None:
    _plant(store)
    with pytest.raises(InvalidInput) as caught:
        rings.list_rings(store, cursor=cursor)
    assert caught.value.field == "cursor"


def test_one_lists_cursor_is_refused_by_another(store: GraphStore) -> None:
    _plant(store)
    brands_next = svc.list_brands(store, OFFICER, None, PAGE).next
    assert brands_next is not None
    with pytest.raises(InvalidInput) as caught:
        shells_service.list_clusters(store, limit=PAGE, cursor=brands_next)
    assert caught.value.field == "cursor"


def test_a_cursor_past_every_row_is_an_empty_last_page(store: GraphStore) -> None:
    # where SKIP past the end crashed LadybugDB, a key past the end is simply no rows
    _plant(store)
    beyond = encode_cursor("rings", (-1.0, "ring:ffffffffffffffff"))
    page = rings.list_rings(store, limit=PAGE, cursor=beyond)
    assert (page.items, page.next) == ([], None)
    last_brand = encode_cursor("brands", ("brand:~",))
    assert svc.list_brands(store, OFFICER, last_brand, PAGE).items == []
