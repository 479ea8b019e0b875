"""Risk early-warning near watched entities (周边风险): which watches a change reaches.

``core`` is pure (a neighbourhood and the watches in, alerts with their paths out);
``service`` reads the bounded neighbourhood of each change through the store port.
"""

from algorithms.alerts.core import *  # noqa: F403
from algorithms.alerts.core import __all__ as __all__
