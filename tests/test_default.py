"""The bundled default scenario: sourced, valid, solves to optimal, and its answer is consistent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import dcplan
from dcplan.paths import default_scenario_dir
from dcplan.scenario.schema import TABLES

REAL_CAMPUSES = {"abilene_tx", "memphis_tn", "richland_parish_la", "mount_pleasant_wi", "new_carlisle_in"}


@pytest.fixture(scope="module")
def scn():
    return dcplan.load_scenario()


@pytest.fixture(scope="module")
def res(scn):
    return dcplan.Plan(scn).solve()


def test_default_has_the_required_coverage(scn):
    sites = scn.tables["sites"]
    assert len(sites) >= 20
    assert sites["region"].nunique() >= 10
    assert set(sites["site"]) >= REAL_CAMPUSES
    gens = set(scn.tables["gpus"]["generation"])
    assert {"h100", "h200", "b200", "gb300", "rubin"} <= gens
    assert scn.years == list(range(2026, 2036))


def test_every_default_row_carries_a_source_and_year():
    folder = default_scenario_dir()
    for spec in TABLES.values():
        path = folder / spec.file
        if not path.exists():
            continue
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert (df["source"].str.strip() != "").all(), spec.file
        assert df["source_year"].str.fullmatch(r"\d{4}").all(), spec.file


def test_default_solves_to_optimal(res):
    assert res.status == "Optimal"
    assert res.objective_usd > 0
    assert res.costs["cost_pv_usd"].sum() == pytest.approx(res.objective_usd, rel=1e-6)


def test_default_answer_respects_every_limit(scn, res):
    """Read the answer back and check the physical limits from the results tables alone."""
    sc = res.supply_chain
    assert (sc["cowos_wafers_used"] <= sc["cowos_wafers_available"] * (1 + 1e-6) + 1e-6).all()
    assert (sc["hbm_stacks_used"] <= sc["hbm_stacks_available"] * (1 + 1e-6) + 1e-6).all()
    p = res.power
    assert (p["facility_mw"] <= p["grid_mw"] + p["gas_mw"] + 1e-6).all()
    # each region supplies at most its headroom (slice by slice); its sites draw that plus imports
    rs = res.regional_supply
    assert (rs["supply_mw"] <= rs["headroom_mw"] + 1e-6).all()
    draw = res.power_slices.groupby(["region", "year", "slice"])["grid_mw"].sum()
    for r in rs.itertuples():
        got = draw.get((r.region, r.year, r.slice), 0.0)
        assert got <= r.supply_mw + r.contracted_mw + r.imports_mw - r.exports_mw + 1e-6
    f = res.flows
    assert (f["flow_mw"] <= f["capacity_mw"] + 1e-6).all()
    c = res.compute
    assert (c["online_h100e"] + c["unmet_h100e"] >= c["demand_h100e"] * (1 - 1e-6)).all()
    assert (c["online_h100e"] <= c["installed_h100e"] + 1e-6).all()
    # nothing built comes online before its lead time
    cap = res.capacity
    first_year = cap[cap["new_online"] > 0].groupby(["site", "asset"])["year"].min()
    for (s, a), y in first_year.items():
        assert y >= scn.start_year + int(cap[(cap.site == s) & (cap.asset == a)]["lead_time_years"].iloc[0])


def test_default_reports_duals_of_every_supply_constraint(res):
    sp = res.shadow_prices
    for fam in ("cowos_supply", "hbm_supply", "transformer_supply", "power_delivery", "interconnection_cap", "regional_headroom"):
        assert (sp["family"] == fam).any(), fam
    assert sp["shadow_price_usd_per_unit"].ge(-1e-3).all()  # relaxing a limit never costs money


def test_cli_runs_the_default(tmp_path):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "dcplan", "run", "--out", str(out)], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["status"] == "Optimal" and s["objective_usd"] > 0
    assert set(s["compute_online_h100e"]) == {str(y) for y in range(2026, 2036)}
    assert (out / "capacity.parquet").is_file() and (out / "shadow_prices.parquet").is_file()


def test_fairwater_training_example_spans_both_states(res):
    """inputs/examples/fairwater_training: the default plus an 8M H100e run in 2030 at Fairwater.
    Mount Pleasant alone can host at most 7.28M H100e that year (dcplan largest-run), so the run
    must use both states; a run adds a constraint (R1) and never lowers the cost."""
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "inputs" / "examples" / "fairwater_training"
    ex = dcplan.Plan(dcplan.load_scenario(folder)).solve()
    assert ex.status == "Optimal"
    tr = ex.training[ex.training["year"] == 2030]
    assert tr["unmet_h100e"].max() == pytest.approx(0, abs=1.0)
    by_state = tr.groupby(["slice", "region"])["hosted_h100e"].sum().unstack()
    assert (by_state["GA"] > 1e5).all() and (by_state["WI"] > 1e5).all()
    assert (by_state.sum(axis=1) >= 8e6 * (1 - 1e-6)).all()
    assert ex.objective_usd >= res.objective_usd * (1 - 1e-7)


def test_readme_what_if_examples_move_the_default(scn, res):
    """The README's what-if examples (Python and command line) change the default's answer: each
    relaxes a limit that binds on the default, so the objective falls. (Figures of the default
    change as its inputs do; only the sign is asserted.)"""
    import re

    from dcplan.analysis import what_if

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    changes = re.findall(r"what_if\(scn, \"([^\"]+)\"", readme) + re.findall(r"--what-if '([^']+)'", readme)
    assert len(changes) >= 3, changes
    plan = dcplan.Plan(scn)
    for change in dict.fromkeys(changes):
        w = what_if(scn, change, base=res, plan=plan)
        assert w.objective_change_usd < -1e6, (change, w.objective_change_usd)


def test_default_headlines_stay_inside_the_published_ranges(res):
    """AI datacenter electricity in 2028 and 2030 (and every row of PUBLISHED marked `checked`) stays
    inside the ranges docs/validation.md cites (src/dcplan/analysis/validation.py, PUBLISHED)."""
    from dcplan.analysis.validation import PUBLISHED, compare

    table = compare(res).set_index("key")
    checked = [p.key for p in PUBLISHED if p.checked]
    assert {"lbnl_2028", "iea_2030", "epri_2024_2030", "epri_2026_2030"} <= set(checked)  # 2028 and 2030
    for k in checked:
        r = table.loc[k]
        assert r["in_range"], f"{k}: model {r['model']:.1f} outside {r['low']:.1f}-{r['high']:.1f} {r['unit']} ({r['source']})"


def test_default_compute_grows_through_2035_and_scope_is_stated(res):
    c = res.compute.set_index("year")["online_h100e"]
    assert c[2035] > c[2030] > c[2026]
    assert c[2035] >= c[2034] and c[2030] >= c[2028]
    assert "US AI" in res.scope and res.summary()["scope"] == res.scope


def test_one_company_example_is_a_fifth_of_the_us_view(scn):
    """inputs/examples/one_company: the default's tables with a company's demand and shares; its
    scope says so (and differs from the US-wide default's)."""
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "inputs" / "examples" / "one_company"
    ex = dcplan.load_scenario(folder)
    assert "One hyperscaler" in ex.scope and ex.scope != scn.scope
    assert ex.demand_from_growth and ex.demand_h100e_millions(2026) == pytest.approx(4.0)
    assert ex.params["planner_share.cowos"] == pytest.approx(scn.params["planner_share.cowos"] / 5)
