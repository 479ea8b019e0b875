"""Find an entity from what a person types: a uid, a USCC, an id number or a store id."""

from __future__ import annotations

import contextlib

from graph.errors import InvalidInput, NotFound
from graph.identity import business_uid, person_uid
from graph.model import Node
from graph.schema import label_of_uid
from graph.store import GraphStore

__all__ = ["candidate_uids", "resolve_entity"]


def candidate_uids(text: str, id_hash_key: str) -> list[str]:
    """The uids ``text`` could name, most specific first."""
    value = text.strip()
    if not value:
        raise InvalidInput("an identifier is required", field="id")
    candidates: list[str] = []
    if label_of_uid(value) is not None:
        candidates.append(value)
    with contextlib.suppress(InvalidInput):
        candidates.append(business_uid(value))
    if ":" in value:
        candidates.append(f"store:{value}")
    else:
        candidates.append(person_uid(value, id_hash_key))
    return list(dict.fromkeys(candidates))


def resolve_entity(store: GraphStore, text: str, id_hash_key: str) -> Node:
    """The node ``text`` names; NotFound when none of its readings exists."""
    candidates = candidate_uids(text, id_hash_key)
    found = store.get_nodes(candidates)
    if not found:
        raise NotFound(f"no business, person, store or uid matches {text!r}")
    return found[0]
