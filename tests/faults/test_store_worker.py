"""A native fault in the embedded engine ends the store worker, never the check API.

A real ``credgraph serve`` runs over a copy of the sample data (propagated); its embedded
store is served by a supervised worker process. The worker is killed with SIGSEGV (what a
segmentation fault in LadybugDB's native code does to it): platform checks keep
answering from the restriction view, officer calls get a 503 with Retry-After (a call in
flight included: no hang), the server stays up, and a new worker serves officer calls and
listings again within a bounded wait.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from algorithms.propagation import service
from api.security import KeyStore, Scope
from graph.embedded_store import EmbeddedStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY
from tests.faults.server import Server

pytestmark = pytest.mark.slow

XINGCHEN = "91330106MA2AAAAA15"  # restricted in the sample data
YUNZHOU = "91330106MA2AAAAA4E"  # on record, not restricted
NEVER_ASKED = "taobao:100999"  # a store on record, never looked up before the fault
#: How long a recovery may take before the test gives up (it does not time the recovery).
RECOVERY_BOUND = 120.0


class Home:
    """A server home with the sample graph and one platform and one officer key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with EmbeddedStore(path / "graph.lbdb", buffer_pool_mb=256) as store:
            store.create_schema()
            ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=path / "q")
            service.propagate_store(store, full=True)
        keys = KeyStore(path / "api.sqlite3")
        try:
            self.platform = {"X-API-Key": keys.create("taobao", Scope.PLATFORM).token}
            self.officer = {"X-API-Key": keys.create("zj-amr", Scope.OFFICER).token}
        finally:
            keys.close()


def _check(client: httpx.Client, home: Home, uscc: str, kind: str = "business") -> httpx.Response:
    return client.get(f"/v1/restrictions/{kind}/{uscc}", headers=home.platform)


def _profile(client: httpx.Client, home: Home, uscc: str = XINGCHEN) -> httpx.Response:
    return client.get(f"/v1/entities/biz:{uscc}", headers=home.officer)


def _wait_for(what: str, ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + RECOVERY_BOUND
    while not ready():
        assert time.monotonic() < deadline, f"{what} did not happen within {RECOVERY_BOUND} s"
        time.sleep(0.2)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, Home]]:
    home = Home(tmp_path)
    # A long first back-off keeps the outage open while the test looks at it.
    srv = Server(tmp_path, CREDGRAPH_STORE_WORKER_BACKOFF_SECONDS="4")
    yield srv, home
    srv.stop()


def test_checks_answer_through_a_worker_crash_and_the_worker_comes_back(
    server: tuple[Server, Home],
) -> None:
    srv, home = server
    with srv.client() as client:
        before = {u: _check(client, home, u) for u in (XINGCHEN, YUNZHOU)}
        assert [r.status_code for r in before.values()] == [200, 200]
        assert before[XINGCHEN].json()["restricted"] is True
        assert before[YUNZHOU].json()["restricted"] is False
        assert _profile(client, home).status_code == 200

        worker = srv.worker_pid()
        assert worker is not None
        assert worker != srv.proc.pid, "the store is not in a worker"

        # An officer call in flight when the worker dies: stopped first so that it waits.
        os.kill(worker, signal.SIGSTOP)
        in_flight: list[httpx.Response] = []

        def call() -> None:
            with srv.client() as own:
                in_flight.append(_profile(own, home))

        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(0.5)
        os.kill(worker, signal.SIGSEGV)
        os.kill(worker, signal.SIGCONT)  # a stopped process takes the fault once resumed
        caller.join(timeout=RECOVERY_BOUND)
        assert not caller.is_alive(), "a call in flight hung when the worker died"
        assert in_flight[0].status_code == 503
        assert in_flight[0].headers["content-type"].startswith("application/problem+json")
        assert int(in_flight[0].headers["retry-after"]) >= 1

        # The outage: checks answer as before; officer calls and readiness say 503.
        down = _profile(client, home)
        assert down.status_code == 503, down.text
        assert "retry" in down.json()["detail"] or down.headers.get("retry-after")
        for uscc, answer in before.items():
            during = _check(client, home, uscc)
            assert during.status_code == 200, during.text
            assert during.json() == answer.json()
        batch = client.post(
            "/v1/restrictions/batch",
            json={"items": [{"kind": "business", "id": u} for u in (XINGCHEN, YUNZHOU)]},
            headers=home.platform,
        )
        assert batch.status_code == 200
        assert batch.json()["restricted"] == 1
        # A subject never looked up needs the store: a clear 503, not a wrong "not found".
        assert _check(client, home, NEVER_ASKED, "store").status_code == 503
        assert client.get("/readyz").status_code == 503
        assert srv.proc.poll() is None, "the server died with its worker"

        # A new worker serves officer calls and writes again.
        _wait_for("officer calls answering", lambda: _profile(client, home).status_code == 200)
        assert srv.worker_pid() not in (None, worker)
        listing = {
            "listing_id": "WORKER-1",
            "kind": "business",
            "id": YUNZHOU,
            "list_type": "serious_dishonesty",
            "decided": "2025-01-10",
            "legal_basis": "《办法》第二条",
        }
        made = client.post("/v1/listings", json=listing, headers=home.officer)
        assert made.status_code == 201, made.text
        assert _check(client, home, YUNZHOU).json()["restricted"] is True
        assert _check(client, home, NEVER_ASKED, "store").status_code == 200
    log = srv.log.read_text(errors="replace")
    assert f"store worker pid {worker} died (signal SIGSEGV)" in log


def test_a_second_writer_is_told_the_worker_holds_the_store(
    server: tuple[Server, Home],
) -> None:
    srv, _ = server
    from graph.errors import StoreUnavailable

    with pytest.raises(StoreUnavailable, match=r"store worker") as refused:
        EmbeddedStore(srv.home / "graph.lbdb", buffer_pool_mb=64)
    assert str(srv.worker_pid()) in str(refused.value)
