"""Shared response builders and paging helpers for routers (not a router itself)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.schemas import EdgeOut, EntityOut
from graph.model import Edge, Node
from graph.render import node_name

__all__ = ["HIDDEN_PROPS", "edge_out", "entity_out", "next_link"]

#: Properties that never leave the server (the keyed hash of an id number).
HIDDEN_PROPS = frozenset({"id_hash"})


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def entity_out(node: Node) -> EntityOut:
    """A node for officers: every property except hidden ones, values as JSON scalars."""
    props = {k: _plain(v) for k, v in node.props.items() if k not in HIDDEN_PROPS}
    return EntityOut(uid=node.uid, label=node.label, name=node_name(node) or None, props=props)


def edge_out(edge: Edge) -> EdgeOut:
    """A relationship with JSON-scalar properties."""
    return EdgeOut(
        rid=edge.rid,
        type=edge.type,
        src=edge.src,
        dst=edge.dst,
        props={k: _plain(v) for k, v in edge.props.items()},
    )


def next_link(request: Request, **params: Any) -> str:
    """This request's path and query with ``params`` replaced: the ``next`` of a page."""
    url = request.url.include_query_params(**params)
    return f"{url.path}?{url.query}"
