"""The one definition of CreditGraph's graph: labels, relationship types, keys, properties.

Both stores' schemas (Neo4j constraints and indexes, LadybugDB node and rel tables) and
every generated upsert statement come from the tables below. Every node has a ``uid``
key whose prefix names its label (``biz:``, ``person:``, ``store:`` ...), so a uid alone
locates a node. Every node and relationship carries provenance (``source``, ``run_id``,
``first_seen``, ``last_seen``); every relationship has a ``rid`` key and ``since``/``until``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "BRUSHING_SCORE",
    "LABEL_BY_PREFIX",
    "NODES",
    "NODE_BY_LABEL",
    "PROVENANCE",
    "RELS",
    "REL_BY_TYPE",
    "REL_COMMON",
    "NodeSpec",
    "Prop",
    "PropType",
    "RelSpec",
    "derived_from_edge",
    "label_of_uid",
]


class PropType(StrEnum):
    """Property types both stores understand."""

    STRING = "STRING"
    INT = "INT64"
    DOUBLE = "DOUBLE"
    BOOL = "BOOL"
    DATE = "DATE"
    TIMESTAMP = "TIMESTAMP"


@dataclass(frozen=True)
class Prop:
    """A typed property; ``indexed`` asks Neo4j for a range index on it."""

    name: str
    type: PropType = PropType.STRING
    indexed: bool = False


@dataclass(frozen=True)
class NodeSpec:
    """A node label, its uid prefix and its own properties (provenance is added)."""

    label: str
    prefix: str
    props: tuple[Prop, ...]
    description: str = ""
    #: Its own properties follow from its uid (an address, a phone number, an e-mail): a
    #: repeat cannot differ, so a load writes it once.
    keyed_by_value: bool = False

    @property
    def all_props(self) -> tuple[Prop, ...]:
        """Every property of the label: uid, own properties, provenance."""
        return (Prop("uid"), *self.props, *PROVENANCE)


@dataclass(frozen=True)
class RelSpec:
    """A relationship type with the label pairs it may join and its own properties."""

    type: str
    pairs: tuple[tuple[str, str], ...]
    props: tuple[Prop, ...] = field(default_factory=tuple)
    description: str = ""

    @property
    def all_props(self) -> tuple[Prop, ...]:
        """Every property of the type: rid, since/until, own properties, provenance."""
        return (*REL_COMMON, *self.props, *PROVENANCE)


S, I, D, B = PropType.STRING, PropType.INT, PropType.DOUBLE, PropType.BOOL  # noqa: E741
DT, TS = PropType.DATE, PropType.TIMESTAMP

PROVENANCE: tuple[Prop, ...] = (
    Prop("source"),
    Prop("run_id"),
    Prop("first_seen", TS),
    Prop("last_seen", TS),
)
REL_COMMON: tuple[Prop, ...] = (Prop("rid"), Prop("since", DT), Prop("until", DT))

#: The calibrated brushing score a detection run writes on accounts and stores with orders:
#: the score, its reasons (JSON list of codes and figures), the run and when it was written.
BRUSHING_SCORE: tuple[Prop, ...] = (
    Prop("brushing_score", D, indexed=True),
    Prop("brushing_reasons"),
    Prop("brushing_run"),
    Prop("brushing_scored", TS),
)

NODES: tuple[NodeSpec, ...] = (
    NodeSpec(
        "Business",
        "biz",
        (
            Prop("uscc", S, indexed=True),
            Prop("jurisdiction"),
            Prop("registry_no"),
            Prop("name", S, indexed=True),
            Prop("status"),
            Prop("established", DT),
            Prop("registered_capital", D),
            Prop("region", S, indexed=True),
            Prop("address"),
            Prop("phone"),
            Prop("email"),
        ),
        "A registered business: USCC for Chinese ones, jurisdiction + registry number else.",
    ),
    NodeSpec(
        "Person",
        "person",
        (
            Prop("id_hash", S, indexed=True),
            Prop("id_masked"),
            Prop("id_type"),
            Prop("name", S, indexed=True),
            Prop("region"),
        ),
        "A natural person; the id number is kept only as a keyed hash and a masked form.",
    ),
    NodeSpec(
        "Store",
        "store",
        (
            Prop("platform", S, indexed=True),
            Prop("shop_id"),
            Prop("name", S, indexed=True),
            Prop("opened", DT),
            Prop("status"),
            Prop("region"),
            *BRUSHING_SCORE,
        ),
        "An online store on a platform, keyed platform:shop_id.",
    ),
    NodeSpec("Brand", "brand", (Prop("name", S, indexed=True), Prop("brand_id"))),
    NodeSpec("Address", "addr", (Prop("text"), Prop("region")), keyed_by_value=True),
    NodeSpec("Phone", "phone", (Prop("number"),), keyed_by_value=True),
    NodeSpec("Email", "email", (Prop("address"),), keyed_by_value=True),
    NodeSpec(
        "Account",
        "account",
        (Prop("platform"), Prop("account_id"), Prop("created", DT), *BRUSHING_SCORE),
        "A buyer account on a platform; ``brushing_*`` are written by ring detection.",
    ),
    NodeSpec(
        "Order",
        "order",
        (
            Prop("platform"),
            Prop("order_id"),
            Prop("placed", TS),
            Prop("amount", D),
            Prop("rating", D),
            Prop("reviewed", TS),
        ),
        "An order; ``rating`` (1-5) and ``reviewed`` when the buyer left a review.",
    ),
    NodeSpec(
        "Waybill",
        "waybill",
        (
            Prop("carrier"),
            Prop("waybill_no"),
            Prop("weight_kg", D),
            Prop("shipped", TS),
            Prop("delivered", TS),
        ),
    ),
    NodeSpec(
        "Listing",
        "listing",
        (
            Prop("listing_id"),
            Prop("list_type", S, indexed=True),
            Prop("subject_uid", S, indexed=True),
            Prop("authority"),
            Prop("decided", DT),
            Prop("expires", DT),
            Prop("removed", DT),
            Prop("removal_reason"),
            Prop("legal_basis"),
            Prop("region"),
        ),
        "An entry on a credit list (serious dishonesty, abnormal operation, defaulter ...).",
    ),
    NodeSpec(
        "Violation",
        "violation",
        (
            Prop("violation_id"),
            Prop("case_no"),
            Prop("kind"),
            Prop("authority"),
            Prop("decided", DT),
            Prop("penalty"),
            Prop("amount", D),
            Prop("legal_basis"),
            Prop("region"),
        ),
        "An administrative penalty or case.",
    ),
    NodeSpec(
        "InfringementReport",
        "report",
        (
            Prop("report_id"),
            Prop("complainant"),
            Prop("status"),
            Prop("filed", DT),
            Prop("evidence"),
            Prop("evidence_sha256"),
            Prop("counter_notice"),
            Prop("decided", DT),
            Prop("decided_by"),
            Prop("decision_reason"),
            Prop("filed_by"),
        ),
        "A rights holder's complaint that a store sells counterfeits of a brand; status "
        "pending / confirmed / rejected / countered (a successful counter-notice).",
    ),
    NodeSpec(
        "Restriction",
        "restriction",
        (
            Prop("record_key"),
            Prop("subject_uid", S, indexed=True),
            Prop("measure"),
            Prop("measure_name_zh"),
            Prop("measure_name_en"),
            Prop("list_type"),
            Prop("rule_id"),
            Prop("listing_uid", S, indexed=True),
            Prop("listed_uid"),
            Prop("listing_fp"),
            Prop("valid_from", DT),
            Prop("valid_to", DT),
            Prop("recorded_at", TS),
            Prop("superseded_at", TS, indexed=True),
            Prop("legal_basis"),
            Prop("paths"),
            Prop("path_count", I),
            Prop("rules_version"),
            # Batched writes (PropagationRun): the run that wrote this version, while the
            # run is open; and the run superseding it, until that run is finished.
            Prop("run_uid", S, indexed=True),
            Prop("superseded_by", S, indexed=True),
        ),
        "A materialised joint-punishment restriction, one version per node (bitemporal: "
        "valid_from/valid_to, recorded_at/superseded_at); never deleted, only superseded.",
    ),
    NodeSpec(
        "ChangeEvent",
        "change",
        (
            Prop("seq", I, indexed=True),
            Prop("kind"),
            Prop("subject_uid", S, indexed=True),
            Prop("measure"),
            Prop("list_type"),
            Prop("rule_id"),
            Prop("listing_uid"),
            Prop("restriction_uid"),
            Prop("valid_from", DT),
            Prop("valid_to", DT),
            Prop("reason"),
            Prop("at", TS),
            Prop("run_uid", S, indexed=True),
            # disputed / dispute_closed: the objection (异议) the event is about
            Prop("objection_id", I, indexed=True),
        ),
        "One entry of the restriction change feed (imposed / lifted / amended; disputed / "
        "dispute_closed while an objection is filed and when it is decided), by seq.",
    ),
    NodeSpec(
        "FeedHead",
        "feedhead",
        (Prop("seq", I),),
        "The change feed's head: the highest seq committed, moved in the transaction that "
        "commits the events, so a writer finds the next number by key, not by a scan.",
    ),
    NodeSpec(
        "PropagationRun",
        "propagation",
        (
            Prop("state", S, indexed=True),
            Prop("mode"),
            Prop("recorded_at", TS),
            Prop("first_seq", I),
            Prop("last_seq", I),
            Prop("rows", I),
            Prop("heartbeat_at", TS),
            Prop("committed_at", TS),
            Prop("finished_at", TS),
        ),
        "A restriction write too large for one transaction, committed in batches: state "
        "writing -> committed -> done (or rolled_back); readers see its rows only once it "
        "is committed.",
    ),
    NodeSpec(
        "LinkExclusion",
        "exclusion",
        (
            Prop("rid", S, indexed=True),
            Prop("rel_type"),
            Prop("src_uid"),
            Prop("dst_uid"),
            Prop("scope"),
            Prop("scope_value"),
            Prop("subject_uid"),
            Prop("listing_uid"),
            Prop("rule_id"),
            Prop("objection_id", I),
            Prop("decided", DT),
            Prop("recorded_at", TS),
        ),
        "A link (relationship by rid) that propagation no longer follows, after an upheld "
        "objection (异议): for one listing, one rule, or all (scope); or, after an upheld "
        "objection against a derived restriction, one subject of one listing's rule "
        "(scope subject). Kept for good.",
    ),
    NodeSpec(
        "ShellCluster",
        "shell",
        (
            Prop("cluster_id"),
            Prop("score", D),
            Prop("size", I),
            Prop("reasons"),
            Prop("shared"),
            Prop("status", S, indexed=True),
            Prop("reviewed_by"),
            Prop("review_reason"),
            Prop("reviewed_at", TS),
            Prop("detection_run"),
        ),
        "A suspected cluster of linked shell businesses (status suspected/confirmed/dismissed); "
        "reasons and shared identifiers as JSON text.",
    ),
    NodeSpec(
        "BrushingRing",
        "ring",
        (
            Prop("ring_id"),
            Prop("score", D),
            Prop("n_accounts", I),
            Prop("n_stores", I),
            Prop("reasons"),
            Prop("evidence"),
            Prop("status", S, indexed=True),
            Prop("reviewed_by"),
            Prop("review_reason"),
            Prop("reviewed_at", TS),
            Prop("violation_uid"),
            Prop("detection_run"),
        ),
        "A suspected fake-order (刷单) ring: never a punishment until an officer confirms it; "
        "reasons and evidence (order uids) as JSON text.",
    ),
    NodeSpec(
        "AllianceMember",
        "member",
        (
            Prop("member_id"),
            Prop("name", S, indexed=True),
            Prop("kind"),
            Prop("contact"),
            Prop("joined", DT),
        ),
        "A brand-rights alliance (品牌权利人联盟) member: a rights holder or its agent.",
    ),
    NodeSpec(
        "Licence",
        "licence",
        (
            Prop("licence_type", S, indexed=True),
            Prop("licence_no"),
            Prop("holder_uid", S, indexed=True),
            Prop("authority"),
            Prop("issued", DT),
            Prop("expires", DT),
            Prop("status"),
        ),
        "An administrative licence (行政许可证) a business holds, keyed licence:TYPE:NUMBER; "
        "licence_type from graph.licences.LICENCE_TYPES; status valid / suspended / revoked / "
        "expired as the issuing authority recorded it.",
    ),
)

_HOLDERS = (("Person", "Business"), ("Business", "Business"))
_SUBJECTS = ("Business", "Person", "Store")

RELS: tuple[RelSpec, ...] = (
    RelSpec("SHAREHOLDER_OF", _HOLDERS, (Prop("share", D),), "Holds a share (0..1)."),
    RelSpec("LEGAL_REPRESENTATIVE_OF", _HOLDERS),
    RelSpec("DIRECTOR_OF", _HOLDERS),
    RelSpec("SUPERVISOR_OF", _HOLDERS),
    RelSpec("MANAGER_OF", _HOLDERS),
    RelSpec(
        "ACTUAL_CONTROLLER_OF",
        _HOLDERS,
        (Prop("computed", B), Prop("explanation")),
        "Declared in the data, or computed from ownership (computed = true).",
    ),
    RelSpec("REGISTRATION_AGENT_OF", _HOLDERS, (), "Filed the business's registration."),
    RelSpec("OPERATES", (("Business", "Store"), ("Person", "Store"))),
    RelSpec("REGISTERED_AT", (("Business", "Address"),)),
    RelSpec(
        "HAS_ADDRESS",
        (("Person", "Address"),),
        (),
        "A person's address as a register records it (residence or service address).",
    ),
    RelSpec("SHIPS_FROM", (("Store", "Address"),)),
    RelSpec(
        "HAS_PHONE",
        tuple((lbl, "Phone") for lbl in ("Business", "Person", "Store", "Account", "Waybill")),
    ),
    RelSpec("HAS_EMAIL", (("Business", "Email"), ("Person", "Email"))),
    RelSpec("OWNS_BRAND", (("Business", "Brand"), ("Person", "Brand"))),
    RelSpec("PLACED", (("Account", "Order"),)),
    RelSpec("AT_STORE", (("Order", "Store"),)),
    RelSpec("SHIPPED_BY", (("Order", "Waybill"),)),
    RelSpec("DELIVERED_TO", (("Waybill", "Address"),)),
    RelSpec("LISTED", tuple((lbl, "Listing") for lbl in _SUBJECTS)),
    RelSpec("PENALISED", tuple((lbl, "Violation") for lbl in _SUBJECTS)),
    RelSpec("REPORTS", (("InfringementReport", "Store"),)),
    RelSpec("CONCERNS", (("InfringementReport", "Brand"),)),
    RelSpec(
        "RESTRICTS",
        tuple(("Restriction", lbl) for lbl in _SUBJECTS),
        (),
        "A restriction version binds this subject (read path of the status check).",
    ),
    RelSpec(
        "DERIVED_FROM",
        (("Restriction", "Listing"),),
        (),
        "The listing a restriction version was derived from: how a listing's restrictions are "
        "found by traversal (LadybugDB has no index on ``listing_uid``).",
    ),
    RelSpec(
        "MEMBER_OF",
        (("Business", "ShellCluster"), ("Account", "BrushingRing"), ("Store", "BrushingRing")),
        (Prop("role"), Prop("similarity", D)),
        "Member of a suspected shell cluster (similarity = mean Jaccard) or brushing ring "
        "(role = account | boosted_store).",
    ),
    RelSpec(
        "ACTS_FOR",
        (("AllianceMember", "Brand"),),
        (Prop("role"),),
        "An alliance member may act for this brand (role = owner | agent); until ends it.",
    ),
    RelSpec(
        "HOLDS_LICENCE",
        (("Business", "Licence"),),
        (),
        "The business holds this licence (since = issued, until = expires).",
    ),
)

NODE_BY_LABEL: dict[str, NodeSpec] = {spec.label: spec for spec in NODES}
REL_BY_TYPE: dict[str, RelSpec] = {spec.type: spec for spec in RELS}
LABEL_BY_PREFIX: dict[str, str] = {spec.prefix: spec.label for spec in NODES}


def label_of_uid(uid: str) -> str | None:
    """The label a uid belongs to, from its prefix; None when the prefix is unknown."""
    prefix, sep, _ = uid.partition(":")
    return LABEL_BY_PREFIX.get(prefix) if sep else None


def derived_from_edge(restriction_uid: str, listing_uid: str) -> dict[str, str]:
    """The ``DERIVED_FROM`` row of a restriction version to its listing (rid, src, dst)."""
    return {
        "rid": f"derived:{restriction_uid.partition(':')[2]}",
        "src": restriction_uid,
        "dst": listing_uid,
    }
