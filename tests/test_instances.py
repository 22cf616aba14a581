"""The benchmark instances (dcplan.scenario.instances): reproducible, valid, and solvable.

Only small and medium are built here (large is for benchmarks/). Assertions are on what the
generator promises (sizes, reproducibility, states, scaling, slice hours), not on the default's
figures, and on the solve's status and the LP's shape.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dcplan import Plan
from dcplan.geo.sites import site_states
from dcplan.scenario.instances import _split_slices, instance, instance_spec, instance_tables
from dcplan.scenario.load import load_scenario


@pytest.fixture(scope="module")
def default():
    return load_scenario()


@pytest.fixture(scope="module")
def medium():
    return instance("medium")


def test_small_is_the_default(default):
    small = instance("small")
    assert small.name == default.name
    assert len(small.tables["sites"]) == len(default.tables["sites"])


def test_medium_copies_sites_and_scales_what_they_share(default, medium):
    """n copies of every site (n: the nearest to ~100 sites), each copy in its state; shared limits
    and the default's demand path (demand.csv, not start x growth) x n."""
    n = instance_spec("medium", default).copies
    sites = medium.tables["sites"]
    assert len(sites) == n * len(default.tables["sites"])
    assert abs(len(sites) - 100) <= len(default.tables["sites"]) / 2
    assert len(medium.years) == 10 and len(medium.slices) == len(default.slices) > 1
    assert (site_states(sites).to_numpy() == sites["region"].to_numpy()).all()
    assert not default.demand_from_growth and not medium.demand_from_growth
    for y in default.years:
        assert medium.demand_h100e_millions(y) == pytest.approx(n * default.demand_h100e_millions(y))
    for table, col in (("supply", "cowos_wafers_per_year"), ("regions", "headroom_mw_start"), ("transmission", "capacity_mw")):
        assert medium.tables[table][col].sum() == pytest.approx(n * default.tables[table][col].sum())
    for table in ("pipeline", "gpu_pipeline", "fiber_links", "superclusters"):
        assert len(medium.tables[table]) == n * len(default.tables[table])
    # copies never shrink a site below its pipeline: limits are scaled by >= 1
    merged = sites.assign(orig=sites["site"].str.replace(r"_r\d+$", "", regex=True)).merge(
        default.tables["sites"], left_on="orig", right_on="site", suffixes=("", "_orig"))
    assert (merged["max_it_mw"] >= merged["max_it_mw_orig"]).all()


def test_instances_are_reproducible(default):
    a, _ = instance_tables("medium", seed=3, base=default)
    b, _ = instance_tables("medium", seed=3, base=default)
    c, _ = instance_tables("medium", seed=4, base=default)
    pd.testing.assert_frame_equal(a["sites"], b["sites"])
    assert not a["sites"]["max_it_mw"].equals(c["sites"]["max_it_mw"])


def test_twelve_slices_keep_hours_and_weighted_multipliers(default):
    """Splitting 5 slices into 12 keeps 8,760 h and each parent's hours-weighted multipliers."""
    t = {k: v.copy() for k, v in default.raw_tables.items()}
    _split_slices(t, 12)
    ts = t["time_slices"].astype({"hours": float})
    assert len(ts) == 12 and ts["hours"].sum() == pytest.approx(8760)
    sp = t["slice_profiles"].astype({"price_multiplier": float, "headroom_multiplier": float})
    sp["parent"] = sp["slice"].str.replace(r"_\d+$", "", regex=True)
    orig = default.tables["slice_profiles"].set_index(["region", "slice"])
    got = sp.groupby(["region", "parent"])[["price_multiplier", "headroom_multiplier"]].mean()  # equal hours per part
    for (r, s), row in got.iterrows():
        assert row["price_multiplier"] == pytest.approx(orig.loc[(r, s), "price_multiplier"])
        assert row["headroom_multiplier"] == pytest.approx(orig.loc[(r, s), "headroom_multiplier"])


def test_twelve_slices_validate_with_every_technology_slice_row_split(default):
    """The large instance's slice split also splits power_technology_slices.csv (each part keeps
    its parent's availability), so the scenario validates (it did not: 'unknown time slice')."""
    from dcplan.scenario.instances import scaled_instance

    scn = scaled_instance(1, slices=12)
    assert len(scn.slices) == 12
    for (k, t), (avail, credit) in default._tech_slices.items():
        parts = [s for s in scn.slices if s == t or s.startswith(f"{t}_")]
        assert parts and all(scn._tech_slices[k, s] == (avail, credit) for s in parts)


def test_medium_solves_to_optimal(medium):
    """The medium LP (~4x the default's columns, ~100 sites, 10 years, 5 slices, network on) solves cold to optimal."""
    res = Plan(medium).solve()
    assert res.status == "Optimal"
    assert res.solver["columns"] > 3 * 10_000
    assert len(res.compute) == 10
