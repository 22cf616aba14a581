"""Which shadow prices hold: HiGHS ranging and one-unit re-solves on hand-built cases
(results/realised.py, solve/ranging.py; docs/formulation.md, "Shadow prices that hold").

The degenerate case, worked by hand (tiny.py base; zero discount rate, so year-y = PV):
- 2026-2027, demand 10,000 H100e a year (10 MW of 1 kW GPUs at PUE 1), unmet at $10,000 each;
  GPUs $1,000 (life 1 year); shells and grid ties take a year to build (lead time 1).
- s1 (Texas, power $100/MWh): 5 MW of shell online, grid and transformers plenty. One more MW of
  shell at s1 serves 1,000 more GPUs in 2026: $10M of demand less $1M of GPUs less 8,760 MWh at
  $100 = $8,124,000 per MW, and that holds for the 5 MW of demand left unmet.
- s2 (Oklahoma, power free): transformers online but no shell and no grid tie in 2026 (nothing
  can be built in time): a site with no load yet. Its shell and grid limits are both tight at
  zero; for the LP's optimum the s2 limits must price s2's GPUs out (at least $9M per MW between
  them), but how HiGHS splits that between them is arbitrary, and relaxing either one alone by
  one MW realises exactly $0 (the other still stops any load). The raw dual can even exceed
  s1's real value (HiGHS puts $10M/MW on s2's shell), and would then head the timeline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import shadow
from tiny import tiny, tiny_tables

from dcplan import Plan, scenario_from_tables
from dcplan.results.bottlenecks import bottleneck_timeline
from dcplan.results.realised import DEGENERATE_SHARE

S1_VALUE = 10_000_000 - 1_000_000 - 876_000  # USD per MW of shell at s1 in 2026
S2_LIMITS = ("shell_capacity", "grid_capacity")
SAME_GPUS = {"horizon.end_year": 2027, "demand.growth_per_year": 2, "supply.2027.cowos_wafers_per_year": 150,
             "supply.2027.hbm_stacks_per_year": 1_500}
"""2027: CoWoS and HBM both allow exactly 1,500 GPUs against 2,000 demanded."""


def two_sites(overrides: dict | None = None):
    """The degenerate case of the module docstring (`overrides` on top)."""
    t = tiny_tables()
    reg = t["regions"]
    ok = reg.iloc[[0]].assign(region="OK", name="Oklahoma", iso="SPP")
    t["regions"] = pd.concat([reg.assign(power_price_usd_per_mwh=100.0), ok], ignore_index=True)
    s = t["sites"]
    t["sites"] = pd.concat([s, s.iloc[[0]].assign(site="s2", name="Site 2", region="OK", latitude=36.3, longitude=-95.3)],
                           ignore_index=True)
    p = t["pipeline"]
    p.loc[p["asset"] == "shell", "capacity"] = 5.0
    p2 = p[p["asset"] == "transformer"].assign(site="s2")
    t["pipeline"] = pd.concat([p, p2], ignore_index=True)
    ov = {"horizon.end_year": 2027, "demand.start_h100e_millions": 0.01, "lead_time_years.shell": 1,
          "lead_time_years.grid_interconnection": 1, **(overrides or {})}
    return scenario_from_tables(t, name="two-sites", overrides=ov)


@pytest.fixture(scope="module")
def degenerate():
    return Plan(two_sites()).solve()


def test_two_sites_objective(degenerate):
    """2026: 5,000 GPUs ($5M) + 43,800 MWh at $100 ($4.38M) + 5,000 unmet ($50M); 2027: 10,000
    GPUs at s2, where power is free, after shells and grid built in 2026 at no cost ($10M). $69.38M."""
    assert degenerate.objective_usd == pytest.approx(69_380_000, rel=1e-9)
    assert list(degenerate.compute["unmet_h100e"].round(6)) == [5_000, 0]


def test_site_with_no_load_limits_are_degenerate(degenerate):
    """Whichever of s2's shell and grid limits HiGHS prices in 2026, together they price s2's
    GPUs out (>= $9M per MW), and each one alone realises exactly $0: degenerate, holding for 0 MW."""
    sp = degenerate.shadow_prices
    s2 = sp[(sp["site"] == "s2") & (sp["year"] == 2026) & sp["family"].isin(S2_LIMITS)]
    assert s2["shadow_price_usd_per_unit"].sum() >= 9_000_000 - 1
    b = s2[s2["binding"]]
    assert len(b) >= 1
    assert (b["realised_usd_per_unit"].abs() < 1e-3).all()
    assert b["degenerate"].astype(bool).all()
    assert (b["holds_for_units"] == 0).all()
    assert (b["realised_by"] == "re-solve").all()
    early = sp[(sp["family"] == "lead_time") & (sp["site"] == "s2") & sp["binding"]]  # a shell or grid tie a year early
    assert (early["realised_usd_per_unit"].abs() < 1e-3).all() and early["degenerate"].astype(bool).all()


def test_the_limit_that_really_binds_holds(degenerate):
    """s1's shell: shadow price = one-unit value = $8,124,000 per MW, holding for the 5 MW of
    unmet demand (HiGHS ranging: no re-solve needed); likewise a shell a year early at s1."""
    r = shadow(degenerate, "shell_capacity", 2026, site="s1")
    assert r["shadow_price_usd_per_unit"] == pytest.approx(S1_VALUE, rel=1e-9)
    assert r["realised_usd_per_unit"] == pytest.approx(S1_VALUE, rel=1e-9)
    assert r["holds_for_units"] == pytest.approx(5.0, rel=1e-9)
    assert r["realised_by"] == "ranging" and not r["degenerate"]
    e = shadow(degenerate, "lead_time", 2026, site="s1", asset="shell")
    assert e["realised_usd_per_unit"] == pytest.approx(S1_VALUE, rel=1e-9) and not e["degenerate"]


def test_timeline_ranks_by_the_value_that_holds(degenerate):
    """The timeline's shell row for 2026 names s1 at $8,124,000 (whatever s2's dual), and any
    family whose 2026 cell names s2 shows $0 holding and is flagged degenerate."""
    tl = degenerate.bottlenecks.set_index(["family", "year"])
    row = tl.loc[("shell_capacity", 2026)]
    assert row["where"] == "s1"
    assert row["realised_usd_per_unit"] == pytest.approx(S1_VALUE, rel=1e-9)
    assert not row["degenerate"]
    assert row["max_shadow_price_usd_per_unit"] >= S1_VALUE * (1 - 1e-9)
    for fam in S2_LIMITS:
        r = tl.loc[(fam, 2026)]
        if r["where"] == "s2":
            assert r["degenerate"] and r["realised_usd_per_unit"] == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize(
    ("demand_h100e", "share"),
    [(5_700, 0.7), (5_300, 0.3)],
)
def test_a_short_range_is_measured_by_a_one_unit_resolve(demand_h100e, share):
    """With 0.7 (0.3) MW of demand unmet at s1, one more MW of shell is worth only 0.7 (0.3) of
    the shadow price: ranging says it holds for 0.7 (0.3) MW, the re-solve measures
    0.7 x $8,124,000 = $5,686,800 (not degenerate) or 0.3 x ... = $2,437,200 (degenerate, under half)."""
    res = Plan(two_sites({"demand.start_h100e_millions": demand_h100e / 1e6})).solve()
    r = shadow(res, "shell_capacity", 2026, site="s1")
    assert r["shadow_price_usd_per_unit"] == pytest.approx(S1_VALUE, rel=1e-9)
    assert r["holds_for_units"] == pytest.approx(share, rel=1e-6)
    assert r["realised_by"] == "re-solve"
    assert r["realised_usd_per_unit"] == pytest.approx(share * S1_VALUE, rel=1e-6)
    assert bool(r["degenerate"]) is (share < DEGENERATE_SHARE)


def test_two_limits_tight_on_the_same_gpus():
    """2027: 150 CoWoS wafers and 1,500 HBM stacks both allow exactly 1,500 GPUs (10 per wafer,
    1 stack each) against 2,000 demanded. Any split with dual_wafer / 10 + dual_stack = $9,000 per
    GPU is optimal; relaxing either alone by one unit still leaves the other at 1,500 GPUs: $0."""
    res = Plan(tiny(SAME_GPUS)).solve()
    rows = [shadow(res, f, 2027) for f in ("cowos_supply", "hbm_supply")]
    assert rows[0]["shadow_price_usd_per_unit"] / 10 + rows[1]["shadow_price_usd_per_unit"] == pytest.approx(9_000, rel=1e-9)
    bound = [r for r in rows if r["binding"]]
    assert bound
    for r in bound:
        assert r["realised_usd_per_unit"] == pytest.approx(0.0, abs=1e-3)
        assert bool(r["degenerate"]) and r["holds_for_units"] == 0


def test_a_non_degenerate_value_equals_the_dual():
    """test_bottlenecks' case: CoWoS 2027 is worth $90,000 a wafer and holds for the 50 wafers of
    unmet GPUs (500 / 10); the site's transformers in 2029 $9M per MVA for exactly 1 MVA (1,000
    GPUs unmet, 1 MVA each thousand). Both: one-unit value = shadow price, from ranging alone."""
    from test_bottlenecks import CASE

    res = Plan(tiny(CASE)).solve()
    c = shadow(res, "cowos_supply", 2027)
    assert c["holds_for_units"] == pytest.approx(50, rel=1e-9)
    assert c["realised_usd_per_unit"] == pytest.approx(90_000, rel=1e-9) and not c["degenerate"]
    t = shadow(res, "transformer_capacity", 2029, site="s1")
    assert t["holds_for_units"] == pytest.approx(1, rel=1e-9)
    assert t["realised_usd_per_unit"] == pytest.approx(9_000_000, rel=1e-9) and t["realised_by"] == "ranging"
    assert res.solver["one_unit_resolves"] == 0
    assert not res.bottlenecks["degenerate"].any()
    b = res.binding.set_index(["year", "family"])
    assert b.loc[(2029, "transformer_supply"), "realised_usd_per_unit"] == pytest.approx(8_900_000, rel=1e-9)


def test_later_resolves_are_unaffected():
    """The re-solves run on a scratch copy: a plan that built its full results (ranging and
    re-solves) re-solves a variant to exactly the same solution as one that never ranged."""
    base, variant = two_sites(), two_sites({"regions.TX.power_price_usd_per_mwh": 50.0})
    a, b = Plan(base), Plan(base)
    ra = a.solve()
    b.solve(results="key")
    assert ra.solver["one_unit_resolves"] > 0
    va, vb = a.resolve(variant), b.resolve(variant)
    assert va.objective_usd == vb.objective_usd
    assert np.array_equal(np.asarray(a.lp.solution.col_value), np.asarray(b.lp.solution.col_value))
    assert np.array_equal(np.asarray(a.lp.solution.row_dual), np.asarray(b.lp.solution.row_dual))
    assert va.solver["iterations"] == vb.solver["iterations"]


def test_key_figures_do_no_ranging(monkeypatch):
    """Key figures (sweeps) never range or re-solve: they carry the raw duals."""
    import dcplan.plan

    def boom(*a, **k):
        raise AssertionError("ranging on the key-figures path")

    monkeypatch.setattr(dcplan.plan, "Ranger", boom)
    plan = Plan(two_sites())
    kf = plan.solve(results="key")
    plan.resolve(two_sites({"regions.TX.power_price_usd_per_mwh": 50.0}), results="key")
    assert kf.shadow_prices["shell_capacity"][2026] >= S1_VALUE


def test_no_resolve_budget_leaves_bounds():
    """With no re-solves allowed, a degenerate limit keeps ranging's guaranteed part ($0 here)
    as a lower bound, and whether it is degenerate is unknown (NA), not False."""
    res = Plan(two_sites(), one_unit_resolves=0).solve()
    sp = res.shadow_prices
    b = sp[(sp["site"] == "s2") & (sp["year"] == 2026) & sp["family"].isin(S2_LIMITS) & sp["binding"]]
    assert (b["realised_by"] == "ranging bound").all() and b["degenerate"].isna().all()
    assert (b["realised_usd_per_unit"] == 0).all()
    assert res.solver["one_unit_resolves"] == 0
    assert "re-solve" not in set(sp["realised_by"])


def test_timeline_picks_the_member_whose_value_holds():
    """A hand-made table: site a's dual $10M realises $0, site b's $8M holds. The timeline names b
    at $8M (not a at $10M), counts a as degenerate, and keeps $10M as the highest dual."""
    base = {"family": "shell_capacity", "equation": "S1", "label": "datacenter shell capacity", "scope": "site",
            "region": "TX", "asset": None, "generation": None, "corridor": None, "year": 2030, "slice": "year",
            "unit": "MW", "dual": 0.0, "rhs": 0.0, "activity": 0.0, "slack": 0.0, "binding": True}
    sp = pd.DataFrame([
        {**base, "site": "a", "shadow_price_usd_per_unit": 1e7, "shadow_price_pv_usd_per_unit": 1e7, "holds_for_units": 0.0,
         "realised_usd_per_unit": 0.0, "realised_pv_usd_per_unit": 0.0, "realised_by": "re-solve", "degenerate": True},
        {**base, "site": "b", "shadow_price_usd_per_unit": 8e6, "shadow_price_pv_usd_per_unit": 8e6, "holds_for_units": 3.0,
         "realised_usd_per_unit": 8e6, "realised_pv_usd_per_unit": 8e6, "realised_by": "ranging", "degenerate": False},
    ])
    sp["degenerate"] = sp["degenerate"].astype("boolean")
    r = bottleneck_timeline(sp).iloc[0]
    assert (r["where"], r["realised_usd_per_unit"], r["shadow_price_usd_per_unit"]) == ("b", 8e6, 8e6)
    assert (r["max_shadow_price_usd_per_unit"], r["n_degenerate"], r["n_binding"], bool(r["degenerate"])) == (1e7, 1, 2, False)
    old = bottleneck_timeline(sp.drop(columns=["holds_for_units", "realised_usd_per_unit", "realised_pv_usd_per_unit",
                                               "realised_by", "degenerate"])).iloc[0]
    assert (old["where"], old["realised_usd_per_unit"]) == ("a", 1e7)  # a table written before: the dual, unchecked



def test_cli_lists_the_value_that_holds(tmp_path):
    """`dcplan run` on the CoWoS = HBM case: the 2027 line of the binding limit shows $0 holding
    per unit, its shadow price beside it marked degenerate; summary.json carries both; with
    --one-unit-resolves 0 no re-solve runs and the flag is unknown (null)."""
    import json

    from test_cli import write_tiny
    from typer.testing import CliRunner

    from dcplan.cli import app

    folder = write_tiny(tmp_path / "s", SAME_GPUS)
    r = CliRunner().invoke(app, ["run", str(folder), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.output.splitlines() if "cowos_supply" in ln or "hbm_supply" in ln]
    assert lines and all("(degenerate)" in ln and (" 0 / wafer" in ln or " 0 / stack" in ln) for ln in lines)
    top = json.loads((tmp_path / "o" / "summary.json").read_text())["top_binding_constraints"]["2027"]
    chips = [t for t in top if t["family"] in ("cowos_supply", "hbm_supply")]
    assert chips and all(t["degenerate"] is True and abs(t["realised_usd_per_unit"]) < 1e-3 for t in chips)
    r = CliRunner().invoke(app, ["run", str(folder), "--out", str(tmp_path / "o0"), "--one-unit-resolves", "0"])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "o0" / "summary.json").read_text())
    assert s["solver"]["one_unit_resolves"] == 0
    assert all(t["degenerate"] is None for t in s["top_binding_constraints"]["2027"] if t["family"] in ("cowos_supply", "hbm_supply"))


def test_a_family_whose_binding_members_all_fail_shows_zero_holding():
    """Members a (dual $100k, re-solved: $0), b (dual $50k, not re-solved, ranging guarantees $0)
    and c (slack): the cell names a, binding and degenerate at $0 (never the slack member, nor the
    unchecked one), and counts b as unchecked (its dual is above the value found)."""
    base = {"family": "grid_capacity", "equation": "P2", "label": "grid interconnection capacity", "scope": "site",
            "region": "TX", "asset": None, "generation": None, "corridor": None, "year": 2026, "slice": "year",
            "unit": "MW", "dual": 0.0, "rhs": 0.0, "activity": 0.0, "slack": 0.0, "holds_for_units": 0.0}
    rows = [("c", 0.0, 0.0, False, "", False), ("b", 5e4, 0.0, True, "ranging bound", pd.NA), ("a", 1e5, 0.0, True, "re-solve", True)]
    sp = pd.DataFrame([
        {**base, "site": s, "shadow_price_usd_per_unit": p, "shadow_price_pv_usd_per_unit": p, "realised_usd_per_unit": v,
         "realised_pv_usd_per_unit": v, "binding": b, "realised_by": by, "degenerate": d}
        for s, p, v, b, by, d in rows
    ])
    sp["degenerate"] = sp["degenerate"].astype("boolean")
    r = bottleneck_timeline(sp).iloc[0]
    assert (r["where"], bool(r["binding"]), bool(r["degenerate"]), r["realised_usd_per_unit"]) == ("a", True, True, 0.0)
    assert (r["n_binding"], r["n_degenerate"], r["n_unchecked"], r["shadow_price_usd_per_unit"]) == (2, 1, 1, 1e5)


def test_each_training_run_has_its_limits_ranked():
    """A training run's year gets a list of its own: the binding limits at its members, their
    regions and global ones, in its year, before it or of no year, top 5 made exact (the
    largest-run mode shows them), and corridors touching its regions. A site outside the run, a
    region of no member and a later year are not in it; balances never are."""
    from dcplan.results.realised import TOP_BINDING_PER_YEAR, _display_lists

    rows = [
        ("grid_capacity", "site", "s1", "TX", None, 2028, 9.0),  # 0: the run's site
        ("onsite_capacity", "site", "s1", "TX", None, 2028, 8.0),  # 1: the run's site
        ("regional_headroom", "region", None, "TX", None, 2028, 7.0),  # 2: a member's region
        ("cowos_supply", "global", None, None, None, 2028, 6.0),  # 3: global
        ("grid_capacity", "site", "s3", "TX", None, 2028, 5.0),  # 4: another site in TX
        ("regional_headroom", "region", None, "OK", None, 2028, 4.0),  # 5: no member's region
        ("grid_capacity", "site", "s1", "TX", None, 2029, 3.0),  # 6: a later year
        ("power_balance", "site", "s1", "TX", None, 2028, 2.0),  # 7: a balance
        ("lead_time", "site", "s1", "TX", None, 2027, 1.5),  # 8: an earlier year
        ("site_max", "site", "s1", "TX", None, None, 1.0),  # 9: a limit of no year
        ("transmission_capacity", "region", None, "OK", "OK->TX", 2028, 0.5),  # 10: a corridor into TX
    ]
    groups = pd.DataFrame(rows, columns=["family", "scope", "site", "region", "corridor", "year", "v"])
    groups["year"] = groups["year"].astype("Int64")
    shown = groups.pop("v").to_numpy(float)
    binding = np.ones(len(groups), bool)
    without = _display_lists(groups, binding, shown)
    with_run = _display_lists(groups, binding, shown, {2028: ["s1"]})
    added = [lst for lst in with_run if lst not in without]
    assert added == [([0, 1, 2, 3, 8, 9, 10], TOP_BINDING_PER_YEAR)]
