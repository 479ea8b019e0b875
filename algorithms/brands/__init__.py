"""Brand protection (品牌保护): infringement links, repeat infringers, complainant reputation.

``core`` is pure (rows in, scores out); ``service`` runs the queries through the store port,
scoped to a rights holder's own brands. The core's public names are re-exported here.
"""

from algorithms.brands.core import *  # noqa: F403
from algorithms.brands.core import __all__ as __all__
