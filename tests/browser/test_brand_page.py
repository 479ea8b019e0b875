"""The console's brand pages in real headless Chromium, against the same real server and
generated market as the officer tests (see conftest).

An alliance member's brand key signs in and sees only the brand pages: its brand's
infringement links (drawn as chains with weights and evidence) and repeat infringers, files
a report through the form, and reaches neither another brand (the page shows only a
refusal; the API answers 403 / 404) nor the officer pages. An officer sees the brand pages
too. Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
import pytest

from api.security import KeyStore
from tests.browser.conftest import Market, shot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Brands:
    """A member acting for one brand of the served market, and another brand it does not."""

    token: str
    brand: str
    brand_name: str
    #: The store of one linked (not itself reported) store, to file a report on.
    store_id: str
    other: str
    other_report: str


def _get(market: Market, path: str, token: str, **params: Any) -> Any:
    response = httpx.get(
        f"{market.base}{path}", params=params, headers={"X-API-Key": token}, timeout=30
    )
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="package")
def brands(market: Market, tmp_path_factory: pytest.TempPathFactory) -> Brands:
    """An alliance member for the brand with the most repeat infringers, and its key."""
    officer = market.officer
    candidates = []
    for b in _get(market, "/v1/brands", officer, limit=500)["items"]:
        repeat = _get(market, f"/v1/brands/{quote(b['uid'])}/repeat-infringers", officer, limit=1)
        links = _get(market, f"/v1/brands/{quote(b['uid'])}/links", officer, limit=1)
        reports = _get(market, f"/v1/brands/{quote(b['uid'])}/reports", officer, limit=1)
        candidates.append((repeat["total"], links["total"], bool(reports["items"]), b))
    candidates.sort(key=lambda c: (-c[0], -c[1], c[3]["uid"]))
    total, n_links, _, chosen = candidates[0]
    assert total > 0, "the generated market has no repeat infringer"
    assert n_links > 0
    other = next(c[3] for c in candidates[1:] if c[2])
    other_report = _get(market, f"/v1/brands/{quote(other['uid'])}/reports", officer, limit=1)
    uid = chosen["uid"]
    linked = _get(market, f"/v1/brands/{quote(uid)}/links", officer, limit=200)["items"]
    target = next((x for x in linked if not x["reported"]), linked[0])["store"]

    response = httpx.post(
        f"{market.base}/v1/brands/members",
        headers={"X-API-Key": officer},
        json={"member_id": "browser-alliance", "name": "浏览器测试联盟", "brands": [uid]},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    # The server's key file lies beside the served graph (conftest's ``console`` directory);
    # the server picks up keys created while it runs.
    (db,) = tmp_path_factory.getbasetemp().glob("console[0-9]*/api.sqlite3")
    keys = KeyStore(db)
    token = keys.create(
        "browser-brand", "brand", brands=["member:browser-alliance"], rate=1000, burst=1000
    ).token
    keys.close()
    return Brands(
        token=token,
        brand=uid,
        brand_name=chosen.get("name") or uid,
        store_id=target.removeprefix("store:"),
        other=other["uid"],
        other_report=other_report["items"][0]["uid"],
    )


def _brand_url(market: Market, uid: str, tab: str = "") -> str:
    return f"{market.base}/console/#/brands/{quote(uid, safe='')}{'/' + tab if tab else ''}"


def test_a_brand_key_sees_only_its_brand_pages(page: Page, market: Market, brands: Brands) -> None:
    sign_in(page, market, token=brands.token)
    page.wait_for_selector("#brand-table")
    # Only the brand pages in the top bar; only its own brand in the list.
    assert page.locator("#nav a").all_inner_texts() == ["品牌保护"]
    uids = [a.get_attribute("data-uid") for a in page.locator("#brand-table a.open-brand").all()]
    assert uids == [brands.brand]
    shot(page, "20-brand-list")

    # Infringement links: chains from a report through a store to the linked store.
    page.click("#brand-table a.open-brand")
    page.wait_for_selector("#brand-links .link-item")
    assert page.inner_text("#brand-name") == brands.brand_name
    first_path = page.locator("#brand-links .link-path").first
    assert first_path.locator(".node").count() >= 2
    assert "投诉" in first_path.inner_text()
    assert page.locator("#brand-links .evidence-report").count() >= 1
    assert page.locator('#brand-links .link-item:not([data-relation="reported"])').count() >= 1
    # No entity links for a member: entity pages are the officers'.
    assert page.locator('#brand-links a[href^="#/entity/"]').count() == 0
    assert "权重" in page.inner_text("#brand-links")
    shot(page, "21-brand-links")

    # The minimum-weight filter asks the server again; every link shown then weighs enough.
    before = page.locator("#brand-links .link-item").count()
    page.select_option("#links-min-weight", "0.7")
    weights_js = (
        "Array.from(document.querySelectorAll('#brand-links .link-weight'))"
        ".map(e => parseFloat(e.textContent.split(' ').pop()))"
    )
    # The re-rendered page: not loading, and only links of weight >= 0.7 (the top one is).
    # (a function, not an expression: the console's CSP forbids eval)
    page.wait_for_function(
        f"() => !document.querySelector('#brand-links .loading') && (w => w.length > 0 && "
        f"w.every(x => x >= 0.7))({weights_js})"
    )
    weights = page.evaluate(weights_js)
    assert all(w >= 0.7 for w in weights)
    assert len(weights) <= before

    # Repeat infringers, ranked, with reasons in Chinese.
    page.click('#brand-tabs a[data-tab="repeat"]')
    page.wait_for_selector("#repeat-table .repeat-actor")
    assert "家侵权网店" in page.inner_text("#repeat-table")
    page.check("#repeat-confirmed")
    page.wait_for_function("() => location.hash.includes('confirmed_only=true')")
    page.wait_for_selector("#repeat-table, #brand-repeat p.muted:not(.small)")
    shot(page, "22-brand-repeat-infringers")

    # Reports, paged, with status, store and evidence.
    page.click('#brand-tabs a[data-tab="reports"]')
    page.wait_for_selector("#reports-table .report-uid")
    shot(page, "23-brand-reports")

    # English switch.
    page.click("#lang")
    page.wait_for_selector("#reports-table")
    assert "Reports" in page.inner_text("#brand-tabs")
    assert "Evidence" in page.inner_text("#reports-table thead")
    shot(page, "24-brand-reports-en")
    page.click("#lang")
    page.wait_for_selector("#reports-table")


def test_a_brand_key_files_a_report(page: Page, market: Market, brands: Brands) -> None:
    sign_in(page, market, token=brands.token)
    page.wait_for_selector("#brand-table")
    page.goto(_brand_url(market, brands.brand, "file"))
    page.wait_for_selector("#brand-file")
    page.fill('#brand-file input[name="store_id"]', brands.store_id)
    page.fill('#brand-file input[name="report_id"]', "BROWSER-0001")
    page.fill('#brand-file textarea[name="evidence"]', "测试购买 2025-03-02，鉴定报告 JD-2025-118")
    page.fill('#brand-file input[name="evidence_sha256"]', "ab" * 32)
    page.click('#brand-file button[type="submit"]')
    page.wait_for_selector("#file-outcome .notice")
    assert "report:BROWSER-0001" in page.inner_text("#file-outcome")
    shot(page, "25-brand-report-filed")

    page.click("#file-outcome a")
    row = page.locator('#reports-table .report-uid[data-uid="report:BROWSER-0001"]')
    row.wait_for()
    assert "待处理" in page.inner_text("#reports-table")
    assert "鉴定报告 JD-2025-118" in page.inner_text("#reports-table")
    shot(page, "26-brand-reports-pending")

    got = _get(market, "/v1/brands/reports/report:BROWSER-0001", brands.token)
    assert got["status"] == "pending"
    assert got["store"] == f"store:{brands.store_id}"
    assert got["brand"] == brands.brand


def test_a_brand_key_reaches_no_other_brand_nor_officer_pages(
    page: Page, market: Market, brands: Brands
) -> None:
    sign_in(page, market, token=brands.token)
    page.wait_for_selector("#brand-table")

    for tab in ("links", "repeat", "reports"):
        page.goto(_brand_url(market, brands.other, tab))
        page.wait_for_selector("#brand-denied")
        assert page.locator("#brand-head, .link-item, #repeat-table, #reports-table").count() == 0
    shot(page, "27-brand-other-refused")

    # Officer pages send a member back to its brands.
    for route in ("#/search", "#/network", "#/review/rings", "#/listings", "#/entity/biz:x"):
        page.goto(f"{market.base}/console/{route}")
        page.wait_for_selector("#brand-table")
        assert page.url.endswith("#/brands")
        assert page.locator("#search-q, #cy, #queue, #listing-form").count() == 0

    # And the server refuses them, whatever the page does.
    headers = {"X-API-Key": brands.token}
    other = quote(brands.other, safe="")
    for path in (
        f"/v1/brands/{other}",
        f"/v1/brands/{other}/links",
        f"/v1/brands/{other}/reports",
        f"/v1/brands/{other}/repeat-infringers",
    ):
        response = httpx.get(f"{market.base}{path}", headers=headers, timeout=30)
        assert response.status_code == 403, path
    assert (
        httpx.get(
            f"{market.base}/v1/brands/reports/{brands.other_report}", headers=headers, timeout=30
        ).status_code
        == 404
    )
    filed = httpx.post(
        f"{market.base}/v1/brands/{other}/reports",
        headers=headers,
        json={"store_id": brands.store_id, "evidence": "x"},
        timeout=30,
    )
    assert filed.status_code == 403
    for path in ("/v1/entities?q=a", "/console/api/meta", "/v1/rings"):
        assert httpx.get(f"{market.base}{path}", headers=headers, timeout=30).status_code == 403
    me = httpx.get(f"{market.base}/console/api/me", headers=headers, timeout=30).json()
    assert me["scope"] == "brand"
    assert me["brands"] == ["member:browser-alliance"]


def test_an_officer_sees_the_brand_pages(page: Page, market: Market, brands: Brands) -> None:
    sign_in(page, market)
    assert "品牌保护" in page.locator("#nav").inner_text()
    page.click('#nav a[href="#/brands"]')
    page.wait_for_selector("#brand-table")
    assert page.locator("#brand-table a.open-brand").count() >= 2
    shot(page, "28-officer-brand-list")

    page.goto(_brand_url(market, brands.other, "links"))
    page.wait_for_selector("#brand-head")
    page.goto(_brand_url(market, brands.brand, "links"))
    page.wait_for_selector("#brand-links .link-item")
    # Officers click through to entity pages from a path.
    assert page.locator('#brand-links a.node[href^="#/entity/"]').count() >= 1
    shot(page, "29-officer-brand-links")
