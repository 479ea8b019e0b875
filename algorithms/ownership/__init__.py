"""Ownership penetration (股权穿透), beneficial owners and actual controllers (实际控制人).

``core`` is pure (a :class:`~graph.model.Projection` in, holdings and controllers out);
``service`` reads the projection through the store port and writes computed controllers back.
The core's public names are re-exported here.
"""

from algorithms.ownership.core import *  # noqa: F403
from algorithms.ownership.core import __all__ as __all__
