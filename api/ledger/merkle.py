"""RFC 6962 Merkle trees: the tree hash, inclusion and consistency proofs, a frontier.

The tree over leaf hashes ``D[0:n]`` is the RFC's (section 2.1): for ``n > 1`` split at
``k``, the largest power of two smaller than ``n``; the left part is a perfect tree of
``k`` leaves, the right part the tree of the remaining ``n - k``. Proofs are the RFC's
``PATH`` (2.1.1) and ``PROOF``/``SUBPROOF`` (2.1.2), computed over the leaf hashes in one
pass each (every node hashed once). :class:`Frontier` keeps the perfect subtrees' roots
(one per set bit of ``n``), so appending is O(log n) and the root is their right fold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from api.ledger.verify import node_hash

__all__ = ["EMPTY_ROOT", "Frontier", "consistency_proof", "inclusion_proof", "split", "tree_hash"]

#: The root of the empty tree: SHA-256 of nothing.
EMPTY_ROOT = hashlib.sha256(b"").digest()


def split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def tree_hash(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes (already ``SHA-256(0x00 || entry)``)."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = split(n)
    return node_hash(tree_hash(leaves[:k]), tree_hash(leaves[k:]))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]): the sibling hashes from leaf ``index`` up to the root."""
    n = len(leaves)
    if not 0 <= index < n:
        raise IndexError(f"leaf {index} is not in a tree of {n}")
    if n == 1:
        return []
    k = split(n)
    if index < k:
        return [*inclusion_proof(leaves[:k], index), tree_hash(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), tree_hash(leaves[:k])]


def consistency_proof(leaves: Sequence[bytes], first: int) -> list[bytes]:
    """PROOF(first, D[n]): that the tree of the first ``first`` leaves is a prefix."""
    n = len(leaves)
    if not 0 <= first <= n:
        raise IndexError(f"a tree of {n} has no prefix of {first}")
    if first in (0, n):
        return []
    return _subproof(leaves, first, complete=True)


def _subproof(leaves: Sequence[bytes], m: int, *, complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [tree_hash(leaves)]
    k = split(n)
    if m <= k:
        return [*_subproof(leaves[:k], m, complete=complete), tree_hash(leaves[k:])]
    return [*_subproof(leaves[k:], m - k, complete=False), tree_hash(leaves[:k])]


@dataclass
class Frontier:
    """The roots of the perfect subtrees a tree of ``size`` leaves splits into, largest
    first, with their heights: what appending and the root need."""

    size: int = 0
    peaks: list[tuple[int, bytes]] = field(default_factory=list)

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash."""
        self.peaks.append((0, leaf))
        self.size += 1
        while len(self.peaks) >= 2 and self.peaks[-1][0] == self.peaks[-2][0]:
            (height, right), (_, left) = self.peaks.pop(), self.peaks.pop()
            self.peaks.append((height + 1, node_hash(left, right)))

    def root(self) -> bytes:
        """MTH of the leaves so far: the peaks folded from the right."""
        if not self.peaks:
            return EMPTY_ROOT
        root = self.peaks[-1][1]
        for _, peak in reversed(self.peaks[:-1]):
            root = node_hash(peak, root)
        return root

    def to_json(self) -> list[list[int | str]]:
        """The peaks as ``[[height, hex], ...]`` (a cache beside a tree head)."""
        return [[h, p.hex()] for h, p in self.peaks]

    @classmethod
    def from_json(cls, data: Sequence[Sequence[int | str]]) -> Frontier:
        """The inverse of :meth:`to_json`."""
        peaks = [(int(h), bytes.fromhex(str(p))) for h, p in data]
        return cls(sum(1 << h for h, _ in peaks), peaks)
