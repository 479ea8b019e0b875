"""Find an entity from what a person types: a uid, a USCC, an id number or a store id."""

from __future__ import annotations

import contextlib

from graph.errors import InvalidInput, NotFound
from graph.identity import business_uid, hash_person_id, normalise_uid, person_uid, store_uid
from graph.model import Node
from graph.normalise import clean_identifier, compact_identifier
from graph.schema import label_of_uid
from graph.store import GraphStore

__all__ = ["candidate_uids", "resolve_entity"]


def candidate_uids(text: str, id_hash_key: str) -> list[str]:
    """The uids ``text`` could name, most specific first, each read the way ingest reads
    identifiers (:mod:`graph.normalise`).

    Raises
    ------
    InvalidInput
        When ``text`` is empty, or has the 18 characters of a USCC or resident id number
        (once spaces and dashes are dropped) and is neither.
    """
    value = clean_identifier(text)
    if not value:
        raise InvalidInput("an identifier is required", field="id")
    candidates: list[str] = []
    if label_of_uid(value) is not None:
        with contextlib.suppress(InvalidInput):
            candidates.append(normalise_uid(value))
    with contextlib.suppress(InvalidInput):
        candidates.append(business_uid(value))
    if ":" in value:
        with contextlib.suppress(InvalidInput):
            candidates.append(store_uid(value, "id"))
    else:
        compact = compact_identifier(value)
        if len(compact) == 18 and compact.isalnum() and not candidates:
            try:
                hash_person_id(compact, id_hash_key)
            except InvalidInput as exc:
                raise InvalidInput(
                    "18 characters but neither a valid USCC nor a valid resident id number",
                    field="id",
                ) from exc
        candidates.append(person_uid(value, id_hash_key))
    return list(dict.fromkeys(candidates))


def resolve_entity(store: GraphStore, text: str, id_hash_key: str) -> Node:
    """The node ``text`` names; NotFound when none of its readings exists."""
    candidates = candidate_uids(text, id_hash_key)
    found = store.get_nodes(candidates)
    if not found:
        raise NotFound("no business, person, store or uid matches this identifier")
    return found[0]
