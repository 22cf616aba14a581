"""Geography: sites as a GeoDataFrame, and each site's stated state checked against the Census
state boundaries (a spatial join), through the loader, the CLI and the bundled default.

The tiny scenario (tests/tiny.py) has one site `s1` at Abilene TX (32.45 N, 99.73 W) in region
TX; these tests add a region LA and label the site LA, or move it out to sea.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from tiny import tiny_tables
from typer.testing import CliRunner

import dcplan
from dcplan import InputError, scenario_from_tables
from dcplan.cli import app
from dcplan.geo import CRS_GEOGRAPHIC, check_site_states, site_states, sites_gdf

runner = CliRunner()


def tables_with_region(code: str, name: str) -> dict[str, pd.DataFrame]:
    """The tiny tables plus a second region `code` (a copy of TX's row)."""
    t = tiny_tables()
    extra = t["regions"].iloc[[0]].copy()
    extra["region"], extra["name"] = code, name
    t["regions"] = pd.concat([t["regions"], extra], ignore_index=True)
    return t


def problems_of(t) -> list:
    with pytest.raises(InputError) as e:
        scenario_from_tables(t)
    return e.value.problems


def test_abilene_labelled_louisiana_is_rejected_with_a_clear_message():
    t = tables_with_region("LA", "Louisiana")
    t["sites"].loc[0, "region"] = "LA"
    (p,) = problems_of(t)
    assert (p.file, p.row, p.column) == ("sites.csv", 2, "latitude/longitude"), str(p)
    for phrase in ("site 's1'", "latitude 32.45, longitude -99.73", "is in Texas (TX)", "Louisiana (LA)",
                   "the state its region column names", "fix the coordinates or the region"):
        assert phrase in p.message, p.message


def test_a_site_at_sea_is_outside_every_state():
    t = tiny_tables()
    t["sites"].loc[0, ["latitude", "longitude"]] = [30.0, -60.0]  # the Atlantic, east of Bermuda
    (p,) = problems_of(t)
    assert (p.file, p.row, p.column) == ("sites.csv", 2, "latitude/longitude")
    assert "is outside every US state" in p.message and "Texas (TX)" in p.message


def test_the_row_is_the_csv_line_of_the_bad_site():
    """A second, correct site before the bad one: the problem is on CSV line 3."""
    t = tiny_tables()
    s2 = t["sites"].iloc[[0]].copy()
    s2["site"], s2["region"] = "memphis", "TX"
    s2["latitude"], s2["longitude"] = 35.12, -89.95
    t["sites"] = pd.concat([t["sites"], s2], ignore_index=True)
    (p,) = problems_of(t)
    assert (p.row, p.column) == (3, "latitude/longitude") and "in Tennessee (TN)" in p.message


def test_a_region_that_is_not_a_state_code_is_not_checked():
    """Regions may be ISO zones; only state codes can be checked against state boundaries."""
    t = tables_with_region("ERCOT", "ERCOT zone")
    t["sites"].loc[0, "region"] = "ERCOT"
    scenario_from_tables(t)


def test_a_bad_site_row_is_not_checked_twice():
    """A site whose latitude fails its own validation gives that one problem only."""
    t = tiny_tables()
    t["sites"] = t["sites"].astype(object)
    t["sites"].loc[0, "latitude"] = "north"
    (p,) = problems_of(t)
    assert p.column == "latitude" and "expected a number" in p.message


def test_tolerance_lets_near_misses_pass():
    """Abilene is ~300 km south of Oklahoma: labelled OK it fails at the default 2 km
    tolerance and passes at 1,000 km."""
    sites = tiny_tables()["sites"]
    sites.loc[0, "region"] = "OK"
    (p,) = check_site_states(sites)
    assert "in Texas (TX)" in p.message and "Oklahoma (OK)" in p.message
    assert check_site_states(sites, tolerance_km=1000) == []


def test_cli_validate_names_file_row_and_columns(tmp_path):
    t = tables_with_region("LA", "Louisiana")
    t["sites"].loc[0, "region"] = "LA"
    folder = tmp_path / "scn"
    folder.mkdir()
    for name, df in t.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    (folder / "scenario.yaml").write_text(yaml.safe_dump({"name": "wrong-state"}))
    r = runner.invoke(app, ["validate", str(folder)])
    assert r.exit_code == 1, r.output
    assert "1 problem(s)" in r.output
    assert "sites.csv, row 2, column 'latitude/longitude': site 's1' at latitude 32.45, longitude -99.73 is in Texas (TX)" in r.output


def test_every_default_site_lies_in_its_state():
    scn = dcplan.load_scenario()
    sites = scn.tables["sites"]
    assert len(sites) >= 24
    assert check_site_states(sites) == []
    assert (site_states(sites) == sites["region"]).all()


def test_sites_gdf_is_points_in_nad83():
    scn = dcplan.load_scenario()
    g = sites_gdf(scn)
    assert g.crs.to_string() == CRS_GEOGRAPHIC == "EPSG:4269"
    assert len(g) == len(scn.tables["sites"]) and (g.geom_type == "Point").all()
    ab = g.set_index("site").loc["abilene_tx", "geometry"]
    assert (ab.x, ab.y) == (-99.73, 32.45)
    # distances in a projected CRS (CONUS Albers, metres): Abilene - Shackelford ~50 km
    p = g.to_crs("EPSG:5070").set_index("site")["geometry"]
    assert p["abilene_tx"].distance(p["shackelford_tx"]) / 1000 == pytest.approx(50, rel=0.05)
