"""A key's id is what an officer types to revoke it: it never reads as an option."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.security import KeyStore


def test_a_key_id_never_starts_with_a_dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: Iterator[str] = iter(["-RrLTqvp" + "a" * 35, "RrLTqvp-" + "b" * 35])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: next(drawn))
    created = KeyStore(tmp_path / "keys.sqlite").create("平台甲", "platform")
    assert created.key.key_id == "RrLTqvp-"
    assert created.token.endswith("b" * 35)
