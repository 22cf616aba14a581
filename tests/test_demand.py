"""Demand per year (demand.csv), the value-of-compute tranches (D1-D2) and the discounting
convention (K1), on hand-worked tiny cases (tests/tiny.py: one GPU g1 = 1 H100e at 1 kW,
$1,000 with a 1-year life, demand 1,000 H100e, every other cost zero, limits far away)."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import shadow
from tiny import SRC, tiny

from dcplan import Plan

REL = 1e-6


def tranches(*rows):
    return pd.DataFrame(
        [{"tranche": k, "share_of_demand": f, "value_usd_per_h100e_year": v, "value_change_per_year": c, **SRC} for k, f, v, c in rows]
    )


def solve(overrides=None, **kw):
    return Plan(tiny(overrides, **kw)).solve()


def test_tranche_below_cost_stays_unserved_above_is_served():
    """Demand 1,000 H100e: 600 worth $5,000 each, 400 worth $500. A GPU-year costs $1,000, so
    the first 600 are served (600 x $1,000 = $600,000) and the 400 worth less than they cost
    are left unserved at their value (400 x $500 = $200,000). Objective $800,000, plan cost
    $600,000, unserved value $200,000. The low tranche sits at its bound (all of it unserved), so
    one more H100e on D1's right-hand side must be served by a GPU: dual $1,000."""
    res = solve(demand_tranches=tranches(("high", 0.6, 5000, 0.0), ("low", 0.4, 500, 0.0)))
    assert res.objective_usd == pytest.approx(800_000, rel=REL)
    assert res.compute["online_h100e"].iloc[0] == pytest.approx(600)
    assert res.compute["unmet_h100e"].iloc[0] == pytest.approx(400)
    s = res.summary()
    assert s["plan_cost_usd"] == pytest.approx(600_000, rel=REL)
    assert s["unserved_value_usd"] == pytest.approx(200_000, rel=REL)
    assert shadow(res, "demand_balance", 2026)["shadow_price_usd_per_unit"] == pytest.approx(1000, rel=REL)


def test_tranche_value_declines_until_it_is_no_longer_served():
    """2026-2027, 'low' (40%) worth $2,000 in 2026 falling 60%/yr to $800 in 2027. 2026: all
    1,000 served ($1,000,000). 2027: the low tranche is worth less than a $1,000 GPU-year, so
    600 served ($600,000) and 400 unserved ($320,000). Objective $1,920,000 (r = 0)."""
    res = solve({"horizon.end_year": 2027}, demand_tranches=tranches(("high", 0.6, 5000, 0.0), ("low", 0.4, 2000, -0.6)))
    assert res.objective_usd == pytest.approx(1_920_000, rel=REL)
    c = res.compute.set_index("year")
    assert c.at[2026, "unmet_h100e"] == pytest.approx(0, abs=1e-6)
    assert c.at[2027, "unmet_h100e"] == pytest.approx(400)


def test_tranche_shares_must_sum_to_one():
    from dcplan.errors import InputError

    with pytest.raises(InputError, match="demand_tranches.csv.*share_of_demand.*sum to 0.9"):
        tiny(demand_tranches=tranches(("high", 0.6, 5000, 0.0), ("low", 0.3, 500, 0.0)))


def test_demand_table_and_growth_override():
    """demand.csv sets 2026 = 2,000 H100e and 2027 = 3,000: both are served (2 x ... GPUs at
    $1,000: $5,000,000). Overriding demand.growth_per_year switches to start x growth:
    1,000 x 1.5^(y-2026) = 1,000 and 1,500 H100e: $2,500,000."""
    dem = pd.DataFrame([{"year": 2026, "h100e_millions": 0.002, **SRC}, {"year": 2027, "h100e_millions": 0.003, **SRC}])
    res = solve({"horizon.end_year": 2027}, demand=dem)
    assert res.compute["demand_h100e"].tolist() == pytest.approx([2000, 3000])
    assert res.objective_usd == pytest.approx(5_000_000, rel=REL)
    res = solve({"horizon.end_year": 2027, "demand.growth_per_year": 1.5}, demand=dem)
    assert res.compute["demand_h100e"].tolist() == pytest.approx([1000, 1500])
    assert res.objective_usd == pytest.approx(2_500_000, rel=REL)


def test_demand_table_must_cover_the_horizon():
    from dcplan.errors import InputError

    dem = pd.DataFrame([{"year": 2026, "h100e_millions": 0.002, **SRC}])
    with pytest.raises(InputError, match="demand.csv.*missing year.*2027"):
        tiny({"horizon.end_year": 2027}, demand=dem)


# ---------------------------------------------------------------------------------- K1 discounting
def test_discounting_one_convention_for_capex_and_energy():
    """r = 10%, 2026-2027, 1,000 H100e each year, power $100/MWh at load factor 1 (1,000 GPUs at
    1 kW = 1 MW = 8,760 MWh = $876,000 a year). Every flow of year y is dated at the start of y,
    DF(y) = 1.1^-(y-2026), and capex is an annuity due: a one-year $1,000 GPU pays $1,000 in its
    year (CRF_due(10%, 1) = 1). 2026: GPUs $1,000,000 + energy $876,000 = $1,876,000;
    2027: the same / 1.1 = $1,705,454.55. Objective $3,581,454.55. The marginal H100e-year costs
    $1,000 + $876 = $1,876 in each year's own dollars, capex and energy alike."""
    res = solve(
        {"horizon.end_year": 2027, "discount_rate": 0.1, "regions.TX.power_price_usd_per_mwh": 100},
    )
    assert res.objective_usd == pytest.approx(1_876_000 + 1_876_000 / 1.1, rel=REL)
    for y in (2026, 2027):
        assert shadow(res, "demand_balance", y)["shadow_price_usd_per_unit"] == pytest.approx(1876, rel=REL)
    c = res.costs.groupby("category")["cost_pv_usd"].sum()
    assert c["gpu_capex"] == pytest.approx(1_000_000 + 1_000_000 / 1.1, rel=REL)
    assert c["grid_energy"] == pytest.approx(876_000 + 876_000 / 1.1, rel=REL)


def test_discounting_multi_year_asset_costs_its_price():
    """r = 10%, 2026-2027, 1,000 H100e each year, a $1,000 GPU living 2 years. Shipped in 2026 it
    serves both years and pays the annuity due CRF_due(10%, 2) = 0.1 / (1.1 x (1 - 1.1^-2)) =
    0.5238 per $: $523.81 in 2026 and $523.81 / 1.1 = $476.19 PV in 2027, together exactly its
    price. Objective $1,000,000 (the old end-of-year annuity charged $1,100,000)."""
    res = solve({"horizon.end_year": 2027, "discount_rate": 0.1, "gpus.g1.lifetime_years": 2})
    assert res.objective_usd == pytest.approx(1_000_000, rel=REL)
    assert res.gpus.loc[res.gpus["year"] == 2026, "shipped"].sum() == pytest.approx(1000)


# ---------------------------------------------------------------------------------- C3 vendor allocation
def test_cowos_allocation_caps_a_vendor_and_its_shadow_price():
    """Two generations with g1's specs: g1 at $1,000 and a cheaper g2 at $200 whose vendor gets at
    most 30% of the planner's 200 wafers: 60 wafers = 600 g2 GPUs ($120,000) and 400 g1
    ($400,000); objective $520,000; C1 has slack (100 of 200 wafers used). One more wafer for
    g2's vendor replaces 10 g1 by 10 g2: 10 x $800 = $8,000, C3's shadow price per wafer."""
    g = tiny().tables["gpus"]
    gpus = pd.concat([g, g.assign(generation="g2", name="G2", price_usd_per_gpu=200)], ignore_index=True)
    alloc = pd.DataFrame([{"generation": "g2", "max_share_of_cowos": 0.3, **SRC}])
    res = solve({"supply.2026.cowos_wafers_per_year": 200}, gpus=gpus, cowos_allocation=alloc)
    shipped = res.gpus.groupby("generation")["shipped"].sum()
    assert shipped["g2"] == pytest.approx(600)
    assert shipped["g1"] == pytest.approx(400)
    assert res.objective_usd == pytest.approx(520_000, rel=REL)
    row = shadow(res, "cowos_allocation", 2026, generation="g2")
    assert row["binding"] and row["shadow_price_usd_per_unit"] == pytest.approx(8000, rel=REL)
    assert not shadow(res, "cowos_supply", 2026)["binding"]
