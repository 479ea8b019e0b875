"""The webhook signature: what a receiver checks, against a plain HMAC computed here."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from api.webhooks import sign, verify_signature

SECRET = "whsec_test-secret"
BODY = b'{"type":"changes","subscription":1,"events":[],"next_since":7}'
T = 1_700_000_000


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, T) == f"t={T},v1={expected}"


def test_a_genuine_signature_verifies_within_the_tolerance() -> None:
    header = sign(SECRET, BODY, T)
    assert verify_signature(SECRET, header, BODY, now=T)
    assert verify_signature(SECRET, header, BODY.decode(), now=T + 299)
    assert verify_signature(SECRET, header, BODY, tolerance_s=10, now=T - 10)


@pytest.mark.parametrize(
    ("secret", "body", "now"),
    [
        (SECRET, BODY.replace(b"7", b"8"), T),  # tampered body
        (SECRET, BODY + b" ", T),  # re-serialised body
        ("whsec_other", BODY, T),  # someone else's secret
        (SECRET, BODY, T + 301),  # replayed later
        (SECRET, BODY, T - 301),  # from the future
    ],
)
def test_anything_else_fails(secret: str, body: bytes, now: int) -> None:
    assert not verify_signature(secret, sign(SECRET, BODY, T), body, now=now)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        f"t={T}",
        "v1=" + "0" * 64,
        f"t=x,v1={'0' * 64}",
        f"t={T},v1=" + "0" * 64,
        f"t={T},v0={sign(SECRET, BODY, T).partition('v1=')[2]}",
    ],
)
def test_malformed_or_unknown_headers_fail(header: str) -> None:
    assert not verify_signature(SECRET, header, BODY, now=T)


def test_any_one_of_several_v1_values_may_match() -> None:
    good = sign(SECRET, BODY, T).partition("v1=")[2]
    assert verify_signature(SECRET, f"t={T},v1={'0' * 64},v1={good}", BODY, now=T)
