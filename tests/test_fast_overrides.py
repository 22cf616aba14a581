"""The fast path of Scenario.with_overrides (scenario/load.py: with_fast_overrides) equals the
full path, and a re-solve of its variants equals a fresh build.

Number cells no cross-table check reads (a site's PUE, a region's price or cap, a GPU's price,
a corridor's capacity) are re-validated table by table, the other tables shared; everything
else takes the full path (re-validating the whole scenario from its raw tables).
"""

from __future__ import annotations

import random

import pandas as pd
import pytest
from test_resolve_property import base_tables

from dcplan import Plan, load_scenario, scenario_from_tables
from dcplan.errors import InputError
from dcplan.model.tracking import changed_params


def full_path(scn, overrides):
    """What with_overrides would give without the fast path."""
    return scenario_from_tables(
        scn.raw_tables, name=scn.name, description=scn.description, overrides={**scn.overrides, **overrides},
        solver_options=scn.solver_options, scope=scn.scope,
    )


def assert_same_scenario(a, b):
    assert a.params == b.params
    assert a.overrides == b.overrides
    assert a.tables.keys() == b.tables.keys()
    for k in a.tables:
        pd.testing.assert_frame_equal(a.tables[k], b.tables[k], check_exact=True, obj=k)


@pytest.fixture(scope="module")
def default():
    return load_scenario()


CHAINS = [
    [{"sites.*.pue": 1.15}],
    [{"sites.*.pue": 1.15}, {"sites.abilene_tx.pue": 1.3}],  # '*' then one row: the later wins, as in the full path
    [{"sites.abilene_tx.pue": 1.3}, {"sites.*.pue": 1.15}],
    [{"regions.VA.interconnection_cap_mw_per_year": 333.0, "planner_share.cowos": 0.5},
     {"power_technologies.gas_sc.capex_usd_per_kw": 2500, "gpus.rubin.price_usd_per_gpu": 41000}],
    [{"regions.TX.power_price_usd_per_mwh": 70, "power_technologies.gas_cc.capex_usd_per_kw": 1900}],
    [{"network.training_bits_per_flop": 1e-6}, {"network.training_bits_per_flop": 7e-7, "sites.*.pue": 1.2}],
]


@pytest.mark.parametrize("chain", CHAINS, ids=range(len(CHAINS)))
def test_fast_path_equals_full_path(default, chain):
    scn = default
    for over in chain:
        want = full_path(scn, over)
        scn = scn.with_overrides(over)
        assert_same_scenario(scn, want)


def test_fast_path_shares_what_it_did_not_change(default):
    default.regions, default.sites, default.gpu_spec  # noqa: B018 (fill the cached views)
    from dcplan.network.fiber import fiber_graph
    from dcplan.network.power import scenario_corridors

    fiber_graph(default)
    scenario_corridors(default)
    v = default.with_overrides({"sites.*.pue": 1.2})
    assert not v.tables.shares("sites", default.tables)
    assert all(v.tables.shares(k, default.tables) for k in default.tables if k != "sites")
    assert changed_params(v, default) == {"sites.*.pue", "table:sites"}
    assert v._views.get("regions") is default._views["regions"]  # reads regions.csv only: shared
    assert "sites" not in v._views  # reads sites.csv: recomputed
    assert "corridor_records" in v._derived and "fiber_graph" not in v._derived  # the graph carries every site column
    assert float(v.sites["pue"].iloc[0]) == 1.2
    b = default.with_overrides({"network.training_bits_per_flop": 1e-6})  # a coefficient, read by no check
    assert all(b.tables.shares(k, default.tables) for k in default.tables)
    assert changed_params(b, default) == {"network.training_bits_per_flop"}


@pytest.mark.parametrize(
    "over",
    [
        {"sites.*.max_it_mw": 100_000},  # site limits are checked against the pipeline
        {"sites.abilene_tx.latitude": 33.0},  # coordinates: the geography checks
        {"supply.2027.cowos_wafers_per_year": 1000},
        {"lead_time_years.shell": 3},
        {"network.route_factor": 1.5},  # the latency parameters: named superclusters are checked against the budget
        {"network.latency_budget_ms": 25.0},
        {"network.fiber_us_per_km": 5.0},
        {"sites.*.pue": None},  # a blank cell
    ],
)
def test_cross_checked_cells_take_the_full_path(default, over):
    if None in over.values():  # a blank PUE: the full path's answer is an error naming the cells
        with pytest.raises(InputError, match="pue"):
            default.with_overrides(over)
        return
    v = default.with_overrides(over)
    assert not any(v.tables.shares(k, default.tables) for k in default.tables)  # re-read, not shared
    assert_same_scenario(v, full_path(default, over))


@pytest.mark.parametrize("over", [{"sites.*.pue": 9}, {"sites.abilene_tx.pue": "high"}, {"gpus.rubin.price_usd_per_gpu": -1}])
def test_a_bad_value_gets_the_full_paths_message(default, over):
    with pytest.raises(InputError) as fast:
        default.with_overrides(over)
    with pytest.raises(InputError) as full:
        full_path(default, over)
    assert [str(p) for p in fast.value.problems] == [str(p) for p in full.value.problems]


def _cell_change(rng: random.Random) -> dict:
    zone, site, year = rng.choice(["ZONE_A", "ZONE_B"]), rng.choice(["s1", "s2"]), rng.choice([2026, 2027, 2028])
    return rng.choice([
        {f"sites.{site}.pue": round(rng.uniform(1.05, 1.5), 3)},
        {"sites.*.pue": round(rng.uniform(1.05, 1.5), 3)},
        {f"regions.{zone}.power_price_usd_per_mwh": round(rng.uniform(10, 90), 2)},
        {f"regions.{zone}.headroom_mw_start": round(rng.uniform(0, 3), 3)},
        {f"regions.{zone}.interconnection_cap_mw_per_year": round(rng.uniform(0, 3), 3)},
        {f"regions.{zone}.gas_price_usd_per_mmbtu": round(rng.uniform(1, 8), 2)},
        {"gpus.g2.price_usd_per_gpu": round(rng.uniform(1200, 6000))},
        {"gpus.g2.it_power_kw_per_gpu": round(rng.uniform(0.8, 2.0), 2)},
        {"transmission.ZONE_A.ZONE_B.capacity_mw": round(rng.uniform(0, 1), 2)},
        {"transmission.ZONE_A.ZONE_B.max_expansion_mw": rng.choice([0, 0.5])},
        {f"supply.{year}.cowos_wafers_per_year": round(rng.uniform(50, 400))},  # full path
        {f"sites.{site}.max_onsite_gas_mw": rng.choice([0, 1.5])},  # full path, may change structure
        {"planner_share.cowos": round(rng.uniform(0.3, 1.0), 3)},
        {"demand.growth_per_year": round(rng.uniform(1.0, 1.6), 3)},
    ])


def test_a_chain_of_fast_variants_resolves_as_fresh_builds():
    """40 seeded variants, each with_overrides of the previous (cells and parameters mixed),
    re-solved in place by one Plan: every objective and per-year answer equals a fresh build's."""
    rng = random.Random(7)
    scn = scenario_from_tables(base_tables(), name="base")
    plan = Plan(scn)
    plan.solve(results="key")
    in_place = 0
    for i in range(40):
        over: dict = {}
        for _ in range(rng.randint(1, 2)):
            over.update(_cell_change(rng))
        scn = scn.with_overrides(over)
        kf = plan.resolve(scn, results="key")
        in_place += not kf.solver["rebuilt"]
        fresh = Plan(full_path(scn, {})).solve(results="key")
        assert kf.objective_usd == pytest.approx(fresh.objective_usd, rel=1e-9), (i, over)
        assert kf.compute_online_h100e == pytest.approx(fresh.compute_online_h100e, rel=1e-7, abs=1e-6), (i, over)
        assert kf.unmet_h100e == pytest.approx(fresh.unmet_h100e, rel=1e-7, abs=1e-6), (i, over)
    assert in_place >= 20
