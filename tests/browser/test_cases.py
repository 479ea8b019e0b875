"""A saved investigation's printable report, as an officer exports it (see conftest).

The report states the decision log's signed tree head at the moment it is made (its size,
root hash, time and signature), so whoever holds the printed report can later ask the log
to prove it still holds every decision it held then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from tests.browser.conftest import Market, shot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_the_case_report_shows_the_decision_logs_signed_tree_head_at_export(
    page: Page, market: Market
) -> None:
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/network/{market.derived_uid}")
    page.wait_for_function("() => window.__credgraphCy.nodes('[?expanded]').length === 1")
    page.fill("#case-name", "报告摘要核对")
    page.fill("#case-notes", "导出时记录决策日志的签名树头。")
    page.click("#case-save")
    page.wait_for_selector("#case-message .notice")
    page.click("#case-report-link")
    page.wait_for_selector("#report-digest")

    # what the log says now, read the way a witness reads it
    answer = httpx.get(
        f"{market.base}/v1/decisions/tree-head", headers={"X-API-Key": market.officer}
    )
    digest = page.inner_text("#report-digest")
    if answer.status_code == 404:  # nothing decided yet in this market
        assert "尚无记录" in digest
    else:
        head = answer.json()
        assert page.inner_text("#digest-root") == head["root_hash"]
        assert f"{head['tree_size']:,}" in digest
        assert head["time"].replace("T", " ")[:19] in digest
        assert head["signature"] in digest
        assert f"credgraph audit consistency {head['tree_size']}" in page.inner_text("#case-report")
    assert "决策日志摘要" in page.inner_text("#case-report")
    shot(page, "36-case-report-digest")
