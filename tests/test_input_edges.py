"""Bad input at the edges (issue 13, part 1): each case gets one clear problem naming the file,
row and column (or the file, for file-level problems), the CLI exits 1 with no traceback, and
nothing is written. Cases start from the tiny scenario of test_validation (2026-2030).
"""

from __future__ import annotations

import math
import typing

import pandas as pd
import pytest
from test_validation import assert_at, load_problems, only, problems_of, set_cell, snapshot, tables, write_folder
from tiny import tiny
from typer.testing import CliRunner

from dcplan import InputError, load_scenario
from dcplan.cli import app
from dcplan.scenario import schema
from dcplan.scenario.load import scenario_from_tables
from dcplan.scenario.schema import RANGES, TABLES

runner = CliRunner()
SRC = {"source": "assumption: edge test", "source_year": 2026}


def cli_fails(folder, *phrases: str) -> str:
    """`dcplan run` on `folder` exits 1, prints every phrase, no traceback, writes nothing."""
    before = snapshot(folder.parent)
    r = runner.invoke(app, ["run", str(folder), "--out", str(folder.parent / "out")])
    assert r.exit_code == 1, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output
    for ph in phrases:
        assert ph in r.output, r.output
    assert snapshot(folder.parent) == before and not (folder.parent / "out").exists()
    return r.output


# ----- year cells that overflow ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "-inf", "1" * 400, "1e400"])
def test_year_that_overflows_is_one_problem_at_its_cell(tmp_path, value):
    t = tables()
    row = set_cell(t, "supply", {"year": 2027}, "year", value)
    folder = write_folder(tmp_path / "scn", t)
    assert_at(only(load_problems(folder)), "supply.csv", row, "year", f"got '{value}'")
    cli_fails(folder, f"supply.csv, row {row}, column 'year'")


# ----- tables emptied to their header ----------------------------------------------------------


@pytest.mark.parametrize("table", ["gpus", "sites", "regions", "supply", "parameters", "time_slices"])
def test_empty_table_is_one_file_level_problem(tmp_path, table):
    """The rows that refer to the emptied table are not each reported as an unknown id."""
    t = tables()
    t["time_slices"] = pd.DataFrame(
        [
            {"slice": "a", "hours": 4380, "description": "-", **SRC},
            {"slice": "b", "hours": 4380, "description": "-", **SRC},
        ]
    )
    t["slice_profiles"] = pd.DataFrame(
        [{"region": "TX", "slice": s, "price_multiplier": 1, "headroom_multiplier": 1, **SRC} for s in ("a", "b")]
    )
    t[table] = t[table].iloc[0:0]
    folder = write_folder(tmp_path / "scn", t)
    assert_at(
        only(load_problems(folder)), f"{table}.csv", None, None, f"table {table} is empty; expected at least one row"
    )
    cli_fails(folder, f"table {table} is empty")


def test_empty_optional_table_is_fine():
    t = tables()
    t["gpu_pipeline"] = t["gpu_pipeline"].iloc[0:0]
    t["permitting"] = t["permitting"].iloc[0:0]
    from dcplan import scenario_from_tables

    assert len(scenario_from_tables(t).tables["gpu_pipeline"]) == 0


# ----- sensible ranges -------------------------------------------------------------------------


def _numeric_columns(spec) -> list[str]:
    """Columns of a table's row model that hold a number (years excluded: their type bounds them)."""
    out = []
    for name, f in spec.row_model.model_fields.items():
        types = {a for a in typing.get_args(f.annotation) if a is not type(None)} or {f.annotation}
        if (int in types or float in types) and not any(getattr(m, "ge", None) == 1990 for m in f.metadata):
            out.append(name)
    return out


def test_every_numeric_column_has_a_sensible_range():
    missing = [
        (t, c)
        for t, spec in TABLES.items()
        if t != "parameters"
        for c in _numeric_columns(spec)
        if (t, c) not in RANGES
    ]
    assert not missing, f"add a schema.RANGES entry (and a docs/inputs.md line) for: {missing}"
    assert all(r.lo < r.hi for r in RANGES.values())
    assert all(p.hi is not None and p.lo is not None for p in schema.PARAMETERS.values())


def test_every_range_is_documented():
    doc = (pytest.importorskip("pathlib").Path(__file__).parents[1] / "docs" / "inputs.md").read_text()
    absent = [f"{t}.{c}" for t, c in RANGES if f"`{t}.{c}`" not in doc]
    assert not absent, absent


@pytest.mark.parametrize(
    "table, key, column, value",
    [
        ("gpus", {"generation": "g1"}, "packages_per_cowos_wafer", "5e-324"),
        ("gpus", {"generation": "g1"}, "dense_bf16_pflops_per_gpu", "1e308"),
        ("sites", {"site": "s1"}, "max_it_mw", "1e300"),
        ("supply", {"year": 2026}, "hbm_stacks_per_year", "1e200"),
        ("regions", {"region": "TX"}, "power_price_usd_per_mwh", "1e30"),
    ],
)
def test_magnitude_outside_its_sensible_range(table, key, column, value):
    t = tables()
    row = set_cell(t, table, key, column, value)
    r = RANGES[(table, column)]
    assert_at(
        only(problems_of(t)), f"{table}.csv", row, column, f"got '{value}'", f"expected {r.lo:g} to {r.hi:g} {r.unit}"
    )


def test_parameter_magnitude_outside_its_range():
    p = only(problems_of(overrides={"capex_usd_per_kw.shell": 1e300}))
    assert_at(p, "overrides", None, "overrides", "capex_usd_per_kw.shell", "expected [0, 100000] USD/kW")


def test_fiber_distance_that_overflows_the_round_trip_names_the_fiber_row():
    t = tables()
    t["fiber_links"] = pd.DataFrame(
        [{"site_a": "s1", "site_b": "s2", "distance_km": "1e308", "route_factor": "", "bandwidth_tbps": 100, **SRC}]
    )
    assert_at(only(problems_of(t)), "fiber_links.csv", 2, "distance_km", "got '1e308'", "expected 0.001 to 40000 km")


def test_the_default_is_within_every_range():
    load_scenario()  # raises InputError naming any default figure outside its range


# ----- files that are not UTF-8 CSV ------------------------------------------------------------


@pytest.mark.parametrize(
    "content, phrase",
    [
        (lambda text: b"", "the file is empty"),
        (lambda text: b"\n\n  \n", "the file is empty"),
        (lambda text: text.encode("utf-16"), "UTF-16"),
        (lambda text: text.replace("Site 2", "Sit\u00e9 2").encode("latin-1"), "not UTF-8"),
        (lambda text: bytes(range(256)) * 4, "binary"),
    ],
    ids=["empty", "blank-lines", "utf-16", "latin-1", "binary"],
)
def test_file_that_is_not_a_utf8_csv(tmp_path, content, phrase):
    folder = write_folder(tmp_path / "scn")
    path = folder / "sites.csv"
    path.write_bytes(content(path.read_text()))
    p = only(load_problems(folder))
    assert p.file == "sites.csv" and p.column is None and "expected a UTF-8 CSV" in p.message and phrase in p.message, p
    cli_fails(folder, "sites.csv", "expected a UTF-8 CSV")


def test_latin1_byte_names_its_line(tmp_path):
    folder = write_folder(tmp_path / "scn")
    path = folder / "sites.csv"
    path.write_bytes(path.read_text().replace("Site 2", "Sit\u00e9 2").encode("latin-1"))
    assert only(load_problems(folder)).row == 3


def test_utf8_with_byte_order_mark_is_read(tmp_path):
    folder = write_folder(tmp_path / "scn")
    path = folder / "sites.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load_scenario(folder).tables["sites"]) == 2


# ----- scenario.yaml ---------------------------------------------------------------------------


def _yaml(tmp_path, text: str):
    folder = write_folder(tmp_path / "scn")
    (folder / "scenario.yaml").write_text(text)
    return folder


ALIAS_BOMB = (
    "name: x\n"
    + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
)


def test_yaml_alias_bomb_is_refused_without_expanding(tmp_path):
    assert len(ALIAS_BOMB) < 1024
    folder = _yaml(tmp_path, ALIAS_BOMB)
    assert_at(
        only(load_problems(folder)),
        "scenario.yaml",
        2,
        None,
        "anchor '&a' on line 2",
        "anchors and aliases are not allowed",
    )
    cli_fails(folder, "anchors and aliases are not allowed")


def test_yaml_alias_is_refused(tmp_path):
    folder = _yaml(tmp_path, "name: x\noverrides:\n  planner_share.cowos: &s 0.5\n  planner_share.hbm: *s\n")
    assert_at(only(load_problems(folder)), "scenario.yaml", 3, None, "anchors and aliases are not allowed")


def test_yaml_repeated_key(tmp_path):
    folder = _yaml(tmp_path, "name: x\noverrides:\n  planner_share.cowos: 0.5\n  planner_share.cowos: 0.6\n")
    assert_at(
        only(load_problems(folder)),
        "scenario.yaml",
        4,
        None,
        "key 'planner_share.cowos' is given twice (lines 3 and 4)",
    )
    cli_fails(folder, "is given twice")


def test_yaml_dotted_and_nested_key_clash(tmp_path):
    folder = _yaml(tmp_path, "name: x\noverrides:\n  planner_share.cowos: 0.5\n  planner_share:\n    cowos: 0.6\n")
    assert_at(
        only(load_problems(folder)),
        "scenario.yaml",
        None,
        "overrides",
        "override 'planner_share.cowos' is given twice (as 'planner_share.cowos' and as 'planner_share > cowos')",
    )


def test_call_overrides_dotted_and_nested_clash():
    p = only(problems_of(overrides={"planner_share.cowos": 0.5, "planner_share": {"cowos": 0.6}}))
    assert_at(p, "overrides", None, "overrides", "given twice")


def test_yaml_scalars_are_parsed_by_their_schema_type(tmp_path):
    """YAML 1.1 reads 040 as octal 32 and 1e3 as text; here each is read as the number it looks like."""
    folder = _yaml(
        tmp_path, "name: x\noverrides:\n  sites.s2.max_it_mw: 040\n  demand.unmet_penalty_usd_per_h100e_year: 1e3\n"
    )
    scn = load_scenario(folder)
    assert scn.sites.loc["s2", "max_it_mw"] == 40 and scn.params["demand.unmet_penalty_usd_per_h100e_year"] == 1000


def test_yaml_no_is_not_false(tmp_path):
    folder = _yaml(tmp_path, "name: x\noverrides:\n  demand.hard_target: no\n")
    assert_at(only(load_problems(folder)), "scenario.yaml", None, "overrides", "got 'no'; expected a number")


def test_cli_set_value_is_parsed_by_schema_type(tmp_path):
    folder = write_folder(tmp_path / "scn")
    r = runner.invoke(app, ["validate", str(folder), "--set", "demand.hard_target=no"])
    assert r.exit_code == 1 and "got 'no'; expected a number" in r.output, r.output


@pytest.mark.parametrize(
    "text, got", [("description: x\n", "missing"), ("name: [a, b]\n", "a list"), ("name:\n", "missing")]
)
def test_yaml_name_must_be_text(tmp_path, text, got):
    folder = _yaml(tmp_path, text)
    assert_at(only(load_problems(folder)), "scenario.yaml", only(load_problems(folder)).row, "name", f"'name' is {got}")
    cli_fails(folder, "expected the scenario's name as text")


@pytest.mark.parametrize("value", ["NaN", "nan", "None", "N/A", "-"])
def test_placeholder_source_is_refused(value):
    t = tables()
    row = set_cell(t, "gpus", {"generation": "g1"}, "source", value)
    assert_at(only(problems_of(t)), "gpus.csv", row, "source", f"'{value}' is a placeholder, not a source")


# ----- Python API ------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [["planner_share.cowos=0.5"], [1], "planner_share.cowos=0.5", 3])
def test_load_scenario_overrides_must_be_a_mapping(tmp_path, bad):
    folder = write_folder(tmp_path / "scn")
    with pytest.raises(InputError) as e:
        load_scenario(folder, overrides=bad)
    assert_at(only(e.value.problems), "overrides", None, "overrides", "overrides must be a mapping of path: value")


@pytest.mark.parametrize("bad", [[1], "x", None, 3])
def test_with_overrides_must_be_a_mapping(bad):
    scn = tiny()
    with pytest.raises(InputError) as e:
        scn.with_overrides(bad)
    assert "expects a mapping of path: value" in only(e.value.problems).message


# ----- no site with room to build --------------------------------------------------------------


def test_no_site_with_room_to_build_reports_a_timeline():
    """Every site is full (pipeline = its limits; no gas): no build, early or site_max rows,
    so the shadow prices' `asset` column is all empty. The timeline is still made."""
    from dcplan.plan import Plan

    res = Plan(tiny({"sites.s1.max_it_mw": 10000, "sites.s1.max_grid_mw": 10000})).solve()
    assert res.shadow_prices["asset"].isna().all()
    assert not res.bottlenecks.empty and set(res.bottlenecks["where"]) <= {"", "world/US", "TX", "s1"}
    assert math.isclose(res.objective_usd, 1_000_000, rel_tol=1e-6)  # 1,000 GPUs at $1,000 (tiny.py)


# ----- LP coefficients after scaling -----------------------------------------------------------


def test_lp_coefficient_out_of_range_names_the_inputs():
    """Ranges are per column, so an out-of-range LP coefficient needs inputs that validation
    would refuse: the tiny scenario's validated gpus table is edited afterwards (1e-12 PFLOP/s,
    so g1 is 1e-12 H100e and its compute coefficient in the demand balance is ~1e-15)."""
    from dataclasses import replace

    from dcplan.plan import Plan

    scn = tiny()
    gpus = scn.tables["gpus"].copy()
    gpus["dense_bf16_pflops_per_gpu"] = 1e-12
    bad = replace(scn, tables={**scn.tables, "gpus": gpus})
    with pytest.raises(InputError) as e:
        Plan(bad).solve()
    p = e.value.problems[0]
    assert p.file == "LP coefficients (after scaling)" and "is outside 1e-09-1e+09" in p.message, p
    assert "gpus.csv generation 'g1'" in p.message and "sites.csv site 's1'" in p.message, p


def test_lp_coefficients_of_the_tiny_case_are_in_range():
    from dcplan.plan import Plan
    from dcplan.solve.magnitudes import extremes

    assert extremes(Plan(tiny()).lp.lp) == []


# ----- found by the fuzzer (tests/test_fuzz_inputs.py) -------------------------------------------


def test_yaml_nested_too_deep_is_one_problem_not_a_recursion_error(tmp_path):
    folder = _yaml(tmp_path, "name: x\noverrides: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n")
    assert_at(only(load_problems(folder)), "scenario.yaml", 2, None, "nested more than 32 deep (line 2)")


def test_yaml_nesting_a_few_levels_is_fine(tmp_path):
    folder = _yaml(tmp_path, "name: x\noverrides:\n  planner_share:\n    cowos: 0.5\n")
    assert load_scenario(folder).params["planner_share.cowos"] == 0.5


@pytest.mark.parametrize("value", ["nan", "NaN"])
def test_solver_option_nan_is_refused(tmp_path, value):
    folder = _yaml(tmp_path, f"name: x\nsolver:\n  time_limit: {value}\n")
    assert_at(only(load_problems(folder)), "scenario.yaml", None, "solver.time_limit", "expected a number (not NaN)")


def test_checking_solver_options_prints_nothing_on_stdout():
    """HiGHS prints a banner when a process makes its first Highs; validation sends it to stderr."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = "from dcplan.scenario.solver_options import parse_solver_options; parse_solver_options({'time_limit': 5})"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": str(root / "src")})
    assert r.returncode == 0, r.stderr
    assert r.stdout == "", r.stdout


def test_extra_cells_in_the_first_data_row_are_one_problem(tmp_path):
    """pandas would take the extra cells as an index, shifting every value of the table one column."""
    folder = write_folder(tmp_path / "scn")
    path = folder / "sites.csv"
    lines = path.read_text().splitlines()
    lines[1] += ",surplus"
    path.write_text("\n".join(lines) + "\n")
    width = len(lines[0].split(","))
    assert_at(only(load_problems(folder)), "sites.csv", 2, None, f"line 2 has {width + 1} cells", f"header row has {width} columns")


@pytest.mark.parametrize("value", ["\u200b", "\ufeff", " \u2060 "])
def test_text_with_no_visible_character_is_blank(value):
    t = tables()
    row = set_cell(t, "sites", {"site": "s1"}, "name", value)
    assert_at(only(problems_of(t)), "sites.csv", row, "name", "no visible character")


@pytest.mark.parametrize("value", ["0", "-1", "=1+1", "2024"])
def test_source_without_letters_is_no_source(value):
    t = tables()
    row = set_cell(t, "gpus", {"generation": "g1"}, "source", value)
    assert_at(only(problems_of(t)), "gpus.csv", row, "source", "has no letters, so it names no source")


@pytest.mark.parametrize("name", ["co2.cap_mt_per_year", "co2.cap_mt_per_year.TX", "training.unmet_penalty_usd_per_h100e_year"])
def test_a_negative_value_other_than_the_off_value_is_refused(name):
    # -1 switches these off ("no cap", "the dearest tranche's value"); -0.5 is a typo, not "off"
    p = only(problems_of(overrides={name: -0.5}))
    assert_at(p, "overrides", None, "overrides", f"'{name}' = -0.5", "expected [0, ", "or -1 (")
    assert scenario_from_tables(tables(), overrides={name: -1}).params[name] == -1
