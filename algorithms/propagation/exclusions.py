"""Links propagation no longer follows: an upheld objection (异议) against a link.

A subject disputes one link on a derivation path ("I am not the actual controller of that
company"). When the objection is upheld the link (a relationship, by its ``rid``) is
excluded from propagation, in the scope the officer decides:

``all``
    no rule follows the link for any listing;
``rule``
    the named rule (``scope_value``, e.g. ``judgment_defaulter.actual_controller``) does
    not follow it;
``listing``
    paths from the named listing (``scope_value``, a listing uid) do not take it.

An upheld objection against one derived restriction (a subject says the measure should
not bind it) is an exclusion of scope ``subject``: that listing's rule no longer binds
that subject (``listing_uid``, ``rule_id``, ``subject_uid``; ``rid`` keeps the version
objected to), whatever path reaches it; other subjects, rules and listings are untouched.

Exclusions are ``LinkExclusion`` nodes in the graph store, so every recomputation sees
them: the bounded write path (a listing added, removed or repaired, edges changed), the
full batch propagation, and a preview. The engine drops a path that takes an excluded
link (:func:`~algorithms.propagation.engine.propagate`, ``exclusions``): a restriction
with another path stays, with the remaining paths; one whose every path used the link is
lifted. The bounded neighbourhood may still read the link; the engine just never walks
it, so bounded and full recomputation stay equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from graph.errors import InvalidInput
from graph.model import as_date
from graph.store import GraphStore

__all__ = [
    "SCOPES",
    "Exclusion",
    "Exclusions",
    "list_exclusions",
    "load_exclusions",
    "write_exclusion",
]

#: Where an excluded link no longer counts; ``subject``: one subject of one listing's rule.
SCOPES: tuple[str, ...] = ("all", "rule", "listing", "subject")


@dataclass(frozen=True)
class Exclusion:
    """One excluded link, as decided on an objection."""

    rid: str
    scope: str
    scope_value: str | None
    objection_id: int
    decided: date
    rel_type: str | None = None
    src_uid: str | None = None
    dst_uid: str | None = None
    subject_uid: str | None = None
    listing_uid: str | None = None
    rule_id: str | None = None

    @property
    def uid(self) -> str:
        """One exclusion per objection: writing it again changes nothing."""
        return f"exclusion:{self.objection_id}"


@dataclass(frozen=True)
class Exclusions:
    """Excluded rids by scope, as the engine asks for them."""

    everywhere: frozenset[str] = frozenset()
    by_rule: Mapping[str, frozenset[str]] = field(default_factory=dict)
    by_listing: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: (listing uid, rule id, subject uid) a rule no longer binds
    subjects: frozenset[tuple[str, str, str]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.everywhere or self.by_rule or self.by_listing or self.subjects)

    def spares(self, listing_uid: str, rule_id: str, subject_uid: str) -> bool:
        """Whether this listing's rule no longer binds this subject."""
        return (listing_uid, rule_id, subject_uid) in self.subjects

    def for_rule(self, rule_id: str) -> frozenset[str]:
        """Rids no path of this rule takes (for any listing)."""
        return self.everywhere | self.by_rule.get(rule_id, frozenset())

    def for_listing(self, listing_uid: str) -> frozenset[str]:
        """Rids no path from this listing takes (any rule)."""
        return self.by_listing.get(listing_uid, frozenset())

    @classmethod
    def of(cls, items: Iterable[Exclusion]) -> Exclusions:
        """Group exclusions by scope."""
        everywhere: set[str] = set()
        by_rule: dict[str, set[str]] = {}
        by_listing: dict[str, set[str]] = {}
        subjects: set[tuple[str, str, str]] = set()
        for x in items:
            if x.scope == "all":
                everywhere.add(x.rid)
            elif x.scope == "rule" and x.scope_value:
                by_rule.setdefault(x.scope_value, set()).add(x.rid)
            elif x.scope == "listing" and x.scope_value:
                by_listing.setdefault(x.scope_value, set()).add(x.rid)
            elif x.scope == "subject" and x.listing_uid and x.rule_id and x.subject_uid:
                subjects.add((x.listing_uid, x.rule_id, x.subject_uid))
        return cls(
            frozenset(everywhere),
            {k: frozenset(v) for k, v in by_rule.items()},
            {k: frozenset(v) for k, v in by_listing.items()},
            frozenset(subjects),
        )


def _exclusion(row: Mapping[str, Any]) -> Exclusion:
    decided = as_date(row["decided"])
    return Exclusion(
        rid=row["rid"],
        scope=row["scope"],
        scope_value=row["scope_value"],
        objection_id=int(row["objection_id"]),
        decided=decided or date.min,
        rel_type=row.get("rel_type"),
        src_uid=row.get("src_uid"),
        dst_uid=row.get("dst_uid"),
        subject_uid=row.get("subject_uid"),
        listing_uid=row.get("listing_uid"),
        rule_id=row.get("rule_id"),
    )


def load_exclusions(store: GraphStore) -> Exclusions:
    """Every exclusion on record (few: one per upheld link objection)."""
    return Exclusions.of(_exclusion(row) for row in store.query("punish/exclusions"))


def list_exclusions(store: GraphStore) -> list[Exclusion]:
    """Every exclusion on record, by objection."""
    found = [_exclusion(row) for row in store.query("punish/exclusions")]
    return sorted(found, key=lambda x: x.objection_id)


def write_exclusion(store: GraphStore, exclusion: Exclusion, now: datetime) -> None:
    """Put an exclusion on record (idempotent: keyed by its objection)."""
    if exclusion.scope not in SCOPES:
        raise InvalidInput(f"scope must be one of {', '.join(SCOPES)}", field="scope")
    if exclusion.scope == "subject":
        if not (exclusion.subject_uid and exclusion.listing_uid and exclusion.rule_id):
            raise InvalidInput("scope subject needs a subject, listing and rule", field="scope")
    elif exclusion.scope != "all" and not exclusion.scope_value:
        raise InvalidInput(f"scope {exclusion.scope} needs a value", field="scope_value")
    store.upsert_nodes(
        "LinkExclusion",
        [
            {
                "uid": exclusion.uid,
                "rid": exclusion.rid,
                "rel_type": exclusion.rel_type,
                "src_uid": exclusion.src_uid,
                "dst_uid": exclusion.dst_uid,
                "scope": exclusion.scope,
                "scope_value": exclusion.scope_value if exclusion.scope != "all" else None,
                "subject_uid": exclusion.subject_uid,
                "listing_uid": exclusion.listing_uid,
                "rule_id": exclusion.rule_id,
                "objection_id": exclusion.objection_id,
                "decided": exclusion.decided,
                "recorded_at": now,
                "source": "objection",
            }
        ],
    )
