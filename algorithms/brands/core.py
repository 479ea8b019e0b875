"""Brand protection: complainant reputation, infringement links and repeat infringers.

Pure functions over rows a store already returned (:mod:`algorithms.brands.service` runs
the queries); nothing here touches a database.

The model
---------
*Reports* name a store and a brand; each has a status (``pending``, ``confirmed``,
``rejected``, ``countered``) and a complainant. A complainant's *reputation* is the
Beta-smoothed share of its decided reports that stood::

    weight = (confirmed + a) / (confirmed + rejected + countered + a + b)

so a newcomer starts at the prior mean ``a / (a + b)`` and a complainant whose reports are
often rejected or successfully countered sinks towards 0. A report's weight is its
complainant's reputation times a status factor (confirmed 1, pending 0.5, otherwise 0);
a store's *infringement weight* combines its reports as a noisy-or.

*Actors* stand behind reported stores: the operator itself (business or person), the people
behind an operating business (legal representative, actual controller, who may run other
businesses) and the shell cluster of an operating business. An actor's *reach* is every store
it runs. A *link* is a store in some actor's reach: weight = the seed store's weight times a
factor for the actor kind (operator 1.0, person 0.8, cluster 0.6) times the (add-one) share
of the actor's stores already reported, with the path that joins it to the report: the
other stores of a marketplace-sized operator with one reported store weigh little.

A *repeat infringer* is an actor behind at least two infringing stores; people and clusters
count only when their stores span more than one operator (otherwise they say no more than
the operator does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from graph.errors import InvalidInput

__all__ = [
    "ACTIVE_STATUSES",
    "STATUS_FACTOR",
    "TRANSITIONS",
    "ActorKind",
    "Link",
    "LinkParams",
    "LinkPath",
    "Membership",
    "Reach",
    "RepeatInfringer",
    "ReportObs",
    "ReportStatus",
    "Reputation",
    "StoreEvidence",
    "StoreInfo",
    "check_transition",
    "infringement_links",
    "repeat_infringers",
    "reputations",
    "store_evidence",
]


class ReportStatus(StrEnum):
    """Where an infringement report stands."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    COUNTERED = "countered"


#: Status changes a decision may make; ``countered`` is a successful counter-notice.
TRANSITIONS: Mapping[ReportStatus, frozenset[ReportStatus]] = {
    ReportStatus.PENDING: frozenset(
        {ReportStatus.CONFIRMED, ReportStatus.REJECTED, ReportStatus.COUNTERED}
    ),
    # a takedown answered by a counter-notice the rights holder does not pursue
    ReportStatus.CONFIRMED: frozenset({ReportStatus.COUNTERED}),
    # the rights holder sued and won after all
    ReportStatus.COUNTERED: frozenset({ReportStatus.CONFIRMED}),
    # re-opened on new evidence
    ReportStatus.REJECTED: frozenset({ReportStatus.PENDING}),
}

#: Reports that seed links and repeat-infringer evidence.
ACTIVE_STATUSES: tuple[str, ...] = (ReportStatus.CONFIRMED.value, ReportStatus.PENDING.value)

#: How much a report of each status counts, before the complainant's reputation.
STATUS_FACTOR: Mapping[str, float] = {"confirmed": 1.0, "pending": 0.5}


def check_transition(current: str, new: str) -> ReportStatus:
    """The new status if a decision may move a report from ``current`` to it.

    Raises
    ------
    InvalidInput
        When ``new`` is unknown or not reachable from ``current``.

    Examples
    --------
    >>> check_transition("pending", "confirmed").value
    'confirmed'
    """
    try:
        old, target = ReportStatus(current), ReportStatus(new)
    except ValueError as exc:
        raise InvalidInput(f"unknown report status {new!r}", field="status") from exc
    if target not in TRANSITIONS[old]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[old])) or "none"
        raise InvalidInput(
            f"a {old.value} report cannot become {target.value} (allowed: {allowed})",
            field="status",
        )
    return target


class ActorKind(StrEnum):
    """Who stands behind a store."""

    OPERATOR = "operator"
    PERSON = "person"
    CLUSTER = "cluster"


#: A link through an actor counts this much of the seed store's weight.
ACTOR_FACTOR: Mapping[ActorKind, float] = {
    ActorKind.OPERATOR: 1.0,
    ActorKind.PERSON: 0.8,
    ActorKind.CLUSTER: 0.6,
}


@dataclass(frozen=True)
class ReportObs:
    """One infringement report as the algorithms see it."""

    uid: str
    store: str
    brand: str
    status: str
    complainant: str
    filed: date | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class StoreInfo:
    """A store's own facts."""

    uid: str
    name: str | None = None
    platform: str | None = None
    status: str | None = None
    opened: date | None = None


@dataclass(frozen=True)
class Reputation:
    """A complainant's record and the weight it earns."""

    complainant: str
    confirmed: int
    rejected: int
    countered: int
    pending: int
    weight: float


@dataclass(frozen=True)
class StoreEvidence:
    """Why a store is taken to infringe: its weighted reports."""

    store: str
    weight: float
    reports: tuple[str, ...]
    brands: tuple[str, ...]
    first_filed: date | None
    last_filed: date | None


@dataclass(frozen=True)
class Membership:
    """A seed store stands behind ``actor``; ``steps`` lead from the store to the actor.

    Each step is ``(relationship type, uid reached)``.
    """

    seed: str
    actor: str
    kind: ActorKind
    steps: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Reach:
    """``actor`` runs ``store``; ``steps`` lead from the actor to the store."""

    actor: str
    store: str
    steps: tuple[tuple[str, str], ...]
    #: The business operating the store (the actor itself for operators).
    operator: str = ""


@dataclass(frozen=True)
class LinkParams:
    """Bounds and thresholds for links and repeat infringers."""

    #: Links weaker than this are left out.
    min_weight: float = 0.0
    #: An actor running more stores than this is not expanded into links (a marketplace
    #: operator, an agency); it still counts as a repeat infringer.
    max_actor_stores: int = 50
    #: A person behind more businesses than this is a hub, not an actor.
    max_person_businesses: int = 10
    #: Paths kept per linked store.
    max_paths: int = 3
    #: A repeat infringer stands behind at least this many infringing stores.
    min_stores: int = 2
    #: ... whose weights add up to at least this.
    min_score: float = 0.5
    #: Beta prior (accepted, not accepted) of complainant reputation.
    prior: tuple[float, float] = (4.0, 1.0)

    def __post_init__(self) -> None:
        if self.max_paths < 1 or self.min_stores < 1:
            raise InvalidInput("max_paths and min_stores must be at least 1")
        if min(self.prior) <= 0:
            raise InvalidInput("the reputation prior must be positive", field="prior")


@dataclass(frozen=True)
class LinkPath:
    """One path from a report to a linked store: ``nodes[i] -rels[i]- nodes[i+1]``."""

    nodes: tuple[str, ...]
    rels: tuple[str, ...]
    kind: str
    weight: float
    report: str


@dataclass(frozen=True)
class Link:
    """A store linked to a brand's infringement reports."""

    store: str
    weight: float
    relation: str
    reported: bool
    paths: tuple[LinkPath, ...]
    evidence: tuple[str, ...]
    info: StoreInfo


@dataclass(frozen=True)
class RepeatInfringer:
    """An actor behind several infringing stores, with why."""

    actor: str
    kind: ActorKind
    score: float
    stores: tuple[str, ...]
    operators: tuple[str, ...]
    platforms: tuple[str, ...]
    reopened: tuple[tuple[str, str], ...]
    first_filed: date | None
    last_filed: date | None
    reports: tuple[str, ...]
    reasons: tuple[str, ...] = field(default_factory=tuple)


def reputations(
    counts: Mapping[str, Mapping[str, int]], prior: tuple[float, float] = (4.0, 1.0)
) -> dict[str, Reputation]:
    """Each complainant's Beta-smoothed acceptance rate.

    Parameters
    ----------
    counts
        Reports per status for each complainant.
    prior
        ``(a, b)``: pseudo-counts of accepted and not-accepted reports.

    Returns
    -------
    dict
        Complainant -> :class:`Reputation`.

    Examples
    --------
    >>> r = reputations({"x": {"confirmed": 0, "rejected": 5}})
    >>> round(r["x"].weight, 2)
    0.4
    """
    a, b = prior
    out: dict[str, Reputation] = {}
    for who, by_status in counts.items():
        ok = int(by_status.get("confirmed", 0))
        rej = int(by_status.get("rejected", 0))
        cnt = int(by_status.get("countered", 0))
        out[who] = Reputation(
            who, ok, rej, cnt, int(by_status.get("pending", 0)), (ok + a) / (ok + rej + cnt + a + b)
        )
    return out


def _noisy_or(weights: Iterable[float]) -> float:
    miss = 1.0
    for w in weights:
        miss *= 1.0 - min(max(w, 0.0), 1.0)
    return 1.0 - miss


def store_evidence(
    reports: Iterable[ReportObs], reputation: Mapping[str, Reputation], prior_mean: float = 0.8
) -> dict[str, StoreEvidence]:
    """Each reported store's infringement weight: a noisy-or of its active reports.

    A report weighs ``STATUS_FACTOR[status] * reputation(complainant)``; stores whose
    reports are all rejected or countered are left out.

    Examples
    --------
    >>> reps = reputations({"c": {"confirmed": 4}})
    >>> ev = store_evidence([ReportObs("report:1", "store:a", "brand:x", "confirmed", "c")], reps)
    >>> round(ev["store:a"].weight, 3)
    0.889
    """
    by_store: dict[str, list[tuple[ReportObs, float]]] = {}
    for report in reports:
        factor = STATUS_FACTOR.get(report.status, 0.0)
        if factor <= 0:
            continue
        rep = reputation.get(report.complainant)
        by_store.setdefault(report.store, []).append(
            (report, factor * (rep.weight if rep else prior_mean))
        )
    out: dict[str, StoreEvidence] = {}
    for store, items in by_store.items():
        filed = [r.filed for r, _ in items if r.filed is not None]
        out[store] = StoreEvidence(
            store=store,
            weight=_noisy_or(w for _, w in items),
            reports=tuple(sorted({r.uid for r, _ in items})),
            brands=tuple(sorted({r.brand for r, _ in items})),
            first_filed=min(filed) if filed else None,
            last_filed=max(filed) if filed else None,
        )
    return out


@dataclass
class _Actors:
    """Memberships and reach after dropping hubs, indexed for both directions."""

    by_seed: dict[str, list[Membership]]
    reach: dict[str, list[Reach]]
    kinds: dict[str, ActorKind]


def _index(
    memberships: Iterable[Membership],
    reach: Iterable[Reach],
    params: LinkParams,
    *,
    cap_stores: bool = True,
) -> _Actors:
    reach_of: dict[str, dict[str, Reach]] = {}
    for item in reach:
        reach_of.setdefault(item.actor, {}).setdefault(item.store, item)
    kinds: dict[str, ActorKind] = {}
    by_seed: dict[str, list[Membership]] = {}
    for m in memberships:
        stores = reach_of.get(m.actor, {})
        if cap_stores and len(stores) > params.max_actor_stores:
            continue
        if m.kind is ActorKind.PERSON:
            businesses = {r.operator for r in stores.values() if r.operator}
            if len(businesses) > params.max_person_businesses:
                continue
        if kinds.get(m.actor) is not ActorKind.OPERATOR:
            kinds[m.actor] = m.kind
        by_seed.setdefault(m.seed, []).append(m)
    return _Actors(
        by_seed,
        {a: sorted(reach_of.get(a, {}).values(), key=lambda r: r.store) for a in kinds},
        kinds,
    )


def infringement_links(
    evidence: Mapping[str, StoreEvidence],
    memberships: Iterable[Membership],
    reach: Iterable[Reach],
    stores: Mapping[str, StoreInfo],
    params: LinkParams | None = None,
) -> list[Link]:
    """Every store linked to the reported stores, strongest first, each with its paths.

    A reported store links to itself (relation ``reported``); a store in the reach of an
    actor behind a reported store links through that actor. A store's weight is its best
    path's; ties break by store uid.

    Examples
    --------
    >>> ev = {"store:a": StoreEvidence("store:a", 0.9, ("report:1",), ("brand:x",), None, None)}
    >>> m = [Membership("store:a", "biz:o", ActorKind.OPERATOR, (("OPERATES", "biz:o"),))]
    >>> r = [Reach("biz:o", s, (("OPERATES", s),), "biz:o") for s in ("store:a", "store:b")]
    >>> [(x.store, x.relation, round(x.weight, 2)) for x in infringement_links(ev, m, r, {})]
    [('store:a', 'reported', 0.9), ('store:b', 'same_operator', 0.6)]
    """
    params = params or LinkParams()
    actors = _index(memberships, reach, params)
    paths: dict[str, list[LinkPath]] = {}
    for seed, ev in evidence.items():
        first = ev.reports[0]
        paths.setdefault(seed, []).append(
            LinkPath((first, seed), ("REPORTS",), "reported", ev.weight, first)
        )
        for m in actors.by_seed.get(seed, []):
            own = actors.reach[m.actor]
            # an actor most of whose stores are already reported says more about the rest
            share = (sum(1 for r in own if r.store in evidence) + 1) / (len(own) + 1)
            weight = ev.weight * ACTOR_FACTOR[m.kind] * share
            head = (first, seed, *(uid for _, uid in m.steps))
            head_rels = ("REPORTS", *(rel for rel, _ in m.steps))
            for r in actors.reach[m.actor]:
                if r.store == seed:
                    continue
                paths.setdefault(r.store, []).append(
                    LinkPath(
                        (*head, *(uid for _, uid in r.steps)),
                        (*head_rels, *(rel for rel, _ in r.steps)),
                        f"same_{m.kind.value}",
                        weight,
                        first,
                    )
                )
    links = []
    for store, found in paths.items():
        found.sort(key=lambda p: (-p.weight, len(p.nodes), p.nodes))
        best = found[0]
        if best.weight < params.min_weight:
            continue
        unique: dict[tuple[str, ...], LinkPath] = {}
        for p in found:
            unique.setdefault(p.nodes, p)
        own_ev = evidence.get(store)
        links.append(
            Link(
                store=store,
                weight=best.weight,
                relation=best.kind,
                reported=own_ev is not None,
                paths=tuple(list(unique.values())[: params.max_paths]),
                evidence=own_ev.reports if own_ev else tuple(sorted({p.report for p in found})),
                info=stores.get(store, StoreInfo(store)),
            )
        )
    links.sort(key=lambda link: (-link.weight, link.store))
    return links


def _reopened(
    stores: Sequence[str], info: Mapping[str, StoreInfo], infringing: set[str]
) -> list[tuple[str, str]]:
    """(closed store, later store under another name) pairs among one actor's stores."""
    pairs = []
    known = sorted(
        (info[s] for s in stores if s in info and info[s].opened is not None),
        key=lambda i: (i.opened, i.uid),
    )
    for k, old in enumerate(known):
        if old.status != "closed":
            continue
        # the first store opened after it under another name, one of the two infringing
        later = (
            new
            for new in known[k + 1 :]
            if new.name != old.name
            and new.opened != old.opened
            and (old.uid in infringing or new.uid in infringing)
        )
        new = next(later, None)
        if new is not None:
            pairs.append((old.uid, new.uid))
    return sorted(pairs)


def repeat_infringers(
    evidence: Mapping[str, StoreEvidence],
    memberships: Iterable[Membership],
    reach: Iterable[Reach],
    stores: Mapping[str, StoreInfo],
    params: LinkParams | None = None,
) -> list[RepeatInfringer]:
    """Actors behind several infringing stores, highest score first.

    Score = the summed infringement weight of the actor's infringing stores, times
    ``1 + 0.25`` per further platform, plus ``0.5`` per store closed and reopened under a new
    name. A person or cluster is kept only when its infringing stores have more than one
    operator.

    Examples
    --------
    >>> ev = {s: StoreEvidence(s, 0.9, (f"report:{s}",), ("brand:x",), None, None)
    ...       for s in ("store:a", "store:b")}
    >>> m = [Membership(s, "biz:o", ActorKind.OPERATOR, ()) for s in ev]
    >>> r = [Reach("biz:o", s, (), "biz:o") for s in ev]
    >>> [(x.actor, round(x.score, 2)) for x in repeat_infringers(ev, m, r, {})]
    [('biz:o', 1.8)]
    """
    params = params or LinkParams()
    # a big operator with several infringing stores is a repeat infringer all the same
    actors = _index(memberships, reach, params, cap_stores=False)
    out = []
    for actor, kind in actors.kinds.items():
        own = actors.reach[actor]
        bad = [r for r in own if r.store in evidence]
        bad_stores = sorted({r.store for r in bad})
        if len(bad_stores) < params.min_stores:
            continue
        operators = tuple(sorted({r.operator or actor for r in bad}))
        if kind is not ActorKind.OPERATOR and len(operators) < 2:
            continue
        weights = [evidence[s].weight for s in bad_stores]
        platforms = tuple(
            sorted({p for s in bad_stores if (p := stores.get(s, StoreInfo(s)).platform)})
        )
        reopened = _reopened([r.store for r in own], stores, set(bad_stores))
        score = sum(weights) * (1 + 0.25 * max(len(platforms) - 1, 0)) + 0.5 * len(reopened)
        if score < params.min_score:
            continue
        filed = [d for s in bad_stores for d in (evidence[s].first_filed, evidence[s].last_filed)]
        dates = [d for d in filed if d is not None]
        reports = tuple(sorted({u for s in bad_stores for u in evidence[s].reports}))
        reasons = [
            f"{len(bad_stores)} infringing stores ({sum(weights):.2f} weighted by report status "
            f"and complainant reputation), {len(reports)} reports"
        ]
        if len(platforms) > 1:
            reasons.append(f"across {len(platforms)} platforms: {', '.join(platforms)}")
        if dates and min(dates) != max(dates):
            reasons.append(f"reported from {min(dates)} to {max(dates)}")
        for old, new in reopened:
            reasons.append(f"{old} closed; {new} opened later under a new name")
        if kind is ActorKind.PERSON:
            reasons.append(
                f"the same person behind {len(operators)} operators: {', '.join(operators)}"
            )
        if kind is ActorKind.CLUSTER:
            reasons.append(f"{len(operators)} operators in one shell cluster")
        out.append(
            RepeatInfringer(
                actor=actor,
                kind=kind,
                score=score,
                stores=tuple(bad_stores),
                operators=operators,
                platforms=platforms,
                reopened=tuple(reopened),
                first_filed=min(dates) if dates else None,
                last_filed=max(dates) if dates else None,
                reports=reports,
                reasons=tuple(reasons),
            )
        )
    out.sort(key=lambda x: (-x.score, x.actor))
    return out
