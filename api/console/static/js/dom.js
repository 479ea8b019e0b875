// A tiny element builder. Text always goes in as text nodes (never innerHTML), so data
// from the graph cannot inject markup.

import { t } from "./i18n.js";

/**
 * h("a", {href: "#/x", class: "link", onclick: fn}, "text", child, [more])
 * Attributes starting with "on" become listeners; null/undefined/false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function loading() {
  return h("p", { class: "muted loading" }, t("loading"));
}

/** A problem+json error (or any Error) as a message box. */
export function errorBox(err) {
  const detail = err?.problem?.detail || err?.message || String(err);
  const title = err?.problem?.title || t("error");
  return h("div", { class: "error", role: "alert" }, h("strong", {}, title), " ", detail);
}

export function section(title, ...body) {
  return h("section", { class: "card" }, h("h2", {}, title), ...body);
}

/** A table from column headings and rows of cells (cells may be nodes). */
export function table(headings, rows, attrs = {}) {
  return h(
    "table",
    attrs,
    h("thead", {}, h("tr", {}, headings.map((x) => h("th", {}, x)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell) => h("td", {}, cell))))),
  );
}

/** A link to an entity page. */
export function entityLink(uid, name) {
  return h("a", { href: `#/entity/${encodeURIComponent(uid)}`, class: "entity-link" }, name || uid);
}

export function fmtDate(value) {
  return value ? String(value).slice(0, 10) : "";
}

export function fmtScore(value) {
  return typeof value === "number" ? value.toFixed(3) : "";
}

/** Values of a form as an object of trimmed strings. */
export function formValues(form) {
  const out = {};
  for (const [name, value] of new FormData(form).entries()) out[name] = String(value).trim();
  return out;
}
