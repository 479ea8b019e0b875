"""Request and response bodies of the CreditGraph API (pydantic), with OpenAPI examples."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

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
    "LicenceCheck",
    "LicenceOut",
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
                {"uscc": _USCC, "name": "杭州星辰贸易有限公司", "legal_representative": "张伟"},
                {
                    "uscc": _USCC,
                    "name": "杭州星辰贸易有限公司",
                    "licence_types": ["food_operation", "医疗器械经营许可证"],
                    "at": "2026-01-01",
                },
            ]
        },
    )

    uscc: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    legal_representative: str | None = Field(None, max_length=100)
    licence_types: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list,
        max_length=10,
        description="Licence types the seller claims or the platform requires, by code "
        "(food_operation, drug_operation, medical_device_operation, icp ...) or Chinese name "
        "(docs/formats.md); each must be held and in force on `at` for `verified`",
    )
    at: date | None = Field(None, description="Check the licences on this date; today if omitted")


LicenceStanding = Literal["valid", "not_yet_valid", "expired", "suspended", "revoked"]


class LicenceOut(_Out):
    """A licence the business holds on record, and its standing on the check date."""

    licence_type: str = Field(examples=["food_operation"])
    licence_type_name: str = Field(examples=["食品经营许可证"])
    licence_no: str = Field(examples=["JY13301060012345"])
    authority: str | None = Field(None, examples=["杭州市西湖区市场监督管理局"])
    issued: date | None = None
    expires: date | None = None
    status: str = Field(description="as the issuing authority recorded it", examples=["valid"])
    standing: LicenceStanding = Field(description="on checked_on: status, then the dates")
    valid: bool = Field(description="standing is valid")


class LicenceCheck(_Out):
    """One licence type asked for: held and in force on the check date, or why not."""

    licence_type: str = Field(examples=["medical_device_operation"])
    licence_type_name: str = Field(examples=["医疗器械经营许可证"])
    held: bool = Field(description="a licence of this type is in force on checked_on")
    result: LicenceStanding | Literal["missing"] = Field(
        description="valid; else the standing of the latest licence of the type; missing if none"
    )
    licence_no: str | None = Field(None, description="the licence the result is about")


class IdentityVerifyOut(_Out):
    """What the registry says about the claim."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "verified": False,
                    "exists": True,
                    "active": True,
                    "status": "active",
                    "name_matches": True,
                    "legal_representative_matches": None,
                    "problems": [
                        "licence medical_device_operation (医疗器械经营许可证) is expired"
                    ],
                    "checked_on": "2026-01-01",
                    "licences_present": False,
                    "licence_checks": [
                        {
                            "licence_type": "food_operation",
                            "licence_type_name": "食品经营许可证",
                            "held": True,
                            "result": "valid",
                            "licence_no": "JY13301060012345",
                        },
                        {
                            "licence_type": "medical_device_operation",
                            "licence_type_name": "医疗器械经营许可证",
                            "held": False,
                            "result": "expired",
                            "licence_no": "浙杭药监械经营许20180031号",
                        },
                    ],
                    "licences": [
                        {
                            "licence_type": "food_operation",
                            "licence_type_name": "食品经营许可证",
                            "licence_no": "JY13301060012345",
                            "authority": "杭州市西湖区市场监督管理局",
                            "issued": "2024-03-01",
                            "expires": "2029-02-28",
                            "status": "valid",
                            "standing": "valid",
                            "valid": True,
                        },
                        {
                            "licence_type": "medical_device_operation",
                            "licence_type_name": "医疗器械经营许可证",
                            "licence_no": "浙杭药监械经营许20180031号",
                            "authority": "杭州市市场监督管理局",
                            "issued": "2018-06-01",
                            "expires": "2023-05-31",
                            "status": "valid",
                            "standing": "expired",
                            "valid": False,
                        },
                    ],
                }
            ]
        },
    )

    verified: bool = Field(
        description="exists, active, name and representative match, licences asked for present"
    )
    exists: bool
    active: bool
    status: str | None
    name_matches: bool
    legal_representative_matches: bool | None = Field(
        None, description="null when no representative was claimed"
    )
    problems: list[str]
    checked_on: date = Field(description="the date licences were checked on")
    licences_present: bool | None = Field(
        None,
        description="every licence type asked for is in force on checked_on; null when none "
        "was asked",
    )
    licence_checks: list[LicenceCheck] = Field(
        default_factory=list, description="one per licence type asked for, in the order asked"
    )
    licences: list[LicenceOut] = Field(
        default_factory=list, description="every licence on record for the business"
    )


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
    licences: list[LicenceOut] = Field(
        default_factory=list,
        description="Licences (许可证) a business holds, with their standing today",
    )
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
