"""Hand-worked tiny cases, one or more per constraint family (see docs/formulation.md).

Unless a test says otherwise the tiny base case (tests/tiny.py) holds: one year (2026), zero
discount rate, one GPU generation g1 = 1 H100e at 1 kW IT, 1 HBM stack, 10 per CoWoS wafer,
$1,000 with a 1-year life (so $1,000 per GPU-year), PUE 1, demand 1,000 H100e, unmet penalty
$10,000 per H100e-year, every other cost zero, every limit far away. Each GPU that replaces an
unmet H100e therefore saves 10,000 - 1,000 = $9,000.
"""

from __future__ import annotations

import pytest
from helpers import cost, online, shadow
from tiny import tiny

from dcplan import Plan

REL = 1e-6


def solve(overrides=None, **kw):
    return Plan(tiny(overrides, **kw)).solve()


def test_base_case_meets_demand_at_gpu_cost():
    """1,000 GPUs x $1,000 = $1,000,000; nothing unmet; demand's dual = marginal GPU-year $1,000."""
    res = solve()
    assert res.status == "Optimal"
    assert res.objective_usd == pytest.approx(1_000_000, rel=REL)
    assert res.compute["online_h100e"].iloc[0] == pytest.approx(1000)
    assert res.compute["unmet_h100e"].iloc[0] == pytest.approx(0, abs=1e-6)
    assert res.compute["online_flops_per_s"].iloc[0] == pytest.approx(1000 * 0.989e15)
    assert shadow(res, "demand_balance", 2026)["shadow_price_usd_per_unit"] == pytest.approx(1000)


# ---------------------------------------------------------------------------------- C1 CoWoS
def test_cowos_binds_and_its_shadow_price():
    """50 wafers x 10 GPUs/wafer = 500 GPUs; 500 H100e unmet.
    Cost = 500 x $1,000 + 500 x $10,000 = $5,500,000.
    One more wafer = 10 more GPUs, each saving $9,000: shadow price $90,000 per wafer."""
    res = solve({"supply.2026.cowos_wafers_per_year": 50})
    assert res.objective_usd == pytest.approx(5_500_000, rel=REL)
    assert res.gpus["shipped"].sum() == pytest.approx(500)
    assert res.supply_chain["cowos_wafers_used"].iloc[0] == pytest.approx(50)
    row = shadow(res, "cowos_supply", 2026)
    assert row["binding"]
    assert row["shadow_price_usd_per_unit"] == pytest.approx(90_000, rel=REL)
    assert row["unit"] == "wafer"


def test_cowos_slack_when_cap_raised():
    """200 wafers allow 2,000 GPUs > 1,000 needed: cost back to $1,000,000, shadow price 0."""
    res = solve({"supply.2026.cowos_wafers_per_year": 200})
    assert res.objective_usd == pytest.approx(1_000_000, rel=REL)
    row = shadow(res, "cowos_supply", 2026)
    assert not row["binding"]
    assert row["shadow_price_usd_per_unit"] == pytest.approx(0, abs=1e-6)


def test_planner_share_scales_cowos():
    """Share 0.5 of 100 wafers = 50 wafers: the same optimum as a 50-wafer cap."""
    res = solve({"supply.2026.cowos_wafers_per_year": 100, "planner_share.cowos": 0.5})
    assert res.objective_usd == pytest.approx(5_500_000, rel=REL)


def test_cowos_expansion_bought_when_worth_it():
    """Expansion at $20,000 per wafer/yr, life 10, r = 0 -> $2,000 per wafer-year, lead 0.
    A wafer of expansion saves 10 x $9,000 = $90,000 > $2,000, so buy 50 wafers of it:
    cost = 1,000 x $1,000 + 50 x $2,000 = $1,100,000; the cap's shadow price = $2,000/wafer."""
    res = solve({"supply.2026.cowos_wafers_per_year": 50, "capex_usd_per_wafer_year.cowos_expansion": 20_000})
    assert res.objective_usd == pytest.approx(1_100_000, rel=REL)
    assert res.supply_chain["cowos_wafers_expansion"].iloc[0] == pytest.approx(50)
    assert shadow(res, "cowos_supply", 2026)["shadow_price_usd_per_unit"] == pytest.approx(2_000, rel=REL)


# ---------------------------------------------------------------------------------- C2 HBM
def test_hbm_binds_and_its_shadow_price():
    """2 stacks per GPU, 600 stacks -> 300 GPUs, 700 H100e unmet.
    Cost = 300 x $1,000 + 700 x $10,000 = $7,300,000. One more stack = half a GPU:
    shadow price $9,000 / 2 = $4,500 per stack."""
    res = solve({"gpus.g1.hbm_stacks_per_gpu": 2, "supply.2026.hbm_stacks_per_year": 600})
    assert res.objective_usd == pytest.approx(7_300_000, rel=REL)
    row = shadow(res, "hbm_supply", 2026)
    assert row["binding"] and row["unit"] == "stack"
    assert row["shadow_price_usd_per_unit"] == pytest.approx(4_500, rel=REL)
    slack = solve({"gpus.g1.hbm_stacks_per_gpu": 2, "supply.2026.hbm_stacks_per_year": 5000})
    assert shadow(slack, "hbm_supply", 2026)["shadow_price_usd_per_unit"] == pytest.approx(0, abs=1e-6)


# ---------------------------------------------------------------------------------- T1-T2 transformers
def test_transformer_deliveries_bind():
    """No transformer pipeline; 0.4 MVA delivered, 1 MVA per MW -> 0.4 MW of grid -> 400 GPUs.
    Transformers cost $100/kVA = $100,000/MVA over 10 years (r = 0): $10,000 per MVA-year.
    Cost = 400 x $1,000 + 0.4 x $10,000 + 600 x $10,000 = $6,404,000.
    One more MVA powers 1,000 more GPUs: 1,000 x $9,000 - $10,000 = $8,990,000 per MVA."""
    res = solve(
        {"supply.2026.transformer_mva_per_year": 0.4, "capex_usd_per_kva.transformer": 100},
        drop_pipeline=("transformer",),
    )
    assert res.objective_usd == pytest.approx(6_404_000, rel=REL)
    assert online(res, "transformer", "s1", 2026) == pytest.approx(0.4)
    row = shadow(res, "transformer_supply", 2026)
    assert row["binding"] and row["unit"] == "MVA"
    assert row["shadow_price_usd_per_unit"] == pytest.approx(8_990_000, rel=REL)
    slack = solve({"supply.2026.transformer_mva_per_year": 5, "capex_usd_per_kva.transformer": 100}, drop_pipeline=("transformer",))
    assert slack.objective_usd == pytest.approx(1_000_000 + 1 * 10_000, rel=REL)
    assert shadow(slack, "transformer_supply", 2026)["shadow_price_usd_per_unit"] == pytest.approx(0, abs=1e-6)


# ------------------------------------------------- U1 turbines (the legacy one-technology gas turbine)
def test_turbine_deliveries_bind():
    """No grid at the site; on-site gas (up to 100 MW) only, 0.3 MW delivered -> 300 GPUs.
    Turbines $200/kW = $200,000/MW over 10 years: $20,000 per MW-year; fuel free here.
    Cost = 300 x $1,000 + 0.3 x $20,000 + 700 x $10,000 = $7,306,000.
    Shadow price = 1,000 x $9,000 - $20,000 = $8,980,000 per MW."""
    res = solve(
        {"sites.s1.max_grid_mw": 0, "sites.s1.max_onsite_gas_mw": 100, "supply.2026.gas_turbine_mw_per_year": 0.3, "capex_usd_per_kw.gas_turbine": 200},
        drop_pipeline=("grid_interconnection",),
    )
    assert res.objective_usd == pytest.approx(7_306_000, rel=REL)
    assert res.power["gas_mw"].sum() == pytest.approx(0.3)
    row = shadow(res, "power_delivery", 2026, asset="gas_turbine")
    assert row["binding"]
    assert row["shadow_price_usd_per_unit"] == pytest.approx(8_980_000, rel=REL)
    # raised to 5 MW: 1 MW of turbines ($20,000) powers all 1,000 GPUs, shadow price 0
    slack = solve(
        {"sites.s1.max_grid_mw": 0, "sites.s1.max_onsite_gas_mw": 100, "supply.2026.gas_turbine_mw_per_year": 5,
         "capex_usd_per_kw.gas_turbine": 200},
        drop_pipeline=("grid_interconnection",),
    )
    assert slack.objective_usd == pytest.approx(1_020_000, rel=REL)
    assert shadow(slack, "power_delivery", 2026, asset="gas_turbine")["shadow_price_usd_per_unit"] == pytest.approx(0, abs=1e-6)


def test_turbine_fuel_cost():
    """Heat rate 9 MMBtu/MWh x $3/MMBtu + $5/MWh VOM = $32/MWh; 1 MW x 8,760 h = $280,320."""
    res = solve(
        {"sites.s1.max_grid_mw": 0, "sites.s1.max_onsite_gas_mw": 100, "gas_turbine.heat_rate_mmbtu_per_mwh": 9, "regions.TX.gas_price_usd_per_mmbtu": 3,
         "gas_turbine.variable_om_usd_per_mwh": 5},
        drop_pipeline=("grid_interconnection",),
    )
    assert cost(res, "power_fuel_and_vom") == pytest.approx(280_320, rel=REL)
    assert res.objective_usd == pytest.approx(1_000_000 + 280_320, rel=REL)


# ---------------------------------------------------------------------------------- I1 interconnection
def test_interconnection_cap_binds():
    """No grid pipeline, no gas; the region energises 0.5 MW per year -> 500 GPUs.
    Cost = 500 x $1,000 + 500 x $10,000 = $5,500,000; shadow price 1,000 x $9,000 = $9,000,000/MW."""
    res = solve(
        {"regions.TX.interconnection_cap_mw_per_year": 0.5},
        drop_pipeline=("grid_interconnection",),
    )
    assert res.objective_usd == pytest.approx(5_500_000, rel=REL)
    row = shadow(res, "interconnection_cap", 2026, region="TX")
    assert row["binding"]
    assert row["shadow_price_usd_per_unit"] == pytest.approx(9_000_000, rel=REL)
    slack = solve({"regions.TX.interconnection_cap_mw_per_year": 2}, drop_pipeline=("grid_interconnection",))
    assert slack.objective_usd == pytest.approx(1_000_000, rel=REL)
    assert shadow(slack, "interconnection_cap", 2026, region="TX")["shadow_price_usd_per_unit"] == pytest.approx(0, abs=1e-6)


# ---------------------------------------------------------------------------------- H1 headroom
def test_regional_headroom_binds():
    """Texas can serve 0.6 MW of large load; grid power $50/MWh at load factor 1: $438,000/MW-yr.
    Cost = 600 x $1,000 + 0.6 x $438,000 + 400 x $10,000 = $4,862,800.
    Shadow price = 1,000 x $9,000 - $438,000 = $8,562,000 per MW."""
    res = solve(
        {"regions.TX.headroom_mw_start": 0.6, "regions.TX.power_price_usd_per_mwh": 50}
    )
    assert res.objective_usd == pytest.approx(4_862_800, rel=REL)
    assert cost(res, "grid_energy") == pytest.approx(262_800, rel=REL)
    row = shadow(res, "regional_headroom", 2026, region="TX")
    assert row["binding"]
    assert row["shadow_price_usd_per_unit"] == pytest.approx(8_562_000, rel=REL)
    slack = solve({"regions.TX.headroom_mw_start": 2, "regions.TX.power_price_usd_per_mwh": 50})
    assert slack.objective_usd == pytest.approx(1_000_000 + 438_000, rel=REL)
    assert shadow(slack, "regional_headroom", 2026, region="TX")["shadow_price_usd_per_unit"] == pytest.approx(0, abs=1e-6)


def test_pue_scales_facility_power():
    """PUE 1.5: 1,000 GPUs x 1 kW = 1 MW IT -> 1.5 MW from the grid; at $50/MWh, 1.5 x $438,000."""
    res = solve({"sites.s1.pue": 1.5, "regions.TX.power_price_usd_per_mwh": 50})
    p = res.power.iloc[0]
    assert p["it_mw"] == pytest.approx(1.0) and p["facility_mw"] == pytest.approx(1.5)
    assert p["grid_mw"] == pytest.approx(1.5)
    assert res.objective_usd == pytest.approx(1_000_000 + 1.5 * 438_000, rel=REL)


# ---------------------------------------------------------------------------------- lead times, S1
def test_lead_time_shifts_when_capacity_comes_online():
    """Horizon 2026-2028, no shell pipeline, shell lead time 2 years: a shell decided in 2026 is
    online in 2028, none before. 2026 and 2027 are fully unmet (2 x 1,000 x $10,000 = $20M);
    2028 is met with 1,000 GPUs bought that year ($1M) in a 1 MW shell at $1,000/kW over 10
    years ($100,000 for its one year in the horizon). Objective $21,100,000."""
    res = solve(
        {"horizon.end_year": 2028, "lead_time_years.shell": 2, "capex_usd_per_kw.shell": 1000}, drop_pipeline=("shell",)
    )
    assert res.objective_usd == pytest.approx(21_100_000, rel=REL)
    assert online(res, "shell", "s1", 2026) == 0 and online(res, "shell", "s1", 2027) == 0
    assert online(res, "shell", "s1", 2028) == pytest.approx(1.0)
    c = res.capacity
    built = c[(c["asset"] == "shell") & (c["built"] > 0)]
    assert list(built["year"]) == [2026] and built["built"].iloc[0] == pytest.approx(1.0)
    assert list(res.compute["unmet_h100e"].round(6)) == [1000, 1000, 0]


def test_no_build_variables_past_the_horizon():
    """With a 2-year lead time, only 2026 decisions land inside 2026-2028 (sparse index)."""
    plan = Plan(tiny({"horizon.end_year": 2028, "lead_time_years.shell": 2}, drop_pipeline=("shell",)))
    shell_years = [y for a, s, y in plan.sets.build if a == "shell"]
    assert shell_years == [2026]


def test_permitting_adder_by_state():
    """A +1 year Texas permitting adder on the 1-year shell lead time: online in 2028, not 2027."""
    import pandas as pd

    from tiny import SRC, tiny_tables

    perm = pd.DataFrame([{"region": "TX", "asset": "shell", "extra_lead_time_years": 1, **SRC}])
    t = tiny_tables()
    t["pipeline"] = t["pipeline"][t["pipeline"]["asset"] != "shell"]
    t["permitting"] = perm
    from dcplan import scenario_from_tables

    res = Plan(scenario_from_tables(t, overrides={"horizon.end_year": 2028, "lead_time_years.shell": 1, "capex_usd_per_kw.shell": 1000})
    ).solve()
    assert online(res, "shell", "s1", 2027) == 0
    assert online(res, "shell", "s1", 2028) == pytest.approx(1.0)


def test_site_max_binds():
    """Shell pipeline dropped, site limited to 0.7 MW of IT: 700 GPUs; shadow price of the site
    limit = 1,000 x $9,000 = $9,000,000 per MW (shells free here)."""
    res = solve({"sites.s1.max_it_mw": 0.7}, drop_pipeline=("shell",))
    assert res.objective_usd == pytest.approx(700_000 + 300 * 10_000, rel=REL)
    row = shadow(res, "site_max", None, asset="shell", site="s1")
    assert row["shadow_price_usd_per_unit"] == pytest.approx(9_000_000, rel=REL)


# ---------------------------------------------------------------------------------- D1 unmet demand
def test_unmet_appears_only_when_supply_falls_short():
    """Ample supply: zero unmet. Half the CoWoS needed: exactly 500 unmet, costed at the penalty."""
    assert solve().compute["unmet_h100e"].iloc[0] == pytest.approx(0, abs=1e-6)
    short = solve({"supply.2026.cowos_wafers_per_year": 50})
    assert short.compute["unmet_h100e"].iloc[0] == pytest.approx(500)
    assert cost(short, "unmet_demand_penalty") == pytest.approx(5_000_000, rel=REL)


def test_penalty_below_cost_leaves_demand_unmet():
    """Penalty $500 < $1,000 per GPU-year: serving demand does not pay; all 1,000 unmet, $500,000."""
    res = solve({"demand.unmet_penalty_usd_per_h100e_year": 500})
    assert res.compute["unmet_h100e"].iloc[0] == pytest.approx(1000)
    assert res.objective_usd == pytest.approx(500_000, rel=REL)
    assert shadow(res, "demand_balance", 2026)["shadow_price_usd_per_unit"] == pytest.approx(500)


# ---------------------------------------------------------------------------------- G1-G2 retirement
def test_retirement_at_end_of_life():
    """Horizon 2026-2028. g1 ($1,000, life 2) ships only in 2026; g2 ($3,000, life 2) any year.
    r = 0 so each GPU costs price / 2 per year in service. g1 bought in 2026 serves 2026-2027
    ($1,000 each), retires, and 2028 needs g2 bought in 2028 (one year inside the horizon: $1,500).
    Objective = 1,000 x $1,000 + 1,000 x $1,500 = $2,500,000."""
    import pandas as pd

    from tiny import SRC, tiny_tables

    t = tiny_tables()
    g1 = dict(t["gpus"].iloc[0])
    t["gpus"] = pd.DataFrame(
        [
            {**g1, "first_year": 2026, "last_year": 2026, "lifetime_years": 2},
            {**g1, "generation": "g2", "name": "G2", "price_usd_per_gpu": 3000, "lifetime_years": 2, **SRC},
        ]
    )
    from dcplan import scenario_from_tables

    res = Plan(scenario_from_tables(t, overrides={"horizon.end_year": 2028})).solve()
    assert res.objective_usd == pytest.approx(2_500_000, rel=REL)
    fv = res.fleet_by_vintage
    g1v = fv[(fv["generation"] == "g1") & (fv["vintage"] == 2026)]
    assert list(g1v["year"]) == [2026, 2027]
    g = res.gpus
    assert g[(g.generation == "g1") & (g.year == 2028)]["installed"].sum() == 0
    assert g[(g.generation == "g2") & (g.year == 2028)]["shipped"].sum() == pytest.approx(1000)


def test_gpu_pipeline_retires():
    """1,000 g1 installed in 2025 with a 2-year life serve 2026 for free (sunk) and retire in 2027,
    when 1,000 new GPUs are bought ($1,000 each, life 2, one year inside a 2026-2027 horizon: $500)."""
    import pandas as pd

    from tiny import SRC

    gp = pd.DataFrame([{"site": "s1", "generation": "g1", "install_year": 2025, "gpus": 1000, **SRC}])
    res = solve({"horizon.end_year": 2027, "gpus.g1.lifetime_years": 2}, gpu_pipeline=gp)
    assert res.objective_usd == pytest.approx(500_000, rel=REL)
    g = res.gpus
    assert g[(g.year == 2026)]["shipped"].sum() == pytest.approx(0, abs=1e-6)
    assert g[(g.year == 2027)]["shipped"].sum() == pytest.approx(1000)


# ---------------------------------------------------------------------------------- K1 costs
def test_cost_table_sums_to_objective_with_discounting():
    """With r = 10% over 2026-2028 and a 2-year shell lead time, the PV of the cost table equals
    the objective, and a 2027 cost is discounted by 1/1.1."""
    res = solve(
        {"horizon.end_year": 2028, "discount_rate": 0.1, "lead_time_years.shell": 1, "capex_usd_per_kw.shell": 5000},
        drop_pipeline=("shell",),
    )
    assert res.costs["cost_pv_usd"].sum() == pytest.approx(res.objective_usd, rel=1e-9)
    c = res.costs[res.costs["year"] == 2027]
    assert (c["cost_pv_usd"] / c["cost_usd"]).round(9).unique().tolist() == [round(1 / 1.1, 9)]


# ---------------------------------------------------------------------------------- L1-L2 earlier availability
def test_lead_time_value_of_one_year_earlier():
    """Horizon 2026-2028, shell lead time 2, shells $1,000/kW over 10 years ($100,000 per
    MW-year), and 1,000 g1 GPUs already installed (pipeline, life 3) waiting for a shell.
    Optimum: a 1 MW shell decided in 2026, online 2028; 2026-27 unmet: 2 x $10M + $0.1M = $20.1M.
    One MW online a year earlier (2027) lets the idle GPUs serve 2027 ($10,000,000 saved) and
    replaces the 2028 build ($100,000 saved) for two years of shell cost ($200,000):
    $9,900,000 per MW one year earlier, reported in 2027. (Non-degenerate on purpose: when
    GPUs and shells are both at zero, the LP's dual split between them is not unique.)"""
    import pandas as pd

    from tiny import SRC

    gp = pd.DataFrame([{"site": "s1", "generation": "g1", "install_year": 2026, "gpus": 1000, **SRC}])
    res = solve(
        {"horizon.end_year": 2028, "lead_time_years.shell": 2, "capex_usd_per_kw.shell": 1000, "gpus.g1.lifetime_years": 3},
        drop_pipeline=("shell",),
        gpu_pipeline=gp,
    )
    assert res.objective_usd == pytest.approx(20_100_000, rel=REL)
    row = shadow(res, "lead_time", 2027, asset="shell", site="s1")
    assert row["binding"] and row["unit"] == "MW"
    assert row["shadow_price_usd_per_unit"] == pytest.approx(9_900_000, rel=REL)
    # capacity decided in 2027 could at best arrive in 2028, when the shell is there anyway
    assert shadow(res, "lead_time", 2028, asset="shell", site="s1")["shadow_price_usd_per_unit"] == pytest.approx(0, abs=1e-3)


def test_gpu_generation_one_year_earlier():
    """Horizon 2026-2027. g2 (2 H100e per GPU, $1,000, 1 kW) ships from 2027. In 2026 demand is met
    with g1 at $1,000 per H100e (the demand dual). One g2 GPU in 2026 would replace 2 H100e of g1
    ($2,000) for $1,000: worth $1,000 per GPU a year earlier."""
    import pandas as pd

    from dcplan import scenario_from_tables
    from tiny import SRC, tiny_tables

    t = tiny_tables()
    g1 = dict(t["gpus"].iloc[0])
    t["gpus"] = pd.DataFrame(
        [g1, {**g1, "generation": "g2", "name": "G2", "first_year": 2027, "dense_bf16_pflops_per_gpu": 2 * 0.989, **SRC}]
    )
    res = Plan(scenario_from_tables(t, overrides={"horizon.end_year": 2027})).solve()
    assert res.objective_usd == pytest.approx(1_000_000 + 500_000, rel=REL)
    row = shadow(res, "gpu_availability", 2026, generation="g2", site="s1")
    assert row["shadow_price_usd_per_unit"] == pytest.approx(1_000, rel=REL)
