"""The change feed's head: the highest sequence number committed.

Every writer of the feed numbers its events from the head (or past what an open batched run
reserved). Finding the head by ``max(seq)`` reads the whole feed on LadybugDB, which has no
ordered index (3-15 ms at 818k events, growing with the feed); the head is therefore kept
in one ``FeedHead`` node, moved in the transaction that commits the events (a batched run
moves it when it commits), and read by key. A store from before the head falls back to the
scan until its next write.
"""

from __future__ import annotations

from graph.store import GraphStore

__all__ = ["FEED_HEAD_UID", "advance_head", "feed_head"]

FEED_HEAD_UID = "feedhead:change"


def feed_head(store: GraphStore) -> int:
    """The highest seq committed to the feed (0 when it is empty)."""
    rows = store.query("punish/feed_head", {"uid": FEED_HEAD_UID})
    if rows and rows[0]["seq"] is not None:
        return int(rows[0]["seq"])
    rows = store.query("punish/last_change_seq")
    value = rows[0]["seq"] if rows else None
    return int(value) if value is not None else 0


def advance_head(store: GraphStore, seq: int) -> None:
    """Move the head to ``seq`` (call it inside the transaction that writes the events)."""
    store.upsert_nodes("FeedHead", [{"uid": FEED_HEAD_UID, "seq": seq}])
