"""graph/redact.py: every spelling of a resident id number found, nothing else touched."""

from __future__ import annotations

import logging

import pytest

from graph.errors import InvalidInput
from graph.identity import hash_person_id
from graph.redact import (
    RedactingFilter,
    RedactingStore,
    Redactor,
    contains_id,
    install_log_redaction,
    redact,
    spellings,
)

KEY = "test-id-hash-key-0123456789"
NUMBER = "330124198008051881"
WITH_X = "11010519491231002X"
UID = hash_person_id(NUMBER, KEY).uid


@pytest.mark.parametrize("text", spellings(NUMBER) + spellings(WITH_X))
def test_every_spelling_is_replaced(text: str) -> None:
    assert not contains_id(redact(text, KEY))
    assert redact(f"/v1/entities/{text}?x=1", KEY).startswith("/v1/entities/person:")


@pytest.mark.parametrize(
    "text",
    [
        f"person:{NUMBER}",
        f"person%3A{NUMBER}",
        f"ID{NUMBER}",
        f"q={NUMBER}&at=2025-01-01",
        f"'{NUMBER}' is not a valid USCC",
        "".join(chr(ord(c) + 0xFEE0) for c in NUMBER),
    ],
)
def test_prefixed_quoted_and_full_width_numbers_become_the_persons_uid(text: str) -> None:
    assert UID in redact(text, KEY)
    assert NUMBER not in redact(text, KEY)


def test_without_a_key_or_for_people_to_read_the_number_is_masked() -> None:
    assert redact(NUMBER) == "3301**********1881"
    assert redact(NUMBER, KEY, mask=True) == "3301**********1881"


def test_a_wrong_check_character_is_still_a_persons_number() -> None:
    wrong = NUMBER[:-1] + "2"
    assert redact(wrong, KEY).startswith("person:")


@pytest.mark.parametrize(
    "text",
    [
        "91330106MA2AAAAA15",  # a USCC
        "waybill 123456789012345678",  # no plausible birth date
        "order 13301241980080518810",  # longer digit run
        "2025-01-10T12:00:00.123456",
        "person:98f6aca85e5be828cb9f717361476131",
        "13900139000",
    ],
)
def test_other_numbers_are_left_alone(text: str) -> None:
    assert redact(text, KEY) == text


def test_old_fifteen_digit_numbers_only_where_over_masking_costs_nothing() -> None:
    old = "330106800101123"
    assert redact(old) == old
    assert redact(old, legacy=True) == "3301*******1123"


def test_nested_values_are_redacted() -> None:
    value = {"detail": f"no {NUMBER}", "errors": [{"message": NUMBER}], "n": 1}
    assert Redactor(mask=True).value(value) == {
        "detail": "no 3301**********1881",
        "errors": [{"message": "3301**********1881"}],
        "n": 1,
    }


def test_log_records_are_redacted_at_creation_and_by_the_access_filter() -> None:
    install_log_redaction(KEY)
    logger = logging.getLogger("credgraph.test.redact")
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "asked %s", (NUMBER,), None)
    assert NUMBER not in record.getMessage()
    access = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", f"/v1/entities?q={NUMBER}", "1.1", 200), None,
    )  # fmt: skip
    RedactingFilter().filter(access)
    assert NUMBER not in access.getMessage()
    assert access.args[-1] == 200  # type: ignore[index]


def test_a_number_logged_as_an_integer_is_redacted_too() -> None:
    install_log_redaction(KEY)
    logger = logging.getLogger("credgraph.test.redact")
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "n=%d", (int(NUMBER),), None)
    assert NUMBER not in record.getMessage()


class _Recorder:
    dialect = "ladybug"

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def upsert_nodes(self, label: str, rows: list[dict[str, object]]) -> int:
        self.rows.extend(rows)
        return len(rows)


def test_graph_writes_carry_no_number_in_text_and_refuse_it_in_keys() -> None:
    inner = _Recorder()
    store = RedactingStore(inner, KEY)
    store.upsert_nodes("Listing", [{"uid": "listing:A", "authority": f"court {NUMBER}"}])
    assert inner.rows == [{"uid": "listing:A", "authority": f"court {UID}"}]
    with pytest.raises(InvalidInput, match="personal id number"):
        store.upsert_nodes("Listing", [{"uid": f"listing:L{NUMBER}"}])
    store.upsert_nodes("Person", [{"uid": UID, "id_hash": "ab" * 32}])
    assert inner.rows[-1]["uid"] == UID
