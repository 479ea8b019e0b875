"""Identifiers: what is accepted, what is refused, and what is never stored in clear."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from graph.errors import InvalidInput
from graph.identity import (
    address_uid,
    business_uid,
    hash_person_id,
    normalise_address,
    normalise_phone,
    person_uid,
    validate_ric,
)
from graph.lookup import candidate_uids

KEY = "unit-test-key-0123456789"


def test_a_valid_uscc_becomes_a_business_uid() -> None:
    assert business_uid("91330106MA2AAAAA15") == "biz:91330106MA2AAAAA15"


def test_a_uscc_with_a_wrong_check_character_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not a valid USCC") as caught:
        business_uid("91330106MA2AAAAA16")
    assert caught.value.field == "business_id"


def test_a_foreign_business_is_named_by_jurisdiction_and_registry_number() -> None:
    assert business_uid("HK:1234567") == "biz:HK:1234567"
    assert business_uid("US-DE:7654321") == "biz:US-DE:7654321"
    with pytest.raises(InvalidInput):
        business_uid("hk 1234567:")


def test_id_numbers_are_stored_only_hashed_and_masked() -> None:
    person = hash_person_id("330100198001011237", KEY)
    assert "330100198001011237" not in (person.uid + person.id_hash)
    assert person.id_masked == "3301**********1237"
    assert person.uid == person_uid("330100198001011237", KEY)


def test_the_hash_depends_on_the_configured_key() -> None:
    assert person_uid("330100198001011237", KEY) != person_uid("330100198001011237", KEY + "x")


def test_a_resident_id_with_a_bad_check_digit_is_refused() -> None:
    with pytest.raises(InvalidInput, match="resident id"):
        hash_person_id("330100198001011238", KEY)


def test_a_passport_number_is_hashed_without_the_resident_id_check() -> None:
    person = hash_person_id("E12345678", KEY, "passport")
    assert person.id_masked == "E123*5678"


def test_one_address_written_two_ways_is_one_address() -> None:
    plain = "浙江省杭州市西湖区文三路90号5楼(A座)"
    fancy = "浙江省杭州市西湖区 文三路９０号５楼（A座）"
    assert normalise_address(fancy) == plain
    assert address_uid(fancy) == address_uid(plain)


def test_phone_numbers_lose_punctuation_and_the_country_code() -> None:
    assert normalise_phone("+86 138-0013-8000") == "13800138000"
    assert normalise_phone("0571-88001234") == "057188001234"
    with pytest.raises(InvalidInput):
        normalise_phone("n/a")


def test_what_a_person_types_is_read_as_every_entity_it_could_name() -> None:
    assert candidate_uids("91330106MA2AAAAA15", KEY)[0] == "biz:91330106MA2AAAAA15"
    assert candidate_uids("taobao:100234", KEY) == ["store:taobao:100234"]
    assert candidate_uids("330100198001011237", KEY) == [person_uid("330100198001011237", KEY)]


def test_the_cached_resident_id_check_agrees_with_stdnum() -> None:
    """validate_ric caches stdnum's birth-place lookup; it must accept and refuse the same
    numbers: real ones, wrong check digits, unknown counties, impossible dates, junk."""
    rng = random.Random(7)
    counties = ["330106", "110101", "440305", "999999", "330100", "510104", "000000"]
    numbers = []
    for _ in range(3_000):
        body = (
            rng.choice(counties)
            + f"{rng.randint(1900, 2030):04d}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}"
            + f"{rng.randint(0, 999):03d}"
        )
        numbers.append(body + ric.calc_check_digit(body + "0"))
        numbers.append(body + rng.choice("0123456789X"))
    numbers += ["", "12345", "33010619800101123", "3301061980010112345", "33010619800101123A"]

    def outcome(check: Callable[[str], str], number: str) -> str:
        try:
            return check(number)
        except ValidationError as exc:
            return type(exc).__name__

    results = [outcome(validate_ric, n) for n in numbers]
    assert results == [outcome(ric.validate, n) for n in numbers]
    assert sum(r.isdigit() or r.endswith("X") for r in results) > 500  # many were valid
