// Listing management: put a subject on a list, take a listing off, or repair credit. Each
// change is previewed first (the console router runs the propagation engine without
// writing); "Apply" sends exactly the previewed request and is disabled once the form
// changes.

import { ENDPOINTS, getMeta, post } from "../api.js";
import { chain } from "../chain.js";
import { entityLink, errorBox, fmtDate, formValues, h, loading, replace, section, table } from "../dom.js";
import { labelName, pick, t } from "../i18n.js";
import { isPending, pendingNotice, w } from "./confirm.js";

const today = () => new Date().toISOString().slice(0, 10);

export async function renderListings(root, _rest, params) {
  const meta = getMeta();
  root.append(
    h("h1", {}, t("listings_title")),
    h("p", { class: "muted small" }, t("list_note")),
    addForm(meta, params),
    changeForm(meta, params),
  );
  if (params.listing) document.getElementById("change-form")?.scrollIntoView();
}

function field(label, control) {
  return h("label", {}, label, control);
}

function addForm(meta, params) {
  const kind = params.kind || "business";
  const listTypes = h(
    "select",
    { name: "list_type", id: "add-list-type", required: true },
    meta.list_types
      .filter((lt) => lt.subjects.includes(kind))
      .map((lt) => h("option", { value: lt.id }, pick(lt, "name"))),
  );
  const basis = h("input", { name: "legal_basis", maxlength: 500 });
  const setBasis = () => {
    const lt = meta.list_types.find((x) => x.id === listTypes.value);
    basis.value = lt ? lt.legal_basis[0] || "" : "";
  };
  setBasis();
  listTypes.addEventListener("change", setBasis);
  const stamp = new Date().toISOString().replace(/[-:T.Z]/g, "").slice(0, 14);
  const form = h(
    "form",
    { id: "add-form" },
    h(
      "div",
      { class: "form-grid" },
      field(t("listing_id"), h("input", { name: "listing_id", required: true, pattern: "[A-Za-z0-9._:\\-]+", value: `CONSOLE-${stamp}` })),
      field(
        t("subject_kind"),
        h(
          "select",
          { name: "kind", id: "add-kind", onchange: (e) => { location.hash = `#/listings?${new URLSearchParams({ kind: e.target.value })}`; } },
          ["business", "person", "store"].map((k) => h("option", { value: k, selected: k === kind }, t(`kind_${k}`))),
        ),
      ),
      field(t("subject_id"), h("input", { name: "id", id: "add-id", required: true, value: params.id || "", autocomplete: "off" })),
      field(t("list_type"), listTypes),
      field(t("decided"), h("input", { type: "date", name: "decided", required: true, value: today() })),
      field(t("expires_blank_long"), h("input", { type: "date", name: "expires", "aria-describedby": "expires-hint" })),
      h("p", { class: "muted small", id: "expires-hint" }, t("expires_hint")),
      field(t("authority"), h("input", { name: "authority", maxlength: 200 })),
      field(t("legal_basis"), basis),
      // needed when the listing restricts more subjects than the approval threshold
      field(w("listing_reason"), h("textarea", { name: "reason", id: "add-reason", maxlength: 2000 })),
    ),
  );
  return previewCard(t("listings_add"), form, "add", () => {
    const v = formValues(form);
    const listing = {
      listing_id: v.listing_id,
      kind: v.kind,
      id: v.id,
      list_type: v.list_type,
      decided: v.decided,
      expires: v.expires || null,
      authority: v.authority || null,
      legal_basis: v.legal_basis || null,
      reason: v.reason || null,
    };
    return {
      preview: { action: "add", listing },
      apply: () => post(ENDPOINTS.listings, listing),
    };
  });
}

function changeForm(meta, params) {
  const action = params.action === "repair" ? "repair" : "remove";
  const reason = h(
    "select",
    { name: "reason", id: "change-reason" },
    meta.removal_reasons.map((r) => h("option", { value: r }, t(`reason_${r}`))),
  );
  const actionSelect = h(
    "select",
    { name: "action", id: "change-action" },
    h("option", { value: "remove", selected: action === "remove" }, t("action_remove")),
    h("option", { value: "repair", selected: action === "repair" }, t("action_repair")),
  );
  const reasonField = field(t("removal_reason"), reason);
  const sync = () => { reasonField.hidden = actionSelect.value === "repair"; };
  actionSelect.addEventListener("change", sync);
  sync();
  const form = h(
    "form",
    { id: "change-form" },
    h(
      "div",
      { class: "form-grid" },
      field(t("listing_uid"), h("input", { name: "listing_uid", id: "change-listing", required: true, value: params.listing || "", placeholder: "listing:…" })),
      field(t("action"), actionSelect),
      field(t("on"), h("input", { type: "date", name: "on", required: true, value: today() })),
      reasonField,
    ),
  );
  return previewCard(t("listings_change"), form, "change", () => {
    const v = formValues(form);
    if (v.action === "repair") {
      return {
        preview: { action: "repair", listing_uid: v.listing_uid, on: v.on },
        apply: () => post(ENDPOINTS.listingRepair(v.listing_uid), { on: v.on }),
      };
    }
    return {
      preview: { action: "remove", listing_uid: v.listing_uid, on: v.on, reason: v.reason },
      apply: () => post(ENDPOINTS.listingRemoval(v.listing_uid), { on: v.on, reason: v.reason }),
    };
  });
}

/** A form with Preview and Apply; Apply runs only the request that was previewed. */
function previewCard(title, form, id, build) {
  const out = h("div", { id: `${id}-result` });
  const previewButton = h("button", { type: "submit", class: "secondary", id: `${id}-preview` }, t("preview"));
  const applyButton = h("button", { type: "button", class: "danger", id: `${id}-apply`, disabled: true }, t("apply"));
  let pending = null;
  form.addEventListener("input", () => {
    pending = null;
    applyButton.disabled = true;
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const request = build();
    replace(out, loading());
    applyButton.disabled = true;
    try {
      const effect = await post(ENDPOINTS.preview, request.preview);
      replace(out, previewView(effect));
      pending = request;
      applyButton.disabled = false;
    } catch (err) {
      replace(out, errorBox(err));
    }
  });
  applyButton.addEventListener("click", async () => {
    if (!pending) return;
    const request = pending;
    pending = null;
    applyButton.disabled = true;
    try {
      const report = await request.apply();
      if (isPending(report)) {
        // above the approval threshold: stored for a second officer, nothing written yet
        const heading = out.querySelector("#preview h2");
        if (heading) heading.textContent = w("pending_title");
        out.prepend(pendingNotice(report));
        return;
      }
      // what was previewed is now written: the block says so
      const heading = out.querySelector("#preview h2");
      if (heading) heading.textContent = t("applied_title");
      out.querySelector("#preview")?.classList.add("applied");
      out.prepend(
        h(
          "div",
          { class: "notice", role: "status", id: `${id}-applied` },
          h("strong", {}, t("applied")),
          " ",
          t("applied_report", { i: report.imposed, l: report.lifted, a: report.amended, f: report.first_seq ?? "–", t: report.last_seq ?? "–" }),
        ),
      );
    } catch (err) {
      out.prepend(errorBox(err));
    }
  });
  form.append(h("div", { class: "actions" }, previewButton, applyButton));
  return section(title, form, out);
}

function effectRows(items, changed) {
  return items.map((x) => [
    h("span", {}, h("span", { class: "muted small" }, `${labelName(x.subject.label)} `), entityLink(x.subject.uid, x.subject.name)),
    pick(x, "measure_name"),
    `${fmtDate(x.valid_from)} – ${fmtDate(changed ? x.new_valid_to : x.valid_to) || t("open_ended")}`,
    x.path && x.path.edges.length ? chain(x.path.nodes, x.path.edges, { firstClass: "listed", lastClass: "subject" }) : t("direct"),
  ]);
}

function previewView(effect) {
  const heads = [t("counterpart"), t("measure"), `${t("valid_from")} – ${t("valid_to")}`, t("why")];
  const block = (title, items, total, changed) =>
    total
      ? h(
          "div",
          {},
          h("h3", {}, `${title} (${total})`),
          items.length < total ? h("p", { class: "muted small" }, t("shown_of", { k: items.length, n: total })) : null,
          table(heads, effectRows(items, changed)),
        )
      : null;
  return h(
    "div",
    { class: "card", id: "preview" },
    h("h2", {}, t("preview_title")),
    h("p", {}, entityLink(effect.subject.uid, effect.subject.name), " ", h("code", {}, effect.listing_uid)),
    h(
      "p",
      { id: "preview-counts" },
      t("preview_counts", { i: effect.imposed, l: effect.lifted, e: effect.ended, a: effect.amended }),
    ),
    block(t("will_impose"), effect.items_imposed, effect.imposed, false),
    block(t("will_lift"), effect.items_lifted, effect.lifted, false),
    block(t("will_change"), effect.items_changed, effect.ended + effect.amended, true),
  );
}
