"""Licences: the licences.csv row mapping, the type vocabulary and a licence's standing."""

from __future__ import annotations

from datetime import date

import pytest

from graph.errors import InvalidInput
from graph.licences import LICENCE_TYPES, Standing, licence_type, standing
from ingest.mappings import MAPPINGS

KEY = "unit-test-key-0123456789"
LICENCES = next(m for m in MAPPINGS if m.name == "licences")
ROW = {
    "business_id": "91330106MA2AAAAA15",
    "licence_type": "food_operation",
    "licence_no": "JY13301060012345",
    "authority": "杭州市西湖区市场监督管理局",
    "issued": "2024-03-01",
    "expires": "2029-02-28",
}


def refused_field(**changes: str) -> str | None:
    with pytest.raises(InvalidInput) as caught:
        LICENCES.convert(ROW | changes, KEY)
    return caught.value.field


def test_a_licence_row_asserts_the_licence_and_who_holds_it() -> None:
    out = LICENCES.convert(ROW, KEY)
    [node] = out.nodes
    assert node.label == "Licence"
    assert node.props["uid"] == "licence:food_operation:JY13301060012345"
    assert node.props["holder_uid"] == "biz:91330106MA2AAAAA15"
    assert (node.props["issued"], node.props["expires"]) == ("2024-03-01", "2029-02-28")
    assert node.props["status"] == "valid"  # the default
    [rel] = out.rels
    assert (rel.type, rel.src_label, rel.dst_label) == ("HOLDS_LICENCE", "Business", "Licence")
    assert (rel.props["src"], rel.props["dst"]) == ("biz:91330106MA2AAAAA15", node.props["uid"])
    assert rel.fields[0] == "business_id"  # an unknown business is reported on this column


def test_a_chinese_type_name_and_a_spaced_full_width_number_give_the_same_licence() -> None:
    out = LICENCES.convert(
        ROW | {"licence_type": "食品经营许可证", "licence_no": " ＪＹ1330106 0012345"}, KEY
    )
    assert out.nodes[0].props["uid"] == "licence:food_operation:JY13301060012345"
    assert out.nodes[0].props["licence_type"] == "food_operation"


def test_an_unknown_licence_type_is_refused_naming_the_vocabulary() -> None:
    with pytest.raises(InvalidInput, match="food_operation") as caught:
        LICENCES.convert(ROW | {"licence_type": "烟草专卖许可证"}, KEY)
    assert caught.value.field == "licence_type"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"issued": "2024-02-30"}, "issued"),
        ({"expires": "2029/02/28"}, "expires"),
        ({"issued": "2024-03-01", "expires": "2024-02-29"}, "expires"),
        ({"status": "cancelled"}, "status"),
        ({"business_id": "91330106MA2AAAAA16"}, "business_id"),
        ({"licence_no": ""}, "licence_no"),
        ({"authority": ""}, "authority"),
    ],
)
def test_a_bad_licence_row_is_refused_on_the_field_at_fault(
    changes: dict[str, str], field: str
) -> None:
    assert refused_field(**changes) == field


def test_the_vocabulary_has_codes_and_chinese_names() -> None:
    assert {"food_operation", "drug_operation", "medical_device_operation", "icp"} <= set(
        LICENCE_TYPES
    )
    assert all(t.name_zh.endswith("许可证") for t in LICENCE_TYPES.values())
    assert licence_type("增值电信业务经营许可证").code == "icp"


ON = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("status", "issued", "expires", "expected"),
    [
        ("valid", date(2024, 3, 1), date(2029, 2, 28), Standing.VALID),
        ("valid", date(2024, 3, 1), None, Standing.VALID),
        ("valid", date(2018, 6, 1), date(2023, 5, 31), Standing.EXPIRED),  # by date
        ("expired", date(2024, 3, 1), date(2029, 2, 28), Standing.EXPIRED),  # as recorded
        ("revoked", date(2024, 3, 1), date(2029, 2, 28), Standing.REVOKED),
        ("suspended", date(2018, 6, 1), date(2023, 5, 31), Standing.SUSPENDED),
        ("valid", date(2026, 6, 1), date(2031, 5, 31), Standing.NOT_YET_VALID),
        ("valid", date(2021, 1, 2), ON, Standing.VALID),  # the last day still counts
    ],
)
def test_standing_on_a_date(
    status: str, issued: date, expires: date | None, expected: Standing
) -> None:
    assert standing(status, issued, expires, ON) is expected
