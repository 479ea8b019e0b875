// The network view: a cytoscape graph grown one hop at a time from the API (never the whole
// graph), filtered by relationship type, coloured by label or by restriction, with a
// "how are these two connected" path finder.

import cytoscape from "../../vendor/cytoscape.esm.min.js";
import { ENDPOINTS, get, getMeta, post } from "../api.js";
import { chain } from "../chain.js";
import { errorBox, h, loading, replace } from "../dom.js";
import { labelName, pick, relName, t } from "../i18n.js";

/** Most nodes the page holds; expansion stops there (the server caps each hop too). */
export const MAX_NODES = 1500;
/** Most neighbours one expansion asks for. */
const PER_EXPAND = 120;
/** Up to this many nodes the whole graph is laid out again after an expansion. */
const LAYOUT_LIMIT = 400;
const SUBJECTS = new Set(["Business", "Person", "Store"]);

export const COLOURS = {
  Business: "#2f6fb0",
  Person: "#d08a1e",
  Store: "#2a9d6b",
  Address: "#8c8c8c",
  Phone: "#8e5bb5",
  Email: "#6f8696",
  Brand: "#b5651d",
  Account: "#17a2a2",
  Order: "#a5b1bc",
  Waybill: "#c4ccd3",
  Listing: "#7b3f00",
  Violation: "#6c3483",
  Restriction: "#e57373",
};
const RESTRICTED = "#d62728";

function style() {
  return [
    {
      selector: "node",
      style: {
        "background-color": (n) => COLOURS[n.data("label")] || "#999",
        label: "data(display)",
        "font-size": 10,
        "text-valign": "bottom",
        "text-margin-y": 3,
        "text-wrap": "ellipsis",
        "text-max-width": 110,
        color: "#1d2733",
        width: 18,
        height: 18,
        "border-width": 0,
      },
    },
    { selector: "node[?expanded]", style: { width: 24, height: 24 } },
    { selector: "node.centre", style: { "border-width": 3, "border-color": "#1f4e79" } },
    { selector: "node.restricted", style: { "border-width": 3, "border-color": RESTRICTED } },
    { selector: "node.on-path", style: { "border-width": 4, "border-color": "#f2b600" } },
    { selector: "node:selected", style: { "overlay-color": "#1f4e79", "overlay-opacity": 0.2 } },
    {
      selector: "edge",
      style: {
        width: 1.3,
        "line-color": "#b7c0ca",
        "target-arrow-color": "#b7c0ca",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.7,
        "curve-style": "bezier",
        label: "data(display)",
        "font-size": 8,
        color: "#6b7785",
        "text-rotation": "autorotate",
        "text-background-color": "#fff",
        "text-background-opacity": 0.8,
        "text-background-padding": 1,
      },
    },
    { selector: "edge.on-path", style: { width: 3, "line-color": "#f2b600", "target-arrow-color": "#f2b600" } },
    { selector: ".hidden", style: { display: "none" } },
  ];
}

function display(node) {
  const props = node.props || {};
  if (node.label === "Restriction") return pick(props, "measure_name") || props.measure || node.uid;
  if (node.label === "Listing") return props.listing_id || node.uid;
  if (node.label === "Violation") return props.violation_id || node.uid;
  return node.name || node.uid.replace(/^[a-z]+:/, "");
}

export async function renderNetwork(root, uid, params, alive) {
  const meta = getMeta();
  const state = {
    cy: null,
    types: new Set(meta.rel_types),
    restricted: new Map(),
    checked: new Set(),
    colour: "label",
    selected: null,
  };

  const container = h("div", { id: "cy", role: "img", "aria-label": t("net_title") });
  const status = h("div", { class: "muted small", id: "net-status" });
  const side = h("aside", { class: "card sidepanel", id: "net-side" }, h("p", { class: "muted" }, t("net_hint")));
  const checks = h("div", { class: "checks", id: "rel-filter" });
  const legend = h("div", { class: "legend" });
  const colourSelect = h(
    "select",
    { id: "colour-mode", onchange: () => setColour(colourSelect.value) },
    h("option", { value: "label" }, t("net_colour_label")),
    h("option", { value: "restriction" }, t("net_colour_restriction")),
  );
  const finder = pathFinder(state, params, uid, alive);

  root.append(
    h(
      "section",
      { class: "card" },
      h(
        "div",
        { class: "toolbar" },
        h("strong", {}, t("net_title")),
        h("label", { class: "small" }, `${t("net_colour")} `, colourSelect),
        h("button", { type: "button", class: "secondary", onclick: () => state.cy?.fit(undefined, 30) }, t("net_fit")),
        h("button", { type: "button", class: "secondary", id: "net-clear", onclick: () => clear() }, t("net_clear")),
        status,
      ),
      h("div", { class: "small muted" }, `${t("net_filter")}:`),
      checks,
    ),
    h("div", { class: "network" }, h("div", {}, container, legend), side),
    finder.element,
  );

  state.cy = cytoscape({
    container,
    style: style(),
    elements: [],
    wheelSensitivity: 0.3,
    minZoom: 0.1,
    maxZoom: 3,
  });
  window.__credgraphCy = state.cy; // for the browser tests and the curious officer
  state.cy.on("tap", "node", (evt) => select(evt.target.id()));
  state.cy.on("dbltap", "node", (evt) => expand(evt.target.id()));

  function setColour(mode) {
    state.colour = mode;
    state.cy.nodes().forEach((n) => {
      const colour =
        mode === "restriction"
          ? state.restricted.has(n.id()) ? RESTRICTED : "#c9d1d9"
          : COLOURS[n.data("label")] || "#999";
      n.style("background-color", colour);
    });
    renderLegend();
  }

  function renderLegend() {
    if (state.colour === "restriction") {
      replace(
        legend,
        h("span", {}, h("i", { style: `background:${RESTRICTED}` }), t("net_restricted")),
        h("span", {}, h("i", { style: "background:#c9d1d9" }), t("net_not_restricted")),
      );
      return;
    }
    const labels = [...new Set(state.cy.nodes().map((n) => n.data("label")))].sort();
    replace(
      legend,
      labels.map((l) => h("span", {}, h("i", { style: `background:${COLOURS[l] || "#999"}` }), labelName(l))),
      h("span", {}, h("i", { style: `background:#fff;border:3px solid ${RESTRICTED}` }), t("net_restricted")),
    );
  }

  function renderChecks() {
    const present = [...new Set(state.cy.edges().map((e) => e.data("type")))].sort();
    replace(
      checks,
      present.map((type) =>
        h(
          "label",
          {},
          h("input", {
            type: "checkbox",
            value: type,
            checked: state.types.has(type),
            onchange: (e) => {
              if (e.target.checked) state.types.add(type);
              else state.types.delete(type);
              applyFilter();
            },
          }),
          relName(type),
        ),
      ),
    );
  }

  function applyFilter() {
    const cy = state.cy;
    cy.batch(() => {
      cy.edges().forEach((e) => e.toggleClass("hidden", !state.types.has(e.data("type"))));
      cy.nodes().forEach((n) => {
        const keep = n.data("expanded") || n.hasClass("on-path") || n.connectedEdges().some((e) => !e.hasClass("hidden"));
        n.toggleClass("hidden", !keep);
      });
    });
  }

  function updateStatus(extra = "") {
    replace(status, t("net_nodes", { n: state.cy.nodes().length, max: MAX_NODES }), extra ? ` · ${extra}` : "");
  }

  /** Add API nodes/edges around `anchor`, placing new nodes on a ring around it. */
  function addElements(nodes, edges, anchor) {
    const cy = state.cy;
    const fresh = nodes.filter((n) => cy.getElementById(n.uid).empty());
    const room = MAX_NODES - cy.nodes().length;
    const taken = fresh.slice(0, Math.max(0, room));
    const centre = anchor && !cy.getElementById(anchor).empty() ? cy.getElementById(anchor).position() : { x: 0, y: 0 };
    const radius = 90 + taken.length * 5;
    cy.batch(() => {
      taken.forEach((n, i) => {
        const angle = (2 * Math.PI * i) / Math.max(taken.length, 1);
        const at = n.uid === anchor ? centre : { x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) };
        cy.add({ group: "nodes", data: { id: n.uid, label: n.label, name: n.name, display: display(n) }, position: at });
      });
      for (const e of edges) {
        if (cy.getElementById(e.rid).nonempty()) continue;
        if (cy.getElementById(e.src).empty() || cy.getElementById(e.dst).empty()) continue;
        cy.add({ group: "edges", data: { id: e.rid, source: e.src, target: e.dst, type: e.type, display: relName(e.type) } });
      }
    });
    return { added: taken.map((n) => n.uid), cut: fresh.length - taken.length };
  }

  async function flagRestricted(uids) {
    const asked = uids.filter((u) => !state.checked.has(u) && SUBJECTS.has(state.cy.getElementById(u).data("label")));
    asked.forEach((u) => state.checked.add(u));
    for (let i = 0; i < asked.length; i += 1000) {
      const answer = await post(ENDPOINTS.restricted, { uids: asked.slice(i, i + 1000) });
      for (const [u, measures] of Object.entries(answer.restricted)) {
        state.restricted.set(u, measures);
        state.cy.getElementById(u).addClass("restricted");
      }
    }
    setColour(state.colour);
  }

  async function expand(target) {
    if (state.cy.nodes().length >= MAX_NODES) {
      updateStatus(t("net_cap"));
      return;
    }
    updateStatus(t("loading"));
    const all = state.types.size === meta.rel_types.length;
    let net;
    try {
      net = await get(ENDPOINTS.network(target), {
        hops: 1,
        max_nodes: PER_EXPAND,
        types: all ? null : [...state.types],
      });
    } catch (err) {
      if (alive()) replace(side, errorBox(err));
      return;
    }
    if (!alive()) return;
    const { added, cut } = addElements(net.nodes, net.edges, target);
    state.cy.getElementById(target).data("expanded", true);
    renderChecks();
    applyFilter();
    if (added.length) relayout();
    const notes = [];
    if (net.truncated) notes.push(t("net_truncated", { n: PER_EXPAND }));
    if (cut > 0) notes.push(t("net_cap"));
    updateStatus(notes.join(" "));
    await flagRestricted([target, ...added]);
    if (state.selected === target) select(target);
  }

  /** Force-directed layout from the current positions while the graph is small; beyond
   * that new nodes keep their ring around the expanded node (cheap at any size). */
  function relayout() {
    const cy = state.cy;
    if (cy.nodes().length <= LAYOUT_LIMIT) {
      cy.layout({ name: "cose", animate: false, randomize: false, fit: true, padding: 30, nodeRepulsion: () => 9000, idealEdgeLength: () => 70 }).run();
    } else {
      cy.fit(cy.elements(":visible"), 30);
    }
  }

  function select(id) {
    state.selected = id;
    const n = state.cy.getElementById(id);
    if (n.empty()) return;
    const measures = state.restricted.get(id) || [];
    const subject = SUBJECTS.has(n.data("label"));
    replace(
      side,
      h("span", { class: `pill label-${n.data("label")}` }, labelName(n.data("label"))),
      measures.length ? h("span", { class: "pill restricted" }, t("net_restricted")) : null,
      h("h2", { id: "selected-name" }, n.data("name") || id),
      h("div", { class: "uid" }, id),
      measures.length ? h("ul", { class: "small" }, measures.map((m) => h("li", {}, m))) : null,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "primary", id: "expand-node", onclick: () => expand(id) }, t("net_expand")),
        subject ? h("a", { href: `#/entity/${encodeURIComponent(id)}`, id: "open-entity" }, t("net_open")) : null,
      ),
      h(
        "div",
        { class: "actions small" },
        h("button", { type: "button", class: "link-button", onclick: () => finder.set("a", id) }, `→ ${t("path_a")}`),
        h("button", { type: "button", class: "link-button", onclick: () => finder.set("b", id) }, `→ ${t("path_b")}`),
      ),
    );
  }

  function clear() {
    state.cy.elements().remove();
    state.restricted.clear();
    state.checked.clear();
    renderChecks();
    renderLegend();
    updateStatus();
    replace(side, h("p", { class: "muted" }, t("net_hint")));
  }

  state.drawPath = async (path) => {
    const { added } = addElements(path.nodes, path.edges, null);
    state.cy.batch(() => {
      path.nodes.forEach((n) => state.cy.getElementById(n.uid).addClass("on-path"));
      path.edges.forEach((e) => state.cy.getElementById(e.rid).addClass("on-path"));
    });
    if (added.length) relayout();
    renderChecks();
    applyFilter();
    updateStatus();
    await flagRestricted(added);
  };

  renderLegend();
  updateStatus();
  if (uid) {
    state.cy.add({ group: "nodes", data: { id: uid, label: "", display: uid, expanded: true }, position: { x: 0, y: 0 } });
    state.cy.getElementById(uid).addClass("centre");
    try {
      const profile = await get(ENDPOINTS.entity(uid));
      state.cy.getElementById(uid).data({ label: profile.entity.label, name: profile.entity.name, display: display(profile.entity) });
    } catch (err) {
      replace(side, errorBox(err));
    }
    await expand(uid);
    if (alive()) select(uid);
  } else {
    replace(side, h("p", { class: "muted" }, t("net_start")));
  }
  await finder.runFromParams();
}

function pathFinder(state, params, uid, alive) {
  const a = h("input", { name: "a", id: "path-a", value: params.a || uid || "", placeholder: "uid / USCC / platform:shop_id", required: true });
  const b = h("input", { name: "b", id: "path-b", value: params.b || "", placeholder: "uid / USCC / platform:shop_id", required: true });
  const hops = h("select", { name: "max_hops", id: "path-hops" }, [2, 3, 4, 5, 6].map((n) => h("option", { value: n, selected: n === Number(params.max_hops || 4) }, String(n))));
  const out = h("div", { id: "path-results" });

  async function run() {
    if (!a.value.trim() || !b.value.trim()) return;
    replace(out, loading());
    let page;
    try {
      page = await get(ENDPOINTS.paths, { a: a.value.trim(), b: b.value.trim(), max_hops: hops.value, limit: 5 });
    } catch (err) {
      if (!alive()) return;
      if (err.status === 404) replace(out, h("p", { class: "muted" }, t("path_none", { h: hops.value })));
      else replace(out, errorBox(err));
      return;
    }
    if (!alive()) return;
    replace(
      out,
      h("p", {}, t("path_found", { n: page.items.length, h: page.items[0]?.length ?? 0 })),
      page.items.map((p) => chain(p.nodes, p.edges, { firstClass: "subject", lastClass: "subject" })),
    );
    for (const p of page.items) await state.drawPath(p);
  }

  const element = h(
    "section",
    { class: "card" },
    h("h2", {}, t("path_title")),
    h(
      "form",
      { class: "form-grid", id: "path-form", onsubmit: (e) => { e.preventDefault(); run(); } },
      h("label", {}, t("path_a"), a),
      h("label", {}, t("path_b"), b),
      h("label", {}, t("max_hops"), hops),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("path_find"))),
    ),
    out,
  );
  return {
    element,
    set(which, value) {
      (which === "a" ? a : b).value = value;
    },
    async runFromParams() {
      if (params.a && params.b) await run();
    },
  };
}
