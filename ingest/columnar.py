"""Column-at-a-time conversion of a chunk of input rows into node and relationship batches.

The row converters in ``ingest.mappings`` stay the reference. Here the high-volume files
are converted a column at a time: every value check and normalisation is the mapping's own
helper applied **once per distinct value** of its column (``pandas.factorize``), so a USCC,
person id, address, phone, date or status that recurs is checked and normalised once per
chunk. Checks spanning columns (``until`` before ``since``, a holder that is the business)
are vectorised comparisons.

A row any check refuses is not converted here: it goes to the row converter, which either
converts it (a value the column path was unsure of) or raises ``InvalidInput`` naming the
field, exactly as a row-by-row run would. So every quarantine reason is the reference's,
and a converted row is identical to the reference's by construction of the helpers;
``tests/unit/test_columnar.py`` holds the two paths equal on generated data with planted
bad rows. Files without a column converter go through the row converter entirely.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.errors import InvalidInput
from graph.identity import hash_person_id
from ingest import mappings as m

__all__ = ["Converted", "NodeBatch", "RelBatch", "convert_chunk", "has_column_converter"]

Objects = npt.NDArray[np.object_]
Flags = npt.NDArray[np.bool_]
Rows = npt.NDArray[np.int64]


@dataclass
class NodeBatch:
    """Nodes of one label asserted by rows of a chunk; ``rows`` are the input row numbers."""

    label: str
    rows: Rows
    columns: dict[str, Objects]


@dataclass
class RelBatch:
    """Relationships of one type between two labels asserted by rows of a chunk.

    ``order`` is where the relationship comes among those its row asserts and ``fields``
    the columns its two ends came from: a row with a missing end is reported on the
    first such end, as the row converter orders them.
    """

    type: str
    src_label: str
    dst_label: str
    rows: Rows
    columns: dict[str, Objects]
    order: int = 0
    fields: tuple[str, str] = ("", "")


@dataclass
class Converted:
    """What a chunk produced: batches of nodes and relationships, and refused rows."""

    nodes: list[NodeBatch] = field(default_factory=list)
    rels: list[RelBatch] = field(default_factory=list)
    #: (row number, field, reason) of every row a value check refused.
    bad: list[tuple[int, str, str]] = field(default_factory=list)


#: Values with white space at either end (``str.isspace``'s set: ASCII controls, the
#: information separators, NEL and Unicode separators); only these need ``str.strip``.
_SPACE = r"[\t-\r\x{1c}-\x{20}\x{85}\p{Z}]"
_EDGE_SPACE = f"^{_SPACE}|{_SPACE}$"
#: ``YYYY-MM-DDTHH:MM:SS`` with a valid time of day (the date is checked per distinct value).
_CANONICAL_TS = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
#: Decimals Arrow parses as ``float()`` does.
_PLAIN_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$"


class _Columns:
    """A chunk's columns (text, '' when empty or absent) and the rows found suspect."""

    def __init__(self, frame: pd.DataFrame, key: str) -> None:
        self.frame = frame
        self.key = key
        self.n = len(frame)
        self.suspect: Flags = np.zeros(self.n, dtype=bool)

    def raw(self, name: str) -> Objects:
        if name not in self.frame.columns:
            return np.full(self.n, "", dtype=object)
        return np.asarray(self.frame[name].to_numpy(dtype=object))

    def apply(
        self, values: Objects, fn: Callable[[Any], Any], at: npt.NDArray[np.intp] | None = None
    ) -> Objects:
        """``fn`` once per distinct value; a value it refuses marks its rows suspect (None).

        ``at``: the chunk positions of ``values`` when they are not the whole column."""
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        out = np.empty(len(uniques), dtype=object)
        failed = np.zeros(len(uniques), dtype=bool)
        for i, value in enumerate(uniques):
            if value is None or (isinstance(value, float) and value != value):
                out[i] = None  # a value an earlier check refused or left empty
                continue
            try:
                out[i] = fn(value)
            except (InvalidInput, ValueError, KeyError):
                failed[i] = True
        if at is None:
            self.suspect |= failed[codes]
        else:
            self.suspect[at[failed[codes]]] = True
        return np.asarray(out[codes])

    def field(self, name: str, helper: Callable[..., Any], **kw: Any) -> Objects:
        """A mapping helper that reads one column, applied per distinct value of it."""
        return self.apply(self.raw(name), lambda v: helper({name: v}, name, **kw))

    def text(self, name: str, *, required: bool = False) -> Objects:
        """``mappings._text``: stripped (``str.strip``), None when empty."""
        raw = self.raw(name)
        values = raw.copy()
        edges = pc.match_substring_regex(pa.array(raw, pa.string()), _EDGE_SPACE)
        for i in np.flatnonzero(edges.to_numpy(zero_copy_only=False)):
            values[i] = raw[i].strip()
        empty = np.asarray(values == "", dtype=bool)
        values[empty] = None
        if required:
            self.suspect |= empty
        return values

    def date(self, name: str, *, required: bool = False) -> Objects:
        return self.field(name, m._date, required=required)

    def timestamp(self, name: str, *, required: bool = False) -> Objects:
        """``mappings._timestamp``: canonical values checked a column at a time (the date
        part once per distinct date), any other form by the helper per distinct value."""
        values = self.text(name, required=required)
        text = pa.array(values, pa.string())
        canonical = pc.fill_null(pc.match_substring_regex(text, _CANONICAL_TS), False)
        flags = np.asarray(canonical.to_numpy(zero_copy_only=False), dtype=bool)
        days = pc.utf8_slice_codeunits(text, 0, 10).to_numpy(zero_copy_only=False)
        days = np.asarray(np.where(flags, days, None), dtype=object)
        self.apply(days, lambda v: date.fromisoformat(v))
        other = np.flatnonzero(~flags & _present(values))
        if len(other):
            values[other] = self.apply(
                values[other], lambda v: m._timestamp({name: v}, name, required=required), other
            )
        return values

    def number(
        self,
        name: str,
        *,
        low: float | None = None,
        high: float | None = None,
        required: bool = False,
    ) -> Objects:
        """``mappings._number``: plain decimals parsed by Arrow (correctly rounded, as
        ``float``), other forms by the helper per distinct value; bounds per column."""
        values = self.text(name, required=required)
        text = pa.array(values, pa.string())
        plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN_NUMBER), False)
        flags = np.asarray(plain.to_numpy(zero_copy_only=False), dtype=bool)
        out = np.full(len(values), None, dtype=object)
        at = np.flatnonzero(flags)
        try:
            parsed = pc.cast(text.filter(plain), pa.float64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            at, parsed = np.zeros(0, dtype=np.intp), np.zeros(0)
            flags[:] = False
        refused = np.isnan(parsed)
        if low is not None:
            refused |= parsed < low
        if high is not None:
            refused |= parsed > high
        self.suspect[at[refused]] = True
        out[at] = parsed.tolist()
        other = np.flatnonzero(~flags & _present(values))
        if len(other):
            out[other] = self.apply(
                values[other],
                lambda v: m._number({name: v}, name, low=low, high=high, required=required),
                other,
            )
        return out

    def prefixed(self, prefix: str, name: str, *, required: bool = True) -> Objects:
        """``identity.prefixed`` on ``name``'s text: ``prefix:namespace:id``."""
        values = self.text(name, required=required)
        text = pa.array(values, pa.string())
        ok = pc.and_(
            pc.match_substring(text, ":"),
            pc.invert(pc.or_(pc.starts_with(text, ":"), pc.ends_with(text, ":"))),
        )
        refused = np.asarray(
            pc.fill_null(pc.invert(ok), False).to_numpy(zero_copy_only=False), dtype=bool
        )
        self.suspect |= refused
        joined = pc.binary_join_element_wise(prefix, text, ":")
        return np.asarray(joined.to_numpy(zero_copy_only=False))

    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> Objects:
        return self.apply(
            self.raw(name), lambda v: m._choice({name: v}, name, choices, default=default)
        )

    def region(self) -> Objects:
        return self.apply(self.raw("region"), lambda v: m._region({"region": v}))

    def pair(self, a: Objects, b: Objects, fn: Callable[[Any, Any], Any]) -> Objects:
        """``fn(a, b)`` once per distinct pair of values."""
        joined = np.empty(len(a), dtype=object)
        joined[:] = list(zip(a, b, strict=True))
        return self.apply(joined, lambda v: fn(*v))

    def check(self, bad: Flags) -> None:
        self.suspect |= bad


def _parts(values: Objects, n: int) -> list[Objects]:
    """Unzip an array of n-tuples (None where the row is suspect) into n arrays."""
    out = [np.empty(len(values), dtype=object) for _ in range(n)]
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    for k in range(n):
        out[k] = np.asarray(
            _objects([u[k] if isinstance(u, tuple) else None for u in uniques])[codes]
        )
    return out


def _objects(values: list[Any]) -> Objects:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _present(values: Objects) -> Flags:
    return np.asarray(pd.notna(values) & (values != ""), dtype=bool)


def _before(later: Objects, earlier: Objects) -> Flags:
    """Rows where both are set and ``later`` < ``earlier`` (ISO strings compare in order)."""
    both = _present(later) & _present(earlier)
    out = np.zeros(len(later), dtype=bool)
    idx = np.flatnonzero(both)
    out[idx] = later[idx].astype(str) < earlier[idx].astype(str)
    return out


class _Out:
    """Batches under construction; masks select the rows that assert each batch."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows
        self.nodes: list[tuple[Flags | None, NodeBatch]] = []
        self.rels: list[tuple[Flags | None, RelBatch]] = []

    def node(self, label: str, where: Flags | None = None, **columns: Objects) -> None:
        self.nodes.append((where, NodeBatch(label, self.rows, dict(columns))))

    def rel(
        self,
        rel_type: str,
        src: tuple[str, Objects],
        dst: tuple[str, Objects],
        *,
        order: int,
        where: Flags | None = None,
        fields: tuple[str, str] = ("", ""),
        rid: Objects | None = None,
        **props: Objects,
    ) -> None:
        if rid is None:
            rid = _join(f"{rel_type}:", src[1], "->", dst[1])
        columns = {"rid": rid, "src": src[1], "dst": dst[1], **props}
        batch = RelBatch(rel_type, src[0], dst[0], self.rows, columns, order, fields)
        self.rels.append((where, batch))

    def done(self, keep: Flags) -> tuple[list[NodeBatch], list[RelBatch]]:
        def cut(where: Flags | None, rows: Rows, columns: dict[str, Objects]) -> Any:
            mask = keep if where is None else keep & where
            return rows[mask], {k: v[mask] for k, v in columns.items()}

        nodes = []
        for where, b in self.nodes:
            rows, columns = cut(where, b.rows, b.columns)
            if len(rows):
                nodes.append(NodeBatch(b.label, rows, columns))
        rels = []
        for where, r in self.rels:
            rows, columns = cut(where, r.rows, r.columns)
            if len(rows):
                rels.append(
                    RelBatch(r.type, r.src_label, r.dst_label, rows, columns, r.order, r.fields)
                )
        return nodes, rels


def _fill(n: int, value: Any) -> Objects:
    return np.full(n, value, dtype=object)


def _address(
    out: _Out, c: _Columns, rel_type: str, owner: tuple[str, Objects], text: Objects, order: int
) -> None:
    has = _present(text)
    uid = c.apply(text, lambda v: m.address_uid(v) if v else None)
    norm = c.apply(text, lambda v: m.normalise_address(v) if v else None)
    out.node("Address", has, uid=uid, text=norm)
    out.rel(rel_type, owner, ("Address", uid), order=order, where=has)


def _phone(out: _Out, c: _Columns, owner: tuple[str, Objects], phone: Objects, order: int) -> None:
    has = _present(phone)
    uid = c.apply(phone, lambda v: m.phone_uid(v) if v else None)
    number = c.apply(phone, lambda v: m.normalise_phone(v) if v else None)
    out.node("Phone", has, uid=uid, number=number)
    out.rel("HAS_PHONE", owner, ("Phone", uid), order=order, where=has)


def _email(out: _Out, c: _Columns, owner: tuple[str, Objects], email: Objects, order: int) -> None:
    has = _present(email)
    uid = c.apply(email, lambda v: m.email_uid(v) if v else None)
    address = c.apply(uid, lambda v: v.removeprefix("email:") if v else None)
    out.node("Email", has, uid=uid, address=address)
    out.rel("HAS_EMAIL", owner, ("Email", uid), order=order, where=has)


def _biz(c: _Columns, name: str) -> Objects:
    return c.apply(c.raw(name), lambda v: m._biz({name: v}, name)[1])


def _split(uid: Objects, prefix: str) -> list[Objects]:
    """``namespace`` and ``id`` of ``prefix:namespace:id`` uids."""
    rest = pc.utf8_slice_codeunits(pa.array(uid, pa.string()), len(prefix))
    parts = pc.split_pattern(rest, ":", max_splits=1)
    return [np.asarray(pc.list_element(parts, k).to_numpy(zero_copy_only=False)) for k in (0, 1)]


def _join(*parts: str | Objects) -> Objects:
    """Strings joined row by row (null where a part is null)."""
    arrays = [p if isinstance(p, str) else pa.array(p, pa.string()) for p in parts]
    return np.asarray(pc.binary_join_element_wise(*arrays, "").to_numpy(zero_copy_only=False))


def _or_empty(values: Objects) -> Objects:
    out = values.copy()
    out[~_present(values)] = ""
    return out


def _party(c: _Columns, kind: Objects, ident: Objects, name: str) -> tuple[Objects, Objects]:
    """(label, uid) per row of a kind/id column pair, as ``mappings._party``."""
    party = c.pair(kind, ident, lambda k, v: m._party(k, v, c.key, name) if k and v else None)
    label, uid = _parts(party, 2)
    return label, uid


def _labelled(
    out: _Out,
    rel_type: str,
    src: tuple[Objects, Objects],
    dst: tuple[str, Objects],
    labels: Sequence[str],
    **kw: Any,
) -> None:
    """One relationship batch per source label (a party may be a business or a person)."""
    for label in labels:
        where = np.asarray(src[0] == label, dtype=bool)
        out.rel(rel_type, (label, src[1]), dst, where=where, **kw)


def _businesses(c: _Columns, out: _Out) -> None:
    uid = _biz(c, "business_id")
    uscc, jurisdiction, registry_no = _parts(
        c.apply(uid, lambda v: _business_ids(v) if v else None), 3
    )
    address = c.text("address")
    out.node(
        "Business",
        uid=uid,
        uscc=uscc,
        jurisdiction=jurisdiction,
        registry_no=registry_no,
        name=c.text("name", required=True),
        status=c.choice("status", ("active", "revoked", "cancelled", "abnormal"), "active"),
        established=c.date("established"),
        registered_capital=c.number("registered_capital", low=0),
        region=c.region(),
        address=address,
        phone=c.text("phone"),
        email=c.text("email"),
    )
    owner = ("Business", uid)
    _address(out, c, "REGISTERED_AT", owner, address, 0)
    _phone(out, c, owner, c.text("phone"), 1)
    _email(out, c, owner, c.text("email"), 2)


def _business_ids(uid: str) -> tuple[str | None, str, str]:
    raw = uid.removeprefix("biz:")
    if ":" in raw:
        return None, raw.split(":")[0], raw.split(":", 1)[1]
    return raw, "CN", raw


def _people(c: _Columns, out: _Out) -> None:
    id_type = c.choice("id_type", ("ric", "passport", "other"), "ric")
    ident = c.text("person_id", required=True)
    person = c.pair(ident, id_type, lambda v, t: hash_person_id(v, c.key, t) if v and t else None)
    uid, id_hash, id_masked = _parts(
        c.apply(person, lambda p: (p.uid, p.id_hash, p.id_masked) if p else None), 3
    )
    out.node(
        "Person",
        uid=uid,
        id_hash=id_hash,
        id_masked=id_masked,
        id_type=id_type,
        name=c.text("name", required=True),
        region=c.region(),
    )
    owner = ("Person", uid)
    _phone(out, c, owner, c.text("phone"), 0)
    _email(out, c, owner, c.text("email"), 1)


def _since_until(c: _Columns) -> tuple[Objects, Objects]:
    since, until = c.date("since"), c.date("until")
    c.check(_before(until, since))
    return since, until


def _roles(c: _Columns, out: _Out) -> None:
    role = c.choice("role", tuple(m._ROLE_TYPES))
    person = c.apply(
        c.raw("person_id"), lambda v: m._person({"person_id": v}, "person_id", c.key)[1]
    )
    business = _biz(c, "business_id")
    since, until = _since_until(c)
    rel_types = c.apply(role, lambda v: m._ROLE_TYPES[v])
    rid = _join(rel_types, ":", person, "->", business, ":", _or_empty(since))
    for rel_type in m._ROLE_TYPES.values():
        extra = {"computed": _fill(c.n, False)} if rel_type == "ACTUAL_CONTROLLER_OF" else {}
        out.rel(
            rel_type,
            ("Person", person),
            ("Business", business),
            order=0,
            where=np.asarray(rel_types == rel_type, dtype=bool),
            fields=("person_id", "business_id"),
            rid=rid,
            since=since,
            until=until,
            **extra,
        )


def _shareholdings(c: _Columns, out: _Out) -> None:
    holder_type = c.choice("holder_type", ("person", "business"))
    label, holder = _party(c, holder_type, c.text("holder_id", required=True), "holder_id")
    business = _biz(c, "business_id")
    c.check(np.asarray((label == "Business") & (holder == business), dtype=bool))
    share = c.number("share", low=0.0, high=1.0, required=True)
    since, until = _since_until(c)
    rid = _join("SHAREHOLDER_OF:", holder, "->", business, ":", _or_empty(since))
    _labelled(
        out,
        "SHAREHOLDER_OF",
        (label, holder),
        ("Business", business),
        ("Person", "Business"),
        order=0,
        fields=("holder_id", "business_id"),
        rid=rid,
        share=share,
        since=since,
        until=until,
    )


def _prefixed(c: _Columns, prefix: str, name: str, *, required: bool = True) -> Objects:
    return c.prefixed(prefix, name, required=required)


def _stores(c: _Columns, out: _Out) -> None:
    uid = _prefixed(c, "store", "store_id")
    platform, shop_id = _split(uid, "store:")
    opened = c.date("opened")
    out.node(
        "Store",
        uid=uid,
        platform=platform,
        shop_id=shop_id,
        name=c.text("name", required=True),
        opened=opened,
        status=c.choice("status", ("open", "closed", "suspended"), "open"),
        region=c.region(),
    )
    operator_type = c.choice("operator_type", ("business", "person"))
    label, operator = _party(c, operator_type, c.text("operator_id", required=True), "operator_id")
    _labelled(
        out,
        "OPERATES",
        (label, operator),
        ("Store", uid),
        ("Business", "Person"),
        order=0,
        fields=("operator_id", "store_id"),
        since=opened,
    )
    store = ("Store", uid)
    _address(out, c, "SHIPS_FROM", store, c.text("ship_from_address"), 1)
    _phone(out, c, store, c.text("phone"), 2)


def _accounts(c: _Columns, out: _Out) -> None:
    uid = _prefixed(c, "account", "account_id")
    platform, account_id = _split(uid, "account:")
    out.node(
        "Account", uid=uid, platform=platform, account_id=account_id, created=c.date("created")
    )
    _phone(out, c, ("Account", uid), c.text("phone"), 0)


def _waybills(c: _Columns, out: _Out) -> None:
    uid = _prefixed(c, "waybill", "waybill_id")
    carrier, number = _split(uid, "waybill:")
    shipped, delivered = c.timestamp("shipped"), c.timestamp("delivered")
    c.check(_before(delivered, shipped))
    out.node(
        "Waybill",
        uid=uid,
        carrier=carrier,
        waybill_no=number,
        weight_kg=c.number("weight_kg", low=0),
        shipped=shipped,
        delivered=delivered,
    )
    waybill = ("Waybill", uid)
    _address(out, c, "DELIVERED_TO", waybill, c.text("receiver_address"), 0)
    _phone(out, c, waybill, c.text("receiver_phone"), 1)


def _orders(c: _Columns, out: _Out) -> None:
    uid = _prefixed(c, "order", "order_id")
    platform, order_id = _split(uid, "order:")
    out.node(
        "Order",
        uid=uid,
        platform=platform,
        order_id=order_id,
        placed=c.timestamp("placed", required=True),
        amount=c.number("amount", low=0),
    )
    order = ("Order", uid)
    account = _prefixed(c, "account", "account_id")
    out.rel("PLACED", ("Account", account), order, order=0, fields=("account_id", "order_id"))
    store = _prefixed(c, "store", "store_id")
    out.rel("AT_STORE", order, ("Store", store), order=1, fields=("order_id", "store_id"))
    waybill = _prefixed(c, "waybill", "waybill_id", required=False)
    out.rel(
        "SHIPPED_BY",
        order,
        ("Waybill", waybill),
        order=2,
        where=_present(waybill),
        fields=("order_id", "waybill_id"),
    )


_CONVERTERS: dict[str, Callable[[_Columns, _Out], None]] = {
    "businesses": _businesses,
    "people": _people,
    "roles": _roles,
    "shareholdings": _shareholdings,
    "stores": _stores,
    "accounts": _accounts,
    "waybills": _waybills,
    "orders": _orders,
}


def has_column_converter(name: str) -> bool:
    """Whether file kind ``name`` is converted a column at a time (else row by row)."""
    return name in _CONVERTERS


def convert_chunk(
    mapping: m.FileMapping, frame: pd.DataFrame, rows: Rows, key: str, *, columnar: bool = True
) -> Converted:
    """Convert a chunk (text columns; ``rows`` its input row numbers) into batches.

    ``columnar=False`` converts every row with the row converter (the reference).
    """
    result = Converted()
    convert = _CONVERTERS.get(mapping.name) if columnar else None
    if convert is not None:
        columns = _Columns(frame, key)
        out = _Out(rows)
        convert(columns, out)
        result.nodes, result.rels = out.done(~columns.suspect)
        by_row = np.flatnonzero(columns.suspect)
    else:
        by_row = np.arange(len(frame))
    if len(by_row):
        _by_row(mapping, frame, rows, by_row, key, result)
    return result


def _by_row(
    mapping: m.FileMapping,
    frame: pd.DataFrame,
    rows: Rows,
    positions: npt.NDArray[np.intp],
    key: str,
    result: Converted,
) -> None:
    """The row converter on the rows at ``positions``, gathered into batches."""
    names = [str(c) for c in frame.columns]
    values_of = [frame[c].to_numpy(dtype=object)[positions] for c in frame.columns]
    nodes: dict[str, tuple[list[int], list[dict[str, Any]]]] = {}
    rels: dict[
        tuple[str, str, str, int, tuple[str, str]], tuple[list[int], list[dict[str, Any]]]
    ] = {}
    convert = mapping.convert
    for i, values in enumerate(zip(*values_of, strict=True)):
        row_no = int(rows[positions[i]])
        try:
            emitted = convert(dict(zip(names, values, strict=True)), key)
        except InvalidInput as exc:
            result.bad.append((row_no, exc.field or "", exc.reason))
            continue
        for node in emitted.nodes:
            entry = nodes.setdefault(node.label, ([], []))
            entry[0].append(row_no)
            entry[1].append(node.props)
        for order, rel in enumerate(emitted.rels):
            group = (rel.type, rel.src_label, rel.dst_label, order, rel.fields)
            entry = rels.setdefault(group, ([], []))
            entry[0].append(row_no)
            entry[1].append(rel.props)
    for label, (row_nos, props) in nodes.items():
        result.nodes.append(NodeBatch(label, np.asarray(row_nos, dtype=np.int64), _columns(props)))
    for (rel_type, src, dst, order, fields), (row_nos, props) in rels.items():
        result.rels.append(
            RelBatch(
                rel_type,
                src,
                dst,
                np.asarray(row_nos, dtype=np.int64),
                _columns(props),
                order,
                fields,
            )
        )


def _columns(rows: list[dict[str, Any]]) -> dict[str, Objects]:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return {name: _objects([row.get(name) for row in rows]) for name in names}
