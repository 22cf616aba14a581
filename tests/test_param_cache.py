"""The LP's cost coefficients and the parameter cache are exact.

model/coefficients.py memoises the present value of each cost on a key that holds what its
terms depend on (a GPU's cost is the same at every site, a site asset's depends on the site
through its lead time and region, dispatch through the site's region); the ParamCache reuses
groups a variant did not touch. Both must give exactly what a per-index computation from
``unit_costs`` gives.
"""

from __future__ import annotations

import pytest
from test_resolve_property import base_tables

from dcplan import load_scenario, scenario_from_tables
from dcplan.model.coefficients import ParamCache, param_values, unit_costs
from dcplan.model.sets import build_sets

COST_VARS = {
    "cost_ship": "ship", "cost_build": "build", "cost_early": "early", "cost_early_ship": "early_ship",
    "cost_expand": "expand", "cost_contract": "contract", "cost_xexp": "xexp", "cost_gen": "gen", "cost_flow": "flow",
    "cost_onsite": "onsite", "cost_cdisp": "cdisp", "cost_unmet": "unmet", "cost_unmet_training": "unmet_training",
}


def _direct_pv(scn, sets, var, idx):
    return sum(t.musd_per_unit_year * sum(scn.discount_factor(y) for y in t.years) for t in unit_costs(scn, sets, var, idx))


@pytest.mark.parametrize("which", ["default", "tiny"])
def test_memoised_costs_equal_per_index_costs(which):
    scn = load_scenario() if which == "default" else scenario_from_tables(base_tables(), name="tiny")
    scn = scn.with_overrides({"capex_usd_per_kw.substation": 80.0, "co2.price_usd_per_t": 50.0})
    sets = build_sets(scn)
    values = param_values(scn, sets)
    checked = 0
    for name, var in COST_VARS.items():
        for idx, v in values[name].items():
            assert v == pytest.approx(_direct_pv(scn, sets, var, idx), rel=1e-12, abs=1e-15), (name, idx)
            checked += 1
    assert checked > (1000 if which == "default" else 50)


def test_the_cache_equals_a_fresh_computation_over_a_chain_of_variants():
    scn = load_scenario()
    sets = build_sets(scn)
    cache = ParamCache()
    cache.values(scn, sets)
    for over in [
        {"power_price.escalation_per_year": 0.03}, {"sites.*.pue": 1.25}, {"regions.TX.gas_price_usd_per_mmbtu": 5.0},
        {"planner_share.cowos": 0.55, "power_technologies.gas_sc.capex_usd_per_kw": 2600}, {"discount_rate": 0.05},
    ]:
        scn = scn.with_overrides(over)
        got = cache.values(scn, sets)
        want = param_values(scn, build_sets(scn))
        assert got.keys() == want.keys()
        for k in want:
            assert got[k] == want[k], (over, k)


def test_a_grid_price_change_reuses_the_dispatch_costs_and_a_gas_price_change_does_not():
    scn = load_scenario()
    sets = build_sets(scn)
    cache = ParamCache()
    cache.values(scn, sets)
    before = dict(cache._parts)
    cache.values(scn.with_overrides({"power_price.escalation_per_year": 0.03}), sets)
    assert cache._parts["_dispatch_costs"] is before["_dispatch_costs"]
    assert cache._parts["_grid_energy_costs"] is not before["_grid_energy_costs"]
    before = dict(cache._parts)
    cache.values(scn.with_overrides({"regions.TX.gas_price_usd_per_mmbtu": 5.0}), sets)
    assert cache._parts["_dispatch_costs"] is not before["_dispatch_costs"]
