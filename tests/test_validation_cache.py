"""The validation cache (scenario/cache.py): loading unchanged inputs again skips re-parsing and
re-validating them; any change to a file's bytes, a cell (also by an override) or a row's place
re-validates; what the cache hands out cannot change it."""

from __future__ import annotations

import pandas as pd
import pytest
from test_validation import load_problems, write_folder

from dcplan import load_scenario
from dcplan.scenario import cache
from dcplan.scenario.readers import read_csv_text


def _set_cell(path, row: int, column: str, value: str) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(path, index=False)


def test_loading_unchanged_files_again_hits_the_cache(tmp_path):
    folder = write_folder(tmp_path / "scn")
    cache.clear()
    first = load_scenario(folder)
    (_, csv_misses), (_, row_misses) = cache.stats()["csv files"], cache.stats()["table rows"]
    second = load_scenario(folder)
    hits = cache.stats()
    assert hits["csv files"] == (csv_misses, csv_misses)  # every file parsed once, then found
    assert hits["table rows"] == (row_misses, row_misses)
    for k in first.tables:
        pd.testing.assert_frame_equal(first.tables[k], second.tables[k])
    assert first.params == second.params


def test_a_changed_file_is_validated_again(tmp_path):
    folder = write_folder(tmp_path / "scn")
    assert load_scenario(folder).sites.at["s1", "max_it_mw"] == 20_000
    _set_cell(folder / "sites.csv", 0, "max_it_mw", "15000")
    assert load_scenario(folder).sites.at["s1", "max_it_mw"] == 15_000
    _set_cell(folder / "sites.csv", 0, "max_it_mw", "lots")
    (p,) = load_problems(folder)
    assert (p.file, p.row, p.column) == ("sites.csv", 2, "max_it_mw") and "got 'lots'" in p.message
    _set_cell(folder / "sites.csv", 0, "max_it_mw", "20000")
    assert load_scenario(folder).sites.at["s1", "max_it_mw"] == 20_000  # back to the cached original


def test_a_cell_changed_by_an_override_is_validated_again(tmp_path):
    folder = write_folder(tmp_path / "scn")
    load_scenario(folder)
    (p,) = load_problems(folder, overrides={"sites.s1.max_it_mw": "lots"})
    assert p.column == "max_it_mw" and "got 'lots'" in p.message and "override" in p.message
    assert load_scenario(folder, overrides={"sites.s1.max_it_mw": 12_000}).sites.at["s1", "max_it_mw"] == 12_000


def test_an_unreadable_file_stays_unreadable_from_the_cache(tmp_path):
    folder = write_folder(tmp_path / "scn")
    (folder / "gpus.csv").write_bytes((folder / "gpus.csv").read_text().encode("utf-16"))
    for _ in range(2):
        (p,) = load_problems(folder)
        assert p.file == "gpus.csv" and "UTF-16" in p.message


def test_what_the_cache_hands_out_is_a_copy(tmp_path):
    folder = write_folder(tmp_path / "scn")
    df = read_csv_text(folder / "sites.csv")
    df.loc[df.index[0], "max_it_mw"] = "1"
    assert read_csv_text(folder / "sites.csv").loc[0, "max_it_mw"] == "20000"
    view = load_scenario(folder).sites
    view.loc["s1", "max_it_mw"] = 1.0
    assert load_scenario(folder).sites.at["s1", "max_it_mw"] == 20_000


@pytest.mark.parametrize(
    "other",
    [
        pd.DataFrame({"a": ["2", "1"], "b": ["3", "4"]}),  # rows swapped within a column
        pd.DataFrame({"a": ["3", "2"], "b": ["1", "4"]}),  # cells swapped across columns
        pd.DataFrame({"b": ["1", "2"], "a": ["3", "4"]}),  # columns renamed
        pd.DataFrame({"a": ["1", "2"], "b": ["3", "4"]}, index=[0, 2]),  # a row's CSV line moved
        pd.DataFrame({"a": ["1", "2 "], "b": ["3", "4"]}),  # a space
    ],
)
def test_content_keys_tell_tables_apart(other):
    base = pd.DataFrame({"a": ["1", "2"], "b": ["3", "4"]})
    assert cache.frame_key(base) == cache.frame_key(base.copy())
    assert cache.frame_key(base) != cache.frame_key(other)


def test_the_cache_is_bounded():
    c = cache.ContentCache("t", max_entries=2)
    for k in "abc":
        c.get(k, lambda k=k: k.upper())
    assert c.get("a", lambda: "new") == "new"  # 'a' was dropped, the two newest kept
    assert c.get("c", lambda: "never") == "C"
