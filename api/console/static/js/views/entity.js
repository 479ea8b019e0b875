// The entity page: basic record, restrictions in force with the path behind each, listings,
// violations, roles and holdings, ownership and controllers (when the server has it),
// platform feedback.

import { ENDPOINTS, get, getMeta, has, post } from "../api.js";
import { chain } from "../chain.js";
import { entityLink, errorBox, fmtDate, h, loading, replace, section, table } from "../dom.js";
import { labelName, pick, propName, propValue, relName, statusName, t, tOr } from "../i18n.js";
import { watchButton } from "./alerts.js";

const ROLE_TYPES = [
  "SHAREHOLDER_OF",
  "LEGAL_REPRESENTATIVE_OF",
  "DIRECTOR_OF",
  "SUPERVISOR_OF",
  "MANAGER_OF",
  "ACTUAL_CONTROLLER_OF",
  "OPERATES",
];
const HIDDEN = new Set(["uid", "name"]);
/** Where the record came from: folded under the basic record, with its own words. */
const PROVENANCE = new Set(["source", "run_id", "first_seen", "last_seen"]);

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
  const unnamed = [...new Set(profile.roles.map((r) => (r.src === e.uid ? r.dst : r.src)))].filter((u) => !names.has(u));
  if (unnamed.length) {
    const answer = await post("/console/api/names", { uids: unnamed.slice(0, 1000) }).catch(() => null);
    for (const [u, n] of Object.entries(answer?.names || {})) names.set(u, { uid: u, ...n });
  }
  if (!alive()) return;
  const restricted = explanation.items?.length > 0;
  document.title = `${e.name || e.uid} · ${t("app_title")}`;

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
      e.props.status ? h("span", { class: `pill status-${e.props.status}`, id: "entity-status" }, statusName(e.props.status)) : null,
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
      watchButton(e.uid),
    ),
  );

  const entries = Object.entries(e.props).filter(([k, v]) => !HIDDEN.has(k) && v !== null && v !== "");
  const basic = section(
    t("entity_basic"),
    h(
      "dl",
      { class: "kv", id: "basic-record" },
      entries.filter(([k]) => !PROVENANCE.has(k)).flatMap(([k, v]) => [h("dt", {}, propName(k)), h("dd", {}, propValue(k, v))]),
    ),
    h(
      "details",
      { class: "small provenance" },
      h("summary", {}, t("provenance")),
      h("dl", { class: "kv" }, entries.filter(([k]) => PROVENANCE.has(k)).flatMap(([k, v]) => [h("dt", {}, propName(k)), h("dd", {}, String(v))])),
    ),
  );

  replace(
    root,
    head,
    summarySection(explanation),
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

const pathLength = (r) => Math.min(...r.paths.map((p) => p.edges.length), Infinity);
const byShortest = (a, b) => pathLength(a) - pathLength(b);
const until = (d) => fmtDate(d) || t("open_ended");

/** "Is it restricted, and why": the measures in force, each once, with the shortest path
 * that carries it; the details (one block per listing) follow below. */
function summarySection(explanation) {
  if (explanation.error) return null;
  const items = explanation.items || [];
  if (!items.length) {
    return h("section", { class: "card summary clear", id: "summary" },
      h("h2", {}, t("summary_title")),
      h("p", { id: "not-restricted" }, t("entity_not_restricted")));
  }
  const measures = new Map();
  for (const r of [...items].sort(byShortest)) {
    const m = measures.get(r.measure) || { first: r, listings: new Set(), to: [] };
    m.listings.add(r.listing_uid);
    m.to.push(r.valid_to);
    measures.set(r.measure, m);
  }
  const shortest = [...items].sort(byShortest)[0];
  const latest = (dates) => (dates.some((d) => !d) ? null : dates.sort().at(-1));
  return h(
    "section",
    { class: "card summary", id: "summary" },
    h("h2", {}, t("summary_title")),
    h("p", { class: "verdict" }, h("span", { class: "pill restricted" }, t("net_restricted")),
      t("summary_restricted", { n: measures.size, k: new Set(items.map((r) => r.listing_uid)).size })),
    h(
      "ul",
      { class: "summary-measures", id: "summary-measures" },
      [...measures.entries()].map(([id, m]) =>
        h("li", { dataset: { measure: id } },
          h("strong", {}, pick(m.first, "measure_name")),
          " ",
          h("span", { class: "muted small" }, `${t("valid_to")} ${until(latest(m.to))} · ${t("summary_sources", { n: m.listings.size })}`),
        ),
      ),
    ),
    h("h3", {}, t("summary_why")),
    h("p", { class: "small" }, shortest.derived
      ? t("summary_derived", { list: pick(shortest, "list_name"), rule: pick(shortest, "rule") || shortest.rule_id })
      : t("summary_direct", { list: pick(shortest, "list_name") })),
    shortest.paths[0] ? chain(shortest.paths[0].nodes, shortest.paths[0].edges, { firstClass: "listed", lastClass: "subject" }) : null,
  );
}

function restrictionsSection(explanation) {
  if (explanation.error) return section(t("entity_restrictions"), errorBox(explanation.error));
  if (!explanation.items.length) return null;
  const listings = new Map();
  for (const r of explanation.items) {
    const list = listings.get(r.listing_uid) || [];
    list.push(r);
    listings.set(r.listing_uid, list);
  }
  const blocks = [...listings.values()]
    .sort((a, b) => byShortest(a[0], b[0]))
    .map((group) => {
      const r = group[0];
      const paths = [...r.paths].sort((a, b) => a.edges.length - b.edges.length);
      const bases = [...new Set(group.flatMap((x) => x.legal_basis))];
      return h(
        "div",
        { class: "measure", dataset: { measure: r.measure, measures: group.map((x) => x.measure).join(" "), listing: r.listing_uid } },
        h("h3", {}, h("span", { class: "pill" }, pick(r, "list_name")), " ", h("code", {}, r.listing_uid.replace(/^listing:/, ""))),
        h("div", { class: "small measure-names" }, `${t("measure")}${t("colon")}`,
          group.map((x) => h("span", { class: "pill restricted", dataset: { measure: x.measure } }, pick(x, "measure_name")))),
        h(
          "div",
          { class: "small" },
          `${t("valid_from")} ${fmtDate(r.valid_from)} · ${t("valid_to")} ${until(r.valid_to)} · `,
          r.derived ? t("derived_from") : t("direct"),
        ),
        r.derived && pick(r, "rule")
          ? h("div", { class: "small" }, `${t("rule")}${t("colon")}`, pick(r, "rule"), " ", h("code", {}, r.rule_id))
          : null,
        paths.map((p) => chain(p.nodes, p.edges, { firstClass: "listed", lastClass: "subject" })),
        r.path_count > r.paths.length
          ? h("div", { class: "muted small" }, t("paths_total", { n: r.path_count, k: r.paths.length }))
          : null,
        h("details", { class: "small legal" }, h("summary", {}, `${t("legal_basis")}${t("count_paren", { n: bases.length })}`), h("ul", {}, bases.map((b) => h("li", {}, b)))),
      );
    });
  const more = explanation.total > explanation.items.length
    ? h("p", { class: "muted small" }, t("shown_of", { k: explanation.items.length, n: explanation.total }))
    : null;
  return h("section", { class: "card", id: "restrictions" }, h("h2", {}, t("entity_restrictions_by_listing")), blocks, more);
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
          until(p.expires),
          p.removed ? `${fmtDate(p.removed)}（${tOr(`reason_${p.removal_reason}`, p.removal_reason || "")}）` : "",
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

/** Why this is the controller, from the finding's fields (the server's sentence is English). */
function controllerWhy(c) {
  const votes = typeof c.votes === "number" && !Number.isNaN(c.votes) ? pct(c.votes) : "";
  const via = (c.path || []).length > 2 ? t("controller_via", { n: c.path.length - 2 }) : "";
  return t(`controller_${c.rule}`, { votes, via }) + (c.disagrees_with_declared ? ` ${t("controller_disagrees")}` : "");
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
        entityLink(c.controller, c.controller_name || c.controller),
        " ",
        h("span", { class: "muted small controller-why" }, controllerWhy(c)),
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
      [t("platform"), t("measure"), t("feedback_action"), t("date"), t("feedback_reason")],
      feedback.map((f) => [f.platform, f.measure_id || "", tOr(`feedback_${f.action}`, f.action), fmtDate(f.acted_at || f.received), f.reason || ""]),
    ),
  );
}
