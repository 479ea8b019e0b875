// Brand pages (品牌保护): the brands a key may act for, and for one brand its infringement
// links (each drawn as a chain report → store → operator → other store, with weight and
// evidence), repeat infringers ranked with reasons, its reports, and a form to file one.
// Every list is one page from the server (20 rows); a brand key sees only its own brands
// (the server enforces it in every query; a page for another brand shows only a refusal).

import { ApiError, ENDPOINTS, call, cursorOf, get, pageOf, post } from "../api.js";
import { entityLink, errorBox, fmtDate, fmtScore, formValues, h, loading, replace, section, table } from "../dom.js";
import { getLang, labelName, relName, statusName, t } from "../i18n.js";

const PAGE = 20;
const TABS = ["links", "repeat", "reports", "file"];
const STATUSES = ["pending", "confirmed", "rejected", "countered"];
const WEIGHTS = ["0", "0.3", "0.5", "0.7"];
const LABELS = {
  biz: "Business",
  person: "Person",
  store: "Store",
  report: "InfringementReport",
  shell: "ShellCluster",
  brand: "Brand",
  member: "AllianceMember",
};
// Which way each relationship on a link path is stored: [from label, to label] pairs.
const REL_PAIRS = {
  REPORTS: [["InfringementReport", "Store"]],
  OPERATES: [["Business", "Store"], ["Person", "Store"]],
  LEGAL_REPRESENTATIVE_OF: [["Person", "Business"]],
  ACTUAL_CONTROLLER_OF: [["Person", "Business"], ["Business", "Business"]],
  MEMBER_OF: [["Business", "ShellCluster"]],
};

const colon = () => (getLang() === "zh" ? "：" : ": ");
const labelOf = (uid) => LABELS[String(uid).split(":")[0]] || null;
const href = (brand, tab, params = {}) => {
  const query = new URLSearchParams(
    Object.entries(params).filter(([, v]) => v !== "" && v !== null && v !== undefined && v !== "0"),
  ).toString();
  return `#/brands/${encodeURIComponent(brand)}/${tab}${query ? `?${query}` : ""}`;
};
const offsetOf = (params) => Math.min(10_000, Math.max(0, Number.parseInt(params.offset || "0", 10) || 0));

export async function renderBrands(root, rest, params, alive, me) {
  const officer = me?.scope === "officer";
  const [brand, tab] = rest ? rest.split("/") : [];
  if (!brand) return renderList(root, params, alive, officer);
  return renderBrand(root, brand, TABS.includes(tab) ? tab : "links", params, alive, officer);
}

// -- the brands in scope ------------------------------------------------------------------
async function renderList(root, params, alive, officer) {
  const { cursor, at } = pageOf(params);
  const box = section(
    officer ? t("brands_all") : t("brands_mine"),
    h("p", { class: "muted small" }, officer ? t("brands_hint_officer") : t("brands_hint_member")),
    loading(),
  );
  box.id = "brand-list";
  root.append(h("h1", { class: "page-title" }, t("nav_brands")), box);
  const page = await get(ENDPOINTS.brands, { cursor, limit: PAGE });
  if (!alive()) return;
  const items = page.items;
  box.lastChild.remove();
  if (!items.length) {
    box.append(h("p", { class: "muted" }, t("brands_empty")));
    return;
  }
  box.append(
    table(
      [t("brand_name"), t("brand_id"), t("brand_owner"), ""],
      items.map((b) => [
        h("strong", {}, b.name || b.uid),
        h("code", {}, b.brand_id || b.uid),
        b.owner ? subject(b.owner, null, officer) : "",
        h("a", { href: href(b.uid, "links"), class: "open-brand", dataset: { uid: b.uid } }, t("brand_open")),
      ]),
      { id: "brand-table" },
    ),
    cursorPager(at, items.length, cursor, cursorOf(page.next), (c, a) => `#/brands${c ? `?${new URLSearchParams({ cursor: c, at: String(a) })}` : ""}`),
  );
}

// -- one brand ----------------------------------------------------------------------------
async function renderBrand(root, uid, tab, params, alive, officer) {
  let brand;
  try {
    brand = await get(ENDPOINTS.brand(uid));
  } catch (err) {
    if (!alive()) return;
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) {
      // Another brand's page: nothing of it, only the refusal.
      root.append(
        h("h1", { class: "page-title" }, t("nav_brands")),
        section(
          t("nav_brands"),
          h("div", { class: "error", role: "alert", id: "brand-denied" }, t("brand_denied")),
          h("a", { href: "#/brands" }, `← ${t("back")}`),
        ),
      );
      return;
    }
    throw err;
  }
  if (!alive()) return;
  document.title = `${brand.name || brand.uid} · ${t(`tab_${tab}`)} · ${t("app_title")}`;
  root.append(
    h(
      "section",
      { class: "card", id: "brand-head", dataset: { uid: brand.uid } },
      h("a", { href: "#/brands" }, `← ${t("back")}`),
      h("h1", { id: "brand-name" }, brand.name || brand.uid),
      h(
        "p",
        { class: "muted small" },
        `${t("brand_id")}${colon()}`,
        h("code", {}, brand.brand_id || brand.uid),
        brand.owner ? [" · ", `${t("brand_owner")}${colon()}`, subject(brand.owner, null, officer)] : null,
      ),
    ),
    h(
      "nav",
      { class: "tabs", id: "brand-tabs" },
      TABS.map((key) =>
        h("a", { href: href(brand.uid, key), class: key === tab ? "active" : null, dataset: { tab: key } }, t(`tab_${key}`)),
      ),
    ),
  );
  const views = { links: renderLinks, repeat: renderRepeat, reports: renderReports, file: renderFile };
  await views[tab](root, brand.uid, params, alive, officer);
}

// -- infringement links -------------------------------------------------------------------
async function renderLinks(root, uid, params, alive, officer) {
  const offset = offsetOf(params);
  const minWeight = WEIGHTS.includes(params.min_weight) ? params.min_weight : "0";
  const unreported = params.unreported === "true";
  const platform = params.platform || "";
  const since = /^\d{4}-\d{2}-\d{2}$/.test(params.since || "") ? params.since : "";
  const go = (change) => {
    const next = { min_weight: minWeight, unreported: unreported ? "true" : "", platform, since, ...change };
    location.hash = href(uid, "links", next);
  };
  const filter = h(
    "select",
    { id: "links-min-weight", onchange: (e) => go({ min_weight: e.target.value }) },
    WEIGHTS.map((w) => h("option", { value: w, selected: w === minWeight }, `≥ ${w}`)),
  );
  const platformSelect = h("select", { id: "links-platform", onchange: (e) => go({ platform: e.target.value }) }, h("option", { value: "" }, t("all_platforms")));
  const filters = h(
    "div",
    { class: "toolbar filters", role: "group", "aria-label": t("filters") },
    h("label", { class: "small" }, `${t("min_weight")} `, filter),
    h("label", { class: "small" }, h("input", { type: "checkbox", id: "links-unreported", checked: unreported, onchange: (e) => go({ unreported: e.target.checked ? "true" : "" }) }), ` ${t("unreported_only")}`),
    h("label", { class: "small" }, `${t("platform")} `, platformSelect),
    h("label", { class: "small" }, `${t("filed_since")} `, h("input", { type: "date", id: "links-since", value: since, onchange: (e) => go({ since: e.target.value }) })),
  );
  const box = h(
    "section",
    { class: "card", id: "brand-links" },
    h("div", { class: "toolbar" }, h("h2", {}, t("tab_links"))),
    filters,
    h("p", { class: "muted small" }, t("links_hint")),
    loading(),
  );
  root.append(box);
  const page = await get(`/console/api/brands/${encodeURIComponent(uid)}/links`, {
    min_weight: minWeight, unreported_only: unreported ? "true" : "", platform, since, offset, limit: PAGE,
  });
  if (!alive()) return;
  for (const p of page.platforms) platformSelect.append(h("option", { value: p, selected: p === platform }, p));
  box.lastChild.remove();
  if (!page.items.length) {
    box.append(h("p", { class: "muted" }, t("links_empty")));
    return;
  }
  // Names the page knows: the linked stores' own (paths carry uids only).
  const names = Object.fromEntries(page.items.filter((x) => x.name).map((x) => [x.store, x.name]));
  // An officer sees every entity on the paths by name (a brand key keeps uids: the names
  // of people and businesses are officers' data).
  if (officer) {
    const unnamed = [...new Set(page.items.flatMap((x) => x.paths.flatMap((p) => p.nodes)))].filter((u) => !names[u] && !u.startsWith("report:"));
    const answer = unnamed.length ? await post("/console/api/names", { uids: unnamed.slice(0, 1000) }).catch(() => null) : null;
    if (!alive()) return;
    for (const [u, n] of Object.entries(answer?.names || {})) if (n.name) names[u] = n.name;
  }
  box.append(
    h(
      "ol",
      { class: "link-list", start: String(offset + 1) },
      page.items.map((link) =>
        h(
          "li",
          { class: "link-item", dataset: { store: link.store, relation: link.relation } },
          h(
            "div",
            { class: "link-head" },
            h("strong", {}, subject(link.store, link.name, officer)),
            h("span", { class: "muted small" }, [link.platform, link.status && statusName(link.status)].filter(Boolean).join(" · ")),
            h("span", { class: "pill" }, t(`rel_${link.relation}`)),
            link.reported ? h("span", { class: "pill status-pending" }, t("reported")) : null,
            h("span", { class: "link-weight" }, `${t("weight")} `, scoreBar(link.weight)),
          ),
          h("div", { class: "small muted" }, t("link_paths")),
          link.paths.map((path) => pathChain(path, names, officer)),
          h(
            "div",
            { class: "small" },
            h("span", { class: "muted" }, `${t("link_evidence")}${colon()}`),
            link.evidence.slice(0, 10).map((r) => h("code", { class: "evidence-report" }, r.replace(/^report:/, ""), " ")),
            link.evidence.length > 10 ? `… (${link.evidence.length})` : null,
          ),
        ),
      ),
    ),
    pager(offset, page.items.length, page.has_more, (o) => href(uid, "links", { min_weight: minWeight, unreported: unreported ? "true" : "", platform, since, offset: o }), page.total),
  );
}

/** A link path as a chain: report → store ← operator (← person → business) → store. */
function pathChain(path, names, officer) {
  const parts = [];
  path.nodes.forEach((node, i) => {
    const label = labelOf(node);
    const isEnd = i === path.nodes.length - 1;
    const cls = `node${i === 0 ? " listed" : ""}${isEnd ? " subject" : ""}`;
    const text = [h("span", { class: "muted small" }, labelName(label)), " ", nodeText(node, names)];
    parts.push(
      officer && label && label !== "InfringementReport"
        ? h("a", { class: cls, href: `#/entity/${encodeURIComponent(node)}`, title: node }, text)
        : h("span", { class: cls, title: node }, text),
    );
    const rel = path.rels[i];
    if (!rel) return;
    const next = labelOf(path.nodes[i + 1]);
    const pairs = REL_PAIRS[rel] || [];
    const backward = !pairs.some(([a, b]) => a === label && b === next) && pairs.some(([a, b]) => a === next && b === label);
    parts.push(h("span", { class: "edge" }, backward ? "←" : "—", h("b", {}, relName(rel)), backward ? "—" : "→"));
  });
  parts.push(h("span", { class: "muted small" }, ` ${t("weight")} ${fmtScore(path.weight)}`));
  return h("div", { class: "chain link-path", dataset: { kind: path.kind } }, parts);
}

function nodeText(uid, names) {
  if (names[uid]) return names[uid];
  const [prefix, ...rest] = String(uid).split(":");
  const id = rest.join(":");
  // Person uids are keyed hashes: a short form is enough to tell them apart.
  if (prefix === "person" && id.length > 12) return `${id.slice(0, 10)}…`;
  return id || uid;
}

/** A business / person / store: a link to its entity page for officers, text otherwise. */
function subject(uid, name, officer) {
  return officer ? entityLink(uid, name || uid) : h("span", { title: uid }, name || uid);
}

/** A bar filled to score / scale (capped), with the score itself beside it. */
function scoreBar(score, scale = 1) {
  const width = Math.max(0, Math.min(1, score / scale)) * 100;
  return h("span", {}, h("span", { class: "score-bar" }, h("span", { style: `width:${width}%` })), fmtScore(score));
}

// -- repeat infringers --------------------------------------------------------------------
/** The first `k` of a list, the rest folded behind "更多（n）" (a row stays a row). */
function capped(items, k, render) {
  const head = h("ul", { class: "reasons" }, items.slice(0, k).map((x) => h("li", {}, render(x))));
  if (items.length <= k) return head;
  return h("div", {}, head, h("details", { class: "more" }, h("summary", {}, t("more_n", { n: items.length - k })),
    h("ul", { class: "reasons" }, items.slice(k).map((x) => h("li", {}, render(x))))));
}
function reasonsOf(item) {
  const out = [t("r_stores", { n: item.stores.length, r: item.reports.length })];
  if (item.platforms.length > 1) out.push(t("r_platforms", { n: item.platforms.length, list: item.platforms.join("、") }));
  if (item.first_filed && item.last_filed && item.first_filed !== item.last_filed) {
    out.push(t("r_period", { a: fmtDate(item.first_filed), b: fmtDate(item.last_filed) }));
  }
  for (const [old, neu] of item.reopened) out.push(t("r_reopened", { old: nodeText(old, {}), new: nodeText(neu, {}) }));
  if (item.kind === "person") out.push(t("r_person", { n: item.operators.length, list: item.operators.join("、") }));
  if (item.kind === "cluster") out.push(t("r_cluster", { n: item.operators.length }));
  return out;
}

async function renderRepeat(root, uid, params, alive, officer) {
  const offset = offsetOf(params);
  const confirmedOnly = params.confirmed_only === "true";
  const toggle = h("input", {
    type: "checkbox",
    id: "repeat-confirmed",
    checked: confirmedOnly,
    onchange: (e) => { location.hash = href(uid, "repeat", { confirmed_only: e.target.checked ? "true" : "" }); },
  });
  const box = h(
    "section",
    { class: "card", id: "brand-repeat" },
    h("div", { class: "toolbar" }, h("h2", {}, t("tab_repeat")), h("label", { class: "small" }, toggle, ` ${t("confirmed_only")}`)),
    h("p", { class: "muted small" }, t("repeat_hint")),
    loading(),
  );
  root.append(box);
  const page = await get(ENDPOINTS.brandRepeat(uid), {
    confirmed_only: confirmedOnly ? "true" : "",
    offset,
    limit: PAGE,
  });
  if (!alive()) return;
  box.lastChild.remove();
  if (!page.items.length) {
    box.append(h("p", { class: "muted" }, t("repeat_empty")));
    return;
  }
  box.append(
    table(
      ["#", t("actor"), t("repeat_score"), t("stores"), t("platforms"), t("period"), t("repeat_reasons")],
      page.items.map((item, i) => [
        String(offset + i + 1),
        h(
          "div",
          { class: "repeat-actor", dataset: { actor: item.actor } },
          h("span", { class: `pill kind-${item.kind}` }, t(`actor_${item.kind}`)),
          " ",
          subject(item.actor, nodeText(item.actor, {}), officer),
        ),
        scoreBar(item.score, 5),
        h(
          "div",
          { class: "small" },
          h("strong", {}, String(item.stores.length)),
          capped(item.stores, 6, (s) => subject(s, nodeText(s, {}), officer)),
        ),
        item.platforms.join("、"),
        item.first_filed ? `${fmtDate(item.first_filed)} – ${fmtDate(item.last_filed)}` : "",
        h("div", { class: "small" }, capped(reasonsOf(item), 4, (r) => r)),
      ]),
      { id: "repeat-table" },
    ),
    pager(offset, page.items.length, page.has_more, (o) => href(uid, "repeat", { confirmed_only: confirmedOnly ? "true" : "", offset: o }), page.total),
  );
}

// -- reports ------------------------------------------------------------------------------
async function renderReports(root, uid, params, alive, officer) {
  const { cursor, at } = pageOf(params);
  const status = STATUSES.includes(params.status) ? params.status : "";
  const filter = h(
    "select",
    { id: "reports-status", onchange: (e) => { location.hash = href(uid, "reports", { status: e.target.value }); } },
    h("option", { value: "" }, t("all_statuses")),
    STATUSES.map((s) => h("option", { value: s, selected: s === status }, t(`rstatus_${s}`))),
  );
  const box = h(
    "section",
    { class: "card", id: "brand-reports" },
    h("div", { class: "toolbar" }, h("h2", {}, t("tab_reports")), filter, h("a", { href: href(uid, "file") }, `＋ ${t("tab_file")}`)),
    loading(),
  );
  root.append(box);
  const page = await get(ENDPOINTS.brandReports(uid), { status, cursor, limit: PAGE });
  if (!alive()) return;
  box.lastChild.remove();
  if (!page.items.length) {
    box.append(h("p", { class: "muted" }, t("reports_empty")));
    return;
  }
  box.append(
    table(
      [t("report_id"), t("filed"), t("status"), t("store"), t("complainant"), t("evidence"), t("decision")],
      page.items.map((r) => [
        h("code", { class: "report-uid", dataset: { uid: r.uid } }, r.report_id || r.uid),
        fmtDate(r.filed),
        h("span", { class: `pill status-${r.status}` }, t(`rstatus_${r.status}`)),
        h(
          "div",
          {},
          subject(r.store, r.store_name, officer),
          h("div", { class: "muted small" }, [r.platform, r.store_status && statusName(r.store_status)].filter(Boolean).join(" · ")),
        ),
        r.complainant || "",
        h(
          "div",
          { class: "small evidence" },
          r.evidence || "",
          r.evidence_sha256 ? h("div", {}, h("code", {}, `sha256 ${r.evidence_sha256.slice(0, 16)}…`)) : null,
        ),
        h(
          "div",
          { class: "small" },
          r.decided ? `${fmtDate(r.decided)} ${r.decided_by || ""}` : "",
          r.decision_reason ? h("div", { class: "muted" }, r.decision_reason) : null,
          r.counter_notice ? h("div", { class: "muted" }, r.counter_notice) : null,
        ),
      ]),
      { id: "reports-table" },
    ),
    cursorPager(at, page.items.length, cursor, cursorOf(page.next), (c, a) => href(uid, "reports", c ? { status, cursor: c, at: a } : { status })),
  );
}

// -- filing one report --------------------------------------------------------------------
async function renderFile(root, uid) {
  const outcome = h("div", { id: "file-outcome" });
  const submit = h("button", { type: "submit", class: "primary" }, t("file_submit"));
  const form = h(
    "form",
    { id: "brand-file", onsubmit: (e) => fileReport(e, uid, form, submit, outcome) },
    h(
      "div",
      { class: "form-grid" },
      h("label", {}, t("file_store"), h("input", { name: "store_id", required: true, minlength: "3", maxlength: "120", placeholder: "taobao:917433099" })),
      h("label", {}, t("file_report_id"), h("input", { name: "report_id", maxlength: "100", pattern: "[A-Za-z0-9._:\\-]{1,100}" })),
      h("label", {}, t("file_sha"), h("input", { name: "evidence_sha256", maxlength: "64", pattern: "[0-9a-fA-F]{64}" })),
    ),
    h("label", { class: "field" }, t("file_evidence"), h("textarea", { name: "evidence", required: true, maxlength: "2000" })),
    h("div", { class: "actions" }, submit),
  );
  root.append(section(t("tab_file"), h("p", { class: "muted small" }, t("file_hint")), form, outcome));
}

async function fileReport(event, uid, form, submit, outcome) {
  event.preventDefault();
  const values = formValues(form);
  const body = { store_id: values.store_id, evidence: values.evidence };
  if (values.report_id) body.report_id = values.report_id;
  if (values.evidence_sha256) body.evidence_sha256 = values.evidence_sha256;
  submit.disabled = true;
  try {
    const filed = await call("POST", ENDPOINTS.brandReports(uid), body);
    const id = filed.filed[0];
    form.reset();
    replace(
      outcome,
      h(
        "div",
        { class: "notice", role: "status" },
        t("filed_ok", { uid: id }),
        " ",
        h("a", { href: href(uid, "reports", { status: "pending" }) }, t("tab_reports")),
      ),
    );
  } catch (err) {
    replace(outcome, errorBox(err));
  } finally {
    submit.disabled = false;
  }
}

// -- paging -------------------------------------------------------------------------------
// Brands and reports page by keyset (a cursor from the server, carried in the route with
// the row number it starts at); links and repeat infringers are ranked in memory by offset.
function cursorPager(at, count, cursor, next, to) {
  return h(
    "div",
    { class: "pager" },
    h("span", { class: "muted small" }, t("page_range", { a: at + 1, b: at + count })),
    cursor ? h("a", { href: to(null, 0), class: "first" }, `⇤ ${t("first_page")}`) : null,
    next ? h("a", { href: to(next, at + count), class: "next" }, `${t("more")} →`) : null,
  );
}

function pager(offset, count, more, to, total) {
  const range =
    typeof total === "number"
      ? t("page_range_total", { a: offset + 1, b: offset + count, n: total })
      : t("page_range", { a: offset + 1, b: offset + count });
  return h(
    "div",
    { class: "pager" },
    h("span", { class: "muted small" }, range),
    offset > 0 ? h("a", { href: to(Math.max(0, offset - PAGE)), class: "prev" }, `← ${t("prev")}`) : null,
    more ? h("a", { href: to(offset + PAGE), class: "next" }, `${t("more")} →`) : null,
  );
}
