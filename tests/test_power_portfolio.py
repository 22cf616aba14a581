"""Hand-worked tests of the power technology portfolio (docs/formulation.md, "Power technologies").

Every case starts from the tiny scenario (tests/tiny.py: one TX site, 1,000 GPUs of 1 kW and
1 H100e each worth serving at up to $10,000 per H100e-year, $1,000 per GPU, zero discount
rate, load factor 1, PUE 1) with its gas-turbine parameters replaced by power_technologies.csv
rows built here. "Islanded" cases drop the site's grid: 1 MW of facility load must come from
on-site technologies. A technology with capex $X/kW and a 10-year life costs $100·X per
MW-year at r = 0 (capex × 1,000 / 10).
"""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import shadow
from tiny import SRC, tiny_tables

from dcplan import InputError, Plan, scenario_from_tables
from dcplan.scenario.schema import LEGACY_GAS_PARAMETERS

REL = 1e-6
ISLANDED = {"sites.s1.max_grid_mw": 0}


def tech(technology: str, **kw) -> dict:
    """A power_technologies.csv row: on site, free, always available, life 10, no lead time."""
    row = {
        "technology": technology, "name": technology, "kind": "onsite", "family": technology, "capex_usd_per_kw": 0,
        "fixed_om_usd_per_kw_year": 0, "variable_om_usd_per_mwh": 0, "contract_price_usd_per_mwh": 0,
        "heat_rate_mmbtu_per_mwh": 0, "co2_t_per_mwh": 0, "availability": 1.0, "capacity_credit": 1.0, "storage_hours": 0,
        "lifetime_years": 10, "lead_time_years": 0, "earliest_year": None, "site_limit": None, "named_plants_only": 0,
    }
    row.update(kw)
    return {**row, **SRC}


def portfolio(techs, overrides=None, islanded=False, deliveries=(), plants=(), permitting=(), years=(2026, 2026), **tables):
    """The tiny scenario with power technologies instead of the legacy gas turbine."""
    t = tiny_tables()
    p = t["parameters"]
    t["parameters"] = p[~p["name"].isin(LEGACY_GAS_PARAMETERS)].reset_index(drop=True)
    t["parameters"].loc[t["parameters"]["name"] == "horizon.end_year", "value"] = years[1]
    t["supply"] = t["supply"].drop(columns="gas_turbine_mw_per_year")
    t["power_technologies"] = pd.DataFrame(techs)
    if deliveries:
        t["power_deliveries"] = pd.DataFrame([{**d, **SRC} for d in deliveries])
    if plants:
        t["power_plants"] = pd.DataFrame([{**d, **SRC} for d in plants])
    if permitting:
        t["permitting"] = pd.DataFrame([{**d, **SRC} for d in permitting])
    if islanded:
        t["pipeline"] = t["pipeline"][t["pipeline"]["asset"] != "grid_interconnection"].reset_index(drop=True)
    t.update(tables)
    return scenario_from_tables(t, name="portfolio", overrides={**(ISLANDED if islanded else {}), **(overrides or {})})


def solve(*a, **kw):
    return Plan(portfolio(*a, **kw)).solve()


def by_tech(res, technology: str, year: int = 2026, column: str = "online_mw") -> float:
    t = res.power_by_technology
    return float(t.loc[(t["technology"] == technology) & (t["year"] == year), column].sum())


# ------------------------------------------------------------------ P4 capacity credit
def test_capacity_credit_sizes_an_islanded_plant():
    """Islanded site, reserve margin 0. `gen` ($100/kW: $10,000/MW-yr, VOM $1/MWh) counts 0.8
    of its MW as firm (capacity credit 0.8) but dispatches all of it (availability 1). Energy
    needs 1 MW (P1, P3); firm capacity needs 0.8 x gen >= 1 (P4) -> gen = 1.25 MW, $12,500,
    running 1 MW: $8,760. Objective = $1,000,000 of GPUs + $12,500 + $8,760 = $1,021,260.
    P4's shadow price = $10,000 / 0.8 = $12,500 per MW; P1's is the energy: $8,760 per MW."""
    res = solve([tech("gen", capex_usd_per_kw=100, capacity_credit=0.8, variable_om_usd_per_mwh=1)], islanded=True)
    assert res.objective_usd == pytest.approx(1_021_260, rel=REL)
    assert by_tech(res, "gen") == pytest.approx(1.25, rel=REL)
    assert by_tech(res, "gen", column="dispatch_mw") == pytest.approx(1.0, rel=REL)
    row = shadow(res, "firm_capacity", 2026, site="s1")
    assert row["binding"] and row["shadow_price_usd_per_unit"] == pytest.approx(12_500, rel=REL)
    assert shadow(res, "power_balance", 2026, site="s1")["shadow_price_usd_per_unit"] == pytest.approx(8_760, rel=REL)


def test_firm_capacity_at_an_islanded_site_uses_the_cheapest_credit():
    """Islanded, reserve margin 0.2: firm credit >= 1.2 MW; energy >= 1 MW.
    gen ($100/kW -> $10,000/MW-yr, credit 1) and a battery ($20/kW -> $2,000/MW-yr, no energy,
    credit 0.5). Options: gen 1.2 MW ($12,000) or gen 1 + battery 0.4 ($10,000 + $800 = $10,800).
    Optimum $1,010,800; P4's shadow price = the battery's $2,000 / 0.5 = $4,000 per MW.
    The same site with its grid tie has no P4 rows: the grid supplies 1 MW at no cost."""
    techs = [tech("gen", capex_usd_per_kw=100), tech("bat", capex_usd_per_kw=20, availability=0.0, capacity_credit=0.5)]
    res = solve(techs, islanded=True, overrides={"power.islanded_reserve_margin": 0.2})
    assert res.objective_usd == pytest.approx(1_010_800, rel=REL)
    assert by_tech(res, "gen") == pytest.approx(1.0, rel=REL)
    assert by_tech(res, "bat") == pytest.approx(0.4, rel=REL)
    assert shadow(res, "firm_capacity", 2026, site="s1")["shadow_price_usd_per_unit"] == pytest.approx(4_000, rel=REL)
    tied = solve(techs, overrides={"power.islanded_reserve_margin": 0.2})
    assert tied.objective_usd == pytest.approx(1_000_000, rel=REL)
    assert not (tied.shadow_prices["family"] == "firm_capacity").any()


def test_per_slice_capacity_credit():
    """Two slices, `peak` 1,000 h and `rest` 7,760 h. A 4-h battery counts 0.9 at peak and 0.5
    in `rest` (power_technology_slices.csv); margin 0.2, islanded. gen ($100/kW) and battery
    ($20/kW). Firm: gen + 0.9 bat >= 1.2 at peak, gen + 0.5 bat >= 1.2 in rest; gen >= 1.
    The `rest` row binds: gen 1 + bat 0.4 ($10,800); at peak 1 + 0.36 >= 1.2 is slack.
    With `rest`'s credit raised to 0.9 too, the battery needs 0.2/0.9 MW: $10,444.44."""
    slices = pd.DataFrame([{"slice": "peak", "hours": 1000, "description": "-", **SRC},
                           {"slice": "rest", "hours": 7760, "description": "-", **SRC}])
    prof = [{"technology": "bat", "slice": s, "availability": 0.0, "capacity_credit": c, **SRC} for s, c in (("peak", 0.9), ("rest", 0.5))]
    techs = [tech("gen", capex_usd_per_kw=100), tech("bat", capex_usd_per_kw=20, availability=0.0, capacity_credit=0.5)]
    over = {"power.islanded_reserve_margin": 0.2}
    res = solve(techs, islanded=True, overrides=over, time_slices=slices, power_technology_slices=pd.DataFrame(prof))
    assert res.objective_usd == pytest.approx(1_010_800, rel=REL)
    sp = res.shadow_prices
    firm = sp[sp["family"] == "firm_capacity"].set_index("slice")["shadow_price_usd_per_unit"]
    assert firm["rest"] == pytest.approx(4_000, rel=REL) and firm["peak"] == pytest.approx(0, abs=1e-6)
    prof[1]["capacity_credit"] = 0.9
    res = solve(techs, islanded=True, overrides=over, time_slices=slices, power_technology_slices=pd.DataFrame(prof))
    assert res.objective_usd == pytest.approx(1_010_000 + 2_000 * 0.2 / 0.9, rel=REL)


# ------------------------------------------------------------------ U1 delivery caps by family
def test_delivery_cap_of_a_family_binds_with_its_shadow_price():
    """Islanded, margin 0, 1 MW needed. `cheap` ($100/kW: $10,000/MW-yr) and `cheap_b`
    ($150/kW) share family `f`, capped at 0.6 MW delivered in 2026 (planner share 0.5 of 1.2);
    `dear` ($300/kW: $30,000/MW-yr, family `g`, uncapped) fills the rest.
    Optimum: cheap 0.6 + dear 0.4 = $6,000 + $12,000 = $18,000 -> $1,018,000.
    U1's shadow price for f = $30,000 - $10,000 = $20,000 per MW; cheap_b is not built."""
    techs = [tech("cheap", family="f", capex_usd_per_kw=100), tech("cheap_b", family="f", capex_usd_per_kw=150),
             tech("dear", family="g", capex_usd_per_kw=300)]
    res = solve(techs, islanded=True, deliveries=[{"family": "f", "year": 2026, "deliveries_mw_per_year": 1.2, "planner_share": 0.5}])
    assert res.objective_usd == pytest.approx(1_018_000, rel=REL)
    assert (by_tech(res, "cheap"), by_tech(res, "cheap_b"), by_tech(res, "dear")) == pytest.approx((0.6, 0.0, 0.4), rel=REL)
    row = shadow(res, "power_delivery", 2026, asset="f")
    assert row["binding"] and row["shadow_price_usd_per_unit"] == pytest.approx(20_000, rel=REL)
    assert row["rhs"] == pytest.approx(0.6, rel=REL)
    tl = res.bottlenecks.set_index("family")
    assert tl.at["power_delivery", "where"] == "f"
    assert tl.at["power_delivery", "shadow_price_usd_per_unit"] == pytest.approx(20_000, rel=REL)


def test_lead_time_by_state_through_the_build_sets():
    """Horizon 2026-2027, islanded. `gen` ($100/kW) has base lead 0 and a TX permitting adder
    of +1 (permitting.csv, asset = the technology id): decided 2026, online 2027; nothing in
    2026. Cost: 2026 all 1,000 H100e unmet ($10,000,000); 2027 GPUs $1,000,000 + gen's capex
    for its one year in the horizon ($10,000) -> $11,010,000."""
    res = solve([tech("gen", capex_usd_per_kw=100)], islanded=True, years=(2026, 2027),
                permitting=[{"region": "TX", "asset": "gen", "extra_lead_time_years": 1}])
    assert res.objective_usd == pytest.approx(11_010_000, rel=REL)
    assert by_tech(res, "gen", 2026) == 0 and by_tech(res, "gen", 2027) == pytest.approx(1.0, rel=REL)
    assert by_tech(res, "gen", 2026, "built_mw") == pytest.approx(1.0, rel=REL)
    cap = res.capacity
    assert int(cap.loc[(cap["asset"] == "gen") & (cap["year"] == 2027), "lead_time_years"].iloc[0]) == 1


# ------------------------------------------------------------------ E1 CO2 cap and price
CO2_TECHS = [
    # gas: $10,000/MW-yr of capex + $10/MWh x 8,760 h = $97,600/MW-yr, 0.5 t/MWh -> 4,380 t per MW-yr
    tech("gas", capex_usd_per_kw=100, variable_om_usd_per_mwh=10, co2_t_per_mwh=0.5),
    # clean: $20,000 + $87,600 = $107,600/MW-yr, no CO2
    tech("clean", capex_usd_per_kw=200, variable_om_usd_per_mwh=10),
]


def test_co2_cap_binds_with_its_shadow_price():
    """Cap 0.002 Mt = 2,000 t: gas <= 2,000 / 4,380 = 0.456621 MW, clean the rest (0.543379).
    Cost = 1 MW at gas's $97,600 + 0.543379 x $10,000 = $103,033.79 -> $1,103,033.79.
    Shadow price of the cap = $10,000 / 4,380 t = $2.2831 per t. The same cap on TX alone
    (co2.cap_mt_per_year.TX) gives the same answer on the TX row."""
    res = solve(CO2_TECHS, islanded=True, overrides={"co2.cap_mt_per_year": 0.002})
    gas = 2000 / 4380
    assert res.objective_usd == pytest.approx(1_000_000 + 97_600 + (1 - gas) * 10_000, rel=REL)
    assert by_tech(res, "gas", column="dispatch_mw") == pytest.approx(gas, rel=REL)
    row = shadow(res, "co2_cap", 2026, region="US")
    assert row["binding"] and row["unit"] == "t CO2"
    assert row["shadow_price_usd_per_unit"] == pytest.approx(10_000 / 4380, rel=REL)
    em = res.emissions
    assert em.loc[em["scope"] == "US", "co2_t"].iloc[0] == pytest.approx(2000, rel=REL)
    assert res.summary()["co2_mt"] == {"2026": pytest.approx(0.002, rel=REL)}
    assert em.loc[(em["scope"] == "site") & (em["site"] == "s1"), "co2_t"].sum() == pytest.approx(2000, rel=REL)
    tx = solve(CO2_TECHS, islanded=True, overrides={"co2.cap_mt_per_year.TX": 0.002})
    assert shadow(tx, "co2_cap", 2026, region="TX")["shadow_price_usd_per_unit"] == pytest.approx(10_000 / 4380, rel=REL)
    assert "co2_cap" in set(tx.bottlenecks["family"])


def test_co2_price_switches_at_the_cap_shadow_price():
    """A CO2 price below $2.2831/t keeps gas: $2/t -> $97,600 + 4,380 t x $2 = $106,360;
    above it clean wins: $3/t -> $107,600."""
    low = solve(CO2_TECHS, islanded=True, overrides={"co2.price_usd_per_t": 2})
    assert low.objective_usd == pytest.approx(1_106_360, rel=REL)
    assert low.costs.loc[low.costs["category"] == "co2_price", "cost_usd"].sum() == pytest.approx(8_760, rel=REL)
    high = solve(CO2_TECHS, islanded=True, overrides={"co2.price_usd_per_t": 3})
    assert high.objective_usd == pytest.approx(1_107_600, rel=REL)
    assert by_tech(high, "gas") == pytest.approx(0, abs=1e-9)


# ------------------------------------------------------------------ P5-P6 named plants
def test_nuclear_restart_only_from_its_earliest_year():
    """Horizon 2026-2028; the TX grid has no headroom, so the site's grid draw must come from a
    contract in TX (P5 enters H2). `restart` is a contracted technology at named plants only:
    plant p1 (TX, 0.6 MW, earliest 2027), $50/MWh take-or-pay, availability 1, lead 0.
    2026: nothing can be contracted -> 1,000 H100e unmet ($10,000,000). 2027 and 2028: 0.6 MW
    -> 600 GPUs ($600,000), contract 0.6 x 8,760 x $50 = $262,800, 400 unmet ($4,000,000).
    Objective = $10,000,000 + 2 x $4,862,800 = $19,725,600.
    P6's shadow price (all years): 2 x (1,000 x $9,000 - 8,760 x $50) = $17,124,000 per MW."""
    restart = tech("restart", kind="contracted", named_plants_only=1, contract_price_usd_per_mwh=50, lifetime_years=20)
    plants = [{"plant": "p1", "name": "Plant 1", "technology": "restart", "region": "TX", "capacity_mw": 0.6, "earliest_year": 2027}]
    res = solve([restart], plants=plants, years=(2026, 2028), overrides={"regions.TX.headroom_mw_start": 0})
    assert res.objective_usd == pytest.approx(19_725_600, rel=REL)
    pbt = res.power_by_technology
    online = pbt[pbt["technology"] == "restart"].set_index("year")["online_mw"]
    assert 2026 not in online.index or online.get(2026) == 0
    assert online[2027] == pytest.approx(0.6, rel=REL) and online[2028] == pytest.approx(0.6, rel=REL)
    assert set(pbt.loc[pbt["technology"] == "restart", "site"]) == {"p1"}
    row = shadow(res, "plant_max", None, asset="restart", site="p1")
    assert row["region"] == "TX" and row["shadow_price_usd_per_unit"] == pytest.approx(17_124_000, rel=REL)
    sets = Plan(portfolio([restart], plants=plants, years=(2026, 2028))).sets
    assert sorted(v for k, _, v in sets.contract if k == "restart") == [2027, 2028]


# ------------------------------------------------------------------ compatibility
def test_legacy_gas_parameters_with_the_table_name_the_new_table():
    """With power_technologies.csv, a gas_turbine parameter or supply.csv's gas turbine column
    is an error naming the table and column that replaced it."""
    t = tiny_tables()
    t["power_technologies"] = pd.DataFrame([tech("gas_sc")])
    with pytest.raises(InputError) as e:
        scenario_from_tables(t)
    msg = str(e.value)
    assert "parameter 'capex_usd_per_kw.gas_turbine': with power_technologies.csv" in msg
    assert "power_technologies.csv column capex_usd_per_kw" in msg
    assert "power_deliveries.csv" in msg and "gas_turbine_mw_per_year" in msg
    with pytest.raises(InputError, match="lead_time_years.gas_turbine.*power_technologies.csv column lead_time_years"):
        portfolio([tech("gas_sc")], overrides={"lead_time_years.gas_turbine": 3})


def test_without_the_table_the_gas_parameters_are_one_simple_cycle_row():
    """A scenario with no power_technologies.csv gets one on-site technology `gas_turbine` from
    its gas_turbine parameters (and deliveries from supply.csv); pipeline rows may name it."""
    from tiny import tiny

    scn = tiny({"capex_usd_per_kw.gas_turbine": 1234, "gas_turbine.heat_rate_mmbtu_per_mwh": 9.0})
    row = scn.technologies.loc["gas_turbine"]
    assert (row["kind"], row["family"], row["capex_usd_per_kw"]) == ("onsite", "gas_turbine", 1234)
    assert row["co2_t_per_mwh"] == pytest.approx(9.0 * 0.05306)
    assert scn.site_assets[-1] == "gas_turbine"


def test_bad_rows_of_the_power_tables_are_named():
    """Unknown ids and a family with missing years are reported with file, row and column."""
    t_bad = [tech("gen", site_limit="max_roof_mw")]
    with pytest.raises(InputError) as e:
        portfolio(t_bad, years=(2026, 2027), deliveries=[{"family": "gen", "year": 2026, "deliveries_mw_per_year": 1, "planner_share": 1}],
                  power_technology_slices=pd.DataFrame([{"technology": "nope", "slice": "year", "availability": 1, "capacity_credit": 1, **SRC}]))
    msg = str(e.value)
    assert "power_technologies.csv, row 2, column 'site_limit'" in msg and "max_onsite_gas_mw" in msg
    assert "power_technology_slices.csv, row 2, column 'technology'" in msg and "unknown power technology 'nope'" in msg
    assert "family gen: missing year(s) 2027" in msg


def test_power_chart_shows_each_technology_and_co2():
    """The report's power-by-technology chart has one bar series per technology online (on site
    or contracted) and the CO2 panel; it is among the report's charts."""
    import matplotlib

    matplotlib.use("Agg")
    from dcplan.reports.plots import FIGURES, plot_power_by_technology

    res = solve(CO2_TECHS, islanded=True, overrides={"co2.cap_mt_per_year": 0.002})
    fig = plot_power_by_technology(res)
    labels = {t.get_text() for t in fig.axes[0].get_legend().get_texts()}
    assert labels == {"gas (on site)", "clean (on site)"}
    assert fig.axes[1].patches[0].get_height() == pytest.approx(0.002, rel=REL)
    assert FIGURES["power_by_technology"] is plot_power_by_technology
