"""`dcplan largest-run`: the largest training run one campus or one supercluster can host.

Registered on the main `dcplan` app in `dcplan/cli/__init__.py`.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, JustifyMethod
from rich.table import Table

from dcplan.cli.output import QuietOpt, ThreadsOpt, TimeLimitOpt, VerboseOpt, setup_output, solver_items

log = logging.getLogger(__name__)
console = Console(width=max(Console().width, 150))  # wide tables; a pipe or file gets them unwrapped
err = Console(stderr=True)


def largest_run(
    host: Annotated[str, typer.Option("--host", help="a supercluster (named or found, e.g. auto_1) or a site id")],
    scenario: Annotated[Path | None, typer.Argument(help="scenario folder; the bundled default when omitted")] = None,
    years: Annotated[list[int] | None, typer.Option("--year", help="year of the run (repeatable; default 2030)")] = None,
    campuses: Annotated[bool, typer.Option("--campuses/--no-campuses", help="also each member campus alone")] = True,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="folder for largest_run and largest_run_limits tables")] = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet, csv or xlsx")] = "parquet",
    set_: Annotated[list[str] | None, typer.Option("--set", help="override, e.g. --set network.training_bits_per_flop=1e-6")] = None,
    solver_option: Annotated[
        list[str] | None, typer.Option("--solver-option", help="HiGHS option KEY=VALUE, e.g. time_limit=600 (repeatable)")
    ] = None,
    threads: ThreadsOpt = None,
    time_limit: TimeLimitOpt = None,
    verbose: VerboseOpt = 0,
    quiet: QuietOpt = False,
) -> None:
    """The largest training run (H100e, FLOP, GW) HOST can run in each YEAR, each member campus alone
    vs the supercluster, and the limits that stop it (run H100e one more unit of each would add)."""
    from dcplan.analysis.largest_run import comparison_table, host_sites, largest_training_run, limits_table
    from dcplan.cli.common import load_cli_scenario, report_input_error, report_output_error
    from dcplan.errors import InputError, SolveError

    setup_output(verbose, quiet, console)

    from dcplan.results.results import FORMATS, write_frames

    if fmt not in FORMATS:
        err.print(f"--format must be one of {', '.join(FORMATS)}, got '{fmt}'; nothing was written", markup=False)
        raise typer.Exit(2)
    from dcplan.errors import OutputError
    from dcplan.results.output import OutputFolder, check_out_dir

    if out is not None:
        try:
            check_out_dir(out)
        except OutputError as e:
            report_output_error(e)
    started, clock = time.time(), time.perf_counter()
    try:
        scn, set_overrides = load_cli_scenario(scenario, set_, solver_items(threads, time_limit, solver_option))
        todo = []  # (year, host) of every solve, campuses first (as campus_and_supercluster_runs)
        for y in years or [2030]:
            members = host_sites(scn, y, host) if campuses else []
            todo += [(y, s) for s in members if s != host] + [(y, host)]
        runs = []
        for i, (y, h) in enumerate(todo, 1):
            t = time.perf_counter()
            runs.append(largest_training_run(scn, y, h))
            log.info("[%d/%d] largest run %d at %s: %s M H100e (%.1f s)", i, len(todo), y, h,
                     f"{runs[-1].run_h100e / 1e6:,.2f}", time.perf_counter() - t)
    except InputError as e:
        report_input_error(e)
        raise typer.Exit(1) from None
    except SolveError as e:
        err.print(str(e), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(3) from None
    table, limits = comparison_table(runs), limits_table(runs)
    print_runs(table, scn)
    for r in runs:
        if r.kind == "supercluster" or len(runs) == 1 or not campuses:
            print_limits(r)
    if out is not None:
        from dcplan.results.record import run_record, write_run_record

        try:
            with OutputFolder(out) as stage:
                write_frames({"largest_run": table, "largest_run_limits": limits}, stage, fmt, "largest_run.xlsx")
                write_run_record(stage, run_record(
                    scn, command=["dcplan", *sys.argv[1:]], override_sources={"--set": set_overrides},
                    started_at=started, phase_seconds={"total": time.perf_counter() - clock},
                    extra={"mode": {"largest_run": {"host": host, "years": list(years or [2030]), "campuses": campuses}}},
                ))
        except OutputError as e:
            report_output_error(e)
        console.print(f"wrote the largest_run and largest_run_limits tables ({fmt}) to {out}/")


def print_runs(table, scn) -> None:
    """The comparison table: one row per campus / supercluster and year."""
    p = scn.params
    t = Table(title=f"largest training run ({p['training.run_days']:g} days at {p['training.utilization']:.0%} utilisation)")
    cols: tuple[tuple[str, JustifyMethod], ...] = (
        ("year", "right"), ("host", "left"), ("sites", "right"), ("M H100e", "right"), ("FLOP", "right"),
        ("GW", "right"), ("x best campus", "right"), ("what limits it", "left"),
    )
    for c, j in cols:
        t.add_column(c, justify=j)
    for r in table.itertuples():
        t.add_row(str(r.year), f"{r.hosted_by} ({r.kind})", str(r.n_sites), f"{r.run_h100e / 1e6:,.2f}", f"{r.run_flop:.2e}",
                  f"{r.run_gw:,.2f}", f"{r.x_best_campus:.2f}", r.top_limit)
    console.print(t)


def print_limits(run, n: int = 6) -> None:
    """The top limits of one run."""
    if run.limits.empty:
        return
    t = Table(title=f"what limits the {run.year} run at {run.hosted_by} (run H100e one more unit would add)")
    cols: tuple[tuple[str, JustifyMethod], ...] = (
        ("limit", "left"), ("where", "left"), ("year", "right"), ("alone", "right"), ("by its dual", "right"),
        ("tight beside it (degenerate)", "left"),
    )
    for c, j in cols:
        t.add_column(c, justify=j)
    for r in run.limits.head(n).itertuples():
        lower = {"ranging bound": "≥ ", "unchecked": "≤ "}.get(r.realised_by, "")  # a lower bound; the dual, an upper one
        t.add_row(f"{r.label} ({r.equation})", r.where, str(r.year), f"{lower}{r.run_h100e_per_unit:,.1f} / {r.unit}",
                  f"{r.run_h100e_per_unit_dual:,.1f} / {r.unit}", r.tight_alongside)
    console.print(t)
