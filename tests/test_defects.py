"""Regression tests of the known defects of issue 13 part 4 (each failed before its fix)."""

from __future__ import annotations

import pandas as pd
import pytest
from tiny import tiny, tiny_tables

from dcplan import Plan
from dcplan.scenario.scenario import H100_REFERENCE_PFLOPS


def test_an_interior_point_solve_reports_its_iterations():
    """HiGHS's IPM (presolve off, so the tiny LP is not solved away) reports its iterations; the
    simplex count alone was 0."""
    sol = Plan(tiny({"supply.2026.cowos_wafers_per_year": 50}), {"solver": "ipm", "presolve": "off"}).lp.solve()
    assert sol.optimal
    assert sol.stats["ipm_iterations"] > 0 and sol.iterations >= sol.stats["ipm_iterations"]
    assert sol.iterations == sol.stats["simplex_iterations"] + sol.stats["ipm_iterations"] + sol.stats["crossover_iterations"]


def _infeasible_plan(options=None):
    """A hard compute target before any shell can exist (test_diagnose's first case): infeasible."""
    scn = tiny({"horizon.end_year": 2028, "lead_time_years.shell": 2, "demand.hard_target": 1}, drop_pipeline=("shell",))
    return Plan(scn, options)


def test_the_iis_keeps_the_users_time_limit():
    from dcplan.solve.diagnose import _option, iis

    plan = _infeasible_plan({"time_limit": 123.0})
    assert not plan.lp.solve().optimal
    iis(plan.lp.highs, plan.lp.lp)
    assert _option(plan.lp.highs, "time_limit") == 123.0


def test_an_error_inside_the_iis_is_not_swallowed(monkeypatch):
    from dcplan.solve.diagnose import _option, iis

    plan = _infeasible_plan()
    plan.lp.solve()

    def broken():
        raise RuntimeError("HiGHS failed")

    monkeypatch.setattr(plan.lp.highs, "getIis", broken, raising=False)
    with pytest.raises(RuntimeError, match="HiGHS failed"):
        iis(plan.lp.highs, plan.lp.lp)
    assert _option(plan.lp.highs, "time_limit") == float("inf")


def test_no_check_column_and_flops_follow_h100e():
    """The compute table's FLOP/s are H100e x 0.989e15 (what the dropped check column computed),
    and no table carries a leftover helper column."""
    res = Plan(tiny({"supply.2026.cowos_wafers_per_year": 50})).solve()
    c = res.compute
    assert (c["online_flops_per_s"] - c["online_h100e"] * H100_REFERENCE_PFLOPS * 1e15).abs().max() < 1e-3
    for name in ("compute", "capacity", "gpus", "power", "costs"):
        assert not [col for col in getattr(res, name).columns if col.endswith("_check")]


def test_the_map_reads_site_coordinates_in_the_geo_modules_crs():
    """NAD83 (EPSG:4269) like geo/sites.py, not WGS84, then CONUS Albers."""
    from dcplan.geo import CRS_EQUAL_AREA, CRS_GEOGRAPHIC, sites_gdf
    from dcplan.reports import maps

    sites = tiny_tables()["sites"]
    assert maps.CRS_SITES == CRS_GEOGRAPHIC
    pts = maps.site_points(sites)
    ref = sites_gdf(sites).to_crs(CRS_EQUAL_AREA)
    assert pts.crs == ref.crs and pts.geometry.geom_equals_exact(ref.geometry, 1e-6).all()


def test_the_largest_run_keeps_the_scenarios_runs_in_other_years():
    """The two-state case of test_training with the scenario's own run in 2027: the largest-run
    variant for 2026 still has the 2027 run (before, training.csv was replaced by the one row)."""
    from test_training import two_state_tables
    from tiny import SRC

    from dcplan import scenario_from_tables
    from dcplan.analysis.largest_run import _with_training

    t = two_state_tables(link_tbps=1.0)
    t["training"] = pd.DataFrame([{"year": 2027, "supercluster": "c", "run_h100e_millions": 0.0005, **SRC}])
    scn = scenario_from_tables(t, overrides={"horizon.end_year": 2027})
    v = _with_training(scn, 2026, "s1", 0.002, {})
    tr = v.tables["training"].sort_values("year")
    assert list(tr["year"]) == [2026, 2027] and list(tr["supercluster"]) == ["s1", "c"]
    assert tr["run_h100e_millions"].tolist() == pytest.approx([0.002, 0.0005])


def test_a_largest_run_with_no_binding_limit_is_a_solve_error_the_cli_reports(monkeypatch, tmp_path):
    """Reaching the search bound raises SolveError (exit 3 and a message), not a RuntimeError
    traceback."""
    from typer.testing import CliRunner

    from dcplan.analysis import largest_run as lr
    from dcplan.cli import app
    from dcplan.errors import SolveError

    monkeypatch.setattr(lr, "_upper_bound_h100e", lambda scn, sites: 1.0)  # any run reaches it
    with pytest.raises(SolveError, match="search bound"):
        lr.largest_training_run(tiny(), 2026, "s1")
    from test_cli import write_tiny

    folder = write_tiny(tmp_path / "scn")
    r = CliRunner().invoke(app, ["largest-run", str(folder), "--host", "s1", "--year", "2026", "--no-campuses"])
    assert r.exit_code == 3 and "search bound" in r.output and "Traceback" not in r.output
