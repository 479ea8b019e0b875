"""Objection pages in real Chromium: an officer files an objection against one link of a
derivation path, takes it under review, upholds it, and the restriction it carried is gone
from the subject's page. The words are Chinese by default and switch to English.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from tests.browser.conftest import Market, shot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _link_carrying_only(market: Market) -> tuple[str, str]:
    """A rid and a subject whose restriction from some listing ran over that link only."""
    headers = {"X-API-Key": market.officer}
    answer = httpx.get(
        f"{market.base}/v1/entities/{market.derived_uid}/restrictions", headers=headers
    )
    assert answer.status_code == 200, answer.text
    for item in answer.json()["explanation"]:
        if item["path_count"] == 1 and item["paths"][0]["rids"]:
            return item["paths"][0]["rids"][-1], market.derived_uid
    raise AssertionError("no single-path derived restriction on the example subject")


def test_an_officer_files_reviews_and_upholds_a_link_objection(page: Page, market: Market) -> None:
    rid, subject = _link_carrying_only(market)
    sign_in(page, market)
    page.click('#nav a[href="#/objections"]')
    page.wait_for_selector("#objection-file-form")
    assert page.inner_text("h1.page-title") == "异议处理"

    page.select_option("#objection-kind", "link")
    page.fill("#objection-target", rid)
    page.fill("#objection-subject", subject)
    page.fill("#objection-grounds", "本人并非该企业实际控制人")
    page.click("#objection-file")
    page.wait_for_selector("#objection-facts")
    assert page.inner_text("#objection-state") == "已登记"
    shot(page, "objection-01-filed")

    page.select_option("#decide-outcome", "under_review")
    page.click("#decide-send")
    page.wait_for_selector("#objection-state:has-text('审查中')")

    page.select_option("#decide-outcome", "upheld")
    page.fill("#decide-reason", "登记机关核实：该关联关系登记有误")
    page.select_option("#decide-scope", "all")
    page.click("#decide-send")
    page.wait_for_selector("#decided-effect")
    effect = page.inner_text("#decided-effect")
    assert "解除" in effect
    assert not effect.startswith("解除 0 ")
    assert page.inner_text("#objection-state") == "异议成立"
    shot(page, "objection-02-upheld")

    # the list shows it decided, in words; English on request
    page.goto(f"{market.base}/console/#/objections?status=upheld")
    page.wait_for_selector("#objections-table")
    assert "异议成立" in page.inner_text("#objections-table")
    page.click("#lang")
    page.wait_for_selector("#objections-table")
    assert page.inner_text("h1.page-title") == "Objections"
    assert "upheld" in page.inner_text("#objections-table")
    shot(page, "objection-03-list-en")

    # no restriction on the subject still runs over the excluded link
    headers = {"X-API-Key": market.officer}
    after = httpx.get(f"{market.base}/v1/entities/{subject}/restrictions", headers=headers)
    assert all(rid not in p["rids"] for e in after.json()["explanation"] for p in e["paths"])


def test_a_bad_objection_is_refused_in_the_page_language(page: Page, market: Market) -> None:
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/objections")
    page.wait_for_selector("#objection-file-form")
    page.fill("#objection-target", "listing:nope")
    page.fill("#objection-subject", "biz:does-not-exist")
    page.fill("#objection-grounds", "x")
    page.click("#objection-file")
    page.wait_for_selector("#file-status .error")
    assert "未找到" in page.inner_text("#file-status .error")
