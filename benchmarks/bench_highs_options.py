"""HiGHS option study: the same LP arrays solved cold by each solver setting, one fresh process
per instance (the model is built and compiled once there, then every setting gets a fresh
``highspy.Highs`` with the same arrays).

Settings: dual simplex, primal simplex, IPM with crossover, IPM without crossover, PDLP, and
presolve off for simplex and IPM. Per setting it prints seconds, HiGHS's status, the objective,
its relative gap to the best optimal objective found, and iterations; a setting that hits the
time limit says so. `--warm` also times a warm re-solve after one parameter change (demand
growth +1%) with dual and primal simplex from the same basis.

    PYTHONPATH=src python benchmarks/bench_highs_options.py --instances small medium --json benchmarks/results/options.json
    PYTHONPATH=src python benchmarks/bench_highs_options.py --instances large --settings ipm ipm_no_crossover --time-limit 900
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULTS, load_instance, machine, max_rss_mb, print_table, run_child, write

SETTINGS: dict[str, dict] = {
    "dual_simplex": {"solver": "simplex", "simplex_strategy": 1},
    "primal_simplex": {"solver": "simplex", "simplex_strategy": 4},
    "ipm": {"solver": "ipm", "run_crossover": "on"},
    "ipm_no_crossover": {"solver": "ipm", "run_crossover": "off"},
    "pdlp": {"solver": "pdlp"},
    "dual_simplex_no_presolve": {"solver": "simplex", "simplex_strategy": 1, "presolve": "off"},
    "ipm_no_presolve": {"solver": "ipm", "run_crossover": "on", "presolve": "off"},
}


def child(name: str, settings: list[str], time_limit: float, warm: bool) -> dict:
    from dcplan.model.build import build_model
    from dcplan.model.sets import build_sets
    from dcplan.solve.highs import compile_lp, fresh_highs

    scn = load_instance(name)
    lp = compile_lp(build_model(scn, build_sets(scn)))
    rows = []
    for s in settings:
        h = fresh_highs(lp, {**SETTINGS[s], "time_limit": float(time_limit)})
        t0, c0 = time.perf_counter(), time.process_time()
        h.run()
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        info = h.getInfo()
        rows.append({
            "instance": name, "sites": len(scn.tables["sites"]), "columns": len(lp.columns), "setting": s,
            "seconds": round(dt, 2), "cpu_s": round(cpu, 2), "status": h.modelStatusToString(h.getModelStatus()),
            "objective": float(info.objective_function_value), "simplex_iterations": int(info.simplex_iteration_count),
            "ipm_iterations": int(info.ipm_iteration_count), "pdlp_iterations": int(info.pdlp_iteration_count),
            "crossover_iterations": int(info.crossover_iteration_count), "rss_mb": round(max_rss_mb(), 1),
        })
        del h
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    if warm:
        rows += _warm(scn, name, time_limit)
    return {"rows": rows}


def _warm(scn, name: str, time_limit: float) -> list[dict]:
    """Cold solve, then one parameter change re-solved warm by dual and by primal simplex from
    the same starting basis."""
    from dcplan.plan import Plan

    out = []
    variant = scn.with_overrides({"demand.growth_per_year": scn.params["demand.growth_per_year"] * 1.01})
    for s in ("dual_simplex", "primal_simplex"):
        # a user's simplex_strategy wins over dcplan's warm choice (HighsLP.solve); the cold solve
        # is unaffected (IPM above IPM_MIN_COLUMNS, and the strategy of a cold simplex otherwise)
        plan = Plan(scn, highs_options={"time_limit": float(time_limit),
                                        "simplex_strategy": SETTINGS[s]["simplex_strategy"]})
        plan.solve()
        t0, c0 = time.perf_counter(), time.process_time()
        res = plan.resolve(variant)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        out.append({
            "instance": name, "sites": len(scn.tables["sites"]), "columns": res.solver["columns"],
            "setting": f"warm_{s}", "seconds": round(res.solver["solve_seconds"], 3), "resolve_total_s": round(dt, 3),
            "resolve_total_cpu_s": round(cpu, 3), "status": res.status, "objective": res.objective_usd,
            "simplex_iterations": res.solver["iterations"],
        })
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instances", nargs="+", default=["small", "medium"])
    ap.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per setting (HiGHS time_limit)")
    ap.add_argument("--warm", action="store_true", help="also time warm re-solves by dual and primal simplex")
    ap.add_argument("--json", type=Path, help=f"write figures as JSON (e.g. {RESULTS.name}/options.json)")
    ap.add_argument("--csv", type=Path)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.settings, args.time_limit, args.warm)))
        return
    meta = machine()
    rows: list[dict] = []
    for name in args.instances:
        extra = ["--warm"] if args.warm else []
        got = run_child(Path(__file__), ["--child", name, "--time-limit", str(args.time_limit), "--settings",
                                          *args.settings, *extra])["rows"]
        best = min((r["objective"] for r in got if r["status"] == "Optimal" and "warm" not in r["setting"]),
                   default=float("nan"))
        for r in got:
            if "warm" in r["setting"]:
                continue
            r["rel_gap_to_best"] = abs(r["objective"] - best) / max(1.0, abs(best))
        rows += got
        print_table(got, ["instance", "setting", "seconds", "cpu_s", "status", "objective", "rel_gap_to_best", "simplex_iterations",
                          "ipm_iterations", "pdlp_iterations", "crossover_iterations"])
    write(rows, args.json, args.csv, meta)


if __name__ == "__main__":
    main()
