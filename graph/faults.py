"""Crash points for fault-injection tests: ``CREDGRAPH_FAULT`` kills the process there.

The fault tests run the CLI or the API in a subprocess with, for example::

    CREDGRAPH_FAULT=after:upsert_nodes:Listing      # right after the listing is written
    CREDGRAPH_FAULT=after:upsert_nodes:Restriction  # restrictions written, feed not yet
    CREDGRAPH_FAULT=before:commit                   # everything written, not committed
    CREDGRAPH_FAULT=after:commit:2                  # after the second commit

and the process is killed with ``SIGKILL`` (no clean-up, no flush: what ``kill -9`` or a
power cut leaves) the ``n``-th time (default the first) the store reaches that point.
``point:<name>`` names a point a module marks with :func:`fault_point`. Without the
variable nothing is wrapped and nothing is checked (the store is returned untouched).
"""

from __future__ import annotations

import functools
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["FAULT_ENV", "fault_point", "install_faults"]

FAULT_ENV = "CREDGRAPH_FAULT"

_WRITES = ("upsert_nodes", "upsert_relationships", "set_node_properties", "query")
_seen: dict[str, int] = {}

S = TypeVar("S")


def _spec() -> tuple[str, int] | None:
    text = os.environ.get(FAULT_ENV, "").strip()
    if not text:
        return None
    head, _, tail = text.rpartition(":")
    if tail.isdigit() and head:
        return head, int(tail)
    return text, 1


def _reached(point: str) -> None:
    spec = _spec()
    if spec is None or spec[0] != point:
        return
    _seen[point] = _seen.get(point, 0) + 1
    if _seen[point] >= spec[1]:
        os.kill(os.getpid(), signal.SIGKILL)


def fault_point(name: str) -> None:
    """Die here when ``CREDGRAPH_FAULT=point:<name>`` (no-op otherwise)."""
    if os.environ.get(FAULT_ENV):
        _reached(f"point:{name}")


def install_faults(store: S) -> S:
    """Wrap ``store``'s writes and commits with crash points when ``CREDGRAPH_FAULT`` is set."""
    if _spec() is None:
        return store
    for name in _WRITES:
        method = getattr(store, name, None)
        if callable(method):
            setattr(store, name, _after(name, method))
    transaction = store.transaction  # type: ignore[attr-defined]

    depth = [0]

    @contextmanager
    def faulty_transaction() -> Iterator[None]:
        depth[0] += 1
        try:
            with transaction():
                yield
                if depth[0] == 1:
                    _reached("before:commit")
        finally:
            depth[0] -= 1
        if depth[0] == 0:
            _reached("after:commit")

    store.transaction = faulty_transaction  # type: ignore[attr-defined]
    return store


def _after(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _reached(f"before:{name}:{args[0]}" if args else f"before:{name}")
        result = method(*args, **kwargs)
        _reached(f"after:{name}:{args[0]}" if args else f"after:{name}")
        _reached(f"after:{name}")
        return result

    return wrapped
