"""Re-solves that change the LP's structure rebuild (and keep the user's HiGHS options); the
cases below returned a wrong answer marked optimal (or raised) when the structure key was a
hand-kept subset of the index sets (issue 8)."""

from __future__ import annotations

import pandas as pd
import pytest
from tiny import BIG, tiny, tiny_tables

from dcplan import Plan, scenario_from_tables

REL = 1e-9


def _grid_pipeline_in(year: int):
    """Tiny case over 2026-2027 whose only grid capacity is a 10 GW pipeline online in `year`
    (max_grid_mw = 10 GW, so no grid can be built)."""
    t = tiny_tables()
    pl = t["pipeline"].copy()
    pl.loc[pl["asset"] == "grid_interconnection", "online_year"] = year
    return tiny({"horizon.end_year": 2027, "sites.s1.max_grid_mw": 10_000}, pipeline=pl)


def test_grid_pipeline_one_year_earlier_opens_grid_columns():
    """Grid online in 2027: 2026 has no grid column, so its 1,000 H100e go unmet
    ($10,000 x 1,000 = $10M) and 2027 ships 1,000 GPUs ($1M): $11.0M. Moving the grid pipeline to
    2026 opens the 2026 grid columns: 1,000 GPUs each year, $2.0M, nothing unmet. The re-solve
    must see the new columns (the old key missed them and answered $11.0M)."""
    plan = Plan(_grid_pipeline_in(2027))
    assert plan.solve().objective_usd == pytest.approx(11_000_000, rel=REL)
    key = plan.sets.structure_key()
    res = plan.resolve(_grid_pipeline_in(2026))
    assert plan.sets.structure_key() != key
    assert res.objective_usd == pytest.approx(2_000_000, rel=REL)
    assert res.compute["unmet_h100e"].abs().max() == pytest.approx(0, abs=1e-6)
    assert Plan(_grid_pipeline_in(2026)).solve().objective_usd == pytest.approx(res.objective_usd, rel=REL)


def _two_zones(region: str, extra_regions: tuple[str, ...] = ()):
    """Tiny case with two ISO zones (not state codes, so no coordinate check): ZONE_A can serve
    0.5 MW of large load, ZONE_B 1 GW; site s1 sits in `region`."""
    t = tiny_tables()
    base = dict(t["regions"].iloc[0])
    rows = [
        {**base, "region": "ZONE_A", "name": "Zone A", "headroom_mw_start": 0.5},
        {**base, "region": "ZONE_B", "name": "Zone B", "headroom_mw_start": 1_000},
    ]
    rows += [{**base, "region": r, "name": r} for r in extra_regions]
    t["regions"] = pd.DataFrame(rows)
    t["sites"] = t["sites"].assign(region=region)
    return scenario_from_tables(t, name="zones")


def test_moving_a_site_to_another_region_moves_its_regional_balance():
    """s1 in ZONE_A: 0.5 MW powers 500 GPUs (1 kW each, PUE 1): 500 x $1,000 + 500 unmet x
    $10,000 = $5.5M. Moved to ZONE_B (1 GW): all 1,000 GPUs, $1.0M. The old key kept s1 in ZONE_A's
    balance and answered $5.5M."""
    plan = Plan(_two_zones("ZONE_A"))
    assert plan.solve().objective_usd == pytest.approx(5_500_000, rel=REL)
    res = plan.resolve(_two_zones("ZONE_B"))
    assert res.objective_usd == pytest.approx(1_000_000, rel=REL)
    assert plan.sets.site_region["s1"] == "ZONE_B"


def test_a_new_region_rebuilds_instead_of_raising():
    """Adding a third zone (no site, no corridor) used to raise KeyError on the headroom
    parameter; it rebuilds and the answer is unchanged ($5.5M)."""
    plan = Plan(_two_zones("ZONE_A"))
    plan.solve()
    model_before = plan.model
    res = plan.resolve(_two_zones("ZONE_A", extra_regions=("ZONE_C",)))
    assert plan.model is not model_before
    assert "ZONE_C" in plan.sets.regions
    assert res.objective_usd == pytest.approx(5_500_000, rel=REL)


def test_a_parameter_change_keeps_the_structure_key():
    """Shares, prices and supplies are values: the key is unchanged and the model is updated in place."""
    a = Plan(tiny())
    b = tiny({"planner_share.cowos": 0.5, "regions.TX.power_price_usd_per_mwh": 30, "supply.2026.hbm_stacks_per_year": BIG / 2})
    a.solve()
    model_before = a.model
    a.resolve(b)
    assert a.model is model_before


def test_rebuild_keeps_the_users_highs_options():
    """A structural change (longer horizon) rebuilds the LP with the options the plan was made with."""
    plan = Plan(tiny(), highs_options={"simplex_strategy": 4, "primal_feasibility_tolerance": 1e-8})
    plan.solve()
    res = plan.resolve(tiny({"horizon.end_year": 2027}))
    assert res.objective_usd == pytest.approx(2_000_000, rel=REL)
    assert plan.lp.highs.getOptionValue("simplex_strategy")[1] == 4
    assert plan.lp.highs.getOptionValue("primal_feasibility_tolerance")[1] == pytest.approx(1e-8)

