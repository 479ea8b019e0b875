// Proportionate confirmation in the console: the preview an officer reads before a
// decision that restricts anyone (subjects and measures per rule, by name, with counts, the
// approval threshold that applied and its legal basis), and the queue of actions waiting for
// a second officer (two-person rule). Server data comes in both languages; the console's own
// words are below.

import { get, post } from "../api.js";
import { errorBox, h, loading, replace, table } from "../dom.js";
import { getLang } from "../i18n.js";

const WORDS = {
  zh: {
    preview_title: "执行前预览（尚未执行）",
    applied_title: "已执行",
    pending_title: "已提交，等待第二名执法人员批准",
    counts: "{l} 项列入，限制 {s} 个主体，共 {r} 项惩戒措施",
    subjects: "{n} 个主体",
    measure: "措施",
    count: "主体数",
    more: "等另 {n} 个",
    apply: "确认执行",
    request: "提交第二人审批",
    cancel: "取消",
    pending_notice: "审批单 {id}：须由另一名执法人员（不是 {who}）在「待批准」中批准后才执行。",
    approvals: "待批准",
    approvals_empty: "没有待批准的事项。",
    requested_by: "申请人",
    reason: "理由",
    approve: "批准并执行",
    reject: "驳回",
    decision_reason: "批准或驳回的理由（必填）",
    reason_required: "请填写理由。",
    approved: "已批准并执行。",
    rejected: "已驳回，未执行任何措施。",
    action_ring: "确认刷单团伙",
    action_listing: "列入名单",
    listing_reason: "理由（限制主体超过审批门槛时必填，供第二名执法人员审核）",
  },
  en: {
    preview_title: "Preview (nothing applied yet)",
    applied_title: "Applied",
    pending_title: "Submitted: waiting for a second officer's approval",
    counts: "{l} listings, {s} subjects restricted, {r} measures in all",
    subjects: "{n} subjects",
    measure: "measure",
    count: "subjects",
    more: "and {n} more",
    apply: "Apply",
    request: "Ask a second officer to approve",
    cancel: "Cancel",
    pending_notice: "Approval {id}: it takes effect only when another officer (not {who}) approves it under \"Approvals\".",
    approvals: "Approvals",
    approvals_empty: "Nothing waits for approval.",
    requested_by: "Requested by",
    reason: "Reason",
    approve: "Approve and apply",
    reject: "Reject",
    decision_reason: "Why you approve or reject (required)",
    reason_required: "Give a reason.",
    approved: "Approved and applied.",
    rejected: "Rejected: nothing was applied.",
    action_ring: "Confirm a brushing ring",
    action_listing: "Add a listing",
    listing_reason: "Reason (required when the listing restricts more subjects than the approval threshold, for the second officer)",
  },
};

/** The console's word for `key` in the page's language, {name} filled. */
export function w(key, params = {}) {
  const text = WORDS[getLang()][key] ?? WORDS.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

const byLang = (obj) => (getLang() === "en" ? obj.en : obj.zh);
const lpick = (obj, base) => obj[`${base}_${getLang()}`] ?? obj[`${base}_zh`] ?? "";
const NAMES_SHOWN = 20;

/** The preview as a card: per rule its measures with counts and its subjects by name. */
export function previewCard(preview, id = "confirm-preview") {
  const rules = preview.rules.map((rule) => {
    const names = rule.names.slice(0, NAMES_SHOWN).map((n) => `${n.name}（${getLang() === "en" ? n.kind_en : n.kind_zh}）`);
    const more = rule.subjects - names.length;
    return h(
      "div",
      { class: "preview-rule", dataset: { rule: rule.rule_id } },
      h("h3", {}, `${lpick(rule, "description")} · ${w("subjects", { n: rule.subjects })}`),
      table(
        [w("measure"), w("count")],
        rule.measures.map((m) => [lpick(m, "name"), String(m.subjects)]),
      ),
      h("p", { class: "small preview-names" }, names.join(getLang() === "en" ? ", " : "、"), more > 0 ? ` ${w("more", { n: more })}` : ""),
      h("p", { class: "small muted" }, rule.legal_basis.join("；")),
    );
  });
  return h(
    "section",
    { class: "card preview", id },
    h("h2", { class: "preview-title" }, w("preview_title")),
    h("p", { id: `${id}-counts` }, w("counts", { l: preview.listings, s: preview.subjects, r: preview.restrictions })),
    preview.notes.map((n) => h("p", { class: n.code === "approval_needed" ? "notice warn" : "notice", dataset: { code: n.code } }, byLang(n))),
    rules,
    h("p", { class: "small muted", id: `${id}-limit` }, byLang(preview.limit), preview.limit.legal_basis.length ? ` — ${preview.limit.legal_basis.join("；")}` : ""),
  );
}

/** Re-title a preview card once its action is applied or waits for approval. */
export function markPreview(card, state) {
  const heading = card.querySelector(".preview-title");
  if (heading) heading.textContent = w(state === "applied" ? "applied_title" : "pending_title");
  card.classList.add(state);
}

/** Whether an answer is a pending approval (202) rather than the applied result. */
export function isPending(answer) {
  return answer && answer.status === "pending" && "preview" in answer;
}

/** The notice shown when the action waits for a second officer. */
export function pendingNotice(approval) {
  return h("div", { class: "notice", role: "status", id: "approval-pending" }, w("pending_notice", { id: approval.id, who: approval.requested_by }));
}

/** The queue of actions waiting for a second officer, each with its preview. */
export async function renderApprovals(root, alive) {
  const box = h("section", { class: "card", id: "approvals" }, h("h1", {}, w("approvals")), loading());
  root.append(box);
  const items = await get("/v1/approvals", { status: "pending" });
  if (!alive()) return;
  box.lastChild.remove();
  if (!items.length) {
    box.append(h("p", { class: "muted" }, w("approvals_empty")));
    return;
  }
  for (const a of items) box.append(approvalCard(a));
}

function approvalCard(a) {
  const reason = h("textarea", { class: "approval-reason", maxlength: 2000, "aria-label": w("decision_reason"), placeholder: w("decision_reason") });
  const message = h("div", {});
  const preview = previewCard(a.preview, `approval-${a.id}-preview`);
  const decide = async (verb) => {
    if (!reason.value.trim()) {
      replace(message, h("div", { class: "error", role: "alert" }, w("reason_required")));
      return;
    }
    buttons.forEach((b) => { b.disabled = true; });
    replace(message, loading());
    try {
      await post(`/v1/approvals/${a.id}/${verb}`, { reason: reason.value.trim() });
      replace(message, h("div", { class: "notice", role: "status" }, w(verb === "approve" ? "approved" : "rejected")));
      if (verb === "approve") markPreview(preview, "applied");
    } catch (err) {
      replace(message, errorBox(err));
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
  const buttons = [
    h("button", { type: "button", class: "danger approval-approve", onclick: () => decide("approve") }, w("approve")),
    h("button", { type: "button", class: "secondary approval-reject", onclick: () => decide("reject") }, w("reject")),
  ];
  return h(
    "article",
    { class: "card approval", dataset: { id: String(a.id) } },
    h("h2", {}, `#${a.id} · ${w(a.action === "ring.confirm" ? "action_ring" : "action_listing")}`),
    h("p", {}, `${w("requested_by")}: ${a.requested_by} · ${a.requested_at} · ${w("reason")}: ${a.request_reason}`),
    preview,
    reason,
    message,
    h("div", { class: "actions" }, buttons),
  );
}
