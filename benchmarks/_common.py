"""Shared helpers of the benchmark scripts: instance names, child processes, output files.

Instance names: 'small', 'medium', 'large' (dcplan.scenario.instances.INSTANCES), or 'xN' /
'xN-Ms' for the default with every site copied N times (and M time slices), as the scaling
curve in docs/performance.md uses.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def load_instance(name: str, seed: int = 0):
    """The scenario of instance `name` (see module docstring)."""
    from dcplan.scenario.instances import INSTANCES, instance, scaled_instance

    if name in INSTANCES:
        return instance(name, seed)
    m = re.fullmatch(r"x(\d+)(?:-(\d+)s)?", name)
    if not m:
        raise SystemExit(f"unknown instance '{name}'; expected small, medium, large, xN or xN-Ms")
    return scaled_instance(int(m.group(1)), int(m.group(2)) if m.group(2) else None, seed)


def instance_tables(name: str, seed: int = 0):
    """(tables, overrides) of instance `name` without validating them (for timing validation apart)."""
    from dcplan.scenario.instances import INSTANCES, InstanceSpec, _tables, instance_spec
    from dcplan.scenario.load import load_scenario

    if name == "small":
        return None
    base = load_scenario()
    if name in INSTANCES:
        spec = instance_spec(name, base)
    else:
        m = re.fullmatch(r"x(\d+)(?:-(\d+)s)?", name)
        if not m:
            raise SystemExit(f"unknown instance '{name}'")
        spec = InstanceSpec(int(m.group(1)), int(m.group(2)) if m.group(2) else None)
    return _tables(spec, seed, base)


def add_solver_option(ap) -> None:
    """The repeatable ``--solver-option KEY=VALUE`` argument of the benchmark scripts."""
    ap.add_argument("--solver-option", action="append", default=[], metavar="KEY=VALUE", help="HiGHS option (repeatable)")


def solver_options(items: list[str]) -> dict:
    """HiGHS options from ``--solver-option KEY=VALUE`` items, checked and typed as the CLI does."""
    from dcplan.scenario.solver_options import parse_solver_options

    return parse_solver_options(items, origin="--solver-option", key_prefix="") if items else {}


def max_rss_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux ru_maxrss is in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Stopwatch:
    """Times named stages (wall clock and this process's CPU time, which contention on a shared
    machine inflates far less); records the peak memory after each."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.rss_mb: dict[str, float] = {}

    def __call__(self, name: str):
        sw = self

        class _Stage:
            def __enter__(self):
                self.t0, self.c0 = time.perf_counter(), time.process_time()

            def __exit__(self, *exc):
                sw.seconds[name] = round(time.perf_counter() - self.t0, 4)
                sw.cpu[name] = round(time.process_time() - self.c0, 4)
                sw.rss_mb[name] = round(max_rss_mb(), 1)

        return _Stage()


def run_child(script: Path, args: list[str], timeout: float | None = None) -> dict:
    """Run `script args` in a fresh Python (so peak memory is per instance); it prints one JSON
    object on its last stdout line."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    p = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, env=env, timeout=timeout, check=False)
    if p.returncode != 0:
        raise SystemExit(f"{script.name} {' '.join(args)} failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def machine() -> dict:
    """What the figures were measured on (CPU count, load average at the start, versions)."""
    import highspy
    import pyomo

    return {
        "python": platform.python_version(),
        "pyomo": pyomo.version.version,
        "highspy": getattr(highspy, "__version__", "?"),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "when_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
    }


def write(rows: list[dict], json_path: Path | None, csv_path: Path | None, meta: dict | None = None) -> None:
    """Write `rows` as JSON ({meta, rows}) and/or CSV (flat columns)."""
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps({"meta": meta or machine(), "rows": rows}, indent=1) + "\n")
        print(f"wrote {json_path}")
    if csv_path:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        cols = list(dict.fromkeys(k for r in rows for k in r))
        with csv_path.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            w.writerows(rows)
        print(f"wrote {csv_path}")


def print_table(rows: list[dict], columns: list[str] | None = None) -> None:
    import pandas as pd

    df = pd.DataFrame(rows)
    if columns:
        df = df[[c for c in columns if c in df]]
    with pd.option_context("display.width", 250, "display.max_columns", 40):
        print(df.to_string(index=False))
