"""WorkerStore: the embedded store in a supervised child process, behind the store port.

LadybugDB is native code running inside the process that opens it: a fault in it (a
segmentation fault) ends that process. ``credgraph serve`` therefore opens the embedded
store in a child process, the *store worker* (a fresh interpreter; a socket pair), and
:class:`WorkerStore` implements :class:`~graph.store.GraphStore` by forwarding each call
to it over a pipe (arguments, rows and the model dataclasses pickled). When the worker
dies:

* the call in flight, and every call until a new worker is up, raises
  :class:`~graph.errors.StoreUnavailable` at once (the API answers 503 with
  ``Retry-After``); nothing waits on a dead worker;
* the supervisor thread logs it and starts a new worker after a back-off (0.5 s, doubled
  while workers keep dying within a minute of their start, at most 30 s), which reopens
  the database (the engine's recovery rolls back what was not committed);
* platform checks go on answering from the restriction view the API process holds
  (``api/routers/restrictions.py``).

Only the worker opens the database (one process may hold it for writing); it records
itself in the holder file (:mod:`graph.store_lock`), so a second writer is told who holds
the store. It dies with the process that started it (``PR_SET_PDEATHSIG``) and ignores
SIGINT (Ctrl-C reaches the server, which closes it). A transaction is bound to the worker
it began in: once that worker is gone every later call of the transaction fails, so no
write can land outside the transaction it belonged to.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from multiprocessing.connection import Connection
from pathlib import Path as FsPath
from typing import Any

import pyarrow as pa

from graph import store_lock
from graph.config import Settings
from graph.errors import CreditGraphError, StoreError, StoreUnavailable
from graph.faults import FAULT_ENV, install_faults
from graph.memory import tune_garbage_collector
from graph.model import Counts, Edge, Node, Path, Projection, Subgraph
from graph.store import GraphStore, Row

__all__ = [
    "BACKOFF_MAX_SECONDS",
    "BACKOFF_START_SECONDS",
    "WorkerStore",
    "open_worker_store",
]

log = logging.getLogger("credgraph.store_worker")

#: First wait before a dead worker is replaced (default; the setting
#: ``store_worker_backoff_seconds``); doubled while replacements keep dying.
BACKOFF_START_SECONDS = 0.5
#: Longest wait between two starts.
BACKOFF_MAX_SECONDS = 30.0
#: A worker up this long has proved itself: the next death starts the back-off afresh.
_STABLE_SECONDS = 60.0
#: How the worker names itself in the holder file.
_COMMAND = "credgraph serve (store worker)"

#: LadybugDB 0.22 holds buffer-pool memory for every write statement (a batch upsert about
#: 1.5 MB while batches went in as Arrow parameters, 345 KB since they go in as Parquet
#: files; 25 KB for a plain MERGE) for as long as the database stays open: a checkpoint
#: does not free it and the pool cannot evict it, so a long-running server's writes end in
#: "buffer pool is full" (docs/api.md, *Memory under listing writes*;
#: ``bench/write_memory.py --per-statement``). Closing and reopening the database frees
#: all of it: the worker reopens the store, between transactions, after the writes of
#: :func:`_reopen_after`, still counted at the old 1.5 MB (a reopen costs milliseconds).
_MB_PER_WRITE = 1.5
_WRITE_OPS = frozenset(
    {
        "upsert_nodes",
        "upsert_relationships",
        "insert_new_nodes",
        "insert_new_relationships",
        "set_node_properties",
        "delete_relationships",
        "wipe",
    }
)


def _reopen_after(buffer_pool_mb: int) -> int:
    """Write calls after which the worker reopens the store: what a quarter of the buffer
    pool holds (0, the engine's default pool of about 80 % of memory, counts as 4 GB)."""
    pool = buffer_pool_mb or 4096
    return max(16, int(pool / 4 / _MB_PER_WRITE))


#: Port methods forwarded as they are (the worker runs the adapter's own method, so a
#: traversal such as ``neighbourhood`` is one round trip, not one per step).
_FORWARDED = frozenset(
    {
        "create_schema",
        "wipe",
        "upsert_nodes",
        "upsert_relationships",
        "insert_new_nodes",
        "insert_new_relationships",
        "set_node_properties",
        "delete_relationships",
        "get_nodes",
        "get_node",
        "find_nodes",
        "search_nodes",
        "edges_of",
        "step_edges",
        "counts",
        "project",
        "query",
        "query_table",
        "query_by_uids",
        "neighbourhood",
        "paths",
    }
)


# -- the worker process ------------------------------------------------------------------------
def _die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent ends (Linux; else no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent ended before the request was made
        os._exit(1)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a StoreError naming it."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any failure to pickle means: send a plain one
        return StoreError(f"{type(exc).__name__}: {exc}")
    return exc


def _open_for_worker(path: str, buffer_pool_mb: int, create_schema: bool) -> GraphStore:
    from graph.embedded_store import EmbeddedStore

    deadline = time.monotonic() + 5.0
    while True:
        try:
            store = EmbeddedStore(path, buffer_pool_mb=buffer_pool_mb)
        except StoreUnavailable as exc:
            # A worker killed with its server may still be releasing the lock for a moment.
            if "open for writing" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.1)
            continue
        if create_schema:
            store.create_schema()
        return store


def _dispatch(
    store: GraphStore,
    open_tx: list[AbstractContextManager[None]],
    op: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    """Carry out one call in the worker."""
    if op == "begin":
        tx = store.transaction()
        tx.__enter__()
        open_tx.append(tx)
        return None
    if op == "commit":
        open_tx.pop().__exit__(None, None, None)
        return None
    if op == "rollback":
        open_tx.pop().__exit__(StoreError, StoreError("rolled back by the server"), None)
        return None
    if op not in _FORWARDED:
        raise StoreError(f"the store worker does not know {op!r}")
    return getattr(store, op)(*args, **kwargs)


def main() -> None:
    """The worker's entry point: ``python -c "from graph.worker_store import main; main()"
    FD PATH BUFFER_POOL_MB CREATE_SCHEMA PARENT_PID`` (started by :class:`WorkerStore`)."""
    fd, path, pool, schema, parent = sys.argv[1:6]
    _worker_main(Connection(int(fd)), path, int(pool), schema == "1", int(parent))


def _worker_main(
    conn: Connection, path: str, buffer_pool_mb: int, create_schema: bool, parent_pid: int
) -> None:
    """The store worker: open the store, then answer calls until told to close or orphaned."""
    _die_with_parent(parent_pid)
    tune_garbage_collector()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.pop(FAULT_ENV, None)  # crash points belong to the server process
    from graph import store_lock

    store_lock.set_command(_COMMAND)
    try:
        store = _open_for_worker(path, buffer_pool_mb, create_schema)
    except CreditGraphError as exc:
        conn.send(("err", _portable(exc)))
        return
    conn.send(("ready", os.getpid()))
    open_tx: list[AbstractContextManager[None]] = []
    writes, reopened, reopen_after = 0, 0, _reopen_after(buffer_pool_mb)
    try:
        while True:
            try:
                op, args, kwargs = conn.recv()
            except EOFError:
                break
            if op == "close":
                break
            try:
                reply: tuple[str, Any] = ("ok", _dispatch(store, open_tx, op, args, kwargs))
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
                reply = ("err", _portable(exc))
            try:
                conn.send(reply)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                conn.send(("err", StoreError(f"the answer could not be sent: {exc}")))
            writes += op in _WRITE_OPS
            if writes >= reopen_after and not open_tx:
                # After the answer, so its caller does not wait; the next call does (~0.1 s).
                writes = 0
                store.close()
                try:
                    store = _open_for_worker(path, buffer_pool_mb, create_schema=False)
                except CreditGraphError as exc:  # another process took the lock meanwhile
                    log.error("store worker could not reopen the store: %s", exc)  # noqa: TRY400
                    return  # the server starts another worker, which reports it if it lasts
                reopened += 1
                log.info(
                    "store worker reopened the store (%d times) to free write memory", reopened
                )
    finally:
        while open_tx:
            with contextlib.suppress(Exception):
                open_tx.pop().__exit__(StoreError, StoreError("worker closing"), None)
        with contextlib.suppress(Exception):  # closed already when a reopen failed
            store.close()


# -- the server side ---------------------------------------------------------------------------
class WorkerStore(GraphStore):
    """The embedded store served by a supervised worker process (see the module docs)."""

    dialect = "ladybug"

    def __init__(
        self,
        path: str | FsPath,
        *,
        buffer_pool_mb: int,
        create_schema: bool = True,
        call_timeout: float = 300.0,
        start_timeout: float = 120.0,
        backoff: float = BACKOFF_START_SECONDS,
    ) -> None:
        self.path = FsPath(path)
        self._buffer_pool_mb = buffer_pool_mb
        self._create_schema = create_schema
        self.call_timeout = call_timeout
        #: How long :meth:`close` waits for the worker to close the store before killing it.
        self.close_timeout = 30.0
        self._start_timeout = start_timeout
        self._backoff = backoff
        #: Held for a whole call, and from ``begin`` to ``commit`` of a transaction.
        self._lock = threading.RLock()
        self._state = threading.Condition()
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._generation = 0
        self._tx_generation = 0
        self._tx_depth = 0
        self._retry_at = 0.0
        self._first: BaseException | bool | None = None
        self._stop = threading.Event()
        #: Worker pids and how many times a worker has been replaced (for logs and tests).
        self.restarts = 0
        self._supervisor = threading.Thread(
            target=self._supervise, name="credgraph-store-worker", daemon=True
        )
        # Workers are started from the supervisor thread only: the kernel signals a worker
        # when the *thread* that started it ends, and this one lives as long as the store.
        self._supervisor.start()
        with self._state:
            self._state.wait_for(lambda: self._first is not None, timeout=start_timeout + 5)
            first = self._first
        if first is not True:
            self._stop.set()
            if isinstance(first, BaseException):
                raise first
            raise StoreUnavailable(f"the store worker for {self.path} did not start")

    # -- supervision ---------------------------------------------------------------------------
    @property
    def worker_pid(self) -> int | None:
        """The pid of the worker now serving, or None while it is being replaced."""
        with self._state:
            proc = self._proc if self._conn is not None else None
            return proc.pid if proc is not None else None

    def _spawn(self) -> tuple[subprocess.Popen[bytes], Connection]:
        ours_sock, theirs_sock = socket.socketpair()
        ours = Connection(ours_sock.detach())
        theirs = theirs_sock.detach()
        env = dict(os.environ)
        root = str(FsPath(__file__).resolve().parent.parent)  # where ``graph`` is importable
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        try:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from graph.worker_store import main; main()",
                    str(theirs),
                    str(self.path),
                    str(self._buffer_pool_mb),
                    "1" if self._create_schema else "0",
                    str(os.getpid()),
                ],
                pass_fds=(theirs,),
                env=env,
                stdin=subprocess.DEVNULL,
            )
        finally:
            os.close(theirs)  # the worker's death is then EOF on ours
        try:
            if ours.poll(self._start_timeout):
                status, value = ours.recv()
            else:
                status, value = (
                    "err",
                    StoreUnavailable(
                        f"the store worker did not open {self.path} "
                        f"within {self._start_timeout:g} s"
                    ),
                )
        except (EOFError, OSError):
            status, value = (
                "err",
                StoreUnavailable(
                    f"the store worker exited while opening {self.path} "
                    f"({_exit_reason(proc.poll())})"
                ),
            )
        if status != "ready":
            with contextlib.suppress(OSError):
                ours.close()
            proc.kill()
            proc.wait(5)
            assert isinstance(value, BaseException)
            raise value
        return proc, ours

    def _supervise(self) -> None:
        delay = self._backoff
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                proc, conn = self._spawn()
            except BaseException as exc:  # noqa: BLE001 - reported to the caller or logged
                with self._state:
                    if self._first is None:
                        self._first = exc
                        self._state.notify_all()
                        return
                    self._retry_at = time.monotonic() + delay
                log.warning("store worker could not start: %s; next try in %.1f s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, BACKOFF_MAX_SECONDS)
                continue
            with self._state:
                self._proc, self._conn = proc, conn
                self._generation += 1
                if self._first is None:
                    self._first = True
                self._state.notify_all()
            log.info("store worker pid %s serves %s", proc.pid, self.path)
            while proc.poll() is None and not self._stop.is_set():
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(0.2)
            if self._stop.is_set():
                return
            up = time.monotonic() - started
            if up >= _STABLE_SECONDS:
                delay = self._backoff
            with self._state:
                self._lost(self._generation)
                self._retry_at = time.monotonic() + delay
            log.warning(
                "store worker pid %s died (%s) after %.1f s; starting another in %.1f s",
                proc.pid,
                _exit_reason(proc.returncode),
                up,
                delay,
            )
            if self._stop.wait(delay):
                return
            delay = min(delay * 2, BACKOFF_MAX_SECONDS)
            self.restarts += 1

    def _lost(self, generation: int) -> None:
        """Forget the worker of ``generation`` (called with ``_state`` held)."""
        if generation == self._generation and self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
            self._conn = None

    def _unavailable(self, why: str) -> StoreUnavailable:
        wait = max(1, round(self._retry_at - time.monotonic() + 1))
        return StoreUnavailable(f"{why}; the store worker is restarting, retry in about {wait} s")

    # -- calls ---------------------------------------------------------------------------------
    def _call(self, op: str, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            with self._state:
                conn, generation, proc = self._conn, self._generation, self._proc
            if conn is None or proc is None:
                raise self._unavailable("the graph store is not available")
            if self._tx_depth and self._tx_generation != generation:
                raise self._unavailable("the store worker stopped during this transaction")
            timed_out = False
            reply: tuple[str, Any] | None = None
            try:
                conn.send((op, args, kwargs))
                if conn.poll(self.call_timeout):
                    reply = conn.recv()
                else:
                    timed_out = True
            except (EOFError, OSError):
                reply = None
            if reply is None:
                if timed_out:
                    log.error(
                        "store worker pid %s gave no answer to %s in %g s; stopping it",
                        proc.pid,
                        op,
                        self.call_timeout,
                    )
                    proc.kill()
                with self._state:
                    self._lost(generation)
                raise self._unavailable(f"the store worker stopped while answering {op}")
            status, value = reply
            if status == "ok":
                return value
            raise value

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Calls inside the block run in one transaction of the worker."""
        with self._lock:
            self._call("begin")
            if self._tx_depth == 0:
                with self._state:
                    self._tx_generation = self._generation
            self._tx_depth += 1
            try:
                yield
            except BaseException:
                with contextlib.suppress(StoreError):
                    self._call("rollback")
                raise
            else:
                self._call("commit")
            finally:
                self._tx_depth -= 1

    def close(self) -> None:
        """Close the worker (it closes the store and releases its lock), stop supervising."""
        self._stop.set()
        # Wait (bounded) for a call in flight on another thread: the pipe takes one at a time.
        locked = self._lock.acquire(timeout=10)
        with self._state:
            proc, conn = self._proc, self._conn
            self._conn = None
        if not locked and proc is not None:
            proc.kill()  # a call that does not end: the engine's recovery at the next start
        elif conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(("close", (), {}))
        if locked:
            self._lock.release()
        if proc is not None:
            try:
                proc.wait(self.close_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
            # A worker stopped before it could say it let go no longer holds the store.
            store_lock.release_for(self.path, proc.pid)
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()
        if self._supervisor is not threading.current_thread():
            self._supervisor.join(5)

    # -- the port ------------------------------------------------------------------------------
    def create_schema(self) -> None:
        """Create the schema (in the worker)."""
        self._call("create_schema")

    def wipe(self) -> None:
        """Delete every node and relationship."""
        self._call("wipe")

    def upsert_nodes(self, label: str, rows: Sequence[Row]) -> int:
        """Create or update nodes by uid."""
        return int(self._call("upsert_nodes", label, _plain_rows(rows)))

    def upsert_relationships(
        self, rel_type: str, src_label: str, dst_label: str, rows: Sequence[Row]
    ) -> int:
        """Create or update relationships by rid."""
        return int(
            self._call("upsert_relationships", rel_type, src_label, dst_label, _plain_rows(rows))
        )

    def insert_new_nodes(self, label: str, rows: Sequence[Row]) -> int:
        """Write nodes known to be new."""
        return int(self._call("insert_new_nodes", label, _plain_rows(rows)))

    def insert_new_relationships(
        self, rel_type: str, src_label: str, dst_label: str, rows: Sequence[Row]
    ) -> int:
        """Write relationships known to be new."""
        return int(
            self._call(
                "insert_new_relationships", rel_type, src_label, dst_label, _plain_rows(rows)
            )
        )

    def set_node_properties(self, label: str, rows: Sequence[Row]) -> int:
        """Set properties on existing nodes."""
        return int(self._call("set_node_properties", label, _plain_rows(rows)))

    def delete_relationships(self, rel_type: str, rids: Sequence[str]) -> int:
        """Delete relationships by rid."""
        return int(self._call("delete_relationships", rel_type, list(rids)))

    def get_nodes(self, uids: Sequence[str]) -> list[Node]:
        """The nodes with these uids, in the order asked."""
        found: list[Node] = self._call("get_nodes", list(uids))
        return found

    def get_node(self, uid: str) -> Node | None:
        """The node with this uid, or None."""
        found: Node | None = self._call("get_node", uid)
        return found

    def find_nodes(self, label: str, where: Mapping[str, Any], limit: int = 100) -> list[Node]:
        """Nodes of one label matching ``where``."""
        found: list[Node] = self._call("find_nodes", label, dict(where), limit)
        return found

    def search_nodes(self, label: str, text: str, limit: int = 20) -> list[Node]:
        """Nodes whose name or uid contains ``text``."""
        found: list[Node] = self._call("search_nodes", label, text, limit)
        return found

    def edges_of(
        self,
        uids: Sequence[str],
        rel_types: Sequence[str] | None = None,
        *,
        direction: str = "both",
        limit: int = 10_000,
    ) -> list[Edge]:
        """Relationships touching these nodes."""
        types = list(rel_types) if rel_types is not None else None
        found: list[Edge] = self._call(
            "edges_of", list(uids), types, direction=direction, limit=limit
        )
        return found

    def step_edges(
        self,
        uids: Sequence[str],
        rel_type: str,
        direction: str,
        edge_props: Sequence[str] = (),
    ) -> list[Edge]:
        """One step of a bounded traversal."""
        found: list[Edge] = self._call(
            "step_edges", list(uids), rel_type, direction, list(edge_props)
        )
        return found

    def counts(self) -> Counts:
        """Nodes per label and relationships per type."""
        found: Counts = self._call("counts")
        return found

    def project(
        self,
        rel_types: Sequence[str],
        *,
        node_props: Sequence[str] = (),
        edge_props: Sequence[str] = (),
        node_labels: Sequence[str] | None = None,
        with_rids: bool = True,
    ) -> Projection:
        """Relationship types and their endpoints as arrays."""
        labels = list(node_labels) if node_labels is not None else None
        found: Projection = self._call(
            "project",
            list(rel_types),
            node_props=list(node_props),
            edge_props=list(edge_props),
            node_labels=labels,
            with_rids=with_rids,
        )
        return found

    def query(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a named query in the worker."""
        rows: list[dict[str, Any]] = self._call(
            "query", name, dict(params) if params is not None else None
        )
        return rows

    def query_table(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        *,
        pages_over: str | None = None,
    ) -> pa.Table:
        """Run a named query in the worker; its rows come back as an Arrow table."""
        table: pa.Table = self._call(
            "query_table",
            name,
            dict(params) if params is not None else None,
            pages_over=pages_over,
        )
        return table

    def query_by_uids(
        self, name: str, uids: Sequence[str], params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run a named query keyed by a list of uids in the worker (the adapter's way)."""
        rows: list[dict[str, Any]] = self._call(
            "query_by_uids", name, list(uids), dict(params) if params is not None else None
        )
        return rows

    def neighbourhood(
        self,
        uid: str,
        hops: int = 1,
        rel_types: Sequence[str] | None = None,
        *,
        max_nodes: int = 500,
    ) -> Subgraph:
        """Nodes within ``hops`` of ``uid`` (walked in the worker: one round trip)."""
        types = list(rel_types) if rel_types is not None else None
        found: Subgraph = self._call("neighbourhood", uid, hops, types, max_nodes=max_nodes)
        return found

    def paths(
        self,
        a: str,
        b: str,
        *,
        max_hops: int = 4,
        rel_types: Sequence[str] | None = None,
        limit: int = 5,
        max_expanded: int = 20_000,
    ) -> list[Path]:
        """Shortest paths from ``a`` to ``b`` (searched in the worker)."""
        types = list(rel_types) if rel_types is not None else None
        found: list[Path] = self._call(
            "paths",
            a,
            b,
            max_hops=max_hops,
            rel_types=types,
            limit=limit,
            max_expanded=max_expanded,
        )
        return found


def _plain_rows(rows: Sequence[Row]) -> list[Row]:
    """Rows as a list of dicts (a generator or a mapping proxy does not pickle)."""
    return [r if type(r) is dict else dict(r) for r in rows]


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def open_worker_store(settings: Settings, *, create_schema: bool = True) -> GraphStore:
    """The embedded store the settings name, served by a supervised worker process."""
    store = WorkerStore(
        settings.embedded_path,
        buffer_pool_mb=settings.embedded_buffer_pool_mb,
        create_schema=create_schema,
        call_timeout=settings.store_worker_call_seconds,
        backoff=settings.store_worker_backoff_seconds,
    )
    return install_faults(store)
