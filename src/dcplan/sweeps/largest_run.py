"""Largest training run mode: how big a run (H100e, FLOP, GW) can one campus or one
supercluster host in a given year?

The scenario gets a training run in `year`, hosted by `hosted_by`, far larger than anything
could host, and a prohibitive penalty on the part not hosted, so the LP maximises the hosted
run (every other demand and cost as in the scenario). The run must be hosted in every time
slice, so its size is the smallest slice's. FLOP = H100e x 0.989e15 FLOP/s x
`training.utilization` x `training.run_days` days; GW = the run's share of each member's IT
load x PUE.
"""

from __future__ import annotations

import pandas as pd

from dcplan.plan import Plan
from dcplan.scenario.scenario import H100_REFERENCE_PFLOPS, Scenario

PROHIBITIVE_USD_PER_H100E_YEAR = 1e8


def largest_training_run(scn: Scenario, year: int, hosted_by: str) -> dict:
    """The largest run `hosted_by` (a supercluster name or a site id) can host in `year`."""
    t = {k: v.copy() for k, v in scn.raw_tables.items()}
    bound = 10 * pd.to_numeric(scn.tables["sites"]["max_it_mw"]).sum() * 20 / 1e6  # M H100e: 20 H100e/kW
    row = {"year": str(year), "supercluster": hosted_by, "run_h100e_millions": str(bound),
           "source": "largest-run mode", "source_year": str(year)}
    t["training"] = pd.DataFrame([row])
    from dcplan.scenario.load import scenario_from_tables

    over = {**scn.overrides, "training.unmet_penalty_usd_per_h100e_year": PROHIBITIVE_USD_PER_H100E_YEAR}
    variant = scenario_from_tables(t, name=f"{scn.name}: largest run {year} @ {hosted_by}", overrides=over)
    res = Plan(variant).solve()
    tr = res.training
    per_slice = tr.groupby("slice")["hosted_h100e"].sum()
    h100e = float(per_slice.min())
    worst = per_slice.idxmin()
    hosted = tr[tr["slice"] == worst].set_index("site")["hosted_h100e"]
    ps = res.power_slices[(res.power_slices["year"] == year) & (res.power_slices["slice"] == worst)].set_index("site")
    gpus = res.gpus[res.gpus["year"] == year].groupby("site")["in_use_h100e"].sum()
    mw = 0.0
    for s, h in hosted.items():
        if h > 0 and s in ps.index and gpus.get(s, 0) > 0:
            mw += h * ps.loc[s, "facility_mw"] / max(gpus[s], 1e-9)
    p = scn.params
    flop = h100e * H100_REFERENCE_PFLOPS * 1e15 * p["training.utilization"] * p["training.run_days"] * 86400
    return {
        "year": year, "hosted_by": hosted_by, "sites": ", ".join(sorted(hosted.index)),
        "run_h100e": h100e, "run_flop": flop, "run_gw": mw / 1e3, "hosted_by_site": hosted.to_dict(),
    }


def compare_campus_and_supercluster(scn: Scenario, year: int, supercluster: str) -> pd.DataFrame:
    """Largest run on each member campus alone and on the whole supercluster, side by side."""
    from dcplan.model.training_sets import training_plan

    t = {k: v.copy() for k, v in scn.raw_tables.items()}
    t["training"] = pd.DataFrame(
        [{"year": str(year), "supercluster": supercluster, "run_h100e_millions": "0", "source": "-", "source_year": str(year)}]
    )
    from dcplan.scenario.load import scenario_from_tables

    members = training_plan(scenario_from_tables(t, overrides=scn.overrides)).members[year]
    rows = [largest_training_run(scn, year, s) for s in members] + [largest_training_run(scn, year, supercluster)]
    df = pd.DataFrame(rows).drop(columns="hosted_by_site")
    return df
