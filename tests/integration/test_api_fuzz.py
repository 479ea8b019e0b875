"""Fuzz the OpenAPI document with schemathesis (in-process ASGI): no request gets a 5xx,
on the embedded store and on Neo4j.

Every operation is called with generated parameters and bodies (valid and not) under an
officer key, and under a platform key where the operation is a platform's; the only
property checked is that the server never answers 5xx. Examples per operation are
bounded so the run stays within the fast suite.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from starlette.exceptions import StarletteDeprecationWarning

from algorithms.propagation import service
from api.app import create_app
from api.security import KeyStore
from graph.config import Settings
from graph.store import GraphStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

with warnings.catch_warnings():
    # starlette asks for httpx2, which the project does not ship yet.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    import schemathesis
    from fastapi.testclient import TestClient
    from schemathesis import Case

EXAMPLES_PER_OPERATION = 30
PLATFORM_PATHS = (
    "/v1/feedback",
    "/v1/identity/verify",
    "/v1/restrictions",
    "/v1/changes",
    "/v1/webhooks",
)


@pytest.fixture(
    params=[
        pytest.param("embedded", id="embedded"),
        pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
    ]
)
def fuzzed_store(request: pytest.FixtureRequest) -> GraphStore:
    """A clean store of each kind: the API is fuzzed over both."""
    if request.param == "embedded":
        store: GraphStore = request.getfixturevalue("embedded_store")
        return store
    neo4j: GraphStore = request.getfixturevalue("neo4j_store")
    neo4j.wipe()
    return neo4j


def test_no_operation_answers_5xx(
    fuzzed_store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    ingest_directory(fuzzed_store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q")
    service.propagate_store(fuzzed_store, full=True)
    db = tmp_path / "api.sqlite3"
    keys = KeyStore(db)
    officer = keys.create("fuzz-officer", "officer", rate=1e6, burst=1_000_000).token
    platform = keys.create("fuzz-platform", "platform", rate=1e6, burst=1_000_000).token
    keys.close()
    # Webhook URLs are generated: register them, never POST to them.
    app = create_app(
        settings.model_copy(update={"webhook_delivery": False}), fuzzed_store, api_db=db
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 15

    try:
        for operation in operations:
            _fuzz(operation, officer, platform, failures)
    finally:
        # schemathesis keeps an ASGI app's lifespan running for the process; end it before
        # the fixture closes the store under the app's background threads.
        from schemathesis.python.asgi import shutdown_lifespans

        shutdown_lifespans()
    assert not failures, "\n".join(failures[:20])


def _fuzz(operation: Any, officer: str, platform: str, failures: list[str]) -> None:
    """Call one operation with generated input; collect any 5xx."""
    tokens = [officer]
    if operation.path.startswith(PLATFORM_PATHS):
        tokens.append(platform)

    @given(case=operation.as_strategy(), token=st.sampled_from(tokens))
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Case, token: str) -> None:  # type: ignore[type-arg]
        response = case.call(headers={"X-API-Key": token})
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} {case.query} -> "
                f"{response.status_code}: {response.text[:300]}"
            )

    call()


@pytest.mark.parametrize("path", ["/openapi.json", "/docs"])
def test_the_documentation_is_served(
    embedded_store: GraphStore, settings: Settings, path: str
) -> None:
    with TestClient(create_app(settings, embedded_store)) as client:
        assert client.get(path).status_code == 200
