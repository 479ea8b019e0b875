// The console's shell: sign-in, the top bar, and a hash router that hands each route to
// a view module. Nothing but the sign-in form is rendered until a key is accepted: an
// officer's (every page) or a brand-alliance member's (the brand pages only).

import { ApiError, ENDPOINTS, call, getKey, loadMeta, setKey, whenUnauthorized } from "./api.js";
import { errorBox, h, replace } from "./dom.js";
import { getLang, setLang, t } from "./i18n.js";
import { renderBrands } from "./views/brands.js";
import { renderCases } from "./views/cases.js";
import { renderEntity } from "./views/entity.js";
import { renderListings } from "./views/listings.js";
import { renderNetwork } from "./views/network.js";
import { renderObjections } from "./views/objections.js";
import { renderReview } from "./views/review.js";
import { renderSearch } from "./views/search.js";

const view = document.getElementById("view");
let me = null;

const NAV = [
  ["#/search", "nav_search"],
  ["#/network", "nav_network"],
  ["#/review/rings", "nav_review"],
  ["#/listings", "nav_listings"],
  ["#/cases", "nav_cases"],
  ["#/objections", "nav_objections"],
  ["#/brands", "nav_brands"],
];
// A brand key (alliance member) reaches the brand pages and nothing else; the server
// refuses it everywhere else anyway, this only keeps the page from offering those.
const BRAND_NAV = [["#/brands", "nav_brands"]];

const isOfficer = () => me?.scope === "officer";
const home = () => (isOfficer() ? "#/search" : "#/brands");

/** The route as [name, rest, params]: "#/entity/biz:1?x=1" → ["entity", "biz:1", {x: "1"}]. */
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?");
  const [name, ...rest] = path.split("/");
  return [name || "search", rest.map(decodeURIComponent).join("/"), Object.fromEntries(new URLSearchParams(query))];
}

function renderChrome() {
  if (!me) document.title = `${t("signin_title")} · ${t("app_title")}`;
  document.getElementById("topbar").hidden = !me;
  document.getElementById("brand-title").textContent = t("app_title");
  const [name] = parseHash();
  document.querySelector("#topbar a.brand").setAttribute("href", me ? home() : "#/search");
  replace(
    document.getElementById("nav"),
    (isOfficer() ? NAV : me ? BRAND_NAV : []).map(([href, key]) =>
      h("a", { href, class: href.slice(2).split("/")[0] === name ? "active" : null }, t(key)),
    ),
  );
  document.getElementById("who").textContent = me ? `${t("signed_in_as")}${me.name}` : "";
  document.getElementById("lang").textContent = t("lang_switch");
  document.getElementById("signout").textContent = t("sign_out");
}

function renderSignIn(message) {
  me = null;
  renderChrome();
  const input = h("input", {
    type: "password",
    name: "key",
    id: "key",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    placeholder: "cg_…",
    "aria-label": t("signin_key"),
  });
  const status = h("div", {});
  const form = h(
    "form",
    { class: "card signin", id: "signin", onsubmit: (e) => signIn(e, input.value.trim(), status) },
    h("div", { class: "brand-mark" }, "信"),
    h("h1", {}, t("signin_title")),
    h("p", { class: "muted" }, t("app_sub")),
    h("p", { class: "small" }, t("signin_hint")),
    h("label", { for: "key" }, t("signin_key")),
    input,
    status,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, t("signin_button")),
      h("button", { type: "button", class: "link-button", onclick: toggleLang }, t("lang_switch")),
    ),
  );
  if (message) status.append(h("div", { class: "error", role: "alert" }, message));
  replace(view, form);
  input.focus();
}

async function signIn(event, token, status) {
  event.preventDefault();
  if (!token) return;
  try {
    me = await call("GET", ENDPOINTS.me, undefined, token);
  } catch (err) {
    const message =
      err instanceof ApiError && err.status === 403 ? t("signin_scope")
      : err instanceof ApiError && err.status === 401 ? t("signin_bad")
      : err.message;
    replace(status, h("div", { class: "error", role: "alert" }, message));
    return;
  }
  setKey(token);
  await start();
}

function signOut() {
  setKey(null);
  me = null;
  location.hash = "#/search";
  renderSignIn();
}

function toggleLang() {
  setLang(getLang() === "zh" ? "en" : "zh");
  if (me) route();
  else renderSignIn();
}

async function start() {
  try {
    if (!me) me = await call("GET", ENDPOINTS.me);
    if (me.scope === "officer") await loadMeta();
  } catch (err) {
    setKey(null);
    renderSignIn(err instanceof ApiError && err.status === 403 ? t("signin_scope") : t("signin_bad"));
    return;
  }
  if (!location.hash || location.hash === "#/" || location.hash === "#") location.hash = home();
  else route();
}

const ROUTES = {
  search: renderSearch,
  entity: renderEntity,
  network: renderNetwork,
  review: renderReview,
  listings: renderListings,
  cases: renderCases,
  objections: renderObjections,
  brands: renderBrands,
};
const BRAND_ROUTES = { brands: renderBrands };
const TITLES = {
  search: "nav_search",
  entity: "title_entity",
  network: "nav_network",
  review: "nav_review",
  listings: "nav_listings",
  cases: "nav_cases",
  objections: "nav_objections",
  brands: "nav_brands",
};

let current = 0;

async function route() {
  if (!me) return;
  renderChrome();
  const [name, rest, params] = parseHash();
  const routes = isOfficer() ? ROUTES : BRAND_ROUTES;
  if (!routes[name]) {
    location.hash = home();
    return;
  }
  const render = routes[name];
  const token = ++current;
  // Every route has its own title (a view may make it more precise, the entity page does).
  document.title = `${t(TITLES[name] || "app_title")} · ${t("app_title")}`;
  const root = h("div", { class: `view view-${name}` });
  replace(view, root);
  try {
    // A view renders into its own root; if the officer navigated on meanwhile, the old
    // root is simply detached and its late answers land nowhere.
    await render(root, rest, params, () => token === current, me);
  } catch (err) {
    if (token === current) {
      // nothing is left saying 加载中… once the page has failed
      root.querySelectorAll(".loading").forEach((el) => el.remove());
      root.append(errorBox(err));
    }
  }
}

whenUnauthorized(() => {
  setKey(null);
  renderSignIn(t("signin_bad"));
});
window.addEventListener("hashchange", route);
document.getElementById("lang").addEventListener("click", toggleLang);
document.getElementById("signout").addEventListener("click", signOut);

if (getKey()) start();
else renderSignIn();
