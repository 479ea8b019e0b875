"""Fixtures for the console's browser tests: generated data, a real server, real Chromium.

Fixture strategy: one generated market (``ingest.generate``, ~1,000 businesses) is ingested
into a fresh embedded store per session, restrictions are propagated and brushing rings
(and shell clusters) detected; the store is closed and ``credgraph serve`` runs on it in a
subprocess on a free port of 127.0.0.1, as an officer would reach it. Chromium is Debian's
``/usr/bin/chromium`` driven by Playwright (never ``playwright install``); each test gets a
fresh browser context, so nothing of one sign-in leaks into the next. Without Chromium (or
Playwright) the tests skip, except under a truthy ``CI`` (1, yes, true) where they fail:
install it with ``scripts/install-browser``. Screenshots go to ``artifacts/screenshots/``
(not committed).
"""

from __future__ import annotations

import contextlib
import csv
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from algorithms.propagation import service
from api.app import api_db_path
from api.security import KeyStore
from graph.config import Settings
from graph.embedded_store import EmbeddedStore
from ingest.generate import generate
from ingest.pipeline import ingest_directory
from tests.conftest import TEST_KEY, in_ci

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ENTITIES = 1_000
SEED = 7
#: ``credgraph serve`` with the interpreter running the tests (no console script needed).
_SERVE = "from cli.main import app; app()"


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"CI is set but {reason}; run scripts/install-browser")
    pytest.skip(f"{reason}; run scripts/install-browser")


@dataclass(frozen=True)
class Market:
    """The served market and what the tests look for in it."""

    base: str
    officer: str
    platform: str
    #: A business restricted by a measure that reached it from a related entity.
    derived_uid: str
    derived_name: str
    derived_measure: str
    #: Its neighbours, for the network (at least one).
    degree: int
    #: An active business restricted by nothing, with a legal representative on record.
    plain_uscc: str
    #: A business holding a licence, and that licence's number.
    licensed_uid: str
    licence_no: str
    #: The business operating the most stores (a hub).
    hub_uid: str = ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _derived_example(store: EmbeddedStore) -> tuple[str, str, str]:
    """A named business restricted today through a path from another entity."""
    today = date.today()
    records = service.current_restrictions(store)
    derived = sorted(
        (r for r in records if r.in_force(today) and r.listed_uid != r.subject_uid),
        key=lambda r: (not r.subject_uid.startswith("biz:"), r.subject_uid),
    )
    for record in derived:
        node = store.get_node(record.subject_uid)
        if node is not None and node.get("name"):
            return record.subject_uid, str(node.get("name")), record.measure
    raise AssertionError("the generated market has no derived restriction in force")


def _plain_business(store: EmbeddedStore, input_dir: Path) -> str:
    """The USCC of an active business with no restriction and a legal representative."""
    restricted = {r.subject_uid for r in service.current_restrictions(store)}
    with (input_dir / "businesses.csv").open(encoding="utf-8") as lines:
        for row in csv.DictReader(lines):
            uid = f"biz:{row['business_id']}"
            if row["status"] != "active" or uid in restricted or ":" in row["business_id"]:
                continue
            if store.edges_of([uid], ["LEGAL_REPRESENTATIVE_OF"], direction="in"):
                return row["business_id"]
    raise AssertionError("the generated market has no unrestricted active business")


def _licensed_business(store: EmbeddedStore, input_dir: Path) -> tuple[str, str]:
    """A business on record with a licence, and the licence's number as stored."""
    with (input_dir / "licences.csv").open(encoding="utf-8") as lines:
        for row in csv.DictReader(lines):
            uid = f"biz:{row['business_id']}"
            held = store.edges_of([uid], ["HOLDS_LICENCE"], direction="out")
            licence = store.get_node(held[0].dst) if held else None
            if licence is not None:
                return uid, str(licence.get("licence_no"))
    raise AssertionError("the generated market has no licence holder")


def _hub(input_dir: Path) -> str:
    """The business operating the most stores in the generated market."""
    stores: dict[str, int] = {}
    with (input_dir / "stores.csv").open(encoding="utf-8") as lines:
        for row in csv.DictReader(lines):
            if row["operator_type"] == "business":
                stores[row["operator_id"]] = stores.get(row["operator_id"], 0) + 1
    return f"biz:{max(stores, key=lambda k: (stores[k], k))}"


def _prepare(root: Path) -> tuple[Settings, tuple[str, str, str], int, str, tuple[str, str]]:
    settings = Settings(
        environment="test",
        store="embedded",
        embedded_path=root / "graph.lbdb",
        embedded_buffer_pool_mb=512,
        id_hash_key=TEST_KEY,
        quarantine_dir=root / "quarantine",
    )
    generate(root / "input", ENTITIES, SEED)
    store = EmbeddedStore(settings.embedded_path, buffer_pool_mb=512)
    try:
        store.create_schema()
        ingest_directory(
            store, root / "input", id_hash_key=TEST_KEY, quarantine_dir=settings.quarantine_dir
        )
        service.propagate_store(store, full=True)
        from algorithms.brushing import service as rings

        rings.detect(store)
        from algorithms.shells import service as shells_service

        shells_service.detect_shells(store, use_gds=False)
        example = _derived_example(store)
        degree = len(store.neighbourhood(example[0], 1, None, max_nodes=50).nodes)
        plain = _plain_business(store, root / "input")
        licensed = _licensed_business(store, root / "input")
    finally:
        store.close()
    return settings, example, degree, plain, licensed


@pytest.fixture(scope="package")
def market(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Market]:
    """Generated data behind a real ``credgraph serve`` on a free local port."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    root = tmp_path_factory.mktemp("console")
    settings, (uid, name, measure), degree, plain, (licensed, licence_no) = _prepare(root)
    keys = KeyStore(api_db_path(settings))
    # Generous limits: a test clicks faster than an officer.
    officer = keys.create("browser-officer", "officer", rate=1000, burst=1000).token
    platform = keys.create("browser-platform", "platform").token
    keys.close()

    port = _free_port()
    env = {
        **os.environ,
        "CREDGRAPH_ENVIRONMENT": "test",
        "CREDGRAPH_STORE": "embedded",
        "CREDGRAPH_EMBEDDED_PATH": str(settings.embedded_path),
        "CREDGRAPH_EMBEDDED_BUFFER_POOL_MB": "512",
        "CREDGRAPH_ID_HASH_KEY": TEST_KEY,
        "CREDGRAPH_QUARANTINE_DIR": str(settings.quarantine_dir),
    }
    log = (root / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise AssertionError(
                    f"credgraph serve exited: {(root / 'server.log').read_text()[-2000:]}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError("credgraph serve did not become ready in 60 s")
            time.sleep(0.2)
        yield Market(
            base,
            officer,
            platform,
            uid,
            name,
            measure,
            degree,
            plain,
            licensed,
            licence_no,
            hub_uid=_hub(root / "input"),
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, headless.

    Package-scoped: Playwright's sync API keeps an event loop running in the main thread
    while it is open, which would break any later test that starts one of its own."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context (empty sessionStorage) and page; JavaScript errors fail the test."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Chromium logs every 4xx answer as an error; the page handles those (sign-in refusals).
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.set_default_timeout(20_000)
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as ``artifacts/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, market: Market, token: str | None = None) -> None:
    """Open the console and sign in with the officer key (or ``token``)."""
    page.goto(f"{market.base}/console/")
    page.fill("#key", token or market.officer)
    page.click("#signin button[type=submit]")
    if token is None:
        page.wait_for_selector("#search-q")


def json_of(page: Page, script: str) -> Any:
    """Evaluate ``script`` in the page."""
    return page.evaluate(script)
