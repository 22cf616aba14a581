"""Command line: `dcplan run`, `dcplan validate`; `report` and `largest-run` live in their own modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from dcplan.cli.common import console, err, parse_set_options, report_input_error, with_solver_options
from dcplan.cli.largest_run import largest_run
from dcplan.cli.report import report
from dcplan.errors import InputError, SolveError
from dcplan.scenario.load import load_scenario

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Plan AI datacenter build-out under power and supply-chain limits.")

ScenarioArg = Annotated[Optional[Path], typer.Argument(help="scenario folder (or its scenario.yaml); the bundled default when omitted")]
SetOpt = Annotated[list[str], typer.Option("--set", help="override, e.g. --set lead_time_years.gas_turbine=6 (repeatable)")]
SolverOpt = Annotated[
    list[str],
    typer.Option("--solver-option", help="HiGHS option KEY=VALUE, e.g. --solver-option time_limit=600 (repeatable; "
                 "over scenario.yaml's solver:)"),
]


@app.command()
def validate(scenario: ScenarioArg = None, set_: SetOpt = None) -> None:
    """Check a scenario's inputs without solving; exit 1 listing every problem found."""
    try:
        scn = load_scenario(scenario, parse_set_options(set_))
    except InputError as e:
        report_input_error(e)
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
    solver_option: SolverOpt = None,
    what_if: Annotated[
        Optional[str],
        typer.Option("--what-if", help="also solve with one change and report the difference, e.g. 'cowos +20%' or 'turbine_lead_time -2 years'"),
    ] = None,
) -> None:
    """Solve a scenario, print a summary, and write every results table and summary.json to OUT."""
    from dcplan.plan import Plan

    if fmt not in ("parquet", "csv"):
        err.print(f"[red]--format must be 'parquet' or 'csv', got '{fmt}'[/red]")
        raise typer.Exit(2)
    try:
        scn = with_solver_options(load_scenario(scenario, parse_set_options(set_)), solver_option)
    except InputError as e:
        report_input_error(e)
        raise typer.Exit(1)
    change = None
    if what_if:
        from dcplan.scenario.changes import parse_change

        try:
            change = parse_change(what_if)
        except InputError as e:
            report_input_error(e)
            raise typer.Exit(1)
    try:
        plan = Plan(scn)
        res = plan.solve()
        print_summary(res)
        paths = res.write(out, fmt)
        if change is not None:
            from dcplan.analysis.what_if import what_if as run_what_if

            w = run_what_if(scn, what_if, base=res, plan=plan)
            print_what_if(w)
            p = out / f"what_if.{fmt}"
            w.delta.to_parquet(p, index=False) if fmt == "parquet" else w.delta.to_csv(p, index=False)
            paths.append(p)
    except SolveError as e:
        err.print(str(e), markup=False, highlight=False)
        raise typer.Exit(3)
    console.print(f"wrote {len(paths)} files to {out}/")


def print_what_if(w) -> None:
    """Print the change in cost, compute online and unmet demand per year."""
    d = w.delta
    t = Table(title=f"what-if '{w.change}': change vs base (total discounted cost {w.objective_change_usd / 1e9:+,.2f} bn USD)")
    for c in ("year", "cost (USD bn)", "online (M H100e)", "unmet (M H100e)"):
        t.add_column(c, justify="right")
    for r in d.itertuples():
        t.add_row(str(r.year), f"{r.cost_usd_change / 1e9:+,.2f}", f"{r.online_h100e_change / 1e6:+,.2f}", f"{r.unmet_h100e_change / 1e6:+,.2f}")
    console.print(t)


def print_summary(res, top_n: int = 3) -> None:
    """Print cost, compute online per year, unmet demand and the top binding constraints."""
    unserved = res.unserved_value_usd
    console.print(
        f"[bold]{res.scenario}[/bold]: {res.status}, plan cost ${(res.objective_usd - unserved) / 1e9:,.1f} bn (PV); "
        f"unserved demand valued at ${unserved / 1e9:,.1f} bn (PV)"
    )
    if res.scope:
        console.print(f"scope: {res.scope}", markup=False, highlight=False)
    t = Table(title="compute by year (million H100e)")
    for c in ("year", "demand", "online", "unmet", "EFLOP/s"):
        t.add_column(c, justify="right")
    for r in res.compute.itertuples():
        t.add_row(
            str(r.year), f"{r.demand_h100e / 1e6:,.2f}", f"{r.online_h100e / 1e6:,.2f}", f"{r.unmet_h100e / 1e6:,.2f}",
            f"{r.online_flops_per_s / 1e18:,.0f}",
        )
    console.print(t)
    b = Table(title=f"top {top_n} binding constraints per year (value of one more unit, USD)")
    for c, j in (("year", "right"), ("constraint", "left"), ("where", "left"), ("USD per unit", "right")):
        b.add_column(c, justify=j)
    for y, g in res.binding.groupby("year"):
        for i, r in enumerate(g.head(top_n).itertuples()):
            b.add_row(str(y) if i == 0 else "", r.family, r.where, f"{r.shadow_price_usd_per_unit:,.0f} / {r.unit}")
    if res.binding.empty:
        console.print("no global or regional constraint binds in any year")
    else:
        console.print(b)
    if not res.training.empty:
        print_training(res.training)


def print_training(training) -> None:
    """The training run per year: where, its size, what was hosted in the least slice, and its power."""
    from dcplan.results.tables import training_summary

    t = Table(title="training run across its supercluster (least-hosted time slice)")
    for c in ("year", "supercluster", "run (M H100e)", "hosted (M H100e)", "not hosted (M H100e)", "GW", "by state (M H100e)"):
        t.add_column(c, justify="left" if c in ("supercluster", "by state (M H100e)") else "right")
    for r in training_summary(training).itertuples():
        t.add_row(
            str(r.year), str(r.supercluster), f"{r.run_h100e / 1e6:,.2f}", f"{r.hosted_h100e / 1e6:,.2f}",
            f"{r.unmet_h100e / 1e6:,.2f}", f"{r.run_facility_mw / 1e3:,.2f}",
            ", ".join(f"{k} {v / 1e6:,.2f}" for k, v in r.by_state.items()),
        )
    console.print(t)


# Subcommands in their own modules, registered explicitly: a module that fails to import is an
# ImportError here, never a silently missing subcommand.
app.command()(report)
app.command("largest-run")(largest_run)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
