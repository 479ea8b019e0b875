"""Every page, in Chinese and English: a title of its own, an h1, no serious accessibility
violation found by axe-core (vendored, run in the page), and usable on a 390 px phone.

Screenshots of each page in both languages go to ``artifacts/screenshots/`` (``40-`` on).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.browser.conftest import Market, shot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

#: Rule sets axe runs: WCAG 2.1 A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe(page: Page) -> list[dict[str, Any]]:
    """Serious and critical violations axe-core finds in the page as it stands."""
    page.add_script_tag(url="/console/static/vendor/axe.min.js")
    found: list[dict[str, Any]] = page.evaluate(
        """tags => axe.run({ runOnly: tags }).then(r => r.violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => ({ id: v.id, impact: v.impact,
                          nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) })))""",
        AXE_TAGS,
    )
    return found


def _routes(market: Market) -> list[tuple[str, str, str]]:
    """(name, route, selector shown when the page has loaded)."""
    headers = {"X-API-Key": market.officer}
    ring = httpx.get(f"{market.base}/v1/rings?limit=1", headers=headers).json()["items"][0]
    shell = httpx.get(f"{market.base}/v1/shells?limit=1", headers=headers).json()["items"][0]
    brands = httpx.get(f"{market.base}/v1/brands?limit=1", headers=headers).json()
    brand = (brands if isinstance(brands, list) else brands["items"])[0]
    return [
        ("search", f"#/search?q={market.derived_name[:4]}", "#search-results .result"),
        ("entity", f"#/entity/{market.derived_uid}", "#summary"),
        ("network", f"#/network/{market.derived_uid}", "#expand-node"),
        ("rings", "#/review/rings", "#queue-table"),
        ("ring", f"#/review/rings/{ring['uid']}", "#reasons li"),
        ("shells", "#/review/shells", "#queue-table"),
        ("shell", f"#/review/shells/{shell['uid']}", "#shell-members"),
        ("listings", f"#/listings?kind=business&id={market.plain_uscc}", "#add-form"),
        ("brands", "#/brands", "#brand-list table"),
        ("brand-links", f"#/brands/{brand['uid']}/links", "#brand-name"),
        ("alerts", "#/alerts", "#alerts-list table, #alerts-empty"),
        ("overview", _overview_route(market), "#overview-entity-list li"),
    ]


def _overview_route(market: Market) -> str:
    """The overview drilled down to the entities of the first cell with listings."""
    headers = {"X-API-Key": market.officer}
    cells = httpx.get(f"{market.base}/v1/overview", headers=headers).json()["cells"]
    cell = next(c for c in cells if c["counts"]["listings"])
    return f"#/overview?kind=listings&level=4&region={cell['region']}&month={cell['month']}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_has_its_title_an_h1_and_no_serious_violation(
    page: Page, market: Market, lang: str
) -> None:
    sign_in(page, market)
    if lang == "en":
        page.click("#lang")
        page.wait_for_function("() => document.documentElement.lang === 'en'")
    titles = set()
    problems = {}
    for i, (name, route, ready) in enumerate(_routes(market)):
        page.goto(f"{market.base}/console/{route}")
        page.wait_for_selector(ready)
        page.wait_for_function("() => !document.querySelector('.loading')")
        assert page.locator("h1").count() >= 1, f"{name} has no h1"
        titles.add(page.title())
        found = _axe(page)
        if found:
            problems[name] = found
        shot(page, f"4{i}-{name}-{lang}")
    assert not problems, problems
    # each kind of page says where the officer is (entity pages by the entity's name)
    assert len(titles) >= 7
    # nothing of the other language's words leaks into the page's title
    if lang == "zh":
        assert all("信用监管控制台" in t for t in titles)
    else:
        assert all("Credit supervision console" in t for t in titles)


def test_sign_in_has_no_serious_violation(page: Page, market: Market) -> None:
    page.goto(f"{market.base}/console/")
    page.wait_for_selector("#signin")
    assert page.locator("h1").count() == 1
    assert _axe(page) == []


def test_a_phone_sees_the_whole_top_bar_and_page(browser: Any, market: Market) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, market)
        for route in (f"#/entity/{market.derived_uid}", "#/review/rings", "#/listings"):
            page.goto(f"{market.base}/console/{route}")
            page.wait_for_selector("h1")
            page.wait_for_function("() => !document.querySelector('.loading')")
            # no sideways scrolling, and 退出 is on the screen
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            box = page.locator("#signout").bounding_box()
            assert box is not None
            assert box["x"] + box["width"] <= 390
        shot(page, "39-phone-entity-390px")
    finally:
        context.close()


def test_an_unknown_entity_says_so_in_chinese_and_stops_loading(page: Page, market: Market) -> None:
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/entity/biz:NO-SUCH-BUSINESS")
    page.wait_for_selector(".error")
    text = page.inner_text("#view")
    assert "未找到" in text
    assert "加载中" not in text
    assert "Not found" not in page.inner_text(".error strong")
