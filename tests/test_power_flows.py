"""Hand-worked cases for time slices (T), regional supply (H1-H2) and transmission (X1-X2)."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import shadow
from tiny import SRC, tiny_tables

from dcplan import Plan, scenario_from_tables

REL = 1e-6


def two_regions(corridor: dict | None = None, overrides=None):
    """Tiny case plus an Oklahoma region with no site, and an OK->TX corridor."""
    t = tiny_tables()
    tx = dict(t["regions"].iloc[0])
    t["regions"] = pd.DataFrame([tx, {**tx, "region": "OK", "name": "Oklahoma", "iso": "SPP"}])
    if corridor is not None:
        row = {"from_region": "OK", "to_region": "TX", "capacity_mw": 0.5, "reverse_capacity_mw": None, "length_km": 100,
               "loss_fraction": 0.1, "wheeling_usd_per_mwh": 5, "expansion_capex_usd_per_mw_km": 0,
               "expansion_lead_time_years": 0, "max_expansion_mw": 0, **SRC}
        t["transmission"] = pd.DataFrame([{**row, **corridor}])
    base = {"regions.TX.power_price_usd_per_mwh": 60, "regions.OK.power_price_usd_per_mwh": 20}
    return Plan(scenario_from_tables(t, overrides={**base, **(overrides or {})})).solve()


def test_cheap_region_exports_until_the_corridor_binds():
    """Site in TX ($60/MWh) needs 1 MW all year; OK power is $20/MWh, 0.5 MW over a corridor
    with 10% losses and $5/MWh wheeling. A MW sent costs $25 and displaces 0.9 MW of $60 power
    ($54): import to the limit. Energy = 8,760 x (0.55 x $60 + 0.5 x $25) = $398,580.
    Shadow price of the corridor = (0.9 x 60 - 20 - 5) x 8,760 = $254,040 per MW-year."""
    res = two_regions(corridor={})
    assert res.objective_usd == pytest.approx(1_000_000 + 398_580, rel=REL)
    f = res.flows.set_index(["from_region", "to_region"])
    assert f.loc[("OK", "TX"), "flow_mw"] == pytest.approx(0.5)
    assert f.loc[("TX", "OK"), "flow_mw"] == pytest.approx(0.0)
    row = shadow(res, "transmission_capacity", 2026, corridor="OK->TX")
    assert row["binding"] and row["shadow_price_usd_per_unit"] == pytest.approx(254_040, rel=REL)
    rs = res.regional_supply.set_index("region")
    assert rs.loc["TX", "supply_mw"] == pytest.approx(0.55) and rs.loc["TX", "imports_mw"] == pytest.approx(0.45)
    assert rs.loc["OK", "exports_mw"] == pytest.approx(0.5)


def test_no_import_when_the_price_gap_is_smaller_than_wheeling_and_losses():
    """OK at $50: 0.9 x 60 - 50 - 5 = -$1/MWh, so nothing flows and the corridor is slack."""
    res = two_regions(corridor={}, overrides={"regions.OK.power_price_usd_per_mwh": 50})
    assert res.flows["flow_mw"].sum() == pytest.approx(0, abs=1e-9)
    assert res.objective_usd == pytest.approx(1_000_000 + 60 * 8760, rel=REL)
    assert not shadow(res, "transmission_capacity", 2026, corridor="OK->TX")["binding"]


def test_corridor_expansion_when_cheaper_than_the_price_gap():
    """Expansion at $100/MW-km x 100 km = $10,000/MW, 40-year life, r = 0: $250 per MW-year.
    Worth it: the corridor grows until TX buys nothing: send 1/0.9 MW (0.6111 MW of expansion).
    Cost = 8,760 x 25 x 1.1111 + 0.6111 x $250 = $243,333.33 + $152.78; the corridor's shadow
    price falls to the expansion's $250 per MW-year."""
    res = two_regions(corridor={"expansion_capex_usd_per_mw_km": 100, "max_expansion_mw": 10})
    assert res.objective_usd == pytest.approx(1_000_000 + 8760 * 25 / 0.9 + (1 / 0.9 - 0.5) * 250, rel=REL)
    assert res.flows.set_index(["from_region", "to_region"]).loc[("OK", "TX"), "capacity_mw"] == pytest.approx(1 / 0.9)
    assert shadow(res, "transmission_capacity", 2026, corridor="OK->TX")["shadow_price_usd_per_unit"] == pytest.approx(250, rel=REL)


SLICES = {"a": 4380, "b": 4380}
SWING = {("TX", "a"): 0.5, ("TX", "b"): 1.5, ("OK", "a"): 1.5, ("OK", "b"): 0.5}  # base $40: $20 / $60


def test_load_shifts_between_slices_toward_the_cheaper_site():
    """1,000 GPUs installed at each of s1 (TX) and s2 (OK); 1,000 H100e needed in every slice.
    TX power is $20 in slice a and $60 in b; OK the reverse. Run at TX in a, at OK in b:
    energy = 4,380 x 1 MW x $20 x 2 = $175,200 (GPUs are sunk, so that is the whole cost)."""
    gp = pd.DataFrame([{"site": s, "generation": "g1", "install_year": 2026, "gpus": 1000, **SRC} for s in ("s1", "s2")])
    res = _shift(gp, {})
    assert res.objective_usd == pytest.approx(175_200, rel=REL)
    ps = res.power_slices.set_index(["site", "slice"])["it_mw"]
    assert ps.get(("s1", "a"), 0) == pytest.approx(1) and ps.get(("s2", "b"), 0) == pytest.approx(1)
    assert ps.get(("s1", "b"), 0) == pytest.approx(0, abs=1e-9) and ps.get(("s2", "a"), 0) == pytest.approx(0, abs=1e-9)


def test_load_shifting_stops_at_the_site_capacity():
    """As above, but s1's grid connection is 0.6 MW: in slice a, 0.6 MW runs at TX ($20) and
    0.4 MW at OK ($60). Energy = 4,380 x (0.6 x 20 + 0.4 x 60) + 4,380 x 20 = $245,280.
    s1's grid capacity in slice a is worth 4,380 x (60 - 20) = $175,200 per MW."""
    gp = pd.DataFrame([{"site": s, "generation": "g1", "install_year": 2026, "gpus": 1000, **SRC} for s in ("s1", "s2")])
    res = _shift(gp, {"pipeline.s1.grid_interconnection.2020.capacity": 0.6, "sites.s1.max_grid_mw": 0.6})
    assert res.objective_usd == pytest.approx(245_280, rel=REL)
    ps = res.power_slices.set_index(["site", "slice"])["it_mw"]
    assert ps[("s1", "a")] == pytest.approx(0.6) and ps[("s2", "a")] == pytest.approx(0.4)
    row = shadow(res, "grid_capacity", 2026, site="s1", slice="a")
    assert row["shadow_price_usd_per_unit"] == pytest.approx(175_200, rel=REL)


def _shift(gpu_pipeline: pd.DataFrame, overrides: dict):
    t = tiny_tables()
    tx = dict(t["regions"].iloc[0])
    t["regions"] = pd.DataFrame([tx, {**tx, "region": "OK", "name": "Oklahoma", "iso": "SPP"}])
    s1 = dict(t["sites"].iloc[0])
    t["sites"] = pd.DataFrame([s1, {**s1, "site": "s2", "name": "Site 2", "region": "OK", "latitude": 36.31, "longitude": -95.32}])
    pl = t["pipeline"]
    t["pipeline"] = pd.concat([pl, pl.assign(site="s2")], ignore_index=True)
    t["gpu_pipeline"] = gpu_pipeline
    t["time_slices"] = pd.DataFrame([{"slice": k, "hours": h, "description": k, **SRC} for k, h in SLICES.items()])
    t["slice_profiles"] = pd.DataFrame(
        [{"region": r, "slice": k, "price_multiplier": pm, "headroom_multiplier": 1.0, **SRC} for (r, k), pm in SWING.items()]
    )
    base = {"regions.TX.power_price_usd_per_mwh": 40, "regions.OK.power_price_usd_per_mwh": 40, "horizon.end_year": 2026}
    return Plan(scenario_from_tables(t, overrides={**base, **overrides})).solve()
