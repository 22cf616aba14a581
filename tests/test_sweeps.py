"""Batch sweeps: samplers' designs, spec errors, the runner (in-process and on Dask), the resumable
store (SIGKILL, failures) and the sweep report. Scenarios are the hand-worked tiny case
(tests/tiny.py): 1,000 H100e demanded, $1,000 a GPU, $10,000 per unmet H100e-year, 10 packages a
CoWoS wafer, so C wafers ship min(10 C, 1000) GPUs and cost 1000 x min(10C, 1000) + 10,000 x the rest.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from tiny import tiny, tiny_tables
from typer.testing import CliRunner

from dcplan.cli import app
from dcplan.sweeps import load
from dcplan.sweeps.order import (
    WEIGHT_FLOOR,
    nearest_neighbour_chain,
    probe_design,
    step_distance,
    task_coordinates,
    weights_from,
)
from dcplan.sweeps.runner import _Lane, clear_plans, plan_tasks, probe_costs, run_sweep, segments, steal, swept_paths
from dcplan.sweeps.samplers import design, lhs_unit, morris_indices, morris_unit
from dcplan.sweeps.spec import SpecError, parse_spec

COWOS = "supply.2026.cowos_wafers_per_year"
REPO = Path(__file__).resolve().parent.parent


def cost(wafers: float) -> float:
    """Hand-worked optimum of the tiny case with `wafers` CoWoS wafers (see module docstring)."""
    gpus = min(10 * wafers, 1000)
    return 1000 * gpus + 10_000 * (1000 - gpus)


@pytest.fixture(scope="module")
def base():
    return tiny()


def spec_of(base, **kw):
    return parse_spec({"name": "t", **kw}, base_scenario=base)


# ----- samplers -----------------------------------------------------------------------------------


def test_grid_is_the_full_factorial(base):
    s = spec_of(base, sampler="grid", parameters={COWOS: {"values": [50, 100, 150]}, "planner_share.hbm": {"values": [0.5, 1]},
                                                 "sites.*.pue": {"values": [1.0, 1.1]}})
    d = design(s)
    assert len(d) == 3 * 2 * 2
    assert len(d.drop_duplicates([COWOS, "planner_share.hbm", "sites.*.pue"])) == 12
    assert list(d["point"]) == list(range(12))


def test_lhs_has_one_sample_per_stratum_per_parameter_and_is_seeded(base):
    u = lhs_unit(4, 50, seed=3)
    for j in range(4):
        assert sorted(np.floor(u[:, j] * 50).astype(int)) == list(range(50))
    params = {"planner_share.cowos": {"dist": "uniform", "low": 0.2, "high": 0.6},
              "demand.growth_per_year": {"dist": "triangular", "low": 1.2, "mode": 1.4, "high": 1.8}}
    d1 = design(spec_of(base, sampler="lhs", samples=40, seed=7, parameters=params))
    d2 = design(spec_of(base, sampler="lhs", samples=40, seed=7, parameters=params))
    d3 = design(spec_of(base, sampler="lhs", samples=40, seed=8, parameters=params))
    pd.testing.assert_frame_equal(d1, d2)
    assert not d1.equals(d3)
    x = d1["planner_share.cowos"].astype(float)
    assert sorted(np.floor((x - 0.2) / 0.4 * 40).astype(int)) == list(range(40))  # uniform: strata map to equal widths
    assert d1["demand.growth_per_year"].astype(float).between(1.2, 1.8).all()


def test_mc_is_seeded_and_inside_truncation(base):
    params = {"sites.*.pue": {"dist": "normal", "mean": 1.2, "sd": 0.05, "low": 1.05, "high": 1.3}}
    d1 = design(spec_of(base, sampler="mc", samples=200, seed=1, parameters=params))
    assert d1.equals(design(spec_of(base, sampler="mc", samples=200, seed=1, parameters=params)))
    x = d1["sites.*.pue"].astype(float)
    assert x.between(1.05, 1.3).all() and abs(x.mean() - 1.19) < 0.02


def test_integer_parameters_take_whole_values(base):
    d = design(spec_of(base, sampler="lhs", samples=30, seed=2,
                       parameters={"lead_time_years.gas_turbine": {"dist": "integer", "low": 0, "high": 3}}))
    v = d["lead_time_years.gas_turbine"]
    assert all(isinstance(x, int) for x in v) and set(v) == {0, 1, 2, 3}


def test_morris_trajectories_move_one_parameter_at_a_time():
    k, r, p = 3, 5, 4
    u, moved = morris_unit(k, r, p, seed=0)
    delta = p / (2 * (p - 1))
    assert u.shape == (r * (k + 1), k)
    levels = np.arange(p) / (p - 1)
    assert np.isclose(u[..., None], levels).any(-1).all()  # every coordinate on the p-level grid
    for t in range(r):
        pts = u[t * (k + 1):(t + 1) * (k + 1)]
        steps = np.diff(pts, axis=0)
        assert ((~np.isclose(steps, 0)).sum(axis=1) == 1).all()  # exactly one factor per step
        assert np.allclose(np.abs(steps).sum(axis=1), delta)
        assert sorted(moved[t * (k + 1) + 1:(t + 1) * (k + 1)]) == list(range(k))  # each factor once


def test_morris_indices_recover_a_linear_model(base):
    """y = 10 a + 0 b: mu*(a) = 10 x the range width in unit levels (EE per whole range), mu*(b) = 0."""
    s = spec_of(base, sampler="morris", samples=6, levels=4, seed=1,
                parameters={"planner_share.cowos": {"dist": "uniform", "low": 0.2, "high": 0.6},
                            "planner_share.hbm": {"dist": "uniform", "low": 0.0, "high": 1.0}})
    d = design(s)
    y = pd.Series(10 * d["planner_share.cowos"].astype(float).to_numpy(), index=d["point"])
    mi = morris_indices(d, y).set_index("parameter")
    assert mi.at["planner_share.cowos", "mu_star"] == pytest.approx(10 * 0.4)
    assert mi.at["planner_share.cowos", "sigma"] == pytest.approx(0, abs=1e-9)
    assert mi.at["planner_share.hbm", "mu_star"] == pytest.approx(0)


# ----- bad specs ----------------------------------------------------------------------------------

BAD_SPECS = [
    ({"sampler": "lhs", "samples": 3, "parameters": {"planner_shar.cowos": {"values": [0.5]}}},
     "parameters.planner_shar.cowos", "did you mean 'planner_share.cowos'"),
    ({"sampler": "lhs", "samples": 3, "parameters": {"planner_share.cowos": {"dist": "weibull", "low": 0, "high": 1}}},
     "parameters.planner_share.cowos", "unknown distribution 'weibull'"),
    ({"sampler": "lhs", "samples": 3, "parameters": {"planner_share.cowos": {"dist": "uniform", "low": 0.7, "high": 0.6}}},
     "parameters.planner_share.cowos", "low 0.7 > high 0.6"),
    ({"sampler": "lhs", "samples": 3, "parameters": {"planner_share.cowos": {"dist": "uniform", "low": 0.2, "high": 1.6}}},
     "parameters.planner_share.cowos", "outside the valid range [0, 1]"),
    ({"sampler": "grid", "parameters": {"sites.*.pue": {"values": [0.9, 1.1]}}},
     "parameters.sites.*.pue", "outside the valid range [1, 3]"),
    ({"sampler": "lhs", "parameters": {"planner_share.cowos": {"dist": "uniform", "low": 0.2, "high": 0.6}}},
     "samples", "needs 'samples'"),
    ({"sampler": "grid", "parameters": {"planner_share.cowos": {"dist": "uniform", "low": 0.2, "high": 0.6}}},
     "parameters.planner_share.cowos", "grid sampler needs 'values"),
    ({"sampler": "list"}, "scenarios", "list sampler needs 'scenarios"),
    ({"sampler": "morris", "samples": 2, "levels": 3, "parameters": {"planner_share.cowos": {"values": [0.2, 0.4, 0.6]}}},
     "levels", "even number of levels"),
    ({"sampler": "sobol", "samples": 3}, "sampler", "unknown sampler 'sobol'"),
    ({"sampler": "lhs", "samples": 3, "parameters": {"sites.s9.pue": {"values": [1.1]}}},
     "parameters.sites.s9.pue", "no row of sites.csv has site=s9"),
    ({"sampler": "lhs", "samples": 3, "parameters": {"sites.*.pue": {"dist": "normal", "mean": 1.05, "sd": 0.1}}},
     "parameters.sites.*.pue", "outside the valid range"),
    ({"sampler": "lhs", "samples": 3, "parameters": {"planner_share.cowos": {"dist": "uniform", "low": 0.2}}},
     "parameters.planner_share.cowos", "uniform needs high"),
    ({"sampler": "lhs", "samples": 3, "parameters": {"lead_time_years.gas_turbine": {"dist": "uniform", "low": 1, "high": 3}}},
     "parameters.lead_time_years.gas_turbine", "takes whole numbers"),
    ({"sampler": "list", "scenarios": [{COWOS: 50}, {COWOS: -5}]}, "scenarios[1]", "outside the valid range"),
    ({"sampler": "lhs", "samples": 3, "parameters": {}, "kpis": ["cost", "vibes"]}, "kpis.1", "unknown KPI 'vibes'"),
]


@pytest.mark.parametrize(("data", "key", "message"), BAD_SPECS, ids=[b[2][:30] for b in BAD_SPECS])
def test_each_bad_spec_gets_an_error_naming_its_key(base, data, key, message):
    with pytest.raises(SpecError) as e:
        parse_spec({"name": "bad", **data}, base_scenario=base)
    hits = [p for p in e.value.problems if p.column == key and message in p.message]
    assert hits, [str(p) for p in e.value.problems]
    assert "problem(s) in the sweep spec" in str(e.value)


def test_cli_bad_spec_exits_1_naming_the_key_and_writes_nothing(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(yaml.safe_dump({"name": "bad", "sampler": "mc", "samples": 2,
                                    "parameters": {"planner_share.cowos": {"dist": "uniform", "low": 0.9, "high": 0.1}}}))
    r = CliRunner().invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "0"])
    assert r.exit_code == 1
    assert "column 'parameters.planner_share.cowos'" in r.output and "low 0.9 > high 0.1" in r.output
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_negative_recycle_after(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(yaml.safe_dump({"name": "neg", "sampler": "list", "scenarios": [{COWOS: 50}]}))
    r = CliRunner().invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "out"), "--recycle-after", "-1"])
    assert r.exit_code == 2 and "--recycle-after must be >= 0" in r.output
    assert not (tmp_path / "out").exists()


# ----- warm-start order -----------------------------------------------------------------------------

ORDER_PARAMS = {COWOS: {"dist": "uniform", "low": 20, "high": 200}, "planner_share.hbm": {"dist": "uniform", "low": 0.3, "high": 1.0},
                "sites.*.pue": {"dist": "normal", "mean": 1.2, "sd": 0.05, "low": 1.05, "high": 1.4},
                "horizon.end_year": {"values": [2026, 2027]}}  # the horizon changes the LP's structure: 2 groups


def test_tasks_run_along_a_nearest_neighbour_chain_within_each_structure_group(base):
    s = spec_of(base, sampler="lhs", samples=60, seed=5, parameters=ORDER_PARAMS)
    d, tasks = plan_tasks(s, base)
    groups = [t.group for t in tasks]
    firsts = [g for k, g in enumerate(groups) if k == 0 or g != groups[k - 1]]
    assert len(firsts) == 2 == len(set(firsts)), "each structure group is one contiguous block"
    assert sorted(t.key for t in tasks) == sorted(set(d["key"])), "every scenario once"
    again = [t.key for t in plan_tasks(s, base)[1]]
    assert again == [t.key for t in tasks], "deterministic"
    paths = [COWOS, "planner_share.hbm", "sites.*.pue", "horizon.end_year"]
    by_key = {k: i for i, k in enumerate(d["key"])}
    for g in firsts:
        chain = [t for t in tasks if t.group == g]
        design_order = sorted(chain, key=lambda t: by_key[t.key])
        x = task_coordinates(design_order, paths)
        assert x.shape == (len(chain), 3), "the horizon is constant within a group and left out"
        pos = {t.key: i for i, t in enumerate(design_order)}
        order = np.array([pos[t.key] for t in chain])
        assert step_distance(x, order) < 0.6 * step_distance(x), "the chain is much shorter than design order"
        centre = np.argmin(((x - x.mean(axis=0)) ** 2).sum(axis=1))
        assert order[0] == centre, "the chain starts nearest the group's centre"


def test_nearest_neighbour_chain_steps_to_the_nearest_unvisited_point():
    x = np.array([[0.0], [10.0], [4.0], [5.0], [7.0], [1.0]])  # centre 4.5: starts at 4 (first of the tie), then 5, 7, 10, 1, 0
    assert nearest_neighbour_chain(x).tolist() == [2, 3, 4, 1, 5, 0]
    assert step_distance(x, nearest_neighbour_chain(x)) == pytest.approx(1 + 2 + 3 + 9 + 1)


def test_coordinates_rank_numbers_categories_and_missing_values():
    from dcplan.sweeps.runner import Task

    ts = [Task("a", {"p": 1.0, "c": "x", "k": 3}), Task("b", {"p": 100.0, "k": 3}), Task("c", {"p": 10.0, "c": "y", "k": 3})]
    x = task_coordinates(ts, ["p", "c", "k", "absent"])
    np.testing.assert_allclose(x, [[0.0, 0.0], [1.0, 0.5], [0.5, 1.0]])  # ranks, not values; k and 'absent' add nothing


CAPEX = "capex_usd_per_wafer_year.cowos_expansion"
PROBE_GRID = {COWOS: {"values": [20, 50, 80, 95, 105, 120, 150, 180, 200]}, CAPEX: {"values": [5e8, 7.5e8, 1e9]}}
"""27 scenarios of the tiny case. By hand: GPUs = min(10 x wafers, 1,000), so the optimal basis differs
on either side of 100 wafers; expansion at $5e8+ a wafer-year (a wafer saves 10 x $9,000) is never built, so its cost moves no
basis. The central scenario is (105, 7.5e8): both paths' mean rank is 0.5."""


def test_probe_weighs_each_path_by_the_iterations_a_step_along_it_costs(base):
    d, tasks = plan_tasks(spec_of(base, sampler="grid", parameters=PROBE_GRID), base, order="design")
    pr = probe_design(tasks, swept_paths(d))
    assert pr.centre == pytest.approx({COWOS: 105, CAPEX: 7.5e8})
    # ranks: COWOS's 9 values 0, 1/8, ..., 1 (centre 0.5: the steps go to the nearest below 0.4, above
    # 0.6 and back); CAPEX's 3 values 0, 0.5, 1 (nothing within 0.1: the next value each way)
    assert pr.steps[COWOS] == pytest.approx([(95, 0.125), (120, 0.25), (105, 0.125)])
    assert pr.steps[CAPEX] == pytest.approx([(5e8, 0.5), (1e9, 1.0), (7.5e8, 0.5)])
    clear_plans()
    costs = probe_costs(base, pr.centre, pr.steps, {})
    # COWOS: 105 -> 95 -> 120 -> 105 crosses 100 wafers twice (>= 1 pivot each); the capex path
    # only changes the cost of a column at zero with a positive reduced cost: no pivot
    assert costs[COWOS][0] >= 2 and costs[COWOS][1] == pytest.approx(0.5)
    assert costs[CAPEX] == (0, pytest.approx(2.0))
    info = weights_from(costs)
    assert info.order == "probe" and info.weights == {COWOS: 1.0, CAPEX: WEIGHT_FLOOR}
    assert weights_from({**costs, CAPEX: None}).weights[CAPEX] == 1.0, "a failed path is kept close"
    assert weights_from({COWOS: (0, 0.5), CAPEX: (0, 2.0)}).order == "chain", "nothing to weigh"


def test_a_heavy_weight_keeps_its_path_close_along_the_chain():
    x = lhs_unit(2, 60, seed=4)
    moved = {w: np.abs(np.diff(x[nearest_neighbour_chain(x * [w, 1.0]), 0])).sum() for w in (1.0, 20.0)}
    assert moved[20.0] < 0.5 * moved[1.0]


def test_the_order_changes_no_answer_and_the_run_log_records_it(base, tmp_path, monkeypatch):
    import dcplan.sweeps.order as order

    s = spec_of(base, sampler="grid", parameters=PROBE_GRID)  # 27 scenarios, one structure group
    assert order.PROBE_MIN_SCENARIOS > 27
    monkeypatch.setattr(order, "PROBE_MIN_SCENARIOS", 27)  # probe this small sweep: 'auto' does on larger groups
    objectives, runs = {}, {}
    for label, how, workers in (("auto", "auto", 0), ("design", "design", 0), ("auto-dask", "auto", 2)):
        clear_plans()
        run_sweep(s, tmp_path / label, workers=workers, base_scenario=base, order=how, recycle_after=None)
        objectives[label] = load(tmp_path / label).parameters.set_index("key")["objective_usd"].sort_index()
        runs[label] = json.loads((tmp_path / label / "sweep.json").read_text())["runs"][-1]
    assert [runs[k]["order"] for k in runs] == ["probe", "design", "probe"]
    # the probe ran on the two workers (one path each) and found what it finds in-process
    assert runs["auto-dask"]["order_weights"] == runs["auto"]["order_weights"] == {COWOS: 1.0, CAPEX: WEIGHT_FLOOR}
    for label in ("auto", "auto-dask"):
        pd.testing.assert_series_equal(objectives[label], objectives["design"], rtol=1e-9)
    wafers = load(tmp_path / "design").parameters.set_index("key")[COWOS].astype(float)
    for k, obj in objectives["design"].items():
        assert obj == pytest.approx(cost(wafers[k]), rel=1e-9)
    with pytest.raises(ValueError, match="order must be one of"):
        run_sweep(s, tmp_path / "bad", workers=0, base_scenario=base, order="random")


def test_segments_split_the_chain_into_contiguous_stretches():
    assert segments(7, 2) == [(0, 4), (4, 7)]
    assert segments(2, 3) == [(0, 1), (1, 2)]
    assert segments(0, 2) == [(0, 0)]


def test_a_worker_done_with_its_stretch_takes_the_back_half_of_the_longest_rest():
    from collections import deque

    a, b, c = _Lane("a", 0), _Lane("b", 1, deque(range(10, 17))), _Lane("c", 2, deque(range(20, 23)))
    assert steal([a, b, c], a)
    assert list(b.queue) == [10, 11, 12, 13] and list(a.queue) == [14, 15, 16], "b keeps its front, a walks the back half in order"
    a.queue.clear()
    assert not steal([a, b, c], a, least=5), "b's 4 left and c's 3 are below the threshold: each finishes its own"
    assert list(b.queue) == [10, 11, 12, 13] and list(c.queue) == [20, 21, 22]
    assert not steal([a], a)


# ----- plan cost by year in the key figures (the sweep's cost fan chart) ------------------------------


def _plan_cost_by_year(res) -> pd.Series:
    """The full Results' costs table by year, without the unserved-demand categories."""
    from dcplan.model.registry import is_penalty

    c = res.costs
    return c[~c["category"].map(is_penalty).astype(bool)].groupby("year")["cost_pv_usd"].sum()


def test_key_figures_plan_cost_by_year_hand_worked():
    """Tiny case over 2026-2028 at a 10% discount rate with a 3-year GPU life: 1,000 GPUs ship in
    2026 and pay $1,000 x CRF = $365.56 at the start of each of 3 years (annuity due: CRF =
    r / ((1 + r)(1 - (1 + r)^-3))); by year PV $365,559, $332,326, $302,115 (= $1.0M in total);
    nothing is unserved."""
    from dcplan import Plan

    plan = Plan(tiny({"horizon.end_year": 2028, "discount_rate": 0.1, "gpus.g1.lifetime_years": 3}))
    kf = plan.solve(results="key")
    crf = 0.1 / (1.1 * (1 - 1.1 ** -3))
    want = {y: 1000 * 1000 * crf * 1.1 ** -(y - 2026) for y in (2026, 2027, 2028)}
    assert kf.plan_cost_pv_usd == pytest.approx(want, rel=1e-9)
    assert sum(kf.plan_cost_pv_usd.values()) == pytest.approx(kf.plan_cost_usd, rel=1e-12) == pytest.approx(1e6, rel=1e-9)
    by_year = _plan_cost_by_year(plan.results())
    assert by_year.to_dict() == pytest.approx(kf.plan_cost_pv_usd, rel=1e-9)


@pytest.mark.parametrize("case", ["tiny", "default"])
def test_key_figures_plan_cost_by_year_matches_the_costs_table(case):
    from dcplan import Plan
    from dcplan.scenario.load import load_scenario

    scn = tiny({"supply.2026.hbm_stacks_per_year": 600, "regions.TX.power_price_usd_per_mwh": 10}) if case == "tiny" else load_scenario()
    plan = Plan(scn)
    kf = plan.solve(results="key")
    by_year = _plan_cost_by_year(plan.results()).reindex(list(kf.plan_cost_pv_usd), fill_value=0.0)
    assert set(by_year.index) == set(kf.plan_cost_pv_usd)
    np.testing.assert_allclose(list(kf.plan_cost_pv_usd.values()), by_year.to_numpy(), rtol=1e-9, atol=1e-3)
    assert sum(kf.plan_cost_pv_usd.values()) == pytest.approx(kf.plan_cost_usd, rel=1e-9)
    if case == "tiny":  # 600 GPUs ($600k) drawing 5.256 GWh at $10/MWh ($52,560), all in 2026
        assert kf.plan_cost_pv_usd == pytest.approx({2026: 652_560})


# ----- running ------------------------------------------------------------------------------------

LIST = [
    {COWOS: 50},                                       # 500 GPUs ship: $5.5M
    {COWOS: 80},                                       # 800: $2.8M
    {"gpus.g1.first_year": 2031},                      # invalid: ships after its last year (2030)
    {COWOS: 50, "demand.hard_target": 1, "horizon.end_year": 2027,  # infeasible: 1,000 H100e required in 2026,
     "lead_time_years.cowos_expansion": 1, "lead_time_years.hbm_expansion": 1},  # 500 can ship (tests/test_diagnose.py)
    {COWOS: 200},                                      # all 1,000 ship: $1M
]


@pytest.fixture(scope="module")
def list_sweep(base, tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "list"
    clear_plans()
    res = run_sweep(spec_of(base, sampler="list", scenarios=LIST), out, workers=0, base_scenario=base)
    return out, res


def test_failures_mid_sweep_are_recorded_and_the_sweep_completes(list_sweep):
    out, res = list_sweep
    assert res.done == 5 and res.statuses == {"optimal": 3, "invalid": 1, "infeasible": 1}
    p = load(out).parameters.set_index("point")
    assert list(p["status"]) == ["optimal", "optimal", "invalid", "infeasible", "optimal"]
    assert "first_year 2031 is after last_year 2030" in p.at[2, "reason"]
    assert "demand" in p.at[3, "reason"].lower() and "nfeasible" in p.at[3, "reason"]
    assert p.at[4, "objective_usd"] == pytest.approx(cost(200))


def test_load_gives_tidy_parameters_and_kpis(list_sweep):
    out, _ = list_sweep
    data = load(out)
    assert list(data.parameters["point"]) == [0, 1, 2, 3, 4]
    k = data.kpis.set_index(["point", "kpi", "item", "year"])["value"]
    assert k[0, "objective_usd", "", -1] == pytest.approx(cost(50))
    assert k[1, "objective_usd", "", -1] == pytest.approx(cost(80))
    assert k[0, "online_h100e", "", 2026] == pytest.approx(500)
    assert k[0, "unmet_h100e", "", 2026] == pytest.approx(500)
    assert k[0, "unserved_cost_usd", "", -1] == pytest.approx(5_000_000)  # 500 unmet x $10,000
    assert k[0, "plan_cost_usd", "", -1] == pytest.approx(500_000)
    assert k[0, "binding", "cowos_supply", 2026] == 1 and k[4, "binding", "cowos_supply", 2026] == 0
    assert k[0, "shadow_price_usd_per_unit", "cowos_supply", 2026] == pytest.approx(90_000)  # 10 GPUs x $9k saved
    assert set(data.kpis.loc[data.kpis["point"].isin([2, 3]), "kpi"]) == set()  # failures carry no KPIs
    assert (data.kpis["status"] == "optimal").all()


def test_rerun_skips_finished_scenarios(base, list_sweep):
    out, _ = list_sweep
    again = run_sweep(spec_of(base, sampler="list", scenarios=LIST), out, workers=0, base_scenario=base)
    assert again.done == 0 and again.skipped == 5


def test_a_folder_with_another_sweep_is_refused(base, list_sweep):
    out, _ = list_sweep
    with pytest.raises(Exception, match="different spec"):
        run_sweep(spec_of(base, sampler="list", scenarios=LIST[:2]), out, workers=0, base_scenario=base)


def test_in_process_and_local_cluster_give_identical_answers(base, tmp_path):
    s = spec_of(base, sampler="grid", parameters={COWOS: {"values": [40, 70, 120]}, "planner_share.hbm": {"values": [0.5, 1.0]}})
    clear_plans()
    run_sweep(s, tmp_path / "inproc", workers=0, base_scenario=base)
    run_sweep(s, tmp_path / "dask", workers=2, base_scenario=base)
    a = load(tmp_path / "inproc").parameters.set_index("point")
    b = load(tmp_path / "dask").parameters.set_index("point")
    workers = pd.concat([pd.read_parquet(f) for f in (tmp_path / "dask" / "scenarios").glob("*.parquet")])["worker"]
    assert workers.nunique() == 2, "each of the 2 workers walks its own stretch of the chain"
    assert load(tmp_path / "dask").meta["runs"][-1]["restarts"] == 0, "6 scenarios: fewer than RECYCLE_AFTER"
    assert (a["status"] == "optimal").all() and (b["status"] == "optimal").all()
    np.testing.assert_allclose(b["objective_usd"], a["objective_usd"], rtol=1e-9)
    np.testing.assert_allclose(a["objective_usd"], [cost(w) for w in a[COWOS]], rtol=1e-9)
    ka = load(tmp_path / "inproc").kpis.set_index(["point", "kpi", "item", "year"])["value"]
    kb = load(tmp_path / "dask").kpis.set_index(["point", "kpi", "item", "year"])["value"]
    np.testing.assert_allclose(kb.reindex(ka.index), ka, rtol=1e-9, atol=1e-6)


def test_recycled_workers_run_on_fresh_processes_and_give_the_same_answers(base, tmp_path):
    """recycle_after=2 on 2 workers, 10 scenarios: each worker restarted after every 2 it finishes
    (a stretch of 5 each, rebalanced when one ends first), each fresh process rebuilding its Plan once."""
    wafers = [20, 35, 50, 65, 80, 95, 110, 125, 140, 155]
    s = spec_of(base, sampler="grid", parameters={COWOS: {"values": wafers}})
    clear_plans()
    run_sweep(s, tmp_path / "inproc", workers=0, base_scenario=base)
    res = run_sweep(s, tmp_path / "dask", workers=2, base_scenario=base, recycle_after=2)
    a = load(tmp_path / "inproc").parameters.set_index("point")
    data = load(tmp_path / "dask")
    b = data.parameters.set_index("point")
    sc = pd.concat([pd.read_parquet(f) for f in (tmp_path / "dask" / "scenarios").glob("*.parquet")], ignore_index=True)
    assert len(sc) == len(wafers) == res.done and sc["key"].is_unique and set(sc["key"]) == set(b["key"]), "each scenario once"
    assert (b["status"] == "optimal").all()
    np.testing.assert_allclose(b["objective_usd"], a["objective_usd"], rtol=1e-9)
    np.testing.assert_allclose(b["objective_usd"], [cost(w) for w in wafers], rtol=1e-9)
    per_process = sc.groupby("worker").size()
    assert per_process.max() <= 2, "no process solves more than recycle_after scenarios"
    assert sc["worker"].nunique() >= 5, "10 scenarios, 2 a process"
    assert res.restarts == sc["worker"].nunique() - 2, "every process but the first two comes from a restart"
    assert {k: data.meta["runs"][-1][k] for k in ("recycle_after", "restarts")} == {"recycle_after": 2, "restarts": res.restarts}
    assert data.meta["runs"][-1]["restart_seconds"] > 0
    assert set(sc["worker_name"]) == {"0", "1"} and (sc["rss_mb"] > 0).all()
    assert (sc.groupby("worker")["rebuilt"].sum() == 1).all(), "each fresh process builds its Plan once, then re-solves"


def _tiny_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, df in tiny_tables().items():
        df.to_csv(folder / f"{name}.csv", index=False)
    (folder / "scenario.yaml").write_text("name: tiny\n")
    return folder


def _start_and_stop(cmd, env, out: Path, sig: int, at_least: int) -> set[str]:
    """Run the sweep command, send `sig` once `at_least` scenarios are stored; the keys stored."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 240
    while time.time() < deadline and len(list((out / "scenarios").glob("*.parquet"))) < at_least and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    if sig == signal.SIGINT:
        assert proc.returncode == 130, stderr
        assert "run the same command again" in stderr
    return {p.stem for p in (out / "scenarios").glob("*.parquet")}


def test_ctrl_c_then_sigkill_mid_sweep_then_rerun_finishes_each_scenario_exactly_once(tmp_path):
    base_dir = _tiny_folder(tmp_path / "tiny")
    spec = tmp_path / "spec.yaml"
    wafers = list(range(10, 130, 2))  # 60 scenarios: enough that a loaded machine cannot finish before the signal
    n = len(wafers)
    spec.write_text(yaml.safe_dump({"name": "kill", "base": str(base_dir), "sampler": "grid", "kpis": ["cost"],
                                    "parameters": {COWOS: {"values": wafers}}}))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "dcplan", "sweep", str(spec), "--out", str(out), "--workers", "0"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    after_int = _start_and_stop(cmd, env, out, signal.SIGINT, 2)
    assert 2 <= len(after_int) < n, "Ctrl-C should stop the sweep part way"
    assert load(out).meta["runs"][-1]["interrupted"] is True
    after_kill = _start_and_stop(cmd, env, out, signal.SIGKILL, len(after_int) + 2)
    assert after_int < after_kill and len(after_kill) < n, "the sweep should be killed part way"
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=400)
    assert r.returncode == 0, r.stderr
    assert "Running HiGHS" not in r.stdout and r.stdout.startswith("sweep 'kill'"), r.stdout  # stdout: the summary only
    data = load(out)
    assert len(data.parameters) == n and (data.parameters["status"] == "optimal").all()
    assert data.parameters["key"].is_unique
    assert sorted(p.stem for p in (out / "scenarios").glob("*.parquet")) == sorted(data.parameters["key"])
    runs = data.meta["runs"]  # the killed run never logged itself; the last one solved only what was missing
    assert len(runs) == 2 and runs[-1]["todo"] == n - len(after_kill) == runs[-1]["done"]
    np.testing.assert_allclose(data.parameters["objective_usd"], [cost(w) for w in data.parameters[COWOS]], rtol=1e-9)
    objs = data.kpis[data.kpis["kpi"] == "objective_usd"]
    assert objs["point"].is_unique and len(objs) == n


def test_sweep_on_workers_prints_only_its_summary_to_stdout_and_records_the_run(tmp_path):
    """`dcplan sweep ... --recycle-after 1 > out.txt` on 2 workers: HiGHS's banner (printed by each
    worker process, restarted ones too, and by the driver's version probe) goes to stderr; sweep.json
    is the run record plus the sweep, and its run says each worker was restarted once."""
    base_dir = _tiny_folder(tmp_path / "tiny")
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"name": "quiet", "base": str(base_dir), "sampler": "grid", "kpis": ["cost"],
                                    "parameters": {COWOS: {"values": [40, 80, 120, 160]}}}))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    with open(tmp_path / "stdout.txt", "w") as f:
        r = subprocess.run([sys.executable, "-m", "dcplan", "sweep", str(spec), "--out", str(out), "--workers", "2", "--recycle-after", "1"],
                           env=env, stdout=f, stderr=subprocess.PIPE, text=True, timeout=400)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "stdout.txt").read_text()
    assert "Running HiGHS" not in text, text
    assert text.startswith("sweep 'quiet': 4 scenarios solved") and "; 2 worker restarts;" in text, text
    meta = load(out).meta
    assert {k: meta["runs"][-1][k] for k in ("recycle_after", "restarts")} == {"recycle_after": 1, "restarts": 2}
    from dcplan.results.record import versions

    assert {k: meta["versions"][k] for k in ("dcplan", "highs", "pyomo")} == {k: versions()[k] for k in ("dcplan", "highs", "pyomo")}
    assert meta["solver_options"] == {"threads": 1} and meta["record_version"] == 1
    assert meta["scenario"]["folder"] == str(base_dir.resolve())
    assert set(meta["inputs"]) == {str((base_dir / n).resolve()) for n in ("scenario.yaml", *(f"{t}.csv" for t in tiny_tables()))}
    np.testing.assert_allclose(load(out).parameters["objective_usd"], [cost(w) for w in (40, 80, 120, 160)], rtol=1e-9)


# ----- the sweep report -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_sweep(tmp_path_factory):
    """A 12-scenario LHS of the tiny case over 2026-2028 (5% discount rate, 3-year GPU life)."""
    base3 = tiny({"horizon.end_year": 2028, "discount_rate": 0.05, "gpus.g1.lifetime_years": 3})
    out = tmp_path_factory.mktemp("report") / "sweep"
    s = parse_spec({"name": "report", "sampler": "lhs", "samples": 12, "seed": 3,
                    "parameters": {COWOS: {"dist": "uniform", "low": 20, "high": 200},
                                   "planner_share.hbm": {"dist": "uniform", "low": 0.5, "high": 1.0}}}, base_scenario=base3)
    clear_plans()
    run_sweep(s, out, workers=0, base_scenario=base3)
    return out


def test_the_report_fans_plan_cost_by_year(report_sweep):
    from dcplan.sweeps.report import fan_figure, fan_table

    data = load(report_sweep)
    t = fan_table(data, "plan_cost_pv_usd").set_index("year")
    assert list(t.index) == [2026, 2027, 2028]
    k = data.kpis
    per_year = k[k["kpi"] == "plan_cost_pv_usd"].groupby("point")["value"].sum()
    total = k[k["kpi"] == "plan_cost_usd"].set_index("point")["value"]
    np.testing.assert_allclose(per_year.reindex(total.index), total, rtol=1e-9)
    # GPUs shipped in 2026 pay an equal annuity in each year: PV falls by 1.05 a year
    assert t.loc[2027, "p50"] == pytest.approx(t.loc[2026, "p50"] / 1.05, rel=1e-9)
    fig = fan_figure(data)
    assert any("plan cost" in ax.get_title() for ax in fig.axes)


def test_sweep_report_renders_in_chromium(report_sweep, tmp_path):
    from test_reports import _chromium_cmd

    from dcplan.sweeps.report import write_sweep_report

    page = write_sweep_report(report_sweep, tmp_path / "report.html")
    r = subprocess.run(_chromium_cmd(tmp_path, "sweep") + ["--enable-logging=stderr", "--v=0", "--dump-dom", page.resolve().as_uri()],
                       check=False, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-3000:]
    errors = [ln for ln in r.stderr.splitlines() if ("CONSOLE" in ln and any(w in ln for w in ("Uncaught", "Error", "Failed")))
              or "net::ERR_" in ln]
    assert not errors, "\n".join(errors)
    dom = r.stdout
    for section in ("summary", "tornado", "fans", "binding", "extremes"):
        assert f'id="{section}"' in dom, section
    assert dom.count("data:image/png;base64,") >= 4
    assert (tmp_path / "report_png" / "fans.png").is_file()


def test_a_worker_variant_equals_applying_every_override_at_once():
    """`runner._variant` applies the overrides that need the full validation path (here a lead
    time) once, keeps that scenario, and puts the rest (a share, a column of cells, a capex) on top
    by the fast path: the same params, overrides and tables as `with_overrides` of them all; an
    invalid value gets every problem, as all at once."""
    from dcplan.errors import InputError
    from dcplan.scenario.load import full_path_overrides, load_scenario
    from dcplan.sweeps.runner import _MIDS, _variant

    default = load_scenario()
    lead = "power_technologies.gas_cc.lead_time_years"
    over = {lead: 6, "sites.*.pue": 1.25, "planner_share.cowos": 0.5, "power_technologies.gas_sc.capex_usd_per_kw": 2000.0}
    assert full_path_overrides(default, over) == {lead: 6}
    clear_plans()
    for share in (0.5, 0.55):  # the second reuses the kept scenario with the lead time
        o = {**over, "planner_share.cowos": share}
        got, want = _variant(default, o), default.with_overrides(o)
        assert dict(got.params) == dict(want.params) and dict(got.overrides) == dict(want.overrides)
        assert got.tables.keys() == want.tables.keys()
        for name in want.tables:
            pd.testing.assert_frame_equal(got.tables[name].reset_index(drop=True), want.tables[name].reset_index(drop=True))
        assert got.lead_time("gas_cc") == 6 and (got.sites["pue"] == 1.25).all()
    assert len(_MIDS) == 1, "one kept scenario for the one lead-time value"
    bad = {**over, "sites.*.pue": 0.5, lead: -1}
    with pytest.raises(InputError) as at_once:
        default.with_overrides(bad)
    with pytest.raises(InputError) as split:
        _variant(default, bad)
    assert [str(p) for p in split.value.problems] == [str(p) for p in at_once.value.problems]
    assert len(at_once.value.problems) >= 2
    clear_plans()
