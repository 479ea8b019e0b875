// A derivation or connection path drawn as a chain: node → relationship → node …
// Arrows follow the stored direction of each relationship, so "A ←法定代表人— B" reads as
// "B is the legal representative of A".

import { fmtDate, h } from "./dom.js";
import { labelName, relName, t } from "./i18n.js";

/**
 * nodes: [{uid, label, name}], edges: [{type, src, dst, since?, until?}] with edges[i]
 * joining nodes[i] and nodes[i + 1]. `first` and `last` classes mark the listed entity and
 * the restricted one when drawing an explanation; `restricted` (a Map or Set of uids) adds a
 * 受限 badge to those nodes.
 */
export function chain(nodes, edges, { firstClass = "", lastClass = "", restricted = null } = {}) {
  const parts = [];
  nodes.forEach((node, i) => {
    const cls = ["node", i === 0 ? firstClass : "", i === nodes.length - 1 ? lastClass : ""].join(" ");
    parts.push(
      h(
        "a",
        { class: cls.trim(), href: `#/entity/${encodeURIComponent(node.uid)}`, title: node.uid },
        h("span", { class: "muted small" }, labelName(node.label)),
        " ",
        node.name || node.uid,
        restricted?.has(node.uid) ? h("span", { class: "pill restricted badge" }, t("net_restricted")) : null,
      ),
    );
    const edge = edges[i];
    if (!edge) return;
    const forward = edge.src === node.uid;
    const when =
      edge.since || edge.until
        ? ` ${fmtDate(edge.since) || "…"}–${fmtDate(edge.until) || "…"}`
        : "";
    parts.push(
      h(
        "span",
        { class: "edge", title: edge.rid || edge.type },
        forward ? "—" : "←",
        h("b", {}, relName(edge.type)),
        when,
        forward ? "→" : "—",
      ),
    );
  });
  return h("div", { class: "chain", "aria-label": t("why") }, parts);
}
