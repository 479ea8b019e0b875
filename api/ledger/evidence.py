"""Evidence files, stored by content: ``<evidence_dir>/sha256/<first two hex>/<digest>``.

A file is written to a temporary name while it is hashed and counted, refused once it
passes the size limit, then renamed to its digest (read-only); the same bytes twice are
kept once. Who added a file to which violation or report, and when, is not kept here but
in the decision log (an ``evidence.added`` entry with the digest), so the file's digest
is covered by a signed tree head and ``credgraph audit verify`` re-hashes every file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from graph.errors import InvalidInput, NotFound

__all__ = ["EvidenceStore", "EvidenceTooLarge", "StoredFile", "is_digest"]

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
#: Violations and infringement reports carry evidence.
TARGET_PREFIXES = ("violation:", "report:")


def is_digest(text: str) -> bool:
    """Whether ``text`` is a lower-case hex SHA-256."""
    return bool(_DIGEST.match(text))


class EvidenceTooLarge(InvalidInput):
    """A file over the configured limit (``CREDGRAPH_EVIDENCE_MAX_BYTES``)."""


@dataclass(frozen=True)
class StoredFile:
    """A stored file: its digest, size and where it is."""

    sha256: str
    size: int
    path: Path
    new: bool


class EvidenceStore:
    """Content-addressed files under ``root``, each at most ``max_bytes``."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path_of(self, digest: str) -> Path:
        """Where the file with ``digest`` is (or would be) kept."""
        if not is_digest(digest):
            raise InvalidInput(f"{digest!r} is not a SHA-256 digest (64 hex)", field="sha256")
        return self.root / "sha256" / digest[:2] / digest

    def put(self, chunks: Iterable[bytes], *, name: str = "upload") -> StoredFile:
        """Store the bytes ``chunks`` yields; EvidenceTooLarge past the limit."""
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise EvidenceTooLarge(
                            f"{name}: evidence files are limited to {self.max_bytes:,} bytes",
                            file=name,
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            hexdigest = digest.hexdigest()
            final = self.path_of(hexdigest)
            if final.is_file():
                return StoredFile(hexdigest, size, final, new=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, 0o440)
            os.replace(tmp, final)
            return StoredFile(hexdigest, size, final, new=True)
        finally:
            tmp.unlink(missing_ok=True)

    def put_file(self, path: Path) -> StoredFile:
        """Store a file from disk."""
        if not path.is_file():
            raise NotFound(f"{path}: no such file")
        if path.stat().st_size > self.max_bytes:
            raise EvidenceTooLarge(
                f"{path}: evidence files are limited to {self.max_bytes:,} bytes", file=str(path)
            )

        def chunks() -> Iterable[bytes]:
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    yield chunk

        return self.put(chunks(), name=str(path))

    def get(self, digest: str) -> Path:
        """The stored file with ``digest``; NotFound when it is not here."""
        path = self.path_of(digest)
        if not path.is_file():
            raise NotFound(f"no evidence file with digest {digest}")
        return path
