"""Benchmark: HiGHS's interior point solver (IPX) on one instance, with its iteration log.

    PYTHONPATH=src python benchmarks/bench_ipx_trace.py large [--unmet-as-fraction] [--time-limit 1400]
        [--log benchmarks/results/ipx_large.log] [--solver-option K=V ...]

Builds the instance (names as in _common.py), hands the arrays to a fresh ``highspy.Highs``
(``solver=ipm``, one thread, log to `--log`) and prints status, seconds, IPX / crossover
iterations, peak memory and the last IPX iterations of the log (primal and dual objective,
infeasibilities, relative gap), which show whether IPX is converging, stalling or has given up.

``--unmet-as-fraction`` solves the same LP with every bounded unmet-demand column rescaled to a
fraction of its tranche (x' = x / upper bound: its matrix column and cost are multiplied by the
bound, its bound becomes 1). The optimum is the same LP's; the experiment asks whether those
columns' bounds (up to 1.9e6 kH100e on large) are what stalls IPX (docs/performance.md).
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from _common import RESULTS, add_solver_option, instance_tables, max_rss_mb, solver_options

IPX_ROW = re.compile(r"^\s*\d+\*?\s+-?\d\.\d+e[+-]\d+\s+-?\d\.\d+e[+-]\d+\s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("instance")
    ap.add_argument("--unmet-as-fraction", action="store_true")
    ap.add_argument("--time-limit", type=float, default=1400.0)
    ap.add_argument("--log", type=Path)
    add_solver_option(ap)
    args = ap.parse_args()

    from dcplan.model.build import build_model
    from dcplan.model.sets import build_sets
    from dcplan.scenario.load import load_scenario, scenario_from_tables
    from dcplan.solve.highs import HighsLP, fresh_highs

    gen = instance_tables(args.instance)
    scn = load_scenario() if gen is None else scenario_from_tables(gen[0], name=args.instance, overrides=gen[1])
    sets = build_sets(scn)
    lp = HighsLP(build_model(scn, sets)).lp
    scaled = 0
    if args.unmet_as_fraction:
        unmet = np.array([v.parent_component().local_name == "unmet" for v in lp.columns])
        j = np.flatnonzero(unmet & (lp.col_upper > 0) & np.isfinite(lp.col_upper))
        s = np.ones(len(lp.columns))
        s[j] = lp.col_upper[j]
        lp.A = (lp.A @ sp.diags_array(s)).tocsc()
        lp.A.sort_indices()
        lp.c, lp.col_lower, lp.col_upper = lp.c * s, lp.col_lower / s, lp.col_upper / s
        scaled = len(j)
    log = args.log or RESULTS / f"ipx_{args.instance}{'_fraction' if scaled else ''}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    options = {"solver": "ipm", "threads": 1, "time_limit": args.time_limit, "output_flag": True,
               "log_to_console": False, "log_file": str(log), **solver_options(args.solver_option)}
    h = fresh_highs(lp, options)
    t0 = time.perf_counter()
    h.run()
    dt = time.perf_counter() - t0
    info = h.getInfo()
    print(f"instance {args.instance}: {len(lp.rows):,} rows x {len(lp.columns):,} columns, {lp.A.nnz:,} nonzeros; "
          f"unmet columns rescaled: {scaled}")
    print(f"status {h.modelStatusToString(h.getModelStatus())}, HiGHS {dt:.1f} s, objective {info.objective_function_value:.10g}, "
          f"IPX iterations {info.ipm_iteration_count}, crossover {info.crossover_iteration_count}, "
          f"simplex {info.simplex_iteration_count}, peak memory {max_rss_mb():.0f} MB; log {log}")
    trace = [line.rstrip() for line in log.read_text().splitlines() if IPX_ROW.match(line)]
    print(" iter  primal obj  dual obj  pinf  dinf  gap  time (last IPX rows of the log)")
    print("\n".join(trace[-8:]))


if __name__ == "__main__":
    main()
