"""The officer console in real headless Chromium, against a real server (see conftest).

An officer signs in, searches, opens an entity and reads why it is restricted, grows the
network around it and asks how two entities connect, confirms a brushing ring and sees
the restriction it caused, and previews a listing before applying it. Every page is
saved to ``artifacts/screenshots/`` for a person to look at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from tests.browser.conftest import Market, shot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _node_count(page: Page) -> int:
    count: int = page.evaluate("window.__credgraphCy.nodes().length")
    return count


def test_nothing_is_shown_without_a_key_and_a_platform_key_is_refused(
    page: Page, market: Market
) -> None:
    page.goto(f"{market.base}/console/")
    page.wait_for_selector("#signin")
    assert page.is_hidden("#topbar")
    assert page.locator("#search-q").count() == 0
    shot(page, "01-sign-in")

    sign_in(page, market, token=market.platform)
    page.wait_for_selector("#signin .error")
    assert "监管人员" in page.inner_text("#signin .error")
    assert page.is_hidden("#topbar")
    assert page.evaluate("sessionStorage.length") == 0
    shot(page, "01b-platform-key-refused")

    sign_in(page, market, token="cg_not-a-key")
    page.wait_for_selector("#signin .error")
    assert page.locator("#search-q").count() == 0

    # The console's reads need an officer key too.
    assert httpx.get(f"{market.base}/console/api/meta").status_code == 401
    headers = {"X-API-Key": market.platform}
    assert httpx.get(f"{market.base}/console/api/me", headers=headers).status_code == 403


def test_search_entity_and_explanation(page: Page, market: Market) -> None:
    sign_in(page, market)
    # A fuzzy query: the name without its last characters still finds the business.
    page.fill("#search-q", market.derived_name[:-2])
    page.press("#search-q", "Enter")
    hit = page.locator(f'.result[data-uid="{market.derived_uid}"]')
    hit.wait_for()
    shot(page, "02-search")

    hit.locator("a.entity-link").click()
    page.wait_for_selector("#entity-name")
    assert page.inner_text("#entity-name") == market.derived_name
    measure = page.locator(f'#restrictions .measure[data-measures~="{market.derived_measure}"]')
    measure.first.wait_for()
    chain = measure.first.locator(".chain")
    assert chain.count() >= 1
    # The explanation path runs from the listed entity to this one.
    assert chain.first.locator(".node.listed").count() == 1
    assert chain.first.locator(".node.subject").count() == 1
    assert "法律依据" in measure.first.inner_text()
    shot(page, "03-entity-explanation")


def test_network_expand_filter_and_paths(page: Page, market: Market) -> None:
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/network/{market.derived_uid}")
    page.wait_for_selector("#expand-node")
    page.wait_for_function("() => window.__credgraphCy.nodes('[?expanded]').length === 1")
    before = _node_count(page)
    assert 1 < before <= market.degree  # the centre and its one-hop neighbourhood, nothing more
    shot(page, "04-network")

    # Expand a neighbour of the centre (a business, person or store) that has a neighbour
    # of its own not yet drawn: that node, named beforehand from the API (the console's own
    # grouped expansion, as the page asks it), must appear.
    shown = set(page.evaluate("window.__credgraphCy.nodes().map(n => n.id())"))
    neighbours: list[str] = page.evaluate(
        """uid => window.__credgraphCy.getElementById(uid).neighborhood('node')
              .filter(n => ['Business', 'Person', 'Store'].includes(n.data('label')))
              .map(n => n.id())""",
        market.derived_uid,
    )
    assert neighbours, "the centre has no business, person or store neighbour"
    headers = {"X-API-Key": market.officer}
    target, new_node = "", ""
    for candidate in sorted(neighbours):
        net = httpx.get(
            f"{market.base}/console/api/entities/{candidate}/expand",
            params={"group_at": 12, "hide": ["Listing", "Restriction"]},
            headers=headers,
        ).json()
        unseen = sorted({n["uid"] for n in net["nodes"]} - shown)
        if unseen:
            target, new_node = candidate, unseen[0]
            break
    assert target, "no neighbour of the centre leads anywhere new"
    page.evaluate("uid => { window.__credgraphCy.getElementById(uid).emit('tap'); }", target)
    page.wait_for_selector("#selected-name")
    page.click("#expand-node")
    page.wait_for_function(
        "uid => window.__credgraphCy.getElementById(uid).data('expanded') === true", arg=target
    )
    after = set(page.evaluate("window.__credgraphCy.nodes().map(n => n.id())"))
    assert new_node in after
    assert shown <= after  # expanding adds, it never takes away
    assert len(after) <= 1500
    shot(page, "05-network-expanded")

    # Filter: hiding a relationship type hides its edges.
    first_type = page.locator("#rel-filter input").first
    rel_type = first_type.get_attribute("value")
    first_type.uncheck()
    page.wait_for_function(
        "t => window.__credgraphCy.edges().filter(e => e.data('type') === t && e.visible())"
        ".length === 0",
        arg=rel_type,
    )
    first_type.check()

    # The restricted centre is ringed and badged, whatever colour its kind has.
    centre = page.evaluate(
        "uid => { const n = window.__credgraphCy.getElementById(uid);"
        " return [n.hasClass('restricted'), n.data('display')]; }",
        market.derived_uid,
    )
    assert centre[0] is True
    assert "受限" in centre[1]
    shot(page, "06-network-restricted-ring")

    # How are these two connected? The centre and a node two hops away.
    page.fill("#path-b", target)
    page.click("#path-form button[type=submit]")
    page.wait_for_selector("#path-results .chain")
    assert market.derived_uid in page.inner_html("#path-results")
    # the restricted centre carries its 受限 badge on the chain too
    assert page.locator("#path-results .chain .badge").count() >= 1
    shot(page, "07-path-finder")

    # Click through from the graph to the entity page.
    page.evaluate("uid => { window.__credgraphCy.getElementById(uid).emit('tap'); }", target)
    page.click("#open-entity")
    page.wait_for_selector("#entity-name")


def test_confirm_a_ring_and_see_the_restriction_it_caused(page: Page, market: Market) -> None:
    sign_in(page, market)
    page.click("#nav a[href='#/review/rings']")
    page.wait_for_selector("#queue-table")
    assert page.locator("#queue-table tbody tr").count() >= 1
    shot(page, "08-review-rings")

    link = page.locator("#queue-table a.open-item").first
    ring_href = link.get_attribute("href")
    assert ring_href is not None
    link.click()
    page.wait_for_selector("#review-form")
    assert page.locator("#reasons li").count() >= 1
    assert page.locator("#ring-stores tbody tr").count() >= 1
    # every member's calibrated score, most suspicious first, with its reasons
    scores = page.locator("#member-scores tbody tr")
    assert scores.count() >= 1
    assert scores.first.locator("li").count() >= 1
    shot(page, "09-ring-evidence")

    page.click("#review-confirm")  # no reason yet: refused in the page
    page.wait_for_selector("#review-form .error")
    page.fill("#review-reason", "同一收货地址集中下单，空包发货，确认刷单")
    page.click("#review-confirm")
    # First a preview: per rule, the measures with counts and the subjects by name; nothing
    # is written until "确认执行".
    page.wait_for_selector("#confirm-preview")
    preview = page.inner_text("#confirm-preview")
    assert "执行前预览（尚未执行）" in preview
    assert "被列入网店的经营者" in preview or "被列入网络交易严重违法失信的主体本身" in preview
    assert "store:" not in preview
    assert "biz:" not in preview
    assert "个主体" in page.inner_text("#confirm-preview-counts")
    assert page.inner_text("#review-status .pill") == "待审核"
    shot(page, "10a-ring-confirm-preview")
    page.click("#review-apply")
    caused = page.locator("#caused-restrictions tbody tr")
    caused.first.wait_for()
    assert caused.count() >= 1
    # After applying, nothing on the page says it is still a preview or still to review.
    assert page.inner_text("#confirm-preview .preview-title") == "已执行"
    assert page.inner_text("#review-status .pill") == "已确认"
    outcome = page.inner_text("#confirm-outcome")
    assert "store:" not in outcome
    assert "biz:" not in outcome
    shot(page, "10-ring-confirmed")

    caused.first.locator("a.entity-link").click()
    page.wait_for_selector("#restrictions .measure")
    assert "网络交易严重违法失信" in page.inner_text("#restrictions")
    shot(page, "11-ring-restriction-on-entity")

    # The ring left the suspected queue and is in the confirmed one.
    page.goto(f"{market.base}/console/#/review/rings?status=suspected&offset=0")
    page.wait_for_selector("#queue-table, #queue p.muted:not(.loading)")
    assert page.locator(f'#queue a.open-item[href="{ring_href}"]').count() == 0
    page.goto(f"{market.base}/console/#/review/rings?status=confirmed&offset=0")
    page.wait_for_selector(f'#queue-table a.open-item[href="{ring_href}"]')
    shot(page, "11b-ring-in-confirmed-queue")


def test_approvals_tab_lists_what_waits_for_a_second_officer(page: Page, market: Market) -> None:
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/review/approvals")
    page.wait_for_selector("#approvals p.muted:not(.loading), #approvals article.approval")
    assert page.locator("#tab-approvals.active").count() == 1
    shot(page, "11c-approvals")


def test_listing_previewed_then_applied_then_repaired(page: Page, market: Market) -> None:
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/listings?kind=business&id={market.plain_uscc}")
    page.wait_for_selector("#add-form")
    page.select_option("#add-list-type", "serious_dishonesty")
    page.click("#add-preview")
    page.wait_for_selector("#preview-counts")
    assert page.is_enabled("#add-apply")
    imposed = page.locator("#add-result table tbody tr").count()
    assert imposed >= 1
    shot(page, "12-listing-preview")

    # Nothing was written by the preview.
    headers = {"X-API-Key": market.officer}
    uid = f"biz:{market.plain_uscc}"
    status = httpx.get(f"{market.base}/console/api/entities/{uid}/explanation", headers=headers)
    assert status.json()["restricted"] is False

    listing_id = page.input_value("#add-form input[name=listing_id]")
    page.click("#add-apply")
    page.wait_for_selector("#add-applied")
    status = httpx.get(f"{market.base}/console/api/entities/{uid}/explanation", headers=headers)
    assert status.json()["restricted"] is True
    shot(page, "13-listing-applied")

    page.goto(f"{market.base}/console/#/listings?listing=listing:{listing_id}&action=repair")
    page.wait_for_selector("#change-form")
    page.click("#change-preview")
    page.wait_for_selector("#preview-counts")
    assert "将新增 0 项" in page.inner_text("#preview-counts")
    shot(page, "14-repair-preview")

    # Applying the repair lifts the restriction from today (the repair date) on.
    page.click("#change-apply")
    page.wait_for_selector("#change-applied")
    status = httpx.get(f"{market.base}/console/api/entities/{uid}/explanation", headers=headers)
    assert status.json()["restricted"] is False
    shot(page, "14b-repair-applied")


def test_english_switch_and_shell_queue(page: Page, market: Market) -> None:
    sign_in(page, market)
    page.click("#lang")
    page.wait_for_function("document.querySelector('#nav a').textContent === 'Search'")
    page.goto(f"{market.base}/console/#/entity/{market.derived_uid}")
    page.wait_for_selector("#restrictions .measure")
    assert "Restrictions in force" in page.inner_text("#restrictions")
    shot(page, "15-entity-english")

    page.goto(f"{market.base}/console/#/review/shells")
    page.wait_for_selector("#queue-table")
    shot(page, "16-review-shells")
    page.locator("#queue-table a.open-item").first.click()
    page.wait_for_selector("#shell-members tbody tr")
    assert page.locator("#reasons li").count() >= 1
    shot(page, "17-shell-cluster")
    page.click("#lang")
    page.wait_for_function("document.querySelector('#nav a').textContent === '搜索'")


def test_a_business_page_lists_its_licences_and_their_standing(page: Page, market: Market) -> None:
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/entity/{market.licensed_uid}")
    page.wait_for_selector("#licences-table tbody tr")
    table = page.inner_text("#licences-table")
    assert market.licence_no in table
    standings = page.locator("#licences-table [data-standing]").all_inner_texts()
    assert standings
    assert set(standings) <= {"有效", "已过期", "已吊销", "已暂停", "尚未生效"}
    shot(page, "18-entity-licences")
