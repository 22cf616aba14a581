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
SolverOpt = Annotated[
    list[str],
    typer.Option("--solver-option", help="HiGHS option KEY=VALUE, e.g. --solver-option time_limit=600 (repeatable; "
                 "over scenario.yaml's solver:)"),
]


def _overrides(items: list[str]) -> dict:
    """`--set PATH=VALUE` options as overrides; VALUE is read as YAML (so 6 is a number).
    Raises InputError naming every malformed option."""
    out, problems = {}, []
    for it in items or []:
        k, eq, v = it.partition("=")
        if not eq or not k.strip():
            problems.append(InputProblem("--set", f"'{it}': expected PATH=VALUE, e.g. lead_time_years.gas_turbine=6"))
            continue
        try:
            out[k.strip()] = yaml.safe_load(v)
        except yaml.YAMLError:
            out[k.strip()] = v  # not YAML: keep the text, validation says what was expected
    if problems:
        raise InputError(problems)
    return out


def _with_solver_options(scn, items: list[str] | None):
    """`scn` with `--solver-option KEY=VALUE` options over its scenario.yaml `solver:` ones.
    Raises InputError naming every bad option."""
    if not items:
        return scn
    from dataclasses import replace

    from dcplan.scenario.solver_options import parse_solver_options

    opts = parse_solver_options(items, origin="--solver-option", key_prefix="")
    return replace(scn, solver_options={**scn.solver_options, **opts})


def _report_input_error(e: InputError) -> None:
    """Print every problem on its own line as `file, row N, column 'c': message` (no wrapping,
    no markup, so the lines can be searched and copied)."""
    err.print(f"[bold red]{len(e.problems)} problem(s) in the scenario inputs; nothing was written:[/bold red]")
    for p in e.problems:
        err.print(f"  - {p}", markup=False, highlight=False, soft_wrap=True)


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
        scn = _with_solver_options(load_scenario(scenario, _overrides(set_)), solver_option)
    except InputError as e:
        _report_input_error(e)
        raise typer.Exit(1)
    change = None
    if what_if:
        from dcplan.sweeps.whatif import parse_change

        try:
            change = parse_change(what_if)
        except InputError as e:
            _report_input_error(e)
            raise typer.Exit(1)
    try:
        plan = Plan(scn)
        res = plan.solve()
        print_summary(res)
        paths = res.write(out, fmt)
        if change is not None:
            from dcplan.sweeps.whatif import what_if as run_what_if

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
    console.print(f"[bold]{res.scenario}[/bold]: {res.status}, total discounted cost ${res.objective_usd / 1e9:,.1f} bn")
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


def _register_optional_commands() -> None:
    """Commands that live in their own modules (reports, sweeps) register here."""
    try:
        from dcplan.reports.cli import report
    except ImportError:  # pragma: no cover - module not written yet
        return
    app.command()(report)
    from dcplan.sweeps.cli import largest_run

    app.command("largest-run")(largest_run)


_register_optional_commands()


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
