"""Benchmark: parameter-only warm re-solves with key figures versus HiGHS alone and a fresh build.

    PYTHONPATH=src python benchmarks/bench_resolve.py [--scales 1 4] [--variants 20] [--cells] [--solver-option K=V ...]
    PYTHONPATH=src python benchmarks/bench_resolve.py --one-at-a-time [--step 0.1] [--scales 1]

Per instance (the default scenario, and copies with every site replicated N times, as in
bench_solve.py): fresh build + cold solve + key figures; then `--variants` re-solves, each with
a different planner CoWoS share, demand level and power-price escalation (parameter-only
changes; with `--cells`: every site's PUE, VA's interconnection cap and the CoWoS share, table
cells on with_overrides' fast path), timed by stage: scenario variant (with_overrides), sets + structure key,
param_values, arrays + HiGHS update, HiGHS warm solve, key figures. Prints medians and the load
average at the start. `--one-at-a-time` is the tornado a planner runs instead: every scalar
parameter of parameters.csv in turn at (1 - step) and (1 + step) of its value, one parameter per
variant, each re-solved from the previous variant's basis; parameters whose change alters the
structure key (lifetimes, lead times: a rebuild, not a re-solve), integer parameters and
parameters at 0 or off are listed as skipped; `--start auto|last|first` is the basis each re-solve
starts from (``Plan.resolve``'s `start`: `auto` takes the base's for all but the first of a
parameter's two variants, `last` always the previous variant's). `--solver-option` passes HiGHS options to the plan (as `dcplan run` does; a
`solver` or `simplex_strategy` option switches dcplan's own choice off).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import pandas as pd

import dcplan
from dcplan.errors import InputError
from dcplan.model.sets import sets_and_key
from dcplan.scenario.schema import PARAMETERS

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


def one_at_a_time(n: int, step: float, options: dict | None = None, start: str = "auto") -> tuple[dict, pd.DataFrame]:
    """Every scalar parameter in turn at (1 -/+ `step`) of its value, each a parameter-only warm
    re-solve (`start`: the basis it starts from, as ``Plan.resolve`` takes it). (summary, one row
    per variant or skipped parameter)."""
    base = scaled(dcplan.load_scenario(), n)
    t0 = time.perf_counter()
    plan = dcplan.Plan(base, highs_options=options or None)
    kf = plan.solve(results="key")
    fresh = time.perf_counter() - t0
    rows: list[dict] = []
    todo = []
    for name, v0 in base.params.items():
        spec = PARAMETERS.get(name)
        if spec is None or spec.integer or not v0 or v0 == spec.off:
            why = "integer" if spec and spec.integer else "off" if spec and v0 == spec.off else "value 0"
            rows.append({"parameter": name, "skipped": why})
            continue
        vals = [v0 * (1 - step), v0 * (1 + step)]
        vals = [min(max(v, spec.lo if spec.lo is not None else v), spec.hi if spec.hi is not None else v) for v in vals]
        try:  # classify before timing anything: a structural change is a rebuild, not a re-solve
            variants = [base.with_overrides({name: v}) for v in vals if v != v0]
        except InputError as e:
            rows.append({"parameter": name, "skipped": f"refused: {e.problems[0].message[:60]}"})
            continue
        if any(sets_and_key(scn)[2] != plan.structure_key for scn in variants):
            rows.append({"parameter": name, "skipped": "structural (rebuild)"})
            continue
        todo += [(name, v) for v in vals if v != v0]
    sets_and_key(base)  # leave no variant's sets in sets_and_key's one-entry cache
    for name, v in todo:
        t0 = time.perf_counter()
        scn = base.with_overrides({name: v})
        kf = plan.resolve(scn, results="key", start=start)  # type: ignore[arg-type]
        total = time.perf_counter() - t0
        assert kf.optimal and not kf.solver["rebuilt"], name
        st = plan.last_timings
        rows.append({"parameter": name, "value": v, "total_s": total, "highs_s": st["highs"],
                     "outside_s": total - st["highs"], "iterations": kf.solver["iterations"],
                     "start": kf.solver["start"]})
    df = pd.DataFrame(rows)
    run = df[df["total_s"].notna()] if "total_s" in df else df.iloc[:0]
    summary = {
        "sites": len(base.tables["sites"]), "rows": kf.solver["rows"], "columns": kf.solver["columns"],
        "fresh_build_solve_s": round(fresh, 3), "parameters_varied": int(run["parameter"].nunique()),
        "variants": len(run), "skipped_parameters": int(df["skipped"].notna().sum()) if "skipped" in df else 0,
        **{f"resolve_{k}_median": round(float(run[k].median()), 4) for k in ("total_s", "highs_s", "outside_s")},
        "resolve_total_s_mean": round(float(run["total_s"].mean()), 4),
        "resolve_total_s_p90": round(float(run["total_s"].quantile(0.9)), 4),
        "warm_iterations_median": float(run["iterations"].median()),
        "warm_iterations_total": int(run["iterations"].sum()),
        "resolve_highs_s_total": round(float(run["highs_s"].sum()), 3),
        "fresh/resolve_median": round(fresh / float(run["total_s"].median()), 1),
    }
    return summary, df


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", type=int, nargs="+", default=[1])
    ap.add_argument("--variants", type=int, default=20)
    ap.add_argument("--cells", action="store_true",
                    help="variants change table cells (every site's PUE, VA's interconnection cap) and the CoWoS share")
    ap.add_argument("--one-at-a-time", action="store_true",
                    help="every scalar parameter in turn at (1 -/+ step) of its value (a tornado)")
    ap.add_argument("--step", type=float, default=0.1, help="relative step of --one-at-a-time (default 0.1)")
    ap.add_argument("--start", choices=("auto", "last", "first"), default="auto",
                    help="--one-at-a-time: the basis each re-solve starts from (Plan.resolve's start)")
    add_solver_option(ap)
    args = ap.parse_args()
    options = solver_options(args.solver_option)
    print("load average at the start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.one_at_a_time:
        for n in args.scales:
            summary, df = one_at_a_time(n, args.step, options, args.start)
            with pd.option_context("display.width", 250, "display.max_rows", 500, "display.float_format", "{:.4g}".format):
                print(df.to_string(index=False))
                print(pd.Series(summary).to_string())
        return
    rows = [bench(n, args.variants, args.cells, options) for n in args.scales]
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(pd.DataFrame(rows).T.to_string(header=False))


if __name__ == "__main__":
    main()
