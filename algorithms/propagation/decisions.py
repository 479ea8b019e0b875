"""Decisions written whole: a listing, its restrictions and its feed events, or nothing.

:mod:`algorithms.propagation.service` writes a decision in steps (the ``Listing`` node and
its ``LISTED`` edge, then the restriction versions, ``RESTRICTS`` edges and
``ChangeEvent`` rows). Killed between them, a server left a listing with no restrictions
and no feed events, and nothing repaired it. Every entry point that records a decision
(the API, the CLI, ring confirmation, brand repeat-infringer listings) calls these
wrappers instead, which run the whole operation in one store transaction: the store's
transactions nest (an inner ``transaction()`` joins the outer one), so the service's own
steps and the seq numbers it reads all commit together or not at all. After a crash the
store's own recovery (LadybugDB's WAL, Neo4j's transaction log) leaves either the state
before the call or the state after it; the feed has no gap and no duplicate, and the
client's retry (or the CLI run again) gives the state a clean run gives.

The wrappers take the same arguments as the service functions they wrap, so the service
can change how it computes (bounded neighbourhoods, batches) without touching them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from algorithms.propagation import service
from algorithms.propagation.engine import Listing
from algorithms.propagation.service import PropagationReport
from graph.faults import fault_point
from graph.store import GraphStore

__all__ = ["add_listing", "atomically", "remove_listing", "repair_listing"]


def atomically(store: GraphStore, action: Any, *args: Any, **kwargs: Any) -> Any:
    """``action(store, *args, **kwargs)`` inside one store transaction."""
    with store.transaction():
        result = action(store, *args, **kwargs)
        fault_point("decision_written")
    return result


def add_listing(
    store: GraphStore, listing: Listing, *args: Any, **kwargs: Any
) -> PropagationReport:
    """:func:`service.add_listing <algorithms.propagation.service.add_listing>`, whole."""
    report: PropagationReport = atomically(store, service.add_listing, listing, *args, **kwargs)
    return report


def remove_listing(
    store: GraphStore, listing_uid: str, on: date, *args: Any, **kwargs: Any
) -> PropagationReport:
    """:func:`service.remove_listing <algorithms.propagation.service.remove_listing>`, whole."""
    report: PropagationReport = atomically(
        store, service.remove_listing, listing_uid, on, *args, **kwargs
    )
    return report


def repair_listing(
    store: GraphStore, listing_uid: str, on: date, *args: Any, **kwargs: Any
) -> PropagationReport:
    """:func:`service.repair_listing <algorithms.propagation.service.repair_listing>`, whole."""
    report: PropagationReport = atomically(
        store, service.repair_listing, listing_uid, on, *args, **kwargs
    )
    return report
