// Search: identifiers exactly, names fuzzily (the API ranks them); one page at a time.

import { ENDPOINTS, get, post } from "../api.js";
import { entityLink, errorBox, fmtScore, h, loading, replace } from "../dom.js";
import { labelName, statusName, t } from "../i18n.js";

const PAGE = 20;
const LABELS = ["Business", "Person", "Store"];

function hrefFor(q, label, offset) {
  const params = new URLSearchParams({ q });
  if (label) params.set("label", label);
  if (offset) params.set("offset", String(offset));
  return `#/search?${params}`;
}

export async function renderSearch(root, _rest, params, alive) {
  const q = params.q || "";
  const label = LABELS.includes(params.label) ? params.label : "";
  const offset = Math.max(0, Number.parseInt(params.offset || "0", 10) || 0);
  const input = h("input", {
    type: "search",
    name: "q",
    id: "search-q",
    value: q,
    placeholder: t("search_placeholder"),
    maxlength: 100,
    autofocus: true,
    "aria-label": t("search_label"),
  });
  const select = h(
    "select",
    { name: "label", id: "search-label", "aria-label": t("search_kind") },
    h("option", { value: "" }, t("search_all")),
    LABELS.map((l) => h("option", { value: l, selected: l === label }, labelName(l))),
  );
  const form = h(
    "form",
    {
      class: "searchbar",
      role: "search",
      onsubmit: (e) => {
        e.preventDefault();
        if (input.value.trim()) location.hash = hrefFor(input.value.trim(), select.value, 0);
      },
    },
    input,
    select,
    h("button", { type: "submit", class: "primary" }, t("search_button")),
  );
  const results = h("div", { id: "search-results" });
  root.append(h("h1", { class: "page-title" }, t("nav_search")), h("section", { class: "card" }, form, h("p", { class: "muted small" }, t("search_hint"))), results);
  input.focus();
  if (!q) return;

  replace(results, loading());
  let page;
  try {
    page = await get(ENDPOINTS.search, { q, label: label || null, limit: PAGE, offset });
  } catch (err) {
    if (alive()) replace(results, errorBox(err));
    return;
  }
  // 受限 on every hit that is restricted today (one call for the page, from memory)
  const flags = await post(ENDPOINTS.restricted, { uids: page.items.map((x) => x.entity.uid) }).catch(() => ({ restricted: {} }));
  if (!alive()) return;
  if (!page.items.length) {
    replace(results, h("section", { class: "card" }, h("p", { class: "muted" }, t("search_empty"))));
    return;
  }
  const list = h(
    "ul",
    { class: "results" },
    page.items.map((hit) => {
      const e = hit.entity;
      const id = e.props.uscc || e.props.id_masked || (e.props.shop_id ? `${e.props.platform}:${e.props.shop_id}` : "");
      return h(
        "li",
        { class: "result", dataset: { uid: e.uid } },
        h("span", { class: `pill label-${e.label}` }, labelName(e.label)),
        entityLink(e.uid, e.name || e.uid),
        flags.restricted[e.uid] ? h("span", { class: "pill restricted badge", title: t("search_restricted_n", { n: flags.restricted[e.uid].length }) }, t("net_restricted")) : null,
        " ",
        h("span", { class: "uid" }, id || e.uid),
        h(
          "div",
          { class: "muted small" },
          hit.matched === "identifier" ? t("matched_identifier") : `${t("matched_name")} · ${t("score")} ${fmtScore(hit.score)}`,
          e.props.status ? ` · ${statusName(e.props.status)}` : "",
          e.props.region ? ` · ${e.props.region}` : "",
          " · ",
          h("a", { href: `#/network/${encodeURIComponent(e.uid)}` }, t("entity_network")),
        ),
      );
    }),
  );
  const pager = h(
    "div",
    { class: "pager" },
    offset > 0 ? h("a", { href: hrefFor(q, label, Math.max(0, offset - PAGE)) }, `← ${t("prev")}`) : null,
    page.next ? h("a", { href: hrefFor(q, label, offset + PAGE), id: "next-page" }, `${t("more")} →`) : null,
  );
  replace(results, h("section", { class: "card" }, list, pager));
}
