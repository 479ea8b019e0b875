// The entity page: basic record, restrictions in force with the path behind each, listings,
// violations, roles and holdings, ownership and controllers (when the server has it),
// platform feedback.

import { ENDPOINTS, get, getMeta, has } from "../api.js";
import { chain } from "../chain.js";
import { entityLink, errorBox, fmtDate, h, loading, replace, section, table } from "../dom.js";
import { labelName, pick, relName, t } from "../i18n.js";

const ROLE_TYPES = [
  "SHAREHOLDER_OF",
  "LEGAL_REPRESENTATIVE_OF",
  "DIRECTOR_OF",
  "SUPERVISOR_OF",
  "MANAGER_OF",
  "ACTUAL_CONTROLLER_OF",
  "OPERATES",
];
const HIDDEN = new Set(["uid", "name", "first_seen", "last_seen", "source"]);

export async function renderEntity(root, uid, _params, alive) {
  root.append(loading());
  const [profile, explanation, roleNet] = await Promise.all([
    get(ENDPOINTS.entity(uid)),
    get(ENDPOINTS.explanation(uid)).catch((err) => ({ error: err })),
    get(ENDPOINTS.network(uid), { hops: 1, types: ROLE_TYPES, max_nodes: 200 }).catch(() => null),
  ]);
  if (!alive()) return;
  const e = profile.entity;
  const names = new Map((roleNet?.nodes || []).map((n) => [n.uid, n]));
  const restricted = explanation.items?.length > 0;

  const kind = { Business: "business", Person: "person", Store: "store" }[e.label];
  const subjectId = e.props.uscc || (e.props.shop_id ? `${e.props.platform}:${e.props.shop_id}` : "");
  const head = h(
    "section",
    { class: "card entity-head" },
    h(
      "div",
      {},
      h("span", { class: `pill label-${e.label}` }, labelName(e.label)),
      restricted
        ? h("span", { class: "pill restricted" }, t("net_restricted"))
        : h("span", { class: "pill clear" }, t("net_not_restricted")),
      h("h1", { id: "entity-name" }, e.name || e.uid),
      h("div", { class: "uid" }, e.uid),
    ),
    h(
      "div",
      { class: "actions" },
      h("a", { class: "secondary", href: `#/network/${encodeURIComponent(e.uid)}`, id: "open-network" }, t("entity_network")),
      kind && subjectId
        ? h("a", { href: `#/listings?${new URLSearchParams({ kind, id: subjectId })}` }, t("entity_add_listing"))
        : null,
    ),
  );

  const basic = section(
    t("entity_basic"),
    h(
      "dl",
      { class: "kv" },
      Object.entries(e.props)
        .filter(([k, v]) => !HIDDEN.has(k) && v !== null && v !== "")
        .flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))]),
    ),
  );

  replace(
    root,
    head,
    restrictionsSection(explanation),
    h("div", { class: "grid-2" }, basic, listingsSection(profile.dishonesty)),
    violationsSection(profile.compliance),
    e.label === "Business" ? licencesSection(profile.licences || []) : null,
    rolesSection(e.uid, profile.roles, names),
  );
  if (e.label === "Business" && has("ownership")) {
    const box = section(t("entity_ownership"), loading());
    root.append(box);
    get(ENDPOINTS.ownership(uid))
      .then((report) => alive() && replace(box, h("h2", {}, t("entity_ownership")), ownershipBody(report)))
      .catch((err) => alive() && replace(box, h("h2", {}, t("entity_ownership")), errorBox(err)));
  }
  if (profile.feedback?.length) root.append(feedbackSection(profile.feedback));
}

function restrictionsSection(explanation) {
  if (explanation.error) return section(t("entity_restrictions"), errorBox(explanation.error));
  if (!explanation.items.length) {
    return section(t("entity_restrictions"), h("p", { class: "muted", id: "not-restricted" }, t("entity_not_restricted")));
  }
  const items = explanation.items.map((r) =>
    h(
      "div",
      { class: "measure", dataset: { measure: r.measure } },
      h("h3", {}, pick(r, "measure_name"), " ", h("span", { class: "muted small" }, r.measure)),
      h(
        "div",
        { class: "small" },
        h("span", { class: "pill" }, pick(r, "list_name")),
        `${t("valid_from")} ${fmtDate(r.valid_from)} · ${t("valid_to")} ${fmtDate(r.valid_to) || t("open_ended")} · `,
        r.derived ? t("derived_from") : t("direct"),
      ),
      r.derived && pick(r, "rule")
        ? h("div", { class: "small" }, `${t("rule")}: `, pick(r, "rule"), " ", h("code", {}, r.rule_id))
        : null,
      h("div", { class: "small" }, `${t("legal_basis")}: `, r.legal_basis.join("；")),
      h("div", { class: "small" }, `${t("listing")}: `, h("code", {}, r.listing_uid)),
      r.paths.map((p) => chain(p.nodes, p.edges, { firstClass: "listed", lastClass: "subject" })),
      r.path_count > r.paths.length
        ? h("div", { class: "muted small" }, t("paths_total", { n: r.path_count, k: r.paths.length }))
        : null,
    ),
  );
  const more = explanation.total > explanation.items.length
    ? h("p", { class: "muted small" }, t("shown_of", { k: explanation.items.length, n: explanation.total }))
    : null;
  return h("section", { class: "card", id: "restrictions" }, h("h2", {}, t("entity_restrictions")), items, more);
}

function listTypeName(id) {
  const found = getMeta()?.list_types.find((lt) => lt.id === id);
  return found ? pick(found, "name") : id;
}

function listingsSection(listings) {
  if (!listings.length) return section(t("entity_listings"), h("p", { class: "muted" }, t("none")));
  return section(
    t("entity_listings"),
    table(
      [t("listing"), t("list_type"), t("decided"), t("expires"), t("removed"), ""],
      listings.map((l) => {
        const p = l.props;
        const open = !p.removed;
        const q = (action) => `#/listings?${new URLSearchParams({ listing: l.uid, action })}`;
        return [
          h("code", {}, p.listing_id || l.uid),
          listTypeName(p.list_type),
          fmtDate(p.decided),
          fmtDate(p.expires),
          p.removed ? `${fmtDate(p.removed)} (${p.removal_reason || ""})` : "",
          open
            ? h("span", {}, h("a", { href: q("remove") }, t("remove")), " ", h("a", { href: q("repair") }, t("repair")))
            : "",
        ];
      }),
      { id: "listings-table" },
    ),
  );
}

function violationsSection(violations) {
  if (!violations.length) return section(t("entity_violations"), h("p", { class: "muted" }, t("none")));
  return section(
    t("entity_violations"),
    table(
      [t("violation"), t("kind"), t("decided"), t("authority"), t("legal_basis")],
      violations.map((v) => [
        h("code", {}, v.props.violation_id || v.uid),
        v.props.kind || v.props.violation_type || "",
        fmtDate(v.props.decided),
        v.props.authority || "",
        v.props.legal_basis || "",
      ]),
    ),
  );
}

function licencesSection(licences) {
  if (!licences.length) return section(t("entity_licences"), h("p", { class: "muted" }, t("none")));
  return section(
    t("entity_licences"),
    table(
      [t("licence_type"), t("licence_no"), t("authority"), t("issued"), t("expires"), t("licence_standing")],
      licences.map((l) => [
        l.licence_type_name,
        h("code", {}, l.licence_no),
        l.authority || "",
        fmtDate(l.issued),
        fmtDate(l.expires),
        h("span", { class: l.valid ? "pill" : "pill warn", dataset: { standing: l.standing } }, t(`standing_${l.standing}`)),
      ]),
      { id: "licences-table" },
    ),
  );
}

function rolesSection(uid, roles, names) {
  if (!roles.length) return section(t("entity_roles"), h("p", { class: "muted" }, t("none")));
  return section(
    t("entity_roles"),
    h(
      "div",
      { class: "scroll" },
      table(
        [t("role"), t("counterpart"), t("share"), t("since"), t("until")],
        roles.map((r) => {
          const out = r.src === uid;
          const other = out ? r.dst : r.src;
          const node = names.get(other);
          const role = out ? relName(r.type) : `${relName(r.type)}${t("other_party")}`;
          return [
            role,
            h("span", {}, node ? h("span", { class: "muted small" }, `${labelName(node.label)} `) : null, entityLink(other, node?.name)),
            typeof r.props.share === "number" ? `${(r.props.share * 100).toFixed(1)}%` : "",
            fmtDate(r.props.since),
            fmtDate(r.props.until),
          ];
        }),
      ),
    ),
  );
}

function pct(x) {
  return typeof x === "number" ? `${(x * 100).toFixed(1)}%` : "";
}

function ownershipBody(report) {
  const holders = (report.holders || []).slice(0, 50);
  const controllers = report.controllers || [];
  return h(
    "div",
    { id: "ownership" },
    controllers.map((c) =>
      h(
        "p",
        {},
        h("strong", {}, `${relName("ACTUAL_CONTROLLER_OF")}: `),
        entityLink(c.controller, c.controller_name),
        " ",
        h("span", { class: "muted small" }, c.explanation || ""),
      ),
    ),
    holders.length
      ? table(
          [t("counterpart"), t("share"), t("direct_share"), t("chain")],
          holders.map((x) => [
            h("span", {}, h("span", { class: "muted small" }, `${labelName(x.label)} `), entityLink(x.uid, x.name)),
            pct(x.share),
            pct(x.direct),
            (x.chains || [])[0] ? (x.chains[0].names || x.chains[0].uids).join(" → ") : "",
          ]),
        )
      : h("p", { class: "muted" }, t("none")),
  );
}

function feedbackSection(feedback) {
  return section(
    t("entity_feedback"),
    table(
      ["platform", t("measure"), "action", t("date"), "reason"],
      feedback.map((f) => [f.platform, f.measure_id || "", f.action, fmtDate(f.acted_at || f.received), f.reason || ""]),
    ),
  );
}
