// Saved investigations: the list every officer shares, and a printable report of one case
// (the graph as a picture, each entity's restrictions with the shortest path and the legal
// bases, the notes, who saved it and when, and the decision log's signed tree head at the
// moment of export) that the browser prints or saves as PDF.

import cytoscape from "../../vendor/cytoscape.esm.min.js";
import { ENDPOINTS, get, post } from "../api.js";
import { chain } from "../chain.js";
import { errorBox, fmtDate, h, loading, replace, section, table } from "../dom.js";
import { colourOf, iconOf, shapeOf } from "../graphstyle.js";
import { labelName, pick, relName, t } from "../i18n.js";

const SUBJECTS = new Set(["Business", "Person", "Store"]);
/** Most entities whose restrictions a report spells out. */
const REPORT_ENTITIES = 30;

export const CASES = "/console/api/cases";

export async function renderCases(root, rest, _params, alive) {
  const [id, part] = rest ? rest.split("/") : [];
  if (id && part === "report") return renderReport(root, id, alive);
  root.append(h("h1", { class: "page-title" }, t("cases_title")), h("p", { class: "muted small" }, t("cases_hint")));
  const box = section(t("cases_all"), loading());
  box.id = "case-list";
  root.append(box);
  const page = await get(CASES);
  if (!alive()) return;
  box.lastChild.remove();
  if (!page.items.length) {
    box.append(h("p", { class: "muted" }, t("cases_empty")));
    return;
  }
  box.append(
    table(
      [t("case_name"), t("case_nodes"), t("case_at"), t("case_saved"), ""],
      page.items.map((c) => [
        h("a", { href: `#/network?case=${encodeURIComponent(c.case_id)}`, class: "open-case" }, c.name),
        String(c.node_count),
        c.at ? fmtDate(c.at) : t("case_today"),
        `${c.updated_by} · ${c.updated.replace("T", " ").slice(0, 16)}`,
        h("a", { href: `#/cases/${encodeURIComponent(c.case_id)}/report`, class: "case-report" }, t("case_report")),
      ]),
      { id: "cases-table" },
    ),
  );
}

/** The case's nodes drawn where they were saved, as a PNG data URL (white background). */
function picture(drawn, positions) {
  const holder = h("div", { style: "position:absolute;left:-10000px;top:0;width:1200px;height:800px" });
  document.body.append(holder);
  const cy = cytoscape({
    container: holder,
    headless: false,
    style: [
      { selector: "node", style: { "background-color": (n) => colourOf(n.data("label")), shape: (n) => shapeOf(n.data("label")), "background-image": (n) => iconOf(n.data("label")), "background-fit": "contain", label: "data(name)", "font-size": 10, "text-valign": "bottom", width: 22, height: 22 } },
      { selector: "edge", style: { width: 1.2, "line-color": "#9aa6b2", "target-arrow-color": "#9aa6b2", "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(display)", "font-size": 8, "text-rotation": "autorotate" } },
    ],
    elements: [
      ...drawn.nodes.map((n) => ({ group: "nodes", data: { id: n.uid, label: n.label, name: n.name || n.uid }, position: positions.get(n.uid) || { x: 0, y: 0 } })),
      ...drawn.edges.map((e) => ({ group: "edges", data: { id: e.rid, source: e.src, target: e.dst, display: relName(e.type) } })),
    ],
    layout: { name: "preset", fit: true, padding: 30 },
  });
  const png = cy.png({ full: true, scale: 1.5, bg: "#ffffff" });
  cy.destroy();
  holder.remove();
  return png;
}

async function renderReport(root, id, alive) {
  root.append(loading());
  const { case: c, generated: at, decision_log: head } = await get(`${CASES}/${encodeURIComponent(id)}/report`);
  const uids = c.nodes.map((n) => n.uid).filter((u) => !u.startsWith("group:"));
  const drawn = await post("/console/api/edges", { uids, at: c.at });
  if (!alive()) return;
  document.title = `${c.name} · ${t("case_report")} · ${t("app_title")}`;
  const subjects = drawn.nodes.filter((n) => SUBJECTS.has(n.label)).slice(0, REPORT_ENTITIES);
  const explanations = await Promise.all(
    subjects.map((n) => get(ENDPOINTS.explanation(n.uid), { at: c.at }).catch((err) => ({ error: err }))),
  );
  if (!alive()) return;
  const positions = new Map(c.nodes.map((n) => [n.uid, { x: n.x, y: n.y }]));
  const png = picture(drawn, positions);
  const generated = at.replace("T", " ").slice(0, 19);
  replace(
    root,
    h(
      "article",
      { class: "report", id: "case-report" },
      h("div", { class: "actions no-print" },
        h("a", { href: `#/network?case=${encodeURIComponent(c.case_id)}` }, `← ${t("case_open")}`),
        h("button", { type: "button", class: "primary", id: "print-report", onclick: () => window.print() }, t("case_print"))),
      h("h1", {}, c.name),
      h("p", { class: "small" }, t("case_meta", {
        by: c.updated_by, saved: c.updated.replace("T", " ").slice(0, 16), at: c.at ? fmtDate(c.at) : t("case_today"),
        generated, n: c.node_count,
      })),
      section(t("case_notes"), h("p", { class: "notes", id: "report-notes" }, c.notes || t("none"))),
      section(t("case_graph"), h("img", { src: png, alt: t("case_graph_alt", { n: drawn.nodes.length, e: drawn.edges.length }), class: "report-graph", id: "report-graph" })),
      section(
        t("case_entities"),
        subjects.length < drawn.nodes.filter((n) => SUBJECTS.has(n.label)).length
          ? h("p", { class: "muted small" }, t("shown_of", { k: subjects.length, n: drawn.nodes.filter((n) => SUBJECTS.has(n.label)).length }))
          : null,
        subjects.map((n, i) => entityBlock(n, explanations[i])),
      ),
      digest(head),
      h("p", { class: "muted small" }, t("case_footer", { generated })),
    ),
  );
}

/** The decision log's signed tree head when the report was made: whoever holds the report
 * can later ask the log to prove it still holds those first `tree_size` decisions. */
function digest(head) {
  const rows = head
    ? [
        [t("digest_size"), head.tree_size.toLocaleString()],
        [t("digest_root"), h("code", { id: "digest-root" }, head.root_hash)],
        [t("digest_time"), `${head.time.replace("T", " ").slice(0, 19)} UTC`],
        [t("digest_number"), String(head.number)],
        [t("digest_key"), h("code", {}, head.key_id)],
        [t("digest_signature"), h("code", {}, head.signature)],
      ]
    : null;
  return section(
    t("digest_title"),
    rows
      ? h("table", { id: "report-digest", class: "kv" }, h("tbody", {}, rows.map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, v)))))
      : h("p", { id: "report-digest", class: "muted" }, t("digest_empty")),
    rows ? h("p", { class: "muted small" }, t("digest_hint", { n: head.tree_size })) : null,
  );
}

function entityBlock(node, explanation) {
  const items = explanation.items || [];
  const shortest = [...items].sort((a, b) => Math.min(...a.paths.map((p) => p.edges.length)) - Math.min(...b.paths.map((p) => p.edges.length)))[0];
  const bases = [...new Set(items.flatMap((r) => r.legal_basis))];
  return h(
    "div",
    { class: "report-entity", dataset: { uid: node.uid } },
    h("h3", {}, h("span", { class: `pill label-${node.label}` }, labelName(node.label)), " ", node.name || node.uid,
      items.length ? h("span", { class: "pill restricted" }, t("net_restricted")) : h("span", { class: "pill clear" }, t("net_not_restricted"))),
    explanation.error ? errorBox(explanation.error) : null,
    items.length
      ? h("div", { class: "small" },
          h("p", {}, `${t("measure")}${t("colon")}`, [...new Set(items.map((r) => pick(r, "measure_name")))].join("、")),
          shortest?.paths[0] ? chain(shortest.paths[0].nodes, shortest.paths[0].edges, { firstClass: "listed", lastClass: "subject" }) : null,
          h("p", {}, `${t("legal_basis")}${t("colon")}`),
          h("ul", {}, bases.map((b) => h("li", {}, b))))
      : null,
  );
}
