"""Named, parameterised Cypher: one query per ``.cypher`` file.

A query shared by both stores lives at ``queries/NAME.cypher``; where LadybugDB and Neo4j
differ, ``queries/ladybug/NAME.cypher`` or ``queries/neo4j/NAME.cypher`` takes precedence.
Some files are templates whose ``{label}``-style slots are filled only with names taken
from ``graph.schema`` (never with user input); values always travel as ``$parameters``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graph.errors import NotFound

__all__ = ["QUERY_DIR", "load_query"]

QUERY_DIR = Path(__file__).resolve().parent


@cache
def load_query(name: str, dialect: str) -> str:
    """The text of query ``name`` for ``dialect`` (``ladybug`` or ``neo4j``)."""
    if ".." in name or name.startswith("/"):
        raise NotFound(f"no query named {name!r}")
    for candidate in (QUERY_DIR / dialect / f"{name}.cypher", QUERY_DIR / f"{name}.cypher"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise NotFound(f"no query named {name!r} for dialect {dialect!r}")
