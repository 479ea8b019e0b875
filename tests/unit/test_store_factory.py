"""Which buffer pool the embedded store is opened with: ingest gets its own, bounded one."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.config import Settings
from graph.embedded_store import EmbeddedStore
from graph.factory import open_store
from tests.conftest import TEST_KEY


def _settings(tmp_path: Path, general: int, ingest: int) -> Settings:
    return Settings(
        environment="test",
        store="embedded",
        embedded_path=tmp_path / "graph.lbdb",
        embedded_buffer_pool_mb=general,
        ingest_buffer_pool_mb=ingest,
        id_hash_key=TEST_KEY,
        quarantine_dir=tmp_path / "quarantine",
    )


@pytest.mark.parametrize(
    ("general", "ingest", "for_ingest", "expected"),
    [
        (4096, 2048, False, 4096),  # detection, the API: the general pool
        (4096, 2048, True, 2048),  # a load: the ingest's pool
        (512, 2048, True, 512),  # never more than a general pool bounded smaller
        (0, 2048, True, 2048),  # the engine's own choice is not a bound for a load
        (4096, 0, True, 4096),  # 0: the general pool
    ],
)
def test_ingest_opens_the_embedded_store_with_its_own_pool(
    tmp_path: Path, general: int, ingest: int, for_ingest: bool, expected: int
) -> None:
    store = open_store(_settings(tmp_path, general, ingest), for_ingest=for_ingest)
    try:
        assert isinstance(store, EmbeddedStore)
        assert store.buffer_pool_mb == expected
    finally:
        store.close()
