"""A training run across a supercluster, within fiber bandwidth (eq. R1-R3): hand-worked.

Tiny case scaled down by 1,000 (1 MW here stands for 1 GW): sites s1 (Abilene, TX) and s2
(Pryor, OK), each state able to serve 1 MW of large load; a 1.5 MW run = 1,500 GPUs of g1
(1 kW, 1 H100e, $1,000); total demand 1,500 H100e; $10,000 per H100e-year unmet, for the
demand and for the part of the run not hosted in its supercluster.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import shadow
from tiny import SRC, tiny_tables

from dcplan import InputError, Plan, scenario_from_tables

REL = 1e-6
BITS_PER_FLOP = 1 / 0.989e6  # so that 1,000 H100e away from the anchor need exactly 1 Tbps


def two_state_tables(link_tbps: float | None) -> dict[str, pd.DataFrame]:
    """Tiny tables with s1 (TX) and s2 (a copy of s1 in Oklahoma), and a
    s1-s2 fiber link of `link_tbps` with supercluster 'c' = {s1, s2} when it is given."""
    t = tiny_tables()
    tx = dict(t["regions"].iloc[0])
    t["regions"] = pd.DataFrame([tx, {**tx, "region": "OK", "name": "Oklahoma", "iso": "SPP"}])
    s1 = dict(t["sites"].iloc[0])
    t["sites"] = pd.DataFrame([s1, {**s1, "site": "s2", "name": "Site 2", "region": "OK", "latitude": 36.31, "longitude": -95.32}])
    t["pipeline"] = pd.concat([t["pipeline"], t["pipeline"].assign(site="s2")], ignore_index=True)
    if link_tbps is not None:
        t["fiber_links"] = pd.DataFrame(
            [{"site_a": "s1", "site_b": "s2", "distance_km": None, "route_factor": None, "bandwidth_tbps": link_tbps, **SRC}]
        )
        t["superclusters"] = pd.DataFrame([{"supercluster": "c", "site": s, **SRC} for s in ("s1", "s2")])
    return t


def run(hosted_by: str, link_tbps: float | None, gw: float = 1e-3):
    """The case with each state serving `gw` GW and a 1.5 x `gw` run (default: the MW scale)."""
    k = gw * 1e3  # MW per state
    t = two_state_tables(link_tbps * k if link_tbps is not None else None)
    t["training"] = pd.DataFrame([{"year": 2026, "supercluster": hosted_by, "run_h100e_millions": 0.0015 * k, **SRC}])
    over = {
        "regions.TX.headroom_mw_start": k, "regions.OK.headroom_mw_start": k,
        "demand.start_h100e_millions": 0.0015 * k, "network.training_bits_per_flop": BITS_PER_FLOP,
    }
    return Plan(scenario_from_tables(t, overrides=over)).solve()


def test_one_campus_cannot_host_the_run():
    """Without the fiber link the run stays at s1, whose state serves 1 MW: 1,000 H100e hosted,
    500 not. The demand itself is met (s2 runs 500 GPUs of other work).
    Cost = 1,500 x $1,000 + 500 x $10,000 = $6,500,000."""
    res = run("s1", None)
    assert res.objective_usd == pytest.approx(6_500_000, rel=REL)
    tr = res.training
    assert tr["hosted_h100e"].sum() == pytest.approx(1000) and tr["unmet_h100e"].iloc[0] == pytest.approx(500)
    assert res.compute["unmet_h100e"].iloc[0] == pytest.approx(0, abs=1e-6)


def test_supercluster_hosts_the_run():
    """With a 10 Tbps link the run spans both states: 1,500 H100e hosted, each site within its
    state's 1 MW (the split between them is not unique: both are free). $1,500,000."""
    res = run("c", 10)
    assert res.objective_usd == pytest.approx(1_500_000, rel=REL)
    tr = res.training.set_index("site")
    assert tr["hosted_h100e"].sum() == pytest.approx(1500)
    assert (tr["hosted_h100e"] <= 1000 + 1e-6).all() and (tr["hosted_h100e"] >= 500 - 1e-6).all()
    assert tr["unmet_h100e"].iloc[0] == pytest.approx(0, abs=1e-6)
    assert bool(tr.loc["s1", "anchor"])


def test_fiber_bandwidth_limits_the_remote_share():
    """A 0.2 Tbps link carries the traffic of 200 H100e at s2 (1 Tbps per 1,000 H100e): 300 of
    the run are not hosted. Cost = $1,500,000 + 300 x $10,000 = $4,500,000. One more Tbps is
    worth 1,000 H100e x $10,000 = $10,000,000 (capped here by the 300 short, but the dual is the
    marginal rate)."""
    res = run("c", 0.2)
    assert res.objective_usd == pytest.approx(4_500_000, rel=REL)
    tr = res.training.set_index("site")
    assert tr.loc["s2", "hosted_h100e"] == pytest.approx(200)
    assert tr["unmet_h100e"].iloc[0] == pytest.approx(300)
    row = shadow(res, "fiber_capacity", 2026, site="s1")
    assert row["binding"] and row["unit"] == "Tbps"
    assert row["shadow_price_usd_per_unit"] == pytest.approx(10_000_000, rel=REL)


def test_the_issue_case_at_full_scale():
    """The same three cases as the issue states them: each state capped at 1 GW, a 1.5 GW run
    (1.5M GPUs of 1 kW). One campus: 0.5M H100e of the run unhosted, $6.5bn; the supercluster
    with 10 Pb/s: all hosted, $1.5bn; with a 200 Tbps link: 300k unhosted, $4.5bn."""
    one = run("s1", None, gw=1.0)
    assert one.objective_usd == pytest.approx(6.5e9, rel=REL)
    assert one.training["unmet_h100e"].iloc[0] == pytest.approx(500_000, rel=REL)
    both = run("c", 10, gw=1.0)
    assert both.objective_usd == pytest.approx(1.5e9, rel=REL)
    assert both.training["unmet_h100e"].iloc[0] == pytest.approx(0, abs=1e-3)
    assert both.training["run_facility_mw"].sum() == pytest.approx(1500, rel=REL)
    thin = run("c", 0.2, gw=1.0)
    assert thin.objective_usd == pytest.approx(4.5e9, rel=REL)
    assert thin.training["unmet_h100e"].iloc[0] == pytest.approx(300_000, rel=REL)
    assert thin.training.set_index("site").loc["s2", "hosted_h100e"] == pytest.approx(200_000, rel=REL)


def test_unknown_supercluster_is_a_clear_error():
    with pytest.raises(InputError) as e:
        run("nope", 10)
    p = e.value.problems[0]
    assert p.file == "training.csv" and p.column == "supercluster" and "nope" in p.message


def largest(hosted_by: str, link_tbps: float | None):
    from dcplan.analysis.largest_run import largest_training_run

    return largest_training_run(two_state_scenario(link_tbps), 2026, hosted_by)


def two_state_scenario(link_tbps: float | None):
    """s1 (TX) and s2 (OK), each state serving 1 MW; a fiber link and supercluster 'c' if link_tbps."""
    t = two_state_tables(link_tbps)
    return scenario_from_tables(
        t, overrides={"regions.TX.headroom_mw_start": 1, "regions.OK.headroom_mw_start": 1,
                      "network.training_bits_per_flop": BITS_PER_FLOP}
    )


def test_largest_run_campus_vs_supercluster():
    """Each state serves 1 MW: one campus hosts at most 1,000 H100e (1 MW); the two-state
    supercluster with ample fiber 2,000 H100e (2 MW); with a 0.5 Tbps link, 1,000 + 500.
    FLOP = H100e x 0.989e15 x 0.4 utilisation x 100 days x 86,400 s."""
    campus = largest("s1", None)
    assert campus.kind == "campus" and campus.sites == ["s1"]
    assert campus.run_h100e == pytest.approx(1000, rel=REL)
    assert campus.run_gw == pytest.approx(0.001, rel=REL)
    both = largest("c", 10)
    assert both.kind == "supercluster" and both.regions == ["OK", "TX"]
    assert both.run_h100e == pytest.approx(2000, rel=REL)
    assert both.run_gw == pytest.approx(0.002, rel=REL)
    assert both.run_flop == pytest.approx(2000 * 0.989e15 * 0.4 * 100 * 86400, rel=REL)
    assert both.by_site.set_index("site")["hosted_h100e"].to_dict() == pytest.approx({"s1": 1000, "s2": 1000}, rel=REL)
    thin = largest("c", 0.5)
    assert thin.run_h100e == pytest.approx(1500, rel=REL)


def test_largest_run_names_its_limit():
    """What stops the run, in run H100e per unit: alone, s1 is stopped by Texas's 1 MW of headroom
    (1,000 H100e per MW at 1 kW per H100e, PUE 1); across the thin link, by the fiber: its dual
    says 1 Tbps carries 1,000 H100e, but half a Tbps more fills s2's 1 MW of Oklahoma headroom
    (s2 hosts 500 of 1,000), so one more Tbps alone adds 500. The rates are marginal at the
    prohibitive penalty: x (1 - 1e-5)."""
    campus = largest("s1", None).limits
    assert list(campus["family"]) == ["regional_headroom"] and campus["where"].iloc[0] == "TX"
    assert campus["run_h100e_per_unit"].iloc[0] == pytest.approx(1000, rel=1e-4)
    assert campus["run_h100e_per_unit_dual"].iloc[0] == pytest.approx(1000, rel=1e-4)
    assert campus["realised_by"].iloc[0] == "ranging" and not campus["degenerate"].iloc[0]
    thin = largest("c", 0.5).limits.set_index("family")
    assert thin.loc["fiber_capacity", "where"] == "s1-s2" and thin.loc["fiber_capacity", "unit"] == "Tbps"
    assert thin.loc["fiber_capacity", "run_h100e_per_unit"] == pytest.approx(500, rel=1e-4)
    assert thin.loc["fiber_capacity", "run_h100e_per_unit_dual"] == pytest.approx(1000, rel=1e-4)
    assert thin.loc["fiber_capacity", "realised_by"] == "re-solve"
    assert list(thin.index) == ["regional_headroom", "fiber_capacity"]  # 1,000 alone before 500 alone
    assert "power_balance" not in thin.index  # balances pass values on


def test_largest_run_flags_limits_that_bind_together():
    """s1's grid connection is 1 MW and so is Texas's headroom: both are tight at the 1,000 H100e
    run, and one of the two carries the whole dual (1,000 H100e per MW). One more MW of either
    alone adds nothing, the other still binds; the table says so (rate alone 0, degenerate) and
    names the other limit, and the comparison row's top limit names both."""
    t = two_state_tables(None)
    t["pipeline"].loc[t["pipeline"]["asset"] == "grid_interconnection", "capacity"] = 1
    t["sites"]["max_grid_mw"] = 1
    scn = scenario_from_tables(t, overrides={"regions.TX.headroom_mw_start": 1, "regions.OK.headroom_mw_start": 1})
    from dcplan.analysis.largest_run import largest_training_run

    run = largest_training_run(scn, 2026, "s1")
    assert run.run_h100e == pytest.approx(1000, rel=REL)
    top = run.limits.iloc[0]
    pair = {"grid_capacity": "grid interconnection capacity s1", "regional_headroom": "regional large-load headroom TX"}
    assert top["family"] in pair and len(run.limits) == 1
    assert top["run_h100e_per_unit_dual"] == pytest.approx(1000, rel=1e-4)
    assert top["run_h100e_per_unit"] == pytest.approx(0, abs=1e-6) and top["realised_by"] == "re-solve"
    assert bool(top["degenerate"])
    other = next(v for k, v in pair.items() if k != top["family"])
    assert other in top["tight_alongside"].split(", ")
    assert run.row()["top_limit"].endswith(f"jointly with {top['tight_alongside']}")


def test_compare_campus_and_supercluster():
    """Each campus alone hosts 1,000 H100e; the supercluster 2,000: 2x the best campus."""
    from dcplan.analysis.largest_run import compare_campus_and_supercluster

    scn = two_state_scenario(10)
    df = compare_campus_and_supercluster(scn, 2026, "c").set_index("hosted_by")
    assert list(df.index) == ["s1", "s2", "c"] and list(df["kind"]) == ["campus", "campus", "supercluster"]
    assert df["run_h100e"].tolist() == pytest.approx([1000, 1000, 2000], rel=REL)
    assert df.loc["c", "x_best_campus"] == pytest.approx(2.0, rel=REL)
    assert df.loc["c", "top_limit"].startswith("regional large-load headroom (H1)")


def test_largest_run_outside_the_horizon_is_a_clear_error():
    from dcplan.analysis.largest_run import largest_training_run

    with pytest.raises(InputError) as e:
        largest_training_run(two_state_scenario(10), 2099, "c")
    assert "2099" in str(e.value) and "horizon" in str(e.value)


def test_validate_rejects_an_unknown_training_host(tmp_path):
    """`dcplan validate` (not only the solve) names training.csv, its row and column, and lists the
    named superclusters first; nothing is written."""
    from typer.testing import CliRunner

    from dcplan.cli import app

    t = two_state_tables(1)
    t["training"] = pd.DataFrame([{"year": 2026, "supercluster": "s1", "run_h100e_millions": 0.001, **SRC},
                                  {"year": 2027, "supercluster": "stargate", "run_h100e_millions": 0.001, **SRC}])
    folder = tmp_path / "scn"
    folder.mkdir()
    for name, df in t.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    (folder / "scenario.yaml").write_text("name: bad-training\n")
    before = sorted(p.name for p in folder.iterdir())
    r = CliRunner().invoke(app, ["validate", str(folder)])
    assert r.exit_code == 1
    assert "training.csv, row 3, column 'supercluster'" in r.output
    assert "unknown supercluster or site 'stargate'; superclusters: c, auto_1" in r.output
    assert sorted(p.name for p in folder.iterdir()) == before


def test_supercluster_power_table_sums_the_plan_at_its_members():
    """The 1,500-GPU plan of test_supercluster_hosts_the_run: supercluster 'c' has 1.5 MW of IT
    (1 kW per GPU) and 1,500 H100e in use in 2026, the sum over its two members."""
    res = run("c", 10)
    sp = res.supercluster_power
    row = sp[(sp["supercluster"] == "c") & (sp["year"] == 2026)].iloc[0]
    assert row["sites"] == "s1, s2" and row["regions"] == "OK, TX"
    assert row["it_mw"] == pytest.approx(1.5, rel=REL)
    assert row["in_use_h100e"] == pytest.approx(1500, rel=REL)
    p = res.power[res.power["year"] == 2026]
    assert row["facility_mw"] == pytest.approx(p["facility_mw"].sum(), rel=REL)
    assert row["online_grid_mw"] == pytest.approx(
        res.capacity.query("year == 2026 and asset == 'grid_interconnection'")["online"].sum(), rel=REL)


def test_largest_run_cli_prints_and_writes_the_comparison(tmp_path):
    """`dcplan largest-run` on the two-state case: both campuses at 1,000 H100e, the supercluster
    at 2,000 (2.00 x the best campus); the tables land in --out; an unknown host exits 1."""
    from typer.testing import CliRunner

    from dcplan.cli import app

    scn = two_state_scenario(10)
    folder = tmp_path / "scn"
    folder.mkdir()
    for name, df in scn.raw_tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    overrides = {"regions.TX.headroom_mw_start": 1, "regions.OK.headroom_mw_start": 1,
                 "network.training_bits_per_flop": BITS_PER_FLOP}
    import yaml

    (folder / "scenario.yaml").write_text(yaml.safe_dump({"name": "two-state", "overrides": overrides}))
    r = CliRunner().invoke(app, ["largest-run", str(folder), "--host", "c", "--year", "2026", "--out", str(tmp_path / "lr"), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "c (supercluster)" in r.output and "2.00" in r.output and "regional large-load headroom" in r.output
    assert "[1/3] largest run 2026 at s1" in r.output and "[3/3] largest run 2026 at c: 0.00 M H100e" in r.output  # progress
    assert json.loads((tmp_path / "lr" / "run.json").read_text())["mode"]["largest_run"]["host"] == "c"
    df = pd.read_csv(tmp_path / "lr" / "largest_run.csv").set_index("hosted_by")
    assert df.loc["c", "run_h100e"] == pytest.approx(2000, rel=REL)
    assert df.loc["s1", "run_h100e"] == pytest.approx(1000, rel=REL)
    limits = pd.read_csv(tmp_path / "lr" / "largest_run_limits.csv")
    assert set(limits["hosted_by"]) == {"s1", "s2", "c"}
    bad = CliRunner().invoke(app, ["largest-run", str(folder), "--host", "nope", "--year", "2026"])
    assert bad.exit_code == 1 and "unknown supercluster or site 'nope'" in bad.output


def test_report_shows_the_training_run(tmp_path):
    """A results folder with a training run gets it in the report's Network section."""
    from dcplan.reports.html import write_report

    res = run("c", 10)
    res.write(tmp_path / "r", "parquet")
    text = write_report(tmp_path / "r").read_text(encoding="utf-8")
    i = text.index('<section id="network">')
    section = text[i:text.index("</section>", i)]
    assert "Training run across its supercluster" in section and ">c<" in section


def test_tight_alongside_names_only_limits_that_share_a_place():
    """A degenerate limit at s1 (Texas) is named with the tight limits at s1, in Texas and global
    ones; not those at s2 (also in Texas) nor Oklahoma's. A fiber link s1-s2 is named with those
    at both its ends."""
    from dcplan.analysis.largest_run import _tight_beside

    na = None
    tight = pd.DataFrame([
        {"label": "shell", "where": "s1", "scope": "site", "site": "s1", "region": "TX"},
        {"label": "shell", "where": "s2", "scope": "site", "site": "s2", "region": "TX"},
        {"label": "headroom", "where": "TX", "scope": "region", "site": na, "region": "TX"},
        {"label": "headroom", "where": "OK", "scope": "region", "site": na, "region": "OK"},
        {"label": "CoWoS", "where": "", "scope": "global", "site": na, "region": na},
    ])
    grid = {"site": "s1", "region": "TX", "corridor": na}
    assert _tight_beside(grid, tight) == "CoWoS, headroom TX, shell s1"
    fiber = {"site": "s1", "region": "TX", "corridor": "s1-s2"}
    assert _tight_beside(fiber, tight) == "CoWoS, headroom TX, shell s1, shell s2"
