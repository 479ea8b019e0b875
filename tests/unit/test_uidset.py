"""Ingest's set of hashed keys: a lookup answers as a set of the keys would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ingest.uidset import HashSet, hash_keys, member, sorted_unique

keys = st.lists(st.text(max_size=6), max_size=40)


@given(stored=keys, asked=keys)
def test_member_answers_as_a_set_whatever_order_the_hashes_come_in(
    stored: list[str], asked: list[str]
) -> None:
    run = sorted_unique(hash_keys(stored))
    assert member(run, hash_keys(asked)).tolist() == [key in set(stored) for key in asked]


@given(chunks=st.lists(keys, max_size=8), asked=keys)
def test_a_set_grown_chunk_by_chunk_holds_every_key_added(
    chunks: list[list[str]], asked: list[str]
) -> None:
    added = HashSet()
    for chunk in chunks:
        added.add(hash_keys(chunk))
    every = {key for chunk in chunks for key in chunk}
    assert added.contains(hash_keys(asked)).tolist() == [key in every for key in asked]
