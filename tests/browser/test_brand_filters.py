"""An officer works through a brand's infringement links: only the stores nobody has
reported yet, one platform, evidence since a date; every entity on a path by name; a
repeat infringer's long lists folded behind "更多"."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from tests.browser.conftest import Market, shot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _brand_with_most_links(market: Market) -> tuple[str, list[str]]:
    headers = {"X-API-Key": market.officer}
    brands = httpx.get(f"{market.base}/v1/brands?limit=100", headers=headers).json()
    best: tuple[str, int, list[str]] = ("", 0, [])
    for brand in brands if isinstance(brands, list) else brands["items"]:
        page = httpx.get(
            f"{market.base}/console/api/brands/{brand['uid']}/links?limit=1", headers=headers
        ).json()
        if page["total"] > best[1]:
            best = (brand["uid"], page["total"], page["platforms"])
    assert best[1] > 0, "no brand in the generated market has infringement links"
    return best[0], best[2]


def test_links_filtered_to_unreported_stores_and_one_platform(page: Page, market: Market) -> None:
    brand, platforms = _brand_with_most_links(market)
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/brands/{brand}/links")
    page.wait_for_selector("#brand-links .link-item")
    everything = page.locator(".link-item").count()

    page.check("#links-unreported")
    page.wait_for_selector("#brand-links:not(:has(.loading))")
    page.wait_for_function("() => location.hash.includes('unreported=true')")
    page.wait_for_selector("#brand-links .link-item, #brand-links p.muted >> nth=0")
    assert page.locator(".link-item .pill:has-text('已被投诉')").count() == 0
    assert page.locator(".link-item").count() <= everything
    shot(page, "50-brand-links-unreported")

    page.select_option("#links-platform", platforms[0])
    page.wait_for_function("p => location.hash.includes('platform=' + p)", arg=platforms[0])
    page.wait_for_selector("#brand-links .link-item, #brand-links p.muted >> nth=0")
    heads = page.locator(".link-item .link-head").all_inner_texts()
    assert all(platforms[0] in x for x in heads)

    # a date after every report leaves nothing
    page.fill("#links-since", "2100-01-01")
    page.dispatch_event("#links-since", "change")
    page.wait_for_selector("#brand-links p.muted:has-text('暂无侵权关联')")


def test_every_entity_on_a_link_path_is_named_for_an_officer(page: Page, market: Market) -> None:
    brand, _ = _brand_with_most_links(market)
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/brands/{brand}/links")
    page.wait_for_selector("#brand-links .link-path")
    paths = " ".join(page.locator(".link-path").all_inner_texts())
    # no person shown as the start of a keyed hash, no business as a bare USCC
    assert "…" not in paths.replace("……", "")
    assert "自然人" in paths or "企业" in paths
