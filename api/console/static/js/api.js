// The API client: the officer key from sessionStorage, sent as X-API-Key on every call,
// problem+json errors as ApiError, and feature detection from the server's /v1 paths.

const KEY = "credgraph.console.key";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function getKey() {
  return sessionStorage.getItem(KEY);
}

export function setKey(token) {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}

let onUnauthorized = () => {};

/** Called when the server says the key is no longer good (401). */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/** Build "path?query" from an object; arrays repeat the parameter; empty values are left out. */
export function withQuery(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === "") continue;
    for (const v of Array.isArray(value) ? value : [value]) query.append(name, String(v));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export async function call(method, path, body, token = getKey()) {
  const headers = { Accept: "application/json" };
  if (token) headers["X-API-Key"] = token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text.slice(0, 300) };
  }
  if (!response.ok) {
    if (response.status === 401 && token === getKey()) onUnauthorized();
    throw new ApiError(response.status, data);
  }
  return data;
}

export const get = (path, params) => call("GET", withQuery(path, params));

/** The opaque cursor in a page's `next` link (null on the last page): lists page by keyset,
 * so the console carries the cursor in its own route and passes it back unchanged. */
export function cursorOf(next) {
  if (!next) return null;
  return new URL(next, location.origin).searchParams.get("cursor");
}

/** Where a page starts in its route: the server's cursor and the row number shown for it. */
export function pageOf(params) {
  const cursor = typeof params.cursor === "string" && /^[A-Za-z0-9_.-]{3,512}$/.test(params.cursor) ? params.cursor : null;
  const at = cursor ? Math.max(0, Number.parseInt(params.at || "0", 10) || 0) : 0;
  return { cursor, at };
}
export const post = (path, body) => call("POST", path, body);

const u = encodeURIComponent;

// -- endpoints ------------------------------------------------------------------------------
// Where each feature lives. Review queues and ownership come from routers other engineers
// are adding; `has()` checks the server's path list so absent features are hidden, and
// changing a path here is the only edit needed when a router settles on another one.
export const ENDPOINTS = {
  search: "/v1/entities",
  entity: (uid) => `/v1/entities/${u(uid)}`,
  network: (uid) => `/v1/entities/${u(uid)}/network`,
  paths: "/v1/paths",
  listings: "/v1/listings",
  listingRemoval: (uid) => `/v1/listings/${u(uid)}/removal`,
  listingRepair: (uid) => `/v1/listings/${u(uid)}/repair`,
  ownership: (uid) => `/v1/entities/${u(uid)}/ownership`,
  rings: "/v1/rings",
  ring: (uid) => `/v1/rings/${u(uid)}`,
  ringConfirm: (uid) => `/v1/rings/${u(uid)}/confirm`,
  ringDismiss: (uid) => `/v1/rings/${u(uid)}/dismiss`,
  shells: "/v1/shells",
  shell: (uid) => `/v1/shells/${u(uid)}`,
  shellReview: (uid) => `/v1/shells/${u(uid)}/review`,
  // brand-rights alliances (api/routers/brands.py); a brand key sees only its brands
  brands: "/v1/brands",
  brand: (uid) => `/v1/brands/${u(uid)}`,
  brandReports: (uid) => `/v1/brands/${u(uid)}/reports`,
  brandLinks: (uid) => `/v1/brands/${u(uid)}/links`,
  brandRepeat: (uid) => `/v1/brands/${u(uid)}/repeat-infringers`,
  // the console's own router (api/console/router.py)
  me: "/console/api/me",
  meta: "/console/api/meta",
  explanation: (uid) => `/console/api/entities/${u(uid)}/explanation`,
  restricted: "/console/api/restricted",
  preview: "/console/api/listings/preview",
};

/** Route templates as the server lists them (OpenAPI style, "{uid}"). */
const TEMPLATES = {
  ownership: "/v1/entities/{uid}/ownership",
  rings: "/v1/rings",
  shells: "/v1/shells",
};

let meta = null;

export async function loadMeta() {
  meta = await get(ENDPOINTS.meta);
  return meta;
}

export function getMeta() {
  return meta;
}

/** Whether the server has the feature's endpoint. */
export function has(feature) {
  const template = TEMPLATES[feature];
  if (!template || !meta) return false;
  const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "\\{[^}]+\\}")}$`);
  return meta.paths.some((p) => pattern.test(p));
}
