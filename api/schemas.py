"""Request and response bodies of the CreditGraph API (pydantic), with OpenAPI examples."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MAX_BATCH",
    "BatchCheckItem",
    "BatchCheckRequest",
    "EdgeOut",
    "EntityKind",
    "EntityOut",
    "EntityProfile",
    "FeedbackAction",
    "FeedbackIn",
    "FeedbackOut",
    "Health",
    "IdentityVerifyIn",
    "IdentityVerifyOut",
    "Network",
    "Page",
    "PathOut",
    "Problem",
    "SearchHit",
]

T = TypeVar("T")

_USCC = "91330106MA2AAAAA15"

#: Most subjects one batch check may carry.
MAX_BATCH = 1_000


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Problem(_Out):
    """An RFC 9457 problem document."""

    type: str = Field(examples=["https://credgraph.example.cn/problems/not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no business with USCC 91330106MA2AAAAA15"])
    instance: str = Field(examples=["/v1/restrictions/business/91330106MA2AAAAA15"])
    field: str | None = Field(None, description="The input field at fault (422 only)")


class Page(_Out, Generic[T]):
    """One page of a list; follow ``next`` (a relative URL) for the following page."""

    items: list[T]
    limit: int
    next: str | None = Field(None, description="URL of the next page; null on the last")


class Health(_Out):
    """Liveness or readiness."""

    status: Literal["ok", "unavailable"]
    store: str | None = None
    detail: str | None = None


class EntityKind(StrEnum):
    """The kinds of subject a platform can check."""

    BUSINESS = "business"
    PERSON = "person"
    STORE = "store"


# -- feedback -----------------------------------------------------------------------------
class FeedbackAction(StrEnum):
    """What a platform did about a restriction."""

    APPLIED = "applied"
    COULD_NOT_APPLY = "could_not_apply"


class FeedbackIn(_In):
    """A platform's report on what it did about a restriction (反馈)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "business",
                    "id": _USCC,
                    "measure_id": "no_new_store",
                    "listing_uid": "listing:ZJ-2024-0002",
                    "action": "applied",
                    "acted_at": "2024-06-03T10:00:00Z",
                },
                {
                    "kind": "store",
                    "id": "taobao:100234",
                    "action": "could_not_apply",
                    "reason": "store already closed by the seller",
                },
            ]
        },
    )

    kind: EntityKind
    id: str = Field(min_length=1, max_length=64, description="USCC, id number or platform:shop_id")
    measure_id: str | None = Field(None, max_length=100)
    listing_uid: str | None = Field(None, max_length=200)
    action: FeedbackAction
    reason: str | None = Field(None, max_length=2000, description="Required for could_not_apply")
    acted_at: datetime | None = None


class FeedbackOut(_Out):
    """A stored feedback report; ``subject`` is masked for people."""

    id: int
    received: str
    platform: str
    subject_uid: str
    subject: str
    measure_id: str | None
    listing_uid: str | None
    action: FeedbackAction
    reason: str | None
    acted_at: str | None


# -- identity -----------------------------------------------------------------------------
class IdentityVerifyIn(_In):
    """A seller's claimed business identity."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"uscc": _USCC, "name": "杭州星辰贸易有限公司", "legal_representative": "张伟"}
            ]
        },
    )

    uscc: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    legal_representative: str | None = Field(None, max_length=100)


class IdentityVerifyOut(_Out):
    """What the registry says about the claim."""

    verified: bool = Field(description="exists, active, name and representative match")
    exists: bool
    active: bool
    status: str | None
    name_matches: bool
    legal_representative_matches: bool | None = Field(
        None, description="null when no representative was claimed"
    )
    problems: list[str]


# -- officers -----------------------------------------------------------------------------
class EntityOut(_Out):
    """A node as officers see it (id hashes never leave the server)."""

    uid: str
    label: str
    name: str | None = None
    props: dict[str, Any]


class SearchHit(_Out):
    """A search result with its similarity to the query (1.0: exact identifier)."""

    entity: EntityOut
    score: float
    matched: Literal["identifier", "name"]


class EdgeOut(_Out):
    """A relationship."""

    rid: str
    type: str
    src: str
    dst: str
    props: dict[str, Any]


class Network(_Out):
    """Nodes within ``hops`` of the centre and the edges among them."""

    centre: str
    hops: int
    nodes: list[EntityOut]
    edges: list[EdgeOut]
    truncated: bool


class PathOut(_Out):
    """One path: ``edges[i]`` joins ``nodes[i]`` and ``nodes[i+1]``."""

    nodes: list[EntityOut]
    edges: list[EdgeOut]
    length: int


class EntityProfile(_Out):
    """An entity's credit record: basic, compliance, dishonesty (and restrictions)."""

    entity: EntityOut
    compliance: list[EntityOut] = Field(description="Violation records (administrative penalties)")
    dishonesty: list[EntityOut] = Field(description="Credit-list entries, in force or not")
    roles: list[EdgeOut] = Field(description="Ownership, roles and stores operated")
    restrictions: dict[str, Any] | None = Field(
        None, description="Restriction status (null when the engine is not installed)"
    )
    feedback: list[FeedbackOut] = Field(default_factory=list)


# -- platform checks ----------------------------------------------------------------------
class BatchCheckItem(_In):
    """One subject in a batch."""

    kind: EntityKind
    id: str = Field(min_length=1, max_length=64)


class BatchCheckRequest(_In):
    """Up to 1,000 subjects checked in one call."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "at": None,
                    "items": [
                        {"kind": "business", "id": _USCC},
                        {"kind": "store", "id": "taobao:100234"},
                        {"kind": "person", "id": "330100198001011237"},
                    ],
                }
            ]
        },
    )

    items: list[BatchCheckItem] = Field(min_length=1, max_length=MAX_BATCH)
    at: date | None = Field(None, description="Check as of this date (default: today)")
