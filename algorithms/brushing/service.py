"""Brushing-ring detection through the store port: detect, review, confirm or dismiss.

Reads and writes go only through :class:`~graph.store.GraphStore` (``query`` and
``query_table`` with the named Cypher in ``queries/rings/``, ``upsert_nodes``,
``upsert_relationships``, ``set_node_properties``), so the embedded store and Neo4j behave the same.

Detection
    :func:`load_orders` reads the order graph (``Account-PLACED->Order-AT_STORE->Store``,
    ``Order-SHIPPED_BY->Waybill``, the waybill's ``DELIVERED_TO`` address and ``HAS_PHONE``
    phone) as Arrow columns, two whole reads joined by order uid, into an
    :class:`~algorithms.brushing.signals.OrderTable`.  :func:`detect` runs
    :func:`~algorithms.brushing.rings.find_rings` on it and writes each ring as a
    ``BrushingRing`` node (``status = suspected``) with ``MEMBER_OF`` edges from its accounts
    (role ``account``) and the stores it boosts (role ``boosted_store``).  The same run
    scores every account and store with orders (:mod:`algorithms.brushing.scores`) and writes
    the calibrated score and its reasons on the nodes (:mod:`algorithms.brushing.score_store`).
Identity and re-runs
    A ring's uid is ``ring:`` plus a digest of its sorted member uids, so the same ring found
    again is the same node: a re-run updates score, reasons and evidence and never duplicates.
    A ring an officer reviewed keeps its status.  A suspected ring that a later run no longer
    finds becomes ``superseded`` (kept for the record, out of the default list).
Review
    Rings are suspicions, never punishments.  :func:`dismiss` records the officer's reason.
    :func:`confirm` alone creates a ``Violation`` (kind ``brushing``, 刷单炒信) ``PENALISED``
    on the operators of the boosted stores (the store itself where no operator is on record),
    then lists each of them (``online_serious_violation`` by default) through
    :func:`algorithms.propagation.service.add_listing`, so the joint-punishment rules take it
    up; the result reports the restrictions that followed.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict

from algorithms.brushing.rings import DEFAULT_PARAMS, Ring, RingParams, find_rings, order_tells
from algorithms.brushing.score_store import EntityScore, score_rows, scores_of
from algorithms.brushing.scores import EntityScores, score_entities
from algorithms.brushing.signals import OrderTable
from algorithms.propagation import service as punish
from algorithms.propagation.engine import Listing
from algorithms.propagation.rules import RuleSet, default_rules
from graph.errors import InvalidInput, NotFound
from graph.memory import release_free_heap
from graph.paging import decode_cursor, encode_cursor
from graph.schema import label_of_uid
from graph.store import GraphStore

__all__ = [
    "BRUSHING_LEGAL_BASIS",
    "DEFAULT_LIST_TYPE",
    "STATUSES",
    "Status",
    "CausedRestriction",
    "ConfirmationPlan",
    "DetectionReport",
    "EvidenceOrder",
    "OrderGraph",
    "ReviewResult",
    "RingDetail",
    "RingMember",
    "RingPage",
    "RingSummary",
    "SharedReceiver",
    "confirm",
    "confirmation_plan",
    "detect",
    "dismiss",
    "list_rings",
    "load_orders",
    "ring_detail",
    "as_ring_uid",
    "ring_uid",
]

Status = Literal["suspected", "confirmed", "dismissed", "superseded"]

#: Every status a ring can have; the default list shows all but ``superseded``.
STATUSES: tuple[Status, ...] = ("suspected", "confirmed", "dismissed", "superseded")

#: The legal basis written on a confirmed ring's violation and listings.
BRUSHING_LEGAL_BASIS = (
    "《中华人民共和国电子商务法》第十七条; 《中华人民共和国反不正当竞争法》第八条"
)

#: The list a confirmed ring puts the boosted stores' operators on.
DEFAULT_LIST_TYPE = "online_serious_violation"

#: Score rows written per call.
_WRITE_BATCH = 50_000
_SOURCE = "rings"
_OPERATOR_LABELS = ("Business", "Person")

IntArray = npt.NDArray[np.int64]


# -- output models -------------------------------------------------------------------------
class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class RingSummary(_Model):
    """A ring as listed: score, size, reasons and review state."""

    uid: str
    score: float
    n_accounts: int
    n_stores: int
    reasons: tuple[str, ...]
    status: Status
    reviewed_by: str | None = None
    review_reason: str | None = None
    reviewed_at: datetime | None = None
    violation_uid: str | None = None
    detection_run: str | None = None


class RingPage(_Model):
    """One page of rings, best score first; ``next`` resumes after it (None on the last)."""

    items: list[RingSummary]
    next: str | None = None


class RingMember(_Model):
    """A member of a ring: an account, or a store it boosts."""

    uid: str
    role: str
    name: str | None = None


class EvidenceOrder(_Model):
    """One order between a member and a ring store, with its waybill and receiver."""

    order_uid: str
    account: str
    store: str
    placed: datetime | None
    amount: float | None = None
    waybill: str | None = None
    weight_kg: float | None = None
    shipped: datetime | None = None
    delivered: datetime | None = None
    address: str | None = None
    address_text: str | None = None
    phone: str | None = None
    phone_number: str | None = None


class SharedReceiver(_Model):
    """A receiver address or phone that several member accounts shipped to."""

    kind: Literal["address", "phone"]
    uid: str
    text: str | None
    accounts: tuple[str, ...]
    orders: int


class RingDetail(RingSummary):
    """A ring with its members and evidence: orders, waybills, shared receivers."""

    accounts: tuple[str, ...]
    stores: tuple[RingMember, ...]
    orders: tuple[EvidenceOrder, ...]
    waybills: int
    shared_receivers: tuple[SharedReceiver, ...]
    member_scores: tuple[EntityScore, ...] = ()


class DetectionReport(_Model):
    """What one detection run read and wrote."""

    run_id: str
    orders: int
    accounts: int
    stores: int
    rings: tuple[RingSummary, ...]
    created: int
    updated: int
    kept_reviewed: int
    superseded: int
    seconds: float
    scored_accounts: int = 0
    scored_stores: int = 0


class CausedRestriction(_Model):
    """A restriction in force because of a confirmation."""

    subject_uid: str
    measure: str
    measure_name_zh: str
    measure_name_en: str
    rule_id: str
    listing_uid: str
    valid_from: date | None


class ReviewResult(_Model):
    """The outcome of a confirmation or dismissal."""

    ring: RingSummary
    violation_uid: str | None = None
    penalised: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    restrictions: tuple[CausedRestriction, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class OrderGraph:
    """The orders pulled from the store: the table the detector reads and its uids."""

    table: OrderTable
    order_uids: pa.Array  # strings, Arrow's: ten million orders as Python objects take a GB
    account_uids: npt.NDArray[np.object_]
    store_uids: npt.NDArray[np.object_]


# -- identity ------------------------------------------------------------------------------
def as_ring_uid(ring_id: str) -> str:
    """A ring uid from what a person typed: ``ring:`` + 16 hex digits, the prefix optional.

    >>> as_ring_uid(" 8CE8AA2A21CF26AF "), as_ring_uid("ring:8ce8aa2a21cf26af")
    ('ring:8ce8aa2a21cf26af', 'ring:8ce8aa2a21cf26af')
    """
    text = ring_id.strip().lower()
    digits = text.removeprefix("ring:")
    if len(digits) != 16 or any(c not in "0123456789abcdef" for c in digits):
        raise InvalidInput(f"{ring_id!r} is not a ring id (ring: and 16 hex digits)", field="ring")
    return f"ring:{digits}"


def ring_uid(account_uids: Iterable[str], store_uids: Iterable[str]) -> str:
    """The ring's uid: ``ring:`` and a digest of its sorted member uids (deterministic).

    Examples
    --------
    >>> ring_uid(["account:b", "account:a"], ["store:x"]) == ring_uid(["account:a",
    ...     "account:b"], ["store:x"])
    True
    """
    members = sorted({*account_uids, *store_uids})
    return "ring:" + hashlib.sha1("\n".join(members).encode()).hexdigest()[:16]


# -- loading -------------------------------------------------------------------------------
def load_orders(store: GraphStore) -> OrderGraph:
    """Pull every order with its buyer, store, waybill and receiver into arrays.

    Two reads, each a whole relationship pattern returned as Arrow columns
    (``rings/orders``, ``rings/order_waybills``), joined here by order uid: a page of orders
    joined to the relationship tables in the store costs a scan of each table per page,
    quadratic in the orders. Orders are in uid order; an order with several waybill rows
    keeps the one of the smallest waybill uid; orders without a buyer or store are absent.

    Raises
    ------
    InvalidInput
        If a timestamp cannot be read.
    """
    orders = store.query_table("rings/orders", pages_over="Order")
    if not orders.num_rows:
        orders = pa.table({name: pa.array([], pa.string()) for name in _ORDER_COLUMNS})
    orders = _first_per_order(orders, ["order_uid"])
    waybills = store.query_table("rings/order_waybills", pages_over="Order")
    if waybills.num_rows:
        waybills = _first_per_order(waybills, ["order_uid", "waybill"])
        # Both are in uid order, one row per order: each order's waybill row by lookup,
        # not a hash join (and a sort of its result) over every column.
        at = pc.index_in(orders.column("order_uid"), value_set=waybills.column("order_uid"))
        for name in waybills.column_names:
            if name != "order_uid":
                orders = orders.append_column(name, waybills.column(name).take(at))
        del waybills, at
    n = orders.num_rows

    def column(name: str) -> pa.ChunkedArray:
        if name in orders.column_names:
            return orders.column(name)
        return pa.chunked_array([pa.nulls(n)])

    accounts, account_uids = _codes(column("account"))
    stores, store_uids = _codes(column("store"))
    ratings = _floats(column("rating"))
    reviewed = bool(np.isfinite(ratings).any())
    table = OrderTable(
        account=accounts,
        store=stores,
        placed=_epochs(column("placed"), "placed"),
        weight_kg=_floats(column("weight_kg")),
        shipped=_epochs(column("shipped"), "shipped"),
        delivered=_epochs(column("delivered"), "delivered"),
        address=_codes(column("address"))[0],
        phone=_codes(column("phone"))[0],
        n_accounts=len(account_uids),
        n_stores=len(store_uids),
        rating=ratings if reviewed else None,
        reviewed=_epochs(column("reviewed"), "reviewed") if reviewed else None,
    )
    return OrderGraph(table, column("order_uid").combine_chunks(), account_uids, store_uids)


_ORDER_COLUMNS = ("order_uid", "account", "store", "placed", "rating", "reviewed")


def _first_per_order(table: pa.Table, keys: list[str]) -> pa.Table:
    """The table sorted by ``keys``, one row per order uid (the first); columns with no
    value at all are left out (a join cannot carry them; a missing column reads as null)."""
    typed = [n for n in table.column_names if not pa.types.is_null(table.schema.field(n).type)]
    table = table.select(typed)
    table = table.take(pc.sort_indices(table, [(k, "ascending") for k in keys]))
    uids = table.column("order_uid").combine_chunks()
    if len(uids) < 2:
        return table
    starts = np.ones(len(uids), dtype=bool)
    starts[1:] = pc.not_equal(uids[1:], uids[:-1]).to_numpy(zero_copy_only=False)
    return table.filter(pa.array(starts))


def _codes(values: pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.object_]]:
    """Dense integer codes in order of first appearance (-1 where null), and the uid of
    each code."""
    encoded = pc.dictionary_encode(values.combine_chunks() if values.num_chunks else values)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    uids = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    return codes, uids


def _floats(values: pa.ChunkedArray) -> npt.NDArray[np.float64]:
    """Numbers as float64, NaN where null."""
    if pa.types.is_null(values.type):
        return np.full(len(values), np.nan)
    cast = pc.cast(values, pa.float64())
    return np.asarray(pc.fill_null(cast, np.nan).to_numpy(), dtype=np.float64)


def _epochs(values: pa.ChunkedArray, field: str) -> npt.NDArray[np.int64]:
    """Epoch seconds of stored timestamps (naive values are UTC); -1 where unknown."""
    kind = values.type
    if pa.types.is_null(kind):
        return np.full(len(values), -1, dtype=np.int64)
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        whole = pa.timestamp("s", tz=getattr(kind, "tz", None))
        seconds = pc.cast(pc.cast(values, whole, safe=False), pa.int64())  # truncated
        return np.asarray(pc.fill_null(seconds, -1).to_numpy(), dtype=np.int64)
    return np.array([_epoch(v, field) for v in values.to_pylist()], dtype=np.int64)


def _epoch(value: Any, field: str) -> int:
    """Epoch seconds of one stored timestamp (naive values are UTC); -1 when unknown."""
    if value is None:
        return -1
    try:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            return calendar.timegm(value.utctimetuple())
        if isinstance(value, date):
            return calendar.timegm(value.timetuple())
    except ValueError:
        pass
    raise InvalidInput(f"not a timestamp: {value!r}", field=field)


# -- detection -----------------------------------------------------------------------------
def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class _Found:
    uid: str
    ring: Ring
    accounts: list[str]
    stores: list[str]
    orders: list[str]


def detect(
    store: GraphStore,
    params: RingParams = DEFAULT_PARAMS,
    *,
    run_id: str | None = None,
    now: datetime | None = None,
) -> DetectionReport:
    """Find brushing rings in the store's orders and write them back as suspected.

    Re-running is idempotent: the same ring keeps its uid; rings an officer reviewed keep
    their status; suspected rings not found again become ``superseded``.

    Raises
    ------
    InvalidInput
        If the parameters or the stored orders are refused.
    """
    started = time.perf_counter()
    moment = _now(now)
    run = run_id or f"rings-{moment:%Y%m%dT%H%M%S}"
    graph = load_orders(store)
    release_free_heap()  # the pages the read and join held, before scoring needs memory
    found: list[_Found] = []
    entity_scores: dict[str, tuple[EntityScores, npt.NDArray[np.object_]]] = {}
    if graph.table.n_orders:
        tells = order_tells(graph.table, params)
        rings = find_rings(graph.table, params, tells=tells)
        scored = score_entities(graph.table, params, rings=rings, tells=tells)
        entity_scores["Account"] = (scored.accounts, graph.account_uids)
        entity_scores["Store"] = (scored.stores, graph.store_uids)
        for ring in rings:
            accounts = sorted(str(u) for u in graph.account_uids[ring.accounts])
            stores = sorted(str(u) for u in graph.store_uids[ring.stores])
            orders = sorted(graph.order_uids.take(ring.evidence).to_pylist())
            found.append(_Found(ring_uid(accounts, stores), ring, accounts, stores, orders))
    found = list({f.uid: f for f in found}.values())
    existing = {
        row["uid"]: row["status"]
        for row in store.query("rings/rings_by_uid", {"uids": [f.uid for f in found]})
    }
    fresh, reviewed, refound = [], [], []
    for f in found:
        figures = {
            "uid": f.uid,
            "score": float(f.ring.score),
            "n_accounts": len(f.accounts),
            "n_stores": len(f.stores),
            "reasons": json.dumps(list(f.ring.reasons), ensure_ascii=False),
            "evidence": json.dumps(f.orders),
            "detection_run": run,
            "last_seen": moment,
        }
        status = existing.get(f.uid)
        if status is None:
            fresh.append(
                {
                    **figures,
                    "ring_id": f.uid.partition(":")[2],
                    "status": "suspected",
                    "source": _SOURCE,
                    "run_id": run,
                    "first_seen": moment,
                }
            )
        elif status in ("confirmed", "dismissed"):
            reviewed.append(figures)
        else:
            refound.append({**figures, "status": "suspected"})
    found_uids = {f.uid for f in found}
    stale = [
        {"uid": row["uid"], "status": "superseded"}
        for row in store.query("rings/rings_with_status", {"statuses": ["suspected"]})
        if row["uid"] not in found_uids
    ]
    members = {
        "Account": [
            {"rid": f"member:{f.uid}:{a}", "src": a, "dst": f.uid, "role": "account"}
            for f in found
            for a in f.accounts
        ],
        "Store": [
            {"rid": f"member:{f.uid}:{s}", "src": s, "dst": f.uid, "role": "boosted_store"}
            for f in found
            for s in f.stores
        ],
    }
    with store.transaction():
        if fresh:
            store.upsert_nodes("BrushingRing", fresh)
        for rows in (reviewed, refound, stale):
            if rows:
                store.set_node_properties("BrushingRing", rows)
        for label, edges in members.items():
            if edges:
                for edge in edges:
                    edge.update(source=_SOURCE, run_id=run)
                store.upsert_relationships("MEMBER_OF", label, "BrushingRing", edges)
        for label, (scores, uids) in entity_scores.items():
            for rows in score_rows(scores, uids, run, moment, batch=_WRITE_BATCH):
                store.set_node_properties(label, rows)
    statuses: dict[str, Status] = {
        f.uid: _status(existing.get(f.uid) or "suspected") for f in found
    }
    for f in found:
        if statuses[f.uid] == "superseded":
            statuses[f.uid] = "suspected"
    summaries = tuple(
        RingSummary(
            uid=f.uid,
            score=float(f.ring.score),
            n_accounts=len(f.accounts),
            n_stores=len(f.stores),
            reasons=f.ring.reasons,
            status=statuses[f.uid],
            detection_run=run,
        )
        for f in found
    )
    return DetectionReport(
        run_id=run,
        orders=graph.table.n_orders,
        accounts=graph.table.n_accounts,
        stores=graph.table.n_stores,
        rings=summaries,
        created=len(fresh),
        updated=len(refound),
        kept_reviewed=len(reviewed),
        superseded=len(stale),
        seconds=round(time.perf_counter() - started, 3),
        scored_accounts=_scored(entity_scores.get("Account")),
        scored_stores=_scored(entity_scores.get("Store")),
    )


def _scored(scores: tuple[EntityScores, Any] | None) -> int:
    return int(scores[0].has_orders.sum()) if scores else 0


def _status(value: str) -> Status:
    if value not in STATUSES:
        raise InvalidInput(f"unknown ring status {value!r}", field="status")
    return value


# -- reads ---------------------------------------------------------------------------------
def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.fromisoformat(str(value)).replace(tzinfo=None)


def _summary(row: Mapping[str, Any]) -> RingSummary:
    return RingSummary(
        uid=row["uid"],
        score=float(row["score"] or 0.0),
        n_accounts=int(row["n_accounts"] or 0),
        n_stores=int(row["n_stores"] or 0),
        reasons=tuple(json.loads(row["reasons"] or "[]")),
        status=_status(row["status"] or "suspected"),
        reviewed_by=row.get("reviewed_by"),
        review_reason=row.get("review_reason"),
        reviewed_at=_moment(row.get("reviewed_at")),
        violation_uid=row.get("violation_uid"),
        detection_run=row.get("detection_run"),
    )


def list_rings(
    store: GraphStore,
    statuses: Sequence[str] = ("suspected", "confirmed", "dismissed"),
    *,
    limit: int = 50,
    cursor: str | None = None,
) -> RingPage:
    """Rings with one of ``statuses``, best score first (ties by uid); one page of ``limit``
    from ``cursor`` (the ``next`` of the previous page; None for the first).

    Raises
    ------
    InvalidInput
        If a status is unknown, ``limit`` is outside 1..1000 or ``cursor`` is not one this
        list issued.
    """
    for status in statuses:
        _status(status)
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be 1..1000", field="limit")
    after = (0.0, "") if cursor is None else decode_cursor("rings", cursor, (float, str))
    rows = store.query(
        "rings/list",
        {
            "statuses": list(statuses),
            "first": cursor is None,
            "after_score": after[0],
            "after_uid": after[1],
            "limit": limit + 1,
        },
    )
    items = [_summary(row) for row in rows[:limit]]
    nxt = None
    if len(rows) > limit:
        nxt = encode_cursor("rings", (float(rows[limit - 1]["score"]), str(rows[limit - 1]["uid"])))
    return RingPage(items=items, next=nxt)


def _ring_row(store: GraphStore, uid: str) -> dict[str, Any]:
    if label_of_uid(uid) != "BrushingRing":
        raise InvalidInput(f"{uid!r} is not a ring uid (ring:…)", field="uid")
    rows = store.query("rings/ring", {"uid": uid})
    if not rows:
        raise NotFound(f"no brushing ring {uid!r}")
    return rows[0]


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def ring_detail(store: GraphStore, uid: str) -> RingDetail:
    """A ring with its members and evidence: the orders, their waybills, shared receivers.

    Raises
    ------
    NotFound
        No ring has this uid.
    InvalidInput
        The uid is not a ring uid.
    """
    row = _ring_row(store, uid)
    accounts = tuple(r["uid"] for r in store.query("rings/account_members", {"uid": uid}))
    stores = tuple(
        RingMember(uid=r["uid"], role=r["role"] or "boosted_store", name=r.get("name"))
        for r in store.query("rings/store_members", {"uid": uid})
    )
    order_uids = json.loads(row["evidence"] or "[]")
    orders: dict[str, EvidenceOrder] = {}
    for r in store.query("rings/evidence", {"uids": order_uids}):
        if r["order_uid"] in orders:
            continue
        orders[r["order_uid"]] = EvidenceOrder(
            order_uid=r["order_uid"],
            account=r["account"],
            store=r["store"],
            placed=_moment(r["placed"]),
            amount=_float(r["amount"]),
            waybill=r["waybill"],
            weight_kg=_float(r["weight_kg"]),
            shipped=_moment(r["shipped"]),
            delivered=_moment(r["delivered"]),
            address=r["address"],
            address_text=r["address_text"],
            phone=r["phone"],
            phone_number=r["phone_number"],
        )
    evidence = tuple(orders.values())
    return RingDetail(
        **_summary(row).model_dump(),
        accounts=accounts,
        stores=stores,
        orders=evidence,
        waybills=len({o.waybill for o in evidence if o.waybill}),
        shared_receivers=_shared(evidence),
        member_scores=tuple(scores_of(store, [*accounts, *(s.uid for s in stores)])),
    )


def _shared(orders: Sequence[EvidenceOrder]) -> tuple[SharedReceiver, ...]:
    """Receiver addresses and phones used by two or more member accounts, most shared first."""
    found: list[SharedReceiver] = []
    for kind in ("address", "phone"):
        users: dict[str, set[str]] = {}
        counts: dict[str, int] = {}
        texts: dict[str, str | None] = {}
        for order in orders:
            key = order.address if kind == "address" else order.phone
            if key is None:
                continue
            users.setdefault(key, set()).add(order.account)
            counts[key] = counts.get(key, 0) + 1
            texts[key] = order.address_text if kind == "address" else order.phone_number
        for key, accounts in users.items():
            if len(accounts) >= 2:
                found.append(
                    SharedReceiver(
                        kind=kind,
                        uid=key,
                        text=texts[key],
                        accounts=tuple(sorted(accounts)),
                        orders=counts[key],
                    )
                )
    return tuple(sorted(found, key=lambda s: (-len(s.accounts), s.kind, s.uid)))


# -- review --------------------------------------------------------------------------------
def _check_review(row: Mapping[str, Any], officer: str, reason: str) -> None:
    if not officer.strip():
        raise InvalidInput("name the officer who reviews the ring", field="officer")
    if not reason.strip():
        raise InvalidInput("give the reason for the decision", field="reason")
    if row["status"] in ("confirmed", "dismissed"):
        raise InvalidInput(f"ring {row['uid']} is already {row['status']}", field="status")


def dismiss(
    store: GraphStore, uid: str, officer: str, reason: str, *, now: datetime | None = None
) -> ReviewResult:
    """Dismiss a suspected ring with the officer's reason; nothing is punished.

    Raises
    ------
    NotFound
        No ring has this uid.
    InvalidInput
        Officer or reason is empty, or the ring was already reviewed.
    """
    row = _ring_row(store, uid)
    _check_review(row, officer, reason)
    review = {
        "uid": uid,
        "status": "dismissed",
        "reviewed_by": officer.strip(),
        "review_reason": reason.strip(),
        "reviewed_at": _now(now),
    }
    store.set_node_properties("BrushingRing", [review])
    return ReviewResult(ring=_summary(_ring_row(store, uid)))


def _penalised_subjects(store: GraphStore, stores: Sequence[str]) -> list[str]:
    """The operators of the boosted stores; a store with no operator on record stands for itself."""
    operators: dict[str, list[str]] = {s: [] for s in stores}
    for label in _OPERATOR_LABELS:
        for r in store.query(f"rings/{label.lower()}_operators", {"uids": list(stores)}):
            operators[r["store"]].append(r["operator"])
    subjects: dict[str, None] = {}
    for s in stores:
        for subject in sorted(operators[s]) or [s]:
            subjects[subject] = None
    return list(subjects)


@dataclass(frozen=True)
class ConfirmationPlan:
    """What confirming a ring would write: who is penalised and who is listed, on what."""

    ring_uid: str
    stores: tuple[str, ...]
    #: the operators of the boosted stores (a store without one stands for itself)
    penalised: tuple[str, ...]
    listings: tuple[Listing, ...]
    list_type: str
    #: False: the list type's reach keeps the violation at the boosted stores
    operator_listed: bool
    note: str | None = None


def confirmation_plan(
    store: GraphStore,
    uid: str,
    *,
    decided: date | None = None,
    list_type: str = DEFAULT_LIST_TYPE,
    rules: RuleSet | None = None,
    now: datetime | None = None,
) -> ConfirmationPlan:
    """The violation's subjects and the listings a confirmation of ``uid`` would record.

    Who is listed follows the list type's reach (the rules file): with ``other_stores``
    false the boosted stores themselves are listed, so the operator is reached through its
    store (the ``store_operator`` rule) and its other stores are not; otherwise the
    operators are listed and the rules reach every store they run. Writes nothing.

    Raises
    ------
    NotFound
        No ring has this uid.
    InvalidInput
        The ring boosts no store on record.
    """
    rules = rules or default_rules()
    row = _ring_row(store, uid)
    if row["status"] in ("confirmed", "dismissed"):
        raise InvalidInput(f"ring {uid} is already {row['status']}", field="status")
    day = decided or _now(now).date()
    stores = [r["uid"] for r in store.query("rings/store_members", {"uid": uid})]
    if not stores:
        raise InvalidInput(f"ring {uid} boosts no store on record", field="uid")
    penalised = _penalised_subjects(store, stores)
    ring_id = uid.partition(":")[2]
    lt = rules.list_type_by_id.get(list_type)
    if lt is None:
        note = f"the rules have no list type {list_type!r}: violation recorded, nobody listed"
        return ConfirmationPlan(uid, tuple(stores), tuple(penalised), (), list_type, False, note)
    operator_listed = lt.reach.other_stores
    listed = penalised if operator_listed else stores
    listings = []
    for subject in listed:
        digest = hashlib.sha1(subject.encode()).hexdigest()[:8]
        listings.append(
            Listing(
                uid=f"listing:brushing-{ring_id}-{digest}",
                subject_uid=subject,
                list_type=list_type,
                decided=day,
                legal_basis=BRUSHING_LEGAL_BASIS,
            )
        )
    return ConfirmationPlan(
        uid, tuple(stores), tuple(penalised), tuple(listings), list_type, operator_listed
    )


def confirm(
    store: GraphStore,
    uid: str,
    officer: str,
    reason: str,
    *,
    decided: date | None = None,
    authority: str | None = None,
    region: str | None = None,
    case_no: str | None = None,
    list_type: str = DEFAULT_LIST_TYPE,
    rules: RuleSet | None = None,
    now: datetime | None = None,
) -> ReviewResult:
    """Confirm a suspected ring: a violation, listings, and the restrictions that follow.

    The ``Violation`` (kind ``brushing``) is ``PENALISED`` on every operator of a boosted
    store (the store itself where none is on record).  The listings of
    :func:`confirmation_plan` (the boosted stores, or their operators where the list type's
    reach lets a store's violation reach the operator's other stores) are then recorded
    through the joint-punishment service, which derives the restrictions its rules give.
    Violation and listings are written before the ring is marked confirmed, with
    deterministic uids, so a confirmation interrupted half way can simply be repeated.

    Raises
    ------
    NotFound
        No ring has this uid.
    InvalidInput
        Officer or reason is empty, the ring was already reviewed, or the ring boosts no
        store.
    """
    rules = rules or default_rules()
    row = _ring_row(store, uid)
    _check_review(row, officer, reason)
    moment = _now(now)
    day = decided or moment.date()
    plan = confirmation_plan(store, uid, decided=day, list_type=list_type, rules=rules, now=now)
    subjects = list(plan.penalised)
    ring_id = uid.partition(":")[2]
    violation = f"violation:brushing-{ring_id}"
    with store.transaction():
        store.upsert_nodes(
            "Violation",
            [
                {
                    "uid": violation,
                    "violation_id": f"brushing-{ring_id}",
                    "case_no": case_no,
                    "kind": "brushing",
                    "authority": authority,
                    "decided": day,
                    "penalty": "刷单炒信 (fake orders to inflate sales and reputation): "
                    + reason.strip(),
                    "legal_basis": BRUSHING_LEGAL_BASIS,
                    "region": region,
                    "source": _SOURCE,
                    "first_seen": moment,
                    "last_seen": moment,
                }
            ],
        )
        by_label: dict[str, list[dict[str, Any]]] = {}
        for subject in subjects:
            by_label.setdefault(label_of_uid(subject) or "Store", []).append(
                {"rid": f"penalised:{violation}:{subject}", "src": subject, "dst": violation}
            )
        for label, edges in by_label.items():
            store.upsert_relationships("PENALISED", label, "Violation", edges)
    listings: list[str] = []
    note = plan.note
    for listing in plan.listings:
        punish.add_listing(store, listing, rules, authority=authority, region=region, now=moment)
        listings.append(listing.uid)
    caused = [
        CausedRestriction(
            subject_uid=r["subject_uid"],
            measure=r["measure"],
            measure_name_zh=r["measure_name_zh"] or r["measure"],
            measure_name_en=r["measure_name_en"] or r["measure"],
            rule_id=r["rule_id"],
            listing_uid=r["listing_uid"],
            valid_from=_day(r["valid_from"]),
        )
        for r in (
            store.query_by_uids("punish/current_restrictions_of_listings", listings)
            if listings
            else []
        )
    ]
    store.set_node_properties(
        "BrushingRing",
        [
            {
                "uid": uid,
                "status": "confirmed",
                "reviewed_by": officer.strip(),
                "review_reason": reason.strip(),
                "reviewed_at": moment,
                "violation_uid": violation,
            }
        ],
    )
    return ReviewResult(
        ring=_summary(_ring_row(store, uid)),
        violation_uid=violation,
        penalised=tuple(subjects),
        listings=tuple(listings),
        restrictions=tuple(sorted(caused, key=lambda c: (c.subject_uid, c.measure, c.listing_uid))),
        note=note,
    )
