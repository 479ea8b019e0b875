"""Figures for docs/console.md, measured in Chromium (nothing here asserts a time).

* how many clicks, and how long, from the sign-in form to the explanation of a
  restriction (the entity page's "restricted, and why" block);
* layout time (force-directed and the dagre tree) and frame time while panning, at 500
  and 1,500 nodes (the page's cap).

The figures are printed and written to ``artifacts/measurements/console.json``; copy them
into docs/console.md with the machine they came from.

    .venv/bin/pytest -m browser tests/browser/test_measure.py -s
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import Market, shot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

OUT = Path(__file__).resolve().parents[2] / "artifacts" / "measurements" / "console.json"


def _record(name: str, value: Any) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    figures = json.loads(OUT.read_text()) if OUT.exists() else {}
    figures[name] = value
    OUT.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"{name}: {value}")


def test_clicks_and_time_from_sign_in_to_an_explanation(page: Page, market: Market) -> None:
    page.goto(f"{market.base}/console/")
    page.wait_for_selector("#key")
    clicks = 0
    started = time.perf_counter()
    page.fill("#key", market.officer)
    page.click("#signin button[type=submit]")
    clicks += 1
    page.wait_for_selector("#search-q")
    page.fill("#search-q", market.derived_name)
    page.press("#search-q", "Enter")
    page.locator(f'.result[data-uid="{market.derived_uid}"] a.entity-link').click()
    clicks += 1
    page.wait_for_selector("#summary .chain")
    elapsed = time.perf_counter() - started
    assert market.derived_name in page.inner_text("#entity-name")
    _record(
        "sign_in_to_explanation",
        {"clicks": clicks, "typed_fields": 2, "seconds": round(elapsed, 2)},
    )
    shot(page, "60-explanation-reached")


_GRAPH = """
([n, seed]) => {
  const cy = window.__credgraphCy;
  cy.elements().remove();
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const labels = ['Business', 'Person', 'Store', 'Address', 'Phone'];
  const nodes = [], edges = [];
  for (let i = 0; i < n; i++) {
    nodes.push({ group: 'nodes', data: { id: 'n' + i, label: labels[i % 5], display: 'node ' + i },
                 position: { x: rnd() * 2000, y: rnd() * 2000 } });
    if (i > 0) {
      const parent = Math.floor(rnd() * i);
      edges.push({ group: 'edges', data: { id: 'e' + i, source: 'n' + parent, target: 'n' + i,
                                           type: 'SHAREHOLDER_OF', display: '股东' } });
    }
  }
  cy.add(nodes.concat(edges));
  return cy.nodes().length;
}
"""

_LAYOUT = """
(name) => {
  const net = window.__credgraphNet;
  net.state.layout = name;
  const t0 = performance.now();
  net.relayout();
  return [performance.now() - t0, net.state.lastLayout];
}
"""

_FRAMES = """
() => new Promise((resolve) => {
  const cy = window.__credgraphCy;
  const times = [];
  let last = performance.now();
  let k = 0;
  function step(now) {
    times.push(now - last);
    last = now;
    cy.panBy({ x: 7, y: 3 });
    cy.zoom(cy.zoom() * (k % 2 ? 1.01 : 0.99));
    if (++k < 90) requestAnimationFrame(step);
    else {
      const t = times.slice(5).sort((a, b) => a - b);
      resolve({ median: t[Math.floor(t.length / 2)], p95: t[Math.floor(t.length * 0.95)] });
    }
  }
  requestAnimationFrame(step);
})
"""


@pytest.mark.parametrize("n", [500, 1500])
def test_layout_and_frame_time(page: Page, market: Market, n: int) -> None:
    sign_in(page, market)
    page.goto(f"{market.base}/console/#/network")
    page.wait_for_selector("#path-form")
    assert page.evaluate(_GRAPH, [n, 7]) == n
    force, force_name = page.evaluate(_LAYOUT, "force")
    tree, _ = page.evaluate(_LAYOUT, "tree")
    frames = page.evaluate(_FRAMES)
    _record(
        f"graph_{n}",
        {
            "nodes": n,
            "force_layout": force_name,
            "force_layout_ms": round(force),
            "tree_layout_ms": round(tree),
            "frame_ms_median": round(frames["median"], 1),
            "frame_ms_p95": round(frames["p95"], 1),
        },
    )
    shot(page, f"61-graph-{n}-nodes")
