"""Row mappings: each bad value is reported with the field that holds it."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput
from ingest.mappings import MAPPINGS

KEY = "unit-test-key-0123456789"
BY_NAME = {m.name: m for m in MAPPINGS}


def refused_field(mapping: str, /, **row: str) -> str | None:
    with pytest.raises(InvalidInput) as caught:
        BY_NAME[mapping].convert(row, KEY)
    return caught.value.field


def test_a_share_outside_zero_to_one_is_refused() -> None:
    assert (
        refused_field(
            "shareholdings",
            holder_type="person",
            holder_id="330100198001011237",
            business_id="91330106MA2AAAAA15",
            share="1.7",
        )
        == "share"
    )


def test_an_unparseable_date_is_refused() -> None:
    assert (
        refused_field(
            "businesses", business_id="91330106MA2AAAAA15", name="x", established="2019-13-45"
        )
        == "established"
    )


def test_a_bad_uscc_is_reported_on_the_column_that_holds_it() -> None:
    assert (
        refused_field(
            "roles",
            person_id="330100198001011237",
            business_id="91330106MA2AAAAA16",
            role="director",
        )
        == "business_id"
    )


def test_an_unknown_role_is_refused() -> None:
    assert (
        refused_field(
            "roles",
            person_id="330100198001011237",
            business_id="91330106MA2AAAAA15",
            role="chairman",
        )
        == "role"
    )


def test_a_role_that_ends_before_it_starts_is_refused() -> None:
    assert (
        refused_field(
            "roles",
            person_id="330100198001011237",
            business_id="91330106MA2AAAAA15",
            role="director",
            since="2020-01-01",
            until="2019-01-01",
        )
        == "until"
    )


def test_a_business_row_asserts_its_address_phone_and_email() -> None:
    out = BY_NAME["businesses"].convert(
        {
            "business_id": "91330106MA2AAAAA15",
            "name": "杭州星辰贸易有限公司",
            "address": "浙江省杭州市文三路90号",
            "phone": "0571-88001234",
            "email": "A@B.cn",
        },
        KEY,
    )
    assert [n.label for n in out.nodes] == ["Business", "Address", "Phone", "Email"]
    assert [r.type for r in out.rels] == ["REGISTERED_AT", "HAS_PHONE", "HAS_EMAIL"]
    assert out.nodes[3].props["uid"] == "email:a@b.cn"


def test_every_mapping_requires_what_the_formats_document_requires() -> None:
    from pathlib import Path

    formats = (Path(__file__).resolve().parents[2] / "docs" / "formats.md").read_text(
        encoding="utf-8"
    )
    for mapping in MAPPINGS:
        line = next(x for x in formats.splitlines() if x.startswith(f"| {mapping.name} |"))
        for column in mapping.required:
            assert f"**{column}**" in line, (mapping.name, column)
        for column in mapping.optional:
            assert column in line, (mapping.name, column)
            assert f"**{column}**" not in line, (mapping.name, column)


def test_a_complainant_named_by_id_number_is_stored_hashed() -> None:
    out = BY_NAME["infringement_reports"].convert(
        {
            "report_id": "R1",
            "store_id": "taobao:1",
            "brand_id": "XC",
            "complainant": "330100198001011237",
            "status": "pending",
            "filed": "2024-01-01",
        },
        KEY,
    )
    complainant = out.nodes[0].props["complainant"]
    assert complainant.startswith("person:")
    assert "330100198001011237" not in complainant
    business = BY_NAME["infringement_reports"].convert(
        {
            "report_id": "R2",
            "store_id": "taobao:1",
            "brand_id": "XC",
            "complainant": "91330106MA2AAAAA15",
            "status": "pending",
            "filed": "2024-01-01",
        },
        KEY,
    )
    assert business.nodes[0].props["complainant"] == "91330106MA2AAAAA15"


ORDER = {
    "order_id": "tb:1001",
    "account_id": "tb:buyer1",
    "store_id": "tb:shop1",
    "placed": "2024-03-01T10:00:00",
}


def test_an_order_may_carry_a_review_and_a_rating_outside_one_to_five_is_refused() -> None:
    emitted = BY_NAME["orders"].convert(
        {**ORDER, "rating": "5", "reviewed": "2024-03-04T08:00:00"}, KEY
    )
    order = next(node.props for node in emitted.nodes if node.label == "Order")
    assert order["rating"] == 5.0
    assert order["reviewed"] is not None
    assert refused_field("orders", **ORDER, rating="6") == "rating"
    assert refused_field("orders", **ORDER, rating="4", reviewed="yesterday") == "reviewed"
