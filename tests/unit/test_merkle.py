"""RFC 6962 trees and proofs, checked against a brute-force Merkle computation.

The brute force builds the tree level by level: adjacent nodes are paired left to right
and a lone last node is carried up unchanged, which is the RFC's tree for any size; its
audit path is read off the levels (the sibling at each level, none where a node was
carried). Proofs from :mod:`api.ledger.merkle` must equal it, fold to its root in the
standalone verifier, and stop verifying when any part of them is changed.
"""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from api.ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    tree_hash,
)
from api.ledger.verify import (
    leaf_hash,
    node_hash,
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)

entries = st.lists(st.binary(max_size=12), min_size=1, max_size=70)


def levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every level of the tree, leaves first, root last (brute force)."""
    out = [list(leaves)]
    while len(out[-1]) > 1:
        below = out[-1]
        above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        out.append(above)
    return out


def brute_root(leaves: list[bytes]) -> bytes:
    return levels(leaves)[-1][0] if leaves else hashlib.sha256(b"").digest()


def brute_path(leaves: list[bytes], index: int) -> list[bytes]:
    path = []
    for level in levels(leaves)[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        index //= 2
    return path


def hashes(data: list[bytes]) -> list[bytes]:
    return [leaf_hash(d) for d in data]


def flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


def test_the_empty_tree_and_one_leaf_follow_the_rfc() -> None:
    assert tree_hash([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert tree_hash([leaf_hash(b"a")]) == hashlib.sha256(b"\x00a").digest()
    two = hashlib.sha256(b"\x01" + leaf_hash(b"a") + leaf_hash(b"b")).digest()
    assert tree_hash(hashes([b"a", b"b"])) == two


@given(entries)
def test_tree_hash_and_frontier_equal_the_brute_force_root(data: list[bytes]) -> None:
    leaves = hashes(data)
    frontier = Frontier()
    for n, leaf in enumerate(leaves, 1):
        frontier.append(leaf)
        assert frontier.root() == brute_root(leaves[:n]) == tree_hash(leaves[:n])
    assert Frontier.from_json(frontier.to_json()) == frontier


@given(entries, st.data())
def test_an_inclusion_proof_is_the_brute_force_path_and_folds_to_the_root(
    data: list[bytes], draw: st.DataObject
) -> None:
    leaves = hashes(data)
    index = draw.draw(st.integers(0, len(leaves) - 1))
    path = inclusion_proof(leaves, index)
    assert path == brute_path(leaves, index)
    assert verify_inclusion(index, len(leaves), leaves[index], path, brute_root(leaves))


@given(entries, st.data())
def test_a_changed_inclusion_proof_does_not_verify(data: list[bytes], draw: st.DataObject) -> None:
    leaves = hashes(data)
    n = len(leaves)
    index = draw.draw(st.integers(0, n - 1))
    path = inclusion_proof(leaves, index)
    root = brute_root(leaves)
    assert not verify_inclusion(index, n, flip(leaves[index]), path, root)
    if path:
        k = draw.draw(st.integers(0, len(path) - 1))
        assert not verify_inclusion(
            index, n, leaves[index], [*path[:k], flip(path[k]), *path[k + 1 :]], root
        )
        assert not verify_inclusion(index, n, leaves[index], path[:-1], root)
    assert not verify_inclusion(index, n, leaves[index], [*path, root], root)
    other = draw.draw(st.integers(0, n - 1))
    if leaves[other] != leaves[index]:
        assert not verify_inclusion(other, n, leaves[index], path, root)
    assert root_from_inclusion(n, n, leaves[0], path) is None


@given(entries, st.data())
def test_a_consistency_proof_links_the_brute_force_roots_of_both_sizes(
    data: list[bytes], draw: st.DataObject
) -> None:
    leaves = hashes(data)
    n = len(leaves)
    m = draw.draw(st.integers(1, n))
    proof = consistency_proof(leaves, m)
    old, new = brute_root(leaves[:m]), brute_root(leaves)
    assert verify_consistency(m, n, old, new, proof)
    if m < n:
        assert not verify_consistency(m, n, flip(old), new, proof)
        assert not verify_consistency(m, n, old, flip(new), proof)
        k = draw.draw(st.integers(0, len(proof) - 1))
        assert not verify_consistency(m, n, old, new, [*proof[:k], flip(proof[k]), *proof[k + 1 :]])
        # A proof made over a history whose later part differs does not link the real roots.
        forged = [*leaves[:m], flip(leaves[m]), *leaves[m + 1 :]]
        assert not verify_consistency(m, n, old, new, consistency_proof(forged, m))
    else:
        assert proof == []


def test_consistency_from_the_empty_tree_needs_no_proof() -> None:
    leaves = hashes([b"a", b"b", b"c"])
    assert consistency_proof(leaves, 0) == []
    assert verify_consistency(0, 3, EMPTY_ROOT, tree_hash(leaves), [])
