"""Plot time and memory against sites from bench_cold.py's JSON, and fit the growth exponents.

    PYTHONPATH=src python benchmarks/plot_performance.py benchmarks/results/scaling.json [benchmarks/results/cold.json]
        [--out docs/performance.png]

The fit is least squares of log(figure) on log(sites) over the runs of the first file (the
scaling curve, same time slices throughout): figure ~ sites^b, b printed per figure. Build time
is load+validate + sets + Pyomo + compile + hand-off; memory is the peak resident memory above
the child's baseline after imports. Runs of the other files are drawn as labelled points.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

STAGES = [("load_validate_s", "load + validate"), ("sets_s", "sets"), ("pyomo_s", "Pyomo build"),
          ("compile_s", "compile"), ("highs_cold_s", "HiGHS cold"), ("results_s", "results")]


def build_s(r: dict) -> float:
    return r["load_validate_s"] + r["sets_s"] + r["pyomo_s"] + r["compile_s"] + r["handoff_s"]


def memory_mb(r: dict) -> float:
    return r["peak_rss_mb"] - r["baseline_rss_mb"]


def fit(rows: list[dict], f) -> float:
    """Exponent b of f(row) ~ sites^b (least squares in log-log)."""
    x = np.log([r["sites"] for r in rows])
    y = np.log([f(r) for r in rows])
    return float(np.polyfit(x, y, 1)[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scaling", type=Path)
    ap.add_argument("more", type=Path, nargs="*")
    ap.add_argument("--out", type=Path, default=Path("docs/performance.png"))
    args = ap.parse_args()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scaling = sorted(json.loads(args.scaling.read_text())["rows"], key=lambda r: r["sites"])
    extra = [r for p in args.more for r in json.loads(p.read_text())["rows"]]
    exps = {
        "build time (load+validate+sets+Pyomo+compile+hand-off)": fit(scaling, build_s),
        "Pyomo build": fit(scaling, lambda r: r["pyomo_s"]),
        "compile": fit(scaling, lambda r: r["compile_s"]),
        "HiGHS cold": fit(scaling, lambda r: r["highs_cold_s"]),
        "peak memory above baseline": fit(scaling, memory_mb),
        "columns": fit(scaling, lambda r: r["columns"]),
    }
    for k, b in exps.items():
        print(f"{k}: ~ sites^{b:.2f}")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    sites = [r["sites"] for r in scaling]
    for key, label in STAGES:
        ax1.plot(sites, [max(r[key], 1e-3) for r in scaling], marker="o", label=label)
    ax1.plot(sites, [build_s(r) for r in scaling], marker="s", color="k", lw=2,
             label=f"build total (~sites^{exps['build time (load+validate+sets+Pyomo+compile+hand-off)']:.2f})")
    for r in extra:
        ax1.scatter([r["sites"]], [r["highs_cold_s"]], marker="*", s=120, color="tab:red", zorder=5)
        ax1.scatter([r["sites"]], [build_s(r)], marker="*", s=120, color="k", zorder=5)
        ax1.annotate(f"{r['instance']} ({r['slices']} slices)", (r["sites"], build_s(r)), textcoords="offset points",
                     xytext=(5, -12), fontsize=8)
    ax1.set(xscale="log", yscale="log", xlabel="sites", ylabel="seconds (wall clock)", title="cold build and solve, by stage")
    ax1.legend(fontsize=7)
    ax2.plot(sites, [r["peak_rss_mb"] for r in scaling], marker="o", label="peak resident memory")
    ax2.plot(sites, [memory_mb(r) for r in scaling], marker="s",
             label=f"above baseline (~sites^{exps['peak memory above baseline']:.2f})")
    for r in extra:
        ax2.scatter([r["sites"]], [r["peak_rss_mb"]], marker="*", s=120, color="tab:red", zorder=5)
        ax2.annotate(r["instance"], (r["sites"], r["peak_rss_mb"]), textcoords="offset points", xytext=(5, -12), fontsize=8)
    ax2.set(xscale="log", yscale="log", xlabel="sites", ylabel="MB", title="peak memory (one process per instance)")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    fit_path = args.scaling.with_name("fit.json")
    fit_path.write_text(json.dumps({k: round(v, 3) for k, v in exps.items()}, indent=1) + "\n")
    print(f"wrote {args.out} and {fit_path}")


if __name__ == "__main__":
    main()
