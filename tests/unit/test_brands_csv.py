"""Bulk report files: a malformed file is bad input naming the file, never a server error."""

from __future__ import annotations

import pytest

from algorithms.brands.service import parse_reports_csv
from graph.errors import InvalidInput


@pytest.mark.parametrize(
    "text",
    [
        "store_id,brand_id,evidence\r\nx\ry,b,c\n",  # a bare carriage return inside a field
        'store_id,brand_id,evidence\n"taobao:1,XC\n',  # an unterminated quote
        "store_id,brand_id,evidence\n\x00,\x00,\x00\n",
    ],
)
def test_a_malformed_bulk_file_is_refused_as_bad_input(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_reports_csv(text)
    assert caught.value.file == "reports"
