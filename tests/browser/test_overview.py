"""The regional overview in real Chromium: counts by region drawn as bars, a region's bar
opens its months, a month's bar the entities behind the count, each a link to its page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from tests.browser.conftest import Market, shot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_the_overview_drills_down_from_regions_to_months_to_entities(
    page: Page, market: Market
) -> None:
    counts = httpx.get(
        f"{market.base}/v1/overview", params={"level": 4}, headers={"X-API-Key": market.officer}
    ).json()
    by_region: dict[str, int] = {}
    for cell in counts["cells"]:
        by_region[cell["region"]] = by_region.get(cell["region"], 0) + cell["counts"]["listings"]
    top = max(by_region, key=lambda r: (by_region[r], r))

    sign_in(page, market)
    page.goto(f"{market.base}/console/#/overview")
    page.wait_for_selector("#chart-regions a.bar")
    # One bar per region with listings, the largest first, labelled with its count.
    bars = page.locator("#chart-regions a.bar")
    assert bars.count() == sum(1 for n in by_region.values() if n)
    assert bars.first.get_attribute("data-key") == top
    assert str(by_region[top]) in str(bars.first.get_attribute("aria-label"))
    shot(page, "72-overview")

    bars.first.click()
    page.wait_for_selector("#chart-months a.bar")
    months = page.locator("#chart-months a.bar")
    month = str(months.first.get_attribute("data-key"))
    in_month = next(
        c["counts"]["listings"]
        for c in counts["cells"]
        if c["region"] == top and c["month"] == month
    )
    months.first.click()
    page.wait_for_selector("#overview-entity-list li")
    heading = page.inner_text("#overview-entities h2")
    assert top in heading
    assert month in heading
    links = page.locator("#overview-entity-list a.entity-link")
    assert 1 <= links.count() <= in_month  # a subject listed twice in a month is one entity
    shot(page, "73-overview-drill-down")

    # Another kind, from the form; then an entity's page from the list.
    page.select_option("#overview-kind", "restrictions")
    page.click("#overview-form button[type=submit]")
    page.wait_for_function("() => location.hash.includes('kind=restrictions')")
    page.wait_for_selector("#chart-regions a.bar")
    page.go_back()
    page.wait_for_selector("#overview-entity-list a.entity-link")
    page.locator("#overview-entity-list a.entity-link").first.click()
    page.wait_for_selector("#entity-name")
