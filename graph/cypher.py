"""Statements rendered from ``queries/`` templates and ``graph.schema`` for one dialect.

Only schema names (labels, relationship types, property names) fill template slots;
values are always parameters. Values travel as ISO strings for dates and timestamps and
are cast in Cypher, because LadybugDB infers a parameter's type from its Python value and
a batch column that is all ``None`` would otherwise be taken for a string.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, overload

from graph.errors import InvalidInput
from graph.schema import NODE_BY_LABEL, REL_BY_TYPE, Prop, PropType
from queries import load_query

__all__ = [
    "CASTS",
    "ColumnRows",
    "column_ref",
    "encode_columns",
    "quote",
    "render",
    "render_node_upsert",
    "render_rel_upsert",
    "render_set_properties",
]

#: How each dialect turns a parameter into a typed value.
CASTS: dict[str, dict[PropType, str]] = {
    "ladybug": {
        PropType.STRING: "{}",
        PropType.INT: "CAST({} AS INT64)",
        PropType.DOUBLE: "CAST({} AS DOUBLE)",
        PropType.BOOL: "CAST({} AS BOOL)",
        PropType.DATE: "date({})",
        PropType.TIMESTAMP: "timestamp({})",
    },
    "neo4j": {
        PropType.STRING: "{}",
        PropType.INT: "toInteger({})",
        PropType.DOUBLE: "toFloat({})",
        PropType.BOOL: "toBoolean({})",
        PropType.DATE: "date({})",
        PropType.TIMESTAMP: "localdatetime({})",
    },
}


#: Slots that hold a label or relationship type: quoted, since ``Order`` is a keyword.
_NAME_SLOTS = ("label", "src_label", "dst_label", "rel_type")


def quote(name: str) -> str:
    """A schema name quoted for Cypher."""
    return f"`{name}`"


def render(name: str, dialect: str, **slots: str) -> str:
    """Load a template and fill its slots (schema names only, labels and types quoted)."""
    filled = {k: quote(v) if k in _NAME_SLOTS else v for k, v in slots.items()}
    return load_query(name, dialect).format(**filled)


def column_ref(name: str, dialect: str, unwind: bool = False) -> str:
    """How a statement refers to a batch column: ``row.x`` after UNWIND (Neo4j, or
    LadybugDB with ``unwind``), or the bare column after LadybugDB's ``LOAD FROM`` (quoted,
    since ``until`` is a keyword)."""
    return f"`{name}`" if dialect == "ladybug" and not unwind else f"row.{name}"


def _assign(var: str, props: Iterable[Prop], dialect: str, unwind: bool = False) -> str:
    casts = CASTS[dialect]
    return ", ".join(
        f"{var}.{prop.name} = {casts[prop.type].format(column_ref(prop.name, dialect, unwind))}"
        for prop in props
    )


def _on_create_on_match(
    var: str, props: Sequence[Prop], dialect: str, unwind: bool = False
) -> dict[str, str]:
    """Slots for MERGE: every property on create; all but ``first_seen`` on match.

    Two SET lists rather than one with ``coalesce``: LadybugDB's relationship SETs are
    costly, and a first load (the common case) then pays for one list only.
    """
    return {
        "on_create": _assign(var, props, dialect, unwind),
        "on_match": _assign(var, [p for p in props if p.name != "first_seen"], dialect, unwind),
    }


@cache
def render_node_upsert(label: str, dialect: str, template: str = "upsert_nodes") -> str:
    """The UNWIND/MERGE statement writing every property of ``label`` (or another
    ``template`` with the same slots: an adapter's bulk create)."""
    spec = NODE_BY_LABEL[label]
    props = [p for p in spec.all_props if p.name != "uid"]
    return render(template, dialect, label=label, **_on_create_on_match("n", props, dialect))


@cache
def render_rel_upsert(
    rel_type: str,
    src_label: str,
    dst_label: str,
    dialect: str,
    template: str = "upsert_relationships",
    unwind: bool = False,
) -> str:
    """The UNWIND/MATCH/MERGE statement writing every property of ``rel_type`` (or another
    ``template`` with the same slots; ``unwind``: its batch is a list of maps, ``row``)."""
    spec = REL_BY_TYPE[rel_type]
    if (src_label, dst_label) not in spec.pairs:
        raise InvalidInput(f"{rel_type} does not join {src_label} to {dst_label}", field="rel_type")
    props = [p for p in spec.all_props if p.name != "rid"]
    return render(
        template,
        dialect,
        src_label=src_label,
        dst_label=dst_label,
        rel_type=rel_type,
        **_on_create_on_match("r", props, dialect, unwind),
    )


def render_set_properties(label: str, names: Sequence[str], dialect: str) -> str:
    """A statement setting only ``names`` on nodes of ``label``."""
    by_name = {p.name: p for p in NODE_BY_LABEL[label].all_props}
    unknown = [n for n in names if n not in by_name or n == "uid"]
    if unknown:
        raise InvalidInput(f"{label} has no settable properties {unknown}", field="props")
    return render(
        "set_node_properties",
        dialect,
        label=label,
        assignments=_assign("n", [by_name[n] for n in names], dialect),
    )


def _encode(value: Any, prop_type: PropType) -> Any:
    if value is None:
        return None
    if prop_type is PropType.DATE:
        if isinstance(value, datetime):
            return value.date().isoformat()
        return value.isoformat() if isinstance(value, date) else str(value)
    if prop_type is PropType.TIMESTAMP:
        if isinstance(value, datetime):
            return value.replace(tzinfo=None).isoformat(timespec="seconds")
        return value.isoformat() if isinstance(value, date) else str(value)
    if prop_type is PropType.DOUBLE:
        return float(value)
    if prop_type is PropType.INT:
        return int(value)
    if prop_type is PropType.BOOL:
        return bool(value)
    return str(value)


class ColumnRows(Sequence[Mapping[str, Any]]):
    """Rows held as columns: a ``Sequence`` of row mappings to the port, columns inside.

    Ingest builds batches this way so that writes skip a dict per row; ``encode_columns``
    reads the columns directly. A column absent from ``columns`` is null on every row.
    """

    __slots__ = ("_length", "columns")

    def __init__(self, columns: Mapping[str, Sequence[Any]], length: int | None = None) -> None:
        sizes = {len(values) for values in columns.values()}
        if len(sizes) > 1:
            raise InvalidInput("columns of different lengths", field="rows")
        self.columns: dict[str, Sequence[Any]] = dict(columns)
        self._length = sizes.pop() if sizes else (length or 0)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> ColumnRows: ...

    def __getitem__(self, index: int | slice) -> Mapping[str, Any] | ColumnRows:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            return ColumnRows(
                {k: v[start:stop:step] for k, v in self.columns.items()},
                len(range(start, stop, step)),
            )
        return {k: v[index] for k, v in self.columns.items() if v[index] is not None}

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        for i in range(self._length):
            yield self[i]

    def column(self, name: str) -> Sequence[Any]:
        """One column, all ``None`` when absent."""
        values = self.columns.get(name)
        return values if values is not None else [None] * self._length


def encode_columns(
    props: Sequence[Prop], rows: Sequence[Mapping[str, Any]]
) -> dict[str, list[Any]]:
    """One column per property (None where a row lacks it), each value in its wire form.

    Column-wise because a batch is tens of thousands of rows and values that are already
    in wire form (the usual case: strings from ingest) are passed through untouched.
    """
    known = {p.name for p in props}
    if isinstance(rows, ColumnRows):
        stray = set(rows.columns) - known
    else:
        stray = set().union(*(row.keys() for row in rows)) - known
    if stray:
        raise InvalidInput(f"unknown properties {sorted(stray)}", field=sorted(stray)[0])
    columns: dict[str, list[Any]] = {}
    for prop in props:
        if isinstance(rows, ColumnRows):
            values: Sequence[Any] = rows.column(prop.name)
        else:
            values = [row.get(prop.name) for row in rows]
        wire = _WIRE[prop.type]
        columns[prop.name] = [
            v if v is None or type(v) is wire else _encode(v, prop.type) for v in values
        ]
    return columns


#: The Python type a value already has when it is in wire form.
_WIRE: dict[PropType, type] = {
    PropType.STRING: str,
    PropType.INT: int,
    PropType.DOUBLE: float,
    PropType.BOOL: bool,
    PropType.DATE: str,
    PropType.TIMESTAMP: str,
}
