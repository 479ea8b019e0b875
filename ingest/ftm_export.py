"""Export the graph as FollowTheMoney entities (JSON lines), the interchange format of
OpenSanctions, Aleph and investigative newsrooms.

What becomes what (the FtM entity id is the CreditGraph uid, so a re-import lands on the
same nodes):

=========================================  =============================================
CreditGraph                                FollowTheMoney
=========================================  =============================================
Business                                   ``Company`` (registrationNumber = USCC or
                                           registry number, jurisdiction, address,
                                           phone, e-mail, incorporationDate, status)
Person                                     ``Person`` (name, phone, e-mail, address;
                                           **never** an id number: the uid is a keyed hash)
Store                                      ``UserAccount`` (service = platform,
                                           username = shop id, owner = its operator)
Address                                    ``Address`` (full)
SHAREHOLDER_OF                             ``Ownership`` (owner, asset, percentage)
LEGAL_REPRESENTATIVE_OF, DIRECTOR_OF,      ``Directorship`` (director, organization, role)
SUPERVISOR_OF, MANAGER_OF
ACTUAL_CONTROLLER_OF                       ``Control`` (controller, controlled)
REGISTRATION_AGENT_OF                      ``Representation`` (agent, client)
Listing                                    ``Sanction`` (programId = list type)
Restriction in force (current version)     ``Sanction`` (programId = ``credgraph:`` rule)
Violation                                  ``Sanction`` (programId = ``violation:`` kind)
=========================================  =============================================

Validity periods become ``startDate`` / ``endDate``; every entity names its ``publisher``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import IO, Any

import numpy as np
import orjson
from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.types import registry
from followthemoney.util import sanitize_text

from graph.model import Projection, as_date
from graph.store import GraphStore

__all__ = ["FTM_ROLES", "ExportSummary", "export_ftm", "ftm_entity", "ftm_id", "uid_of_ftm_id"]

#: Directorship roles as FtM ``role`` values, by relationship type.
FTM_ROLES: dict[str, str] = {
    "LEGAL_REPRESENTATIVE_OF": "legal representative",
    "DIRECTOR_OF": "director",
    "SUPERVISOR_OF": "supervisor",
    "MANAGER_OF": "manager",
}

_NODE_PROPS: dict[str, tuple[str, ...]] = {
    "Business": (
        "name",
        "uscc",
        "jurisdiction",
        "registry_no",
        "status",
        "established",
        "region",
        "address",
        "phone",
        "email",
    ),
    "Person": ("name", "region"),
    "Store": ("name", "platform", "shop_id", "status", "opened", "region"),
    "Address": ("text", "region"),
    "Listing": (
        "listing_id",
        "list_type",
        "subject_uid",
        "authority",
        "decided",
        "expires",
        "removed",
        "removal_reason",
        "legal_basis",
        "region",
    ),
    "Violation": ("violation_id", "kind", "authority", "decided", "penalty", "legal_basis"),
    "Restriction": (
        "subject_uid",
        "measure",
        "measure_name_zh",
        "rule_id",
        "listing_uid",
        "valid_from",
        "valid_to",
        "superseded_at",
        "legal_basis",
        "run_uid",
    ),
}


@dataclass
class ExportSummary:
    """What an export wrote: entities per FtM schema."""

    by_schema: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """Entities written."""
        return sum(self.by_schema.values())


#: One JSON object per line, keys sorted (the same entity always serialises the same way).
_JSON_LINE = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE

_SAFE_UID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z:\-]*[0-9A-Za-z]$")
_B32 = "cg-b32-"


def ftm_id(uid: str) -> str:
    """The FtM id of a CreditGraph uid (FtM ids allow letters, digits, ``.`` and ``-``):
    ``biz:91330106MA2AAAAA15`` becomes ``biz.91330106MA2AAAAA15``; a uid with other
    characters is base32-encoded behind ``cg-b32-``. :func:`uid_of_ftm_id` reverses it.

    >>> ftm_id("store:taobao:100234"), uid_of_ftm_id("store.taobao.100234")
    ('store.taobao.100234', 'store:taobao:100234')
    >>> uid_of_ftm_id(ftm_id("store:jd:a_b.c"))
    'store:jd:a_b.c'
    """
    if _SAFE_UID.match(uid):
        return uid.replace(":", ".")
    return _B32 + base64.b32encode(uid.encode()).decode().rstrip("=").lower()


def uid_of_ftm_id(entity_id: str) -> str:
    """The uid an id made by :func:`ftm_id` stands for."""
    if entity_id.startswith(_B32):
        body = entity_id[len(_B32) :].upper()
        return base64.b32decode(body + "=" * (-len(body) % 8)).decode()
    return entity_id.replace(".", ":")


def _link_id(rid: str) -> str:
    return "cg-" + hashlib.sha1(rid.encode(), usedforsecurity=False).hexdigest()


#: FtM properties that name another entity: their values are uids turned into FtM ids.
_REFERENCES = frozenset(
    {
        "entity",
        "owner",
        "asset",
        "director",
        "organization",
        "controller",
        "controlled",
        "agent",
        "client",
        "addressEntity",
    }
)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)


def _nodes(store: GraphStore, label: str) -> Iterator[tuple[str, dict[str, Any]]]:
    props = _NODE_PROPS[label]
    projection = store.project([], node_props=props, node_labels=[label])
    columns = {p: projection.node_props.get(p) for p in props}
    for i, uid in enumerate(projection.uids.tolist()):
        if projection.labels[i] != label:
            continue
        yield str(uid), {p: (c[i] if c is not None else None) for p, c in columns.items()}


def _edges(store: GraphStore, rel_types: Sequence[str], props: Sequence[str]) -> Projection:
    return store.project(list(rel_types), edge_props=list(props))


@lru_cache(maxsize=1 << 16)
def _cleaned(type_name: str, fmt: str | None, text: str) -> str | None:
    """FtM's sanitising and cleaning of one value, done once per distinct value: an export
    repeats dates, countries and roles millions of times, and cleaning is most of its cost.
    (FtM 4.11's types clean a value without reading its entity, phones included.)"""
    sanitized = sanitize_text(text)
    if sanitized is None:
        return None
    cleaned: str | None = registry.get(type_name).clean_text(sanitized, format=fmt)
    return cleaned


@dataclass(frozen=True)
class _Plan:
    """How a property of a schema takes a value, looked up once per pair."""

    name: str
    type_name: str
    fmt: str | None
    is_entity: bool
    total_size: int | None


@lru_cache(maxsize=256)
def _schema(name: str) -> str:
    """``name`` if FtM can make an entity of it (InvalidData for unknown or abstract)."""
    return model.make_entity(name).schema.name


@lru_cache(maxsize=1024)
def _plan(schema: str, prop_name: str) -> _Plan | str:
    """The plan for a property, or why it takes no value (unknown, or a stub: the reverse
    side of another entity's reference), in FtM's words."""
    prop = model.get(schema).get(prop_name)  # type: ignore[union-attr]
    if prop is None:
        return f"Unknown property ({schema}): {prop_name}"
    if prop.stub:
        return f"Stub property ({schema}): {prop_name}"
    return _Plan(
        prop.name, prop.type.name, prop.format, prop.type == registry.entity, prop.type.total_size
    )


class _Entity:
    """An FtM entity being built, as FtM's ``EntityProxy`` keeps one (values cleaned by
    their property's type, each kept once in the order added, a type's total size capped),
    without a proxy's work per value: an export builds hundreds of thousands."""

    __slots__ = ("id", "properties", "schema", "size")

    def __init__(self, schema: str, entity_id: str) -> None:
        self.schema = _schema(schema)
        self.id = entity_id
        self.properties: dict[str, list[str]] = {}
        self.size = 0

    def to_dict(self) -> dict[str, Any]:
        """The entity as FtM serialises it: id, schema and properties."""
        return {"id": self.id, "schema": self.schema, "properties": self.properties}


def _add(entity: _Entity, prop_name: str, text: str, *, quiet: bool = False) -> None:
    """``EntityProxy.add(prop_name, text, quiet=quiet)``, the value cleaned through
    ``_cleaned``. Raises InvalidData for an unknown or stub property (unless ``quiet``) and
    for an entity that refers to itself."""
    plan = _plan(entity.schema, prop_name)
    if isinstance(plan, str):
        if quiet:
            return
        raise InvalidData(plan)
    value = _cleaned(plan.type_name, plan.fmt, text)
    if value is None:
        return
    if plan.is_entity and value == entity.id:
        raise InvalidData(f"{entity.schema} {entity.id} refers to itself in {prop_name}")
    if plan.total_size is not None and entity.size + len(value) > plan.total_size:
        return
    entity.size += len(value)
    values = entity.properties.setdefault(plan.name, [])
    if value not in values:
        values.append(value)


def _entity(schema: str, entity_id: str, values: Mapping[str, Any]) -> _Entity:
    entity = _Entity(schema, entity_id)
    for prop, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            text = _text(item)
            if text is not None:
                _add(entity, prop, ftm_id(text) if prop in _REFERENCES else text)
    if _has_publisher(entity.schema):
        entity.properties["publisher"] = [_PUBLISHER]
        entity.size += len(_PUBLISHER)
    return entity


_PUBLISHER = "CreditGraph"


@lru_cache(maxsize=256)
def _has_publisher(schema: str) -> bool:
    """Whether the schema takes ``publisher`` (every entity of ours names it, cleaned once)."""
    plan = _plan(schema, "publisher")
    return (
        not isinstance(plan, str) and _cleaned(plan.type_name, plan.fmt, _PUBLISHER) == _PUBLISHER
    )


def ftm_entity(schema: str, entity_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """One FtM entity as a dict; ``values`` holding uids in reference properties are turned
    into FtM ids, empty values are left out, unknown properties raise."""
    return _entity(schema, entity_id, values).to_dict()


def export_ftm(store: GraphStore, out: IO[str], *, today: date | None = None) -> ExportSummary:
    """Write every business, person, store, address, their links, listings, violations
    and the restrictions in force as FtM entities, one JSON object per line, sorted by id
    within each schema.

    Parameters
    ----------
    store : GraphStore
        Any store.
    out : text stream
        Where the JSON lines go.
    today : date, optional
        Restrictions in force on this day (default today).
    """
    today = today or date.today()
    summary = ExportSummary()

    def emit(entity: _Entity) -> None:
        out.write(orjson.dumps(entity.to_dict(), option=_JSON_LINE).decode())
        summary.by_schema[entity.schema] += 1

    contacts = _contacts(store)
    for uid, p in sorted(_nodes(store, "Business")):
        proxy = _entity(
            "Company",
            ftm_id(uid),
            {
                "name": p["name"],
                "registrationNumber": p["uscc"] or p["registry_no"],
                "jurisdiction": p["jurisdiction"] or ("cn" if p["uscc"] else None),
                "status": p["status"],
                "incorporationDate": p["established"],
                "address": p["address"],
                "phone": p["phone"],
                "email": p["email"],
            },
        )
        _add_contacts(proxy, contacts.get(uid))
        emit(proxy)
    for uid, p in sorted(_nodes(store, "Person")):
        proxy = _entity("Person", ftm_id(uid), {"name": p["name"]})
        _add_contacts(proxy, contacts.get(uid))
        emit(proxy)
    operators = _edges(store, ["OPERATES"], ())
    operator_of = {
        str(operators.uids[d]): str(operators.uids[s])
        for s, d in zip(operators.src.tolist(), operators.dst.tolist(), strict=True)
    }
    for uid, p in sorted(_nodes(store, "Store")):
        emit(
            _entity(
                "UserAccount",
                ftm_id(uid),
                {
                    "name": p["name"],
                    "service": p["platform"],
                    "username": p["shop_id"],
                    "owner": operator_of.get(uid),
                },
            )
        )
    for uid, p in sorted(_nodes(store, "Address")):
        emit(_entity("Address", ftm_id(uid), {"full": p["text"]}))
    for proxy in _links(store):
        emit(proxy)
    for uid, p in sorted(_nodes(store, "Listing")):
        ended = p["removed"] or p["expires"]
        emit(
            _entity(
                "Sanction",
                ftm_id(uid),
                {
                    "entity": p["subject_uid"],
                    "authority": p["authority"],
                    "program": p["list_type"],
                    "programId": p["list_type"],
                    "listingDate": p["decided"],
                    "startDate": p["decided"],
                    "endDate": ended,
                    "provisions": p["legal_basis"],
                    "status": "removed" if p["removed"] else "listed",
                    "reason": p["removal_reason"],
                    "recordId": p["listing_id"],
                },
            )
        )
    for proxy in _violations(store):
        emit(proxy)
    for uid, p in sorted(_nodes(store, "Restriction")):
        if p["superseded_at"] is not None or p["run_uid"]:
            continue  # superseded, or written by a batched run not finished yet
        start, end = as_date(p["valid_from"]), as_date(p["valid_to"])
        if (start and start > today) or (end and end <= today):
            continue
        emit(
            _entity(
                "Sanction",
                ftm_id(uid),
                {
                    "entity": p["subject_uid"],
                    "authority": "CreditGraph 联合惩戒",
                    "program": p["measure_name_zh"] or p["measure"],
                    "programId": f"credgraph:{p['rule_id']}",
                    "startDate": start,
                    "endDate": end,
                    "provisions": _provisions(p["legal_basis"]),
                    "reason": f"derived from {p['listing_uid']}",
                    "status": "in force",
                },
            )
        )
    return summary


def _provisions(value: Any) -> list[str] | None:
    """A restriction's legal bases (stored as a JSON list) one by one."""
    text = _text(value)
    if text is None:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return [text]
    return [str(v) for v in parsed] if isinstance(parsed, list) else [text]


def _contacts(store: GraphStore) -> dict[str, dict[str, list[str]]]:
    """Phones, e-mails and registered addresses per business or person uid."""
    found: dict[str, dict[str, list[str]]] = {}
    projection = store.project(
        ["HAS_PHONE", "HAS_EMAIL", "REGISTERED_AT"], node_props=("number", "address", "text")
    )
    number = projection.node_props.get("number")
    mail = projection.node_props.get("address")
    text = projection.node_props.get("text")
    uids = projection.uids.tolist()  # plain lists: one conversion, not one per edge
    # Only businesses' and persons' contacts are exported (accounts and waybills have phones
    # too, most of the edges): the others are left out before the loop.
    owned = np.flatnonzero(projection.label_mask("Business", "Person")[projection.src])
    for src, dst, kind in zip(
        projection.src[owned].tolist(),
        projection.dst[owned].tolist(),
        projection.types[owned].tolist(),
        strict=True,
    ):
        owner = found.setdefault(str(uids[src]), {})
        if kind == "HAS_PHONE" and number is not None and number[dst]:
            owner.setdefault("phone", []).append(str(number[dst]))
        elif kind == "HAS_EMAIL" and mail is not None and mail[dst]:
            owner.setdefault("email", []).append(str(mail[dst]))
        elif kind == "REGISTERED_AT":
            owner.setdefault("addressEntity", []).append(str(uids[dst]))
            if text is not None and text[dst]:
                owner.setdefault("address", []).append(str(text[dst]))
    return found


def _add_contacts(proxy: _Entity, contacts: Mapping[str, list[str]] | None) -> None:
    for prop, values in (contacts or {}).items():
        for value in sorted(set(values)):
            _add(proxy, prop, ftm_id(value) if prop in _REFERENCES else value, quiet=True)


def _links(store: GraphStore) -> Iterator[_Entity]:
    """Ownership, directorships, control and representation, sorted by rid."""
    types = ["SHAREHOLDER_OF", *FTM_ROLES, "ACTUAL_CONTROLLER_OF", "REGISTRATION_AGENT_OF"]
    projection = _edges(store, types, ("since", "until", "share", "computed"))
    share = projection.edge_props.get("share")
    computed = projection.edge_props.get("computed")
    since = projection.edge_props.get("since")
    until = projection.edge_props.get("until")
    uids, rids = projection.uids.tolist(), [str(r) for r in projection.rids.tolist()]
    types, srcs, dsts = (a.tolist() for a in (projection.types, projection.src, projection.dst))
    order = sorted(range(projection.n_edges), key=rids.__getitem__)
    for k in order:
        kind = str(types[k])
        src = str(uids[srcs[k]])
        dst = str(uids[dsts[k]])
        period = {
            "startDate": since[k] if since is not None else None,
            "endDate": until[k] if until is not None else None,
        }
        rid = _link_id(rids[k])
        if kind == "SHAREHOLDER_OF":
            value = share[k] if share is not None else None
            percentage = (
                None if value is None or _text(value) is None else f"{float(value) * 100:.6g}"
            )
            yield _entity(
                "Ownership", rid, {"owner": src, "asset": dst, "percentage": percentage, **period}
            )
        elif kind in FTM_ROLES:
            yield _entity(
                "Directorship",
                rid,
                {"director": src, "organization": dst, "role": FTM_ROLES[kind], **period},
            )
        elif kind == "ACTUAL_CONTROLLER_OF":
            how = "computed" if computed is not None and computed[k] else "declared"
            yield _entity(
                "Control",
                rid,
                {
                    "controller": src,
                    "controlled": dst,
                    "role": "actual controller",
                    "controlType": how,
                    **period,
                },
            )
        else:
            yield _entity(
                "Representation",
                rid,
                {"agent": src, "client": dst, "role": "registration agent", **period},
            )


def _violations(store: GraphStore) -> Iterator[_Entity]:
    projection = store.project(
        ["PENALISED"], node_props=_NODE_PROPS["Violation"], node_labels=["Violation"]
    )
    subject_of = {
        int(d): str(projection.uids[s])
        for s, d in zip(projection.src.tolist(), projection.dst.tolist(), strict=True)
    }
    props = {p: projection.node_props.get(p) for p in _NODE_PROPS["Violation"]}
    rows = [
        (str(projection.uids[i]), i)
        for i in range(projection.n_nodes)
        if projection.labels[i] == "Violation"
    ]
    for uid, i in sorted(rows):
        p = {name: (col[i] if col is not None else None) for name, col in props.items()}
        yield _entity(
            "Sanction",
            ftm_id(uid),
            {
                "entity": subject_of.get(i),
                "authority": p["authority"],
                "program": p["kind"],
                "programId": f"violation:{p['kind']}",
                "startDate": p["decided"],
                "provisions": p["legal_basis"],
                "summary": p["penalty"],
                "recordId": p["violation_id"],
            },
        )
