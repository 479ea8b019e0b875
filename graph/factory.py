"""Pick and open the store the settings name."""

from __future__ import annotations

from graph.config import Settings
from graph.faults import install_faults
from graph.store import GraphStore

__all__ = ["open_store"]


def open_store(
    settings: Settings, *, create_schema: bool = True, for_ingest: bool = False
) -> GraphStore:
    """Open the configured store (embedded by default), creating its schema if asked;
    ``for_ingest`` gives the embedded store the ingest's buffer pool
    (``ingest_buffer_pool_mb``, or the general one where that is smaller)."""
    store: GraphStore
    if settings.store == "neo4j":
        from graph.neo4j_store import Neo4jStore

        store = Neo4jStore(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
        )
    else:
        from graph.embedded_store import EmbeddedStore

        pool = settings.embedded_buffer_pool_mb
        if for_ingest and settings.ingest_buffer_pool_mb:
            # never more than the general pool a user bounded for a smaller machine
            pool = min(pool or settings.ingest_buffer_pool_mb, settings.ingest_buffer_pool_mb)
        store = EmbeddedStore(settings.embedded_path, buffer_pool_mb=pool)
    if create_schema:
        store.create_schema()
    return install_faults(store)
