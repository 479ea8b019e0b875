"""EmbeddedStore: the GraphStore on LadybugDB, the embedded Cypher database (Kùzu's successor).

The default store: a directory on disk, no server. One process holds it open for writing.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ladybug
import pyarrow as pa
import pyarrow.parquet as pq

from graph import store_lock
from graph.cypher import (
    ColumnRows,
    encode_columns,
    quote,
    render,
    render_node_upsert,
    render_rel_upsert,
)
from graph.cypher_store import Column, CypherStore, first_new
from graph.errors import StoreError, StoreUnavailable
from graph.model import Edge, Node
from graph.schema import NODE_BY_LABEL, NODES, REL_BY_TYPE, RELS, Prop, PropType, derived_from_edge
from graph.store import Row, check_label, check_rel_type
from queries import load_query

__all__ = ["DEFAULT_BUFFER_POOL_MB", "EmbeddedStore", "ladybug_ddl"]

#: LadybugDB's buffer pool unless configured: bounded, so that the store, the API and the
#: algorithms fit a 24 GB machine together (0 lets the engine take about 80 % of memory).
#: Queries take their working memory from it too: at 1M businesses shell detection failed
#: with "buffer pool is full" at 2 GB, so 4 GB stays the default (docs/scale.md).
DEFAULT_BUFFER_POOL_MB = 4096


#: Wire types of batch columns; dates and timestamps travel as ISO text and are cast in Cypher.
_ARROW: dict[PropType, pa.DataType] = {
    PropType.STRING: pa.string(),
    PropType.INT: pa.int64(),
    PropType.DOUBLE: pa.float64(),
    PropType.BOOL: pa.bool_(),
    PropType.DATE: pa.string(),
    PropType.TIMESTAMP: pa.string(),
}


#: Column types COPY needs: it takes values as they are, without the casts MERGE applies.
_ARROW_TYPED: dict[PropType, pa.DataType] = {
    **_ARROW,
    PropType.DATE: pa.date32(),
    PropType.TIMESTAMP: pa.timestamp("us"),
}


def _typed(table: pa.Table, props: Sequence[Prop], order: Sequence[str]) -> pa.Table | None:
    """``table``'s columns in ``order``, typed for COPY; None when a value will not cast.

    Arrow parses the ISO forms LadybugDB's ``date()``/``timestamp()`` do; for anything it
    refuses (a zone offset, a bad date) the caller falls back to MERGE, which casts in Cypher
    and reports errors as it always has.
    """
    by_name = {p.name: p for p in props}
    try:
        return pa.table(
            {name: table.column(name).cast(_ARROW_TYPED[by_name[name].type]) for name in order}
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


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


def _numbered(table: pa.Table) -> pa.Table:
    """``table`` with its row positions as an ``_i`` column, for probes to answer by."""
    return table.append_column("_i", pa.array(range(table.num_rows), pa.int64()))


def _count(result: list[dict[str, Any]]) -> int:
    return int(result[0]["written"]) if result else 0


def _take(table: pa.Table, positions: list[int]) -> pa.Table:
    return table.take(pa.array(positions, pa.int64()))


def _spool_directory(store: Path) -> Path:
    """A private directory beside the store (same disk) for the batches statements scan;
    the system's temporary directory when the store's path cannot be quoted in Cypher.
    Directories a crashed process left (its pid no longer running) are removed first."""
    parent = store.parent if "'" not in store.parent.as_posix() else Path(tempfile.gettempdir())
    for stale in parent.glob(f"{_SPOOL_PREFIX}*"):
        pid = stale.name.removeprefix(_SPOOL_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not store_lock.alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{_SPOOL_PREFIX}{os.getpid()}-", dir=parent))


_SPOOL_PREFIX = ".credgraph-spool-"


#: Statements that may write through the write-ahead log (anything but a COPY or a read).
_MAY_LOG = re.compile(
    r"\b(?:CREATE|MERGE|SET|DELETE|REMOVE|DROP|ALTER|BEGIN|COMMIT|ROLLBACK|INSTALL|IMPORT)\b"
    r"|\bLOAD\s+EXTENSION\b",
    re.IGNORECASE,
)


def _may_log(query: str) -> bool:
    """Whether a statement that is not a ``COPY`` may write (comment lines aside). A read
    taken for a write only costs a checkpoint."""
    body = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("//"))
    return bool(_MAY_LOG.search(body))


def _is_copy(query: str) -> bool:
    """Whether a statement is a ``COPY`` (its first line that is not a comment)."""
    for line in query.splitlines():
        text = line.strip()
        if text and not text.startswith("//"):
            return text.startswith("COPY ")
    return False


class EmbeddedStore(CypherStore):
    """A LadybugDB database in a local directory."""

    dialect = "ladybug"
    #: Arrow batches are scanned in place, so larger batches only cost memory.
    batch_size = 100_000
    #: Batches at least this large COPY their new rows; smaller ones CREATE them. Either way a
    #: probe splits new from stored rows first: MERGE reads the whole label in LadybugDB.
    bulk_min_rows = 2_000
    #: Source nodes per query when a projection reads a relationship type (``_edge_columns``).
    projection_page_nodes = 250_000
    #: Rows scanned from batches after which the database is reopened (see ``_reopen_if_due``).
    reopen_after_rows = 2_000_000
    #: Rows copied while relationship inserts are held after which the store checkpoints
    #: (see ``hold_relationship_inserts``): the engine keeps them in memory until then. At
    #: 100k businesses (1 GB pool) the ingest peaked at 2,324 MB with 1M, 2,140 MB with
    #: 500k and 2,047 MB with 250k, in the same time (``bench/ingest_memory.py``).
    checkpoint_after_rows = 250_000
    #: Pool kept per statement until the database closes, measured at 345 KB for a batch
    #: upsert (``bench/write_memory.py --per-statement``); reads are counted alike.
    pool_mb_per_statement = 0.35
    #: A primary-key equality is an index lookup (0.1 ms at 300k nodes), ``uid IN $uids``
    #: a scan of the label (35 ms), and UNWIND before a relationship pattern a join over
    #: the whole relationship table: bounded traversals ask one node at a time.
    step_one_uid_at_a_time = True

    def __init__(
        self,
        path: str | Path,
        *,
        buffer_pool_mb: int = DEFAULT_BUFFER_POOL_MB,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._buffer_pool_mb = buffer_pool_mb
        try:
            self._open(read_only)
        except RuntimeError as exc:
            held = store_lock.locked_message(self.path, str(exc))
            if held is not None:
                raise StoreUnavailable(held) from None  # one line, not the engine's trace
            raise StoreUnavailable(f"cannot open the embedded store at {self.path}: {exc}") from exc
        self._read_only = read_only
        if not read_only:
            store_lock.take(self.path)
        self._tx_depth = 0
        self._column_order: dict[str, list[str]] = {}
        self._spool: Path | None = None
        self._spool_seq = itertools.count()
        self._rows_since_open = 0
        self._statements_since_open = 0
        #: Relationship inserts held (see ``hold_relationship_inserts``): Parquet files of
        #: new rows per (type, from, to), or None when not holding.
        self._held: dict[tuple[str, str, str], list[Path]] | None = None
        #: Rows copied since the last checkpoint while checkpoints are deferred (holding).
        self._unsaved_rows = 0
        #: Set while a port call that reads or writes nodes only runs: what is held stays.
        self._nodes_only = False
        #: Statements after which the database is reopened: what a quarter of the pool holds.
        self.reopen_after_statements = max(
            64, int((buffer_pool_mb or 4096) / 4 / self.pool_mb_per_statement)
        )

    def _open(self, read_only: bool) -> None:
        self._db = ladybug.Database(
            str(self.path),
            buffer_pool_size=self._buffer_pool_mb * 1024 * 1024,
            read_only=read_only,
        )
        self._conn = ladybug.Connection(self._db)
        if getattr(self, "_held", None) is not None:
            self._engine("CALL auto_checkpoint=false")

    def _engine(self, statement: str) -> None:
        """A statement of the store's own (a setting, a checkpoint), straight to the engine."""
        try:
            result = self._conn.execute(statement)
        except RuntimeError as exc:
            raise StoreError(f"embedded store: {exc}") from exc
        for each in result if isinstance(result, list) else [result]:
            each.close()

    def _checkpoint(self) -> None:
        """Make every ``COPY`` since the last checkpoint durable."""
        if self._unsaved_rows and not self._tx_depth:
            self._engine("CHECKPOINT")
            self._unsaved_rows = 0

    def _copied(self, rows: int) -> None:
        """Count a ``COPY`` made while checkpoints are deferred; checkpoint past the limit."""
        if self._held is not None:
            self._unsaved_rows += max(rows, 1)
            if self._unsaved_rows >= self.checkpoint_after_rows:
                self._checkpoint()

    def _reopen_if_due(self) -> None:
        """Close and reopen the database once enough rows went through it, between
        transactions, keeping the write lock.

        LadybugDB 0.22 holds memory outside its buffer pool for every row written in a
        session (about 30-60 bytes a row, more with fragmentation), released only when the
        database closes: an ingest of 30M rows in one session would hold several GB. It also
        keeps buffer-pool pages for every statement, which the pool cannot evict: a long
        writer (a batch of listings, a bench) ends in "buffer pool is full". Reopening every
        ``reopen_after_rows`` rows or ``reopen_after_statements`` statements bounds both
        (``bench/spool.py``, ``bench/write_memory.py``).
        """
        if self._tx_depth or (
            self._rows_since_open < self.reopen_after_rows
            and self._statements_since_open < self.reopen_after_statements
        ):
            return
        self._rows_since_open = 0
        self._statements_since_open = 0
        self._conn.close()
        self._db.close()  # checkpoints
        self._unsaved_rows = 0
        try:
            self._open(self._read_only)
        except RuntimeError as exc:
            raise StoreUnavailable(
                f"cannot reopen the embedded store at {self.path}: {exc}"
            ) from exc

    def _run(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        self._reopen_if_due()
        tables = {k: v for k, v in (params or {}).items() if isinstance(v, pa.Table)}
        if not tables:
            return self._execute(query, params)
        rows = sum(table.num_rows for table in tables.values())
        self._rows_since_open += rows
        with self._spooled(tables) as paths:
            for name, path in paths.items():
                query = re.sub(rf"\${re.escape(name)}\b", f"'{path}'", query)
            rest = {k: v for k, v in (params or {}).items() if k not in tables}
            result = self._execute(query, rest)
        if _is_copy(query):
            self._copied(rows)
        return result

    @contextmanager
    def _spooled(self, tables: Mapping[str, pa.Table]) -> Iterator[dict[str, str]]:
        """Each Arrow table as a Parquet file the statement reads, removed after it.

        LadybugDB 0.22 never releases an Arrow table passed as a parameter (its C data
        export is not released) and keeps the buffer-pool pages its scan used: about the
        table's size in heap plus as much in pool, per statement, until the database is
        closed. A Parquet file scanned by the engine keeps neither (``bench/spool.py``).
        """
        if self._spool is None:
            self._spool = _spool_directory(self.path)
        paths = {}
        try:
            for name, table in tables.items():
                path = self._spool / f"{os.getpid()}-{next(self._spool_seq)}.parquet"
                paths[name] = path
                pq.write_table(table, path, compression="none")
            yield {name: path.as_posix() for name, path in paths.items()}
        finally:
            for path in paths.values():
                path.unlink(missing_ok=True)

    @contextmanager
    def _result(self, query: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """The last result of ``query``; every result is closed after the block (one left
        to the garbage collector keeps its memory)."""
        self._statements_since_open += 1
        if self._unsaved_rows and not _is_copy(query) and _may_log(query):
            # The log must never name a row of a COPY that a crash would lose: the engine
            # replaying it would fail (or crash) on reopening.
            self._checkpoint()
        try:
            result = self._conn.execute(query, dict(params or {}))
        except RuntimeError as exc:
            raise StoreError(f"embedded store: {exc}") from exc
        results = result if isinstance(result, list) else [result]
        try:
            yield results[-1]
        finally:
            for each in results:
                each.close()

    def _execute(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        if self._held and not self._nodes_only and not _is_copy(query):
            self._copy_held()  # what runs next may read or change those relationships
        with self._result(query, params) as last:
            columns = last.get_column_names()
            rows = []
            while last.has_next():
                rows.append(dict(zip(columns, last.get_next(), strict=True)))
            return rows

    def _native(self, value: Any) -> Any:
        return value

    def _edge_columns(self, rel_type: str, statement: str) -> list[dict[str, Column]]:
        """One type's edges read ``projection_page_nodes`` source nodes at a time: the
        engine holds a query's whole result in its buffer pool, and at 1M businesses one
        type's edges did not fit in 4 GB."""
        sources = {src for src, _ in REL_BY_TYPE[check_rel_type(rel_type)].pairs}
        last = max(
            self._run(render("max_node_offset", self.dialect, label=label))[0]["n"]
            for label in sources
        )
        pages = []
        for lo in range(0, int(last), self.projection_page_nodes):
            page = self._columns(statement, {"lo": lo, "hi": lo + self.projection_page_nodes})
            if page:
                pages.append(page)
        return pages

    def query_table(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        *,
        pages_over: str | None = None,
    ) -> pa.Table:
        """Run the named query as Arrow; with ``pages_over``, ``projection_page_nodes`` of
        that label's nodes at a time (by offset, ``$lo``/``$hi``): the engine holds a
        query's whole result in its buffer pool, and at 1M businesses the order graph did
        not fit in 4 GB."""
        statement = load_query(name, self.dialect)
        if pages_over is None:
            return self._table(statement, params or {})
        offsets = render("max_node_offset", self.dialect, label=check_label(pages_over))
        last = int(self._run(offsets)[0]["n"])
        pages = [
            page
            for lo in range(0, last, self.projection_page_nodes)
            if (
                page := self._table(
                    statement, {**(params or {}), "lo": lo, "hi": lo + self.projection_page_nodes}
                )
            ).num_rows
        ]
        if not pages:
            return pa.table({})
        return pa.concat_tables(pages, promote_options="permissive")

    def _columns(
        self, statement: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, Column]:
        """A read's result as Arrow columns (no Python object per value: projections read
        millions of rows)."""
        table = self._table(statement, params or {})
        if not table.num_rows:
            return {}
        return {name: table.column(name) for name in table.column_names}

    def _table(self, statement: str, params: Mapping[str, Any]) -> pa.Table:
        """A read's result as the engine's own Arrow table."""
        self._reopen_if_due()
        with self._result(statement, params) as last:
            table: pa.Table = last.get_as_arrow()
        return table if table.num_rows else pa.table({})

    def _batch(self, props: Sequence[Prop], columns: dict[str, list[Any]]) -> Any:
        """An Arrow table with one typed column per property: LadybugDB scans it directly."""
        return pa.table({p.name: pa.array(columns[p.name], type=_ARROW[p.type]) for p in props})

    # -- bulk writes -------------------------------------------------------------------------
    # MERGE with ON CREATE SET costs a property write per column per row (relationship SETs
    # especially). A large batch is split instead: a probe finds the rows whose key already
    # exists (and, for relationships, whose ends exist); the first row of every new key goes
    # in through COPY, the rest (updates, repeats) through the MERGE statement after it, so
    # the result is that of merging the rows in order.

    def _table_columns(self, table: str) -> list[str]:
        """The table's columns in storage order (COPY matches by position). A catalogue
        read: relationship inserts held stay held."""
        if table not in self._column_order:
            with self._on_nodes_only():
                rows = self._run(f"CALL table_info('{table}') RETURN *")
            self._column_order[table] = [row["name"] for row in rows]
        return self._column_order[table]

    def _copy_order(self, table: str, props: Sequence[Prop]) -> list[str] | None:
        order = self._table_columns(table)
        return order if set(order) == {p.name for p in props} - {"src", "dst"} else None

    def _write_nodes(
        self, label: str, props: Sequence[Prop], columns: dict[str, list[Any]]
    ) -> None:
        rows = len(columns["uid"])
        order = self._copy_order(label, props)
        bulk = rows >= self.bulk_min_rows and order is not None
        batch = _numbered(self._batch(props, columns))
        probe = render("upsert_nodes_probe", self.dialect, label=label)
        existing = {row["i"] for row in self._run(probe, {"rows": batch.select(["uid", "_i"])})}
        fresh, rest = first_new(columns["uid"], existing)
        if fresh:
            typed = _typed(_take(batch, fresh), props, order) if bulk and order else None
            if typed is not None:
                self._run(render("upsert_nodes_copy", self.dialect, label=label), {"rows": typed})
            else:
                create = render_node_upsert(label, self.dialect, "upsert_nodes_create")
                self._run(create, {"rows": _take(batch, fresh).drop_columns(["_i"])})
        if rest:
            update = render_node_upsert(label, self.dialect, "upsert_nodes_update")
            self._run(update, {"rows": _take(batch, rest).drop_columns(["_i"])})

    def _write_rels(
        self,
        rel_type: str,
        src_label: str,
        dst_label: str,
        props: Sequence[Prop],
        columns: dict[str, list[Any]],
    ) -> int:
        rows = len(columns["rid"])
        order = self._copy_order(rel_type, props)
        bulk = rows >= self.bulk_min_rows and order is not None
        batch = _numbered(self._batch(props, columns))
        if not bulk:
            return self._write_rels_each(rel_type, src_label, dst_label, batch, columns)
        slots = {"rel_type": rel_type, "src_label": src_label, "dst_label": dst_label}
        probe = render("upsert_relationships_probe", self.dialect, **slots)
        found = self._run(probe, {"rows": batch.select(["src", "dst", "rid", "_i"])})
        joined = {row["i"] for row in found}
        existing = {row["i"] for row in found if row["existing"]}
        keys = list(zip(columns["rid"], columns["src"], columns["dst"], strict=True))
        fresh, rest = first_new(keys, existing, only=joined)
        written = 0
        if fresh:
            chosen = _take(batch, fresh)
            typed = _typed(chosen, props, order) if order else None
            if typed is not None:
                copy = render(
                    "upsert_relationships_copy",
                    self.dialect,
                    rel_type=rel_type,
                    from_table=src_label,
                    to_table=dst_label,
                )
                ends = [chosen.column("src"), chosen.column("dst")]
                table = pa.Table.from_arrays(
                    [*ends, *typed.columns], names=["from", "to", *typed.column_names]
                )
                self._run(copy, {"rows": table})
                written += len(fresh)
            else:
                rest = sorted([*fresh, *rest])  # merged, in order, with the rest
        if rest:
            statement = render_rel_upsert(rel_type, src_label, dst_label, self.dialect)
            written += _count(
                self._run(statement, {"rows": _take(batch, rest).drop_columns(["_i"])})
            )
        return written

    def _write_rels_each(
        self,
        rel_type: str,
        src_label: str,
        dst_label: str,
        batch: pa.Table,
        columns: dict[str, list[Any]],
    ) -> int:
        """A small relationship batch as a list of maps (``UNWIND``), not an Arrow scan.

        ``LOAD FROM`` joined with a relationship pattern takes buffer-pool memory that it
        never gives back (about 4 MB a statement at 818k restrictions, read-only too):
        a server writing listings ran out of pool after a few hundred writes. The same
        probe over ``UNWIND`` keeps memory flat and takes 0.5 ms.
        """
        slots = {"rel_type": rel_type, "src_label": src_label, "dst_label": dst_label}
        rows = batch.to_pylist()
        probe = render("upsert_relationships_probe_each", self.dialect, **slots)
        found = self._run(
            probe, {"rows": [{k: r[k] for k in ("src", "dst", "rid", "_i")} for r in rows]}
        )
        joined = {row["i"] for row in found}
        existing = {row["i"] for row in found if row["existing"]}
        keys = list(zip(columns["rid"], columns["src"], columns["dst"], strict=True))
        fresh, rest = first_new(keys, existing, only=joined)
        written = 0
        for positions, template in (
            (fresh, "upsert_relationships_create_each"),
            (rest, "upsert_relationships_update_each"),
        ):
            if positions:
                statement = render_rel_upsert(
                    rel_type, src_label, dst_label, self.dialect, template, unwind=True
                )
                written += _count(self._run(statement, {"rows": [rows[i] for i in positions]}))
        return written

    # -- inserts of rows known new (a first load) --------------------------------------------
    # Ingest knows when a table was empty at the start of its run and which keys it has
    # written since: those rows need no probe and go straight to COPY.

    def _arrow(self, props: Sequence[Prop], rows: Sequence[Row]) -> pa.Table:
        """``rows`` as an Arrow table in wire types: columns of ingest's ``ColumnRows``
        (already in wire form) straight into Arrow; anything Arrow will not take as it is
        (a date object, a number for a string) through ``encode_columns``, as upserts do."""
        if isinstance(rows, ColumnRows) and not set(rows.columns) - {p.name for p in props}:
            try:
                return pa.table(
                    {p.name: pa.array(rows.column(p.name), type=_ARROW[p.type]) for p in props}
                )
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                pass
        return self._batch(props, encode_columns(props, rows))

    def insert_new_nodes(self, label: str, rows: Sequence[Row]) -> int:
        """COPY nodes the caller knows are new (see ``GraphStore.insert_new_nodes``)."""
        spec = NODE_BY_LABEL[check_label(label)]
        order = self._copy_order(label, spec.all_props)
        if not rows or order is None or self._tx_depth:
            return self.upsert_nodes(label, rows)
        batch = self._arrow(spec.all_props, rows)
        if batch.column("uid").null_count:
            return self.upsert_nodes(label, rows)  # reports the row without a uid
        typed = _typed(batch, spec.all_props, order)
        if typed is None:
            return self.upsert_nodes(label, rows)
        self._run(render("upsert_nodes_copy", self.dialect, label=label), {"rows": typed})
        return len(rows)

    def insert_new_relationships(
        self, rel_type: str, src_label: str, dst_label: str, rows: Sequence[Row]
    ) -> int:
        """COPY relationships the caller knows are new between ends it knows exist."""
        spec = REL_BY_TYPE[check_rel_type(rel_type)]
        render_rel_upsert(rel_type, check_label(src_label), check_label(dst_label), self.dialect)
        props = (*spec.all_props, Prop("src"), Prop("dst"))
        order = self._copy_order(rel_type, props)
        if not rows or order is None or self._tx_depth:
            return self.upsert_relationships(rel_type, src_label, dst_label, rows)
        batch = self._arrow(props, rows)
        typed = _typed(batch, props, order)
        if typed is None:
            return self.upsert_relationships(rel_type, src_label, dst_label, rows)
        copy = render(
            "upsert_relationships_copy",
            self.dialect,
            rel_type=rel_type,
            from_table=src_label,
            to_table=dst_label,
        )
        table = pa.Table.from_arrays(
            [batch.column("src"), batch.column("dst"), *typed.columns],
            names=["from", "to", *typed.column_names],
        )
        if self._held is not None:
            if self._spool is None:
                self._spool = _spool_directory(self.path)
            path = self._spool / f"{os.getpid()}-held-{next(self._spool_seq)}.parquet"
            pq.write_table(table, path, compression="none")
            self._held.setdefault((rel_type, src_label, dst_label), []).append(path)
            return len(rows)
        self._run(copy, {"rows": table})
        return len(rows)

    @contextmanager
    def _on_nodes_only(self) -> Iterator[None]:
        outer, self._nodes_only = self._nodes_only, True
        try:
            yield
        finally:
            self._nodes_only = outer

    def get_nodes(self, uids: Sequence[str]) -> list[Node]:
        """Nodes by uid (relationship inserts held stay held: a node read needs none)."""
        with self._on_nodes_only():
            return super().get_nodes(uids)

    def upsert_nodes(self, label: str, rows: Sequence[Row]) -> int:
        """Create or update nodes by uid (relationship inserts held stay held)."""
        with self._on_nodes_only():
            return super().upsert_nodes(label, rows)

    def hold_relationship_inserts(self) -> bool:
        """Hold new relationships as Parquet files beside the store and copy each type and
        pair's in one ``COPY`` when released: LadybugDB's ``COPY`` into a relationship table
        takes time in proportion to the rows already in it (6M relationships in 500k
        batches: 102 s, the last batch 12 s; in one statement from the same files: 56 s,
        and 0.5 GB less memory; ``bench/relcopy.py``).

        While holding, checkpoints are deferred too: the engine checkpoints after every
        ``COPY`` by default, and a checkpoint takes time in proportion to the table (200k
        nodes in 8 copies: 4.1 s; with one checkpoint after them: 2.0 s). The store
        checkpoints every ``checkpoint_after_rows`` copied rows, before any statement that
        may write through the engine's log, and on release. A crash loses the copies since
        the last checkpoint, as it loses what is held: the load is run again."""
        if self._held is None:
            self._held = {}
            self._engine("CALL auto_checkpoint=false")  # a setting: allowed in a transaction
        return True

    def release_relationship_inserts(self) -> int:
        """Copy what is held, checkpoint, then stop holding."""
        written = self._copy_held()
        self._checkpoint()
        self._held = None
        self._engine("CALL auto_checkpoint=true")
        return written

    @property
    def buffer_pool_mb(self) -> int:
        """The buffer pool the database was opened with, in MB (0: the engine's choice)."""
        return self._buffer_pool_mb

    @property
    def held_copy_rows(self) -> int:
        """Most rows one ``COPY`` of held relationships takes: 500 per MB of buffer pool (1M
        at 2 GB). The engine builds a copy's relationships in its pool: at 1M businesses one
        ``COPY`` of a 10M-row file's relationships filled a 2 GB pool."""
        return max(200_000, (self._buffer_pool_mb or 4096) * 500)

    def _copy_held(self) -> int:
        held, self._held = self._held or {}, ({} if self._held is not None else None)
        written = 0
        try:
            for (rel_type, src_label, dst_label), paths in list(held.items()):
                copy = render(
                    "upsert_relationships_copy_files",
                    self.dialect,
                    rel_type=rel_type,
                    from_table=src_label,
                    to_table=dst_label,
                )
                sizes = [pq.ParquetFile(path).metadata.num_rows for path in paths]
                while paths:
                    take, rows = 1, sizes[0]
                    while take < len(paths) and rows + sizes[take] <= self.held_copy_rows:
                        rows += sizes[take]
                        take += 1
                    group, paths, sizes = paths[:take], paths[take:], sizes[take:]
                    files = "[" + ", ".join(f"'{path.as_posix()}'" for path in group) + "]"
                    self._reopen_if_due()
                    self._execute(copy.replace("$files", files))
                    self._copied(rows)
                    self._rows_since_open += rows
                    written += rows
                    for path in group:
                        path.unlink(missing_ok=True)
                    held[(rel_type, src_label, dst_label)] = paths  # what a failure leaves
        finally:
            for paths in held.values():  # not copied: a failure above
                for path in paths:
                    path.unlink(missing_ok=True)
        return written

    def _node(self, value: Any) -> Node:
        return Node(value["uid"], value["_LABEL"], self._props(value, self._native))

    def _edge(self, value: Any, src: str, dst: str) -> Edge:
        return Edge(value["rid"], value["_LABEL"], src, dst, self._props(value, self._native))

    def create_schema(self) -> None:
        """Create every node and rel table; add columns the schema gained since."""
        self._column_order.clear()
        had = {row["name"] for row in self._run("CALL show_tables() RETURN *")}
        for statement in ladybug_ddl():
            self._run(statement)
        if "Restriction" in had:
            self._backfill_derived_from()
        tables: list[tuple[str, tuple[Prop, ...]]] = [(s.label, s.all_props) for s in NODES]
        tables += [(r.type, r.all_props) for r in RELS]
        for name, props in tables:
            have = {row["name"] for row in self._run(f"CALL table_info('{name}') RETURN *")}
            for prop in props:
                if prop.name not in have:
                    self._run(f"ALTER TABLE {quote(name)} ADD {_column(prop)}")

    def _backfill_derived_from(self) -> None:
        """Restriction versions written before ``DERIVED_FROM`` existed get their edge, so
        a listing's restrictions are found by traversal for old versions too (two counts
        when there is nothing to do; three scans and one COPY otherwise)."""
        versions = self._run("MATCH (r:Restriction) RETURN count(r) AS n")[0]["n"]
        edges_now = self._run("MATCH ()-[e:DERIVED_FROM]->() RETURN count(e) AS n")[0]["n"]
        if edges_now >= versions:
            return
        linked = {r["uid"] for r in self._run(load_query("derived_from_linked", self.dialect))}
        listings = {r["uid"] for r in self._run("MATCH (l:Listing) RETURN l.uid AS uid")}
        edges = [
            derived_from_edge(row["uid"], row["listing"])
            for row in self._run(load_query("derived_from_backfill", self.dialect))
            if row["uid"] not in linked and row["listing"] in listings
        ]
        if edges:
            self.insert_new_relationships("DERIVED_FROM", "Restriction", "Listing", edges)

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
        # COMMIT and ROLLBACK go straight to the connection: a reopen due before them
        # would close the database under the open transaction.
        try:
            yield
        except BaseException:
            # The engine may have ended a failed transaction itself; the first error is
            # the one to report, not a ROLLBACK with nothing to roll back.
            with contextlib.suppress(StoreError):
                self._execute("ROLLBACK")
            self._tx_depth = 0
            raise
        try:
            self._execute("COMMIT")
        finally:
            self._tx_depth = 0

    def copy_from(self, table: str, path: Path) -> None:
        """Bulk-load a CSV/Parquet file straight into a table (LadybugDB ``COPY``)."""
        self._run(f"COPY {table} FROM '{path.as_posix()}'")

    def close(self) -> None:
        """Close the connection and the database files (relationships held are copied
        first)."""
        if self._held:
            self.release_relationship_inserts()
        self._conn.close()
        self._db.close()
        if self._spool is not None:
            shutil.rmtree(self._spool, ignore_errors=True)
            self._spool = None
        if not self._read_only:
            store_lock.release(self.path)
