"""The comparison docs/validation.md is generated from (src/dcplan/analysis/validation.py),
worked by hand on a tiny case: the turbine row counts gas turbines entering service in
2026-2030 from the pipeline (units on order: the OEM backlog) and from new builds, and nothing
else (not engines, not turbines in service before 2026)."""

from __future__ import annotations

import pytest
from test_power_portfolio import portfolio, tech
from tiny import SRC

from dcplan import Plan
from dcplan.analysis.validation import compare, turbines_before_mw

NO_GRID_POWER = {"regions.TX.power_price_usd_per_mwh": 2_000}  # grid power dearer than the demand is worth


def _pipeline(scn, rows):
    import pandas as pd

    extra = pd.DataFrame([{**r, "unit": "MW", **SRC} for r in rows])
    return pd.concat([scn.tables["pipeline"], extra], ignore_index=True)


def _turbine_row(engine_capex: float):
    """2026-2030, 1 MW of demand, grid power too dear: on-site `turb` (family aeroderivative,
    $100/kW) with 0.3 MW in service since 2020 and 0.2 MW arriving in 2027, and an engine `eng`
    (family recip) at `engine_capex`."""
    techs = [tech("turb", family="aeroderivative", capex_usd_per_kw=100), tech("eng", family="recip", capex_usd_per_kw=engine_capex)]
    base = portfolio(techs, years=(2026, 2030), overrides=NO_GRID_POWER)
    pipe = _pipeline(base, [{"site": "s1", "asset": "turb", "online_year": 2020, "capacity": 0.3},
                            {"site": "s1", "asset": "turb", "online_year": 2027, "capacity": 0.2}])
    scn = portfolio(techs, years=(2026, 2030), overrides=NO_GRID_POWER, pipeline=pipe)
    res = Plan(scn).solve()
    assert turbines_before_mw(scn) == pytest.approx(0.3)
    return compare(res, turbines_before_mw=turbines_before_mw(scn)).set_index("key").loc["ge_vernova_2030"], res


def test_turbines_added_count_the_pipeline_and_new_builds_not_engines():
    """Cheap engines ($50/kW, $5,000/MW-yr, against the turbines' $10,000): the 0.7 MW short in 2026
    is an engine, so turbines added 2026-2030 are the 0.2 MW pipeline arrival: 0.0002 GW (the
    old reading, new builds only, gave 0). Dear engines ($1,000/kW): 0.7 MW of new turbines in
    2026 as well: 0.2 + 0.7 = 0.9 MW = 0.0009 GW (in service in 2030: 1.2 MW, less 0.3 from before 2026)."""
    row, res = _turbine_row(engine_capex=50)
    assert row["model"] == pytest.approx(0.2e-3, rel=1e-6)
    t = res.power_by_technology
    assert float(t[(t["technology"] == "eng") & (t["year"] == 2026)]["online_mw"].sum()) == pytest.approx(0.7, rel=1e-6)
    row, _ = _turbine_row(engine_capex=1_000)
    assert row["model"] == pytest.approx(0.9e-3, rel=1e-6)
    assert row["in_range"]


def test_turbine_row_is_not_computed_without_the_pipeline_before_the_horizon():
    """From a Results alone the pipeline in service before 2026 is unknown: the row says so
    rather than print a number that leaves the backlog out."""
    techs = [tech("turb", family="aeroderivative", capex_usd_per_kw=100)]
    res = Plan(portfolio(techs, years=(2026, 2030), overrides=NO_GRID_POWER)).solve()
    row = compare(res).set_index("key").loc["ge_vernova_2030"]
    assert row["model"] != row["model"] and not row["in_range"] and row["note"] == "not computed"  # NaN: no value


def test_notes_explain_a_year_of_unserved_demand_by_the_next_generation():
    """Tiny case, 2026-2027: g1 ($20,000 a GPU-year, 1 kW, 1 H100e) costs more than the demand is
    worth ($10,000 per H100e-year), so 2026's 1,000 H100e go unserved; g2 (1 H100e at 0.5 kW,
    $1,000) ships from 2027 and serves 2027. The note names 2026, the one tranche (`all`, worth
    $10,000 = the demand balance's shadow price), g1 and g2 by kW per H100e, and the re-solve
    with g2 from 2026 leaves nothing unserved."""
    import pandas as pd
    from tiny import tiny, tiny_tables

    from dcplan.analysis.validation import notes

    gpus = tiny_tables()["gpus"]
    g2 = {**gpus.iloc[0].to_dict(), "generation": "g2", "name": "G2", "first_year": 2027, "it_power_kw_per_gpu": 0.5}
    gpus = pd.concat([gpus, pd.DataFrame([g2])], ignore_index=True)
    gpus.loc[0, "price_usd_per_gpu"] = 20_000
    scn = tiny({"horizon.end_year": 2027}, gpus=gpus)
    res = Plan(scn).solve()
    assert list(res.compute["unmet_h100e"]) == pytest.approx([1000, 0], abs=1e-6)
    text = notes(res, scn, min_unmet_h100e=100)
    first = text[0]
    assert first.startswith("**Unserved demand in 2026: 0.0M H100e** (100% of demand)")
    assert "would cost 10,000 USD in 2026" in first
    assert "what the `all` tranche is worth that year (10,000 USD per H100e-year)" in first
    assert "is `g1` at 20,000 USD and 1.00 kW of IT per H100e; `g2` ships from 2027 at 1,000 USD and 0.50 kW" in first
    assert "(`--set gpus.g2.first_year=2026`), 2026's unserved demand is 0.0M H100e; with the grid-side power limits lifted" in first
    assert "costs 20.0 times one bought a year later" in first and "power is not what holds it back" in first
    assert not any(t.startswith("**Unserved demand in 2027") for t in text)
