"""Benchmark: the largest-training-run mode on the bundled default. Each run is one model build
and one cold solve; prints seconds per run, the LP size and the answer. Run with

    python benchmarks/bench_largest_run.py [--year 2030] [--hosts fairwater abilene_tx auto_1]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

import dcplan
from dcplan.analysis.largest_run import largest_training_run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--year", type=int, default=2030)
    ap.add_argument("--hosts", nargs="+", default=["mount_pleasant_wi", "fairwater", "auto_1"])
    args = ap.parse_args()
    scn = dcplan.load_scenario()
    rows = []
    for host in args.hosts:
        t0 = time.perf_counter()
        run = largest_training_run(scn, args.year, host)
        s = run.results.solver
        rows.append({
            "host": host, "sites": len(run.sites), "rows": s["rows"], "columns": s["columns"],
            "total_s (build+solve+results)": round(time.perf_counter() - t0, 2), "highs_s": s["solve_seconds"],
            "iterations": s["iterations"], "run_M_h100e": round(run.run_h100e / 1e6, 2), "run_gw": round(run.run_gw, 2),
        })
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
