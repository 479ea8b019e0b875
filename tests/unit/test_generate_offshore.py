"""``generate(..., offshore=N)``: the offshore slice comes beside the main files, which stay
byte for byte what the same parameters gave without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.generate import generate
from ingest.generate.offshore import OFFSHORE_COLUMNS, make_offshore


def test_the_generator_option_leaves_the_main_files_as_they_were(tmp_path: Path) -> None:
    plain = generate(tmp_path / "plain", 100, seed=3)
    both = generate(tmp_path / "both", 100, seed=3, offshore=40)
    for name, path in plain.files.items():
        assert Path(path).read_bytes() == Path(both.files[name]).read_bytes(), name
    assert (tmp_path / "both" / "offshore" / "businesses.csv").exists()
    assert not (tmp_path / "plain" / "offshore").exists()


def test_the_slice_is_the_same_for_a_seed_and_has_the_documented_columns(tmp_path: Path) -> None:
    one = make_offshore(tmp_path / "a", 60, seed=5)
    two = make_offshore(tmp_path / "b", 60, seed=5)
    assert one == two
    for name, columns in OFFSHORE_COLUMNS.items():
        a = (tmp_path / "a" / f"{name}.csv").read_bytes()
        assert a == (tmp_path / "b" / f"{name}.csv").read_bytes()
        assert a.decode().splitlines()[0] == ",".join(columns)
    assert len(one["conflicts"]) == 60 // 25


def test_too_small_a_slice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 20"):
        make_offshore(tmp_path, 5, seed=1)
