"""Real registries (issue 15 items 1-2): companies as officers, people's addresses, unknown
shares, ISO 3166 jurisdictions, pre-2015 registration numbers, folded identifiers, and
duplicate keys with other values reported in the reconciliation."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from graph.errors import InvalidInput
from graph.identity import business_uid, store_uid, valid_cn_registration_no
from graph.store import GraphStore
from ingest.pipeline import FileReport, IngestReport, ingest_directory, report_json
from tests.conftest import SAMPLE_DIR, TEST_KEY

HOLDING = "91330106MA2AAAAA15"  # in the sample
AGENT_CO = "VGB:1900001"  # a BVI company serving as director


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    target = tmp_path / "input"
    shutil.copytree(SAMPLE_DIR, target)
    return target


def append(path: Path, *rows: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(row + "\n")


def rewrite(path: Path, header: str, *rows: str) -> None:
    """Replace a file's header, keeping its rows (with empty new columns appended)."""
    with path.open(encoding="utf-8-sig") as handle:
        old = list(csv.reader(handle))
    extra = len(header.split(",")) - len(old[0])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header.split(","))
        for values in old[1:]:
            writer.writerow(values + [""] * extra)
        for line in rows:
            handle.write(line + "\n")


def run(store: GraphStore, directory: Path, tmp_path: Path) -> IngestReport:
    return ingest_directory(store, directory, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q")


def file_report(report: IngestReport, name: str) -> FileReport:
    return next(f for f in report.files if f.name == name)


def quarantined(report: FileReport) -> list[dict[str, str]]:
    assert report.quarantine_file is not None
    with open(report.quarantine_file, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# -- identifiers -----------------------------------------------------------------------------------


def test_three_letter_country_codes_are_stored_as_two_letter_codes() -> None:
    assert business_uid("CHE:10000001") == "biz:CH:10000001"
    assert business_uid("vgb:1900001") == "biz:VG:1900001"
    assert business_uid("HK:1234567") == "biz:HK:1234567"
    assert business_uid("US-DE:7654321") == "biz:US-DE:7654321"


def test_an_unknown_country_code_is_refused_with_the_accepted_forms() -> None:
    with pytest.raises(InvalidInput, match="alpha-2 or alpha-3") as caught:
        business_uid("XYZ:10000001")
    assert caught.value.field == "business_id"


def test_identifiers_are_folded_from_full_width_and_case() -> None:
    assert business_uid("９１３３０１０６ma2aaaaa15") == f"biz:{HOLDING}"
    assert business_uid("ｈｋ：１２３４５６７") == "biz:HK:1234567"
    assert business_uid("hk:ab123") == business_uid("HK:AB123")
    assert store_uid("ＴＡＯＢＡＯ：100234") == "store:taobao:100234"


def test_the_pre_2015_registration_number_has_its_own_check_digit() -> None:
    # ISO 7064 MOD 11,10 over the first 14 digits: 11000000000000 -> 9
    assert valid_cn_registration_no("110000000000009")
    assert not valid_cn_registration_no("110000000000008")
    assert not valid_cn_registration_no("11000000000009")  # 14 digits
    assert business_uid("CN:110000000000009") == "biz:CN:110000000000009"


def test_a_mainland_business_cannot_skip_the_uscc_check_with_a_cn_key() -> None:
    for key in ("CN:10000002", "CHN:110000000000008"):
        with pytest.raises(InvalidInput, match="keyed by its USCC"):
            business_uid(key)


# -- the model, end to end ------------------------------------------------------------------


def test_a_company_can_be_an_officer_and_a_person_can_have_an_address(
    embedded_store: GraphStore, sample: Path, tmp_path: Path
) -> None:
    append(sample / "businesses.csv", f"{AGENT_CO},Offshore Directors Ltd,active,,,,,,")
    rewrite(
        sample / "roles.csv",
        "person_id,business_id,role,since,until,holder_type,holder_id",
        f",{HOLDING},director,2020-01-01,,business,{AGENT_CO}",
        f",{HOLDING},registration_agent,,,business,VGB:1900002",
    )
    rewrite(
        sample / "people.csv",
        "person_id,name,id_type,region,phone,email,address",
        "P1234567,Jane Roe,passport,,,jane@example.org,１ Harbour Road Road Town",
    )
    report = run(embedded_store, sample, tmp_path)
    roles = file_report(report, "roles")
    assert roles.quarantined == 1
    [missing] = quarantined(roles)
    assert missing["_field"] == "holder_id"
    assert "refers to a Business that is not in the input or the store" in missing["_reason"]
    directors = embedded_store.edges_of(["biz:VG:1900001"], ["DIRECTOR_OF"], direction="out")
    assert [(e.src, e.dst) for e in directors] == [("biz:VG:1900001", f"biz:{HOLDING}")]
    people = embedded_store.find_nodes("Person", {"name": "Jane Roe"})
    assert len(people) == 1
    addresses = embedded_store.edges_of([people[0].uid], ["HAS_ADDRESS"], direction="out")
    [address] = embedded_store.get_nodes([addresses[0].dst])
    assert address.get("text") == "1HarbourRoadRoadTown"
    assert embedded_store.edges_of([people[0].uid], ["HAS_EMAIL"], direction="out")


def test_an_empty_share_is_held_with_the_share_unknown(
    embedded_store: GraphStore, sample: Path, tmp_path: Path
) -> None:
    append(sample / "businesses.csv", "CHE:10000001,Alpen Holding AG,active,,,,,,")
    append(sample / "shareholdings.csv", f"business,CHE:10000001,{HOLDING},,2021-01-01,")
    report = run(embedded_store, sample, tmp_path)
    assert file_report(report, "shareholdings").quarantined == 0
    held = embedded_store.edges_of(["biz:CH:10000001"], ["SHAREHOLDER_OF"], direction="out")
    assert len(held) == 1
    assert held[0].props.get("share") is None


def test_a_cn_key_without_a_valid_registration_number_is_quarantined(
    embedded_store: GraphStore, sample: Path, tmp_path: Path
) -> None:
    append(
        sample / "businesses.csv",
        "CN:10000002,无码公司,active,,,,,,",
        "CN:110000000000009,老字号有限公司,active,2009-01-01,,,,,",
    )
    report = run(embedded_store, sample, tmp_path)
    businesses = file_report(report, "businesses")
    assert businesses.quarantined == 1
    [row] = quarantined(businesses)
    assert row["_field"] == "business_id"
    assert "USCC" in row["_reason"]
    assert embedded_store.get_node("biz:CN:110000000000009") is not None


# -- conflicts and reasons ----------------------------------------------------------------------


def test_a_duplicate_with_other_values_is_reported_and_the_last_row_wins(
    embedded_store: GraphStore, sample: Path, tmp_path: Path
) -> None:
    lines = (sample / "businesses.csv").read_text(encoding="utf-8").splitlines()
    first = len(lines) + 1  # the next row's line number
    append(
        sample / "businesses.csv",
        f"{HOLDING.lower()},杭州星辰贸易有限公司（更名）,active,2018-03-12,5000000,330106,,,",
        f"{HOLDING},杭州星辰贸易有限公司（更名）,active,2018-03-12,5000000,330106,,,",
    )
    report = run(embedded_store, sample, tmp_path)
    businesses = file_report(report, "businesses")
    assert businesses.conflicts == 1
    [conflict] = businesses.conflict_list
    assert conflict["file"] == "businesses.csv"
    assert conflict["key"] == f"biz:{HOLDING}"
    assert conflict["won_row"] == first
    assert conflict["replaced_row"] == 2
    assert set(conflict["fields"]) == {"name", "address", "phone", "email"}
    assert businesses.repeats >= 1  # the third row repeats the second's values
    node = embedded_store.get_node(f"biz:{HOLDING}")
    assert node is not None
    assert node.get("name") == "杭州星辰贸易有限公司（更名）"
    assert report_json(report)["files"][0]["conflict_list"] == [conflict]


def test_quarantine_reasons_are_counted_per_file_without_the_rows_values(
    embedded_store: GraphStore, sample: Path, tmp_path: Path
) -> None:
    append(
        sample / "businesses.csv",
        "91330106MA2AAAAA16,坏码一,active,,,,,,",
        "91330106MA2AAAAA17,坏码二,active,,,,,,",
        "XYZ:1,未知国家,active,,,,,,",
    )
    report = run(embedded_store, sample, tmp_path)
    reasons = file_report(report, "businesses").reasons
    assert sum(reasons.values()) == 3
    uscc = [count for reason, count in reasons.items() if "not a valid USCC" in reason]
    assert uscc == [2]
    assert all("91330106MA2AAAAA1" not in reason for reason in reasons)
    as_json = report_json(report)["files"][0]
    assert as_json["quarantine_reasons"] == dict(sorted(reasons.items(), key=lambda kv: -kv[1]))
