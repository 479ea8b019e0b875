"""Declarative mappings: one per input file, from a validated row to nodes and relationships.

Each mapping names its required and optional columns and converts one row (a dict of
strings) into the nodes and relationships it asserts. A bad value raises ``InvalidInput``
naming the field; the pipeline adds the file and row and quarantines the row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from stdnum.cn import ric

from graph import identity
from graph.errors import InvalidInput
from graph.identity import hash_person_id, prefixed
from graph.licences import LICENCE_STATUSES, licence_type, licence_uid, normalise_licence_no

__all__ = ["MAPPINGS", "Emitted", "FileMapping", "NodeOut", "RelOut"]


@dataclass(slots=True)
class NodeOut:
    """A node a row asserts."""

    label: str
    props: dict[str, Any]


@dataclass(slots=True)
class RelOut:
    """A relationship a row asserts; ``props`` carries ``rid``, ``src`` and ``dst``."""

    type: str
    src_label: str
    dst_label: str
    props: dict[str, Any]
    fields: tuple[str, str] = ("", "")


@dataclass(slots=True)
class Emitted:
    """What one row produced."""

    nodes: list[NodeOut] = field(default_factory=list)
    rels: list[RelOut] = field(default_factory=list)

    def node(self, label: str, **props: Any) -> None:
        """Add a node."""
        self.nodes.append(NodeOut(label, props))

    def rel(
        self,
        rel_type: str,
        src: tuple[str, str],
        dst: tuple[str, str],
        *,
        fields: tuple[str, str] = ("", ""),
        **props: Any,
    ) -> None:
        """Add a relationship from ``(label, uid)`` to ``(label, uid)``; rid from its ends.

        ``fields`` names the columns each end came from, for errors about references.
        """
        rid = props.pop("rid", None) or f"{rel_type}:{src[1]}->{dst[1]}"
        row = {"rid": rid, "src": src[1], "dst": dst[1]}
        if props:
            row.update(props)
        self.rels.append(RelOut(rel_type, src[0], dst[0], row, fields))


Converter = Callable[[dict[str, str], str], Emitted]


@dataclass(frozen=True)
class FileMapping:
    """How one input file becomes graph: its columns and its row converter."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    convert: Converter
    #: The labels and relationship types its rows may write.
    writes: frozenset[str]

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the file may have."""
        return (*self.required, *self.optional)


# -- identity, once per distinct value -------------------------------------------------------------
# The same USCC, person id, address, phone or e-mail recurs across rows and files (a
# business in roles, shareholdings, stores, listings ...); its check (``python-stdnum``)
# and normalisation run once. Failures are not cached: they raise every time.

_CACHE = 1 << 18

business_uid = lru_cache(maxsize=_CACHE)(identity.business_uid)
person_uid = lru_cache(maxsize=_CACHE)(identity.person_uid)
address_uid = lru_cache(maxsize=_CACHE)(identity.address_uid)
normalise_address = lru_cache(maxsize=_CACHE)(identity.normalise_address)
phone_uid = lru_cache(maxsize=_CACHE)(identity.phone_uid)
normalise_phone = lru_cache(maxsize=_CACHE)(identity.normalise_phone)
email_uid = lru_cache(maxsize=_CACHE)(identity.email_uid)
subject_uid = lru_cache(maxsize=_CACHE)(identity.subject_uid)
store_uid = lru_cache(maxsize=_CACHE)(identity.store_uid)


# -- value parsers -------------------------------------------------------------------------------


def _text(row: dict[str, str], name: str, *, required: bool = False) -> str | None:
    value = row.get(name, "").strip()
    if not value:
        if required:
            raise InvalidInput("a value is required", field=name)
        return None
    return value


def _date(row: dict[str, str], name: str, *, required: bool = False) -> str | None:
    value = _text(row, name, required=required)
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=name) from exc


def _is_canonical_timestamp(value: str) -> bool:
    """``YYYY-MM-DDTHH:MM:SS`` exactly (a calendar date, no fraction, no zone)."""
    return (
        len(value) == 19
        and value[4] == value[7] == "-"
        and value[10] == "T"
        and value[13] == value[16] == ":"
    )


def _timestamp(row: dict[str, str], name: str, *, required: bool = False) -> str | None:
    value = _text(row, name, required=required)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if _is_canonical_timestamp(value):
            return value  # already what isoformat(timespec="seconds") would give
        return parsed.replace(tzinfo=None).isoformat(timespec="seconds")
    except ValueError as exc:
        raise InvalidInput(
            f"{value!r} is not a timestamp (YYYY-MM-DDTHH:MM:SS)", field=name
        ) from exc


def _number(
    row: dict[str, str],
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    required: bool = False,
) -> float | None:
    value = _text(row, name, required=required)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a number", field=name) from exc
    if (
        math.isnan(number)
        or (low is not None and number < low)
        or (high is not None and number > high)
    ):
        bounds = f"{low if low is not None else '-inf'}..{high if high is not None else 'inf'}"
        raise InvalidInput(f"{value} is outside {bounds}", field=name)
    return number


def _choice(
    row: dict[str, str], name: str, choices: tuple[str, ...], *, default: str | None = None
) -> str:
    value = _text(row, name) or default
    if value not in choices:
        raise InvalidInput(f"{value!r} is not one of {', '.join(choices)}", field=name)
    return value


_REGION = re.compile(r"^\d{6}$")


def _region(row: dict[str, str]) -> str | None:
    value = _text(row, "region")
    if value is not None and not _REGION.match(value):
        raise InvalidInput(f"{value!r} is not a 6-digit division code", field="region")
    return value


def _biz(row: dict[str, str], name: str) -> tuple[str, str]:
    try:
        return ("Business", business_uid(_text(row, name, required=True) or ""))
    except InvalidInput as exc:
        raise InvalidInput(exc.reason, field=name) from exc


def _person(row: dict[str, str], name: str, key: str) -> tuple[str, str]:
    return ("Person", person_uid(_text(row, name, required=True) or "", key))


def _store(row: dict[str, str], name: str) -> tuple[str, str]:
    return ("Store", store_uid(_text(row, name, required=True) or "", name))


def _party(kind: str, value: str, key: str, field_name: str) -> tuple[str, str]:
    try:
        if kind == "business":
            return ("Business", business_uid(value))
        if kind == "person":
            return ("Person", person_uid(value, key))
        if kind == "store":
            return ("Store", store_uid(value, field_name))
    except InvalidInput as exc:
        raise InvalidInput(exc.reason, field=field_name) from exc
    raise InvalidInput(f"unknown kind {kind!r}", field=field_name)


def _contacts(out: Emitted, owner: tuple[str, str], row: dict[str, str]) -> None:
    phone = _text(row, "phone")
    if phone:
        try:
            uid = phone_uid(phone)
        except InvalidInput as exc:
            raise InvalidInput(exc.reason, field="phone") from exc
        out.node("Phone", uid=uid, number=normalise_phone(phone))
        out.rel("HAS_PHONE", owner, ("Phone", uid))
    email = _text(row, "email")
    if email:
        uid = email_uid(email)
        out.node("Email", uid=uid, address=uid.removeprefix("email:"))
        out.rel("HAS_EMAIL", owner, ("Email", uid))


def _address(out: Emitted, rel_type: str, owner: tuple[str, str], text: str | None) -> None:
    if text:
        uid = address_uid(text)
        out.node("Address", uid=uid, text=normalise_address(text))
        out.rel(rel_type, owner, ("Address", uid))


# -- converters, one per file ---------------------------------------------------------------------


def _businesses(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    label, uid = _biz(row, "business_id")
    raw = uid.removeprefix("biz:")
    foreign = ":" in raw
    out.node(
        label,
        uid=uid,
        uscc=None if foreign else raw,
        jurisdiction=raw.split(":")[0] if foreign else "CN",
        registry_no=raw.split(":", 1)[1] if foreign else raw,
        name=_text(row, "name", required=True),
        status=_choice(
            row, "status", ("active", "revoked", "cancelled", "abnormal"), default="active"
        ),
        established=_date(row, "established"),
        registered_capital=_number(row, "registered_capital", low=0),
        region=_region(row),
        address=_text(row, "address"),
        phone=_text(row, "phone"),
        email=_text(row, "email"),
    )
    _address(out, "REGISTERED_AT", (label, uid), _text(row, "address"))
    _contacts(out, (label, uid), row)
    return out


def _people(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    id_type = _choice(row, "id_type", ("ric", "passport", "other"), default="ric")
    person = hash_person_id(_text(row, "person_id", required=True) or "", key, id_type)
    out.node(
        "Person",
        uid=person.uid,
        id_hash=person.id_hash,
        id_masked=person.id_masked,
        id_type=id_type,
        name=_text(row, "name", required=True),
        region=_region(row),
    )
    _address(out, "HAS_ADDRESS", ("Person", person.uid), _text(row, "address"))
    _contacts(out, ("Person", person.uid), row)
    return out


_ROLE_TYPES = {
    "legal_representative": "LEGAL_REPRESENTATIVE_OF",
    "director": "DIRECTOR_OF",
    "supervisor": "SUPERVISOR_OF",
    "manager": "MANAGER_OF",
    "actual_controller": "ACTUAL_CONTROLLER_OF",
    "registration_agent": "REGISTRATION_AGENT_OF",
}


def _since_until(row: dict[str, str]) -> tuple[str | None, str | None]:
    since, until = _date(row, "since"), _date(row, "until")
    if since and until and until < since:
        raise InvalidInput(f"until {until} is before since {since}", field="until")
    return since, until


def _role_holder(row: dict[str, str], key: str) -> tuple[tuple[str, str], str]:
    """The holder of a role and the column it came from: ``holder_type`` + ``holder_id``
    (a person or a business), or ``person_id`` (a person) in files without them."""
    if "holder_id" not in row and "holder_type" not in row:
        return _person(row, "person_id", key), "person_id"
    if _text(row, "holder_id") is None and _text(row, "person_id") is not None:
        if _text(row, "holder_type") not in (None, "person"):
            raise InvalidInput("person_id names a person; use holder_id", field="holder_type")
        return _person(row, "person_id", key), "person_id"
    kind = _choice(row, "holder_type", ("person", "business"), default="person")
    return _party(kind, _text(row, "holder_id", required=True) or "", key, "holder_id"), "holder_id"


def _roles(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    role = _choice(row, "role", tuple(_ROLE_TYPES))
    holder, column = _role_holder(row, key)
    business = _biz(row, "business_id")
    if holder == business:
        raise InvalidInput("a business cannot hold a role in itself", field=column)
    since, until = _since_until(row)
    rel_type = _ROLE_TYPES[role]
    extra: dict[str, Any] = {"computed": False} if rel_type == "ACTUAL_CONTROLLER_OF" else {}
    out.rel(
        rel_type,
        holder,
        business,
        rid=f"{rel_type}:{holder[1]}->{business[1]}:{since or ''}",
        fields=(column, "business_id"),
        since=since,
        until=until,
        **extra,
    )
    return out


def _shareholdings(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    holder_type = _choice(row, "holder_type", ("person", "business"))
    holder = _party(holder_type, _text(row, "holder_id", required=True) or "", key, "holder_id")
    business = _biz(row, "business_id")
    if holder == business:
        raise InvalidInput("a business cannot hold shares in itself", field="holder_id")
    share = _number(row, "share", low=0.0, high=1.0)  # empty: held, share unknown (null)
    since, until = _since_until(row)
    out.rel(
        "SHAREHOLDER_OF",
        holder,
        business,
        rid=f"SHAREHOLDER_OF:{holder[1]}->{business[1]}:{since or ''}",
        fields=("holder_id", "business_id"),
        share=share,
        since=since,
        until=until,
    )
    return out


def _stores(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    store = _store(row, "store_id")
    platform, shop_id = store[1].removeprefix("store:").split(":", 1)
    out.node(
        "Store",
        uid=store[1],
        platform=platform,
        shop_id=shop_id,
        name=_text(row, "name", required=True),
        opened=_date(row, "opened"),
        status=_choice(row, "status", ("open", "closed", "suspended"), default="open"),
        region=_region(row),
    )
    operator_type = _choice(row, "operator_type", ("business", "person"))
    operator = _party(
        operator_type, _text(row, "operator_id", required=True) or "", key, "operator_id"
    )
    out.rel(
        "OPERATES", operator, store, fields=("operator_id", "store_id"), since=_date(row, "opened")
    )
    _address(out, "SHIPS_FROM", store, _text(row, "ship_from_address"))
    _contacts(out, store, {"phone": row.get("phone", "")})
    return out


def _brands(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    brand_id = _text(row, "brand_id", required=True) or ""
    uid = f"brand:{brand_id}"
    out.node("Brand", uid=uid, brand_id=brand_id, name=_text(row, "name", required=True))
    owner_id = _text(row, "owner_id")
    if owner_id:
        owner_type = _choice(row, "owner_type", ("business", "person"))
        out.rel(
            "OWNS_BRAND",
            _party(owner_type, owner_id, key, "owner_id"),
            ("Brand", uid),
            fields=("owner_id", "brand_id"),
        )
    return out


def _accounts(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    uid = prefixed("account", _text(row, "account_id", required=True) or "", "account_id")
    platform, account_id = uid.removeprefix("account:").split(":", 1)
    out.node(
        "Account", uid=uid, platform=platform, account_id=account_id, created=_date(row, "created")
    )
    _contacts(out, ("Account", uid), {"phone": row.get("phone", "")})
    return out


def _waybills(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    uid = prefixed("waybill", _text(row, "waybill_id", required=True) or "", "waybill_id")
    carrier, number = uid.removeprefix("waybill:").split(":", 1)
    shipped, delivered = _timestamp(row, "shipped"), _timestamp(row, "delivered")
    if shipped and delivered and delivered < shipped:
        raise InvalidInput(f"delivered {delivered} is before shipped {shipped}", field="delivered")
    out.node(
        "Waybill",
        uid=uid,
        carrier=carrier,
        waybill_no=number,
        weight_kg=_number(row, "weight_kg", low=0),
        shipped=shipped,
        delivered=delivered,
    )
    waybill = ("Waybill", uid)
    _address(out, "DELIVERED_TO", waybill, _text(row, "receiver_address"))
    _contacts(out, waybill, {"phone": row.get("receiver_phone", "")})
    return out


def _orders(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    uid = prefixed("order", _text(row, "order_id", required=True) or "", "order_id")
    platform, order_id = uid.removeprefix("order:").split(":", 1)
    out.node(
        "Order",
        uid=uid,
        platform=platform,
        order_id=order_id,
        placed=_timestamp(row, "placed", required=True),
        amount=_number(row, "amount", low=0),
        rating=_number(row, "rating", low=1, high=5),
        reviewed=_timestamp(row, "reviewed"),
    )
    order = ("Order", uid)
    account = (
        "Account",
        prefixed("account", _text(row, "account_id", required=True) or "", "account_id"),
    )
    out.rel("PLACED", account, order, fields=("account_id", "order_id"))
    out.rel("AT_STORE", order, _store(row, "store_id"), fields=("order_id", "store_id"))
    waybill = _text(row, "waybill_id")
    if waybill:
        out.rel(
            "SHIPPED_BY",
            order,
            ("Waybill", prefixed("waybill", waybill, "waybill_id")),
            fields=("order_id", "waybill_id"),
        )
    return out


_SUBJECT_TYPES = ("business", "person", "store")


def _subject(row: dict[str, str], key: str) -> tuple[str, str]:
    kind = _choice(row, "subject_type", _SUBJECT_TYPES)
    value = _text(row, "subject_id", required=True) or ""
    try:
        return (
            {"business": "Business", "person": "Person", "store": "Store"}[kind],
            subject_uid(kind, value, key),
        )
    except InvalidInput as exc:
        raise InvalidInput(exc.reason, field="subject_id") from exc


def _listings(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    listing_id = _text(row, "listing_id", required=True) or ""
    subject = _subject(row, key)
    decided, expires, removed = (
        _date(row, "decided", required=True),
        _date(row, "expires"),
        _date(row, "removed"),
    )
    for name, value in (("expires", expires), ("removed", removed)):
        if value and decided and value < decided:
            raise InvalidInput(f"{name} {value} is before decided {decided}", field=name)
    uid = f"listing:{listing_id}"
    out.node(
        "Listing",
        uid=uid,
        listing_id=listing_id,
        list_type=_text(row, "list_type", required=True),
        subject_uid=subject[1],
        authority=_text(row, "authority", required=True),
        decided=decided,
        expires=expires,
        removed=removed,
        removal_reason=_text(row, "removal_reason"),
        legal_basis=_text(row, "legal_basis"),
        region=_region(row),
    )
    out.rel(
        "LISTED",
        subject,
        ("Listing", uid),
        fields=("subject_id", "listing_id"),
        since=decided,
        until=removed or expires,
    )
    return out


def _violations(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    violation_id = _text(row, "violation_id", required=True) or ""
    subject = _subject(row, key)
    uid = f"violation:{violation_id}"
    decided = _date(row, "decided", required=True)
    out.node(
        "Violation",
        uid=uid,
        violation_id=violation_id,
        case_no=_text(row, "case_no"),
        kind=_text(row, "kind", required=True),
        authority=_text(row, "authority", required=True),
        decided=decided,
        penalty=_text(row, "penalty"),
        amount=_number(row, "amount", low=0),
        legal_basis=_text(row, "legal_basis"),
        region=_region(row),
    )
    out.rel(
        "PENALISED",
        subject,
        ("Violation", uid),
        fields=("subject_id", "violation_id"),
        since=decided,
    )
    return out


def _complainant(text: str, key: str) -> str:
    """A complainant as stored: a resident id number becomes the person's hashed uid.

    Complainants are usually businesses or alliances named in clear, but a person-owned
    brand's owner complains under an id number, which must never be stored in clear.
    """
    if ric.is_valid(text):
        return identity.person_uid(text, key)
    return text


def _reports(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    report_id = _text(row, "report_id", required=True) or ""
    uid = f"report:{report_id}"
    out.node(
        "InfringementReport",
        uid=uid,
        report_id=report_id,
        complainant=_complainant(_text(row, "complainant", required=True) or "", key),
        status=_choice(row, "status", ("pending", "confirmed", "rejected", "countered")),
        filed=_date(row, "filed", required=True),
        evidence=_text(row, "evidence"),
    )
    report = ("InfringementReport", uid)
    out.rel("REPORTS", report, _store(row, "store_id"), fields=("report_id", "store_id"))
    out.rel(
        "CONCERNS",
        report,
        ("Brand", f"brand:{_text(row, 'brand_id', required=True)}"),
        fields=("report_id", "brand_id"),
    )
    return out


def _licences(row: dict[str, str], key: str) -> Emitted:
    out = Emitted()
    business = _biz(row, "business_id")
    kind = licence_type(_text(row, "licence_type", required=True) or "")
    number = _text(row, "licence_no", required=True) or ""
    uid = licence_uid(kind.code, number)
    issued, expires = _date(row, "issued", required=True), _date(row, "expires")
    if issued and expires and expires < issued:
        raise InvalidInput(f"expires {expires} is before issued {issued}", field="expires")
    out.node(
        "Licence",
        uid=uid,
        licence_type=kind.code,
        licence_no=normalise_licence_no(number),
        holder_uid=business[1],
        authority=_text(row, "authority", required=True),
        issued=issued,
        expires=expires,
        status=_choice(row, "status", LICENCE_STATUSES, default="valid"),
    )
    out.rel(
        "HOLDS_LICENCE",
        business,
        ("Licence", uid),
        fields=("business_id", "licence_no"),
        since=issued,
        until=expires,
    )
    return out


MAPPINGS: tuple[FileMapping, ...] = (
    FileMapping(
        "businesses",
        ("business_id", "name"),
        ("status", "established", "registered_capital", "region", "address", "phone", "email"),
        _businesses,
        frozenset(
            {"Business", "Address", "Phone", "Email", "REGISTERED_AT", "HAS_PHONE", "HAS_EMAIL"}
        ),
    ),
    FileMapping(
        "people",
        ("person_id", "name"),
        ("id_type", "region", "address", "phone", "email"),
        _people,
        frozenset({"Person", "Address", "Phone", "Email", "HAS_ADDRESS", "HAS_PHONE", "HAS_EMAIL"}),
    ),
    FileMapping(
        "roles",
        ("business_id", "role"),
        ("person_id", "holder_type", "holder_id", "since", "until"),
        _roles,
        frozenset(set(_ROLE_TYPES.values())),
    ),
    FileMapping(
        "shareholdings",
        ("holder_type", "holder_id", "business_id"),
        ("share", "since", "until"),
        _shareholdings,
        frozenset({"SHAREHOLDER_OF"}),
    ),
    FileMapping(
        "stores",
        ("store_id", "name", "operator_type", "operator_id"),
        ("opened", "status", "region", "ship_from_address", "phone"),
        _stores,
        frozenset({"Store", "Address", "Phone", "OPERATES", "SHIPS_FROM", "HAS_PHONE"}),
    ),
    FileMapping(
        "brands",
        ("brand_id", "name"),
        ("owner_type", "owner_id"),
        _brands,
        frozenset({"Brand", "OWNS_BRAND"}),
    ),
    FileMapping(
        "accounts",
        ("account_id",),
        ("created", "phone"),
        _accounts,
        frozenset({"Account", "Phone", "HAS_PHONE"}),
    ),
    FileMapping(
        "waybills",
        ("waybill_id",),
        ("weight_kg", "shipped", "delivered", "receiver_address", "receiver_phone"),
        _waybills,
        frozenset({"Waybill", "Address", "Phone", "DELIVERED_TO", "HAS_PHONE"}),
    ),
    FileMapping(
        "orders",
        ("order_id", "account_id", "store_id", "placed"),
        ("amount", "waybill_id", "rating", "reviewed"),
        _orders,
        frozenset({"Order", "PLACED", "AT_STORE", "SHIPPED_BY"}),
    ),
    FileMapping(
        "listings",
        ("listing_id", "subject_type", "subject_id", "list_type", "authority", "decided"),
        ("expires", "removed", "removal_reason", "legal_basis", "region"),
        _listings,
        frozenset({"Listing", "LISTED"}),
    ),
    FileMapping(
        "violations",
        ("violation_id", "subject_type", "subject_id", "kind", "authority", "decided"),
        ("case_no", "penalty", "amount", "legal_basis", "region"),
        _violations,
        frozenset({"Violation", "PENALISED"}),
    ),
    FileMapping(
        "infringement_reports",
        ("report_id", "store_id", "brand_id", "complainant", "status", "filed"),
        ("evidence",),
        _reports,
        frozenset({"InfringementReport", "REPORTS", "CONCERNS"}),
    ),
    FileMapping(
        "licences",
        ("business_id", "licence_type", "licence_no", "authority", "issued"),
        ("expires", "status"),
        _licences,
        frozenset({"Licence", "HOLDS_LICENCE"}),
    ),
)
