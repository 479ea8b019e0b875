"""Ownership penetration (股权穿透), ultimate beneficial owners and actual controllers.

All functions are pure: they read a :class:`~graph.model.Projection` holding at least the
``SHAREHOLDER_OF`` edges (edge property ``share`` in ``0..1``) and, for controllers, the
``ACTUAL_CONTROLLER_OF`` edges (edge property ``computed``). Edge properties ``since`` /
``until`` (ISO dates or ``None``) restrict every computation to the edges in force on ``at``.

Definitions
-----------
Direct holding matrix
    ``A[i, j]`` is the share node ``i`` holds in business ``j`` (parallel edges are summed).
    The shares held in one business must sum to at most 1.
Effective ownership
    The share holder ``h`` has in target ``t`` is the sum, over every chain of holdings from
    ``h`` to ``t``, of the product of the shares along the chain. With cross-holdings a chain
    may pass through a cycle any number of times (the sum is then a geometric series), but it
    may **not pass through the target itself**: a walk ``h -> ... -> t -> X -> t`` would count
    ``t``'s holding of its own shares (through subsidiary ``X``) as if it belonged to ``h``.
    This is the *integrated ownership* of Brioschi, Buzzacchi and Colombo (1989) with the
    correction the OECD and Vitali et al. (2011) apply for cycles: with ``N = (I - A)^-1``,
    ``share(h, t) = N[h, t] / N[t, t]`` for ``h != t``, computed here as one sparse solve
    ``(I - A') x = A[:, t]`` where ``A'`` is ``A`` with the target's own holdings removed.
    What ``t`` holds of itself (directly as treasury shares, or round a cycle) is reported
    separately as :attr:`OwnershipResult.self_held`; dividing a holder's share by
    ``1 - self_held`` gives the "treasury-share" reading in which self-held shares are
    cancelled (``N[h, t]`` itself). For a person (who is held by nobody) the shares of all
    ultimate holders plus ``self_held`` add up to the fraction of ``t`` that is accounted for.
Control
    See :func:`actual_controllers`: control, not ownership, propagates.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph
from scipy.sparse import linalg as splinalg

from graph.errors import DidNotConverge, InvalidInput, NotFound
from graph.model import Projection

__all__ = [
    "HOLDING",
    "Chain",
    "ControlParams",
    "ControlRule",
    "ControllerFinding",
    "HolderShare",
    "HoldingProblem",
    "OwnershipResult",
    "actual_controllers",
    "edges_in_force",
    "effective_ownership",
    "holding_edges",
    "holding_problems",
    "ultimate_beneficial_owners",
]

HOLDING = "SHAREHOLDER_OF"
DECLARED_CONTROL = "ACTUAL_CONTROLLER_OF"

# Shares are decimals from registries: allow rounding noise when summing them.
_TOL = 1e-9
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


# --------------------------------------------------------------------------- result types


@dataclass(frozen=True)
class Chain:
    """One chain of holdings from a holder (``uids[0]``) to the target (``uids[-1]``).

    ``shares[i]`` is the share ``uids[i]`` holds in ``uids[i + 1]``.
    """

    uids: tuple[str, ...]
    shares: tuple[float, ...]

    @property
    def product(self) -> float:
        """The chain's contribution: the product of its shares."""
        return float(np.prod(self.shares)) if self.shares else 1.0


@dataclass(frozen=True)
class HolderShare:
    """A holder's effective share in the target, its direct share and its top chains."""

    uid: str
    label: str
    share: float
    direct: float
    chains: tuple[Chain, ...] = ()


@dataclass(frozen=True)
class OwnershipResult:
    """Everyone holding part of ``target`` on ``at``, largest effective share first.

    ``self_held`` is the fraction the target holds of itself (treasury shares and round
    cycles); it is excluded from every holder's share (see the module docstring).
    """

    target: str
    at: date | None
    holders: tuple[HolderShare, ...]
    self_held: float = 0.0
    #: direct holders whose share is not on record (they hold; the weight is unknown)
    unknown_share_holders: tuple[str, ...] = ()
    #: businesses up the chains whose holdings were skipped (see :class:`HoldingProblem`)
    skipped: tuple[HoldingProblem, ...] = ()

    def share_of(self, uid: str) -> float:
        """The effective share of ``uid`` in the target (0 when it holds none)."""
        return next((h.share for h in self.holders if h.uid == uid), 0.0)

    def holder(self, uid: str) -> HolderShare | None:
        """The entry for ``uid``, if it holds part of the target."""
        return next((h for h in self.holders if h.uid == uid), None)


@dataclass(frozen=True)
class HoldingProblem:
    """A business whose recorded holdings cannot be used as they stand.

    Ownership and control skip the holdings *in* this business (the business itself gets
    no holders and no computed controller) and go on for everyone else; the problem is
    reported as a finding. ``code`` is ``shares_over_one`` (the shares held in it add up
    to more than 1; ``total`` says how much) or ``share_out_of_range`` (a share below 0 or
    above 1; ``rids`` names the edges).
    """

    business: str
    code: str
    total: float
    rids: tuple[str, ...]


class ControlRule(StrEnum):
    """Which rule named a controller."""

    DECLARED = "declared"
    MAJORITY = "majority"
    PLURALITY = "plurality"


@dataclass(frozen=True)
class ControllerFinding:
    """The actual controller of one business and why.

    ``path`` runs from the controller to the business through the entities it controls.
    ``votes`` is the share of the business's votes cast by the controller's block (holdings
    of the controller and of every entity it controls), ``nan`` when unknown.
    ``computed_controller`` is what ownership alone says (``None`` when no rule fires);
    ``disagrees_with_declared`` flags a declared controller that ownership contradicts.
    """

    business: str
    controller: str
    rule: ControlRule
    votes: float
    explanation: str
    path: tuple[str, ...]
    disagrees_with_declared: bool = False
    declared_controllers: tuple[str, ...] = ()
    computed_controller: str | None = None


@dataclass(frozen=True)
class ControlParams:
    """Options of :func:`actual_controllers`.

    Parameters
    ----------
    at : date or None
        Use only edges in force on this date (``since <= at < until``); None: all edges.
    majority : float
        Rule (a): a block controls a business when it casts **more than** this share of its
        votes (default 0.5, 公司法 控股股东 "出资额占 50% 以上").
    plurality_threshold : float
        Rule (b), applied only where no block has a majority: the largest block controls
        when it casts at least this share (default 0.3, after 上市公司收购管理办法 第84条:
        "可以实际支配上市公司股份表决权超过30%").
    plurality_margin : float
        ... and leads the second-largest block by at least this much (default 0.1), so that
        a 30/29 split names nobody.
    use_declared : bool
        Declared controllers (``ACTUAL_CONTROLLER_OF`` without ``computed = true``) win over
        computed ones and their control propagates; False ignores them.
    max_iter : int
        Bound on the control fixed point's rounds (each round extends control one level).
    """

    at: date | None = None
    majority: float = 0.5
    plurality_threshold: float = 0.3
    plurality_margin: float = 0.1
    use_declared: bool = True
    max_iter: int = 200

    def __post_init__(self) -> None:
        if not 0.0 < self.majority < 1.0:
            raise InvalidInput("majority must lie in (0, 1)", field="majority")
        if not 0.0 < self.plurality_threshold <= self.majority:
            raise InvalidInput(
                "plurality_threshold must lie in (0, majority]", field="plurality_threshold"
            )
        if self.plurality_margin < 0.0:
            raise InvalidInput("plurality_margin must be >= 0", field="plurality_margin")
        if self.max_iter < 1:
            raise InvalidInput("max_iter must be >= 1", field="max_iter")


# --------------------------------------------------------------------------- edge selection


def _iso(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def edges_in_force(
    projection: Projection, at: date | None, mask: BoolArray | None = None
) -> BoolArray:
    """Which edges are in force on ``at``: ``since <= at < until``, a missing bound is open.

    Parameters
    ----------
    projection : Projection
        Edges with optional ``since`` / ``until`` edge properties (ISO date strings,
        ``date`` objects or None).
    at : date or None
        The day asked about; None keeps every edge.
    mask : array of bool, optional
        Edges to consider; the answer is False outside it.

    Returns
    -------
    array of bool
        One flag per edge.

    Raises
    ------
    InvalidInput
        If ``mask`` does not have one entry per edge.

    Examples
    --------
    >>> from datetime import date
    >>> p = Projection.from_records(
    ...     [("person:a", "Person"), ("biz:b", "Business")],
    ...     [("r1", "SHAREHOLDER_OF", "person:a", "biz:b")],
    ...     edge_props={"since": ["2020-01-01"], "until": ["2021-01-01"]},
    ... )
    >>> edges_in_force(p, date(2020, 6, 1)).tolist(), edges_in_force(p, date(2021, 1, 1)).tolist()
    ([True], [False])
    """
    keep = np.ones(projection.n_edges, dtype=bool) if mask is None else mask.copy()
    if keep.shape != (projection.n_edges,):
        raise InvalidInput("edge mask must have one entry per edge", field="mask")
    if at is None:
        return keep
    day = at.isoformat()
    candidates = np.flatnonzero(keep)
    since = projection.edge_props.get("since")
    until = projection.edge_props.get("until")
    if since is not None:
        started = [(s := _iso(v)) is None or s <= day for v in since[candidates]]
        keep[candidates[~np.asarray(started, dtype=bool)]] = False
    if until is not None:
        candidates = np.flatnonzero(keep)
        ongoing = [(u := _iso(v)) is None or day < u for v in until[candidates]]
        keep[candidates[~np.asarray(ongoing, dtype=bool)]] = False
    return keep


def _as_float(values: npt.NDArray[Any]) -> FloatArray:
    if values.dtype == np.float64:
        return np.asarray(values, dtype=np.float64)
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def _holding_arrays(
    projection: Projection, at: date | None
) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    """Edge numbers, holders, businesses and shares (``nan`` = unknown) of holdings in force."""
    mask = edges_in_force(projection, at, np.asarray(projection.types == HOLDING, dtype=bool))
    idx = np.flatnonzero(mask)
    raw = projection.edge_props.get("share")
    if idx.size and raw is None:
        raise InvalidInput("SHAREHOLDER_OF edges need the 'share' property", field="share")
    share = _as_float(raw[idx]) if raw is not None else np.zeros(0, dtype=np.float64)
    holder = projection.src[idx].astype(np.int64)
    business = projection.dst[idx].astype(np.int64)
    return idx, holder, business, share


def holding_problems(projection: Projection, at: date | None = None) -> list[HoldingProblem]:
    """Businesses whose holdings in force on ``at`` cannot be used, in node order.

    A share outside ``0..1`` or shares adding up to more than 1 make a business's holdings
    unusable; an unknown share (``None``) is not a problem (the holding counts, its weight
    is unknown). See :class:`HoldingProblem`.

    Examples
    --------
    >>> p = Projection.from_records(
    ...     [("person:a", "Person"), ("person:c", "Person"), ("biz:b", "Business")],
    ...     [("r1", "SHAREHOLDER_OF", "person:a", "biz:b"),
    ...      ("r2", "SHAREHOLDER_OF", "person:c", "biz:b")],
    ...     edge_props={"share": [0.7, 0.6]},
    ... )
    >>> [(x.business, x.code, round(x.total, 2)) for x in holding_problems(p)]
    [('biz:b', 'shares_over_one', 1.3)]
    """
    idx, _, business, share = _holding_arrays(projection, at)
    if idx.size == 0:
        return []
    known = np.isfinite(share)
    bad = known & ((share < 0.0) | (share > 1.0 + _TOL))
    totals = np.bincount(
        business[known & ~bad], weights=share[known & ~bad], minlength=projection.n_nodes
    )
    over = set(np.flatnonzero(totals > 1.0 + 1e-6).tolist())
    out_of_range = set(business[bad].tolist())
    problems = []
    for b in sorted(over | out_of_range):
        rows = business == b
        if b in out_of_range:
            rids = tuple(str(r) for r in projection.rids[idx[rows & bad]])
            problems.append(
                HoldingProblem(
                    str(projection.uids[b]), "share_out_of_range", float(totals[b]), rids
                )
            )
        else:
            rids = tuple(str(r) for r in projection.rids[idx[rows]])
            problems.append(
                HoldingProblem(str(projection.uids[b]), "shares_over_one", float(totals[b]), rids)
            )
    return problems


def holding_edges(
    projection: Projection, at: date | None = None, *, strict: bool = True
) -> tuple[IntArray, IntArray, FloatArray]:
    """The ``SHAREHOLDER_OF`` edges in force on ``at`` as ``(holder, business, share)`` arrays.

    Parameters
    ----------
    projection : Projection
        Needs the edge property ``share``.
    at : date or None
        Keep only edges in force on this day.

    Returns
    -------
    tuple of arrays
        Holder node numbers, business node numbers and shares, aligned.

    Raises
    ------
    InvalidInput
        If ``share`` is missing, outside ``0..1``, or the shares held in one business add
        up to more than 1 (the message names the business).

    Examples
    --------
    >>> p = Projection.from_records(
    ...     [("person:a", "Person"), ("biz:b", "Business")],
    ...     [("r1", "SHAREHOLDER_OF", "person:a", "biz:b")],
    ...     edge_props={"share": [0.6]},
    ... )
    >>> holder, business, share = holding_edges(p)
    >>> holder.tolist(), business.tolist(), share.tolist()
    ([0], [1], [0.6])
    """
    if not strict:
        idx, holder, business, share = _holding_arrays(projection, at)
        skip = np.zeros(projection.n_nodes, dtype=bool)
        for problem in holding_problems(projection, at):
            skip[projection.index[problem.business]] = True
        keep = np.isfinite(share) & ~skip[business]
        return holder[keep], business[keep], share[keep]
    mask = edges_in_force(projection, at, np.asarray(projection.types == HOLDING, dtype=bool))
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        empty_i = np.zeros(0, dtype=np.int64)
        return empty_i, empty_i.copy(), np.zeros(0, dtype=np.float64)
    raw = projection.edge_props.get("share")
    if raw is None:
        raise InvalidInput("SHAREHOLDER_OF edges need the 'share' property", field="share")
    share = _as_float(raw[idx])
    bad = np.flatnonzero(~np.isfinite(share) | (share < 0.0) | (share > 1.0 + _TOL))
    if bad.size:
        k = int(idx[bad[0]])
        raise InvalidInput(
            f"share {raw[k]!r} of {projection.rids[k]} ({projection.uids[projection.src[k]]} "
            f"-> {projection.uids[projection.dst[k]]}) is not a number in 0..1",
            field="share",
        )
    holder = projection.src[idx].astype(np.int64)
    business = projection.dst[idx].astype(np.int64)
    totals = np.bincount(business, weights=share, minlength=projection.n_nodes)
    over = np.flatnonzero(totals > 1.0 + 1e-6)
    if over.size:
        names = ", ".join(f"{projection.uids[j]} ({totals[j]:.4g})" for j in over[:5])
        raise InvalidInput(
            f"shares held in a business sum to more than 1: {names}"
            + (f" and {over.size - 5} more" if over.size > 5 else ""),
            field="share",
        )
    return holder, business, share


def _node_number(projection: Projection, target: str | int) -> int:
    if isinstance(target, str):
        try:
            return projection.index[target]
        except KeyError:
            raise NotFound(f"no node {target!r} in the projection") from None
    if not 0 <= target < projection.n_nodes:
        raise InvalidInput(f"node number {target} out of range 0..{projection.n_nodes - 1}")
    return int(target)


# --------------------------------------------------------------------------- ownership


def _check_closed_cycles(sub: sparse.csr_array, uids: npt.NDArray[np.object_]) -> None:
    """Raise DidNotConverge where a cycle of holdings has no outside holder (spectral radius 1).

    For a non-negative matrix whose columns sum to at most 1, the spectral radius of an
    irreducible block is 1 exactly when every column of the block sums to 1 inside it.
    """
    n_comp, comp = csgraph.connected_components(sub, directed=True, connection="strong")
    if n_comp == sub.shape[0] and not sub.diagonal().any():
        return
    coo = sub.tocoo()
    inside = comp[coo.row] == comp[coo.col]
    col_in = np.bincount(coo.col[inside], weights=coo.data[inside], minlength=sub.shape[0])
    has_edge = np.bincount(comp[coo.row[inside]], minlength=n_comp) > 0
    weakest = np.full(n_comp, np.inf)
    np.minimum.at(weakest, comp, col_in)
    closed = np.flatnonzero(has_edge & (weakest >= 1.0 - 1e-12))
    if closed.size:
        members = np.flatnonzero(comp == closed[0])
        names = ", ".join(str(uids[m]) for m in members[:8])
        raise DidNotConverge(
            f"ownership cycle with no outside holder (spectral radius 1) among "
            f"{members.size} entities: {names}"
        )


def _top_chains(
    reverse: sparse.csr_array,
    target: int,
    wanted: set[int],
    k: int,
    max_expansions: int,
    min_product: float,
) -> dict[int, list[tuple[tuple[int, ...], tuple[float, ...]]]]:
    """Best-first search up the holding graph: the ``k`` largest simple chains per holder.

    Products only shrink along a chain (shares <= 1), so chains leave the heap in
    non-increasing order and the first ``k`` reaching a holder are its top ``k``.
    """
    found: dict[int, list[tuple[tuple[int, ...], tuple[float, ...]]]] = defaultdict(list)
    if k <= 0:
        return found
    indptr, indices, data = reverse.indptr, reverse.indices, reverse.data
    heap: list[tuple[float, int, tuple[int, ...], tuple[float, ...]]] = [(-1.0, 0, (target,), ())]
    counter = 1
    done = 0
    expansions = 0
    while heap and expansions < max_expansions and done < len(wanted):
        neg, _, path, shares = heapq.heappop(heap)
        expansions += 1
        node = path[-1]
        if len(path) > 1 and node in wanted and len(found[node]) < k:
            found[node].append((path, shares))
            done += len(found[node]) == k
        for pos in range(indptr[node], indptr[node + 1]):
            holder, share = int(indices[pos]), float(data[pos])
            product = -neg * share
            if product < min_product or holder in path:
                continue
            heapq.heappush(heap, (-product, counter, (*path, holder), (*shares, share)))
            counter += 1
    return found


def effective_ownership(
    projection: Projection,
    target: str | int,
    at: date | None = None,
    top_chains: int = 5,
    *,
    max_expansions: int = 100_000,
) -> OwnershipResult:
    """Effective ownership of every direct and indirect holder of one business (股权穿透).

    Parameters
    ----------
    projection : Projection
        Must contain the ``SHAREHOLDER_OF`` edges (property ``share``); other edges are
        ignored.
    target : str or int
        The business, by uid or node number.
    at : date or None
        Use only holdings in force on this day; None uses every edge.
    top_chains : int
        How many of the largest simple chains to keep per holder as explanation.
    max_expansions : int
        Budget of the best-first chain search (the shares themselves are exact regardless).

    Returns
    -------
    OwnershipResult
        Holders with a positive effective share, largest first. The share follows the
        definition in the module docstring: every chain's product summed, cycles included,
        the target's holdings of itself excluded.

    Raises
    ------
    NotFound
        If ``target`` is not a uid of the projection.
    InvalidInput
        If a share is missing or outside ``0..1``, or a business's shares sum to more than 1.
    DidNotConverge
        If the holders of ``target`` include a cycle with no outside holder (spectral
        radius 1), for which the chain sums diverge.

    Examples
    --------
    >>> p = Projection.from_records(
    ...     [("person:a", "Person"), ("biz:b", "Business"), ("biz:c", "Business")],
    ...     [("r1", "SHAREHOLDER_OF", "person:a", "biz:b"),
    ...      ("r2", "SHAREHOLDER_OF", "biz:b", "biz:c")],
    ...     edge_props={"share": [0.6, 0.5]},
    ... )
    >>> result = effective_ownership(p, "biz:c")
    >>> round(result.share_of("person:a"), 6)
    0.3
    >>> result.holder("person:a").chains[0].uids
    ('person:a', 'biz:b', 'biz:c')
    """
    t = _node_number(projection, target)
    problems = holding_problems(projection, at)
    mine = [x for x in problems if x.business == projection.uids[t]]
    if mine:
        raise InvalidInput(
            f"the holdings of {mine[0].business} cannot be used ({mine[0].code}, "
            f"total {mine[0].total:.4g}: {', '.join(mine[0].rids[:5])})",
            field="share",
        )
    _, all_holders, all_business, all_shares = _holding_arrays(projection, at)
    unknown = sorted(
        {
            str(projection.uids[h])
            for h in all_holders[(all_business == t) & ~np.isfinite(all_shares)]
        }
    )
    holder, business, share = holding_edges(projection, at, strict=False)
    n = projection.n_nodes
    matrix = sparse.csr_array((share, (holder, business)), shape=(n, n))
    matrix.sum_duplicates()
    reverse = sparse.csr_array(matrix.T)
    reverse.sum_duplicates()
    ancestors = np.sort(
        csgraph.breadth_first_order(reverse, t, directed=True, return_predecessors=False)
    )
    pos_t = int(np.searchsorted(ancestors, t))
    sub = sparse.csr_array(matrix[ancestors][:, ancestors])
    self_direct = float(sub[pos_t, pos_t]) if sub.nnz else 0.0
    rhs = sub[:, [pos_t]].toarray().ravel()
    rhs[pos_t] = 0.0
    # A': the target's own holdings cut, so no chain can pass through the target.
    keep_rows = np.ones(len(ancestors))
    keep_rows[pos_t] = 0.0
    cut = sparse.csr_array(sparse.diags_array(keep_rows) @ sub)
    cut.eliminate_zeros()
    if cut.nnz:
        _check_closed_cycles(cut, projection.uids[ancestors])
        system = sparse.csc_array(sparse.eye_array(len(ancestors)) - cut)
        x = np.asarray(splinalg.spsolve(system, rhs), dtype=np.float64).reshape(-1)
        if not np.all(np.isfinite(x)):
            raise DidNotConverge(f"ownership system of {projection.uids[t]} is singular")
    else:
        x = rhs
    x = np.clip(x, 0.0, None)
    x[pos_t] = 0.0
    own_row = sub[[pos_t], :].toarray().ravel()
    own_row[pos_t] = 0.0
    self_held = min(1.0, self_direct + float(own_row @ x))

    positive = np.flatnonzero(x > 1e-12)
    order = positive[np.argsort(-x[positive], kind="stable")]
    wanted = {int(ancestors[i]) for i in order}
    chains = _top_chains(reverse, t, wanted, top_chains, max_expansions, 1e-12)
    direct_col = matrix[:, [t]].toarray().ravel()
    holders = tuple(
        HolderShare(
            uid=str(projection.uids[node]),
            label=str(projection.labels[node]),
            share=float(x[i]),
            direct=float(direct_col[node]),
            chains=tuple(
                Chain(
                    uids=tuple(str(projection.uids[v]) for v in reversed(path)),
                    shares=tuple(reversed(shares)),
                )
                for path, shares in chains.get(node, [])
            ),
        )
        for i in order
        for node in (int(ancestors[i]),)
    )
    upstream = {str(projection.uids[a]) for a in ancestors.tolist()}
    return OwnershipResult(
        str(projection.uids[t]),
        at,
        holders,
        self_held,
        unknown_share_holders=tuple(unknown),
        skipped=tuple(x for x in problems if x.business in upstream),
    )


def ultimate_beneficial_owners(
    projection: Projection,
    target: str | int,
    at: date | None = None,
    threshold: float = 0.25,
    top_chains: int = 5,
) -> list[HolderShare]:
    """Natural persons whose effective share in ``target`` is at least ``threshold`` (最终受益人).

    Parameters
    ----------
    projection : Projection
        As for :func:`effective_ownership`.
    target : str or int
        The business, by uid or node number.
    at : date or None
        Use only holdings in force on this day.
    threshold : float
        Minimum effective share (default 0.25, the 25% of 银发〔2017〕235号 / FATF).
    top_chains : int
        Chains kept per owner as explanation.

    Returns
    -------
    list of HolderShare
        Persons (label ``Person``), largest share first.

    Raises
    ------
    NotFound
        If ``target`` is not in the projection.
    InvalidInput
        If ``threshold`` is outside ``(0, 1]`` or the shares are invalid.
    DidNotConverge
        As for :func:`effective_ownership`.

    Examples
    --------
    >>> p = Projection.from_records(
    ...     [("person:a", "Person"), ("person:z", "Person"), ("biz:b", "Business")],
    ...     [("r1", "SHAREHOLDER_OF", "person:a", "biz:b"),
    ...      ("r2", "SHAREHOLDER_OF", "person:z", "biz:b")],
    ...     edge_props={"share": [0.8, 0.2]},
    ... )
    >>> [o.uid for o in ultimate_beneficial_owners(p, "biz:b")]
    ['person:a']
    """
    if not 0.0 < threshold <= 1.0:
        raise InvalidInput("threshold must lie in (0, 1]", field="threshold")
    result = effective_ownership(projection, target, at, top_chains)
    return [h for h in result.holders if h.label == "Person" and h.share >= threshold - _TOL]


# --------------------------------------------------------------------------- control


def _resolve_roots(ctrl: IntArray) -> tuple[IntArray, BoolArray]:
    """Follow controller pointers to their top; break pointer cycles (mutual control).

    Returns the root of every node and the mask of nodes found on a control cycle (whose
    pointers the caller must drop: they control each other and nobody controls them).
    """
    n = ctrl.shape[0]
    has = ctrl >= 0
    on_cycle = np.zeros(n, dtype=bool)
    if has.any():
        rows = np.flatnonzero(has)
        graph = sparse.csr_array((np.ones(rows.size), (rows, ctrl[rows])), shape=(n, n))
        n_comp, comp = csgraph.connected_components(graph, directed=True, connection="strong")
        if n_comp < n:
            sizes = np.bincount(comp, minlength=n_comp)
            on_cycle = sizes[comp] > 1
    parent = np.where(has & ~on_cycle, ctrl, np.arange(n, dtype=np.int64))
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent, on_cycle
        parent = grand


@dataclass
class _Blocks:
    """Per business: the largest voting block (its root and votes) and the runner-up."""

    business: IntArray
    root: IntArray
    votes: FloatArray
    second: FloatArray


def _blocks(
    holder: IntArray, business: IntArray, share: FloatArray, root: IntArray, n: int
) -> _Blocks:
    r = root[holder]
    own = r != business  # votes a business casts on itself through its subsidiaries
    key = business[own] * np.int64(n) + r[own]
    uniq, inverse = np.unique(key, return_inverse=True)
    votes = np.bincount(inverse, weights=share[own], minlength=uniq.size).astype(np.float64)
    gb, gr = uniq // n, uniq % n
    order = np.lexsort((-votes, gb))
    gb, gr, votes = gb[order], gr[order], votes[order]
    first = np.flatnonzero(np.r_[True, gb[1:] != gb[:-1]]) if gb.size else np.zeros(0, np.int64)
    nxt = first + 1
    has2 = nxt < gb.size
    has2[has2] = gb[nxt[has2]] == gb[first[has2]]
    second = np.zeros(first.size)
    second[has2] = votes[nxt[has2]]
    return _Blocks(gb[first], gr[first], votes[first], second)


def _declared(projection: Projection, at: date | None) -> tuple[IntArray, IntArray]:
    mask = edges_in_force(
        projection, at, np.asarray(projection.types == DECLARED_CONTROL, dtype=bool)
    )
    computed = projection.edge_props.get("computed")
    if computed is not None:
        flags = np.array([v is True or v == 1 or v == "true" for v in computed], dtype=bool)
        mask &= ~flags
    idx = np.flatnonzero(mask & (projection.src != projection.dst))
    return projection.src[idx].astype(np.int64), projection.dst[idx].astype(np.int64)


def _pct(x: float) -> str:
    return f"{x * 100:.4g}%"


def actual_controllers(
    projection: Projection, params: ControlParams | None = None
) -> list[ControllerFinding]:
    """The actual controller (实际控制人) of every business, by documented rules.

    Rules, in order of precedence:

    1. **declared**: an ``ACTUAL_CONTROLLER_OF`` edge in force without ``computed = true``
       names the controller; a computed controller that differs (and is not the declared
       one's own controller) is reported and the finding flagged as a disagreement.
    2. **majority** (rule a): a *block* (an entity together with everything it controls)
       controls a business when it casts more than ``params.majority`` of its votes.
       Control propagates: once A controls B, B's votes count in A's block. The rule is
       applied to a fixed point (each round extends control one level up the chains);
       votes a business casts on itself through its subsidiaries are ignored, and
       entities that control each other in a cycle are left without a controller.
    3. **plurality** (rule b): where no block has a majority, the largest block controls if
       it casts at least ``params.plurality_threshold`` and leads the runner-up by
       ``params.plurality_margin``. Plurality control is *not* propagated (propagating it
       would make the fixed point oscillate as blocks merge); it names a controller only.

    The controller is the top of the block: the entity nobody else controls. Control is
    computed for all businesses at once, vectorised over the holding edges: each round is a
    sort of the edges by (business, block), so a million businesses take seconds per round.

    Parameters
    ----------
    projection : Projection
        ``SHAREHOLDER_OF`` edges with ``share``; ``ACTUAL_CONTROLLER_OF`` edges (optional)
        with ``computed``; node property ``name`` (optional) is used in explanations.
    params : ControlParams, optional
        Thresholds and the date; defaults as documented on :class:`ControlParams`.

    Returns
    -------
    list of ControllerFinding
        One finding per controlled business (one per declared controller where several are
        declared), in node order.

    Holdings that cannot be used (:func:`holding_problems`: shares over 1 in a business, a
    share outside ``0..1``) are skipped for that business only; a holding whose share is
    unknown carries no votes, and its business gets no plurality controller.

    Raises
    ------
    InvalidInput
        If the ``share`` property is absent from the projection.
    DidNotConverge
        If control has not settled after ``params.max_iter`` rounds.

    Examples
    --------
    >>> p = Projection.from_records(
    ...     [("person:z", "Person"), ("biz:a", "Business"), ("biz:b", "Business")],
    ...     [("r1", "SHAREHOLDER_OF", "person:z", "biz:a"),
    ...      ("r2", "SHAREHOLDER_OF", "biz:a", "biz:b")],
    ...     edge_props={"share": [0.6, 0.55]},
    ...     node_props={"name": ["张三", "A", "B"]},
    ... )
    >>> finding = actual_controllers(p)[1]
    >>> finding.controller, finding.rule.value, finding.path
    ('person:z', 'majority', ('person:z', 'biz:a', 'biz:b'))
    >>> finding.explanation
    '张三 holds 60% of A directly; A holds 55% of B → 张三 controls B through A (55% of the votes)'
    """
    params = params or ControlParams()
    n = projection.n_nodes
    _, all_holders, all_business, all_shares = _holding_arrays(projection, params.at)
    # A business with a holding of unknown weight gets no plurality controller: the unknown
    # holding might be the largest block. A majority of known votes still controls.
    weight_unknown = np.zeros(n, dtype=bool)
    weight_unknown[all_business[~np.isfinite(all_shares)]] = True
    holder, business, share = holding_edges(projection, params.at, strict=False)
    loop = holder != business
    holder, business, share = holder[loop], business[loop], share[loop]
    d_src, d_dst = (
        _declared(projection, params.at)
        if params.use_declared
        else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    )
    n_declared = np.bincount(d_dst, minlength=n)
    declared_ptr = np.full(n, -1, dtype=np.int64)
    single = n_declared[d_dst] == 1
    declared_ptr[d_dst[single]] = d_src[single]

    frozen = np.zeros(n, dtype=bool)  # members of mutual-control cycles
    ctrl = declared_ptr.copy()
    root, cycle = _resolve_roots(ctrl)
    computed = np.full(n, -1, dtype=np.int64)
    for _ in range(params.max_iter):
        blocks = _blocks(holder, business, share, root, n)
        computed = np.full(n, -1, dtype=np.int64)
        major = blocks.votes > params.majority + _TOL
        computed[blocks.business[major]] = blocks.root[major]
        new_ctrl = np.where(declared_ptr >= 0, declared_ptr, computed)
        new_ctrl[frozen] = -1
        new_root, cycle = _resolve_roots(new_ctrl)
        if cycle.any():
            frozen |= cycle
            new_ctrl[frozen] = -1
            new_root, _ = _resolve_roots(new_ctrl)
        if np.array_equal(new_ctrl, ctrl) and np.array_equal(new_root, root):
            break
        ctrl, root = new_ctrl, new_root
    else:
        raise DidNotConverge(f"control did not settle within {params.max_iter} rounds")

    is_business = np.asarray(projection.labels == "Business", dtype=bool)
    votes_of = np.full(n, np.nan)
    votes_of[blocks.business] = blocks.votes
    rule_of: dict[int, ControlRule] = {}
    computed_root = np.full(n, -1, dtype=np.int64)
    for b, r, v, s in zip(
        blocks.business.tolist(),
        blocks.root.tolist(),
        blocks.votes.tolist(),
        blocks.second.tolist(),
        strict=True,
    ):
        if frozen[b] and declared_ptr[b] < 0:
            continue
        if v > params.majority + _TOL:
            rule_of[b], computed_root[b] = ControlRule.MAJORITY, r
        elif (
            v >= params.plurality_threshold - _TOL
            and v - s >= params.plurality_margin - _TOL
            and not weight_unknown[b]
        ):
            rule_of[b], computed_root[b] = ControlRule.PLURALITY, r
    via = _via(holder, business, share, root, computed_root)
    text = _Narrator(projection, holder, business, share)
    declared_by: dict[int, list[int]] = defaultdict(list)
    for c, b in zip(d_src.tolist(), d_dst.tolist(), strict=True):
        declared_by[b].append(c)
    second_of = np.zeros(n)
    second_of[blocks.business] = blocks.second
    # Python lists: the loop below touches each finding's entries once, and list indexing
    # is several times faster than numpy scalar indexing.
    uids: list[str] = [str(u) for u in projection.uids.tolist()]
    top_of: list[int] = computed_root.tolist()
    via_of: list[int] = via.tolist()
    declared_of: list[int] = declared_ptr.tolist()
    root_of: list[int] = root.tolist()
    votes_list: list[float] = votes_of.tolist()
    second_list: list[float] = second_of.tolist()
    business_rows: list[bool] = is_business.tolist()

    def path_to(b: int) -> list[int]:
        # Walk up from b through the largest holder in the winning block at each level.
        steps, x, top = [b], b, top_of[b]
        while x != top:
            if declared_of[x] >= 0 and x != b:
                x = declared_of[x]
            elif top_of[x] >= 0 and via_of[x] >= 0:
                x = via_of[x]
            else:
                break
            if x in steps:  # a subsidiary voting in its parent: fall back to root -> b
                return [top, b]
            steps.append(x)
        return steps[::-1] if steps[-1] == top else [top, b]

    findings: list[ControllerFinding] = []
    for b in sorted(set(rule_of) | set(declared_by)):
        if not business_rows[b]:
            continue
        top = top_of[b]
        computed_uid = uids[top] if top >= 0 else None
        votes = votes_list[b] if top >= 0 else float("nan")
        if b in declared_by:
            names = tuple(uids[c] for c in declared_by[b])
            for c in declared_by[b]:
                agrees = top < 0 or top in (c, root_of[c])
                explanation = f"{text.name(c)} is declared the actual controller of {text.name(b)}"
                if not agrees:
                    explanation += (
                        f"; ownership says {text.name(top)} "
                        f"({rule_of[b].value}, {_pct(votes)} of the votes): disagreement"
                    )
                findings.append(
                    ControllerFinding(
                        business=uids[b],
                        controller=uids[c],
                        rule=ControlRule.DECLARED,
                        votes=votes,
                        explanation=explanation,
                        path=(uids[c], uids[b]),
                        disagrees_with_declared=not agrees,
                        declared_controllers=names,
                        computed_controller=computed_uid,
                    )
                )
            continue
        steps = path_to(b)
        findings.append(
            ControllerFinding(
                business=uids[b],
                controller=uids[top],
                rule=rule_of[b],
                votes=votes,
                explanation=text.explain(steps, rule_of[b], votes, second_list[b]),
                path=tuple(uids[s] for s in steps),
                computed_controller=computed_uid,
            )
        )
    return findings


def _via(
    holder: IntArray, business: IntArray, share: FloatArray, root: IntArray, winner: IntArray
) -> IntArray:
    """Per controlled business, the largest direct holder inside the winning block."""
    n = root.shape[0]
    via = np.full(n, -1, dtype=np.int64)
    in_block = (winner[business] >= 0) & (root[holder] == winner[business])
    h, b, s = holder[in_block], business[in_block], share[in_block]
    order = np.lexsort((-s, b))
    h, b = h[order], b[order]
    first = np.r_[True, b[1:] != b[:-1]] if b.size else np.zeros(0, dtype=bool)
    via[b[first]] = h[first]
    return via


@dataclass
class _Narrator:
    """Turns control paths into sentences, naming nodes by their ``name`` property."""

    projection: Projection
    holder: IntArray
    business: IntArray
    share: FloatArray
    _direct: Mapping[tuple[int, int], float] = field(init=False)

    def __post_init__(self) -> None:
        direct: dict[tuple[int, int], float] = defaultdict(float)
        for h, b, s in zip(
            self.holder.tolist(), self.business.tolist(), self.share.tolist(), strict=True
        ):
            direct[(h, b)] += s
        self._direct = direct
        uids = [str(u) for u in self.projection.uids.tolist()]
        names = self.projection.node_props.get("name")
        if names is not None:
            uids = [
                str(v) if v is not None and v == v and str(v) else u
                for u, v in zip(uids, names.tolist(), strict=True)
            ]
        self._names = uids

    def name(self, i: int) -> str:
        return self._names[i]

    def explain(self, steps: Sequence[int], rule: ControlRule, votes: float, second: float) -> str:
        parts: list[str] = []
        for k, (p, q) in enumerate(zip(steps[:-1], steps[1:], strict=True)):
            s = self._direct.get((p, q))
            verb = f"holds {_pct(s)} of" if s else "controls"
            parts.append(f"{self.name(p)} {verb} {self.name(q)}" + (" directly" if k == 0 else ""))
        if len(parts) == 1:
            parts[0] = parts[0].removesuffix(" directly")
        top, target = self.name(steps[0]), self.name(steps[-1])
        through = [self.name(s) for s in steps[1:-1]]
        conclusion = f"{top} controls {target}" + (
            f" through {', '.join(through)}" if through else ""
        )
        if rule is ControlRule.PLURALITY:
            conclusion += f" (largest block: {_pct(votes)} of the votes, next {_pct(second)})"
        else:
            conclusion += f" ({_pct(votes)} of the votes)"
        return "; ".join(parts) + " → " + conclusion
