"""Regional overview (监管态势): counts of listings, violations, restrictions, rings and
shell clusters by region and month, with the entities behind each count.

``core`` is pure (records in, a table of counts out); ``service`` reads the records through
the store port.
"""

from algorithms.overview.core import *  # noqa: F403
from algorithms.overview.core import __all__ as __all__
