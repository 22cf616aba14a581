"""Benchmark: a cold build and solve, stage by stage, one fresh process per instance.

Per instance it prints and records: LP size; seconds to load+validate, build the sets, build the
Pyomo model, compile it to arrays, hand them to HiGHS, solve cold in HiGHS, load the solution
back and build the results; the *highspy floor* (the same arrays passed to a fresh
``highspy.Highs`` with the same solver and solved: the least any wrapper could cost); and the
peak resident memory after each stage (``ru_maxrss`` of the child process). `outside_highs_s`
is load+validate + sets + Pyomo + compile + hand-off: the issue's target is <= 15% of
`highs_cold_s` on medium and large.

    PYTHONPATH=src python benchmarks/bench_cold.py --instances small medium [--json F] [--csv F]
    PYTHONPATH=src python benchmarks/bench_cold.py --instances x1 x2 x4 x8 --json benchmarks/results/scaling.json

Figures are wall-clock seconds on whatever machine runs them; on a shared machine they are
inflated by contention (the load average at the start is recorded in the JSON's meta).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULTS, Stopwatch, add_solver_option, solver_options, instance_tables, machine, max_rss_mb, print_table, run_child, write

COLUMNS = [
    "instance", "sites", "slices", "rows", "columns", "nonzeros", "load_validate_s", "sets_s", "pyomo_s", "compile_s",
    "handoff_s", "highs_cold_s", "solver", "load_back_s", "results_s", "outside_highs_s", "outside_share",
    "floor_handoff_s", "floor_highs_s", "floor_highs_cpu_s", "outside_highs_cpu_s", "build_rss_mb", "peak_rss_mb",
]


def child(name: str, seed: int, options: dict, solve: bool = True, floor: bool = True) -> dict:
    """All stages of one instance in this process; returns the figures."""

    from dcplan.model.build import build_model
    from dcplan.model.sets import build_sets
    from dcplan.results.results import extract_results
    from dcplan.scenario.load import load_scenario, scenario_from_tables
    from dcplan.solve.highs import HighsLP, fresh_highs

    rss0 = max_rss_mb()
    gen = instance_tables(name, seed)
    sw = Stopwatch()
    with sw("load_validate"):
        scn = load_scenario() if gen is None else scenario_from_tables(gen[0], name=name, overrides=gen[1])
    with sw("sets"):
        sets = build_sets(scn)
    with sw("pyomo"):
        model = build_model(scn, sets)
    with sw("compile_handoff"):
        lp = HighsLP(model, options)
    build_rss = max_rss_mb()
    if not solve:
        s, c = sw.seconds, lp.lp
        return {
            "instance": name, "sites": len(scn.tables["sites"]), "slices": len(scn.slices), "years": len(scn.years),
            "rows": len(c.rows), "columns": len(c.columns), "nonzeros": int(c.A.nnz),
            "load_validate_s": s["load_validate"], "sets_s": s["sets"], "pyomo_s": s["pyomo"],
            "compile_s": round(lp.compile_seconds, 4), "handoff_s": round(s["compile_handoff"] - lp.compile_seconds, 4),
            "outside_highs_s": round(s["load_validate"] + s["sets"] + s["pyomo"] + s["compile_handoff"], 3),
            "cpu_s": sw.cpu, "outside_highs_cpu_s": round(sum(sw.cpu.values()), 3),
            "baseline_rss_mb": round(rss0, 1), "build_rss_mb": round(build_rss, 1), "rss_after_mb": sw.rss_mb,
        }
    t0, c0 = time.perf_counter(), time.process_time()
    sol = lp.solve()
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    sw.seconds["highs_cold"], sw.seconds["load_back"] = round(sol.solve_seconds, 4), round(total - sol.solve_seconds, 4)
    sw.cpu["highs_cold+load_back"] = round(cpu, 4)
    sw.rss_mb["highs_cold"] = round(max_rss_mb(), 1)
    if not sol.optimal:
        raise SystemExit(f"{name}: HiGHS returned {sol.status}")
    with sw("results"):
        extract_results(scn, model, sets, sol, lp.row_activity, lp.col_dual)
    solver = lp.highs.getOptionValue("solver")
    solver = solver[1] if isinstance(solver, tuple) else solver  # highspy >= 1.12: (status, value)
    peak = max_rss_mb()
    # the floor: the same arrays to a fresh Highs with the same options
    c = lp.lp
    h = None
    if floor:
        with sw("floor_handoff"):
            h = fresh_highs(c, {**options, "solver": solver})
        with sw("floor_highs"):
            h.run()
    s = sw.seconds
    compile_s = round(lp.compile_seconds, 4)
    outside = s["load_validate"] + s["sets"] + s["pyomo"] + s["compile_handoff"]
    return {
        "instance": name, "sites": len(scn.tables["sites"]), "slices": len(scn.slices), "years": len(scn.years),
        "rows": len(c.rows), "columns": len(c.columns), "nonzeros": int(c.A.nnz),
        "load_validate_s": s["load_validate"], "sets_s": s["sets"], "pyomo_s": s["pyomo"],
        "compile_s": compile_s, "handoff_s": round(s["compile_handoff"] - compile_s, 4),
        "highs_cold_s": s["highs_cold"], "solver": solver, "iterations": sol.iterations,
        "load_back_s": s["load_back"], "results_s": s["results"],
        "outside_highs_s": round(outside, 3), "outside_share": round(outside / s["highs_cold"], 3),
        "cpu_s": sw.cpu, "outside_highs_cpu_s": round(sum(sw.cpu[k] for k in ("load_validate", "sets", "pyomo", "compile_handoff")), 3),
        "floor_handoff_s": s.get("floor_handoff"), "floor_highs_s": s.get("floor_highs"),
        "floor_highs_cpu_s": sw.cpu.get("floor_highs"),
        "floor_status": h.modelStatusToString(h.getModelStatus()) if h else None,
        "objective": sol.objective, "floor_objective": float(h.getInfo().objective_function_value) if h else None,
        "baseline_rss_mb": round(rss0, 1), "build_rss_mb": round(build_rss, 1), "peak_rss_mb": round(peak, 1),
        "rss_after_mb": sw.rss_mb,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instances", nargs="+", default=["small", "medium"], help="small medium large xN xN-Ms")
    ap.add_argument("--seed", type=int, default=0)
    add_solver_option(ap)
    ap.add_argument("--json", type=Path, help=f"write figures as JSON (e.g. {RESULTS.relative_to(RESULTS.parents[1])}/cold.json)")
    ap.add_argument("--csv", type=Path, help="write figures as CSV")
    ap.add_argument("--no-solve", action="store_true", help="stop after the hand-off (build time and memory only)")
    ap.add_argument("--no-floor", action="store_true", help="skip the highspy floor (a second HiGHS solve)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        opts = solver_options(args.solver_option)
        print(json.dumps(child(args.child, args.seed, opts, solve=not args.no_solve, floor=not args.no_floor)))
        return
    meta = machine()
    rows = []
    for name in args.instances:
        extra = [f"--solver-option={o}" for o in args.solver_option] + (["--no-solve"] if args.no_solve else [])
        extra += ["--no-floor"] if args.no_floor else []
        rows.append(run_child(Path(__file__), ["--child", name, "--seed", str(args.seed), *extra]))
        print_table(rows[-1:], COLUMNS)
    print()
    print_table(rows, COLUMNS)
    write(rows, args.json, args.csv, meta)


if __name__ == "__main__":
    main()
