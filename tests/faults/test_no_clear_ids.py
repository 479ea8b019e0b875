"""No resident id number in clear in anything the system writes, whatever way it came in.

A scripted client sends known id numbers through every entry point of a real
``credgraph serve`` (in a subprocess, logging to files): in the path, the query string,
JSON bodies (as a ``business``, a ``store``, a ``uscc``, free text), headers, the console's
API, feedback and identity verification, in every spelling (percent-encoded, full width,
separated, letter-prefixed). The CLI ingests a people file with bad rows carrying id
numbers and answers lookups by id number. Then every file under the run's home (the
LadybugDB store, the SQLite file with audit trail and feedback, the server's and CLI's
logs, the quarantine, an FtM export, the temporary directory) is searched for each id number in each
spelling: none may be found.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from stdnum.cn import ric

from api.security import KeyStore, Scope
from graph.embedded_store import EmbeddedStore
from graph.redact import spellings
from tests.conftest import SAMPLE_DIR
from tests.faults.server import Server, cli_env

pytestmark = pytest.mark.slow

ZHANG_WEI = "330100198001011237"  # in the sample data
STRANGER = "330124198008051881"  # not on record
WITH_X = "11010519491231002" + ric.calc_check_digit("11010519491231002")
BAD_CHECK = "330124198008051882"  # wrong check digit: still a person's number
BAD_ROW = "330106199002023456"  # only in a quarantined row
IDS = (ZHANG_WEI, STRANGER, WITH_X, BAD_CHECK, BAD_ROW)


def _credgraph(home: Path, log: str, *args: str) -> None:
    with (home / "logs" / log).open("ab") as out:
        subprocess.run(
            [sys.executable, "-c", "from cli.main import app; app()", *args],
            env=cli_env(home),
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=300,
            check=False,
        )


def _input_dir(tmp: Path) -> Path:
    """The sample files plus people rows that must be quarantined."""
    data = tmp / "input"
    shutil.copytree(SAMPLE_DIR, data)
    with (data / "people.csv").open("a", encoding="utf-8") as f:
        f.write(f"{BAD_CHECK},坏校验,ric,330106,13900139001,\n")
        f.write(f"{BAD_ROW},,ric,330106,not-a-phone,nobody\n")
        f.write(f"ID{WITH_X},前缀,ric,330106,,\n")
    return data


def _requests(officer: dict[str, str], platform: dict[str, str]) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    reqs: list[tuple[str, str, dict]] = []  # type: ignore[type-arg]
    for number in IDS:
        for text in spellings(number):
            path = quote(text, safe="%")
            reqs += [
                ("GET", f"/v1/entities/{path}", {"headers": officer}),
                ("GET", f"/v1/entities/person:{path}", {"headers": officer}),
                ("GET", f"/v1/entities/ID{path}/network", {"headers": officer}),
                ("GET", "/v1/entities", {"headers": officer, "params": {"q": text}}),
                ("GET", f"/v1/restrictions/person/{path}", {"headers": platform}),
            ]
        reqs += [
            ("GET", f"/v1/restrictions/business/{number}", {"headers": platform}),
            ("GET", f"/v1/restrictions/store/{number}", {"headers": platform}),
            ("GET", f"/v1/entities/{number}/ownership", {"headers": officer}),
            ("GET", f"/v1/feedback?subject={number}", {"headers": platform}),
            ("GET", f"/v1/paths?src={number}&dst=person:{number}", {"headers": officer}),
            *[
                (
                    "POST",
                    "/v1/restrictions/check",
                    {"headers": platform, "json": {"kind": kind, "id": number}},
                )
                for kind in ("person", "business", "store")
            ],
            (
                "POST",
                "/v1/restrictions/batch",
                {
                    "headers": platform,
                    "json": {
                        "items": [
                            {"kind": "person", "id": number},
                            {"kind": "business", "id": number},
                        ]
                    },
                },
            ),
            (
                "POST",
                "/v1/feedback",
                {
                    "headers": platform,
                    "json": {
                        "kind": "person",
                        "id": number,
                        "action": "could_not_apply",
                        "reason": f"seller gave {number} / {spellings(number)[2]}",
                    },
                },
            ),
            (
                "POST",
                "/v1/feedback",
                {
                    "headers": platform,
                    "json": {"kind": "business", "id": number, "action": "applied"},
                },
            ),
            (
                "POST",
                "/v1/identity/verify",
                {
                    "headers": platform,
                    "json": {"uscc": number, "name": "某某", "legal_representative": number},
                },
            ),
            (
                "POST",
                "/v1/listings",
                {
                    "headers": officer,
                    "json": {
                        "listing_id": "ID-LEAK-1",
                        "kind": "business",
                        "id": number,
                        "list_type": "serious_dishonesty",
                        "decided": "2025-01-10",
                    },
                },
            ),
            (
                "POST",
                "/v1/listings",
                {
                    "headers": officer,
                    "json": {
                        "listing_id": f"L{number}",
                        "kind": "person",
                        "id": number,
                        "list_type": "judgment_defaulter",
                        "decided": "2025-01-10",
                        "authority": f"法院 {number}",
                        "legal_basis": f"案号 {number}",
                    },
                },
            ),
            (
                "GET",
                f"/v1/restrictions/person/{number}",
                {"headers": {**platform, "X-Subject": number, "User-Agent": f"shop/{number}"}},
            ),
            ("GET", "/v1/restrictions/person/x", {"headers": {"X-API-Key": number}}),
            ("GET", f"/console/api/entities/{number}/explanation", {"headers": officer}),
            (
                "POST",
                "/console/api/restricted",
                {"headers": officer, "json": {"uids": [number, f"person:{number}"]}},
            ),
            (
                "POST",
                "/console/api/listings/preview",
                {
                    "headers": officer,
                    "json": {
                        "action": "add",
                        "listing": {
                            "listing_id": "P-1",
                            "kind": "person",
                            "id": number,
                            "list_type": "judgment_defaulter",
                            "decided": "2025-01-10",
                        },
                    },
                },
            ),
        ]
    return reqs


def _hits(home: Path) -> list[str]:
    needles = {s.encode("utf-8"): n for n in IDS for s in spellings(n)}
    found = []
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for needle, number in needles.items():
            if needle in data or needle.lower() in data:
                found.append(f"{path.relative_to(home)}: {needle.decode()!r} ({number})")
    return found


def test_no_id_number_is_written_in_clear(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "logs").mkdir(parents=True)
    data = _input_dir(tmp_path)
    with EmbeddedStore(home / "graph.lbdb", buffer_pool_mb=256) as store:
        store.create_schema()
    _credgraph(home, "ingest.log", "ingest", str(data))
    _credgraph(home, "propagate.log", "propagate", "--full")
    assert list((home / "quarantine").rglob("people.quarantine.csv")), "bad rows quarantined"
    keys = KeyStore(home / "api.sqlite3")
    try:
        officer = {"X-API-Key": keys.create("zj-amr", Scope.OFFICER).token}
        platform = {"X-API-Key": keys.create("taobao", Scope.PLATFORM).token}
    finally:
        keys.close()

    server = Server(home)
    statuses = []
    try:
        with server.client() as client:
            for method, path, kwargs in _requests(officer, platform):
                response = client.request(method, path, **kwargs)
                statuses.append(response.status_code)
                assert response.status_code < 500, (path, response.text)
                echoed = [n for n in IDS if n in response.text]
                assert not echoed, (path, response.text)
    finally:
        server.stop()
    assert 200 in statuses
    assert 201 in statuses
    assert 422 in statuses
    for number in (ZHANG_WEI, STRANGER):
        _credgraph(home, "cli.log", "status", number)
        _credgraph(home, "cli.log", "show", number)
        _credgraph(home, "cli.log", "explain", f"person:{number}")
    (home / "exports").mkdir()
    _credgraph(home, "cli.log", "export", "-o", str(home / "exports" / "ftm.jsonl"))
    assert (home / "exports" / "ftm.jsonl").stat().st_size > 0

    assert (home / "api.sqlite3").exists()
    assert list((home / "logs").glob("serve-*.log"))
    assert _hits(home) == []
