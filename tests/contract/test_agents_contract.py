"""Formation agents and registered offices through the store port, on both stores.

The registry::

    agent 李代理 (person:agent) filed for 12 companies, all registered at 幸福路 1 号
    (addr:office); 8 of them were established within 30 days (2024-03-01..2024-03-29),
    the other 4 a year apart.
    10 companies without a recorded agent are registered at 创业园 9 号 (addr:park).
    a small agent (person:small) filed for 3 companies at addr:small: below the threshold.
"""

from __future__ import annotations

from datetime import date, timedelta

from algorithms.shells.agents import AgentParams
from algorithms.shells.service import formation_agents
from graph.store import GraphStore

DAY = date(2025, 6, 30)


def _registry(store: GraphStore) -> None:
    burst = [date(2024, 3, 1) + timedelta(days=4 * i) for i in range(8)]
    spread = [date(2019 + i, 1, 1) for i in range(4)]
    office = [f"biz:o{i:02}" for i in range(12)]
    park = [f"biz:p{i:02}" for i in range(10)]
    small = [f"biz:s{i}" for i in range(3)]
    days = dict(zip(office, burst + spread, strict=True))
    days |= {b: date(2010 + i, 6, 1) for i, b in enumerate(park)}
    days |= {b: date(2024, 3, 1) for b in small}
    store.upsert_nodes(
        "Business",
        [{"uid": b, "name": f"{b[4:]}公司", "established": d} for b, d in days.items()],
    )
    store.upsert_nodes(
        "Person",
        [{"uid": "person:agent", "name": "李代理"}, {"uid": "person:small", "name": "小代理"}],
    )
    store.upsert_nodes(
        "Address",
        [
            {"uid": "addr:office", "text": "幸福路1号"},
            {"uid": "addr:park", "text": "创业园9号"},
            {"uid": "addr:small", "text": "小巷2号"},
        ],
    )
    store.upsert_relationships(
        "REGISTRATION_AGENT_OF",
        "Person",
        "Business",
        [
            {"rid": f"agent:{a}->{b}", "src": a, "dst": b}
            for a, group in (("person:agent", office), ("person:small", small))
            for b in group
        ],
    )
    store.upsert_relationships(
        "REGISTERED_AT",
        "Business",
        "Address",
        [
            {"rid": f"at:{b}", "src": b, "dst": a}
            for a, group in (("addr:office", office), ("addr:park", park), ("addr:small", small))
            for b in group
        ],
    )


def test_an_agent_with_many_companies_at_one_address_is_a_ranked_finding(
    store: GraphStore,
) -> None:
    _registry(store)
    found = formation_agents(store, AgentParams(at=DAY))
    assert [(f.code, f.agent, f.address, f.companies, f.burst) for f in found] == [
        ("formation_agent", "person:agent", "addr:office", 12, 8),
        ("registered_office", None, "addr:park", 10, 1),
    ]
    agent = found[0]
    assert (agent.burst_from, agent.burst_to) == (date(2024, 3, 1), date(2024, 3, 29))
    assert (
        agent.reason_zh == "代理人 李代理 在 幸福路1号 代理设立 12 家企业，其中 8 家在 30 天内设立"
    )
    assert agent.reason_en == (
        "12 companies formed by agent 李代理 at 幸福路1号, 8 of them within 30 days"
    )
    # earliest first: the four spread over 2019-2022, then the burst of 2024
    assert agent.examples == [f"biz:o{i:02}" for i in [8, 9, 10, 11, *range(8)]]
    assert agent.score > found[1].score


def test_thresholds_widen_and_narrow_what_is_reported(store: GraphStore) -> None:
    _registry(store)
    wide = formation_agents(store, AgentParams(at=DAY, min_companies=3))
    assert ("person:small", "addr:small", 3) in {(f.agent, f.address, f.companies) for f in wide}
    assert formation_agents(store, AgentParams(at=DAY, min_companies=13)) == []
    assert [f.companies for f in formation_agents(store, AgentParams(at=DAY), limit=1)] == [12]
