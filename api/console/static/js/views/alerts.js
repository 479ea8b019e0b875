// The alert inbox (风险预警): the officer's alerts, newest first, with the watched and the
// changed entity by name, the list, measure and rule in words and the path written by the
// server (graph/render.py); acknowledge, assign and close through POST /v1/alerts/{id}.
// The entity page's "watch" button is here too (POST /v1/watches).

import { get, post } from "../api.js";
import { entityLink, errorBox, h, loading, replace, table } from "../dom.js";
import { pick, t } from "../i18n.js";
import "../words_alerts.js";

const INBOX = "/console/api/alerts";
const STATES = ["open", "acknowledged", "assigned", "closed"];

const when = (iso) => String(iso || "").replace("T", " ").slice(0, 16);

export async function renderAlerts(root, _rest, params) {
  const status = STATES.includes(params.status) ? params.status : null;
  const before = /^\d+$/.test(params.before || "") ? params.before : null;
  const notice = h("div", { id: "alerts-notice", role: "status" });
  root.append(
    h("h1", {}, t("alerts_title")),
    h("p", { class: "muted small" }, t("alerts_note")),
    h(
      "div",
      { class: "toolbar" },
      h(
        "nav",
        { class: "tabs alert-tabs", "aria-label": t("alert_status") },
        [null, ...STATES].map((s) =>
          h(
            "a",
            {
              href: s ? `#/alerts?status=${s}` : "#/alerts",
              class: s === status ? "active" : null,
              "aria-current": s === status ? "page" : null,
            },
            s ? t(`alert_state_${s}`) : t("alerts_all"),
          ),
        ),
      ),
      h("button", { type: "button", class: "secondary", id: "alerts-scan", onclick: () => scan(root, params, notice) }, t("alerts_scan")),
    ),
    notice,
  );
  const box = h("div", { id: "alerts-list" }, loading());
  root.append(box);
  const page = await get(INBOX, { status, before });
  replace(box, inboxTable(page.items, root, params));
  if (page.before) {
    const next = new URLSearchParams({ ...(status ? { status } : {}), before: String(page.before) });
    box.append(h("div", { class: "pager" }, h("a", { href: `#/alerts?${next}` }, t("more"))));
  }
}

async function scan(root, params, notice) {
  try {
    const found = await post("/v1/alerts/scan");
    await rerender(root, params);
    replace(document.getElementById("alerts-notice") || notice, h("div", { class: "notice" }, t("alerts_scanned", { n: found.new_alerts })));
  } catch (err) {
    replace(notice, errorBox(err));
  }
}

async function rerender(root, params) {
  replace(root);
  await renderAlerts(root, "", params);
}

function inboxTable(items, root, params) {
  if (!items.length) return h("p", { class: "muted", id: "alerts-empty" }, t("alerts_empty"));
  const el = table(
    [t("alert_severity"), t("alert_watched"), t("alert_change"), t("alert_path"), t("alert_rule"), t("alert_time"), t("alert_status"), ""],
    items.map((a) => [
      h("span", { class: `pill severity-${a.severity}` }, t(`severity_${a.severity}`)),
      entityLink(a.watched, a.watched_name),
      changeText(a),
      h(
        "div",
        {},
        h("div", { class: "alert-path" }, pick(a, "path")),
        h("div", { class: "muted small" }, a.distance === 0 ? t("alert_self") : a.distance === 1 ? t("alert_hop_one") : t("alert_hops", { n: a.distance })),
      ),
      h("span", { class: "small" }, ruleText(a)),
      h("time", { datetime: a.created }, when(a.created)),
      h(
        "div",
        {},
        h("span", { class: `pill alert-state-${a.status}` }, t(`alert_state_${a.status}`)),
        a.assignee ? h("div", { class: "small" }, t("alert_assigned_to", { who: a.assignee })) : null,
      ),
      actions(a, root, params),
    ]),
    { id: "alerts-table", class: "alerts-table" },
  );
  // Each row carries its alert's id, so an officer's action finds its row again.
  el.querySelectorAll("tbody tr").forEach((row, i) => {
    row.id = `alert-${items[i].id}`;
    row.dataset.status = items[i].status;
  });
  return el;
}

/** The rule that carried the measure; a listing's own measures ("<list>.self") in words. */
function ruleText(a) {
  const words = pick(a, "rule");
  if (words) return words;
  return a.rule_id.endsWith(".self") ? t("alert_rule_self") : a.rule_id;
}

function changeText(a) {
  const name = entityLink(a.subject, a.subject_name);
  const words = a.kind === "listing"
    ? t("alert_listed", { name: "\u0000", list: pick(a, "list_name") })
    : t("alert_restricted", { name: "\u0000", list: pick(a, "list_name"), measure: pick(a, "measure_name") });
  const [head, tail] = words.split("\u0000");
  return h("span", {}, head, name, tail);
}

function actions(a, root, params) {
  const send = async (body, button) => {
    button.disabled = true;
    try {
      await post(`/v1/alerts/${a.id}`, body);
      await rerender(root, params);
    } catch (err) {
      button.disabled = false;
      button.closest("td").append(errorBox(err));
    }
  };
  const buttons = h("div", { class: "alert-actions" });
  const add = (key, body, cls = "secondary") => {
    const b = h("button", { type: "button", class: cls, "data-action": key }, t(`alert_${key}`));
    b.addEventListener("click", () => send(body, b));
    buttons.append(b);
  };
  if (a.status === "open") add("ack", { status: "acknowledged" });
  if (a.status !== "closed") {
    const input = h("input", { name: "assignee", required: true, maxlength: 200, size: 8, id: `assignee-${a.id}`, value: a.assignee || "", placeholder: t("alert_assignee") });
    const submit = h("button", { type: "submit", class: "secondary", "data-action": "assign" }, t("alert_assign"));
    buttons.append(
      h(
        "form",
        {
          class: "field-inline",
          onsubmit: (e) => {
            e.preventDefault();
            if (input.value.trim()) send({ status: "assigned", assignee: input.value.trim() }, submit);
          },
        },
        h("label", { for: `assignee-${a.id}`, class: "sr-only" }, t("alert_assignee")),
        input,
        submit,
      ),
    );
    add("close", { status: "closed" });
  } else {
    add("reopen", { status: "open" });
  }
  return buttons;
}

/** The entity page's button: watch this entity (2 hops, default relationships). */
export function watchButton(uid) {
  const button = h("button", { type: "button", class: "secondary", id: "watch-entity" }, t("watch_add"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const watch = await post("/v1/watches", { target: uid, hops: 2 });
      button.textContent = t("watch_added", { n: watch.hops });
    } catch (err) {
      button.disabled = false;
      button.after(errorBox(err));
    }
  });
  return button;
}
