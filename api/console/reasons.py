"""Detection reasons as codes and parameters, and the identifiers a cluster shares by name.

Brushing rings and shell clusters are stored with their reasons as English sentences
(``algorithms/brushing/rings.py::_reasons``, ``algorithms/shells/core.py``). The console
writes them in the officer's language from a code and its parameters instead:
:func:`structured` reads each sentence back against the templates that wrote it (a sentence
no template matches comes back with the code ``text``, shown as it is), and :func:`shared`
names the addresses, phones, e-mails and people that members of a cluster have in common,
so "1 address in common" can say which.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from algorithms.shells.core import _LIST_NAMES, _PLURAL
from api.deps import ApiState, OfficerKey, StateDep
from graph.render import node_name

__all__ = ["SHARED_TYPES", "Reason", "router", "structured"]

#: Placeholders that stand for words; every other one is a number.
_TEXT = frozenset({"what", "list", "kind"})


def _template(code: str, pattern: str) -> tuple[str, re.Pattern[str]]:
    regex = re.escape(pattern)
    for name in re.findall(r"\{(\w+)\}", pattern):
        group = rf"(?P<{name}>.+?)" if name in _TEXT else rf"(?P<{name}>\d[\d,]*(?:\.\d+)?)"
        regex = regex.replace(re.escape("{" + name + "}"), group)
    return code, re.compile(f"^{regex}$")


#: (code, template) in the words of the detectors; ``{x}`` is a number unless named
#: ``what``, ``list`` or ``kind`` (text). Keep in step with the two modules above.
_TEMPLATES = [
    _template(
        "ring_dense",
        "{accounts} accounts and {stores} stores trade densely: {traded} of the "
        "{possible} possible account-store pairs ({fill}%) have orders",
    ),
    _template(
        "ring_lockstep",
        "{accounts} accounts placed orders in step: at {stores} stores, "
        "two or more of them ordered within the same {minutes}-minute window",
    ),
    # the same two as rings detected before the wording changed wrote them
    _template(
        "ring_cohort",
        "{accounts} accounts ordered from the same {stores} stores "
        "({fill}% of account-store pairs traded)",
    ),
    _template(
        "ring_lockstep",
        "{accounts} accounts ordered from the same {stores} stores within {minutes}-minute windows",
    ),
    _template("ring_light", "{share}% of their parcels weighed under {grams} g"),
    _template(
        "ring_fast", "{share}% of their waybills were delivered within {hours} hours of shipping"
    ),
    _template(
        "ring_shared_address", "shipped to {n} receiver addresses shared by {accounts} accounts"
    ),
    _template("ring_shared_phone", "shipped to {n} receiver phones shared by {accounts} accounts"),
    _template("shell_common", "{n} {kind} in common"),
    _template("shell_burst", "{n} businesses at one address registered within {days} days"),
    _template("shell_one_address", "{n} businesses at one address"),
    _template("shell_no_store_all", "none operates a store"),
    _template("shell_no_store", "{n} of {m} operate no store"),
    _template("shell_listed", "{n} already on the {list}"),
]

#: "1 legal representative", "2 addresses" → the identifier kind, and a list's name in a
#: reason → its id: read from the words the shell detector writes with.
_KIND_WORDS = {word: kind.value for kind, words in _PLURAL.items() for word in words}
_LIST_WORDS = {name: list_id for list_id, name in _LIST_NAMES.items()}


class Reason(BaseModel):
    """One reason: a code and its parameters, with the stored sentence."""

    code: str = Field(description="ring_… / shell_… ; 'text' when no template matched")
    params: dict[str, str | int | float]
    text: str


def _number(value: str) -> int | float:
    plain = value.replace(",", "")
    return float(plain) if "." in plain else int(plain)


def structured(text: str) -> Reason:
    """The code and parameters behind a stored reason sentence."""
    for code, regex in _TEMPLATES:
        found = regex.match(text.strip())
        if found is None:
            continue
        params: dict[str, str | int | float] = {}
        for name, value in found.groupdict().items():
            if name == "kind":
                kind = _KIND_WORDS.get(value)
                if kind is None:
                    break
                params[name] = kind
            elif name == "list":
                params[name] = _LIST_WORDS.get(value, value)
            elif name == "what":
                params[name] = value
            else:
                params[name] = _number(value)
        else:
            return Reason(code=code, params=params, text=text)
    return Reason(code="text", params={}, text=text)


#: Relationship types through which businesses share an identifier or a person, and the
#: kind each is called by in a reason.
SHARED_TYPES = {
    "REGISTERED_AT": "address",
    "HAS_PHONE": "phone",
    "HAS_EMAIL": "email",
    "LEGAL_REPRESENTATIVE_OF": "legal_representative",
    "SHAREHOLDER_OF": "shareholder",
    "REGISTRATION_AGENT_OF": "registration_agent",
}
#: Most shared identifiers returned, most widely shared first.
MAX_SHARED = 50

router = APIRouter(prefix="/api", tags=["console"])


class ReasonsIn(BaseModel):
    """Stored reason sentences."""

    model_config = ConfigDict(extra="forbid")

    texts: list[Annotated[str, Field(max_length=500)]] = Field(max_length=200)


class ReasonsOut(BaseModel):
    """The same sentences as codes and parameters, in order."""

    items: list[Reason]


@router.post("/reasons", response_model=ReasonsOut, summary="Detection reasons as codes")
async def reasons(body: ReasonsIn, key: OfficerKey) -> ReasonsOut:
    """Each stored ring or shell reason as a code and parameters, for the page to write
    in the officer's language."""
    return ReasonsOut(items=[structured(t) for t in body.texts])


class SharedIn(BaseModel):
    """Members of a cluster."""

    model_config = ConfigDict(extra="forbid")

    uids: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(max_length=500)


class SharedOut(BaseModel):
    """An address, phone, e-mail or person that two or more of the members share."""

    kind: str
    uid: str
    name: str | None
    members: int


class SharedList(BaseModel):
    """What the members have in common, most widely shared first."""

    items: list[SharedOut]


def _shared(state: ApiState, uids: Sequence[str]) -> SharedList:
    members = set(uids)
    edges = state.store.edges_of(sorted(members), list(SHARED_TYPES), limit=50_000)
    sharing: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in edges:
        if e.dst in members and e.src not in members:
            sharing[(SHARED_TYPES[e.type], e.src)].add(e.dst)
        elif e.src in members and e.dst not in members:
            sharing[(SHARED_TYPES[e.type], e.dst)].add(e.src)
    common = sorted(
        ((kind, uid, len(who)) for (kind, uid), who in sharing.items() if len(who) >= 2),
        key=lambda x: (-x[2], x[0], x[1]),
    )[:MAX_SHARED]
    nodes = {n.uid: n for n in state.store.get_nodes([uid for _, uid, _ in common])}
    return SharedList(
        items=[
            SharedOut(
                kind=kind,
                uid=uid,
                name=(node_name(nodes[uid]) or None) if uid in nodes else None,
                members=n,
            )
            for kind, uid, n in common
        ]
    )


@router.post("/shared", response_model=SharedList, summary="What members have in common")
async def shared(body: SharedIn, key: OfficerKey, state: StateDep) -> SharedList:
    """Addresses, phones, e-mails and people (legal representatives, shareholders,
    registration agents) linked to two or more of ``uids``, by name (at most 50)."""
    return await run_in_threadpool(_shared, state, body.uids)
