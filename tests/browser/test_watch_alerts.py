"""The alert inbox in real Chromium: an officer watches a business from its page, a store
it operates is listed, the alert appears in the inbox with the path in words, and the
officer acknowledges, assigns and closes it.

It lists a store of the market's hub business, so it runs last among the browser tests
(the file name sorts after the others, which read the market as generated).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.browser.conftest import Market, shot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _a_store_of(market: Market, operator: str) -> dict[str, Any]:
    headers = {"X-API-Key": market.officer}
    network = httpx.get(
        f"{market.base}/v1/entities/{operator}/network",
        params={"hops": 1, "types": "OPERATES", "max_nodes": 50},
        headers=headers,
    ).json()
    stores = sorted(
        (n for n in network["nodes"] if n["label"] == "Store"), key=lambda n: str(n["uid"])
    )
    assert stores, "the hub operates stores"
    first: dict[str, Any] = stores[0]
    return first


def test_a_watched_business_alerts_the_inbox_and_the_officer_handles_it(
    page: Page, market: Market
) -> None:
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/entity/{market.hub_uid}")
    page.click("#watch-entity")
    page.wait_for_selector("#watch-entity:has-text('已关注')")
    hub_name = page.inner_text("#entity-name")

    store = _a_store_of(market, market.hub_uid)
    props = store["props"]
    listed = httpx.post(
        f"{market.base}/v1/listings",
        json={
            "listing_id": "BROWSER-ALERT-1",
            "kind": "store",
            "id": f"{props['platform']}:{props['shop_id']}",
            "list_type": "online_serious_violation",
            "decided": "2025-01-10",
        },
        headers={"X-API-Key": market.officer},
    )
    assert listed.status_code == 201, listed.text

    page.goto(f"{market.base}/console/#/alerts")
    page.wait_for_selector("#alerts-list table, #alerts-empty")
    page.click("#alerts-scan")  # the background scan may have been first; either way
    row = page.locator("#alerts-table tbody tr").filter(has_text=hub_name).first
    row.wait_for()
    text = row.inner_text()
    assert "经营" in text  # the path in words: the hub operates the listed store
    assert "网络交易严重违法失信" in text or "被列入" in text or "措施" in text
    assert "store:" not in text
    assert "biz:" not in text
    assert row.get_attribute("data-status") == "open"
    shot(page, "70-alert-inbox")
    alert_id = str(row.get_attribute("id"))

    page.click(f"#{alert_id} button[data-action=ack]")
    page.wait_for_selector(f"#{alert_id}[data-status=acknowledged]")
    page.fill(f"#{alert_id} input[name=assignee]", "王科长")
    page.click(f"#{alert_id} button[data-action=assign]")
    page.wait_for_selector(f"#{alert_id}[data-status=assigned]")
    assert "王科长" in page.inner_text(f"#{alert_id}")
    page.click(f"#{alert_id} button[data-action=close]")
    page.wait_for_selector(f"#{alert_id}[data-status=closed]")

    # The closed tab holds it; the open one no longer does.
    page.goto(f"{market.base}/console/#/alerts?status=closed")
    page.wait_for_selector(f"#{alert_id}")
    page.goto(f"{market.base}/console/#/alerts?status=open")
    page.wait_for_selector("#alerts-list table, #alerts-empty")
    assert page.locator(f"#{alert_id}").count() == 0

    # In English, from the same codes.
    page.click("#lang")
    page.goto(f"{market.base}/console/#/alerts?status=closed")
    page.wait_for_selector(f"#{alert_id}")
    english = page.inner_text(f"#{alert_id}")
    assert "operates" in english
    assert "1 hop away" in english
    assert "closed" in english
    shot(page, "71-alert-inbox-en")
