"""The generated offshore registry slice (issue 15 item 7) loads faithfully on both stores:
rows reconcile, planted duplicates are reported as conflicts, every formation agent is found
and control is computed although most shares are unknown."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from algorithms.ownership.service import compute_controllers
from algorithms.shells.agents import AgentParams
from algorithms.shells.service import formation_agents
from graph.identity import business_uid
from graph.store import GraphStore
from ingest.generate.offshore import make_offshore
from ingest.pipeline import IngestReport, ingest_directory
from tests.conftest import TEST_KEY

COMPANIES = 120


@pytest.fixture
def loaded(store: GraphStore, tmp_path: Path) -> tuple[IngestReport, dict[str, Any]]:
    truth = make_offshore(tmp_path / "offshore", COMPANIES, seed=11)
    report = ingest_directory(
        store, tmp_path / "offshore", id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
    )
    return report, truth


def test_every_row_reconciles_and_the_duplicates_are_reported_as_conflicts(
    loaded: tuple[IngestReport, dict[str, Any]],
) -> None:
    report, truth = loaded
    assert all(f.reconciled for f in report.files)
    assert report.quarantined == 0
    assert report.read == sum(truth["rows"].values())
    businesses = next(f for f in report.files if f.name == "businesses")
    reported = sorted(c["key"] for c in businesses.conflict_list)
    assert reported == sorted(business_uid(b) for b in truth["conflicts"])
    assert all(c["fields"] == ["name"] for c in businesses.conflict_list)


def test_companies_as_officers_and_people_with_addresses_are_held(
    store: GraphStore, loaded: tuple[IngestReport, dict[str, Any]]
) -> None:
    _, truth = loaded
    agent = truth["formation_agents"][0]
    filed = store.edges_of(
        [business_uid(agent["agent"])], ["REGISTRATION_AGENT_OF"], direction="out"
    )
    assert len(filed) == len(agent["companies"])
    counts = store.counts()
    assert counts.relationships["HAS_ADDRESS"] == truth["rows"]["people"]
    nominee = business_uid(truth["nominee_directors"][0])
    assert store.edges_of([nominee], ["DIRECTOR_OF"], direction="out")


def test_each_formation_agent_is_found_with_all_its_companies(
    store: GraphStore, loaded: tuple[IngestReport, dict[str, Any]]
) -> None:
    _, truth = loaded
    found = formation_agents(store, AgentParams(at=date(2026, 1, 1)))
    by_agent = {f.agent: f for f in found if f.code == "formation_agent"}
    for planted in truth["formation_agents"]:
        finding = by_agent[business_uid(planted["agent"])]
        assert finding.companies == len(planted["companies"])
        assert finding.burst >= 10


def test_control_is_computed_with_unknown_shares_for_everyone(
    store: GraphStore, loaded: tuple[IngestReport, dict[str, Any]]
) -> None:
    _, truth = loaded
    run = compute_controllers(store)
    assert run.skipped == []
    assert run.computed >= truth["sole_holders"]
