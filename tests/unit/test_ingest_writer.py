"""Ingest's writer thread: writes run in the order handed in, and a failed one stops the run."""

from __future__ import annotations

import threading
import time

import pytest

from ingest.pipeline import _Writer


def test_writes_run_in_order_on_one_thread_beside_the_caller() -> None:
    writer, seen, threads = _Writer(rows_ahead=1), list[int](), set[int]()

    def write(k: int) -> None:
        time.sleep(0.001 * (5 - k))  # later writes are quicker: order must still hold
        seen.append(k)
        threads.add(threading.get_ident())

    for k in range(5):
        writer.submit(write, k, rows=1)
    assert writer.call(lambda: list(seen)) == [0, 1, 2, 3, 4]  # a read waits for the writes
    assert threading.get_ident() not in threads
    assert len(threads) == 1


def test_a_failed_write_is_raised_to_the_caller_and_nothing_after_it_is_queued() -> None:
    writer, seen = _Writer(rows_ahead=1), list[int]()

    def fail() -> None:
        raise RuntimeError("disk full")

    writer.submit(fail, rows=1)
    with pytest.raises(RuntimeError, match="disk full"):
        writer.submit(seen.append, 1, rows=1)  # raised before this write is handed in
    writer.drain()
    assert seen == []


def test_the_caller_runs_ahead_of_the_writer_by_at_most_rows_ahead_rows() -> None:
    writer, gate = _Writer(rows_ahead=300), threading.Event()
    writer.submit(gate.wait)  # no rows: a release of what the store holds
    writer.submit(len, [0] * 100, rows=100)
    writer.submit(len, [0] * 200, rows=200)  # 300 rows unfinished: still handed in
    third = threading.Thread(target=writer.submit, args=(len, [0]), kwargs={"rows": 1})
    third.start()
    third.join(timeout=0.2)
    assert third.is_alive()  # 301 rows would be ahead: the caller waits
    gate.set()
    third.join(timeout=5)
    assert not third.is_alive()
    writer.drain()
