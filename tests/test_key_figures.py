"""Key figures read from HiGHS's arrays agree with the full Results tables, and pickle."""

from __future__ import annotations

import pickle

import pytest
from test_resolve_property import base_tables
from tiny import tiny

from dcplan import Plan, scenario_from_tables
from dcplan.model.registry import ROW_FAMILIES
from dcplan.results.shadow_prices import annual


@pytest.fixture(scope="module")
def solved():
    plan = Plan(scenario_from_tables(base_tables(), name="base"))
    res = plan.solve()
    return plan, res, plan.key_figures()


def test_hand_worked_tiny_key_figures():
    """Tiny case with 600 HBM stacks and power at $10/MWh: 600 GPUs ship ($600k) and draw
    0.6 MW x 8,760 h = 5.256 GWh ($52,560): plan cost $652,560; 400 H100e unmet at $10,000 ($4.0M
    unserved). HBM binds at $10,000 - $1,000 - 8.76 MWh x $10 = $8,912.40 per stack (a stack
    turns an unmet H100e into a GPU that pays for its power)."""
    over = {"supply.2026.hbm_stacks_per_year": 600, "regions.TX.power_price_usd_per_mwh": 10, "capex_usd_per_kw.shell": 100}
    kf = Plan(tiny(over)).solve(results="key")
    assert kf.objective_usd == pytest.approx(4_652_560)
    assert kf.plan_cost_usd == pytest.approx(652_560)
    assert kf.unserved_cost_usd == pytest.approx(4_000_000)
    assert kf.compute_online_h100e[2026] == pytest.approx(600)
    assert kf.unmet_h100e[2026] == pytest.approx(400)
    assert kf.energy_twh[2026] == pytest.approx(0.6 * 8760 / 1e6)
    assert kf.shadow_prices["hbm_supply"][2026] == pytest.approx(8_912.40)
    assert "hbm_supply" in kf.binding[2026] and "cowos_supply" not in kf.binding[2026]
    assert "power_balance" not in kf.binding[2026]  # a balance prices power; it is not a limit
    assert "gpu_in_use_upper" not in kf.binding[2026]  # definitional
    assert kf.mw_online["shell"][2026] == pytest.approx(10_000)  # the pipeline; new shells cost $100/kW and are not needed


def test_key_figures_match_the_results_tables(solved):
    _, res, kf = solved
    assert kf.objective_usd == pytest.approx(res.objective_usd, rel=1e-12)
    c = res.compute.set_index("year")
    for y in c.index:
        assert kf.compute_online_h100e[y] == pytest.approx(c.loc[y, "online_h100e"], rel=1e-9, abs=1e-9)
        assert kf.unmet_h100e[y] == pytest.approx(c.loc[y, "unmet_h100e"], rel=1e-9, abs=1e-9)
        assert kf.demand_h100e[y] == pytest.approx(c.loc[y, "demand_h100e"])
    cap = res.capacity.groupby(["asset", "year"])["online"].sum()
    for (a, y), v in cap.items():
        assert kf.mw_online[a][y] == pytest.approx(v, rel=1e-9, abs=1e-9)
    energy = res.power.groupby("year")["energy_mwh"].sum() / 1e6
    for y, v in energy.items():
        assert kf.energy_twh[y] == pytest.approx(v, rel=1e-9, abs=1e-12)
    unserved = res.costs[res.costs["category"].isin(["unmet_demand_penalty", "unmet_training_penalty"])]["cost_pv_usd"].sum()
    assert kf.unserved_cost_usd == pytest.approx(unserved, rel=1e-9, abs=1e-6)
    sp = annual(res.shadow_prices)
    sp = sp[sp["year"].notna()]
    best = sp.groupby(["family", "year"])["shadow_price_usd_per_unit"].max()
    for (f, y), v in best.items():
        assert kf.shadow_prices[f][int(y)] == pytest.approx(v, rel=1e-9, abs=1e-6), (f, y)
    binding = sp[sp["binding"] & sp["family"].map(lambda f: f not in ROW_FAMILIES or ROW_FAMILIES[f].is_limit)]
    for y, g in binding.groupby("year"):
        assert set(kf.binding[int(y)]) == set(g["family"])
    assert any(kf.binding.values())


def test_key_figures_pickle_and_flatten(solved):
    _, _, kf = solved
    again = pickle.loads(pickle.dumps(kf))
    assert again == kf
    row = kf.flat()
    assert row["objective_usd"] == kf.objective_usd and f"compute_online_h100e.{min(kf.compute_online_h100e)}" in row


def test_resolve_with_key_figures_equals_full_resolve():
    plan = Plan(scenario_from_tables(base_tables(), name="base"))
    plan.solve(results="key")
    kf = plan.resolve(scenario_from_tables(base_tables(), name="v", overrides={"planner_share.cowos": 0.6}), results="key")
    assert kf.solver["warm_started"] and not kf.solver["rebuilt"]
    full = plan.results()
    assert kf.objective_usd == pytest.approx(full.objective_usd, rel=1e-12)
    fresh = Plan(scenario_from_tables(base_tables(), name="f", overrides={"planner_share.cowos": 0.6})).solve(results="key")
    assert kf.objective_usd == pytest.approx(fresh.objective_usd, rel=1e-9)
