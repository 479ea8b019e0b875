// Objections (异议): file one on a subject's behalf, list them by status, take one under
// review and decide it. Every word shown for a status, a target kind, an outcome or a
// scope comes from its code (WORDS below); the server's free text is only what officers
// wrote (grounds, reasons). An upheld link objection excludes the link from propagation
// and the answer says how many restrictions it lifted or amended.

import { call, get, post } from "../api.js";
import { entityLink, errorBox, fmtDate, formValues, h, loading, replace, section, table } from "../dom.js";
import { getLang, t } from "../i18n.js";

const OBJECTIONS = "/v1/objections";
const STATES = ["filed", "under_review", "upheld", "partly_upheld", "rejected"];
const KINDS = ["listing", "restriction", "link"];
const OUTCOMES = ["under_review", "upheld", "partly_upheld", "rejected"];
const SCOPES = ["all", "rule", "listing"];

const WORDS = {
  zh: {
    title: "异议处理",
    hint: "主体对名单、派生的限制措施或推导路径上的某一关联关系提出异议。审查期间限制措施继续有效，但在平台查询和变更推送中标注为“异议审查中”。",
    file: "登记异议",
    all: "全部异议",
    filter: "状态",
    any: "全部",
    kind: "异议对象",
    target: "对象标识",
    target_hint: "名单编号（listing:…）、限制措施编号（restriction:…）或关联关系编号（rid）",
    subject: "提出异议的主体（uid）",
    grounds: "异议理由",
    submit: "登记",
    filed_ok: "异议 {id} 已登记，应于 {deadline} 前作出决定。",
    id: "编号",
    status: "状态",
    filed: "登记日期",
    deadline: "审查期限",
    overdue: "已超期",
    open_it: "处理",
    empty: "没有符合条件的异议。",
    detail: "异议 {id}",
    facts: "异议内容",
    back: "返回异议列表",
    decide: "审查与决定",
    outcome: "决定",
    officer: "经办人员",
    reason: "书面理由（告知主体）",
    scope: "排除范围（关联关系异议）",
    scope_value: "规则编号或名单编号",
    send: "提交",
    decided_ok: "已作出决定：{outcome}。",
    effect: "解除 {lifted} 项限制措施，变更 {amended} 项（其余路径仍然成立）。",
    no_effect: "图谱中的限制措施未变。",
    reviewer: "审查人员",
    decided: "决定日期",
    decided_by: "决定人员",
    filed_by: "登记人",
    state_filed: "已登记",
    state_under_review: "审查中",
    state_upheld: "异议成立",
    state_partly_upheld: "部分成立",
    state_rejected: "驳回",
    kind_listing: "名单",
    kind_restriction: "限制措施",
    kind_link: "关联关系",
    outcome_under_review: "受理审查",
    outcome_upheld: "异议成立",
    outcome_partly_upheld: "部分成立",
    outcome_rejected: "驳回",
    scope_all: "所有规则和名单",
    scope_rule: "仅一条规则",
    scope_listing: "仅一个名单",
  },
  en: {
    title: "Objections",
    hint: "A subject objects to a listing, a derived restriction, or one link on a derivation path. While it is reviewed the restriction stays in force, marked disputed in platform checks and in the change feed.",
    file: "File an objection",
    all: "All objections",
    filter: "Status",
    any: "any",
    kind: "Objection against",
    target: "Target",
    target_hint: "listing uid (listing:…), restriction uid (restriction:…) or a link's relationship id (rid)",
    subject: "Subject objecting (uid)",
    grounds: "Grounds",
    submit: "File",
    filed_ok: "Objection {id} filed; to be decided by {deadline}.",
    id: "No.",
    status: "Status",
    filed: "Filed",
    deadline: "Deadline",
    overdue: "overdue",
    open_it: "Open",
    empty: "No objections match.",
    detail: "Objection {id}",
    facts: "Details",
    back: "Back to the objections",
    decide: "Review and decide",
    outcome: "Decision",
    officer: "Officer",
    reason: "Written reason (told to the subject)",
    scope: "Exclusion scope (link objections)",
    scope_value: "Rule id or listing uid",
    send: "Submit",
    decided_ok: "Decided: {outcome}.",
    effect: "{lifted} restrictions lifted, {amended} amended (their other paths still hold).",
    no_effect: "No restriction in the graph changed.",
    reviewer: "Reviewer",
    decided: "Decided",
    decided_by: "Decided by",
    filed_by: "Filed by",
    state_filed: "filed",
    state_under_review: "under review",
    state_upheld: "upheld",
    state_partly_upheld: "partly upheld",
    state_rejected: "rejected",
    kind_listing: "listing",
    kind_restriction: "restriction",
    kind_link: "link",
    outcome_under_review: "take under review",
    outcome_upheld: "upheld",
    outcome_partly_upheld: "partly upheld",
    outcome_rejected: "rejected",
    scope_all: "every rule and listing",
    scope_rule: "one rule only",
    scope_listing: "one listing only",
  },
};

/** The objection pages' word for `key` in the console's language, {name} filled. */
function w(key, params = {}) {
  const text = WORDS[getLang()][key] ?? WORDS.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

const field = (label, control) => h("label", {}, label, control);
const today = () => new Date().toISOString().slice(0, 10);

export async function renderObjections(root, rest, params, alive, me) {
  if (rest) return renderOne(root, Number.parseInt(rest, 10), alive, me);
  root.append(h("h1", { class: "page-title" }, w("title")), h("p", { class: "muted small" }, w("hint")));
  root.append(fileForm(params));
  const status = STATES.includes(params.status) ? params.status : "";
  const filter = h(
    "select",
    { id: "objection-status", "aria-label": w("filter"), onchange: (e) => { location.hash = e.target.value ? `#/objections?status=${e.target.value}` : "#/objections"; } },
    h("option", { value: "" }, w("any")),
    STATES.map((s) => h("option", { value: s, selected: s === status }, w(`state_${s}`))),
  );
  const box = section(w("all"), h("div", { class: "actions" }, field(w("filter"), filter)), loading());
  box.id = "objection-list";
  root.append(box);
  const found = await get(OBJECTIONS, status ? { status } : {});
  if (!alive()) return;
  box.querySelector(".loading")?.remove();
  if (!found.length) {
    box.append(h("p", { class: "muted", id: "objections-empty" }, w("empty")));
    return;
  }
  box.append(
    table(
      [w("id"), w("status"), w("kind"), w("target"), w("subject"), w("filed"), w("deadline"), ""],
      found.map((o) => [
        String(o.id),
        h("span", { class: `pill objection-${o.status}` }, w(`state_${o.status}`)),
        w(`kind_${o.target_kind}`),
        h("code", {}, o.target),
        entityLink(o.subject),
        fmtDate(o.filed),
        overdue(o) ? h("span", { class: "pill restricted" }, `${fmtDate(o.deadline)} · ${w("overdue")}`) : fmtDate(o.deadline),
        h("a", { href: `#/objections/${o.id}`, class: "open-objection" }, w("open_it")),
      ]),
      { id: "objections-table" },
    ),
  );
}

const overdue = (o) => o.open && today() > o.deadline;

function fileForm(params) {
  const status = h("div", { id: "file-status", role: "status" });
  const form = h(
    "form",
    { id: "objection-file-form" },
    h(
      "div",
      { class: "form-grid" },
      field(w("kind"), h("select", { name: "target_kind", id: "objection-kind" }, KINDS.map((k) => h("option", { value: k }, w(`kind_${k}`))))),
      field(w("target"), h("input", { name: "target", id: "objection-target", required: true, maxlength: 200, placeholder: w("target_hint"), value: params.target || "" })),
      field(w("subject"), h("input", { name: "subject", id: "objection-subject", required: true, maxlength: 200, value: params.subject || "" })),
      field(w("grounds"), h("textarea", { name: "grounds", id: "objection-grounds", required: true, maxlength: 4000, rows: 3 })),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "objection-file" }, w("submit"))),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const o = await post(OBJECTIONS, formValues(form));
      replace(status, h("p", { class: "ok" }, w("filed_ok", { id: o.id, deadline: fmtDate(o.deadline) })));
      location.hash = `#/objections/${o.id}`;
    } catch (err) {
      replace(status, errorBox(err));
    }
  });
  return section(w("file"), form);
}

async function renderOne(root, id, alive, me) {
  root.append(h("p", {}, h("a", { href: "#/objections" }, `← ${w("back")}`)), loading());
  const o = await get(`${OBJECTIONS}/${id}`);
  if (!alive()) return;
  root.querySelector(".loading")?.remove();
  document.title = `${w("detail", { id })} · ${t("app_title")}`;
  const rows = [
    [w("status"), h("span", { class: `pill objection-${o.status}`, id: "objection-state" }, w(`state_${o.status}`))],
    [w("kind"), w(`kind_${o.target_kind}`)],
    [w("target"), h("code", {}, o.target)],
    [w("subject"), entityLink(o.subject)],
    [w("grounds"), o.grounds],
    [w("filed_by"), o.filed_by],
    [w("filed"), fmtDate(o.filed)],
    [w("deadline"), overdue(o) ? `${fmtDate(o.deadline)} · ${w("overdue")}` : fmtDate(o.deadline)],
    [w("reviewer"), o.reviewer || t("none")],
  ];
  if (!o.open) {
    rows.push([w("outcome"), w(`state_${o.status}`)], [w("decided"), fmtDate(o.decided)], [w("decided_by"), o.decided_by],
      [w("reason"), o.reason]);
    if (o.scope) rows.push([w("scope"), `${w(`scope_${o.scope}`)}${o.scope_value ? ` · ${o.scope_value}` : ""}`]);
  }
  root.append(
    h("h1", { class: "page-title" }, w("detail", { id })),
    section(w("facts"), h("dl", { class: "facts", id: "objection-facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))),
  );
  if (o.open) root.append(decideForm(o, me));
}

function decideForm(o, me) {
  const status = h("div", { id: "decide-status", role: "status" });
  const outcomes = OUTCOMES.filter((x) => x !== "under_review" || o.status === "filed");
  const scope = h("select", { name: "scope", id: "decide-scope" }, SCOPES.map((s) => h("option", { value: s }, w(`scope_${s}`))));
  const scopeValue = h("input", { name: "scope_value", id: "decide-scope-value", maxlength: 200 });
  const linkOnly = [field(w("scope"), scope), field(w("scope_value"), scopeValue)];
  const form = h(
    "form",
    { id: "objection-decide-form" },
    h(
      "div",
      { class: "form-grid" },
      field(w("outcome"), h("select", { name: "outcome", id: "decide-outcome" }, outcomes.map((x) => h("option", { value: x }, w(`outcome_${x}`))))),
      field(w("officer"), h("input", { name: "officer", id: "decide-officer", required: true, maxlength: 200, value: me?.name || "" })),
      field(w("reason"), h("textarea", { name: "reason", id: "decide-reason", maxlength: 4000, rows: 3 })),
      o.target_kind === "link" ? linkOnly : null,
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "decide-send" }, w("send"))),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const body = { outcome: v.outcome, officer: v.officer, reason: v.reason || null };
    if (o.target_kind === "link" && v.outcome !== "rejected" && v.outcome !== "under_review") {
      body.scope = v.scope;
      if (v.scope !== "all") body.scope_value = v.scope_value || null;
    }
    try {
      const out = await call("POST", `${OBJECTIONS}/${o.id}/decision`, body);
      const done = [h("p", { class: "ok", id: "decided-ok" }, w("decided_ok", { outcome: w(`state_${out.status}`) }))];
      if (out.status !== "under_review") {
        const p = out.propagation;
        done.push(h("p", { id: "decided-effect" }, p ? w("effect", { lifted: p.lifted, amended: p.amended }) : w("no_effect")));
      }
      replace(status, done);
      form.querySelector("#decide-send").disabled = true;
      const state = document.getElementById("objection-state");
      if (state) {
        state.textContent = w(`state_${out.status}`);
        state.className = `pill objection-${out.status}`;
      }
      if (out.status === "under_review") setTimeout(() => { location.hash = `#/objections/${o.id}?r=${Date.now()}`; }, 0);
    } catch (err) {
      replace(status, errorBox(err));
    }
  });
  return section(w("decide"), form);
}
