"""Under any truthy ``CI`` the suite refuses to skip for a missing Neo4j or browser."""

from __future__ import annotations

import pytest

from tests.conftest import in_ci


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", "github-actions"])
def test_a_truthy_ci_makes_missing_services_fail(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci()


@pytest.mark.parametrize("value", ["", "0", "false", "False", "no", "off"])
def test_an_unset_or_false_ci_lets_them_skip(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert not in_ci()


def test_no_ci_variable_lets_them_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert not in_ci()
