"""Benchmark: parameter-only warm re-solves with key figures versus HiGHS alone and a fresh build.

    PYTHONPATH=src python benchmarks/bench_resolve.py [--scales 1 4] [--variants 20] [--cells] [--solver-option K=V ...]

Per instance (the default scenario, and copies with every site replicated N times, as in
bench_solve.py): fresh build + cold solve + key figures; then `--variants` re-solves, each with
a different planner CoWoS share, demand level and power-price escalation (parameter-only
changes; with `--cells`: every site's PUE, VA's interconnection cap and the CoWoS share, table
cells on with_overrides' fast path), timed by stage: scenario variant (with_overrides), sets + structure key,
param_values, arrays + HiGHS update, HiGHS warm solve, key figures. Prints medians and the load
average at the start. `--solver-option` passes HiGHS options to the plan (as `dcplan run` does; a
`solver` or `simplex_strategy` option switches dcplan's own choice off).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import pandas as pd

import dcplan

try:
    from _common import add_solver_option, solver_options
    from bench_solve import scaled
except ImportError:  # run from elsewhere
    from benchmarks._common import add_solver_option, solver_options  # type: ignore[no-redef]
    from benchmarks.bench_solve import scaled  # type: ignore[no-redef]


def bench(n: int, variants: int, cells: bool = False, options: dict | None = None) -> dict:
    base = scaled(dcplan.load_scenario(), n)
    t0 = time.perf_counter()
    plan = dcplan.Plan(base, highs_options=options or None)
    kf = plan.solve(results="key")
    fresh = time.perf_counter() - t0
    share, dem = base.params["planner_share.cowos"], base.params["demand.start_h100e_millions"]
    stages: dict[str, list[float]] = {k: [] for k in ("variant", "sets", "params", "update", "highs", "key_figures", "total")}
    iters = []
    for i in range(variants):
        f = 0.8 + 0.4 * i / max(variants - 1, 1)
        if cells:  # table cells on the fast path (every site's PUE, one region's cap) and a share
            over = {"sites.*.pue": round(1.1 + 0.1 * f, 4), "regions.VA.interconnection_cap_mw_per_year": round(250 * f, 2),
                    "planner_share.cowos": share * f}
        else:
            over = {"planner_share.cowos": share * f, "demand.start_h100e_millions": dem * (2 - f),
                    "power_price.escalation_per_year": 0.01 * f}
        t0 = time.perf_counter()
        scn = base.with_overrides(over)
        t1 = time.perf_counter()
        kf = plan.resolve(scn, results="key")
        t2 = time.perf_counter()
        assert kf.optimal and not kf.solver["rebuilt"]
        st = plan.last_timings
        stages["variant"].append(t1 - t0)
        for k in ("sets", "params", "update", "highs", "key_figures"):
            stages[k].append(st[k])
        stages["total"].append(t2 - t0)
        iters.append(kf.solver["iterations"])
    med = {k: statistics.median(v) for k, v in stages.items()}
    outside = med["total"] - med["highs"]
    return {
        "sites": len(base.tables["sites"]), "rows": kf.solver["rows"], "columns": kf.solver["columns"],
        "fresh_build_solve_s": round(fresh, 3),
        **{f"resolve_{k}_s": round(v, 4) for k, v in med.items()},
        "outside_highs_s": round(outside, 4),
        "outside/highs": round(outside / med["highs"], 2) if med["highs"] else float("nan"),
        "fresh/resolve": round(fresh / med["total"], 1),
        "warm_iterations_median": statistics.median(iters),
        "warm_iterations_total": sum(iters),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", type=int, nargs="+", default=[1])
    ap.add_argument("--variants", type=int, default=20)
    ap.add_argument("--cells", action="store_true",
                    help="variants change table cells (every site's PUE, VA's interconnection cap) and the CoWoS share")
    add_solver_option(ap)
    args = ap.parse_args()
    options = solver_options(args.solver_option)
    print("load average at the start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    rows = [bench(n, args.variants, args.cells, options) for n in args.scales]
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(pd.DataFrame(rows).T.to_string(header=False))


if __name__ == "__main__":
    main()
