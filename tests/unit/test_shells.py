"""Shell-entity clusters through shared identifiers, as specifications.

Graphs are planted by hand with a small builder; cluster membership is cross-checked
against networkx connected components of a link graph computed pair by pair in plain Python.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import networkx as nx
import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.shells.core import (
    HubAction,
    IdentifierKind,
    ShellParams,
    find_shell_clusters,
    pairwise_f1,
)
from graph.errors import InvalidInput
from graph.model import Projection

_PREFIX = {"addr": "Address", "phone": "Phone", "email": "Email", "person": "Person"}
_KIND_REL = {
    "address": ("REGISTERED_AT", False),
    "phone": ("HAS_PHONE", False),
    "email": ("HAS_EMAIL", False),
    "legal_representative": ("LEGAL_REPRESENTATIVE_OF", True),
    "shareholder": ("SHAREHOLDER_OF", True),
    "registration_agent": ("REGISTRATION_AGENT_OF", True),
}


@dataclass
class World:
    """Builds a Projection of businesses, identifiers, stores and listings."""

    nodes: dict[str, str] = field(default_factory=dict)
    established: dict[str, str] = field(default_factory=dict)
    list_type: dict[str, str] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)
    edges: list[tuple[str, str, str, str]] = field(default_factory=list)
    until: list[str | None] = field(default_factory=list)

    def business(self, uid: str, established: str | None = None) -> str:
        self.nodes.setdefault(uid, "Business")
        if established:
            self.established[uid] = established
        return uid

    def _edge(self, rel: str, src: str, dst: str, until: str | None = None) -> None:
        self.edges.append((f"r{len(self.edges)}", rel, src, dst))
        self.until.append(until)

    def share(self, kind: str, ident: str, *businesses: str, until: str | None = None) -> None:
        rel, ident_is_src = _KIND_REL[kind]
        label = _PREFIX[ident.split(":")[0]] if ":" in ident else "Person"
        self.nodes.setdefault(ident, "Business" if ident.startswith("biz:") else label)
        for b in businesses:
            self.business(b)
            self._edge(rel, *((ident, b) if ident_is_src else (b, ident)), until=until)

    def store(self, business: str, store: str) -> None:
        self.nodes.setdefault(store, "Store")
        self._edge("OPERATES", business, store)

    def listed(self, subject: str, listing: str, kind: str, removed: str | None = None) -> None:
        self.nodes.setdefault(listing, "Listing")
        self.list_type[listing] = kind
        if removed:
            self.removed[listing] = removed
        self._edge("LISTED", subject, listing)

    def projection(self, order: list[str] | None = None) -> Projection:
        uids = order or list(self.nodes)
        return Projection.from_records(
            [(u, self.nodes[u]) for u in uids],
            self.edges,
            edge_props={"until": list(self.until), "since": [None] * len(self.edges)},
            node_props={
                "established": [self.established.get(u) for u in uids],
                "list_type": [self.list_type.get(u) for u in uids],
                "removed": [self.removed.get(u) for u in uids],
            },
        )


def planted() -> World:
    """Two shell clusters and twenty unrelated businesses."""
    w = World()
    ring = [w.business(f"biz:a{i}", f"2023-03-{1 + 2 * i:02d}") for i in range(5)]
    w.share("address", "addr:x", *ring)
    w.share("legal_representative", "person:p", *ring)
    w.listed("biz:a0", "listing:1", "abnormal_operation")
    w.listed("biz:a1", "listing:2", "abnormal_operation")
    w.listed("biz:a2", "listing:3", "serious_dishonesty")
    pair = [w.business(f"biz:b{i}", f"20{10 + i}-01-01") for i in range(4)]
    w.share("phone", "phone:t", *pair)
    w.share("email", "email:e", *pair)
    w.store("biz:b0", "store:s0")
    for i in range(20):
        w.business(f"biz:n{i}", "2001-01-01")
        w.share("address", f"addr:n{i}", f"biz:n{i}")
        w.store(f"biz:n{i}", f"store:n{i}")
    # One shared kind alone is not a link: n0 shares only a phone with the first ring.
    w.share("phone", "phone:a", "biz:a0", "biz:n0")
    return w


def members(result_clusters: tuple[object, ...]) -> list[set[str]]:
    return [set(c.members) for c in result_clusters]  # type: ignore[attr-defined]


def test_planted_clusters_are_found_and_nothing_else() -> None:
    result = find_shell_clusters(planted().projection())
    found = sorted(members(result.clusters), key=len, reverse=True)
    assert found == [{f"biz:a{i}" for i in range(5)}, {f"biz:b{i}" for i in range(4)}]
    assert result.hubs == ()
    assert result.stats.clusters == 2
    assert result.stats.links == 10 + 6  # every pair inside each cluster


def test_reasons_give_the_right_counts() -> None:
    by_size = {len(c.members): c for c in find_shell_clusters(planted().projection()).clusters}
    ring = by_size[5]
    assert ring.reasons == (
        "1 address in common",
        "1 legal representative in common",
        "5 businesses at one address registered within 30 days",  # 2023-03-01 .. 03-09
        "none operates a store",
        "2 already on the abnormal-operation list",  # the serious-dishonesty one is not asked
    )
    assert ring.shared == {
        IdentifierKind.ADDRESS: 1,
        IdentifierKind.LEGAL_REPRESENTATIVE: 1,
    }
    # b0 operates a store; the four were registered years apart.
    assert by_size[4].reasons == (
        "1 phone in common",
        "1 e-mail in common",
        "3 of 4 operate no store",
    )
    assert 0.0 <= by_size[4].score < ring.score <= 1.0


def test_rotating_legal_representatives_are_counted() -> None:
    w = World()
    w.share("address", "addr:x", "biz:0", "biz:1", "biz:2")
    w.share("legal_representative", "person:1", "biz:0", "biz:1")
    w.share("legal_representative", "person:2", "biz:1", "biz:2")
    w.share("legal_representative", "person:3", "biz:2", "biz:0")
    (cluster,) = find_shell_clusters(w.projection()).clusters
    assert "3 legal representatives in common" in cluster.reasons


def test_listings_removed_by_credit_repair_are_not_a_sign() -> None:
    w = planted()
    w.listed("biz:a3", "listing:9", "abnormal_operation", removed="2024-01-01")
    ring = next(c for c in find_shell_clusters(w.projection()).clusters if len(c.members) == 5)
    assert "2 already on the abnormal-operation list" in ring.reasons
    earlier = ShellParams(at=date(2023, 6, 1))
    ring = next(
        c for c in find_shell_clusters(w.projection(), earlier).clusters if len(c.members) == 5
    )
    assert "3 already on the abnormal-operation list" in ring.reasons


def with_agent_hub(n_clients: int = 300) -> World:
    """An agent who registers hundreds of businesses at his own office address."""
    w = planted()
    clients = [f"biz:a{i}" for i in range(5)] + [f"biz:b{i}" for i in range(4)]
    clients += [f"biz:n{i}" for i in range(20)]
    clients += [w.business(f"biz:c{i}") for i in range(n_clients - len(clients))]
    w.share("registration_agent", "person:agent", *clients)
    w.share("address", "addr:agent-office", *clients)
    return w


def test_an_agent_hub_does_not_glue_clusters_and_is_reported() -> None:
    params = ShellParams(weights={IdentifierKind.REGISTRATION_AGENT: 1.0})
    result = find_shell_clusters(with_agent_hub().projection(), params)
    found = sorted(members(result.clusters), key=len, reverse=True)
    assert found == [{f"biz:a{i}" for i in range(5)}, {f"biz:b{i}" for i in range(4)}]
    assert {(h.uid, h.kind, h.degree, h.action) for h in result.hubs} == {
        ("person:agent", IdentifierKind.REGISTRATION_AGENT, 300, HubAction.EXCLUDED),
        ("addr:agent-office", IdentifierKind.ADDRESS, 300, HubAction.EXCLUDED),
    }
    # Excluded hubs are never expanded into pairs.
    assert result.stats.candidate_pairs < 100
    # Without the hub rule the agent glues everything into one cluster.
    naive = params.model_copy(update={"hub_threshold": dict.fromkeys(IdentifierKind, 10_000)})
    (glued,) = find_shell_clusters(with_agent_hub().projection(), naive).clusters
    assert len(glued.members) == 300


def test_down_weighted_hubs_are_reported_with_their_weight() -> None:
    params = ShellParams(
        weights={IdentifierKind.REGISTRATION_AGENT: 1.0},
        hub_threshold={IdentifierKind.ADDRESS: 100, IdentifierKind.REGISTRATION_AGENT: 100},
        hub_action=HubAction.DOWNWEIGHTED,
    )
    result = find_shell_clusters(with_agent_hub(150).projection(), params)
    assert {(h.kind, h.action) for h in result.hubs} == {
        (IdentifierKind.ADDRESS, HubAction.DOWNWEIGHTED),
        (IdentifierKind.REGISTRATION_AGENT, HubAction.DOWNWEIGHTED),
    }
    assert all(h.weight == pytest.approx(1 / math.log(150)) for h in result.hubs)
    # Two weak links (2 / ln 150 < 2) do not glue the clusters.
    assert sorted(len(c.members) for c in result.clusters) == [4, 5]


def test_cluster_ids_are_stable_across_runs_and_node_order() -> None:
    w = planted()
    first = {c.id for c in find_shell_clusters(w.projection()).clusters}
    again = {c.id for c in find_shell_clusters(w.projection()).clusters}
    shuffled_order = list(w.nodes)
    random.Random(7).shuffle(shuffled_order)
    shuffled = {c.id for c in find_shell_clusters(w.projection(shuffled_order)).clusters}
    assert first == again == shuffled
    ring = "\n".join(sorted(f"biz:a{i}" for i in range(5)))
    assert hashlib.sha1(ring.encode()).hexdigest()[:16] in first


def test_members_are_ranked_by_mean_jaccard() -> None:
    # hub-like member 0 shares address with all; 1-2 and 2-3 share a rep as well.
    w = World()
    w.share("address", "addr:x", "biz:0", "biz:1", "biz:2", "biz:3")
    w.share("phone", "phone:0", "biz:0", "biz:1", "biz:2", "biz:3")
    w.share("email", "email:9", "biz:1", "biz:2")
    w.share("email", "email:8", "biz:2", "biz:3")
    (cluster,) = find_shell_clusters(w.projection()).clusters
    # Identifier sets: 0 {x, p}; 1 {x, p, e9}; 2 {x, p, e9, e8}; 3 {x, p, e8}.
    j = {(0, 1): 2 / 3, (0, 2): 2 / 4, (0, 3): 2 / 3, (1, 2): 3 / 4, (1, 3): 2 / 4, (2, 3): 3 / 4}
    mean = {k: sum(v for p, v in j.items() if k in p) / 3 for k in range(4)}
    expected = sorted(range(4), key=lambda k: (-mean[k], k))
    assert cluster.members == tuple(f"biz:{k}" for k in expected)
    assert cluster.mean_jaccard == pytest.approx([mean[k] for k in expected])


def test_only_edges_in_force_link() -> None:
    w = World()
    w.share("address", "addr:x", "biz:0", "biz:1", "biz:2")
    w.share("phone", "phone:0", "biz:0", "biz:1", "biz:2", until="2022-01-01")
    assert len(find_shell_clusters(w.projection()).clusters) == 1
    later = ShellParams(at=date(2022, 1, 1))
    assert find_shell_clusters(w.projection(), later).clusters == ()


def test_params_are_validated_and_partial_weights_keep_the_defaults() -> None:
    params = ShellParams(weights={IdentifierKind.PHONE: 2.0})
    assert params.weights[IdentifierKind.PHONE] == 2.0
    assert params.weights[IdentifierKind.REGISTRATION_AGENT] == 0.5
    with pytest.raises(pydantic.ValidationError):
        ShellParams(weights={IdentifierKind.PHONE: -1.0})
    with pytest.raises(pydantic.ValidationError):
        ShellParams(min_size=1)
    with pytest.raises(InvalidInput, match="Business"):
        find_shell_clusters(Projection.from_records([("person:a", "Person")], []))


def _reference_clusters(w: World, params: ShellParams) -> list[set[str]]:
    """Links computed pair by pair, components by networkx."""
    ids: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    kind_of = {rel: (kind, src) for kind, (rel, src) in _KIND_REL.items()}
    for _, rel, a, b in w.edges:
        if rel in kind_of:
            kind, ident_is_src = kind_of[rel]
            ident, biz = (a, b) if ident_is_src else (b, a)
            ids[biz][kind].add(ident)
    graph = nx.Graph()
    graph.add_nodes_from(u for u, label in w.nodes.items() if label == "Business")
    for x, y in itertools.combinations(sorted(ids), 2):
        strength = sum(
            params.weights[IdentifierKind(k)] for k in _KIND_REL if ids[x][k] & ids[y][k]
        )
        if strength >= params.link_threshold:
            graph.add_edge(x, y)
    return [c for c in nx.connected_components(graph) if len(c) >= params.min_size]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(_KIND_REL)),
            st.integers(min_value=0, max_value=5),
            st.sets(st.integers(min_value=0, max_value=14), min_size=1, max_size=5),
        ),
        max_size=25,
    )
)
def test_clusters_match_networkx_components_of_the_link_graph(
    shares: list[tuple[str, int, set[int]]],
) -> None:
    w = World()
    for i in range(15):
        w.business(f"biz:{i}")
    for kind, ident, holders in shares:
        prefix = {"address": "addr", "phone": "phone", "email": "email"}.get(kind, "person")
        w.share(kind, f"{prefix}:{kind[:3]}{ident}", *(f"biz:{h}" for h in sorted(holders)))
    params = ShellParams()
    result = find_shell_clusters(w.projection(), params)
    expected = _reference_clusters(w, params)
    assert sorted(map(sorted, members(result.clusters))) == sorted(map(sorted, expected))
    for cluster in result.clusters:
        assert 0.0 <= cluster.score <= 1.0


def test_pairwise_f1_counts_co_clustered_pairs() -> None:
    # Predicted pairs: ab ac bc; true pairs: ab cd. Only ab is right.
    assert pairwise_f1([{"a", "b", "c"}], [{"a", "b"}, {"c", "d"}]) == pytest.approx(
        (1 / 3, 1 / 2, 0.4)
    )
    assert pairwise_f1([{"a", "b"}, {"c", "d"}], [{"a", "b"}, {"c", "d"}]) == (1.0, 1.0, 1.0)
    assert pairwise_f1([], [{"a", "b"}]) == (0.0, 0.0, 0.0)
    assert pairwise_f1([], []) == (1.0, 1.0, 1.0)
    with pytest.raises(InvalidInput, match="'a'"):
        pairwise_f1([{"a", "b"}, {"a", "c"}], [])


def test_hubs_too_large_to_link_are_excluded_even_when_down_weighting() -> None:
    params = ShellParams(hub_action=HubAction.DOWNWEIGHTED, max_linked_degree=200)
    result = find_shell_clusters(with_agent_hub(300).projection(), params)
    assert {h.action for h in result.hubs} == {HubAction.EXCLUDED}
    assert all(h.weight == 0.0 for h in result.hubs)
