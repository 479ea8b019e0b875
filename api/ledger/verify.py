"""Check a decision's inclusion proof against a signed tree head, without our database.

This module stands alone: it imports only the standard library and ``cryptography`` (for
Ed25519), so a platform or another bureau can copy this one file and run::

    python verify.py proof.json --public-key <base64 of the 32-byte Ed25519 key>

The algorithm (docs/decision-log.md says the same in prose, for other languages):

1. The entry's bytes are the UTF-8 text in ``proof["entry"]`` exactly as given.
2. Leaf hash = SHA-256(0x00 || entry bytes); a node = SHA-256(0x01 || left || right)
   (RFC 6962 section 2.1).
3. The audit path folds the leaf hash up to a root (RFC 9162 section 2.1.3.2); it must
   equal the tree head's ``root_hash``.
4. The tree head signature is Ed25519 over RFC 6962's ``TreeHeadSignature`` structure:
   version 0 (1 byte), signature type 1 (tree_hash, 1 byte), timestamp in milliseconds
   (8 bytes, big-endian), tree size (8 bytes, big-endian), root hash (32 bytes).
5. The key that signed must be the key the verifier trusts (pinned, or read from a head
   a witness holds): a proof that carries its own key proves nothing by itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import sys
from collections.abc import Sequence
from typing import Any

__all__ = [
    "consistency_root_pair",
    "key_id",
    "leaf_hash",
    "node_hash",
    "root_from_inclusion",
    "tree_head_message",
    "verify_consistency",
    "verify_inclusion",
    "verify_proof",
    "verify_tree_head",
]


def leaf_hash(entry: bytes) -> bytes:
    """RFC 6962 leaf hash: SHA-256(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def key_id(public_key: bytes) -> str:
    """A key's id: hex SHA-256 of its raw 32 bytes (CT's LogID)."""
    return hashlib.sha256(public_key).hexdigest()


def tree_head_message(timestamp_ms: int, tree_size: int, root: bytes) -> bytes:
    """The bytes a tree head signature covers (RFC 6962 section 3.5 ``TreeHeadSignature``)."""
    return struct.pack(">BBQQ", 0, 1, timestamp_ms, tree_size) + root


def root_from_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, path: Sequence[bytes]
) -> bytes | None:
    """The root ``path`` leads to from ``leaf`` at ``leaf_index``, None if it cannot fit.

    RFC 9162 section 2.1.3.2, steps 1-4.
    """
    if not 0 <= leaf_index < tree_size:
        return None
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``path`` proves ``leaf`` is leaf ``leaf_index`` of the tree with ``root``."""
    return root_from_inclusion(leaf_index, tree_size, leaf, path) == root


def consistency_root_pair(
    first: int, second: int, first_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes] | None:
    """The (old, new) roots a consistency proof leads to, None if it cannot fit.

    RFC 9162 section 2.1.4.2. ``first == second`` needs an empty proof; ``first == 0``
    (the empty tree is a prefix of every tree) too.
    """
    if first == second or first == 0:
        return (first_root, first_root) if not proof and first <= second else None
    if not 0 < first < second or not proof:
        return None
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: the old root is itself a node
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return (fr, sr) if sn == 0 else None


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether the tree of ``second`` leaves extends the tree of ``first`` leaves."""
    if first == 0:
        return not proof
    pair = consistency_root_pair(first, second, first_root, proof)
    return pair is not None and pair == (first_root, second_root)


def verify_tree_head(head: dict[str, Any], public_key: bytes) -> bool:
    """Whether ``head`` (``tree_size``, ``timestamp``, ``root_hash``, ``signature``) is
    signed by ``public_key`` (32 raw bytes)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        message = tree_head_message(
            int(head["timestamp"]), int(head["tree_size"]), bytes.fromhex(head["root_hash"])
        )
        signature = base64.b64decode(head["signature"], validate=True)
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, KeyError, ValueError, TypeError):
        return False
    return True


def verify_proof(proof: dict[str, Any], public_key: bytes) -> bool:
    """Whether an inclusion proof (``credgraph audit proof``) holds under ``public_key``.

    Checks the entry's leaf hash, the audit path up to the tree head's root, and the tree
    head's signature; the entry's own ``seq`` must be its leaf index + 1.
    """
    try:
        text = proof["entry"]
        entry = json.loads(text)
        index = int(proof["leaf_index"])
        head = proof["tree_head"]
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        leaf = leaf_hash(text.encode("utf-8"))
        if entry.get("seq") != index + 1:
            return False
        if "leaf_hash" in proof and proof["leaf_hash"] != leaf.hex():
            return False
        root = bytes.fromhex(head["root_hash"])
        size = int(head["tree_size"])
    except (KeyError, ValueError, TypeError, AttributeError):
        return False
    return verify_inclusion(index, size, leaf, path, root) and verify_tree_head(head, public_key)


def main(argv: Sequence[str] | None = None) -> int:
    """``python verify.py PROOF.json --public-key BASE64``: exit 0 when the proof holds."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("proof", help="the JSON file `credgraph audit proof` printed")
    parser.add_argument(
        "--public-key", required=True, help="the log's Ed25519 public key (base64, 32 bytes)"
    )
    args = parser.parse_args(argv)
    with open(args.proof, encoding="utf-8") as f:
        document = json.load(f)
    proofs = document if isinstance(document, list) else [document]
    key = base64.b64decode(args.public_key)
    good = all(verify_proof(p, key) for p in proofs)
    print("valid" if good else "INVALID")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
