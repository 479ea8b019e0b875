"""Rate limits: a key's bucket empties at its burst and refills at its rate.

The limiter's clock is replaced by one the test moves by hand, so refilling is tested
without sleeping and without timed assertions.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.security import ApiKey, RateLimiter, Scope
from graph.config import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@dataclass
class Clock:
    """Seconds that pass only when the test says so."""

    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_a_bucket_refills_at_the_keys_rate_up_to_its_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    key = ApiKey("k1", "taobao", Scope.PLATFORM, rate=2.0, burst=3)
    assert [limiter.take(key) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take(key) == pytest.approx(0.5)  # one token at 2 per second
    clock.advance(0.25)  # half a token back: still refused, a quarter second to go
    assert limiter.take(key) == pytest.approx(0.25)
    clock.advance(0.25)
    assert limiter.take(key) == 0.0
    clock.advance(3600)  # a long pause refills to the burst, never beyond
    assert [limiter.take(key) for _ in range(4)][-1] > 0
    assert limiter.take(ApiKey("k2", "jd", Scope.PLATFORM, rate=2.0, burst=3)) == 0.0


@dataclass
class Api:
    client: TestClient
    clock: Clock
    headers: dict[str, str]


@pytest.fixture
def api(settings: Settings, tmp_path: Path) -> Iterator[Api]:
    app = create_app(settings, api_db=tmp_path / "api.sqlite3")
    with TestClient(app) as client:
        state = app.state.credgraph
        clock = Clock()
        state.limiter.clock = clock
        token = state.keys.create("slow-platform", "platform", rate=1.0, burst=2).token
        yield Api(client, clock, {"X-API-Key": token})


def test_an_empty_bucket_answers_429_until_time_refills_it(api: Api) -> None:
    path = "/v1/changes"
    assert [api.client.get(path, headers=api.headers).status_code for _ in range(2)] == [200, 200]
    refused = api.client.get(path, headers=api.headers)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["content-type"].startswith("application/problem+json")
    api.clock.advance(0.5)  # half a token: still refused
    assert api.client.get(path, headers=api.headers).status_code == 429
    api.clock.advance(0.5)
    assert api.client.get(path, headers=api.headers).status_code == 200
    assert api.client.get(path, headers=api.headers).status_code == 429
