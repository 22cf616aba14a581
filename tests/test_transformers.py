"""Hand-worked tests of the transformer classes and the substation (docs/formulation.md, "Large
power transformers"): generator step-up transformers with their own lead time (T3), the national
deliveries HV units and GSUs share (T2), and the campus substation's cost per kW of grid tie (K1).

Every case starts from the tiny scenario (tests/tiny.py: one TX site, 1,000 GPUs of 1 kW and
1 H100e, $1,000 per GPU for one year, unserved demand worth $10,000 per H100e-year, r = 0, load
factor 1, PUE 1, free grid power and interconnection). An asset with capex $X per kW (kVA) and a
10-year life costs $100·X per MW(MVA)-year at r = 0.
"""

from __future__ import annotations

import pytest
from helpers import cost, online, shadow
from test_power_portfolio import by_tech, portfolio, tech

from dcplan import InputError, Plan

REL = 1e-6
GSU = {"capex_usd_per_kva.gsu_transformer": 100, "lifetime_years.gsu_transformer": 10}  # $10,000 per MVA-year
NO_GRID_POWER = {"regions.TX.power_price_usd_per_mwh": 2_000}  # 1 MW x 8,760 h = $17.52M a year > demand's $10M


def gas(**kw) -> dict:
    """An on-site unit behind a GSU of 1 MVA per MW: $100/kW ($10,000 per MW-year), no lead time."""
    return tech("gas", **{"capex_usd_per_kw": 100, "gsu_mva_per_mw": 1.0, **kw})


def test_gsu_lead_time_holds_new_generation_back_until_its_gsu_is_in_service():
    """GSU lead 2 years, 2026-2028; the gas unit itself has no lead time, grid power costs more
    than the demand is worth. A GSU ordered in 2026 is in service from 2028, so T3 (GSU MVA in
    service >= 1 x new gas MW in service) keeps gas out of 2026 and 2027:
    unserved 1,000 H100e in 2026 and 2027: 2 x $10M = $20M; 2028: 1,000 GPUs $1M + gas 1 MW
    $10,000 + GSU 1 MVA $10,000 (charged for 2028 only, its one year in service in the
    horizon). Objective $21,020,000. T3's dual in 2028 is the GSU's price: $10,000 per MVA."""
    res = Plan(portfolio([gas()], years=(2026, 2028), overrides={**GSU, **NO_GRID_POWER,
                                                                "lead_time_years.gsu_transformer": 2})).solve()
    assert res.objective_usd == pytest.approx(21_020_000, rel=REL)
    assert [by_tech(res, "gas", y) for y in (2026, 2027, 2028)] == pytest.approx([0, 0, 1.0], abs=1e-9)
    assert [online(res, "gsu_transformer", "s1", y) for y in (2026, 2027, 2028)] == pytest.approx([0, 0, 1.0], abs=1e-9)
    cap = res.capacity
    gsu_built = cap[(cap["asset"] == "gsu_transformer") & (cap["built"] > 1e-9)]
    assert list(gsu_built["year"]) == [2026] and list(gsu_built["lead_time_years"]) == [2]  # ordered 2026, in service 2028
    unmet = res.compute.set_index("year")["unmet_h100e"]
    assert list(unmet.loc[[2026, 2027, 2028]]) == pytest.approx([1000, 1000, 0], abs=1e-6)
    assert cost(res, "gsu_transformer_capex") == pytest.approx(10_000, rel=REL)
    row = shadow(res, "gsu_capacity", 2028, site="s1")
    assert row["binding"] and row["unit"] == "MVA" and row["shadow_price_usd_per_unit"] == pytest.approx(10_000, rel=REL)
    for y in (2026, 2027):  # a GSU in service in these years would let 1 MW of gas serve 1,000 H100e
        assert shadow(res, "gsu_capacity", y, site="s1")["binding"]
    # the same case with the GSU's lead time at 0: gas and its GSU serve every year
    fast = Plan(portfolio([gas()], years=(2026, 2028), overrides={**GSU, **NO_GRID_POWER,
                                                                 "lead_time_years.gsu_transformer": 0})).solve()
    assert fast.objective_usd == pytest.approx(3 * (1_000_000 + 10_000 + 10_000), rel=REL)


def test_a_technology_without_gsus_is_not_held_back():
    """The same unit with no gsu_mva_per_mw: no GSU asset, no T3 rows, gas serves every year:
    3 x ($1M + $10,000) = $3,030,000 (the GSU parameters are then not needed)."""
    res = Plan(portfolio([tech("gas", capex_usd_per_kw=100)], years=(2026, 2028), overrides=NO_GRID_POWER)).solve()
    assert res.objective_usd == pytest.approx(3_030_000, rel=REL)
    assert not (res.shadow_prices["family"] == "gsu_capacity").any()
    assert "gsu_transformer" not in set(res.capacity["asset"])


def test_hv_transformers_and_gsus_share_the_national_deliveries():
    """2026 only, GSU lead 0, no transformer pipeline; 1.5 MVA delivered (T2), HV 1 MVA per MW of
    grid draw (T1), GSU 1 MVA per MW of gas (T3); the region's headroom is 1 MW (free grid power),
    demand 2 MW. Grid 1 MW takes 1 MVA of HV units, leaving 0.5 MVA for GSUs: gas 0.5 MW, and
    500 H100e unserved. Objective = 1,500 GPUs $1.5M + gas 0.5 MW x $10,000 + GSU 0.5 MVA x
    $10,000 + 500 x $10,000 = $6,510,000. T2's dual: one more MVA is a GSU for 1 MW more gas,
    serving 1,000 H100e: $10M - $1M - $10,000 - $10,000 = $8,980,000 per MVA. Headroom's: one more
    MW of grid swaps 1 MW of gas and its GSU ($10,000 + $10,000) for free grid power and a free HV
    unit (the deliveries stay full): $20,000 per MW."""
    over = {**GSU, "lead_time_years.gsu_transformer": 0, "supply.2026.transformer_mva_per_year": 1.5,
            "regions.TX.headroom_mw_start": 1.0, "demand.start_h100e_millions": 0.002}
    scn = portfolio([gas()], overrides=over)
    t = scn.tables["pipeline"]
    scn = portfolio([gas()], overrides=over, pipeline=t[t["asset"] != "transformer"].reset_index(drop=True))
    res = Plan(scn).solve()
    assert res.objective_usd == pytest.approx(6_510_000, rel=REL)
    assert online(res, "transformer", "s1", 2026) == pytest.approx(1.0, rel=REL)
    assert online(res, "gsu_transformer", "s1", 2026) == pytest.approx(0.5, rel=REL)
    assert by_tech(res, "gas") == pytest.approx(0.5, rel=REL)
    row = shadow(res, "transformer_supply", 2026)
    assert row["binding"] and row["shadow_price_usd_per_unit"] == pytest.approx(8_980_000, rel=REL)
    assert shadow(res, "regional_headroom", 2026, region="TX")["shadow_price_usd_per_unit"] == pytest.approx(20_000, rel=REL)


def test_substation_cost_per_kw_of_grid_tie_is_capex_in_its_own_category():
    """No grid pipeline (nor transformer pipeline, transformers free): the 1 MW grid tie is built,
    and with it its campus substation at $50/kW = $50,000 per MW over the grid's 10-year life:
    $5,000 per MW-year, category substation_capex. Objective $1,000,000 + $5,000 = $1,005,000.
    With new interconnection capped at 0.4 MW (I1): 400 GPUs, 600 H100e unserved; the cap's dual
    = 1,000 H100e x ($10,000 - $1,000) - $5,000 of substation = $8,995,000 per MW."""
    from tiny import tiny

    drop = ("grid_interconnection", "transformer")
    res = Plan(tiny({"capex_usd_per_kw.substation": 50}, drop_pipeline=drop)).solve()
    assert res.objective_usd == pytest.approx(1_005_000, rel=REL)
    assert cost(res, "substation_capex") == pytest.approx(5_000, rel=REL)
    assert cost(res, "grid_interconnection_capex") == pytest.approx(0, abs=1e-6)
    capped = Plan(tiny({"capex_usd_per_kw.substation": 50, "regions.TX.interconnection_cap_mw_per_year": 0.4},
                       drop_pipeline=drop)).solve()
    assert capped.objective_usd == pytest.approx(400_000 + 0.4 * 5_000 + 600 * 10_000, rel=REL)
    row = shadow(capped, "interconnection_cap", 2026, region="TX")
    assert row["binding"] and row["shadow_price_usd_per_unit"] == pytest.approx(8_995_000, rel=REL)
    without = Plan(tiny(drop_pipeline=drop)).solve()  # the parameter is optional: 0 = no substation cost
    assert without.objective_usd == pytest.approx(1_000_000, rel=REL)


def test_gsu_parameters_are_required_when_a_technology_needs_gsus():
    """A technology with gsu_mva_per_mw > 0 and no GSU parameters: a clear error naming each
    missing parameter and the technology's row; nothing is solved."""
    with pytest.raises(InputError) as e:
        portfolio([gas()])
    msg = str(e.value)
    for name in ("lead_time_years.gsu_transformer", "lifetime_years.gsu_transformer", "capex_usd_per_kva.gsu_transformer"):
        assert f"parameter '{name}'" in msg
    assert "power_technologies.csv row 2 (gas) has gsu_mva_per_mw > 0" in msg
    with pytest.raises(InputError, match=r"gsu_mva_per_mw.*expected 0 to 5 MVA/MW"):
        portfolio([gas(gsu_mva_per_mw=9)], overrides={**GSU, "lead_time_years.gsu_transformer": 0})


def test_gsu_rating_is_a_parameter_a_resolve_updates():
    """GSU lead 0, 2026-2028: gas and its GSU serve each year, 3 x ($1M + $10,000 + $10,000) =
    $3,060,000. With gsu_mva_per_mw 2 each MW needs 2 MVA ($20,000): $3,090,000, the same from
    Plan.resolve (parameters updated in place) as from a fresh solve."""
    base = portfolio([gas()], years=(2026, 2028), overrides={**GSU, **NO_GRID_POWER, "lead_time_years.gsu_transformer": 0})
    plan = Plan(base)
    assert plan.solve().objective_usd == pytest.approx(3_060_000, rel=REL)
    variant = base.with_overrides({"power_technologies.gas.gsu_mva_per_mw": 2.0})
    assert plan.resolve(variant).objective_usd == pytest.approx(3_090_000, rel=REL)
    assert Plan(variant).solve().objective_usd == pytest.approx(3_090_000, rel=REL)
