// Review queues: suspected brushing rings and shell clusters, best score first, one page
// at a time; a detail page with reasons and evidence, and confirm / dismiss with a reason.
// Confirming first shows a preview (subjects and measures per rule, by name, with counts;
// views/confirm.js); "Apply" sends the confirmation, which either takes effect or, above the
// approval threshold, waits for a second officer (the "Approvals" tab).

import { ENDPOINTS, cursorOf, get, getMeta, has, pageOf, post } from "../api.js";
import { entityLink, errorBox, fmtDate, fmtScore, h, loading, replace, section, table } from "../dom.js";
import { labelName, pick, reasonText, statusName, t, tOr } from "../i18n.js";
import { isPending, markPreview, pendingNotice, previewCard, renderApprovals, w } from "./confirm.js";
import { memberScores } from "./scores.js";

/** Stored reason sentences as codes (POST /console/api/reasons); null when unavailable. */
async function codes(texts) {
  if (!texts.length) return [];
  try {
    return (await post("/console/api/reasons", { texts: texts.slice(0, 200) })).items;
  } catch {
    return texts.map((text) => ({ code: "text", params: {}, text }));
  }
}

function listName(id) {
  const found = getMeta()?.list_types.find((lt) => lt.id === id);
  return found ? pick(found, "name") : tOr(`list_${id}`, id);
}

const PAGE = 20;
const STATUSES = ["suspected", "confirmed", "dismissed"];

const QUEUES = {
  rings: {
    title: "review_rings",
    feature: "rings",
    list: ENDPOINTS.rings,
    detail: ENDPOINTS.ring,
    // The rings router has one endpoint per decision.
    review: (uid, decision, reason) => [
      decision === "confirm" ? ENDPOINTS.ringConfirm(uid) : ENDPOINTS.ringDismiss(uid),
      { reason },
    ],
    preview: (uid) => `${ENDPOINTS.ringConfirm(uid)}/preview`,
    size: (r) => `${r.n_accounts} ${t("accounts")} · ${r.n_stores} ${t("stores")}`,
  },
  shells: {
    title: "review_shells",
    feature: "shells",
    list: ENDPOINTS.shells,
    detail: ENDPOINTS.shell,
    // The shells router takes the decision in the body and answers with the cluster.
    review: (uid, decision, reason) => [ENDPOINTS.shellReview(uid), { decision, reason }],
    preview: (uid) => `${ENDPOINTS.shellReview(uid)}/preview`,
    size: (c) => `${c.size} ${t("members")}`,
  },
};

export async function renderReview(root, rest, params, alive) {
  const [which, ...id] = rest.split("/");
  const name = QUEUES[which] || which === "approvals" ? which : "rings";
  const queue = QUEUES[name];
  root.append(
    h(
      "nav",
      { class: "tabs" },
      Object.entries(QUEUES).map(([key, q]) =>
        h("a", { href: `#/review/${key}`, class: key === name ? "active" : null }, t(q.title)),
      ),
      h("a", { href: "#/review/approvals", class: name === "approvals" ? "active" : null, id: "tab-approvals" }, w("approvals")),
    ),
  );
  if (name === "approvals") {
    await renderApprovals(root, alive);
    return;
  }
  if (!has(queue.feature)) {
    root.append(section(t(queue.title), h("p", { class: "muted" }, t("no_endpoint"))));
    return;
  }
  if (id.length) await renderDetail(root, queue, name, id.join("/"), alive);
  else await renderList(root, queue, name, params, alive);
}

function statusPill(status) {
  return h("span", { class: `pill status-${status}` }, t(`status_${status}`));
}

function scoreBar(score) {
  const width = Math.max(0, Math.min(1, score)) * 100;
  return h("span", {}, h("span", { class: "score-bar" }, h("span", { style: `width:${width}%` })), fmtScore(score));
}

async function renderList(root, queue, name, params, alive) {
  const status = STATUSES.includes(params.status) ? params.status : "suspected";
  const { cursor, at } = pageOf(params);
  const href = (s, c = null, a = 0) =>
    `#/review/${name}?${new URLSearchParams(c ? { status: s, cursor: c, at: String(a) } : { status: s })}`;
  const filter = h(
    "select",
    { id: "queue-status", "aria-label": t("status"), onchange: (e) => { location.hash = href(e.target.value); } },
    STATUSES.map((s) => h("option", { value: s, selected: s === status }, t(`status_${s}`))),
  );
  const box = h("section", { class: "card", id: "queue" }, h("div", { class: "toolbar" }, h("h1", {}, t(queue.title)), filter), loading());
  root.append(box);
  const page = await get(queue.list, { status, limit: PAGE, cursor });
  if (!alive()) return;
  // Both routers page by keyset: `next` holds the cursor of the following page.
  const items = page.items || [];
  const next = cursorOf(page.next);
  const shownReasons = items.map((item) => item.reasons.slice(0, 4));
  const coded = await codes(shownReasons.flat());
  if (!alive()) return;
  let k = 0;
  const worded = shownReasons.map((list) => list.map(() => reasonText(coded[k++], {}, listName)));
  box.lastChild.remove();
  if (!items.length) {
    box.append(h("p", { class: "muted" }, t("queue_empty")));
    return;
  }
  box.append(
    table(
      ["#", t("queue_score"), t("members"), t("reasons"), t("status"), ""],
      items.map((item, i) => [
        String(at + i + 1),
        scoreBar(item.score),
        queue.size(item),
        h("ul", { class: "reasons small" }, worded[i].map((r) => h("li", {}, r))),
        statusPill(item.status),
        h("a", { href: `#/review/${name}/${encodeURIComponent(item.uid)}`, class: "open-item" }, t("detail")),
      ]),
      { id: "queue-table" },
    ),
    h(
      "div",
      { class: "pager" },
      cursor ? h("a", { href: href(status), class: "first" }, `⇤ ${t("first_page")}`) : null,
      next ? h("a", { href: href(status, next, at + items.length), class: "next" }, `${t("more")} →`) : null,
    ),
  );
}

async function renderDetail(root, queue, name, uid, alive) {
  const item = await get(queue.detail(uid));
  if (!alive()) return;
  const [coded, named] = await Promise.all([codes(item.reasons), sharedNames(name, item)]);
  if (!alive()) return;
  document.title = `${t(queue.title)} ${item.uid.replace(/^[a-z]+:/, "")} · ${t("app_title")}`;
  const outcome = h("div", { id: "review-outcome" });
  root.append(
    h(
      "section",
      { class: "card" },
      h("a", { href: `#/review/${name}` }, `← ${t("back")}`),
      h("h1", {}, t(queue.title), " ", h("code", {}, item.uid)),
      h("p", { id: "review-status" }, statusPill(item.status), " ", scoreBar(item.score), " · ", queue.size(item)),
      h("h2", {}, t("reasons")),
      h("ul", { class: "reasons", id: "reasons" }, coded.map((r) => h("li", { dataset: { code: r.code } }, reasonText(r, named.words, listName)))),
      item.reviewed_by
        ? h("p", { class: "small" }, `${t("reviewed_by")}: ${item.reviewed_by} · ${fmtDate(item.reviewed_at)} · ${item.review_reason || ""}`)
        : null,
    ),
    name === "rings" ? ringEvidence(item) : shellEvidence(item, named.items),
    item.status === "suspected" ? reviewForm(queue, item, outcome) : null,
    outcome,
  );
}

/** What the members share, by name: for a shell cluster from POST /console/api/shared,
 * for a ring from its shared receivers. words: kind → ["name（n 家）", …]. */
async function sharedNames(name, item) {
  const words = {};
  const push = (kind, text) => (words[kind] = words[kind] || []).push(text);
  if (name === "rings") {
    for (const s of item.shared_receivers || []) push(s.kind === "phone" ? "phone" : "address", t("shared_by_accounts", { name: s.text || s.uid, n: s.accounts.length }));
    return { words, items: [] };
  }
  const members = (item.members || []).map((m) => m.uid);
  if (!members.length) return { words, items: [] };
  const answer = await post("/console/api/shared", { uids: members.slice(0, 500) }).catch(() => ({ items: [] }));
  for (const s of answer.items) push(s.kind, t("shared_by", { name: s.name || s.uid, n: s.members }));
  return { words, items: answer.items };
}

const LIGHT_KG = 0.05;

function ringEvidence(ring) {
  const orders = ring.orders.slice(0, 50);
  const storeNames = new Map(ring.stores.map((s) => [s.uid, s.name]));
  return h(
    "div",
    {},
    section(
      t("stores"),
      table(
        [t("stores"), "uid"],
        ring.stores.map((s) => [entityLink(s.uid, s.name), h("code", {}, s.uid)]),
        { id: "ring-stores" },
      ),
      h("p", { class: "small muted" }, `${t("accounts")}: ${ring.accounts.length} · ${t("waybills")}: ${ring.waybills}`),
    ),
    memberScores(ring),
    ring.shared_receivers.length
      ? section(
          t("shared_receivers"),
          table(
            [t("kind"), t("receiver"), t("accounts"), t("orders")],
            ring.shared_receivers.slice(0, 30).map((s) => [labelName(s.kind === "phone" ? "Phone" : "Address"), s.text || s.uid, String(s.accounts.length), String(s.orders)]),
          ),
        )
      : null,
    section(
      `${t("evidence")} · ${t("orders")}`,
      ring.orders.length > orders.length ? h("p", { class: "muted small" }, t("shown_of", { k: orders.length, n: ring.orders.length })) : null,
      h(
        "div",
        { class: "scroll" },
        table(
          [t("placed"), t("accounts"), t("stores"), t("amount"), t("waybills"), t("receiver")],
          orders.map((o) => [
            fmtDate(o.placed),
            h("code", {}, o.account),
            storeNames.get(o.store) ? entityLink(o.store, storeNames.get(o.store)) : h("code", {}, o.store),
            o.amount ?? "",
            o.waybill
              ? h("span", {}, `${o.waybill.replace(/^waybill:/, "")}${o.weight_kg != null ? ` (${o.weight_kg} kg)` : ""}`,
                  o.weight_kg != null && o.weight_kg < LIGHT_KG ? h("span", { class: "pill warn light" }, t("light_parcel")) : null)
              : "—",
            o.address_text || o.phone_number || "",
          ]),
        ),
      ),
    ),
  );
}

function shellEvidence(cluster, shared) {
  return h(
    "div",
    {},
    section(
      t("shared"),
      h("p", {}, Object.entries(cluster.shared || {}).map(([k, n]) => h("span", { class: "pill" }, `${tOr(`shared_kind_${k}`, k)} × ${n}`))),
      shared.length
        ? table(
            [t("kind"), t("name"), t("shared_members")],
            shared.map((s) => [tOr(`shared_kind_${s.kind}`, s.kind), s.kind === "legal_representative" || s.kind === "shareholder" || s.kind === "registration_agent" ? entityLink(s.uid, s.name) : s.name || s.uid, String(s.members)]),
            { id: "shell-shared" },
          )
        : null,
    ),
    section(
      t("members"),
      table(
        [labelName("Business"), "USCC", t("status"), t("established"), t("similarity")],
        (cluster.members || []).map((m) => [
          entityLink(m.uid, m.name),
          h("code", {}, m.uscc || ""),
          m.status ? statusName(m.status) : "",
          fmtDate(m.established),
          fmtScore(m.similarity),
        ]),
        { id: "shell-members" },
      ),
    ),
  );
}

function reviewForm(queue, item, outcome) {
  const reason = h("textarea", { id: "review-reason", name: "reason", maxlength: 2000, required: true, "aria-labelledby": "review-reason-title" });
  const message = h("div", {});
  const buttons = [];
  let shown = null; // the preview card the officer has read, if any
  const decide = async (decision) => {
    if (!reason.value.trim()) {
      replace(message, h("div", { class: "error", role: "alert" }, t("reason_required")));
      return;
    }
    buttons.forEach((b) => { b.disabled = true; });
    replace(message, loading());
    try {
      if (decision === "confirm" && !shown) {
        // Nothing is written yet: show what confirming would impose, then ask again.
        shown = previewCard(await get(queue.preview(item.uid)));
        replace(message);
        replace(outcome, shown);
        const needs = shown.querySelector('[data-code="approval_needed"]') !== null;
        const apply = h("button", { type: "button", class: "danger", id: "review-apply", onclick: () => decide("confirm") }, w(needs ? "request" : "apply"));
        const cancel = h("button", { type: "button", class: "secondary", id: "review-cancel", onclick: () => { shown = null; replace(outcome); buttons.forEach((b) => { b.disabled = false; }); } }, w("cancel"));
        outcome.append(h("div", { class: "actions" }, apply, cancel));
        outcome.scrollIntoView();
        return;
      }
      const [url, body] = queue.review(item.uid, decision, reason.value.trim());
      const result = await post(url, body);
      replace(message);
      outcome.querySelector(".actions")?.remove();
      if (isPending(result)) {
        markPreview(shown, "pending");
        outcome.prepend(pendingNotice(result));
      } else {
        if (shown) markPreview(shown, "applied");
        // the header no longer says "suspected": it says what was decided
        const pill = document.querySelector("#review-status .pill");
        pill?.replaceWith(statusPill(decision === "confirm" ? "confirmed" : "dismissed"));
        outcome.prepend(outcomeView(decision, result, await subjectNames(result)));
      }
      outcome.scrollIntoView();
      form.remove();
    } catch (err) {
      replace(message, errorBox(err));
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
  buttons.push(
    h("button", { type: "button", class: "danger", id: "review-confirm", onclick: () => decide("confirm") }, t("confirm")),
    h("button", { type: "button", class: "secondary", id: "review-dismiss", onclick: () => decide("dismiss") }, t("dismiss")),
  );
  const form = h(
    "section",
    { class: "card", id: "review-form" },
    h("h2", { id: "review-reason-title" }, t("review_reason")),
    reason,
    message,
    h("div", { class: "actions" }, buttons),
  );
  return form;
}

function outcomeView(decision, result, names = new Map()) {
  if (decision === "dismiss") {
    return h("div", { class: "notice", role: "status" }, t("dismiss_done"));
  }
  if (!("restrictions" in result)) {
    // A shell cluster: the decision is recorded; punishment needs its own listing.
    return h("div", { class: "notice", role: "status" }, t("cluster_confirmed"));
  }
  const restrictions = result.restrictions || [];
  return h(
    "section",
    { class: "card", id: "confirm-outcome" },
    h("div", { class: "notice", role: "status" }, t("confirm_done")),
    h("h3", {}, `${t("caused")} (${restrictions.length})`),
    restrictions.length ? causedTable(restrictions, names) : h("p", { class: "muted" }, t("none")),
    result.note ? h("p", { class: "muted small" }, result.note) : null,
  );
}

/** Names of the restricted subjects (POST /console/api/names), so the outcome names them. */
async function subjectNames(result) {
  const uids = [...new Set((result.restrictions || []).map((r) => r.subject_uid))].slice(0, 1000);
  if (!uids.length) return new Map();
  const answer = await post("/console/api/names", { uids }).catch(() => null);
  return new Map(Object.entries(answer?.names || {}));
}

/** Caused restrictions grouped by subject, by name (a nameless one by its kind): one row per
 * entity, its measures listed. */
function causedTable(restrictions, names) {
  const bySubject = new Map();
  for (const r of restrictions) {
    if (!bySubject.has(r.subject_uid)) bySubject.set(r.subject_uid, []);
    bySubject.get(r.subject_uid).push(r);
  }
  const nameOf = (uid) => names.get(uid)?.name || labelName(names.get(uid)?.label || "") || t("none");
  const rows = [...bySubject.entries()].map(([uid, list]) => [
    entityLink(uid, nameOf(uid)),
    list.map((r) => pick(r, "measure_name")).join("、"),
    fmtDate(list[0].valid_from),
  ]);
  const shown = 25;
  const body = table([t("counterpart"), t("measure"), t("valid_from")], rows.slice(0, shown), {
    id: "caused-restrictions",
  });
  if (rows.length <= shown) return body;
  const rest = table([t("counterpart"), t("measure"), t("valid_from")], rows.slice(shown));
  rest.hidden = true;
  const toggle = h("button", { type: "button", class: "link-button", onclick: () => { rest.hidden = false; toggle.remove(); } },
    t("show_all", { n: rows.length }));
  return h("div", {}, body, toggle, rest);
}
