// The regional overview (监管态势): counts by region and month from /v1/overview drawn as
// plain SVG bars (no library), one kind at a time. A region's bar opens its months, a
// month's bar the entities behind the count (/v1/overview/entities). The state lives in
// the route (#/overview?kind=…&level=…&region=…&month=…), so every step is a link.

import { get } from "../api.js";
import { entityLink, h, loading, replace, table } from "../dom.js";
import { labelName, t } from "../i18n.js";
import "../words_alerts.js";

const KINDS = ["listings", "restrictions", "rings", "shells", "alerts", "violations"];
const LEVELS = ["2", "4", "6"];
const SVG = "http://www.w3.org/2000/svg";
const MAX_BARS = 40;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) el.setAttribute(name, String(value));
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

const kindName = (kind) => t(`okind_${kind}`);
const regionName = (region) => (region === "unknown" ? t("overview_unknown") : region);
const monthName = (month) => (month === "unknown" ? t("overview_unknown") : month);

function link(state) {
  const query = new URLSearchParams(Object.entries(state).filter(([, v]) => v));
  return `#/overview?${query}`;
}

/** Horizontal bars: [{label, value, href}] → an SVG figure whose bars are links. */
function barChart(id, caption, bars) {
  const shown = bars.slice(0, MAX_BARS);
  const max = Math.max(1, ...shown.map((b) => b.value));
  const row = 26;
  const labelWidth = 110;
  const width = 640;
  const plot = width - labelWidth - 60;
  const chart = s(
    "svg",
    { id, width, height: shown.length * row + 8, viewBox: `0 0 ${width} ${shown.length * row + 8}`, role: "group", "aria-label": caption, class: "bar-chart" },
    ...shown.flatMap((b, i) => {
      const y = i * row + 4;
      const w = Math.max(2, Math.round((b.value / max) * plot));
      const words = t("overview_bar", { label: b.label, n: b.value });
      // The link's visible text is the label, its name the label and the count; the count
      // is drawn beside it, outside the link, so the two never disagree.
      return [
        s(
          "a",
          { href: b.href, "aria-label": words, class: b.active ? "bar active" : "bar", "data-key": b.key, "aria-current": b.active ? "true" : null },
          s("text", { x: labelWidth - 8, y: y + 16, "text-anchor": "end", "font-size": 12, fill: "#1f2933" }, document.createTextNode(b.label)),
          s("rect", { x: labelWidth, y, width: w, height: row - 8, rx: 3, fill: b.active ? "#c62828" : "#1f5f99" }),
          s("title", {}, document.createTextNode(words)),
        ),
        s("text", { x: labelWidth + w + 6, y: y + 16, "font-size": 12, fill: "#1f2933", "aria-hidden": "true" }, document.createTextNode(String(b.value))),
      ];
    }),
  );
  return h("figure", { class: "chart" }, h("figcaption", {}, caption), chart);
}

export async function renderOverview(root, _rest, params) {
  const kind = KINDS.includes(params.kind) ? params.kind : "listings";
  const level = LEVELS.includes(params.level) ? params.level : "4";
  const at = /^\d{4}-\d{2}-\d{2}$/.test(params.at || "") ? params.at : "";
  const region = /^(\d{2}|\d{4}|\d{6}|unknown)$/.test(params.region || "") && (params.region === "unknown" || params.region.length === Number(level)) ? params.region : "";
  const month = region && /^(\d{4}-\d{2}|unknown)$/.test(params.month || "") ? params.month : "";
  const state = { kind, level, at };

  const form = h(
    "form",
    {
      class: "toolbar",
      id: "overview-form",
      onsubmit: (e) => {
        e.preventDefault();
        const v = Object.fromEntries(new FormData(e.target).entries());
        location.hash = link({ kind: v.kind, level: v.level, at: v.at });
      },
    },
    h("label", { class: "field-inline" }, t("overview_kind"), h("select", { name: "kind", id: "overview-kind" }, KINDS.map((k) => h("option", { value: k, selected: k === kind }, kindName(k))))),
    h("label", { class: "field-inline" }, t("overview_level"), h("select", { name: "level", id: "overview-level" }, LEVELS.map((l) => h("option", { value: l, selected: l === level }, t(`level_${l}`))))),
    h("label", { class: "field-inline" }, t("overview_at"), h("input", { type: "date", name: "at", value: at })),
    h("button", { type: "submit", class: "secondary" }, t("overview_show")),
  );
  root.append(h("h1", {}, t("overview_title")), h("p", { class: "muted small" }, t("overview_note")), form);
  const body = h("div", {}, loading());
  root.append(body);
  const data = await get("/v1/overview", { level, at: at || null });
  const cells = data.cells.filter((c) => (c.counts[kind] || 0) > 0);
  if (!cells.length) {
    replace(body, h("p", { class: "muted", id: "overview-empty" }, t("overview_none")));
    return;
  }
  const byRegion = new Map();
  for (const c of cells) byRegion.set(c.region, (byRegion.get(c.region) || 0) + c.counts[kind]);
  const regions = [...byRegion.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const parts = [
    h(
      "div",
      { class: "grid-2" },
      h(
        "section",
        { class: "card" },
        barChart(
          "chart-regions",
          t("overview_by_region", { kind: kindName(kind) }),
          regions.map(([r, n]) => ({ key: r, label: regionName(r), value: n, active: r === region, href: link({ ...state, region: r }) })),
        ),
      ),
      h(
        "section",
        { class: "card" },
        region
          ? barChart(
              "chart-months",
              t("overview_by_month", { kind: kindName(kind), region: regionName(region) }),
              cells
                .filter((c) => c.region === region)
                .sort((a, b) => a.month.localeCompare(b.month))
                .map((c) => ({ key: c.month, label: monthName(c.month), value: c.counts[kind], active: c.month === month, href: link({ ...state, region, month: c.month }) })),
            )
          : h("p", { class: "muted" }, t("overview_pick_region")),
      ),
    ),
  ];
  const drill = h("section", { class: "card", id: "overview-entities" });
  if (region && month) parts.push(drill);
  parts.push(
    h(
      "details",
      { class: "card" },
      h("summary", {}, t("overview_table")),
      table(
        [t("overview_region"), t("overview_month"), ...KINDS.map(kindName)],
        data.cells.map((c) => [regionName(c.region), monthName(c.month), ...KINDS.map((k) => String(c.counts[k] || 0))]),
        { id: "overview-table" },
      ),
    ),
  );
  replace(body, ...parts);
  if (region && month) {
    drill.append(loading());
    const found = await get("/v1/overview/entities", { region, month, kind, at: at || null, limit: 200 });
    replace(
      drill,
      h("h2", {}, t("overview_entities", { kind: kindName(kind), region: regionName(region), month: monthName(month), n: found.total })),
      h(
        "ul",
        { class: "results", id: "overview-entity-list" },
        found.entities.map((e) => h("li", {}, h("span", { class: `pill label-${e.label}` }, labelName(e.label)), entityLink(e.uid, e.name))),
      ),
    );
  }
}
