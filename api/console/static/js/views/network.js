// The network view: a cytoscape graph grown from the API one entity at a time (never the
// whole graph). An expansion is grouped by relationship type and the kind of node at the
// other end: small groups are drawn node by node, a large one (a 1,544-store operator) as
// one group node that opens a page at a time, so the people behind a hub stay visible.
// Listings and restrictions are badges on the entity, not nodes, unless asked for. Nodes
// can be hidden, pinned, their leaves folded, and every change undone; a list view gives
// the same graph to the keyboard; a date shows the network as it stood that day.

import cytoscape from "../../vendor/cytoscape.esm.min.js";
import dagre from "../../vendor/cytoscape-dagre.esm.min.js";
import { ENDPOINTS, call, get, getMeta, post } from "../api.js";
import { chain } from "../chain.js";
import { errorBox, errorText, h, loading, replace } from "../dom.js";
import { GROUP, RESTRICTED, colourOf, iconOf, shapeOf, swatch } from "../graphstyle.js";
import { labelName, pick, relName, t } from "../i18n.js";

cytoscape.use(dagre);

/** Most nodes the page holds; expansion stops there. */
export const MAX_NODES = 1500;
/** A group of more neighbours than this is drawn as one group node. */
const GROUP_AT = 12;
/** Neighbours added each time a group node is opened. */
const GROUP_PAGE = 50;
/** Up to this many nodes the whole graph is laid out again after a change. */
const LAYOUT_LIMIT = 400;
/** Most neighbours expanded again by a two-hop expansion. */
const SECOND_HOP = 25;
const SUBJECTS = new Set(["Business", "Person", "Store"]);
/** Kinds of node shown as badges on the entity instead of as nodes, unless ticked. */
const BADGE_LABELS = ["Listing", "Restriction"];
const UNDO_DEPTH = 30;

function style() {
  return [
    {
      selector: "node",
      style: {
        "background-color": "#546e7a",
        "background-fit": "contain",
        "background-clip": "none",
        label: "data(display)",
        "font-size": 10,
        "text-valign": "bottom",
        "text-margin-y": 3,
        "text-wrap": "wrap",
        "text-max-width": 160,
        color: "#1d2733",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.75,
        "text-background-padding": 1,
        width: 22,
        height: 22,
        "border-width": 0,
      },
    },
    // Colour, shape and icon are node data set with the label (kindData), read on redraw.
    { selector: "node[colour]", style: { "background-color": "data(colour)", shape: "data(shape)", "background-image": "data(icon)" } },
    { selector: "node[?expanded]", style: { width: 30, height: 30, "font-weight": "bold" } },
    {
      selector: "node[?group]",
      style: {
        "background-color": GROUP,
        "background-image": "none",
        shape: "round-rectangle",
        // The width is node data set with the label (groupWidth).
        width: "data(w)",
        height: 26,
        label: "data(display)",
        "text-valign": "center",
        "text-margin-y": 0,
        color: "#ffffff",
        "text-background-opacity": 0,
        "font-size": 11,
        "border-width": 2,
        "border-style": "dashed",
        "border-color": "data(colour)",
      },
    },
    { selector: "node.centre", style: { "border-width": 3, "border-color": "#0b2e4f" } },
    { selector: "node.restricted", style: { "border-width": 4, "border-color": RESTRICTED, "border-style": "double" } },
    { selector: "node.pinned", style: { "outline-width": 2, "outline-color": "#0b2e4f", "outline-offset": 2 } },
    { selector: "node.on-path", style: { "border-width": 4, "border-color": "#e6a700" } },
    { selector: "node.dimmed", style: { opacity: 0.25 } },
    { selector: "node:selected", style: { "overlay-color": "#1f4e79", "overlay-opacity": 0.25, "overlay-padding": 6 } },
    {
      selector: "edge",
      style: {
        width: 1.4,
        "line-color": "#9aa6b2",
        "target-arrow-color": "#9aa6b2",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.7,
        "curve-style": "bezier",
        label: "data(display)",
        "font-size": 8,
        color: "#4a5663",
        "text-rotation": "autorotate",
        "text-background-color": "#fff",
        "text-background-opacity": 0.85,
        "text-background-padding": 1,
      },
    },
    { selector: "edge[?group]", style: { "line-style": "dashed" } },
    { selector: "edge.on-path", style: { width: 3, "line-color": "#e6a700", "target-arrow-color": "#e6a700" } },
    { selector: ".hidden", style: { display: "none" } },
  ];
}

function display(node) {
  const props = node.props || {};
  if (node.label === "Restriction") return pick(props, "measure_name") || props.measure || node.uid;
  if (node.label === "Listing") return props.listing_id || node.uid;
  if (node.label === "Violation") return props.violation_id || node.uid;
  if (node.label === "Licence") return props.licence_no || node.uid;
  return node.name || node.uid.replace(/^[a-z]+:/, "");
}

/** A measure id in words, from the server's rule set (the id itself when unknown). */
export function measureName(id) {
  const found = getMeta()?.measures?.find((m) => m.id === id);
  return found ? pick(found, "name") : id;
}

/** The colour, shape and icon of a kind of node, as node data. */
function kindData(label) {
  return { colour: colourOf(label), shape: shapeOf(label), icon: iconOf(label) };
}

/** A group node's width for its label ("1,544 个网店"). */
function groupWidth(text) {
  return Math.max(64, [...String(text)].reduce((w, ch) => w + (ch.charCodeAt(0) > 255 ? 12 : 7), 16));
}

const today = () => new Date().toISOString().slice(0, 10);
const groupId = (anchor, b) => `group:${anchor}|${b.type}|${b.direction}|${b.label}`;

export async function renderNetwork(root, uid, params, alive) {
  const state = {
    cy: null,
    // Relationship types the officer has unticked. Until the officer unticks one, every
    // type is drawn; once the view is narrowed, a type first seen later (an expansion, a
    // path, a case) arrives unticked and marked new, so the narrowed view stays as chosen.
    // Expansions fetch every type; asking for a type by name shows it.
    offTypes: new Set(),
    seenTypes: new Set(),
    newTypes: new Set(),
    narrowed: false,
    restricted: new Map(),
    checked: new Set(),
    badges: new Map(), // uid → {Listing: n, Restriction: n}
    buckets: new Map(), // uid → buckets of its last expansion
    showLabels: new Set(),
    at: params.at || today(),
    layout: params.layout === "tree" ? "tree" : "force",
    selected: null,
    undo: [],
    listView: false,
  };

  const container = h("div", { id: "cy", role: "img", "aria-label": t("net_canvas_label") });
  const status = h("div", { class: "muted small", id: "net-status", role: "status" });
  const side = h("aside", { class: "card sidepanel", id: "net-side", "aria-label": t("net_selected") }, h("p", { class: "muted" }, t("net_hint")));
  const checks = h("div", { class: "checks", id: "rel-filter" });
  const legend = h("div", { class: "legend", id: "net-legend", "aria-label": t("net_legend") });
  const list = h("div", { id: "net-list", hidden: true });
  const dateInput = h("input", { type: "date", id: "net-at", value: state.at, max: "2100-12-31", onchange: () => setDate(dateInput.value) });
  const layoutSelect = h(
    "select",
    { id: "net-layout", onchange: () => { state.layout = layoutSelect.value; relayout(true); } },
    h("option", { value: "force", selected: state.layout === "force" }, t("net_layout_force")),
    h("option", { value: "tree", selected: state.layout === "tree" }, t("net_layout_tree")),
  );
  const badgeChecks = BADGE_LABELS.map((label) =>
    h("label", {}, h("input", {
      type: "checkbox",
      id: `show-${label}`,
      onchange: (e) => {
        if (e.target.checked) state.showLabels.add(label);
        else state.showLabels.delete(label);
        reexpandAll();
      },
    }), t("net_show_nodes", { kind: labelName(label) })),
  );
  const undoButton = h("button", { type: "button", class: "secondary", id: "net-undo", disabled: true, onclick: () => undo() }, t("net_undo"));
  const listButton = h("button", { type: "button", class: "secondary", id: "net-list-toggle", "aria-pressed": "false", onclick: () => toggleList() }, t("net_list_view"));
  const finder = pathFinder(state, params, uid, alive);
  const casePanel = casePanelOf(state, alive, () => cy);

  root.append(
    h("h1", { class: "page-title" }, t("net_title")),
    h(
      "section",
      { class: "card", "aria-label": t("net_tools") },
      h(
        "div",
        { class: "toolbar" },
        h("label", { class: "small field-inline", for: "net-at" }, t("net_at"), dateInput),
        h("label", { class: "small field-inline", for: "net-layout" }, t("net_layout"), layoutSelect),
        h("button", { type: "button", class: "secondary", onclick: () => state.cy?.fit(undefined, 30) }, t("net_fit")),
        undoButton,
        listButton,
        h("button", { type: "button", class: "secondary", id: "net-clear", onclick: () => { snapshot(); clear(); } }, t("net_clear")),
        status,
      ),
      h("div", { class: "checks" }, badgeChecks),
      h("div", { class: "small muted", id: "rel-filter-title" }, `${t("net_filter")}${t("net_filter_hint")}:`),
      checks,
    ),
    h("div", { class: "network" }, h("div", {}, container, legend, list), side),
    casePanel.element,
    finder.element,
  );

  state.cy = cytoscape({ container, style: style(), elements: [], minZoom: 0.05, maxZoom: 3 });
  const cy = state.cy;
  window.__credgraphCy = cy; // for the browser tests and the curious officer
  window.__credgraphNet = { relayout: () => relayout(true), state };
  cy.on("tap", "node", (evt) => select(evt.target.id()));
  cy.on("dbltap", "node", (evt) => (evt.target.data("group") ? openGroup(evt.target.id()) : expand(evt.target.id())));

  // -- undo ----------------------------------------------------------------------------
  function snapshot() {
    state.undo.push({
      elements: cy.elements().jsons(),
      restricted: new Map(state.restricted),
      badges: new Map(state.badges),
    });
    if (state.undo.length > UNDO_DEPTH) state.undo.shift();
    undoButton.disabled = false;
  }

  function undo() {
    const last = state.undo.pop();
    undoButton.disabled = state.undo.length === 0;
    if (!last) return;
    // Restore by difference: elements that stayed are updated in place, not removed and
    // added again, so their ids, positions and rendered state carry over.
    const keep = new Set(last.elements.map((j) => j.data.id));
    cy.batch(() => {
      cy.elements().filter((e) => !keep.has(e.id())).remove();
      const missing = last.elements.filter((j) => cy.getElementById(j.data.id).empty());
      cy.add(missing.filter((j) => j.group === "nodes"));
      cy.add(missing.filter((j) => j.group === "edges"));
      for (const j of last.elements) {
        const e = cy.getElementById(j.data.id);
        if (e.empty()) continue;
        // data() merges: keys set since (expanded, a group's count) are removed first.
        const gone = Object.keys(e.data()).filter((k) => !(k in j.data) && k !== "id" && k !== "source" && k !== "target");
        if (gone.length) e.removeData(gone.join(" "));
        e.data(j.data);
        e.classes(j.classes || "");
        if (j.group === "nodes") {
          if (e.locked() && !j.locked) e.unlock();
          if (j.position) e.position(j.position);
          if (j.locked) e.lock();
        }
      }
    });
    state.restricted = last.restricted;
    state.badges = last.badges;
    afterChange(false);
    updateStatus(t("net_undone"));
  }

  // -- drawing -------------------------------------------------------------------------
  function nodeData(n) {
    return { id: n.uid, label: n.label, name: n.name, display: display(n), ...kindData(n.label) };
  }

  function labelText(id) {
    const n = cy.getElementById(id);
    if (n.data("group")) return t("net_group", { n: n.data("remaining").toLocaleString(), kind: labelName(n.data("label")) });
    const base = n.data("base") ?? n.data("display");
    const measures = state.restricted.get(id) || [];
    const badges = state.badges.get(id) || {};
    const marks = [];
    if (measures.length) marks.push(t("net_badge_restricted", { n: measures.length }));
    if (badges.Listing) marks.push(t("net_badge_listed", { n: badges.Listing }));
    return marks.length ? `${base}\n[${marks.join(" · ")}]` : base;
  }

  function refreshLabels() {
    cy.batch(() =>
      cy.nodes().forEach((n) => {
        if (n.data("base") === undefined && !n.data("group")) n.data("base", n.data("display"));
        const text = labelText(n.id());
        n.data(n.data("group") ? { display: text, w: groupWidth(text) } : { display: text });
      }),
    );
  }

  function place(anchor, count, i) {
    const c = anchor && cy.getElementById(anchor).nonempty() ? cy.getElementById(anchor).position() : { x: 0, y: 0 };
    const radius = 90 + count * 4;
    const angle = (2 * Math.PI * i) / Math.max(count, 1);
    return { x: c.x + radius * Math.cos(angle), y: c.y + radius * Math.sin(angle) };
  }

  /** Add API nodes and edges around `anchor`; returns the uids added and how many the cap cut. */
  function addElements(nodes, edges, anchor) {
    const fresh = nodes.filter((n) => cy.getElementById(n.uid).empty());
    const room = Math.max(0, MAX_NODES - cy.nodes().length);
    const taken = fresh.slice(0, room);
    cy.batch(() => {
      taken.forEach((n, i) => cy.add({ group: "nodes", data: nodeData(n), position: place(anchor, taken.length, i) }));
      for (const e of edges) {
        if (cy.getElementById(e.rid).nonempty()) continue;
        if (cy.getElementById(e.src).empty() || cy.getElementById(e.dst).empty()) continue;
        cy.add({ group: "edges", data: { id: e.rid, source: e.src, target: e.dst, type: e.type, display: relName(e.type), since: e.props?.since, until: e.props?.until } });
      }
    });
    return { added: taken.map((n) => n.uid), cut: fresh.length - taken.length };
  }

  function addGroup(anchor, bucket, remaining) {
    const id = groupId(anchor, bucket);
    const existing = cy.getElementById(id);
    if (existing.nonempty()) {
      existing.data({ remaining });
      const text = labelText(id);
      existing.data({ display: text, w: groupWidth(text) });
      return;
    }
    const [source, target] = bucket.direction === "out" ? [anchor, id] : [id, anchor];
    cy.add({ group: "nodes", data: { id, group: true, anchor, type: bucket.type, direction: bucket.direction, label: bucket.label, total: bucket.count, opened: 0, remaining, display: "", w: 64, ...kindData(bucket.label) }, position: place(anchor, 8, cy.nodes().length % 8) });
    const text = labelText(id);
    cy.getElementById(id).data({ display: text, w: groupWidth(text) });
    cy.add({ group: "edges", data: { id: `${id}#edge`, source, target, type: bucket.type, group: true, display: relName(bucket.type) } });
  }

  // -- expanding -----------------------------------------------------------------------
  async function expand(target, { quiet = false, record = true, layout = true } = {}) {
    if (cy.nodes().length >= MAX_NODES) {
      updateStatus(t("net_cap"));
      return [];
    }
    if (!quiet) updateStatus(t("loading"));
    let grown;
    try {
      grown = await get(`/console/api/entities/${encodeURIComponent(target)}/expand`, {
        group_at: GROUP_AT,
        hide: BADGE_LABELS.filter((l) => !state.showLabels.has(l)),
        at: state.at,
      });
    } catch (err) {
      if (alive()) {
        replace(side, errorBox(err));
        updateStatus("");
      }
      return [];
    }
    if (!alive()) return [];
    if (record) snapshot();
    if (cy.getElementById(target).empty()) addElements([grown.centre], [], null);
    const node = cy.getElementById(target);
    node.data({ label: grown.centre.label, name: grown.centre.name, expanded: true, ...kindData(grown.centre.label) });
    if (!node.data("base")) node.data({ display: display(grown.centre), base: display(grown.centre) });
    state.buckets.set(target, grown.buckets);
    const { added, cut } = addElements(grown.nodes, grown.edges, target);
    const badges = {};
    cy.batch(() => {
      for (const b of grown.buckets) {
        if (BADGE_LABELS.includes(b.label) && !state.showLabels.has(b.label)) {
          badges[b.label] = (badges[b.label] || 0) + b.count;
        } else if (!b.fetched) {
          const id = groupId(target, b);
          const opened = cy.getElementById(id).data("opened") || 0;
          if (opened < b.count) addGroup(target, b, b.count - opened);
        }
      }
    });
    state.badges.set(target, badges);
    await flagRestricted([target, ...added]);
    afterChange(layout && added.length > 0);
    if (!quiet) updateStatus(cut > 0 ? t("net_cap") : t("net_expanded", { name: node.data("base") || target, n: added.length }));
    if (state.selected === target) select(target);
    return added;
  }

  async function expandTwoHops(target) {
    updateStatus(t("loading"));
    if (!cy.getElementById(target).data("expanded")) await expand(target, { quiet: true, layout: false });
    else snapshot();
    const next = cy.getElementById(target).neighborhood("node")
      .filter((n) => !n.data("group") && !n.data("expanded") && SUBJECTS.has(n.data("label")))
      .map((n) => n.id())
      .slice(0, SECOND_HOP);
    for (const u of next) {
      if (!alive() || cy.nodes().length >= MAX_NODES) break;
      await expand(u, { quiet: true, record: false, layout: false });
    }
    relayout(false);
    updateStatus(t("net_two_hops", { n: next.length }));
  }

  /** The next page of a group's neighbours; the group node shrinks and goes when empty. */
  async function openGroup(id, limit = GROUP_PAGE) {
    const g = cy.getElementById(id);
    if (g.empty()) return;
    const { anchor, type, direction, label, opened } = g.data();
    let page;
    try {
      page = await get(`/console/api/entities/${encodeURIComponent(anchor)}/neighbours`, { type, direction, label, offset: opened, limit, at: state.at });
    } catch (err) {
      if (alive()) replace(side, errorBox(err));
      return;
    }
    if (!alive()) return;
    snapshot();
    state.offTypes.delete(type); // asked for by name: shown even if it was unticked
    state.newTypes.delete(type);
    state.seenTypes.add(type);
    const { added } = addElements(page.nodes, page.edges, id);
    const nowOpened = opened + page.nodes.length;
    if (nowOpened >= page.total) {
      g.remove();
      state.selected = null;
    } else {
      g.data({ opened: nowOpened, remaining: page.total - nowOpened });
      const text = labelText(id);
      g.data({ display: text, w: groupWidth(text) });
    }
    await flagRestricted(added);
    afterChange(added.length > 0);
    updateStatus(t("net_group_opened", { n: page.nodes.length, left: Math.max(0, page.total - nowOpened) }));
    if (cy.getElementById(id).nonempty()) select(id);
  }

  /** Neighbours of one relationship type (and kind) only: "expand by type". */
  async function expandBucket(target, bucket) {
    const id = groupId(target, bucket);
    if (cy.getElementById(id).empty()) addGroup(target, bucket, bucket.count);
    await openGroup(id);
  }

  /** Degree-one neighbours of `target` folded back into their groups. */
  function foldLeaves(target) {
    const buckets = state.buckets.get(target) || [];
    snapshot();
    let folded = 0;
    cy.batch(() => {
      for (const b of buckets) {
        const leaves = cy.getElementById(target).connectedEdges().filter((e) => e.data("type") === b.type && !e.data("group")).connectedNodes().filter((n) =>
          n.id() !== target && n.data("label") === b.label && n.degree() === 1 && !n.hasClass("pinned") && !n.data("expanded"));
        if (leaves.length < 2) continue;
        folded += leaves.length;
        leaves.remove();
        const gid = groupId(target, b);
        if (cy.getElementById(gid).nonempty()) cy.getElementById(gid).remove();
        addGroup(target, b, b.count);
      }
    });
    afterChange(true);
    updateStatus(t("net_folded", { n: folded }));
  }

  function hideNode(id) {
    snapshot();
    cy.getElementById(id).remove();
    state.selected = null;
    replace(side, h("p", { class: "muted" }, t("net_hidden")));
    afterChange(false);
  }

  function togglePin(id) {
    snapshot();
    const n = cy.getElementById(id);
    if (n.locked()) n.unlock().removeClass("pinned");
    else n.lock().addClass("pinned");
    select(id);
  }

  async function flagRestricted(uids) {
    const asked = uids.filter((u) => !state.checked.has(u) && SUBJECTS.has(cy.getElementById(u).data("label")));
    asked.forEach((u) => state.checked.add(u));
    for (let i = 0; i < asked.length; i += 1000) {
      const answer = await post(ENDPOINTS.restricted, { uids: asked.slice(i, i + 1000), at: state.at });
      for (const [u, measures] of Object.entries(answer.restricted)) {
        state.restricted.set(u, measures);
        cy.getElementById(u).addClass("restricted");
      }
    }
  }

  function afterChange(layout) {
    cy.nodes().forEach((n) => n.toggleClass("restricted", state.restricted.has(n.id())));
    refreshLabels();
    renderChecks();
    applyFilter();
    renderLegend();
    if (layout) relayout(false);
    if (state.listView) renderList();
    updateStatus();
  }

  /** Force-directed (or, for ownership trees, layered top-down) while the graph is small;
   * beyond that new nodes keep their ring around the node expanded. */
  function relayout(always) {
    const n = cy.nodes().length;
    if (!always && n > LAYOUT_LIMIT) {
      cy.fit(cy.elements(":visible"), 30);
      return;
    }
    // cose is quadratic: 9.5 s at 500 nodes and minutes at 1,500 on a loaded 2-core
    // machine (docs/console.md), so beyond LAYOUT_LIMIT "force" means rings by degree.
    const options =
      state.layout === "tree"
        ? { name: "dagre", rankDir: "TB", nodeSep: 18, rankSep: 70, animate: false, fit: true, padding: 30 }
        : n <= LAYOUT_LIMIT
          ? { name: "cose", animate: false, randomize: false, fit: true, padding: 30, nodeRepulsion: () => 12000, idealEdgeLength: () => 80 }
          : { name: "concentric", animate: false, fit: true, padding: 30, minNodeSpacing: 6, concentric: (node) => node.degree(), levelWidth: () => 2 };
    state.lastLayout = options.name;
    cy.elements(":visible").not(".pinned").layout(options).run();
  }

  async function setDate(value) {
    if (!value) return;
    state.at = value;
    state.restricted.clear();
    state.checked.clear();
    await reexpandAll();
  }

  /** Build the graph again from the nodes that were expanded (a new date or badge choice). */
  async function reexpandAll() {
    const expanded = cy.nodes("[?expanded]").map((n) => n.id());
    snapshot();
    cy.elements().remove();
    state.restricted.clear();
    state.checked.clear();
    for (const u of expanded) await expand(u, { quiet: true, record: false, layout: false });
    relayout(false);
    if (uid && cy.getElementById(uid).nonempty()) cy.getElementById(uid).addClass("centre");
    updateStatus(t("net_as_of", { d: state.at }));
  }

  // -- panels --------------------------------------------------------------------------
  function renderLegend() {
    const labels = [...new Set(cy.nodes().map((n) => n.data("label")))].filter(Boolean).sort();
    replace(
      legend,
      labels.map((l) => h("span", {}, swatch(l), labelName(l))),
      cy.nodes("[?group]").nonempty() ? h("span", {}, h("i", { class: "swatch group", "aria-hidden": "true" }, "…"), t("net_legend_group")) : null,
      h("span", {}, h("i", { class: "swatch ring", "aria-hidden": "true" }), t("net_restricted")),
    );
  }

  function renderChecks() {
    const present = [...new Set(cy.edges().map((e) => e.data("type")))].sort();
    for (const type of present) {
      if (state.seenTypes.has(type)) continue;
      state.seenTypes.add(type);
      if (state.narrowed && !state.offTypes.has(type)) {
        state.offTypes.add(type);
        state.newTypes.add(type);
      }
    }
    replace(
      checks,
      present.map((type) =>
        h("label", {}, h("input", {
          type: "checkbox",
          value: type,
          checked: !state.offTypes.has(type),
          onchange: (e) => {
            if (e.target.checked) state.offTypes.delete(type);
            else {
              state.offTypes.add(type);
              state.narrowed = true;
            }
            if (state.newTypes.delete(type)) renderChecks(); // its "new" mark goes
            applyFilter();
          },
        }), relName(type), state.newTypes.has(type) ? h("span", { class: "pill new-type" }, t("net_new_type")) : null),
      ),
    );
  }

  function applyFilter() {
    cy.batch(() => {
      cy.edges().forEach((e) => e.toggleClass("hidden", state.offTypes.has(e.data("type"))));
      cy.nodes().forEach((n) => {
        const keep = n.data("expanded") || n.hasClass("on-path") || n.connectedEdges().some((e) => !e.hasClass("hidden"));
        n.toggleClass("hidden", !keep);
      });
    });
  }

  function updateStatus(extra = "") {
    replace(status, t("net_nodes", { n: cy.nodes().length, max: MAX_NODES }), ` · ${t("net_as_of", { d: state.at })}`, extra ? ` · ${extra}` : "");
  }

  function toggleList() {
    state.listView = !state.listView;
    list.hidden = !state.listView;
    listButton.setAttribute("aria-pressed", String(state.listView));
    if (state.listView) renderList();
  }

  /** The graph as a table: every visible node with its links, operable from the keyboard. */
  function renderList() {
    const nodes = cy.nodes(":visible").sort((a, b) => String(a.data("label")).localeCompare(b.data("label")) || String(a.data("base") || a.data("display")).localeCompare(b.data("base") || b.data("display")));
    const rows = nodes.map((n) => {
      const id = n.id();
      const links = n.connectedEdges().map((e) => {
        const other = e.source().id() === id ? e.target() : e.source();
        return `${relName(e.data("type"))}${e.source().id() === id ? "→" : "←"}${other.data("base") || other.data("display")}`;
      });
      const group = n.data("group");
      return h(
        "tr",
        { dataset: { uid: id } },
        h("td", {}, labelName(n.data("label"))),
        h("td", {}, group ? labelText(id) : n.data("base") || n.data("display"),
          state.restricted.has(id) ? h("span", { class: "pill restricted" }, t("net_restricted")) : null),
        h("td", { class: "small" }, links.slice(0, 6).join("；"), links.length > 6 ? ` …(${links.length})` : ""),
        h(
          "td",
          {},
          group
            ? h("button", { type: "button", class: "link-button", onclick: () => openGroup(id) }, t("net_open_group"))
            : h("button", { type: "button", class: "link-button", onclick: () => expand(id) }, t("net_expand")),
          " ",
          h("button", { type: "button", class: "link-button", onclick: () => { select(id); side.focus(); } }, t("detail")),
        ),
      );
    });
    replace(
      list,
      h("h2", {}, t("net_list_view")),
      h("div", { class: "scroll" }, h("table", { id: "net-list-table" },
        h("caption", { class: "sr-only" }, t("net_list_view")),
        h("thead", {}, h("tr", {}, [t("kind"), t("name"), t("net_links"), t("action")].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, rows),
      )),
    );
  }

  function select(id) {
    state.selected = id;
    const n = cy.getElementById(id);
    if (n.empty()) return;
    if (n.data("group")) return selectGroup(n);
    const measures = state.restricted.get(id) || [];
    const badges = state.badges.get(id) || {};
    const subject = SUBJECTS.has(n.data("label"));
    const buckets = state.buckets.get(id);
    replace(
      side,
      h("span", { class: `pill label-${n.data("label")}` }, labelName(n.data("label"))),
      measures.length ? h("span", { class: "pill restricted" }, t("net_restricted")) : null,
      h("h2", { id: "selected-name" }, n.data("base") || n.data("name") || id),
      h("div", { class: "uid" }, id),
      measures.length ? h("ul", { class: "small", id: "selected-measures" }, measures.map((m) => h("li", {}, measureName(m)))) : null,
      badges.Listing ? h("p", { class: "small" }, t("net_badge_listed", { n: badges.Listing })) : null,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "primary", id: "expand-node", onclick: () => expand(id) }, t("net_expand")),
        h("button", { type: "button", class: "secondary", id: "expand-two", onclick: () => expandTwoHops(id) }, t("net_expand_two")),
        subject ? h("a", { href: `#/entity/${encodeURIComponent(id)}`, id: "open-entity" }, t("net_open")) : null,
      ),
      h(
        "div",
        { class: "actions small" },
        h("button", { type: "button", class: "link-button", id: "hide-node", onclick: () => hideNode(id) }, t("net_hide")),
        h("button", { type: "button", class: "link-button", id: "pin-node", "aria-pressed": String(n.locked()), onclick: () => togglePin(id) }, n.locked() ? t("net_unpin") : t("net_pin")),
        n.data("expanded") ? h("button", { type: "button", class: "link-button", id: "fold-leaves", onclick: () => foldLeaves(id) }, t("net_fold")) : null,
        h("button", { type: "button", class: "link-button", onclick: () => finder.set("a", id) }, `→ ${t("path_a")}`),
        h("button", { type: "button", class: "link-button", onclick: () => finder.set("b", id) }, `→ ${t("path_b")}`),
      ),
      buckets
        ? h(
            "div",
            { id: "by-type" },
            h("h3", {}, t("net_by_type")),
            h("ul", { class: "bucket-list" }, buckets.filter((b) => !BADGE_LABELS.includes(b.label) || state.showLabels.has(b.label)).map((b) =>
              h("li", {},
                h("button", { type: "button", class: "link-button", onclick: () => expandBucket(id, b) },
                  `${relName(b.type)}${b.direction === "out" ? "→" : "←"} ${labelName(b.label)}`),
                " ",
                h("span", { class: "muted small" }, b.count.toLocaleString()),
              ))),
          )
        : h("p", { class: "muted small" }, t("net_by_type_hint")),
    );
  }

  function selectGroup(n) {
    const d = n.data();
    const anchor = cy.getElementById(d.anchor);
    replace(
      side,
      h("span", { class: "pill" }, t("net_legend_group")),
      h("h2", { id: "selected-name" }, labelText(n.id())),
      h("p", { class: "small" }, t("net_group_of", { name: anchor.data("base") || d.anchor, rel: relName(d.type), kind: labelName(d.label), n: d.total.toLocaleString() })),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "primary", id: "open-group", onclick: () => openGroup(n.id()) }, t("net_open_group_n", { n: Math.min(GROUP_PAGE, d.remaining) })),
        h("button", { type: "button", class: "link-button", onclick: () => hideNode(n.id()) }, t("net_hide")),
      ),
    );
  }

  function clear() {
    cy.elements().remove();
    state.restricted.clear();
    state.checked.clear();
    state.badges.clear();
    state.buckets.clear();
    afterChange(false);
    replace(side, h("p", { class: "muted" }, t("net_hint")));
  }

  state.drawPath = async (path) => {
    const { added } = addElements(path.nodes.map((n) => ({ ...n, props: {} })), path.edges.map((e) => ({ ...e, props: { since: e.since, until: e.until } })), null);
    cy.batch(() => {
      path.nodes.forEach((n) => cy.getElementById(n.uid).addClass("on-path"));
      path.edges.forEach((e) => cy.getElementById(e.rid).addClass("on-path"));
    });
    await flagRestricted(added);
    afterChange(added.length > 0);
  };
  state.restrictedOf = async (uids) => {
    const asked = uids.filter((u) => !state.checked.has(u) && /^(biz|person|store):/.test(u));
    asked.forEach((u) => state.checked.add(u));
    for (let i = 0; i < asked.length; i += 1000) {
      const answer = await post(ENDPOINTS.restricted, { uids: asked.slice(i, i + 1000), at: state.at });
      for (const [u, measures] of Object.entries(answer.restricted)) state.restricted.set(u, measures);
    }
    return state.restricted;
  };

  /** A saved case: its nodes where they were, the relationships among them on its date. */
  state.loadCase = async (c) => {
    if (c.at) {
      state.at = c.at;
      dateInput.value = c.at;
    }
    const uids = c.nodes.map((n) => n.uid);
    const drawn = await post("/console/api/edges", { uids, at: state.at });
    if (!alive()) return;
    const positions = new Map(c.nodes.map((n) => [n.uid, n]));
    cy.batch(() => {
      for (const n of drawn.nodes) {
        const at = positions.get(n.uid);
        cy.add({ group: "nodes", data: { ...nodeData(n), expanded: false }, position: { x: at.x, y: at.y } });
        if (at.pinned) cy.getElementById(n.uid).lock().addClass("pinned");
      }
    });
    addElements([], drawn.edges, null);
    await flagRestricted(drawn.nodes.map((n) => n.uid));
    afterChange(false);
    cy.fit(undefined, 30);
    updateStatus(t("case_loaded", { name: c.name, n: drawn.nodes.length }));
  };

  renderLegend();
  updateStatus();
  if (params.case) {
    try {
      const c = await get(`/console/api/cases/${encodeURIComponent(params.case)}`);
      casePanel.show(c);
      await state.loadCase(c);
    } catch (err) {
      if (alive()) replace(side, errorBox(err));
    }
  } else if (uid) {
    cy.add({ group: "nodes", data: { id: uid, label: "", display: uid }, position: { x: 0, y: 0 } });
    cy.getElementById(uid).addClass("centre");
    await expand(uid, { record: false });
    if (alive() && cy.getElementById(uid).nonempty()) select(uid);
  } else {
    replace(side, h("p", { class: "muted" }, t("net_start")));
  }
  await finder.runFromParams();
}

/** Name, notes, save (new or over the version opened) and a PNG of the graph. */
function casePanelOf(state, alive, cyOf) {
  let current = null;
  const name = h("input", { id: "case-name", name: "name", maxlength: 200, required: true });
  const notes = h("textarea", { id: "case-notes", name: "notes", maxlength: 20000, rows: 3 });
  const message = h("div", { id: "case-message", role: "status" });
  const save = h("button", { type: "submit", class: "primary", id: "case-save" }, t("case_save"));
  const png = h("button", { type: "button", class: "secondary", id: "export-png", onclick: () => exportPng() }, t("export_png"));
  const report = h("a", { id: "case-report-link", hidden: true }, t("case_report"));

  function exportPng() {
    const cy = cyOf();
    const link = h("a", { href: cy.png({ full: true, scale: 2, bg: "#ffffff" }), download: `${name.value.trim() || "network"}.png` });
    document.body.append(link);
    link.click();
    link.remove();
  }

  function show(c) {
    current = c;
    name.value = c.name;
    notes.value = c.notes;
    save.textContent = t("case_update");
    report.hidden = false;
    report.setAttribute("href", `#/cases/${encodeURIComponent(c.case_id)}/report`);
  }

  async function submit(event) {
    event.preventDefault();
    const cy = cyOf();
    const body = {
      name: name.value.trim(),
      notes: notes.value,
      at: state.at,
      nodes: cy.nodes("[!group]").map((n) => ({ uid: n.id(), x: n.position("x"), y: n.position("y"), pinned: n.locked() })),
      version: current ? current.version : 0,
    };
    try {
      const saved = current
        ? await call("PUT", `/console/api/cases/${encodeURIComponent(current.case_id)}`, body)
        : await post("/console/api/cases", body);
      if (!alive()) return;
      show(saved);
      replace(message, h("div", { class: "notice" }, t("case_saved_ok", { v: saved.version })));
    } catch (err) {
      if (!alive()) return;
      replace(message, err.status === 409 ? h("div", { class: "error", role: "alert" }, t("case_conflict")) : errorBox(err));
    }
  }

  const element = h(
    "section",
    { class: "card", id: "case-panel", "aria-labelledby": "case-title" },
    h("h2", { id: "case-title" }, t("case_panel")),
    h(
      "form",
      { class: "form-grid", id: "case-form", onsubmit: submit },
      h("label", {}, t("case_name"), name),
      h("label", {}, t("case_notes"), notes),
      h("div", { class: "actions" }, save, png, report),
    ),
    message,
  );
  return { element, show };
}

/** Paths that pass through the same entities in the same order are one route: the API
 * can return it once per parallel relationship (an address both registered and shipped
 * from). Returns [{path, count}] in the API's order. */
export function mergePaths(items) {
  const byRoute = new Map();
  for (const p of items) {
    const key = p.nodes.map((n) => n.uid).join(">");
    const seen = byRoute.get(key);
    if (seen) {
      seen.count += 1;
      seen.types.push(p.edges.map((e) => e.type));
    } else byRoute.set(key, { path: p, count: 1, types: [p.edges.map((e) => e.type)] });
  }
  return [...byRoute.values()];
}

function pathFinder(state, params, uid, alive) {
  const a = h("input", { name: "a", id: "path-a", value: params.a || uid || "", placeholder: "uid / USCC / platform:shop_id", required: true });
  const b = h("input", { name: "b", id: "path-b", value: params.b || "", placeholder: "uid / USCC / platform:shop_id", required: true });
  const hops = h("select", { name: "max_hops", id: "path-hops" }, [2, 3, 4, 5, 6].map((n) => h("option", { value: n, selected: n === Number(params.max_hops || 4) }, String(n))));
  const out = h("div", { id: "path-results", "aria-live": "polite" });

  async function run() {
    if (!a.value.trim() || !b.value.trim()) return;
    replace(out, loading());
    let page;
    try {
      page = await get(ENDPOINTS.paths, { a: a.value.trim(), b: b.value.trim(), max_hops: hops.value, limit: 10 });
    } catch (err) {
      if (!alive()) return;
      if (err.status === 404 && !/entity|subject|主体/i.test(err.problem?.detail || "")) replace(out, h("p", { class: "muted" }, t("path_none", { h: hops.value })));
      else replace(out, h("div", { class: "error", role: "alert" }, errorText(err)));
      return;
    }
    if (!alive()) return;
    const routes = mergePaths(page.items);
    const restricted = await state.restrictedOf([...new Set(routes.flatMap((r) => r.path.nodes.map((n) => n.uid)))]);
    if (!alive()) return;
    replace(
      out,
      h("p", {}, t("path_found_routes", { n: routes.length, h: page.items[0]?.edges.length ?? 0 })),
      routes.map((r) =>
        h("div", { class: "route" },
          chain(r.path.nodes, r.path.edges, { firstClass: "subject", lastClass: "subject", restricted }),
          r.count > 1 ? h("div", { class: "muted small merged" }, t("path_merged", { n: r.count })) : null),
      ),
    );
    for (const r of routes) await state.drawPath(r.path);
  }

  const element = h(
    "section",
    { class: "card", "aria-labelledby": "path-title" },
    h("h2", { id: "path-title" }, t("path_title")),
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
