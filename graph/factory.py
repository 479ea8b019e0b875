"""Pick and open the store the settings name."""

from __future__ import annotations

from graph.config import Settings
from graph.faults import install_faults
from graph.store import GraphStore

__all__ = ["open_store"]


def open_store(settings: Settings, *, create_schema: bool = True) -> GraphStore:
    """Open the configured store (embedded by default), creating its schema if asked."""
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

        store = EmbeddedStore(
            settings.embedded_path, buffer_pool_mb=settings.embedded_buffer_pool_mb
        )
    if create_schema:
        store.create_schema()
    return install_faults(store)
