// A ring's members with their calibrated brushing scores (0-1; about 90% precision at 0.9)
// and the reasons behind each, most suspicious first: from the ring's detail
// (GET /v1/rings/{id}, member_scores), written by the last detection run.

import { fmtScore, h, section, table } from "../dom.js";
import { getLang, pick } from "../i18n.js";

const WORDS = {
  zh: { title: "成员可疑得分", member: "成员", kind: "类型", score: "可疑得分", reasons: "依据", account: "账号", store: "网店", hint: "得分 0.9 约对应 90% 的准确率；依据为得分最主要的原因。", shown: "显示 {k} / {n}" },
  en: { title: "Member suspiciousness", member: "member", kind: "kind", score: "score", reasons: "why", account: "account", store: "store", hint: "A score of 0.9 means about 90% precision; the reasons are the score's main ones.", shown: "{k} of {n} shown" },
};
const w = (key, params = {}) => (WORDS[getLang()][key] ?? key).replace(/\{(\w+)\}/g, (_, n) => String(params[n] ?? ""));
const SHOWN = 20;

/** The members' scores as a table (null when the detection run scored none). */
export function memberScores(ring) {
  const scores = [...(ring.member_scores || [])].sort((a, b) => b.score - a.score || a.uid.localeCompare(b.uid));
  if (!scores.length) return null;
  const rows = scores.slice(0, SHOWN).map((s) => [
    s.kind === "store" && s.name ? s.name : h("code", {}, s.uid),
    w(s.kind),
    h("span", { class: s.score >= 0.9 ? "pill warn" : "pill" }, fmtScore(s.score)),
    h("ul", { class: "reasons small" }, s.reasons.slice(0, 2).map((r) => h("li", {}, pick(r, "text")))),
  ]);
  return section(
    w("title"),
    h("p", { class: "small muted" }, w("hint"), scores.length > SHOWN ? ` ${w("shown", { k: SHOWN, n: scores.length })}` : ""),
    table([w("member"), w("kind"), w("score"), w("reasons")], rows, { id: "member-scores" }),
  );
}
