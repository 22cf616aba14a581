"""Plot time and memory against sites from bench_cold.py's JSON, and fit the growth exponents.

    PYTHONPATH=src python benchmarks/plot_performance.py benchmarks/results/scaling.json [benchmarks/results/cold.json]
        [--out docs/performance.png]

The fit is least squares of log(figure) on log(sites) over the runs of the first file (the
scaling curve from ``bench_cold.py --no-solve``, same time slices throughout): figure ~ sites^b,
b printed per figure and written to fit.json beside it. Build time is load+validate + sets +
Pyomo + compile + hand-off, in CPU seconds (contention on a shared machine inflates wall time
far more); memory is the peak resident memory after the hand-off above the child's baseline
after imports. Runs of the other files (full cold runs) are drawn as labelled stars.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

STAGES = [("load_validate", "load + validate"), ("sets", "sets"), ("pyomo", "Pyomo build"),
          ("compile_handoff", "compile + hand-off")]
BUILD = [k for k, _ in STAGES]


def build_cpu_s(r: dict) -> float:
    """CPU seconds of load+validate + sets + Pyomo + compile + hand-off."""
    return sum(r["cpu_s"][k] for k in BUILD)


def build_wall_s(r: dict) -> float:
    return r["outside_highs_s"]


def memory_mb(r: dict) -> float:
    """Peak resident memory after the hand-off, above the child's baseline after imports."""
    return r["build_rss_mb"] - r["baseline_rss_mb"]


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
        "build CPU time (load+validate+sets+Pyomo+compile+hand-off)": fit(scaling, build_cpu_s),
        "build wall time": fit(scaling, build_wall_s),
        "Pyomo build CPU time": fit(scaling, lambda r: r["cpu_s"]["pyomo"]),
        "compile + hand-off CPU time": fit(scaling, lambda r: r["cpu_s"]["compile_handoff"]),
        "memory after hand-off, above baseline": fit(scaling, memory_mb),
        "columns": fit(scaling, lambda r: r["columns"]),
        "nonzeros": fit(scaling, lambda r: r["nonzeros"]),
    }
    for k, b in exps.items():
        print(f"{k}: ~ sites^{b:.2f}")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.4))
    sites = [r["sites"] for r in scaling]
    for key, label in STAGES:
        ax1.plot(sites, [max(r["cpu_s"][key], 1e-3) for r in scaling], marker="o", label=label)
    b = exps["build CPU time (load+validate+sets+Pyomo+compile+hand-off)"]
    ax1.plot(sites, [build_cpu_s(r) for r in scaling], marker="s", color="k", lw=2, label=f"build total (~sites^{b:.2f})")
    for r in extra:
        if "highs_cold+load_back" not in r.get("cpu_s", {}):
            continue
        ax1.scatter([r["sites"]], [build_cpu_s(r)], marker="*", s=140, color="k", zorder=5)
        ax1.scatter([r["sites"]], [r["floor_highs_cpu_s"]], marker="*", s=140, color="tab:red", zorder=5)
        ax1.annotate(f"{r['instance']}: build / HiGHS cold ({r['slices']} slices)", (r["sites"], build_cpu_s(r)),
                     textcoords="offset points", xytext=(6, -4), fontsize=7)
    ax1.scatter([], [], marker="*", color="tab:red", label="HiGHS cold (instances)")
    ax1.set(xscale="log", yscale="log", xlabel="sites", ylabel="CPU seconds",
            title="cold build by stage (5 slices; stars: instances)")
    ax1.legend(fontsize=7)
    bm = exps["memory after hand-off, above baseline"]
    ax2.plot(sites, [r["build_rss_mb"] for r in scaling], marker="o", label="after hand-off (resident)")
    ax2.plot(sites, [memory_mb(r) for r in scaling], marker="s", label=f"above baseline (~sites^{bm:.2f})")
    for r in extra:
        if "peak_rss_mb" not in r:
            continue
        ax2.scatter([r["sites"]], [r["peak_rss_mb"]], marker="*", s=140, color="tab:red", zorder=5)
        ax2.annotate(f"{r['instance']}: peak incl. HiGHS", (r["sites"], r["peak_rss_mb"]), textcoords="offset points",
                     xytext=(6, -4), fontsize=7)
    ax2.set(xscale="log", yscale="log", xlabel="sites", ylabel="MB", title="memory (one process per instance)")
    ax2.legend(fontsize=7)
    from matplotlib.ticker import NullFormatter

    for ax in (ax1, ax2):
        ax.set_xticks(sites, [str(x) for x in sites])
        ax.xaxis.set_minor_formatter(NullFormatter())
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    fit_path = args.scaling.with_name("fit.json")
    fit_path.write_text(json.dumps({k: round(v, 3) for k, v in exps.items()}, indent=1) + "\n")
    print(f"wrote {args.out} and {fit_path}")


if __name__ == "__main__":
    main()
