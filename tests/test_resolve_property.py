"""Property: a re-solve after any change set equals a fresh build and solve of the same scenario.

The base is a small two-zone case (two sites, two GPU generations, three years, gas at one
site, one corridor, CoWoS binding). Each of the 60 seeded change sets mixes parameter changes
(shares, demand, prices, caps, supplies, GPU prices) with structural ones (``max_*`` to and from 0,
pipeline years, a site's region, a new region, lead times); one Plan re-solves them in turn, so
the engine moves between structures and back.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from tiny import tiny_tables

from dcplan import Plan, scenario_from_tables

N_CASES = 60


def base_tables() -> dict[str, pd.DataFrame]:
    """Two zones, two sites, two generations over 2026-2028."""
    t = tiny_tables()
    p = t["parameters"].set_index("name")
    for k, v in {
        "horizon.end_year": 2028, "demand.growth_per_year": 1.3, "discount_rate": 0.05,
        "capex_usd_per_kw.shell": 900, "capex_usd_per_kva.transformer": 40, "capex_usd_per_kw.gas_turbine": 1200,
        "gas_turbine.heat_rate_mmbtu_per_mwh": 7, "gas_turbine.variable_om_usd_per_mwh": 3,
        "power_price.escalation_per_year": 0.02, "gas_turbine.availability": 0.95, "operations.load_factor": 0.8,
    }.items():
        p.loc[k, "value"] = v
    t["parameters"] = p.reset_index()
    sup = t["supply"].copy()
    sup["cowos_wafers_per_year"] = 250
    sup["hbm_stacks_per_year"] = 4000
    sup["gas_turbine_mw_per_year"] = 1.5
    sup["transformer_mva_per_year"] = 2.5
    t["supply"] = sup
    g1 = dict(t["gpus"].iloc[0])
    t["gpus"] = pd.DataFrame([
        {**g1, "lifetime_years": 2},
        {**g1, "generation": "g2", "name": "G2", "first_year": 2027, "it_power_kw_per_gpu": 1.4,
         "dense_bf16_pflops_per_gpu": 2.2, "hbm_stacks_per_gpu": 2, "packages_per_cowos_wafer": 8,
         "price_usd_per_gpu": 2500, "lifetime_years": 2},
    ])
    r = dict(t["regions"].iloc[0])
    t["regions"] = pd.DataFrame([
        {**r, "region": "ZONE_A", "name": "Zone A", "headroom_mw_start": 2.0, "headroom_growth_mw_per_year": 0.5,
         "interconnection_cap_mw_per_year": 2.0, "interconnection_capex_usd_per_kw": 150, "power_price_usd_per_mwh": 45,
         "gas_price_usd_per_mmbtu": 3.0},
        {**r, "region": "ZONE_B", "name": "Zone B", "headroom_mw_start": 1.0, "headroom_growth_mw_per_year": 0.2,
         "interconnection_cap_mw_per_year": 1.0, "interconnection_capex_usd_per_kw": 210, "power_price_usd_per_mwh": 62,
         "gas_price_usd_per_mmbtu": 2.5},
    ])
    s = dict(t["sites"].iloc[0])
    t["sites"] = pd.DataFrame([
        {**s, "region": "ZONE_A", "max_it_mw": 3.0, "max_grid_mw": 3.0, "max_onsite_gas_mw": 0, "pue": 1.2},
        {**s, "site": "s2", "name": "Site 2", "region": "ZONE_B", "latitude": 33.0, "longitude": -97.0,
         "max_it_mw": 4.0, "max_grid_mw": 2.0, "max_onsite_gas_mw": 2.0, "pue": 1.1},
    ])
    pl = t["pipeline"].copy()
    pl["capacity"] = 0.8
    t["pipeline"] = pl
    c = {"from_region": "ZONE_A", "to_region": "ZONE_B", "capacity_mw": 0.3, "reverse_capacity_mw": None, "length_km": 200,
         "loss_fraction": 0.05, "wheeling_usd_per_mwh": 4, "expansion_capex_usd_per_mw_km": 500,
         "expansion_lead_time_years": 1, "max_expansion_mw": 1.0, **{k: t["sites"][k].iloc[0] for k in ("source", "source_year")}}
    t["transmission"] = pd.DataFrame([c])
    return t


def _param_change(rng: random.Random) -> dict:
    zone, site, year = rng.choice(["ZONE_A", "ZONE_B"]), rng.choice(["s1", "s2"]), rng.choice([2026, 2027, 2028])
    return rng.choice([
        {"planner_share.cowos": round(rng.uniform(0.3, 1.0), 3)},
        {"planner_share.hbm": round(rng.uniform(0.3, 1.0), 3)},
        {"planner_share.gas_turbine": round(rng.uniform(0.2, 1.0), 3)},
        {"demand.start_h100e_millions": round(rng.uniform(0.0005, 0.003), 6)},
        {"demand.growth_per_year": round(rng.uniform(1.0, 1.6), 3)},
        {f"regions.{zone}.power_price_usd_per_mwh": round(rng.uniform(10, 90), 2)},
        {f"regions.{zone}.headroom_mw_start": round(rng.uniform(0, 3), 3)},
        {f"regions.{zone}.interconnection_cap_mw_per_year": round(rng.uniform(0, 3), 3)},
        {f"supply.{year}.cowos_wafers_per_year": round(rng.uniform(50, 400))},
        {"gpus.g2.price_usd_per_gpu": round(rng.uniform(1200, 6000))},
        {"discount_rate": round(rng.uniform(0, 0.1), 3)},
        {f"sites.{site}.pue": round(rng.uniform(1.05, 1.5), 3)},
    ])


def _structural_change(rng: random.Random, t: dict[str, pd.DataFrame]) -> dict:
    """Edit `t` in place or return overrides; each of these can change the index sets."""
    kind = rng.choice(["max0", "max_back", "pipeline_year", "region", "new_region", "lead", "perm"])
    site = rng.choice(["s1", "s2"])
    if kind == "max0":
        return {f"sites.{site}.{rng.choice(['max_grid_mw', 'max_onsite_gas_mw', 'max_it_mw'])}": 0}
    if kind == "max_back":
        return {"sites.s1.max_onsite_gas_mw": round(rng.uniform(0.5, 2), 2)}
    if kind == "pipeline_year":
        pl = t["pipeline"]
        i = rng.randrange(len(pl))
        pl.loc[i, "online_year"] = rng.choice([2020, 2027, 2028])
        return {}
    if kind == "region":
        t["sites"].loc[t["sites"]["site"] == site, "region"] = rng.choice(["ZONE_A", "ZONE_B"])
        return {}
    if kind == "new_region":
        r = dict(t["regions"].iloc[0])
        t["regions"] = pd.concat([t["regions"], pd.DataFrame([{**r, "region": "ZONE_C", "name": "Zone C"}])], ignore_index=True)
        if rng.random() < 0.5:
            t["sites"].loc[t["sites"]["site"] == site, "region"] = "ZONE_C"
        return {}
    if kind == "lead":
        asset = rng.choice(["shell", "grid_interconnection", "transformer", "gas_turbine"])
        return {f"lead_time_years.{asset}": rng.choice([0, 1, 2])}
    return {"transmission.ZONE_A.ZONE_B.max_expansion_mw": rng.choice([0, 0.5])}


def change_set(seed: int):
    """(tables, overrides) of case `seed`: 1-3 parameter changes, and a structural one in 2 of 3 cases."""
    rng = random.Random(seed)
    t = {k: v.copy() for k, v in base_tables().items()}
    over: dict = {}
    for _ in range(rng.randint(1, 3)):
        over.update(_param_change(rng))
    if rng.random() < 2 / 3:
        over.update(_structural_change(rng, t))
    return t, over


def _per_year(res):
    c = res.compute.set_index("year")
    cap = res.capacity.groupby(["site", "asset", "year"])["online"].sum()
    return c["online_h100e"], c["unmet_h100e"], cap


@pytest.fixture(scope="module")
def cases():
    out = []
    for seed in range(N_CASES):
        t, over = change_set(seed)
        out.append(scenario_from_tables(t, name=f"case{seed}", overrides=over))
    return out


def test_every_resolve_equals_a_fresh_build(cases):
    plan = Plan(scenario_from_tables(base_tables(), name="base"))
    plan.solve()
    kinds = []
    for scn in cases:
        key = plan.sets.structure_key()
        res = plan.resolve(scn)
        kinds.append(plan.sets.structure_key() == key)
        fresh = Plan(scn).solve()
        assert res.objective_usd == pytest.approx(fresh.objective_usd, rel=1e-9), scn.name
        (on_r, un_r, cap_r), (on_f, un_f, cap_f) = _per_year(res), _per_year(fresh)
        np.testing.assert_allclose(on_r.to_numpy(), on_f.to_numpy(), rtol=1e-7, atol=1e-6, err_msg=scn.name)
        np.testing.assert_allclose(un_r.to_numpy(), un_f.to_numpy(), rtol=1e-7, atol=1e-6, err_msg=scn.name)
        cap = pd.concat([cap_r.rename("resolve"), cap_f.rename("fresh")], axis=1).fillna(0.0)
        np.testing.assert_allclose(cap["resolve"], cap["fresh"], rtol=1e-7, atol=1e-6, err_msg=scn.name)
    assert 15 <= sum(kinds) <= N_CASES - 15  # both in-place updates and rebuilds, many of each


def test_parameter_only_variants_equal_fresh_builds():
    """The cheap path: variants made with with_overrides share the tables, skip the sets when no
    parameter they read changed, and recompute only the touched parameter groups. Some of these
    parameters are read by the sets (lifetimes, must-run) and must still rebuild."""
    base = scenario_from_tables(base_tables(), name="base")
    plan = Plan(base)
    plan.solve(results="key")
    chain = [
        {"planner_share.cowos": 0.5}, {"demand.growth_per_year": 1.5, "planner_share.cowos": 0.8},
        {"lifetime_years.shell": 2}, {"power_price.escalation_per_year": 0.08}, {"discount_rate": 0.0},
        {"operations.pipeline_gpus_must_run": 1}, {"gas_turbine.availability": 0.6}, {"lifetime_years.shell": 10},
        {"gpus.g2.price_usd_per_gpu": 1500},  # a table cell: the full path
    ]
    scn, rebuilt = base, []
    for over in chain:
        scn = scn.with_overrides(over)
        kf = plan.resolve(scn, results="key")
        rebuilt.append(kf.solver["rebuilt"])
        fresh = Plan(scn).solve(results="key")
        assert kf.objective_usd == pytest.approx(fresh.objective_usd, rel=1e-9), over
        assert kf.compute_online_h100e == pytest.approx(fresh.compute_online_h100e, rel=1e-7, abs=1e-6)
        assert kf.unmet_h100e == pytest.approx(fresh.unmet_h100e, rel=1e-7, abs=1e-6)
    assert rebuilt[0] is False and rebuilt[2] is True  # a share updates in place; a lifetime opens columns
