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

/** A problem+json error (or any Error) in the page's language: a message chosen by the
 * HTTP status (and the field the server names), never the server's English detail. */
export function errorText(err) {
  const status = err?.status;
  const field = err?.problem?.field;
  if (status === 404) return t("err_404");
  if (status === 400 || status === 422) return field ? t("err_field", { field: fieldName(field) }) : t("err_400");
  if ([401, 403, 409, 413, 429].includes(status)) return t(`err_${status}`);
  if (status >= 500) return t("err_500");
  if (err instanceof TypeError) return t("err_network");
  return t("error");
}

function fieldName(field) {
  const key = `field_${String(field).split(".").pop()}`;
  const word = t(key);
  return word === key ? String(field) : word;
}

/** An error as a message box; the server's own words folded under "details". */
export function errorBox(err) {
  const detail = err?.problem?.detail || err?.message || "";
  return h(
    "div",
    { class: "error", role: "alert" },
    h("strong", {}, t("error")),
    " ",
    errorText(err),
    detail ? h("details", { class: "small" }, h("summary", {}, t("err_details")), detail) : null,
  );
}

export function section(title, ...body) {
  return h("section", { class: "card" }, h("h2", {}, title), ...body);
}

/** A table from column headings and rows of cells (cells may be nodes). */
export function table(headings, rows, attrs = {}) {
  return h(
    "table",
    attrs,
    h("thead", {}, h("tr", {}, headings.map((x) => h("th", { scope: "col" }, x === "" ? h("span", { class: "sr-only" }, t("action")) : x)))),
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
