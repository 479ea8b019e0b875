"""The network view at scale, as an investigator reads it (see conftest for the market).

A hub operator's stores collapse into one group node that opens a page at a time while the
people behind it stay drawn; listings and restrictions are badges, not nodes; nodes can be
hidden, pinned and folded and every step undone; a date turns the network back; ownership
can be laid out as a tree; the graph is also a keyboard-operable list; one route found
several times is shown once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.browser.conftest import Market, shot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _cy(page: Page, script: str, arg: Any = None) -> Any:
    """The value of ``script`` (with ``cy`` and ``arg`` in scope), which must be plain data.

    Never a cytoscape element, collection or the core: Playwright serialises a returned
    object by walking everything reachable from it (the core, its renderer and caches), which
    took Chromium's heap to ~3 GB around a 57-node graph and crashed the renderer."""
    return page.evaluate(
        f"""arg => {{
          const cy = window.__credgraphCy;
          const value = {script};
          if (value && typeof value === "object" && typeof value.cy === "function")
            throw new Error("_cy: the script returned a cytoscape object, not data");
          return value;
        }}""",
        arg,
    )


def _tap(page: Page, uid: str) -> None:
    """Tap (select) a node as the mouse would, returning nothing to Python."""
    page.evaluate("uid => { window.__credgraphCy.getElementById(uid).emit('tap'); }", uid)


def _open(page: Page, market: Market, uid: str) -> None:
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/network/{uid}")
    page.wait_for_selector("#expand-node")
    page.wait_for_function("() => window.__credgraphCy.nodes('[?expanded]').length === 1")


def _stores_of(market: Market, uid: str) -> int:
    grown = httpx.get(
        f"{market.base}/console/api/entities/{uid}/expand",
        headers={"X-API-Key": market.officer},
    ).json()
    return sum(
        b["count"]
        for b in grown["buckets"]
        if (b["type"], b["direction"], b["label"]) == ("OPERATES", "out", "Store")
    )


def test_a_hub_shows_its_people_and_one_group_node_for_its_stores(
    page: Page, market: Market
) -> None:
    stores = _stores_of(market, market.hub_uid)
    assert stores > 50, "the generated market's largest operator should be a hub"
    _open(page, market, market.hub_uid)

    groups = _cy(page, "cy.nodes('[?group]').map(n => n.data('display'))")
    assert groups == [f"{stores:,} 个网店"]
    # the people behind the operator are drawn, not crowded out by its stores
    labels = _cy(page, "cy.nodes('[!group]').map(n => n.data('label'))")
    assert "Person" in labels
    assert labels.count("Store") == 0
    assert "网店" in page.inner_text("#net-legend")
    shot(page, "30-network-hub-grouped")

    # double-click (or the side panel) opens one page of the group
    group_id = _cy(page, "cy.nodes('[?group]')[0].id()")
    _tap(page, group_id)
    page.click("#open-group")
    page.wait_for_function(
        "() => window.__credgraphCy.nodes('[label = \"Store\"][!group]').length === 50"
    )
    left = _cy(page, "cy.getElementById(arg).data('display')", group_id)
    assert left == f"{stores - 50:,} 个网店"
    shot(page, "31-network-group-opened")

    # undo puts the stores back in the group
    page.click("#net-undo")
    page.wait_for_function(
        "() => window.__credgraphCy.nodes('[label = \"Store\"][!group]').length === 0"
    )
    assert _cy(page, "cy.getElementById(arg).data('display')", group_id) == f"{stores:,} 个网店"


def test_restrictions_and_listings_are_badges_unless_asked_for(page: Page, market: Market) -> None:
    _open(page, market, market.derived_uid)
    labels = set(_cy(page, "cy.nodes('[!group]').map(n => n.data('label'))"))
    assert labels.isdisjoint({"Listing", "Restriction"})
    centre = _cy(page, "cy.getElementById(arg).data('display')", market.derived_uid)
    assert "受限" in centre
    # the side panel names the measures, not their ids
    measures = page.inner_text("#selected-measures")
    assert market.derived_measure not in measures

    page.check("#show-Restriction")
    page.wait_for_function(
        "() => window.__credgraphCy.nodes('[label = \"Restriction\"]').length >= 1"
    )


def test_expand_by_type_two_hops_hide_pin_and_undo(page: Page, market: Market) -> None:
    _open(page, market, market.hub_uid)
    _tap(page, market.hub_uid)
    by_type = page.locator("#by-type button")
    texts = by_type.all_inner_texts()
    assert any("经营" in x and "网店" in x for x in texts)

    # expand the stores by type: one page of them, the rest stays a group (and is selected)
    by_type.filter(has_text="网店").first.click()
    page.wait_for_selector("#net-status:has-text('收在分组中')")
    assert _cy(page, "cy.nodes('[label = \"Store\"][!group]').length") == 50

    # hide a store, then undo: it comes back, and selecting it afterwards works
    store = _cy(page, "cy.nodes('[label = \"Store\"][!group]')[0].id()")
    _tap(page, store)
    page.click("#hide-node")
    assert _cy(page, "cy.getElementById(arg).empty()", store) is True
    page.click("#net-undo")
    page.wait_for_function("id => window.__credgraphCy.getElementById(id).nonempty()", arg=store)

    # pin keeps a node where it is through a new layout
    _tap(page, store)
    name = _cy(page, "cy.getElementById(arg).data('base')", store)
    assert page.inner_text("#selected-name") == name
    page.click("#pin-node")
    before = _cy(page, "cy.getElementById(arg).position()", store)
    page.select_option("#net-layout", "tree")
    after = _cy(page, "cy.getElementById(arg).position()", store)
    assert before == after

    # folding the hub's leaves puts the opened stores back into one group
    _tap(page, market.hub_uid)
    page.click("#fold-leaves")
    assert _cy(page, "cy.nodes('[label = \"Store\"][!group]').length") <= 1  # the pinned one stays

    # two hops: the people around the hub are expanded as well
    _tap(page, market.hub_uid)
    page.click("#expand-two")
    page.wait_for_selector("#net-status:has-text('两跳')")
    assert _cy(page, "cy.nodes('[?expanded]').length") > 1
    shot(page, "32-network-two-hops")

    # undoing the two hops leaves the hub the only expanded node, and it can be selected
    page.click("#net-undo")
    page.wait_for_function("() => window.__credgraphCy.nodes('[?expanded]').length === 1")
    _tap(page, market.hub_uid)
    page.wait_for_selector("#expand-two")


def test_once_the_view_is_narrowed_types_seen_later_arrive_unticked_and_marked_new(
    page: Page, market: Market
) -> None:
    _open(page, market, market.derived_uid)
    filter_types = "Array.from(document.querySelectorAll('#rel-filter input'))"
    ticks = f"Object.fromEntries({filter_types}.map(i => [i.value, i.checked]))"
    first = page.evaluate(f"() => {ticks}")
    assert first
    assert all(first.values())
    off = sorted(first)[0]
    page.uncheck(f"#rel-filter input[value='{off}']")

    # a neighbour whose expansion brings a relationship type not drawn yet, found from the
    # API the page itself asks
    neighbours = _cy(
        page,
        "cy.getElementById(arg).neighborhood('node').filter(n => !n.data('group')"
        " && ['Business', 'Person', 'Store'].includes(n.data('label'))).map(n => n.id())",
        market.derived_uid,
    )
    target, new_type = "", ""
    for candidate in sorted(neighbours):
        grown = httpx.get(
            f"{market.base}/console/api/entities/{candidate}/expand",
            params={"group_at": 12, "hide": ["Listing", "Restriction"]},
            headers={"X-API-Key": market.officer},
        ).json()
        unseen = sorted({e["type"] for e in grown["edges"]} - set(first))
        if unseen:
            target, new_type = candidate, unseen[0]
            break
    assert target, "no neighbour of the restricted business brings a new relationship type"
    _tap(page, target)
    page.click("#expand-node")
    page.wait_for_selector(f"#rel-filter input[value='{new_type}']")

    after = page.evaluate(f"() => {ticks}")
    assert after[new_type] is False  # the view was narrowed: a new type does not widen it
    assert after[off] is False  # the officer's choice survives the expansion
    assert all(after[t] for t in first if t != off)  # the others stay as they were
    shown = "cy.edges().filter(e => e.data('type') === arg && e.visible()).length"
    assert _cy(page, shown, new_type) == 0
    assert _cy(page, shown, off) == 0
    mark = f"#rel-filter label:has(input[value='{new_type}']) .new-type"
    assert page.inner_text(mark) == "新"
    assert "新出现的类型默认不勾选" in page.inner_text("#rel-filter-title")

    # ticking it draws it and takes the mark away
    page.check(f"#rel-filter input[value='{new_type}']")
    assert _cy(page, shown, new_type) > 0
    assert page.locator(mark).count() == 0


def test_the_network_on_a_past_date(page: Page, market: Market) -> None:
    _open(page, market, market.derived_uid)
    today_count = _cy(page, "cy.nodes().length")
    today_edges = _cy(page, "cy.edges().length")
    page.fill("#net-at", "1990-01-01")
    page.dispatch_event("#net-at", "change")
    page.wait_for_selector("#net-status:has-text('1990-01-01')")
    # nothing in the generated market existed in 1990: no dated relationship (roles,
    # holdings, stores) and no restriction; undated ones (addresses, phones) stay
    dated = _cy(page, "cy.edges().filter(e => e.data('since') || e.data('until')).length")
    assert dated == 0
    assert _cy(page, "cy.edges().length") < today_edges
    assert _cy(page, "cy.getElementById(arg).hasClass('restricted')", market.derived_uid) is False
    assert today_count > 1
    shot(page, "33-network-1990")


def test_ownership_as_a_tree(page: Page, market: Market) -> None:
    _open(page, market, market.hub_uid)
    page.select_option("#net-layout", "tree")
    # dagre lays relationships out top-down: every edge's source above its target
    rows = _cy(
        page,
        "cy.edges(':visible').map(e => [e.source().position('y'), e.target().position('y')])",
    )
    assert rows
    assert all(src < dst for src, dst in rows)
    shot(page, "34-network-tree")


def test_the_graph_as_a_list_for_the_keyboard(page: Page, market: Market) -> None:
    _open(page, market, market.derived_uid)
    page.click("#net-list-toggle")
    rows = page.locator("#net-list-table tbody tr")
    rows.first.wait_for()
    assert rows.count() == _cy(page, "cy.nodes(':visible').length")
    # a person (or business) row can be expanded from the keyboard
    row = page.locator("#net-list-table tbody tr", has_text="自然人").first
    uid = row.get_attribute("data-uid")
    row.locator("button").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "uid => window.__credgraphCy.getElementById(uid).data('expanded') === true", arg=uid
    )
    shot(page, "35-network-list-view")


def test_one_route_found_several_times_is_shown_once(page: Page, market: Market) -> None:
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/network")
    page.wait_for_selector("#path-form")
    merged = page.evaluate(
        """async () => {
          const { mergePaths } = await import('/console/static/js/views/network.js');
          const n = (uid) => ({ uid, label: 'Business', name: uid });
          const path = (rid, type) => ({ nodes: [n('biz:a'), n('addr:x'), n('biz:b')],
            edges: [{ rid: rid + '1', type, src: 'biz:a', dst: 'addr:x' },
                    { rid: rid + '2', type, src: 'biz:b', dst: 'addr:x' }] });
          const other = { nodes: [n('biz:a'), n('person:p'), n('biz:b')], edges: [] };
          return mergePaths([path('r', 'REGISTERED_AT'), path('s', 'SHIPS_FROM'), other])
            .map(r => [r.path.nodes.map(x => x.uid).join('>'), r.count]);
        }"""
    )
    assert merged == [["biz:a>addr:x>biz:b", 2], ["biz:a>person:p>biz:b", 1]]
