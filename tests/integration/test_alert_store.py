"""The scanner's view of the watches when several processes share the API's SQLite file.

The scanner keeps its watches indexed between scans (reading 10,000 watches on every scan
cost more than the scan itself); a watch added or removed through another connection to the
file (another API process, the CLI) must still be seen by the next scan. The sample: the
legal representative of 杭州云帆科技 (…AAAAA3B) also represents 杭州云舟网络科技 (…AAAAA4E).
"""

from __future__ import annotations

from api.alerts import AlertStore
from tests.integration import test_api as _api
from tests.integration.test_api import Api

api = _api.api  # the fixture: the sample market served from the embedded store

YUNFAN = "91330106MA2AAAAA3B"
YUNZHOU = "91330106MA2AAAAA4E"


def _list(api: Api, listing_id: str) -> None:
    listed = api.client.post(
        "/v1/listings",
        json={
            "listing_id": listing_id,
            "kind": "business",
            "id": YUNFAN,
            "list_type": "abnormal_operation",
            "decided": "2025-01-10",
        },
        headers=api.officer,
    )
    assert listed.status_code == 201, listed.text


def test_a_watch_made_through_another_connection_is_seen_by_the_next_scan(api: Api) -> None:
    scanner: AlertStore = api.state.extras["alerts"]
    assert scanner.scan_all(api.state.store) == 0  # the index is built, with no watches
    other = AlertStore(api.db)  # as another process would open the file
    try:
        watch = other.watch("elsewhere", "entity", f"biz:{YUNZHOU}", 2)
        _list(api, "S-1")
        assert scanner.scan_all(api.state.store) == 1
        [alert] = other.alerts("elsewhere")
        assert (alert.watched, alert.distance) == (f"biz:{YUNZHOU}", 2)
        other.unwatch("elsewhere", watch.id)
        _list(api, "S-2")
        assert scanner.scan_all(api.state.store) == 0  # the removed watch is gone too
    finally:
        other.close()
