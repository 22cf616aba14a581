"""Benchmark: HiGHS's warm re-solve of the default under each simplex strategy, by kind of change.

    PYTHONPATH=src python benchmarks/bench_warm_strategy.py [--variants 8]

For three kinds of parameter-only variant (costs only: power-price escalation and gas turbine
capex; bounds only: the CoWoS share and VA's interconnection cap; mixed: CoWoS share, demand
growth and escalation), re-solves one Plan in place with HiGHS's simplex_strategy forced to
dual (1) or primal (4), and with dcplan's own choice (primal after a cost-only change, dual
otherwise; src/dcplan/solve/highs.py). Prints the median HiGHS seconds and simplex iterations.
"""

from __future__ import annotations

import argparse
import statistics

import pandas as pd

import dcplan

STRATEGIES = {"dcplan's choice": None, "dual (1)": 1, "primal (4)": 4}


def variant(kind: str, base, f: float) -> dict:
    share = base.params["planner_share.cowos"]
    if kind == "costs only":
        return {"power_price.escalation_per_year": 0.01 * f, "power_technologies.gas_sc.capex_usd_per_kw": 1500 + 500 * f}
    if kind == "bounds only":
        return {"planner_share.cowos": share * f, "regions.VA.interconnection_cap_mw_per_year": 250 * f}
    return {"planner_share.cowos": share * f, "demand.growth_per_year": 1.35 + 0.05 * f,
            "power_price.escalation_per_year": 0.01 * f}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", type=int, default=8)
    a = ap.parse_args()
    base = dcplan.load_scenario()
    rows = []
    for kind in ("costs only", "bounds only", "mixed"):
        for label, strategy in STRATEGIES.items():
            opts = {} if strategy is None else {"simplex_strategy": strategy}
            plan = dcplan.Plan(base, highs_options=opts)
            plan.solve(results="key")
            plan.resolve(base.with_overrides({"power_price.escalation_per_year": 0.011}), results="key")
            secs, iters = [], []
            for i in range(a.variants):
                f = 0.8 + 0.4 * i / max(a.variants - 1, 1)
                kf = plan.resolve(base.with_overrides(variant(kind, base, f)), results="key")
                assert kf.optimal and not kf.solver["rebuilt"], kf.solver
                secs.append(plan.last_timings["highs"])
                iters.append(kf.solver["iterations"])
            rows.append({"change": kind, "simplex": label, "highs_s": round(statistics.median(secs), 3),
                         "iterations": statistics.median(iters)})
            print(rows[-1], flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
