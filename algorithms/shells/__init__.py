"""Suspected shell-company (空壳公司) clusters from shared identifiers.

``core`` is pure (incidence arrays in, scored clusters out); ``service`` reads the projection
through the store port and writes clusters back; ``gds`` runs the linking inside Neo4j with the
Graph Data Science library, with the same answers. The core's public names are re-exported here.
"""

from algorithms.shells.core import *  # noqa: F403
from algorithms.shells.core import __all__ as __all__
