"""EmbeddedStore: the GraphStore on LadybugDB, the embedded Cypher database (Kùzu's successor).

The default store: a directory on disk, no server. One process holds it open for writing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ladybug
import pyarrow as pa

from graph.cypher import quote
from graph.cypher_store import CypherStore
from graph.errors import StoreError, StoreUnavailable
from graph.model import Edge, Node
from graph.schema import NODES, RELS, Prop, PropType

__all__ = ["EmbeddedStore", "ladybug_ddl"]


#: Wire types of batch columns; dates and timestamps travel as ISO text and are cast in Cypher.
_ARROW: dict[PropType, pa.DataType] = {
    PropType.STRING: pa.string(),
    PropType.INT: pa.int64(),
    PropType.DOUBLE: pa.float64(),
    PropType.BOOL: pa.bool_(),
    PropType.DATE: pa.string(),
    PropType.TIMESTAMP: pa.string(),
}


def _column(prop: Prop) -> str:
    return f"{prop.name} {prop.type.value}"


def ladybug_ddl() -> list[str]:
    """CREATE statements for every node and rel table, generated from ``graph.schema``."""
    statements = []
    for spec in NODES:
        columns = ", ".join(_column(p) for p in spec.all_props)
        statements.append(
            f"CREATE NODE TABLE IF NOT EXISTS {quote(spec.label)}({columns}, PRIMARY KEY(uid))"
        )
    for rel in RELS:
        pairs = ", ".join(f"FROM {quote(a)} TO {quote(b)}" for a, b in rel.pairs)
        columns = ", ".join(_column(p) for p in rel.all_props)
        statements.append(f"CREATE REL TABLE IF NOT EXISTS {quote(rel.type)}({pairs}, {columns})")
    return statements


class EmbeddedStore(CypherStore):
    """A LadybugDB database in a local directory."""

    dialect = "ladybug"

    def __init__(
        self, path: str | Path, *, buffer_pool_mb: int = 1024, read_only: bool = False
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = ladybug.Database(
                str(self.path),
                buffer_pool_size=buffer_pool_mb * 1024 * 1024,
                read_only=read_only,
            )
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            raise StoreUnavailable(f"cannot open the embedded store at {self.path}: {exc}") from exc
        self._tx_depth = 0

    def _run(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        try:
            result = self._conn.execute(query, dict(params or {}))
        except RuntimeError as exc:
            raise StoreError(f"embedded store: {exc}") from exc
        results = result if isinstance(result, list) else [result]
        last = results[-1]
        columns = last.get_column_names()
        rows = []
        while last.has_next():
            rows.append(dict(zip(columns, last.get_next(), strict=True)))
        return rows

    def _native(self, value: Any) -> Any:
        return value

    def _batch(self, props: Sequence[Prop], columns: dict[str, list[Any]]) -> Any:
        """An Arrow table with one typed column per property: LadybugDB scans it directly."""
        return pa.table({p.name: pa.array(columns[p.name], type=_ARROW[p.type]) for p in props})

    def _node(self, value: Any) -> Node:
        return Node(value["uid"], value["_LABEL"], self._props(value, self._native))

    def _edge(self, value: Any, src: str, dst: str) -> Edge:
        return Edge(value["rid"], value["_LABEL"], src, dst, self._props(value, self._native))

    def create_schema(self) -> None:
        """Create every node and rel table; add columns the schema gained since."""
        for statement in ladybug_ddl():
            self._run(statement)
        tables: list[tuple[str, tuple[Prop, ...]]] = [(s.label, s.all_props) for s in NODES]
        tables += [(r.type, r.all_props) for r in RELS]
        for name, props in tables:
            have = {row["name"] for row in self._run(f"CALL table_info('{name}') RETURN *")}
            for prop in props:
                if prop.name not in have:
                    self._run(f"ALTER TABLE {quote(name)} ADD {_column(prop)}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the calls made inside the ``with`` block atomically."""
        if self._tx_depth:
            self._tx_depth += 1
            try:
                yield
            finally:
                self._tx_depth -= 1
            return
        self._run("BEGIN TRANSACTION")
        self._tx_depth = 1
        try:
            yield
        except BaseException:
            self._tx_depth = 0
            self._run("ROLLBACK")
            raise
        self._tx_depth = 0
        self._run("COMMIT")

    def copy_from(self, table: str, path: Path) -> None:
        """Bulk-load a CSV/Parquet file straight into a table (LadybugDB ``COPY``)."""
        self._run(f"COPY {table} FROM '{path.as_posix()}'")

    def close(self) -> None:
        """Close the connection and the database files."""
        self._conn.close()
        self._db.close()
