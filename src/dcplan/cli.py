"""Command line: `dcplan run`, `dcplan validate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
import yaml
from rich.console import Console
from rich.table import Table

from dcplan.errors import InputError, InputProblem, SolveError
from dcplan.scenario.load import load_scenario

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Plan AI datacenter build-out under power and supply-chain limits.")
console = Console()
err = Console(stderr=True)

ScenarioArg = Annotated[Optional[Path], typer.Argument(help="scenario folder (or its scenario.yaml); the bundled default when omitted")]
SetOpt = Annotated[list[str], typer.Option("--set", help="override, e.g. --set lead_time_years.gas_turbine=6 (repeatable)")]


def _overrides(items: list[str]) -> dict:
    out = {}
    for it in items or []:
        if "=" not in it:
            raise InputError([InputProblem("--set", f"'{it}': expected PATH=VALUE")])
        k, v = it.split("=", 1)
        out[k.strip()] = yaml.safe_load(v)
    return out


def _report_input_error(e: InputError) -> None:
    t = Table(title=f"{len(e.problems)} problem(s) in the scenario inputs; nothing was written", show_lines=False)
    for c in ("file", "row", "column", "problem"):
        t.add_column(c, overflow="fold")
    for p in e.problems:
        t.add_row(p.file, "" if p.row is None else str(p.row), p.column or "", p.message)
    err.print(t)


@app.command()
def validate(scenario: ScenarioArg = None, set_: SetOpt = None) -> None:
    """Check a scenario's inputs without solving; exit 1 listing every problem found."""
    try:
        scn = load_scenario(scenario, _overrides(set_))
    except InputError as e:
        _report_input_error(e)
        raise typer.Exit(1)
    console.print(
        f"[green]ok[/green] scenario '{scn.name}': {len(scn.tables['sites'])} sites in {scn.tables['sites']['region'].nunique()} regions, "
        f"{len(scn.tables['gpus'])} GPU generations, horizon {scn.start_year}-{scn.end_year}"
    )


@app.command()
def run(
    scenario: ScenarioArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="results folder")] = Path("results"),
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
    set_: SetOpt = None,
) -> None:
    """Solve a scenario, print a summary, and write every results table and summary.json to OUT."""
    from dcplan.plan import Plan

    if fmt not in ("parquet", "csv"):
        err.print(f"[red]--format must be 'parquet' or 'csv', got '{fmt}'[/red]")
        raise typer.Exit(2)
    try:
        scn = load_scenario(scenario, _overrides(set_))
    except InputError as e:
        _report_input_error(e)
        raise typer.Exit(1)
    try:
        res = Plan(scn).solve()
    except SolveError as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(3)
    print_summary(res)
    paths = res.write(out, fmt)
    console.print(f"wrote {len(paths)} files to {out}/")


def print_summary(res) -> None:
    """Print cost, compute online per year, unmet demand and the top binding constraints."""
    console.print(f"[bold]{res.scenario}[/bold]: {res.status}, total discounted cost ${res.objective_usd / 1e9:,.1f} bn")
    t = Table(title="compute by year")
    for c in ("year", "demand (M H100e)", "online (M H100e)", "unmet (M H100e)", "online (EFLOP/s)", "top binding constraints ($ per unit)"):
        t.add_column(c)
    top = {}
    for y, g in res.binding.groupby("year"):
        top[int(y)] = "; ".join(
            f"{r.family}{'' if r.where == 'world/US' else ' ' + r.where} {r.shadow_price_usd_per_unit:,.0f}/{r.unit}" for r in g.head(3).itertuples()
        )
    for r in res.compute.itertuples():
        t.add_row(
            str(r.year), f"{r.demand_h100e / 1e6:,.2f}", f"{r.online_h100e / 1e6:,.2f}", f"{r.unmet_h100e / 1e6:,.2f}",
            f"{r.online_flops_per_s / 1e18:,.0f}", top.get(int(r.year), "-"),
        )
    console.print(t)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
