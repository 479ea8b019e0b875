"""Brushing scores of accounts and stores through the store port: written, listed, read.

A detection run (:func:`algorithms.brushing.service.detect`) scores every account and store
with orders (:func:`algorithms.brushing.scores.score_entities`) and writes, on the ``Account``
and ``Store`` nodes themselves, ``brushing_score`` (calibrated, 0-1), ``brushing_reasons`` (a
JSON list of ``{"code", "params", "weight"}``), ``brushing_run`` and ``brushing_scored``
(:data:`graph.schema.BRUSHING_SCORE`).  A re-run overwrites them.  Reads come back as
:class:`EntityScore` with every reason written out in Chinese and English through
:func:`graph.render.reason_text`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from algorithms.brushing.scores import EntityScores, Reason
from graph.errors import InvalidInput, NotFound
from graph.paging import decode_cursor, encode_cursor
from graph.render import reason_text
from graph.schema import label_of_uid
from graph.store import GraphStore

__all__ = [
    "EntityScore",
    "Kind",
    "ScorePage",
    "ScoreReason",
    "entity_score",
    "list_scores",
    "score_rows",
    "scores_of",
]

Kind = Literal["account", "store"]
_LABEL: dict[Kind, str] = {"account": "Account", "store": "Store"}


class ScoreReason(BaseModel):
    """One reason behind a score: its code and figures, and the sentence in both languages."""

    model_config = ConfigDict(frozen=True)

    code: str
    params: dict[str, Any]
    weight: float
    text_zh: str
    text_en: str


class EntityScore(BaseModel):
    """An account's or store's brushing score (0-1; about 0.9 precision at 0.9) and reasons."""

    model_config = ConfigDict(frozen=True)

    uid: str
    kind: Kind
    name: str | None = None
    score: float
    reasons: tuple[ScoreReason, ...]
    detection_run: str | None = None


class ScorePage(BaseModel):
    """One page of scores and the cursor of the next (None on the last page)."""

    model_config = ConfigDict(frozen=True)

    items: list[EntityScore]
    next: str | None = None


def _reason_json(reason: Reason) -> dict[str, Any]:
    return {"code": reason.code, "params": reason.params, "weight": reason.weight}


def score_rows(
    scores: EntityScores,
    uids: npt.NDArray[np.object_],
    run: str,
    moment: datetime,
    *,
    batch: int = 50_000,
) -> Iterator[list[dict[str, Any]]]:
    """Property rows for ``set_node_properties``, one per entity with orders, ``batch`` at a
    time (reasons are worked out per batch, so a million accounts never sit in memory as rows)."""
    scored = np.flatnonzero(scores.has_orders)
    for start in range(0, scored.size, batch):
        yield [
            {
                "uid": str(uids[k]),
                "brushing_score": round(float(scores.score[k]), 4),
                "brushing_reasons": json.dumps(
                    [_reason_json(r) for r in scores.reasons[k]], ensure_ascii=False
                ),
                "brushing_run": run,
                "brushing_scored": moment,
            }
            for k in scored[start : start + batch].tolist()
        ]


def _reasons(text: str | None) -> tuple[ScoreReason, ...]:
    out = []
    for item in json.loads(text or "[]"):
        params = dict(item.get("params") or {})
        code = str(item["code"])
        out.append(
            ScoreReason(
                code=code,
                params=params,
                weight=float(item.get("weight") or 0.0),
                text_zh=reason_text(code, params, "zh"),
                text_en=reason_text(code, params, "en"),
            )
        )
    return tuple(out)


def _entity(row: Mapping[str, Any], kind: Kind) -> EntityScore:
    return EntityScore(
        uid=row["uid"],
        kind=kind,
        name=row.get("name"),
        score=float(row["score"] or 0.0),
        reasons=_reasons(row.get("reasons")),
        detection_run=row.get("run"),
    )


def list_scores(
    store: GraphStore,
    kind: Kind,
    *,
    limit: int = 50,
    cursor: str | None = None,
    min_score: float = 0.0,
) -> ScorePage:
    """Accounts (or stores) by brushing score, highest first (ties by uid); one page of
    ``limit`` from ``cursor`` (the ``next`` of the previous page; None for the first).

    Raises
    ------
    InvalidInput
        If ``kind`` is unknown, ``limit`` or ``min_score`` is out of range, or ``cursor`` is
        not one this list issued.
    """
    if kind not in _LABEL:
        raise InvalidInput(f"unknown kind {kind!r}; use account or store", field="kind")
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be 1..1000", field="limit")
    if not 0.0 <= min_score <= 1.0:
        raise InvalidInput("min_score must lie in 0..1", field="min_score")
    name = f"{kind}_scores"
    after = (0.0, "") if cursor is None else decode_cursor(name, cursor, (float, str))
    rows = store.query(
        f"rings/{name}",
        {
            "min_score": min_score,
            "first": cursor is None,
            "after_score": after[0],
            "after_uid": after[1],
            "limit": limit + 1,
        },
    )
    items = [_entity(row, kind) for row in rows[:limit]]
    nxt = None
    if len(rows) > limit:
        last = rows[limit - 1]
        nxt = encode_cursor(name, (float(last["score"]), str(last["uid"])))
    return ScorePage(items=items, next=nxt)


def scores_of(store: GraphStore, uids: Sequence[str]) -> list[EntityScore]:
    """The scores of these accounts and stores (uids without a score are left out)."""
    found: list[EntityScore] = []
    for kind, label in _LABEL.items():
        mine = [u for u in uids if label_of_uid(u) == label]
        if mine:
            rows = store.query(f"rings/{kind}_score", {"uids": mine})
            found += [_entity(r, kind) for r in rows if r["score"] is not None]
    order = {u: k for k, u in enumerate(uids)}
    return sorted(found, key=lambda e: order.get(e.uid, len(order)))


def entity_score(store: GraphStore, uid: str) -> EntityScore:
    """One account's or store's score and reasons.

    Raises
    ------
    InvalidInput
        The uid names neither an account nor a store.
    NotFound
        No such entity, or no detection run has scored it (it has no orders).
    """
    if label_of_uid(uid) not in _LABEL.values():
        raise InvalidInput(f"{uid!r} is neither an account nor a store uid", field="uid")
    found = scores_of(store, [uid])
    if not found:
        raise NotFound(f"no brushing score for {uid!r} (no such entity, or not scored yet)")
    return found[0]
