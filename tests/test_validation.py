"""Bad input gets a clear error: every problem at once, each naming file, row (1-based CSV
line, header = 1), column and what was expected; nothing is written; the CLI exits non-zero.

Most tests break one cell of the tiny scenario (tests/tiny.py) with a 2026-2030 horizon; the
on-disk tests write it as a scenario folder under tmp_path. None uses the bundled default.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from tiny import tiny_tables
from typer.testing import CliRunner

from dcplan import InputError, InputProblem, Scenario, load_scenario, scenario_from_tables
from dcplan.cli import app

runner = CliRunner()
SRC = {"source": "assumption: validation test", "source_year": 2026}


# ----- helpers ---------------------------------------------------------------------------------


def tables() -> dict[str, pd.DataFrame]:
    """The tiny tables as text cells (so any cell can take any string), horizon 2026-2030,
    plus a second site `s2` and one row each of permitting and gpu_pipeline."""
    t = {k: v.astype(object) for k, v in tiny_tables().items()}
    set_cell(t, "parameters", {"name": "horizon.end_year"}, "value", 2030)
    s2 = t["sites"].iloc[0].copy()
    s2["site"], s2["name"] = "s2", "Site 2"
    t["sites"] = pd.concat([t["sites"], s2.to_frame().T], ignore_index=True)
    t["permitting"] = pd.DataFrame([{"region": "TX", "asset": "gas_turbine", "extra_lead_time_years": 1, **SRC}])
    t["gpu_pipeline"] = pd.DataFrame([{"site": "s1", "generation": "g1", "install_year": 2026, "gpus": 100, **SRC}])
    return t


def _match(df: pd.DataFrame, key: dict) -> pd.Series:
    m = pd.Series(True, index=df.index)
    for k, v in key.items():
        m &= df[k].astype(str) == str(v)
    assert m.sum() == 1, f"{key} matches {m.sum()} rows"
    return m


def line(t: dict, table: str, key: dict) -> int:
    """The 1-based CSV line of the row of `table` matching `key` (header is line 1)."""
    return int(t[table].index[_match(t[table], key)][0]) + 2


def set_cell(t: dict, table: str, key: dict, column: str, value) -> int:
    """Set one cell; return its CSV line."""
    row = line(t, table, key)
    t[table].loc[_match(t[table], key), column] = value
    return row


def problems_of(t: dict | None = None, overrides: dict | None = None) -> list[InputProblem]:
    """The problems scenario_from_tables reports (it must raise)."""
    with pytest.raises(InputError) as e:
        scenario_from_tables(t if t is not None else tables(), overrides=overrides)
    assert e.value.problems, "InputError without problems"
    return e.value.problems


def only(problems: list[InputProblem]) -> InputProblem:
    """The single problem reported (a cascade of follow-on problems fails the test)."""
    assert len(problems) == 1, "expected one problem, got:\n" + "\n".join(map(str, problems))
    return problems[0]


def assert_at(p: InputProblem, file: str, row: int | None, column: str | None, *phrases: str) -> None:
    """`p` is in `file` at `row`/`column` and its message contains every phrase."""
    assert (p.file, p.row, p.column) == (file, row, column), str(p)
    for phrase in phrases:
        assert phrase in p.message, f"{phrase!r} not in: {p}"


def write_folder(folder: Path, t: dict | None = None, meta: dict | None = None, skip: tuple[str, ...] = ()) -> Path:
    """Write a scenario folder: scenario.yaml (`meta`) and every table except `skip`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in (t if t is not None else tables()).items():
        if name not in skip:
            df.to_csv(folder / f"{name}.csv", index=False)
    (folder / "scenario.yaml").write_text(yaml.safe_dump(meta if meta is not None else {"name": "tiny-on-disk"}))
    return folder


def load_problems(folder: Path, **kw) -> list[InputProblem]:
    with pytest.raises(InputError) as e:
        load_scenario(folder, **kw)
    return e.value.problems


def snapshot(root: Path) -> dict[str, tuple[float, bytes]]:
    """Every file under `root` with its mtime and content."""
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_test_tables_are_valid():
    scn = scenario_from_tables(tables())
    assert scn.years == [2026, 2027, 2028, 2029, 2030]
    assert list(scn.sites.index) == ["s1", "s2"]


# ----- 1. wrong type ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table, key, column, value, expected",
    [
        ("sites", {"site": "s2"}, "max_it_mw", "lots", "got 'lots'; expected a number"),
        ("sites", {"site": "s1"}, "pue", "1,2", "got '1,2'; expected a number"),
        ("gpus", {"generation": "g1"}, "lifetime_years", "2.5", "got '2.5'; expected a whole number"),
        ("supply", {"year": 2027}, "year", "twenty", "got 'twenty'; expected a whole number"),
        ("pipeline", {"asset": "transformer"}, "online_year", "soon", "got 'soon'; expected a whole number"),
        ("parameters", {"name": "discount_rate"}, "value", "five percent", "got 'five percent'; expected a number"),
        ("sites", {"site": "s2"}, "site", "s 2", "expected an id of letters, digits"),
    ],
)
def test_wrong_type(table, key, column, value, expected):
    t = tables()
    row = set_cell(t, table, key, column, value)
    assert_at(only(problems_of(t)), f"{table}.csv", row, column, expected)


def test_wrong_type_on_the_right_row_after_an_earlier_bad_row():
    """A row that fails validation does not shift the row numbers of later problems."""
    t = tables()
    r1 = set_cell(t, "pipeline", {"asset": "shell"}, "capacity", "x")
    r2 = set_cell(t, "pipeline", {"asset": "transformer"}, "unit", "MW")
    p = problems_of(t)
    assert len(p) == 2, p
    assert_at(p[0], "pipeline.csv", r1, "capacity", "got 'x'; expected a number")
    assert_at(p[1], "pipeline.csv", r2, "unit", "unit 'MW' for asset transformer; expected 'MVA'")
    assert r2 == 4


# ----- 2. negative or out-of-range values ------------------------------------------------------


@pytest.mark.parametrize(
    "table, key, column, value, expected",
    [
        ("pipeline", {"asset": "grid_interconnection"}, "capacity", -5, "got '-5'; expected a value >= 0"),
        ("sites", {"site": "s1"}, "max_grid_mw", -1, "got '-1'; expected a value >= 0"),
        ("supply", {"year": 2029}, "gas_turbine_mw_per_year", -1e3, "expected a value >= 0"),
        ("gpus", {"generation": "g1"}, "it_power_kw_per_gpu", 0, "got '0'; expected a value > 0"),
        ("sites", {"site": "s2"}, "pue", 0.9, "got '0.9'; expected a value >= 1"),
        ("sites", {"site": "s2"}, "latitude", 95, "got '95'; expected a value <= 90"),
    ],
)
def test_out_of_range(table, key, column, value, expected):
    t = tables()
    row = set_cell(t, table, key, column, value)
    assert_at(only(problems_of(t)), f"{table}.csv", row, column, expected)


def test_parameter_out_of_range_names_the_range_and_unit():
    t = tables()
    row = set_cell(t, "parameters", {"name": "discount_rate"}, "value", -0.1)
    assert_at(only(problems_of(t)), "parameters.csv", row, "value", "'discount_rate' = -0.1", "expected [0, 0.5] 1/yr")


def test_a_parameter_in_another_unit_is_refused_naming_the_expected_unit():
    t = tables()
    row = set_cell(t, "parameters", {"name": "capex_usd_per_kw.shell"}, "unit", "USD/MW")
    assert_at(only(problems_of(t)), "parameters.csv", row, "unit", "'capex_usd_per_kw.shell': unit 'USD/MW'", "expected 'USD/kW'")
    set_cell(t, "parameters", {"name": "capex_usd_per_kw.shell"}, "unit", " usd/KW ")  # case and spacing do not matter
    scenario_from_tables(t)


def test_pipeline_above_the_site_limit_names_the_limit():
    t = tables()
    row = set_cell(t, "pipeline", {"asset": "shell"}, "capacity", 30_000)
    assert_at(only(problems_of(t)), "pipeline.csv", row, "capacity", "totals 30000 MW", "max_it_mw = 20000")


# ----- 3. unknown ids --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table, key, column, value, expected",
    [
        ("pipeline", {"asset": "grid_interconnection"}, "site", "zz", "unknown site 'zz'; expected one of: s1, s2"),
        ("gpu_pipeline", {"site": "s1"}, "site", "nowhere", "unknown site 'nowhere'; expected one of: s1, s2"),
        ("sites", {"site": "s2"}, "region", "CA", "unknown region 'CA'; expected one of: TX"),
        ("gpu_pipeline", {"site": "s1"}, "generation", "b200", "unknown GPU generation 'b200'; expected one of: g1"),
        ("permitting", {"region": "TX"}, "asset", "nuclear", "unknown asset 'nuclear'; expected one of: gas_turbine"),
        ("permitting", {"region": "TX"}, "region", "VA", "unknown region 'VA'; expected one of: TX"),
        ("pipeline", {"asset": "shell"}, "asset", "fusion", "unknown asset 'fusion'; expected one of: gas_turbine, grid_interconnection, shell, transformer"),
    ],
)
def test_unknown_id(table, key, column, value, expected):
    t = tables()
    row = set_cell(t, table, key, column, value)
    assert_at(only(problems_of(t)), f"{table}.csv", row, column, expected)


def test_a_site_that_fails_validation_is_still_a_known_site():
    """A bad cell in sites.csv gives one problem, not 'unknown site' in every table naming it."""
    t = tables()
    row = set_cell(t, "sites", {"site": "s1"}, "max_it_mw", "lots")
    assert_at(only(problems_of(t)), "sites.csv", row, "max_it_mw", "expected a number")


# ----- 4. years missing from a time series -----------------------------------------------------


def test_missing_supply_year_is_named():
    t = tables()
    t["supply"] = t["supply"][t["supply"]["year"] != 2028]
    assert_at(only(problems_of(t)), "supply.csv", None, "year", "missing year(s) 2028", "2026-2030")


def test_every_missing_year_is_named_once():
    t = tables()
    t["supply"] = t["supply"][t["supply"]["year"].isin([2026, 2029])]
    assert_at(only(problems_of(t)), "supply.csv", None, "year", "missing year(s) 2027, 2028, 2030")


def test_longer_horizon_by_override_needs_more_supply_years():
    assert_at(only(problems_of(overrides={"horizon.end_year": 2032})), "supply.csv", None, "year", "2031, 2032")


def test_an_unreadable_year_is_not_also_a_missing_year():
    t = tables()
    row = set_cell(t, "supply", {"year": 2027}, "year", "2O27")
    assert_at(only(problems_of(t)), "supply.csv", row, "year", "got '2O27'; expected a whole number")


def test_a_year_row_with_a_bad_value_is_not_also_missing():
    t = tables()
    row = set_cell(t, "supply", {"year": 2028}, "hbm_stacks_per_year", "many")
    assert_at(only(problems_of(t)), "supply.csv", row, "hbm_stacks_per_year", "got 'many'")


# ----- 5. duplicate keys -----------------------------------------------------------------------


def test_duplicate_site_names_both_rows():
    t = tables()
    set_cell(t, "sites", {"site": "s2"}, "site", "s1")
    assert_at(only(problems_of(t)), "sites.csv", 3, "site", "duplicate key (site=s1)", "rows 2 and 3")


def test_duplicate_two_column_key():
    t = tables()
    t["permitting"] = pd.concat([t["permitting"]] * 2, ignore_index=True)
    assert_at(only(problems_of(t)), "permitting.csv", 3, "region", "region=TX, asset=gas_turbine", "rows 2 and 3")


def test_duplicate_parameter():
    t = tables()
    first = line(t, "parameters", {"name": "discount_rate"})
    t["parameters"] = pd.concat([t["parameters"], t["parameters"].iloc[[first - 2]]], ignore_index=True)
    last = len(t["parameters"]) + 1
    assert_at(only(problems_of(t)), "parameters.csv", last, "name", "name=discount_rate", f"rows {first} and {last}")


# ----- 6. lead times that do not fit the horizon -----------------------------------------------


def test_lead_time_longer_than_the_horizon():
    t = tables()
    row = set_cell(t, "parameters", {"name": "lead_time_years.gas_turbine"}, "value", 12)
    assert_at(
        only(problems_of(t)), "parameters.csv", row, "value",
        "lead_time_years.gas_turbine = 12", "5-year horizon 2026-2030", "expected at most 4",
    )


def test_lead_time_by_override_is_reported_against_the_override():
    p = only(problems_of(overrides={"lead_time_years.gas_turbine": 12}))
    assert_at(p, "overrides", None, "overrides", "lead_time_years.gas_turbine = 12")


def test_lead_time_at_the_edge_of_the_horizon():
    scenario_from_tables(tables(), overrides={"lead_time_years.shell": 4})  # decided 2026, online 2030
    problems_of(overrides={"lead_time_years.shell": 5})


def test_permitting_adder_pushes_lead_time_past_the_horizon():
    t = tables()
    set_cell(t, "parameters", {"name": "lead_time_years.gas_turbine"}, "value", 3)  # + 1 in TX = 4: fits
    scenario_from_tables(t)
    row = set_cell(t, "permitting", {"region": "TX"}, "extra_lead_time_years", 2)  # 3 + 2 = 5: does not
    assert_at(
        only(problems_of(t)), "permitting.csv", row, "extra_lead_time_years",
        "gas_turbine in TX", "lead_time_years.gas_turbine 3 +2 permitting = 5 years", "expected at most 4",
    )


def test_permitting_adder_cannot_make_a_lead_time_negative():
    t = tables()
    row = set_cell(t, "permitting", {"region": "TX"}, "extra_lead_time_years", -1)
    assert_at(only(problems_of(t)), "permitting.csv", row, "extra_lead_time_years", "negative", "= -1 years")


def test_horizon_start_after_end():
    assert_at(
        only(problems_of(overrides={"horizon.start_year": 2030, "horizon.end_year": 2026})),
        "overrides", None, "overrides", "horizon.start_year 2030 is after horizon.end_year 2026",
    )


# ----- 7. NaN, infinity, blanks ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("nan", "got 'nan'; expected a finite number"),
        ("NaN", "got 'NaN'; expected a finite number"),
        ("inf", "got 'inf'; expected a finite number"),
        ("-inf", "got '-inf'; expected a finite number"),
        ("", "blank; a value is required"),
        ("   ", "blank; a value is required"),
        (None, "blank; a value is required"),
        (float("nan"), "blank; a value is required"),
    ],
)
def test_nan_inf_and_blank_cells(value, expected):
    t = tables()
    row = set_cell(t, "sites", {"site": "s2"}, "max_onsite_gas_mw", value)
    assert_at(only(problems_of(t)), "sites.csv", row, "max_onsite_gas_mw", expected)


@pytest.mark.parametrize("value", ["nan", "", "inf"])
def test_bad_parameter_value_is_not_also_missing(value):
    t = tables()
    row = set_cell(t, "parameters", {"name": "horizon.end_year"}, "value", value)
    assert_at(only(problems_of(t)), "parameters.csv", row, "value")


def test_blank_cells_in_a_float_column_do_not_turn_years_into_floats():
    """An in-memory column with a NaN becomes float (2027.0); other rows must still read as years."""
    t = tiny_tables()
    t["supply"]["year"] = t["supply"]["year"].astype(float)
    t["supply"].loc[4, "year"] = float("nan")
    assert_at(only(problems_of(t, {"horizon.end_year": 2029})), "supply.csv", 6, "year", "blank")


def test_blank_source_is_an_error():
    t = tables()
    row = set_cell(t, "gpus", {"generation": "g1"}, "source", "")
    assert_at(only(problems_of(t)), "gpus.csv", row, "source", "blank; a value is required")


# ----- 8. bad overrides ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, phrases",
    [
        ({"lead_time_yeers.gas_turbine": 6}, ["'lead_time_yeers.gas_turbine' names no parameter", "did you mean 'lead_time_years.gas_turbine'"]),
        ({"lead_time_years": {"gas_turbin": 6}}, ["'lead_time_years.gas_turbin'", "did you mean 'lead_time_years.gas_turbine'"]),
        ({"site.s1.max_it_mw": 6}, ["'site.s1.max_it_mw' names no parameter and no table cell", "table one of", "sites"]),
        ({"parameters.discount_rate.value": 0.1}, ["names no parameter"]),
        ({"sites.s9.max_it_mw": 3000}, ["'sites.s9.max_it_mw': no row of sites.csv has site=s9", "rows are: s1, s2"]),
        ({"sites.s1.max_it": 3000}, ["'max_it' is not an editable column of sites.csv", "did you mean 'max_it_mw'"]),
        ({"sites.s1.site": "s3"}, ["'site' is not an editable column"]),
        ({"sites.max_it_mw": 3000}, ["expected 'sites.<site>.<column>'"]),
        ({"permitting.TX.extra_lead_time_years": 1}, ["expected 'permitting.<region>.<asset>.<column>'"]),
        ({"permitting.VA.shell.extra_lead_time_years": 1}, ["no row of permitting.csv has region=VA, asset=shell", "TX.gas_turbine"]),
        ({"lead_time_years.gas_turbine": "six"}, ["'lead_time_years.gas_turbine': got 'six'; expected a number"]),
        ({"lead_time_years.gas_turbine": True}, ["got 'True'; expected a number"]),
        ({"lead_time_years.gas_turbine": None}, ["no value given; expected a number"]),
        ({"lead_time_years.gas_turbine": [1, 2]}, ["expected a number"]),
        ({"discount_rate": 0.9}, ["'discount_rate' = 0.9; expected [0, 0.5]"]),
        ({"lead_time_years.shell": 1.5}, ["expected a whole number of years"]),
    ],
)
def test_bad_override(overrides, phrases):
    assert_at(only(problems_of(overrides=overrides)), "overrides", None, "overrides", *phrases)


def test_bad_value_set_by_a_cell_override_says_so():
    """The CSV holds a good value; the problem names the cell and the override that set it."""
    t = tables()
    p = only(problems_of(t, {"sites.s2.max_it_mw": "lots"}))
    assert_at(p, "sites.csv", line(t, "sites", {"site": "s2"}), "max_it_mw", "got 'lots'", "value set by override 'sites.s2.max_it_mw'")


def test_cell_override_to_an_unknown_id_says_so():
    p = only(problems_of(overrides={"sites.s1.region": "CA"}))
    assert_at(p, "sites.csv", 2, "region", "unknown region 'CA'", "override 'sites.s1.region'")


def test_override_on_an_absent_optional_table():
    t = tables()
    del t["gpu_pipeline"]
    p = only(problems_of(t, {"gpu_pipeline.s1.g1.2026.gpus": 5}))
    assert_at(p, "overrides", None, "overrides", "no row of gpu_pipeline.csv", "the table has no rows")


# ----- 9. every problem at once ----------------------------------------------------------------


def test_all_problems_in_different_files_are_reported_together():
    t = tables()
    r_site = set_cell(t, "sites", {"site": "s2"}, "max_it_mw", "lots")
    r_pipe = set_cell(t, "pipeline", {"asset": "grid_interconnection"}, "site", "zz")
    r_gpu = set_cell(t, "gpus", {"generation": "g1"}, "price_usd_per_gpu", "nan")
    r_par = set_cell(t, "parameters", {"name": "discount_rate"}, "value", "x")
    t["supply"] = t["supply"][t["supply"]["year"] != 2028]
    with pytest.raises(InputError) as e:
        scenario_from_tables(t, overrides={"lead_time_yeers.gas_turbine": 6})
    where = {(p.file, p.row, p.column) for p in e.value.problems}
    assert where == {
        ("overrides", None, "overrides"),
        ("parameters.csv", r_par, "value"),
        ("supply.csv", None, "year"),
        ("gpus.csv", r_gpu, "price_usd_per_gpu"),
        ("sites.csv", r_site, "max_it_mw"),
        ("pipeline.csv", r_pipe, "site"),
    }, "\n".join(map(str, e.value.problems))
    text = str(e.value)
    assert text.startswith("6 problem(s)")
    assert f"sites.csv, row {r_site}, column 'max_it_mw': got 'lots'; expected a number" in text
    # reading order: overrides, then tables in the order of docs/inputs.md
    assert [p.file for p in e.value.problems] == ["overrides", "parameters.csv", "supply.csv", "gpus.csv", "sites.csv", "pipeline.csv"]


def test_several_problems_in_one_row_are_all_reported():
    t = tables()
    set_cell(t, "sites", {"site": "s1"}, "max_it_mw", "lots")
    set_cell(t, "sites", {"site": "s1"}, "pue", "")
    cols = {p.column for p in problems_of(t)}
    assert cols == {"max_it_mw", "pue"}


def test_missing_column_is_one_problem_not_a_cascade():
    """sites.csv without its `site` column: no 'unknown site' for every pipeline row."""
    t = tables()
    t["sites"] = t["sites"].drop(columns=["site"])
    assert_at(only(problems_of(t)), "sites.csv", 1, "site", "missing column 'site'", "expected columns: ")


def test_unknown_column_is_reported_and_notes_are_allowed():
    t = tables()
    t["sites"]["notes"] = "free text"
    scenario_from_tables(t)
    t["sites"]["max_it"] = 1
    assert_at(only(problems_of(t)), "sites.csv", 1, "max_it", "unknown column 'max_it'")


def test_missing_required_table_and_other_problems_together():
    t = tables()
    del t["gpus"]
    row = set_cell(t, "sites", {"site": "s2"}, "max_it_mw", "lots")
    p = problems_of(t)
    assert {(x.file, x.row) for x in p} == {("gpus.csv", None), ("sites.csv", row)}, p
    assert any("required table is missing" in x.message for x in p)


def test_unknown_table_in_memory():
    t = tables()
    t["site"] = t["sites"]
    assert_at(only(problems_of(t)), "site.csv", None, None, "unknown table 'site'", "sites")


# ----- 10. scenario folders on disk, and the command line --------------------------------------


def test_folder_problems_name_the_files(tmp_path):
    t = tables()
    r_site = set_cell(t, "sites", {"site": "s2"}, "max_it_mw", "lots")
    r_pipe = set_cell(t, "pipeline", {"asset": "transformer"}, "site", "zz")
    folder = write_folder(tmp_path / "scn", t)
    p = load_problems(folder)
    assert len(p) == 2, p
    assert_at(p[0], "sites.csv", r_site, "max_it_mw", "got 'lots'; expected a number")
    assert_at(p[1], "pipeline.csv", r_pipe, "site", "unknown site 'zz'; expected one of: s1, s2")


def test_folder_row_numbers_are_file_lines_even_with_blank_lines(tmp_path):
    """Blank lines and rows of empty cells (spreadsheet leftovers) do not shift row numbers."""
    folder = write_folder(tmp_path / "scn")
    lines = (folder / "sites.csv").read_text().splitlines()
    header, s1, s2 = lines
    blank_row = "," * header.count(",")
    (folder / "sites.csv").write_text("\n".join([header, s1, "", blank_row, s2.replace("s2,Site 2", "s2,")]) + "\n")
    assert_at(only(load_problems(folder)), "sites.csv", 5, "name", "blank")


def test_folder_text_nan_and_blank_cells(tmp_path):
    folder = write_folder(tmp_path / "scn")
    text = (folder / "supply.csv").read_text().splitlines()
    cols = text[0].split(",")
    cells = text[2].split(",")  # year 2027, line 3
    cells[cols.index("hbm_stacks_per_year")] = "nan"
    cells[cols.index("cowos_wafers_per_year")] = ""
    text[2] = ",".join(cells)
    (folder / "supply.csv").write_text("\n".join(text) + "\n")
    p = load_problems(folder)
    assert len(p) == 2, p
    assert_at(p[0], "supply.csv", 3, "cowos_wafers_per_year", "blank; a value is required")
    assert_at(p[1], "supply.csv", 3, "hbm_stacks_per_year", "got 'nan'; expected a finite number")


def test_cli_validate_reports_file_row_column_and_exits_1(tmp_path):
    t = tables()
    set_cell(t, "sites", {"site": "s2"}, "max_it_mw", "lots")
    set_cell(t, "pipeline", {"asset": "transformer"}, "capacity", -5)
    folder = write_folder(tmp_path / "scn", t)
    r = runner.invoke(app, ["validate", str(folder)])
    assert r.exit_code == 1, r.output
    assert "2 problem(s)" in r.output
    assert "sites.csv, row 3, column 'max_it_mw': got 'lots'; expected a number" in r.output
    assert "pipeline.csv, row 4, column 'capacity': got '-5'; expected a value >= 0" in r.output


def test_cli_validate_as_a_subprocess(tmp_path):
    t = tables()
    set_cell(t, "sites", {"site": "s1"}, "region", "CA")
    folder = write_folder(tmp_path / "scn", t)
    r = subprocess.run([sys.executable, "-m", "dcplan", "validate", str(folder)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "sites.csv, row 2, column 'region': unknown region 'CA'; expected one of: TX" in r.stderr
    assert "nothing was written" in r.stderr


def test_cli_run_with_bad_input_writes_nothing(tmp_path):
    t = tables()
    set_cell(t, "gpu_pipeline", {"site": "s1"}, "generation", "b200")
    folder = write_folder(tmp_path / "scn", t, {"name": "bad", "overrides": {"lead_time_years.shell": 1}})
    before = snapshot(tmp_path)
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", str(folder), "--out", str(out), "--set", "sites.s2.max_it_mw=3000"])
    assert r.exit_code == 1, r.output
    assert "gpu_pipeline.csv, row 2, column 'generation': unknown GPU generation 'b200'" in r.output
    assert not out.exists()
    assert snapshot(tmp_path) == before


def test_cli_run_with_bad_input_writes_nothing_subprocess(tmp_path):
    """As a real process, with the default --out (results/ in the working directory)."""
    folder = write_folder(tmp_path / "scn", meta={"name": "bad", "overrides": {"discount_rate": "high"}})
    before = snapshot(tmp_path)
    r = subprocess.run([sys.executable, "-m", "dcplan", "run", str(folder)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "scenario.yaml, column 'overrides': override 'discount_rate': got 'high'; expected a number" in r.stderr
    assert not (tmp_path / "results").exists()
    assert snapshot(tmp_path) == before


def test_cli_validate_ok_on_a_valid_folder(tmp_path):
    folder = write_folder(tmp_path / "scn")
    before = snapshot(tmp_path)
    r = runner.invoke(app, ["validate", str(folder)])
    assert r.exit_code == 0, r.output
    assert "ok" in r.output and "scenario 'tiny-on-disk'" in r.output and "2026-2030" in r.output
    assert snapshot(tmp_path) == before


def test_cli_validate_accepts_the_yaml_path(tmp_path):
    folder = write_folder(tmp_path / "scn")
    r = runner.invoke(app, ["validate", str(folder / "scenario.yaml")])
    assert r.exit_code == 0, r.output


def test_cli_bad_set_options_are_all_reported(tmp_path):
    folder = write_folder(tmp_path / "scn")
    r = runner.invoke(app, ["validate", str(folder), "--set", "lead_time_years.shell", "--set", "=3"])
    assert r.exit_code == 1, r.output
    assert "2 problem(s)" in r.output
    assert "--set: 'lead_time_years.shell': expected PATH=VALUE" in r.output


def test_cli_set_override_typo(tmp_path):
    folder = write_folder(tmp_path / "scn")
    r = runner.invoke(app, ["validate", str(folder), "--set", "lead_time_yeers.gas_turbine=6", "--set", "demand.growth_per_year=[2"])
    assert r.exit_code == 1, r.output
    assert "did you mean 'lead_time_years.gas_turbine'" in r.output
    assert "override 'demand.growth_per_year': got '[2'; expected a number" in r.output


def test_cli_validate_missing_folder(tmp_path):
    r = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert r.exit_code == 1
    assert "no such scenario folder" in r.output


def test_unknown_top_level_yaml_key_and_csv_problems_together(tmp_path):
    t = tables()
    row = set_cell(t, "sites", {"site": "s2"}, "pue", "high")
    folder = write_folder(tmp_path / "scn", t, {"name": "x", "overides": {"lead_time_years.shell": 2}})
    p = load_problems(folder)
    assert len(p) == 2, p
    assert_at(p[0], "scenario.yaml", 2, "overides", "unknown key 'overides'", "did you mean 'overrides'", "expected one of: base, description, name, overrides")
    assert_at(p[1], "sites.csv", row, "pue", "got 'high'")


def test_yaml_overrides_not_a_mapping(tmp_path):
    folder = write_folder(tmp_path / "scn", meta={"name": "x", "overrides": ["lead_time_years.shell=2"]})
    assert_at(only(load_problems(folder)), "scenario.yaml", 2, "overrides", "must be a mapping")


def test_yaml_override_problems_name_scenario_yaml(tmp_path):
    folder = write_folder(tmp_path / "scn", meta={"name": "x", "overrides": {"sites": {"s9": {"max_it_mw": 1}}}})
    assert_at(only(load_problems(folder)), "scenario.yaml", None, "overrides", "'sites.s9.max_it_mw'", "rows are: s1, s2")


def test_missing_required_table_without_base(tmp_path):
    folder = write_folder(tmp_path / "scn", skip=("gpus",))
    p = only(load_problems(folder))
    assert_at(p, "gpus.csv", None, None, "required table is missing", "base: default")


def test_missing_required_table_in_folder_and_base(tmp_path):
    write_folder(tmp_path / "full", skip=("gpus",), meta={"name": "full"})
    child = write_folder(tmp_path / "child", {}, {"name": "child", "base": "../full"})
    p = only(load_problems(child))
    assert_at(p, "gpus.csv", None, None, "required table is missing", "nor in its base")
    assert "base: default" not in p.message


def test_missing_sites_is_one_problem_not_a_cascade(tmp_path):
    """Without sites.csv, pipeline rows naming sites are not each 'unknown site'."""
    folder = write_folder(tmp_path / "scn", skip=("sites",))
    assert_at(only(load_problems(folder)), "sites.csv", None, None, "required table is missing")


def test_missing_optional_tables_are_empty(tmp_path):
    folder = write_folder(tmp_path / "scn", skip=("pipeline", "gpu_pipeline", "permitting"))
    scn = load_scenario(folder)
    assert len(scn.tables["pipeline"]) == 0 and len(scn.tables["permitting"]) == 0


def test_yaml_syntax_error(tmp_path):
    folder = write_folder(tmp_path / "scn")
    (folder / "scenario.yaml").write_text("name: x\noverrides:\n  lead_time_years.shell: [2\n  shell: 3\n")
    p = only(load_problems(folder))
    assert_at(p, "scenario.yaml", p.row, None, "not valid YAML", "line")
    assert p.row in (3, 4, 5, 6)  # where the parser noticed the unclosed '['



def test_yaml_syntax_error_still_reports_csv_problems(tmp_path):
    t = tables()
    row = set_cell(t, "gpus", {"generation": "g1"}, "last_year", 2020)
    folder = write_folder(tmp_path / "scn", t)
    (folder / "scenario.yaml").write_text("name: [x\n")
    p = load_problems(folder)
    assert [(x.file, x.column) for x in p] == [("scenario.yaml", None), ("gpus.csv", "last_year")], p
    assert p[1].row == row
    assert "first_year 2026 is after last_year 2020" in p[1].message


def test_yaml_syntax_error_in_a_based_folder_does_not_claim_tables_are_missing(tmp_path):
    """The broken YAML may hold the `base:`, so missing tables are not reported."""
    write_folder(tmp_path / "full")
    child = tmp_path / "child"
    child.mkdir()
    (child / "scenario.yaml").write_text("name: child\nbase: ../full\noverrides: {a: [\n")
    p = only(load_problems(child))
    assert (p.file, p.column) == ("scenario.yaml", None) and "not valid YAML" in p.message


def test_missing_scenario_yaml(tmp_path):
    folder = write_folder(tmp_path / "scn")
    (folder / "scenario.yaml").unlink()
    p = only(load_problems(folder))
    assert p.file.endswith("scenario.yaml") and "missing scenario.yaml" in p.message


def test_yaml_that_is_not_a_mapping(tmp_path):
    folder = write_folder(tmp_path / "scn")
    (folder / "scenario.yaml").write_text("- just\n- a list\n")
    assert_at(only(load_problems(folder)), "scenario.yaml", None, None, "expected a mapping")


def test_unreadable_csv(tmp_path):
    folder = write_folder(tmp_path / "scn")
    (folder / "gpus.csv").write_text("")
    assert_at(only(load_problems(folder)), "gpus.csv", None, None, "cannot be read as CSV")


def test_csv_with_wrong_delimiter(tmp_path):
    folder = write_folder(tmp_path / "scn")
    (folder / "regions.csv").write_text((folder / "regions.csv").read_text().replace(",", ";"))
    p = load_problems(folder)
    assert {x.file for x in p} == {"regions.csv"}
    assert all(x.row == 1 for x in p)
    assert any(x.column == "region" and "missing column 'region'" in x.message for x in p)


def test_misnamed_table_file_is_not_ignored(tmp_path):
    """With a base, gpu.csv (for gpus.csv) would silently fall back to the base's gpus.csv."""
    write_folder(tmp_path / "full")
    child = write_folder(tmp_path / "child", {"gpu": tables()["gpus"]}, {"name": "child", "base": "../full"})
    assert_at(only(load_problems(child)), "gpu.csv", None, None, "unknown table (did you mean 'gpus.csv'?)")


def test_base_folder_supplies_missing_tables(tmp_path):
    """A folder with only scenario.yaml (base: ../full) and one overriding CSV."""
    write_folder(tmp_path / "full")
    child = tmp_path / "study" / "child"
    t = tables()
    set_cell(t, "sites", {"site": "s2"}, "max_it_mw", 1234)
    write_folder(child, {"sites": t["sites"]}, {"name": "child", "base": "../../full"})
    scn = load_scenario(child)
    assert isinstance(scn, Scenario) and scn.name == "child"
    assert scn.sites.loc["s2", "max_it_mw"] == 1234  # from the child
    assert scn.years == [2026, 2027, 2028, 2029, 2030]  # parameters from the base
    assert len(scn.tables["pipeline"]) == 3


def test_problem_in_a_base_table_names_the_base(tmp_path):
    t = tables()
    set_cell(t, "regions", {"region": "TX"}, "headroom_mw_start", "lots")
    full = write_folder(tmp_path / "full", t)
    child = tmp_path / "child"
    write_folder(child, {}, {"name": "child", "base": "../full"})
    p = only(load_problems(child))
    assert p.file.startswith("regions.csv (from base") and str(full) in p.file
    assert (p.row, p.column) == (2, "headroom_mw_start")


def test_base_not_found(tmp_path):
    folder = write_folder(tmp_path / "scn", {}, {"name": "x", "base": "../nope"})
    # one problem: the tables the base would have supplied are not each reported missing
    assert_at(only(load_problems(folder)), "scenario.yaml", None, "base", "base scenario '../nope' not found", "does not exist")


def test_base_without_scenario_yaml(tmp_path):
    full = write_folder(tmp_path / "full")
    (full / "scenario.yaml").unlink()
    folder = write_folder(tmp_path / "scn", meta={"name": "x", "base": "../full"})
    assert_at(only(load_problems(folder)), "scenario.yaml", None, "base", "has no scenario.yaml")


# ----- 11. valid overrides ---------------------------------------------------------------------


def test_parameter_and_cell_overrides_apply():
    scn = scenario_from_tables(
        tables(),
        overrides={
            "lead_time_years.gas_turbine": 2,
            "sites.s2.max_it_mw": 3000,
            "permitting.TX.gas_turbine.extra_lead_time_years": 2,
            "supply.*.cowos_wafers_per_year": 50,
            "gpus.g1.price_usd_per_gpu": "2000",
        },
    )
    assert scn.params["lead_time_years.gas_turbine"] == 2
    assert scn.sites.loc["s2", "max_it_mw"] == 3000 and scn.sites.loc["s1", "max_it_mw"] == 20_000
    assert scn.lead_time("gas_turbine", "TX") == 4
    assert (scn.supply["cowos_wafers_per_year"] == 50).all()
    assert scn.gpus.loc["g1", "price_usd_per_gpu"] == 2000


def test_nested_overrides_are_the_dotted_form():
    scn = scenario_from_tables(tables(), overrides={"lead_time_years": {"gas_turbine": 0, "shell": 2}, "sites": {"s2": {"max_it_mw": 3000}}})
    assert scn.params["lead_time_years.gas_turbine"] == 0 and scn.params["lead_time_years.shell"] == 2
    assert scn.sites.loc["s2", "max_it_mw"] == 3000


def test_yaml_overrides_and_call_overrides_merge(tmp_path):
    """Nested YAML overrides and nested call overrides of the same group both apply; the call wins on a clash."""
    folder = write_folder(tmp_path / "scn", meta={"name": "x", "overrides": {"lead_time_years": {"gas_turbine": 1, "shell": 1}}})
    scn = load_scenario(folder, overrides={"lead_time_years": {"shell": 2}})
    assert scn.params["lead_time_years.gas_turbine"] == 1 and scn.params["lead_time_years.shell"] == 2
    assert scn.overrides == {"lead_time_years.gas_turbine": 1, "lead_time_years.shell": 2}


def test_overrides_do_not_touch_the_files(tmp_path):
    folder = write_folder(tmp_path / "scn", meta={"name": "x", "overrides": {"sites.s2.max_it_mw": 3000}})
    before = snapshot(tmp_path)
    scn = load_scenario(folder)
    assert scn.sites.loc["s2", "max_it_mw"] == 3000
    assert snapshot(tmp_path) == before


def test_with_overrides_validates_too():
    scn = scenario_from_tables(tables())
    assert scn.with_overrides({"lead_time_years.shell": 3}).params["lead_time_years.shell"] == 3
    with pytest.raises(InputError) as e:
        scn.with_overrides({"lead_time_years.shell": 9})
    assert "5-year horizon" in only(e.value.problems).message


def test_problem_text_format():
    p = InputProblem("sites.csv", "got 'lots'; expected a number", row=3, column="max_it_mw")
    assert str(p) == "sites.csv, row 3, column 'max_it_mw': got 'lots'; expected a number"
