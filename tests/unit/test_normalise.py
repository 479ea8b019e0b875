"""One reading of identifiers for ingest and the API (graph/normalise.py): case, width,
zero-width characters, dashes and spaces never make one identifier two."""

from __future__ import annotations

import pytest

from api.deps import subject_uid as api_subject_uid
from api.schemas import EntityKind
from graph.errors import InvalidInput
from graph.identity import business_uid as business_uid_of
from graph.identity import normalise_uid, person_uid, store_uid
from graph.identity import subject_uid as ingest_subject_uid
from graph.lookup import candidate_uids
from graph.normalise import clean_identifier, compact_identifier, store_key
from ingest.mappings import _party

KEY = "test-id-hash-key-0123456789"
USCC = "91330106MA2AAAAA15"
RIC = "330100198001011237"
ZWSP, BOM, FW_COLON = "\u200b", "\ufeff", "\uff1a"

STORE_SPELLINGS = [
    "taobao:902857866",
    "TAOBAO:902857866",
    f"taobao:902857866{ZWSP}",
    f"{BOM}Taobao:902857866 ",
    f"ｔａｏｂａｏ{FW_COLON}９０２８５７８６６",
]
USCC_SPELLINGS = [
    USCC,
    USCC.lower(),
    f"{USCC}{ZWSP}",
    "9133-0106-MA2A-AAAA-15",
    "９１３３０１０６ＭＡ２ＡＡＡＡＡ１５",
]
RIC_SPELLINGS = [
    RIC,
    f"{RIC}{ZWSP}",
    "330100-19800101-1237",
    "330100 1980 0101 1237",
    "３３０１００１９８００１０１１２３７",
]


def test_the_three_readings() -> None:
    assert clean_identifier(f" ａｂ{ZWSP}c\u00ad ") == "abc"
    assert compact_identifier("ab－cd ef—1") == "ABCDEF1"
    assert store_key(" JD ： 12A ") == "jd:12A"


@pytest.mark.parametrize("spelling", STORE_SPELLINGS)
def test_a_store_is_one_uid_at_ingest_and_at_the_api(spelling: str) -> None:
    want = "store:taobao:902857866"
    assert store_uid(spelling) == want
    assert _party("store", spelling, KEY, "subject_id") == ("Store", want)
    assert ingest_subject_uid("store", spelling, KEY) == want
    assert api_subject_uid(EntityKind.STORE, spelling, KEY) == want
    assert candidate_uids(spelling, KEY)[0] == want
    assert normalise_uid(f"store:{spelling.strip()}") == want


@pytest.mark.parametrize("spelling", USCC_SPELLINGS)
def test_a_business_is_one_uid_at_ingest_and_at_the_api(spelling: str) -> None:
    want = f"biz:{USCC}"
    assert _party("business", spelling, KEY, "subject_id") == ("Business", want)
    assert api_subject_uid(EntityKind.BUSINESS, spelling, KEY) == want
    assert candidate_uids(spelling, KEY)[0] == want


@pytest.mark.parametrize(
    "spelling", ["biz:CH:10000001", "biz:CHE:10000001", "biz:che:10000001", "biz:ＣＨＥ：10000001"]
)
def test_a_foreign_business_uid_is_read_as_ingest_wrote_it(spelling: str) -> None:
    assert normalise_uid(spelling) == "biz:CH:10000001" == business_uid_of("CHE:10000001")


def test_a_foreign_uid_ingest_would_not_write_is_looked_up_as_given() -> None:
    assert normalise_uid("biz:XX:1") == "biz:XX:1"


@pytest.mark.parametrize("spelling", RIC_SPELLINGS)
def test_a_person_is_one_uid_at_ingest_and_at_the_api(spelling: str) -> None:
    want = person_uid(RIC, KEY)
    assert _party("person", spelling, KEY, "subject_id") == ("Person", want)
    assert api_subject_uid(EntityKind.PERSON, spelling, KEY) == want
    assert candidate_uids(spelling, KEY) == [want]


@pytest.mark.parametrize("text", ["330100-19800101-1238", "9133-0106-MA2A-AAAA-16"])
def test_an_id_with_dashes_that_is_not_valid_is_invalid_not_unknown(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        candidate_uids(text, KEY)
    assert caught.value.field == "id"
    assert text not in str(caught.value)


@pytest.mark.parametrize("text", [RIC, "330100-19800101-1237", "abc", "", ":x"])
def test_a_bare_id_is_not_a_uid(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_uid(text)
    assert caught.value.field == "uid"
    assert RIC not in str(caught.value)
