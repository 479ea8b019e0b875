"""Ownership penetration and actual controllers through the store port.

:func:`ownership` answers for one business: who holds it through every chain (股权穿透),
its ultimate beneficial owners and its actual controller, with the chains and sentences
that explain them. It reads only the holding subgraph above the business (breadth-first up
``SHAREHOLDER_OF`` and declared ``ACTUAL_CONTROLLER_OF`` edges), which is all that
ownership and control of that business depend on.

:func:`compute_controllers` runs :func:`algorithms.ownership.actual_controllers` over the
whole store and writes each computed controller as an ``ACTUAL_CONTROLLER_OF`` edge with
``computed = true`` and its ``explanation``, rid
``ACTUAL_CONTROLLER_OF:computed:<controller>-><business>``, so that the joint-punishment
rules can follow it. A re-run replaces the previous computed edges (those no longer found
are deleted); declared edges (``computed`` false) are never written or deleted here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from algorithms.ownership.core import (
    ControllerFinding,
    ControlParams,
    ControlRule,
    HolderShare,
    HoldingProblem,
    actual_controllers,
    effective_ownership,
    holding_problems,
)
from graph.errors import InvalidInput, NotFound
from graph.model import Edge, Projection
from graph.schema import label_of_uid
from graph.store import GraphStore

__all__ = [
    "OWNERSHIP_REL_TYPES",
    "ChainOut",
    "ControllerOut",
    "ControllerRun",
    "HolderOut",
    "OwnershipReport",
    "SkippedOut",
    "compute_controllers",
    "computed_rid",
    "ownership",
]

OWNERSHIP_REL_TYPES: tuple[str, ...] = ("SHAREHOLDER_OF", "ACTUAL_CONTROLLER_OF")
_EDGE_PROPS = ("share", "since", "until", "computed")
_CONTROL = "ACTUAL_CONTROLLER_OF"
#: Bound on the holding subgraph read for one business (levels and edges).
_MAX_LEVELS = 50
_MAX_EDGES = 200_000


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ChainOut(_Model):
    """One chain of holdings from a holder down to the business."""

    uids: list[str]
    names: list[str]
    shares: list[float] = Field(description="shares[i]: what uids[i] holds of uids[i + 1]")
    product: float


class HolderOut(_Model):
    """A direct or indirect holder with its effective share."""

    uid: str
    label: str
    name: str | None
    share: float = Field(description="Effective share through every chain, 0..1")
    direct: float = Field(description="Share held directly")
    chains: list[ChainOut] = Field(description="The chains contributing most")


class ControllerOut(_Model):
    """The actual controller (实际控制人) and why."""

    controller: str
    controller_name: str | None
    rule: ControlRule
    votes: float | None = Field(description="Share of the votes its block casts (None unknown)")
    explanation: str
    path: list[str]
    disagrees_with_declared: bool
    declared_controllers: list[str]
    computed_controller: str | None


class OwnershipReport(_Model):
    """Who holds and who controls one business."""

    business: str
    name: str | None
    at: date | None
    holders: list[HolderOut] = Field(description="Largest effective share first")
    beneficial_owners: list[HolderOut] = Field(
        description="Natural persons at or above ubo_threshold"
    )
    ubo_threshold: float
    self_held: float = Field(description="Share the business holds of itself (cycles)")
    controllers: list[ControllerOut] = Field(description="Empty when no rule names one")
    unknown_share_holders: list[str] = Field(
        default_factory=list, description="Direct holders whose share is not on record"
    )
    skipped: list[SkippedOut] = Field(
        default_factory=list,
        description="Businesses up the chains whose holdings cannot be used (left out)",
    )


class SkippedOut(_Model):
    """A business whose holdings were skipped by ownership and control, and why."""

    business: str
    code: str = Field(description="shares_over_one | share_out_of_range")
    total: float = Field(description="What the usable shares held in it add up to")
    rids: list[str] = Field(description="The holdings concerned")


def _skipped(problems: Sequence[HoldingProblem]) -> list[SkippedOut]:
    return [
        SkippedOut(business=x.business, code=x.code, total=x.total, rids=list(x.rids))
        for x in problems
    ]


class ControllerRun(_Model):
    """What :func:`compute_controllers` found and wrote."""

    at: date | None
    findings: int = Field(description="Businesses with a controller (declared or computed)")
    computed: int = Field(description="Computed ACTUAL_CONTROLLER_OF edges now in the store")
    removed: int = Field(description="Computed edges of an earlier run deleted")
    by_rule: dict[str, int]
    disagreements: list[str] = Field(
        description="Businesses whose declared controller ownership contradicts"
    )
    skipped: list[SkippedOut] = Field(
        default_factory=list,
        description="Businesses whose holdings cannot be used; everyone else was computed",
    )


def computed_rid(controller: str, business: str) -> str:
    """The rid of a computed ``ACTUAL_CONTROLLER_OF`` edge."""
    return f"{_CONTROL}:computed:{controller}->{business}"


# --------------------------------------------------------------------------- one business


def _holding_subgraph(store: GraphStore, uid: str) -> list[Edge]:
    """Every holding / declared-control edge on a path up from ``uid``."""
    edges: dict[str, Edge] = {}
    seen = {uid}
    frontier = [uid]
    for _ in range(_MAX_LEVELS):
        if not frontier:
            break
        found = store.edges_of(frontier, OWNERSHIP_REL_TYPES, direction="in", limit=_MAX_EDGES)
        frontier = []
        for edge in found:
            if edge.type == _CONTROL and _is_computed(edge.props.get("computed")):
                continue
            edges[edge.rid] = edge
            if edge.src not in seen:
                seen.add(edge.src)
                frontier.append(edge.src)
        if len(edges) > _MAX_EDGES:
            raise InvalidInput(f"the holding structure above {uid} exceeds {_MAX_EDGES} edges")
    return list(edges.values())


def _is_computed(value: Any) -> bool:
    return value is True or value == 1 or value == "true"


def _projection(store: GraphStore, uid: str, edges: Sequence[Edge]) -> Projection:
    uids = list(dict.fromkeys([uid, *(u for e in edges for u in (e.src, e.dst))]))
    nodes = {n.uid: n for n in store.get_nodes(uids)}
    return Projection.from_records(
        [(u, nodes[u].label if u in nodes else (label_of_uid(u) or "Unknown")) for u in uids],
        [(e.rid, e.type, e.src, e.dst) for e in edges],
        edge_props={p: [e.props.get(p) for e in edges] for p in _EDGE_PROPS},
        node_props={"name": [nodes[u].get("name") if u in nodes else None for u in uids]},
    )


def _today() -> date:
    return datetime.now(UTC).date()


def _names(projection: Projection) -> dict[str, str | None]:
    names = projection.node_props.get("name")
    return {
        str(u): (None if names is None or names[i] is None else str(names[i]))
        for i, u in enumerate(projection.uids.tolist())
    }


def _holder(h: HolderShare, names: dict[str, str | None]) -> HolderOut:
    return HolderOut(
        uid=h.uid,
        label=h.label,
        name=names.get(h.uid),
        share=h.share,
        direct=h.direct,
        chains=[
            ChainOut(
                uids=list(c.uids),
                names=[names.get(u) or u for u in c.uids],
                shares=list(c.shares),
                product=c.product,
            )
            for c in h.chains
        ],
    )


def _controller(f: ControllerFinding, names: dict[str, str | None]) -> ControllerOut:
    return ControllerOut(
        controller=f.controller,
        controller_name=names.get(f.controller),
        rule=f.rule,
        votes=None if math.isnan(f.votes) else f.votes,
        explanation=f.explanation,
        path=list(f.path),
        disagrees_with_declared=f.disagrees_with_declared,
        declared_controllers=list(f.declared_controllers),
        computed_controller=f.computed_controller,
    )


def ownership(
    store: GraphStore,
    uid: str,
    at: date | None = None,
    *,
    ubo_threshold: float = 0.25,
    top_chains: int = 5,
    control: ControlParams | None = None,
) -> OwnershipReport:
    """Effective holders (with chains), beneficial owners and controller of one business.

    Parameters
    ----------
    store : GraphStore
        Any store.
    uid : str
        The business's uid (``biz:...``).
    at : date or None
        Use only holdings and declarations in force on this day (default today: summed
        over history a business's shares may exceed 1).
    ubo_threshold : float
        Minimum effective share of a beneficial owner (default 25%).
    top_chains : int
        Chains kept per holder.
    control : ControlParams, optional
        Control thresholds; its ``at`` is replaced by ``at``.

    Raises
    ------
    NotFound
        If no business has this uid.
    InvalidInput
        If shares are malformed (the message names the business), or the holding
        structure is unreasonably large.
    DidNotConverge
        If a holding cycle has no outside holder.
    """
    if not 0.0 < ubo_threshold <= 1.0:
        raise InvalidInput("ubo_threshold must lie in (0, 1]", field="ubo_threshold")
    node = store.get_node(uid)
    if node is None or node.label != "Business":
        raise NotFound(f"no business with uid {uid!r}")
    edges = _holding_subgraph(store, uid)
    projection = _projection(store, uid, edges)
    names = _names(projection)
    at = at or _today()
    result = effective_ownership(projection, uid, at, top_chains)
    findings = actual_controllers(projection, replace(control or ControlParams(), at=at))
    holders = [_holder(h, names) for h in result.holders]
    return OwnershipReport(
        business=uid,
        name=node.get("name"),
        at=at,
        holders=holders,
        beneficial_owners=[
            h for h in holders if h.label == "Person" and h.share >= ubo_threshold - 1e-12
        ],
        ubo_threshold=ubo_threshold,
        self_held=result.self_held,
        controllers=[_controller(f, names) for f in findings if f.business == uid],
        unknown_share_holders=list(result.unknown_share_holders),
        skipped=_skipped(result.skipped),
    )


# --------------------------------------------------------------------------- whole store


#: Rows a controllers write commits at a time: a million computed edges in one transaction
#: outgrew Neo4j's transaction memory at 1M businesses (3.5 GiB with a 5 GB heap).
WRITE_BATCH = 20_000


def _write_controllers(
    store: GraphStore, rows: dict[tuple[str, str], list[dict[str, Any]]], stale: list[str]
) -> None:
    """Write the run's computed edges and delete the stale ones: in one transaction when
    they fit in ``WRITE_BATCH`` rows, else a batch per transaction, new edges first and
    stale ones after. A run stopped half way leaves every edge it did not reach as the last
    run wrote it (each names its ``run_id``), and running again converges: the computation
    is deterministic and each write an idempotent upsert or delete."""
    groups = sorted(rows.items())
    if len(stale) + sum(len(group) for _, group in groups) <= WRITE_BATCH:
        with store.transaction():
            if stale:
                store.delete_relationships(_CONTROL, stale)
            for (src_label, dst_label), group in groups:
                store.upsert_relationships(_CONTROL, src_label, dst_label, group)
        return
    for (src_label, dst_label), group in groups:
        for k in range(0, len(group), WRITE_BATCH):
            with store.transaction():
                store.upsert_relationships(
                    _CONTROL, src_label, dst_label, group[k : k + WRITE_BATCH]
                )
    for k in range(0, len(stale), WRITE_BATCH):
        with store.transaction():
            store.delete_relationships(_CONTROL, stale[k : k + WRITE_BATCH])


def compute_controllers(
    store: GraphStore, params: ControlParams | None = None, *, now: datetime | None = None
) -> ControllerRun:
    """Compute every business's actual controller and write the computed edges.

    Parameters
    ----------
    store : GraphStore
        Any store.
    params : ControlParams, optional
        Thresholds and the date (defaults documented on :class:`ControlParams`; a missing
        date means today, the edges in force now).
    now : datetime, optional
        The time recorded on the edges (default: now, UTC).

    Returns
    -------
    ControllerRun
        Counts, rules and the businesses whose declaration ownership contradicts.

    A business whose holdings cannot be used (shares over 1, a share outside 0..1) is
    skipped and listed in ``skipped``; every other business is computed.

    Raises
    ------
    DidNotConverge
        If control does not settle.
    """
    params = params or ControlParams()
    if params.at is None:
        params = replace(params, at=(now or datetime.now(UTC)).date())
    projection = store.project(OWNERSHIP_REL_TYPES, node_props=("name",), edge_props=_EDGE_PROPS)
    findings = actual_controllers(projection, params) if projection.n_nodes else []
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    run = f"controllers-{stamp.strftime('%Y%m%dT%H%M%SZ')}"
    suffix = f" (as of {params.at.isoformat()})" if params.at else ""
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for f in findings:
        if f.rule is ControlRule.DECLARED or f.controller == f.business:
            continue
        src_label = label_of_uid(f.controller) or "Unknown"
        rows.setdefault((src_label, "Business"), []).append(
            {
                "rid": computed_rid(f.controller, f.business),
                "src": f.controller,
                "dst": f.business,
                "computed": True,
                "explanation": f"{f.rule.value}: {f.explanation}{suffix}",
                "source": "compute_controllers",
                "run_id": run,
                "first_seen": stamp,
                "last_seen": stamp,
            }
        )
    fresh = {row["rid"] for group in rows.values() for row in group}
    computed_flags = projection.edge_props.get("computed")
    old = (
        [
            str(projection.rids[k])
            for k in range(projection.n_edges)
            if projection.types[k] == _CONTROL and _is_computed(computed_flags[k])
        ]
        if computed_flags is not None
        else []
    )
    stale = [rid for rid in old if rid not in fresh]
    _write_controllers(store, rows, stale)
    return ControllerRun(
        at=params.at,
        findings=len({f.business for f in findings}),
        computed=len(fresh),
        removed=len(stale),
        by_rule=dict(sorted(Counter(f.rule.value for f in findings).items())),
        disagreements=sorted({f.business for f in findings if f.disagrees_with_declared}),
        skipped=_skipped(holding_problems(projection, params.at)) if projection.n_nodes else [],
    )
