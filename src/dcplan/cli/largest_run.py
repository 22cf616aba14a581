"""`dcplan largest-run`: the largest training run one campus or one supercluster can host.

Registered on the main `dcplan` app in `dcplan/cli/__init__.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

console = Console(width=max(Console().width, 150))  # wide tables; a pipe or file gets them unwrapped
err = Console(stderr=True)


def largest_run(
    host: Annotated[str, typer.Option("--host", help="a supercluster (named or found, e.g. auto_1) or a site id")],
    scenario: Annotated[Optional[Path], typer.Argument(help="scenario folder; the bundled default when omitted")] = None,
    years: Annotated[list[int], typer.Option("--year", help="year of the run (repeatable; default 2030)")] = None,
    campuses: Annotated[bool, typer.Option("--campuses/--no-campuses", help="also each member campus alone")] = True,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="folder for largest_run and largest_run_limits tables")] = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
    set_: Annotated[list[str], typer.Option("--set", help="override, e.g. --set network.training_bits_per_flop=1e-6")] = None,
    solver_option: Annotated[
        list[str], typer.Option("--solver-option", help="HiGHS option KEY=VALUE, e.g. time_limit=600 (repeatable)")
    ] = None,
) -> None:
    """The largest training run (H100e, FLOP, GW) HOST can run in each YEAR, each member campus alone
    vs the supercluster, and the limits that stop it (run H100e one more unit of each would add)."""
    from dcplan.cli.common import parse_set_options, report_input_error, with_solver_options
    from dcplan.errors import InputError, SolveError
    from dcplan.scenario.load import load_scenario
    from dcplan.analysis.largest_run import (
        campus_and_supercluster_runs,
        comparison_table,
        largest_training_run,
        limits_table,
    )

    if fmt not in ("parquet", "csv"):
        err.print(f"[red]--format must be 'parquet' or 'csv', got '{fmt}'[/red]")
        raise typer.Exit(2)
    try:
        scn = with_solver_options(load_scenario(scenario, parse_set_options(set_)), solver_option)
        runs = []
        for y in years or [2030]:
            runs += campus_and_supercluster_runs(scn, y, host) if campuses else [largest_training_run(scn, y, host)]
    except InputError as e:
        report_input_error(e)
        raise typer.Exit(1)
    except SolveError as e:
        err.print(str(e), markup=False, highlight=False)
        raise typer.Exit(3)
    table, limits = comparison_table(runs), limits_table(runs)
    print_runs(table, scn)
    for r in runs:
        if r.kind == "supercluster" or len(runs) == 1 or not campuses:
            print_limits(r)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, df in (("largest_run", table), ("largest_run_limits", limits)):
            p = out / f"{name}.{fmt}"
            df.to_parquet(p, index=False) if fmt == "parquet" else df.to_csv(p, index=False)
        console.print(f"wrote largest_run.{fmt} and largest_run_limits.{fmt} to {out}/")


def print_runs(table, scn) -> None:
    """The comparison table: one row per campus / supercluster and year."""
    p = scn.params
    t = Table(title=f"largest training run ({p['training.run_days']:g} days at {p['training.utilization']:.0%} utilisation)")
    for c, j in (("year", "right"), ("host", "left"), ("sites", "right"), ("M H100e", "right"), ("FLOP", "right"),
                 ("GW", "right"), ("x best campus", "right"), ("what limits it", "left")):
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
    for c, j in (("limit", "left"), ("where", "left"), ("year", "right"), ("H100e per unit", "right")):
        t.add_column(c, justify=j)
    for r in run.limits.head(n).itertuples():
        t.add_row(f"{r.label} ({r.equation})", r.where, str(r.year), f"{r.run_h100e_per_unit:,.1f} / {r.unit}")
    console.print(t)
