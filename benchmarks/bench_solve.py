"""Benchmark: build, compile, solve and warm re-solve times, on the default scenario and on
scaled-up copies of it (sites replicated N times). Prints a table; run with

    python benchmarks/bench_solve.py [--scales 1 4 16]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

import dcplan
from dcplan.scenario.load import scenario_from_tables


def scaled(scn: dcplan.Scenario, n: int) -> dcplan.Scenario:
    """The scenario with every site (and its pipeline) copied n times under new ids."""
    if n == 1:
        return scn
    t = {k: v.copy() for k, v in scn.raw_tables.items()}
    copies = {name: [] for name in ("sites", "pipeline", "gpu_pipeline")}
    for i in range(n):
        for name in copies:
            df = t[name].copy()
            df["site"] = df["site"] + ("" if i == 0 else f"_{i}")
            copies[name].append(df)
    for name, dfs in copies.items():
        t[name] = pd.concat(dfs, ignore_index=True)
    regions = t["regions"].copy()
    for col in ("interconnection_cap_mw_per_year", "headroom_mw_start", "headroom_growth_mw_per_year"):
        regions[col] = (regions[col].astype(float) * n).astype(str)
    t["regions"] = regions
    over = dict(scn.overrides)
    over["demand.start_h100e_millions"] = scn.params["demand.start_h100e_millions"] * n
    return scenario_from_tables(t, name=f"{scn.name}x{n}", overrides=over)


def bench(n: int) -> dict:
    base = dcplan.load_scenario()
    scn = scaled(base, n)
    t0 = time.perf_counter()
    plan = dcplan.Plan(scn)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = plan.solve()
    t_solve = time.perf_counter() - t0
    share = scn.params["planner_share.cowos"]
    t0 = time.perf_counter()
    res2 = plan.resolve(scn.with_overrides({"planner_share.cowos": share * 1.2}))
    t_resolve = time.perf_counter() - t0
    return {
        "sites": len(scn.tables["sites"]),
        "rows": res.solver["rows"],
        "columns": res.solver["columns"],
        "nonzeros": res.solver["nonzeros"],
        "build_s (sets+pyomo+compile)": round(t_build, 2),
        "compile_s": res.solver["compile_seconds"],
        "highs_s": res.solver["solve_seconds"],
        "solve+results_s": round(t_solve, 2),
        "resolve_s (update+warm solve+results)": round(t_resolve, 2),
        "resolve_highs_s": res2.solver["solve_seconds"],
        "iterations cold/warm": f"{res.solver['iterations']}/{res2.solver['iterations']}",
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 4])
    args = ap.parse_args()
    rows = [bench(n) for n in args.scales]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
