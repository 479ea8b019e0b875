"""How entities and paths are written for people (graph/render.py), as specifications."""

from __future__ import annotations

from datetime import date

import pytest

from graph.model import Node
from graph.render import (
    LABEL_WORDS,
    REL_WORDS,
    Link,
    display_name,
    entity_text,
    label_word,
    node_name,
    path_text,
    rel_word,
    vocabulary,
)
from graph.schema import NODES, RELS


def test_every_label_and_relationship_of_the_schema_has_words_in_both_languages() -> None:
    assert {spec.label for spec in NODES} <= LABEL_WORDS.keys()
    assert {spec.type for spec in RELS} <= REL_WORDS.keys()
    for zh, en in [*LABEL_WORDS.values(), *REL_WORDS.values()]:
        assert zh
        assert en
        assert zh != en


def test_words_fall_back_to_the_raw_name_when_unknown() -> None:
    assert label_word("Business", "zh") == "企业"
    assert label_word("Business", "en") == "Business"
    assert label_word("Mystery") == "Mystery"
    assert rel_word("NEW_TYPE", "zh") == "NEW_TYPE"
    assert rel_word("NEW_TYPE", "en") == "new_type"


def test_a_node_is_called_by_its_name_else_by_what_identifies_it() -> None:
    assert node_name(Node("biz:a", "Business", {"name": "甲公司", "uscc": "X"})) == "甲公司"
    assert node_name(Node("addr:1", "Address", {"text": "杭州市西湖区"})) == "杭州市西湖区"
    assert node_name(Node("phone:1", "Phone", {"number": "0571-1"})) == "0571-1"
    assert node_name(Node("email:1", "Email", {"address": "a@b.cn"})) == "a@b.cn"
    assert node_name(Node("listing:1", "Listing", {"list_type": "abnormal"})) == "abnormal"
    assert node_name(Node("person:h", "Person", {"name": ""})) == ""


def test_a_path_reads_in_each_language_with_direction_role_and_period_but_no_ids() -> None:
    names = {"biz:a": "甲公司", "person:ctl": "王五", "store:tb:1": "王五小店"}
    links = [
        Link("ACTUAL_CONTROLLER_OF", "r3", forward=False, word_zh="实控人", word_en="controller"),
        Link("OPERATES", "r4", forward=True, since=date(2020, 1, 2), until=date(2021, 3, 4)),
        Link("SHIPS_FROM", "r5", forward=True, since=date(2022, 5, 6)),
    ]
    nodes = ["biz:a", "person:ctl", "store:tb:1", "addr:9"]
    assert path_text(nodes, links, names, "zh") == (
        "甲公司 ←实控人— 王五 —经营（2020-01-02 至 2021-03-04）→ 王五小店"
        " —发货地址（2022-05-06 起）→ addr:9"
    )
    assert path_text(nodes, links, names, "en") == (
        "甲公司 ←controller— 王五 —operates (2020-01-02 to 2021-03-04)→ 王五小店"
        " —ships from (since 2022-05-06)→ addr:9"
    )
    assert "r3" not in path_text(nodes, links, names, "zh")
    with pytest.raises(ValueError, match="one more node"):
        path_text(nodes[:2], links, names, "zh")


def test_a_nameless_person_reads_by_masked_id_never_by_hashed_uid() -> None:
    person = Node("person:6a1a9f", "Person", {"id_masked": "3301**********1881"})
    assert display_name(person) == "自然人 3301**********1881"
    assert display_name(Node("person:6a1a9f", "Person", {"name": "王五"})) == "王五"
    assert display_name(Node("biz:HK:1", "Business", {})) == "biz:HK:1"


def test_entity_text_and_the_console_vocabulary() -> None:
    assert entity_text("biz:a", {"biz:a": "甲公司"}) == "甲公司"
    assert entity_text("biz:b", {}) == "biz:b"
    words = vocabulary()
    assert words["relationships"]["SHAREHOLDER_OF"] == ["股东", "shareholder of"]
    assert words["labels"]["Store"] == ["网店", "Store"]
