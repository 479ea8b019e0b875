"""Formation agents and registered-office addresses that serve many companies (注册代理集中).

Offshore and domestic registries alike are full of one pattern: an agent files for dozens
or hundreds of companies, all registered at the agent's office, often within days of each
other. Shell clustering treats such an agent or address as a *hub* (it says little about
any pair of companies); this module reports it as a finding of its own.

Method
------
1. From the ``REGISTRATION_AGENT_OF`` (agent → business) and ``REGISTERED_AT``
   (business → address) edges in force on ``at``, group businesses by (agent, address) and,
   for registered-office providers without a recorded agent, by address alone.
2. Keep groups of at least ``min_companies`` businesses; an address whose companies are
   exactly one agent's is reported once, as the agent's.
3. **Burst**: the largest number of the group's businesses established within any window of
   ``window_days`` days (a sliding window over the sorted establishment dates).
4. **Score** in ``[0, 1]``: ``0.5 * min(1, ln(n) / ln(scale)) + 0.5 * burst / n``: large
   groups and groups formed in a burst rank first. Findings are ranked by score, then size.

Each finding carries a structured reason (:data:`REASON_CODE` with its parameters), which
:func:`graph.render.reason_text` writes in Chinese or English.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from algorithms.ownership.core import edges_in_force
from graph.errors import InvalidInput
from graph.model import Projection, as_date

__all__ = [
    "AGENT_REL_TYPES",
    "REASON_CODE",
    "AgentParams",
    "FormationFinding",
    "formation_agents",
]

AGENT_REL_TYPES: tuple[str, ...] = ("REGISTRATION_AGENT_OF", "REGISTERED_AT")
#: the reason code of an agent-at-address finding; ``registered_office`` for an address alone
REASON_CODE = "formation_agent"


@dataclass(frozen=True)
class AgentParams:
    """Options of :func:`formation_agents`.

    Parameters
    ----------
    at : date or None
        Use only edges in force on this day; None: every edge.
    min_companies : int
        Smallest group reported (default 10).
    window_days : int
        Width of the burst window (default 30 days).
    scale : int
        Group size at which the size part of the score reaches 1 (default 500).
    """

    at: date | None = None
    min_companies: int = 10
    window_days: int = 30
    scale: int = 500

    def __post_init__(self) -> None:
        if self.min_companies < 2:
            raise InvalidInput("min_companies must be >= 2", field="min_companies")
        if self.window_days < 1:
            raise InvalidInput("window_days must be >= 1", field="window_days")
        if self.scale < 2:
            raise InvalidInput("scale must be >= 2", field="scale")


@dataclass(frozen=True)
class FormationFinding:
    """Companies formed by one agent at one address (``agent`` None: the address alone).

    ``companies`` are ordered by establishment date (unknown dates last); ``burst`` of them
    were established between ``burst_from`` and ``burst_to`` (within the window).
    """

    agent: str | None
    address: str
    companies: tuple[str, ...]
    burst: int
    burst_from: date | None
    burst_to: date | None
    score: float
    code: str
    params: dict[str, Any]


def _burst(days: list[date], window: int) -> tuple[int, date | None, date | None]:
    """Largest count of dates within ``window`` days of each other, and its first/last date."""
    if not days:
        return 0, None, None
    best, best_i, best_j, i = 0, 0, 0, 0
    for j, day in enumerate(days):
        while day - days[i] >= timedelta(days=window):
            i += 1
        if j - i + 1 > best:
            best, best_i, best_j = j - i + 1, i, j
    return best, days[best_i], days[best_j]


def formation_agents(
    projection: Projection, params: AgentParams | None = None
) -> list[FormationFinding]:
    """Agents (at an address) and addresses that registered many companies, ranked.

    Parameters
    ----------
    projection : Projection
        ``REGISTRATION_AGENT_OF`` and ``REGISTERED_AT`` edges (optional ``since`` / ``until``),
        node property ``established`` (optional) on businesses.
    params : AgentParams, optional
        Thresholds, window and date.

    Returns
    -------
    list of FormationFinding
        Highest score first, then largest, then by agent and address uid.

    Examples
    --------
    >>> nodes = [("person:ag", "Person"), ("addr:1", "Address")] + [
    ...     (f"biz:{i}", "Business") for i in range(3)]
    >>> edges = [(f"a{i}", "REGISTRATION_AGENT_OF", "person:ag", f"biz:{i}") for i in range(3)]
    >>> edges += [(f"r{i}", "REGISTERED_AT", f"biz:{i}", "addr:1") for i in range(3)]
    >>> p = Projection.from_records(nodes, edges, node_props={"established": [
    ...     None, None, "2024-01-01", "2024-01-05", "2024-06-01"]})
    >>> [(f.agent, f.address, len(f.companies), f.burst)
    ...  for f in formation_agents(p, AgentParams(min_companies=3))]
    [('person:ag', 'addr:1', 3, 2)]
    """
    params = params or AgentParams()
    uids = [str(u) for u in projection.uids.tolist()]
    in_force = edges_in_force(projection, params.at)
    agents_of: dict[int, set[int]] = defaultdict(set)
    address_of: dict[int, set[int]] = defaultdict(set)
    for k in np.flatnonzero(in_force).tolist():
        kind = projection.types[k]
        src, dst = int(projection.src[k]), int(projection.dst[k])
        if kind == "REGISTRATION_AGENT_OF":
            agents_of[dst].add(src)
        elif kind == "REGISTERED_AT":
            address_of[src].add(dst)
    groups: dict[tuple[int | None, int], set[int]] = defaultdict(set)
    for business, addresses in address_of.items():
        for address in addresses:
            groups[(None, address)].add(business)
            for filer in agents_of.get(business, ()):
                groups[(filer, address)].add(business)
    # An address whose companies are exactly one agent's is reported once, as the agent's.
    agent_sets = {
        (address, frozenset(m)) for (agent, address), m in groups.items() if agent is not None
    }
    established = projection.node_props.get("established")
    findings = []
    for (agent, address), members in groups.items():
        n = len(members)
        if n < params.min_companies:
            continue
        if agent is None and (address, frozenset(members)) in agent_sets:
            continue
        dated: list[tuple[date, str]] = []
        undated: list[str] = []
        for b in members:
            day = as_date(established[b]) if established is not None else None
            if day is None:
                undated.append(uids[b])
            else:
                dated.append((day, uids[b]))
        dated.sort()
        days = [d for d, _ in dated]
        burst, first, last = _burst(days, params.window_days)
        size_part = min(1.0, math.log(n) / math.log(params.scale))
        score = round(0.5 * size_part + 0.5 * burst / n, 6)
        findings.append(
            FormationFinding(
                agent=uids[agent] if agent is not None else None,
                address=uids[address],
                companies=tuple(u for _, u in dated) + tuple(sorted(undated)),
                burst=burst,
                burst_from=first,
                burst_to=last,
                score=score,
                code=REASON_CODE if agent is not None else "registered_office",
                params={"n": n, "burst": burst, "window": params.window_days},
            )
        )
    findings.sort(
        key=lambda f: (-f.score, -len(f.companies), f.agent is None, f.agent or "", f.address)
    )
    return findings
