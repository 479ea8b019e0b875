"""The console's alert inbox: an officer's alerts with names and the path in words.

``GET /v1/alerts`` gives uids, codes and relationship types; the inbox needs what an
officer reads: the watched and the changed entity by name (a person by name or masked id
number, never the hashed uid), the list, measure and rule in both languages, and the path
written with :func:`graph.render.path_text`. Each relationship of the path is read once
more (one hop from its first entity) to write it in its own direction. Acknowledging,
assigning and closing go through the public ``POST /v1/alerts/{id}``; watching through
``POST /v1/watches``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from algorithms.propagation.rules import default_rules
from api.alert_feed import Alert
from api.alerts import AlertStore
from api.deps import ApiState, OfficerKey, StateDep
from graph.errors import NotFound
from graph.render import Link, display_name, path_text
from graph.schema import REL_BY_TYPE, label_of_uid

__all__ = ["InboxItem", "InboxOut", "router"]

router = APIRouter(tags=["console"])

#: Nodes read around one path step to find the relationship's direction.
_STEP_NODES = 2_000


class InboxItem(BaseModel):
    """An alert as the inbox shows it."""

    id: int
    severity: str
    status: str
    assignee: str | None
    note: str | None
    created: str
    updated: str
    kind: str
    distance: int
    watched: str
    watched_name: str
    subject: str
    subject_name: str
    list_type: str
    list_name_zh: str
    list_name_en: str
    measure: str
    measure_name_zh: str
    measure_name_en: str
    rule_id: str
    rule_zh: str | None
    rule_en: str | None
    path: list[str]
    path_zh: str
    path_en: str


class InboxOut(BaseModel):
    """One page of the inbox, newest first; ``before`` asks for the next page."""

    items: list[InboxItem]
    before: int | None


def _forward(state: ApiState, a: str, b: str, rel: str) -> bool:
    """Whether the ``rel`` between ``a`` and ``b`` points from ``a`` to ``b``."""
    try:
        around = state.store.neighbourhood(a, 1, [rel], max_nodes=_STEP_NODES)
    except NotFound:
        around = None
    for edge in around.edges if around is not None else ():
        if {edge.src, edge.dst} == {a, b}:
            return edge.src == a
    spec = REL_BY_TYPE.get(rel)  # not found (cut, or gone since): the schema's direction
    return spec is None or (label_of_uid(a), label_of_uid(b)) in spec.pairs


def _inbox(state: ApiState, key_id: str, status: str | None, before: int | None) -> InboxOut:
    alerts: AlertStore = state.extras["alerts"]
    found: list[Alert] = alerts.alerts(key_id, status=status, before=before, limit=50)
    uids = sorted({u for a in found for u in (*a.path, a.watched, a.subject)})
    names = {n.uid: display_name(n) for n in state.store.get_nodes(uids)}
    rules = default_rules()
    steps: dict[tuple[str, str, str], bool] = {}
    items = []
    for a in found:
        links = []
        for i, rel in enumerate(a.rel_types):
            step = (a.path[i], a.path[i + 1], rel)
            if step not in steps:
                steps[step] = _forward(state, *step)
            links.append(Link(rel_type=rel, rid="", forward=steps[step]))
        list_type = rules.list_type_by_id.get(a.list_type)
        measure = rules.measure_by_id.get(a.measure)
        rule = rules.rule_by_id.get(a.rule_id)
        items.append(
            InboxItem(
                id=a.id,
                severity=a.severity,
                status=a.status,
                assignee=a.assignee,
                note=a.note,
                created=a.created,
                updated=a.updated,
                kind=a.kind,
                distance=a.distance,
                watched=a.watched,
                watched_name=names.get(a.watched, a.watched),
                subject=a.subject,
                subject_name=names.get(a.subject, a.subject),
                list_type=a.list_type,
                list_name_zh=list_type.name_zh if list_type else a.list_type,
                list_name_en=list_type.name_en if list_type else a.list_type,
                measure=a.measure,
                measure_name_zh=measure.name_zh if measure else a.measure,
                measure_name_en=measure.name_en if measure else a.measure,
                rule_id=a.rule_id,
                rule_zh=(rule.description_zh or None) if rule else None,
                rule_en=(rule.description_en or None) if rule else None,
                path=list(a.path),
                path_zh=path_text(a.path, links, names, "zh"),
                path_en=path_text(a.path, links, names, "en"),
            )
        )
    return InboxOut(items=items, before=found[-1].id if len(found) == 50 else None)


@router.get("/api/alerts", response_model=InboxOut, summary="The officer's alert inbox")
async def inbox(
    key: OfficerKey,
    state: StateDep,
    status: Annotated[Literal["open", "acknowledged", "assigned", "closed"] | None, Query()] = None,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> InboxOut:
    """50 alerts a page, newest first, with names and the path in both languages."""
    return await run_in_threadpool(_inbox, state, key.key_id, status, before)
