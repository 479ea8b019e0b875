"""Fuzzy name search for officers: substring and character-bigram similarity (not a router).

Chinese names have no word boundaries and are often mistyped by one character (星辰/星晨),
so names are compared as sets of character bigrams (Dice coefficient), with a bonus for a
contiguous substring match. Names of businesses, people and stores are held in memory as
an inverted bigram index, built from the store on first use and rebuilt after
``ttl_seconds`` (or when the API writes to the graph).
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from graph.store import GraphStore

__all__ = ["NameIndex", "NameIndexCache", "bigrams", "normalise_name"]

SEARCHABLE = ("Business", "Person", "Store")
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise_name(text: str) -> str:
    """NFKC (full-width to half-width), lower case, no spaces or punctuation."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text).lower())


def bigrams(text: str) -> set[str]:
    """Character bigrams of a normalised name (a single character stands for itself)."""
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass(frozen=True)
class Hit:
    """A ranked name match."""

    uid: str
    label: str
    name: str
    score: float


class NameIndex:
    """An inverted bigram index over ``(uid, label, name)`` entries."""

    #: Bigrams found in more than this fraction of names ("有限", "公司") do not pick
    #: candidates on their own; they still count in the score.
    stop_fraction = 0.05

    def __init__(self, entries: Sequence[tuple[str, str, str]]) -> None:
        self.uids = [e[0] for e in entries]
        self.labels = [e[1] for e in entries]
        self.names = [e[2] for e in entries]
        self.norm = [normalise_name(n) for n in self.names]
        self.sizes = np.array([len(bigrams(n)) for n in self.norm], dtype=np.float64)
        postings: dict[str, list[int]] = {}
        for i, name in enumerate(self.norm):
            for gram in bigrams(name):
                postings.setdefault(gram, []).append(i)
        self.postings = {g: np.array(p, dtype=np.int64) for g, p in postings.items()}
        self.built = time.monotonic()

    def __len__(self) -> int:
        return len(self.uids)

    def search(self, text: str, labels: Sequence[str] | None = None, limit: int = 20) -> list[Hit]:
        """The best ``limit`` matches, best first (score in 0..1)."""
        query = normalise_name(text)
        grams = bigrams(query)
        if not grams:
            return []
        lists = [self.postings[g] for g in grams if g in self.postings]
        if not lists:
            return []
        cap = max(1, int(self.stop_fraction * len(self)))
        picking = [p for p in lists if len(p) <= cap] or [min(lists, key=len)]
        candidates = np.unique(np.concatenate(picking))
        shared = np.zeros(len(candidates), dtype=np.float64)
        for plist in lists:  # postings are sorted: a binary search per candidate
            pos = np.minimum(np.searchsorted(plist, candidates), len(plist) - 1)
            shared += plist[pos] == candidates
        dice: npt.NDArray[np.float64] = 2 * shared / (len(grams) + self.sizes[candidates])
        hits: list[Hit] = []
        wanted = set(labels) if labels else None
        order = np.argsort(-dice, kind="stable")[: max(limit * 4, 200)]
        for k in order:
            i = int(candidates[k])
            if wanted is not None and self.labels[i] not in wanted:
                continue
            score = float(dice[k])
            name = self.norm[i]
            if query in name:
                score = max(score, 0.5 + 0.5 * len(query) / len(name))
            hits.append(Hit(self.uids[i], self.labels[i], self.names[i], round(score, 4)))
        hits.sort(key=lambda h: (-h.score, h.name, h.uid))
        return hits[:limit]


class NameIndexCache:
    """The index for one store, rebuilt after ``ttl_seconds`` or :meth:`invalidate`."""

    def __init__(self, ttl_seconds: float = 300.0) -> None:
        self.ttl_seconds = ttl_seconds
        self._index: NameIndex | None = None
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Rebuild on next use (the API changed names)."""
        self._index = None

    def get(self, store: GraphStore) -> NameIndex:
        """The current index, building it if absent or stale (one builder at a time)."""
        index = self._index
        if index is not None and time.monotonic() - index.built < self.ttl_seconds:
            return index
        with self._lock:
            index = self._index
            if index is None or time.monotonic() - index.built >= self.ttl_seconds:
                index = self._index = self._build(store)
        return index

    @staticmethod
    def _build(store: GraphStore) -> NameIndex:
        projection = store.project([], node_props=["name"], node_labels=list(SEARCHABLE))
        names = projection.node_props.get("name")
        entries = [
            (str(uid), str(label), str(name))
            for uid, label, name in zip(
                projection.uids,
                projection.labels,
                names if names is not None else [None] * projection.n_nodes,
                strict=True,
            )
            if name
        ]
        return NameIndex(entries)
