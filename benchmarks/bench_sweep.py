"""Benchmark: a 1,000-scenario Latin hypercube over 8 parameters of the default scenario.

Prints, each with the command-line settings that produced it:

* warm-start order: mean simplex iterations and HiGHS seconds per warm re-solve over `--order-n`
  consecutive scenarios of the largest structure group, in design order, in the unweighted chain
  and in the probe-weighted chain (as the runner sends them by default), and the probe's weights;
* re-solve vs rebuild: seconds per scenario in this process, re-solving one Plan in place (the
  first `--subsample` scenarios in run order; builds counted apart) vs building and solving every
  scenario from scratch (the first `--rebuild-n` of them, with full Results as `dcplan run` and with
  key figures only as the sweep); the rebuild time of the whole sweep is extrapolated (and says so);
* 1 vs 2 workers (Dask LocalCluster): wall time on the first `--speedup-n` scenarios;
* the whole sweep on 2 workers: wall time, scenarios/s, worker RSS at the start and end;
* `--medium`: 100 scenarios of the medium benchmark instance, when `instance("medium")` exists;
* `--rss-n N` (and nothing else): worker RSS over the first N scenarios on 2 workers, without
  recycling and with `--recycle-after K`: first, last and max per worker name and per process,
  and every tenth of the way.
  `--rss-spec narrow` (the default) is the 2-parameter LHS docs/sweeps.md's "Memory" measured,
  `--rss-spec bench` the 8-parameter one above.

    python benchmarks/bench_sweep.py [--n 1000] [--subsample 20] [--speedup-n 200] [--order-n 25] [--medium]
    python benchmarks/bench_sweep.py --rss-n 300 --recycle-after 100 [--rss-spec narrow|bench]

The machine may be shared: run it when it is quiet, and report the load average it prints.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

PARAMETERS = {
    "planner_share.cowos": {"dist": "uniform", "low": 0.2, "high": 0.6},
    "planner_share.hbm": {"dist": "uniform", "low": 0.2, "high": 0.6},
    "demand.growth_per_year": {"dist": "triangular", "low": 1.2, "mode": 1.4, "high": 1.8},
    "power_price.escalation_per_year": {"dist": "uniform", "low": 0.0, "high": 0.04},
    "power_technologies.gas_sc.capex_usd_per_kw": {"dist": "uniform", "low": 1500, "high": 3000},
    "sites.*.pue": {"dist": "normal", "mean": 1.2, "sd": 0.05, "low": 1.05, "high": 1.4},
    "regions.VA.interconnection_cap_mw_per_year": {"dist": "lognormal", "median": 250, "sigma": 0.4, "high": 5000},
    "power_technologies.gas_cc.lead_time_years": {"values": [5, 6, 7]},
}


NARROW = {
    "planner_share.cowos": {"dist": "uniform", "low": 0.65, "high": 0.75},
    "power_price.escalation_per_year": {"dist": "uniform", "low": 0.01, "high": 0.02},
}
"""The memory measurement's sweep (docs/sweeps.md, "Memory"): neighbouring LPs, cheap warm solves."""


def spec_for(n: int, name: str = "bench", base_scenario=None, parameters=None):
    from dcplan.sweeps.spec import parse_spec

    return parse_spec({"name": name, "sampler": "lhs", "samples": n, "seed": 42, "parameters": parameters or PARAMETERS},
                      base_scenario=base_scenario)


def subset_spec(spec, points: list[dict]):
    """A list spec of the given scenarios (their overrides), same base."""
    from dcplan.sweeps.spec import parse_spec

    return parse_spec({"name": spec.name + "-sub", "sampler": "list", "scenarios": points}, base_scenario=_BASE)


_BASE = None


_ORDERED: dict = {}


def overrides_of(spec, base, k: int | None = None) -> list[dict]:
    """The overrides of the first `k` scenarios in the order `run_sweep` runs them (order 'auto':
    the probe-weighted chain; probed once per spec and kept)."""
    from dcplan.sweeps.order import order_tasks
    from dcplan.sweeps.runner import MAX_PLANS, probe_in_process, clear_plans, plan_tasks, swept_paths

    if spec.name not in _ORDERED:
        d, tasks = plan_tasks(spec, base, order="design")
        tasks, _ = order_tasks(tasks, swept_paths(d), "auto", probe_in_process(base, {}, MAX_PLANS))
        clear_plans()
        _ORDERED[spec.name] = tasks
    tasks = _ORDERED[spec.name]
    return [t.overrides for t in (tasks if k is None else tasks[:k])]


def rebuild_every(base, points: list[dict], results: str = "full") -> float:
    """Seconds per scenario building a fresh Plan for each (in this process, as resolve_in_place):
    `results='full'` as `dcplan run` does (full Results, ranging check included), 'key' the
    sweep's compact key figures only."""
    from dcplan.plan import Plan
    from dcplan.sweeps.kpis import record_from

    t0 = time.perf_counter()
    for ovr in points:
        res = Plan(base.with_overrides(ovr), {}).solve(results=results)
        record_from(res, ["cost", "compute", "unmet", "capacity", "energy", "shadow_prices", "binding"])
    return (time.perf_counter() - t0) / len(points)


def resolve_in_place(base, points: list[dict]) -> tuple[float, int, float, float]:
    """(seconds per scenario, builds, mean HiGHS seconds, seconds per warm re-solve: builds left
    out) solving each through the worker's `solve_scenario` (one Plan per structure key, re-solved
    in place)."""
    from dcplan.sweeps.runner import clear_plans, solve_scenario
    from dcplan.sweeps.spec import KPIS

    clear_plans()
    t0 = time.perf_counter()
    recs = [solve_scenario(base, str(i), ovr, list(KPIS), {}) for i, ovr in enumerate(points)]
    dt = (time.perf_counter() - t0) / len(points)
    bad = [r for r in recs if r["status"] != "optimal"]
    assert not bad, bad[:1]
    v = sum(r.get("validate_seconds", 0.0) for r in recs) / len(recs)
    print(f"  of which validating the scenario's inputs (with_overrides): {v:.2f} s/scenario")
    warm = [r["seconds"] for r in recs if not r["rebuilt"]]
    return (dt, sum(r["rebuilt"] for r in recs), sum(r["solve_seconds"] for r in recs) / len(recs),
            sum(warm) / max(len(warm), 1))


def order_comparison(spec, base, n: int, powers: tuple[float, ...] = ()) -> None:
    """Warm re-solves in design order, in the unweighted chain and in the probe-weighted chain
    (`order.probe_weights`, as `run_sweep(order='auto')` does): the first `n` + 1 scenarios of the
    largest structure group each way, in this process through the worker's `solve_scenario`; the
    first of each is a build (cold) and is left out of the means. `powers`: also chains weighted by
    the probe's iteration rates to those powers instead of the first power the runner uses."""
    from dcplan.sweeps.order import chain_within_groups, probe_design, weights_from
    from dcplan.sweeps.runner import clear_plans, plan_tasks, probe_costs, solve_scenario, swept_paths

    d, tasks = plan_tasks(spec, base, order="design")
    sizes: dict[tuple, int] = {}
    for t in tasks:
        sizes[t.group] = sizes.get(t.group, 0) + 1
    g = max(sizes, key=lambda k: sizes[k])
    design_order = [t for t in tasks if t.group == g]
    paths = swept_paths(d)
    t0 = time.perf_counter()
    pr = probe_design(design_order, paths)
    clear_plans()
    info = weights_from(probe_costs(base, pr.centre, pr.steps, {}), time.perf_counter() - t0)
    print(f"warm-start order: largest structure group {len(design_order)} of {len(tasks)} scenarios "
          f"({', '.join(f'{p}={v[1]:g}' for p, v in g) or 'no structural parameter'}); first {n} re-solves after one build")
    print(f"  probe ({info.probe_seconds:.1f} s): " + "; ".join(
        f"{p} {info.probe_iterations.get(p, 'failed')} iterations, weight {w:.2f}" for p, w in info.weights.items())
          + (f"; {info.note}" if info.note else ""))
    orders = [("design order", design_order), ("chain order", chain_within_groups(design_order, paths)),
              ("probe-weighted chain (runner: rate^1)", chain_within_groups(design_order, paths, info.weights or None))]
    for q in powers:  # the runner's weights are rate / top rate, floored: raise them to q for rate^q
        w = {p: v**q for p, v in info.weights.items()}
        orders.append((f"chain weighted by rate^{q:g}", chain_within_groups(design_order, paths, w)))
    for label, ts in orders:
        clear_plans()
        recs = [solve_scenario(base, t.key, t.overrides, ["cost"], {}) for t in ts[: n + 1]]
        warm = [r for r in recs if r["status"] == "optimal" and not r["rebuilt"]]
        it = sum(r["iterations"] for r in warm) / max(len(warm), 1)
        hs = sum(r["solve_seconds"] for r in warm) / max(len(warm), 1)
        wall = sum(r["seconds"] for r in warm) / max(len(warm), 1)
        print(f"  {label}: {it:,.0f} simplex iterations, {hs:.2f} s HiGHS, {wall:.2f} s in all per scenario "
              f"(mean of {len(warm)} warm re-solves; {len(recs) - 1 - len(warm)} rebuilt or failed)")


def timed_sweep(spec, workers: int, base, out: Path, **kw) -> tuple[float, pd.DataFrame]:
    """(wall seconds, the scenario rows) of `spec` run into `out`; `kw` goes to run_sweep."""
    from dcplan.sweeps.runner import clear_plans, run_sweep

    shutil.rmtree(out, ignore_errors=True)
    clear_plans()
    t0 = time.perf_counter()
    res = run_sweep(spec, out, workers=workers, base_scenario=base, **kw)
    dt = time.perf_counter() - t0
    sc = pd.concat([pd.read_parquet(p) for p in (out / "scenarios").glob("*.parquet")], ignore_index=True)
    assert res.done == len(sc), (res, len(sc))
    return dt, sc


def rss_summary(sc: pd.DataFrame) -> str:
    """RSS per worker: first and last scenario it finished, and the maximum (MB)."""
    parts = []
    for w, g in sc.sort_values("finished_at").groupby("worker"):
        parts.append(f"{w}: {g['rss_mb'].iloc[0]:,.0f} -> {g['rss_mb'].iloc[-1]:,.0f} MB (max {g['rss_mb'].max():,.0f}) "
                      f"over {len(g)} scenarios")
    return "; ".join(parts)


def rss_by_name(sc: pd.DataFrame) -> list[str]:
    """RSS per worker name (MB), first -> last (max) over all its processes, then per process."""
    out = []
    for name, g in sc.sort_values("finished_at", kind="stable").groupby("worker_name"):
        procs = [f"{w.rsplit(':', 1)[-1]} {p['rss_mb'].iloc[0]:,.0f} -> {p['rss_mb'].iloc[-1]:,.0f} (max {p['rss_mb'].max():,.0f}) "
                 f"over {len(p)}" for w, p in g.groupby("worker", sort=False)]
        out.append(f"  worker {name}: {g['rss_mb'].iloc[0]:,.0f} -> {g['rss_mb'].iloc[-1]:,.0f} MB (max {g['rss_mb'].max():,.0f}) "
                   f"over {len(g)} scenarios, {len(procs)} process(es): " + "; ".join(procs))
        every = max(1, len(g) // 10)
        out.append(f"    after its scenario 1, {every + 1}, {2 * every + 1}, ...: "
                   + ", ".join(f"{v:,.0f}" for v in g["rss_mb"].iloc[::every]) + f"; last {g['rss_mb'].iloc[-1]:,.0f} MB")
    return out


def rss_comparison(base, n: int, recycle_after: int, which: str, tmp: Path) -> None:
    """Worker RSS over the first `n` scenarios on 2 workers, without recycling and recycled every
    `recycle_after` scenarios."""
    spec = spec_for(n, "bench-rss", base_scenario=base, parameters=NARROW if which == "narrow" else PARAMETERS)
    print(f"worker RSS: {n} scenarios of the {which} LHS ({', '.join(NARROW if which == 'narrow' else PARAMETERS)}) on 2 workers")
    for label, k in (("no recycling", None), (f"recycle_after={recycle_after}", recycle_after)):
        t, sc = timed_sweep(spec, 2, base, tmp / f"rss-{k}", recycle_after=k)
        meta = json.loads((tmp / f"rss-{k}" / "sweep.json").read_text())
        run = meta["runs"][-1]
        print(f" {label}: {t:,.1f} s, {run['restarts']} restarts ({run.get('restart_seconds', 0):,.1f} s in all, the driver waiting), "
              f"statuses {sc['status'].value_counts().to_dict()}, "
              f"builds {int(sc['rebuilt'].sum())}")
        for line in rss_by_name(sc):
            print(line)


def main() -> None:
    global _BASE
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--subsample", type=int, default=20, help="scenarios timed for re-solve vs rebuild (0: skip)")
    ap.add_argument("--rebuild-n", type=int, default=8, help="of the subsample, scenarios rebuilt from scratch (each way)")
    ap.add_argument("--speedup-n", type=int, default=200, help="scenarios timed on 1 and on 2 workers (0: skip)")
    ap.add_argument("--medium", action="store_true", help="also scenarios of instance('medium')")
    ap.add_argument("--medium-n", type=int, default=100)
    ap.add_argument("--skip-full", action="store_true", help="skip the whole-sweep run on 2 workers")
    ap.add_argument("--order-n", type=int, default=25, help="re-solves timed in chain order vs design order (0: skip)")
    ap.add_argument("--order-powers", type=float, nargs="*", default=[],
                    help="also time chains weighted by the probe's iteration rates to these powers (1 is the runner's)")
    ap.add_argument("--full-n", type=int, default=None,
                    help="run only the first FULL_N scenarios of the sweep on 2 workers and extrapolate (says so)")
    ap.add_argument("--rss-n", type=int, default=0, help="only the worker RSS comparison, over RSS_N scenarios on 2 workers")
    ap.add_argument("--rss-spec", choices=["narrow", "bench"], default="narrow", help="the sweep --rss-n runs")
    ap.add_argument("--recycle-after", type=int, default=100, help="the recycled run of --rss-n restarts workers this often")
    a = ap.parse_args()
    from dcplan.scenario.load import load_scenario

    print(f"load average {os.getloadavg()[0]:.1f} / {os.getloadavg()[1]:.1f} / {os.getloadavg()[2]:.1f} on {os.cpu_count()} cores")
    base = _BASE = load_scenario()
    if a.rss_n:
        tmp = Path(tempfile.mkdtemp(prefix="dcplan-bench-rss-"))
        rss_comparison(base, a.rss_n, a.recycle_after, a.rss_spec, tmp)
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
        shutil.rmtree(tmp, ignore_errors=True)
        return
    spec = spec_for(a.n, base_scenario=base)
    tmp = Path(tempfile.mkdtemp(prefix="dcplan-bench-sweep-"))
    print(f"sweep: LHS, {a.n} scenarios over {len(PARAMETERS)} parameters of the default ({', '.join(PARAMETERS)})")

    if a.order_n:
        order_comparison(spec, base, a.order_n, tuple(a.order_powers))

    if a.subsample:  # re-solve vs rebuild on the same subsample, in this process (the workers' code path)
        pts = overrides_of(spec, base, a.subsample)
        per_all, n_builds, solve_s, per_resolve = resolve_in_place(base, pts)
        print(f"re-solve in place: {per_resolve:.2f} s per warm re-solve ({per_all:.2f} s/scenario with the {n_builds} build(s)) "
              f"over the first {len(pts)} scenarios in run order, in-process; mean HiGHS time {solve_s:.3f} s")
        k = min(len(pts), a.rebuild_n)
        for results, what in (("full", "full Results, as `dcplan run`"), ("key", "key figures only, as the sweep")):
            per_rebuild = rebuild_every(base, pts[:k], results)
            print(f"rebuild every scenario ({what}): {per_rebuild:.2f} s/scenario over the first {k} of them; "
                  f"extrapolated to {a.n}: {per_rebuild * a.n / 60:,.1f} min vs re-solve {per_resolve * a.n / 60:,.1f} min; "
                  f"re-solve vs rebuild {per_rebuild / per_resolve:.1f}x (target >= 10x)")

    if a.speedup_n:  # 1 vs 2 workers on the same scenarios
        sp = subset_spec(spec, overrides_of(spec, base, a.speedup_n))
        t1, sc1 = timed_sweep(sp, 1, base, tmp / "w1")
        t2, sc2 = timed_sweep(sp, 2, base, tmp / "w2")
        print(f"{a.speedup_n} scenarios: 1 worker {t1:,.1f} s, 2 workers {t2:,.1f} s: {t1 / t2:.2f}x (target >= 1.8x); "
              "both include starting the LocalCluster and the order probe")
        for label, sc, out in (("1 worker", sc1, tmp / "w1"), ("2 workers", sc2, tmp / "w2")):
            run = json.loads((out / "sweep.json").read_text())["runs"][-1]
            busy = "; ".join(f"worker {w}: {len(g)} scenarios, {g['seconds'].sum():,.1f} s solving ({g['solve_seconds'].sum():,.1f} s "
                             f"HiGHS, {g['iterations'].sum():,} iterations)" for w, g in sc.groupby("worker_name"))
            print(f"  {label}: probe {run.get('probe_seconds', 0):.1f} s, {run['restarts']} restarts, builds {int(sc['rebuilt'].sum())}; "
                  f"{busy}; statuses {sc['status'].value_counts().to_dict()}")
            print(f"  {label} RSS: {rss_summary(sc)}")

    if not a.skip_full:
        m = a.full_n or a.n
        run = spec if m >= a.n else subset_spec(spec, overrides_of(spec, base, m))
        t, sc = timed_sweep(run, 2, base, tmp / "full")
        st = sc["status"].value_counts().to_dict()
        what = f"whole sweep, {a.n} scenarios" if m >= a.n else f"first {m} of the {a.n} scenarios"
        print(f"{what} on 2 workers: {t:,.1f} s ({m / t:.2f} scenarios/s); statuses {st}; builds {int(sc['rebuilt'].sum())}")
        if m < a.n:
            print(f"  extrapolated to {a.n} scenarios: {t * a.n / m / 60:,.1f} min (target <= 3 min) - extrapolated, not measured")
        else:
            print(f"  = {t / 60:.1f} min (target <= 3 min)")
        print(f"worker RSS: {rss_summary(sc)}")

    if a.medium:
        try:
            from dcplan.scenario.instances import instance
        except ImportError:
            print("medium: instance('medium') is not available in this checkout; skipped")
        else:
            med = instance("medium")
            ms = spec_for(a.medium_n, "bench-medium", base_scenario=med)
            t, sc = timed_sweep(ms, 2, med, tmp / "medium")
            print(f"medium instance ({len(med.tables['sites'])} sites), {a.medium_n} scenarios on 2 workers: {t:,.1f} s "
                  f"({a.medium_n / t:.2f} scenarios/s); statuses {sc['status'].value_counts().to_dict()}; builds "
                  f"{int(sc['rebuilt'].sum())}; median HiGHS {sc['solve_seconds'].median():.2f} s per scenario; RSS {rss_summary(sc)}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
