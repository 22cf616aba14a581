"""Command line: `dcplan run`, `dcplan validate`; `report`, `largest-run`, `sweep` and `sweep-report` live in their own modules."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import JustifyMethod
from rich.table import Table

from dcplan.cli.common import console, err, load_cli_scenario, parse_set_options, report_input_error, report_output_error
from dcplan.cli.largest_run import largest_run
from dcplan.cli.output import QuietOpt, SolverLogOpt, ThreadsOpt, TimeLimitOpt, VerboseOpt, setup_output, solver_items
from dcplan.cli.report import compare, report
from dcplan.cli.sweep import sweep, sweep_report
from dcplan.errors import InputError, OutputError, SolveError
from dcplan.scenario.load import load_scenario

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Plan AI datacenter build-out under power and supply-chain limits.")


def _print_version(value: bool) -> None:
    if value:
        from dcplan.results.record import versions

        v = versions()
        console.print(f"dcplan {v['dcplan']} (HiGHS {v['highs']}, Pyomo {v['pyomo']}, Python {v['python']})", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True, help="print versions and exit")] = False,
) -> None:
    """Plan AI datacenter build-out under power and supply-chain limits."""

ScenarioArg = Annotated[Path | None, typer.Argument(help="scenario folder (or its scenario.yaml); the bundled default when omitted")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="override, e.g. --set power_technologies.gas_cc.lead_time_years=7 (repeatable)")]
SolverOpt = Annotated[
    list[str] | None,
    typer.Option("--solver-option", help="HiGHS option KEY=VALUE, e.g. --solver-option time_limit=600 (repeatable; "
                 "over scenario.yaml's solver:)"),
]


@app.command()
def validate(scenario: ScenarioArg = None, set_: SetOpt = None, verbose: VerboseOpt = 0, quiet: QuietOpt = False) -> None:
    """Check a scenario's inputs without solving; exit 1 listing every problem found."""
    setup_output(verbose, quiet, console)
    try:
        scn = load_scenario(scenario, parse_set_options(set_))
    except InputError as e:
        report_input_error(e)
        raise typer.Exit(1) from None
    console.print(
        f"[green]ok[/green] scenario '{scn.name}': {len(scn.tables['sites'])} sites in {scn.tables['sites']['region'].nunique()} regions, "
        f"{len(scn.tables['gpus'])} GPU generations, horizon {scn.start_year}-{scn.end_year}"
    )


INIT_TEMPLATE = """\
# Scenario '{name}', made by `dcplan init`. Check it with `dcplan validate {folder}`, solve it
# with `dcplan run {folder} --out results-{name}`. Rules: docs/inputs.md, "Layered scenarios".
name: {name}
description: ""  # one line on what this scenario asks

# Every table and parameter not given in this folder comes from the base: 'default' (the
# bundled default), or a path to another scenario folder, relative to this one. Bases chain:
# a base may have its own base; their overrides apply beneath the ones below.
base: {base}

# Overrides, applied on top of the base's (the same paths as `--set`):
#   a parameter (parameters.csv)     lead_time_years.shell: 3
#   a table cell (table.key.column)  regions.TX.headroom_mw_start: 5000
#   every row of a table             supply.*.cowos_wafers_per_year: 120000
overrides: {{}}

# Tables: put <table>.csv here to replace a base's whole table, or <table>.add.csv to add rows
# to it (a row whose key matches a base row replaces that row), e.g. sites.add.csv holding the
# header of the base's sites.csv and one row per new site.
"""


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="the new scenario folder (its name becomes the scenario's name)")],
    base: Annotated[str, typer.Option("--base", help="'default' or a path to the base scenario folder")] = "default",
) -> None:
    """Create a scenario folder with a commented scenario.yaml on top of BASE (validated before writing)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        err.print(f"cannot create {folder}: it exists and is not an empty folder; nothing was written", markup=False, soft_wrap=True)
        raise typer.Exit(2)
    base_value = base
    if base != "default":
        b = Path(base).expanduser().absolute()
        if not (b / "scenario.yaml").is_file():
            err.print(f"--base {base}: no scenario folder there (no scenario.yaml); nothing was written", markup=False, soft_wrap=True)
            raise typer.Exit(2)
        base_value = os.path.relpath(b, folder.expanduser().absolute())
    text = INIT_TEMPLATE.format(name=folder.name, folder=folder, base=yaml.safe_dump(base_value).strip().removesuffix("...").strip())
    try:
        with tempfile.TemporaryDirectory(prefix="dcplan-init-") as tmp:  # validate before writing
            (Path(tmp) / "scenario.yaml").write_text(text.replace(f"base: {base_value}", f"base: {_abs_base(base, base_value)}"))
            scn = load_scenario(Path(tmp))
    except InputError as e:
        report_input_error(e)
        raise typer.Exit(1) from None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.yaml").write_text(text)
    console.print(f"created {folder}/scenario.yaml on base '{base}' ({len(scn.tables['sites'])} sites, horizon "
                  f"{scn.start_year}-{scn.end_year}); next: dcplan validate {folder}", highlight=False, soft_wrap=True)


def _abs_base(base: str, base_value: str) -> str:
    return base_value if base == "default" else str(Path(base).expanduser().absolute())


@app.command()
def run(
    scenario: ScenarioArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="results folder")] = Path("results"),
    fmt: Annotated[str, typer.Option("--format", help="parquet, csv, or xlsx (one workbook, a sheet per table)")] = "parquet",
    set_: SetOpt = None,
    solver_option: SolverOpt = None,
    what_if: Annotated[
        list[str] | None,
        typer.Option("--what-if", help="also solve a variant and report the difference, e.g. 'cowos +20%', 'interconnection +1 GW' "
                     "or 'regions.TX.headroom_mw_start*=1.5; turbine_lead_time -1 year' (repeatable: one variant each; "
                     "grammar in docs/results.md)"),
    ] = None,
    threads: ThreadsOpt = None,
    time_limit: TimeLimitOpt = None,
    solver_log: SolverLogOpt = None,
    one_unit_resolves: Annotated[
        int | None,
        typer.Option("--one-unit-resolves", min=0, help="most one-unit re-solves spent checking which shadow prices hold "
                     "(0: HiGHS ranging only; default in results/realised.py; docs/formulation.md, 'Shadow prices that hold')"),
    ] = None,
    verbose: VerboseOpt = 0,
    quiet: QuietOpt = False,
) -> None:
    """Solve a scenario, print a summary, and write every results table, summary.json and run.json to OUT."""
    setup_output(verbose, quiet, console)
    from dcplan.plan import Plan
    from dcplan.results.output import OutputFolder, check_out_dir
    from dcplan.results.record import run_record, write_run_record

    from dcplan.results.results import FORMATS, write_frames

    if fmt not in FORMATS:
        err.print(f"--format must be one of {', '.join(FORMATS)}, got '{fmt}'; nothing was written", markup=False)
        raise typer.Exit(2)
    try:
        check_out_dir(out)
    except OutputError as e:
        report_output_error(e)
    started, clock = time.time(), time.perf_counter()
    try:
        scn, set_overrides = load_cli_scenario(scenario, set_, solver_items(threads, time_limit, solver_option))
    except InputError as e:
        report_input_error(e)
        raise typer.Exit(1) from None
    phases = {"load": time.perf_counter() - clock}
    prepared = []
    if what_if:
        from dcplan.analysis.what_if import prepare_what_if

        problems = []
        for text in what_if:  # parse and validate every variant before anything is solved or written
            try:
                prepared.append(prepare_what_if(scn, text))
            except InputError as e:
                problems += e.problems
        if problems:
            report_input_error(InputError(problems))
            raise typer.Exit(1)
    options = {"solver_log": solver_log} if solver_log else {}  # dcplan's own; HiGHS options travel in scn
    try:
        with OutputFolder(out) as stage:
            t = time.perf_counter()
            plan = Plan(scn, options or None, **({} if one_unit_resolves is None else {"one_unit_resolves": one_unit_resolves}))
            phases["build"] = time.perf_counter() - t
            t = time.perf_counter()
            res = plan.solve()
            phases["solve"] = time.perf_counter() - t
            print_summary(res)
            t = time.perf_counter()
            names = [p.name for p in res.write_into(stage, fmt)]
            phases["write"] = time.perf_counter() - t
            sources = {"--set": set_overrides}
            if prepared:
                from dcplan.analysis.what_if import what_if as run_what_if

                t = time.perf_counter()
                deltas = []
                for i, prep in enumerate(prepared, 1):
                    logging.getLogger("dcplan.cli").info("[%d/%d] what-if '%s': solving the variant", i, len(prepared), prep.change)
                    w = run_what_if(scn, prep, base=res, plan=plan)
                    print_what_if(w)
                    sources[f"what-if {i}"] = {"change": prep.change, **w.overrides}
                    folder = stage / "what_if" / str(i)
                    folder.mkdir(parents=True)
                    w.variant.write_into(folder, fmt)
                    deltas.append(w.delta.assign(what_if=prep.change, folder=f"what_if/{i}"))
                phases["what_if"] = time.perf_counter() - t
                import pandas as pd

                names += [p.name for p in write_frames({"what_if": pd.concat(deltas, ignore_index=True)}, stage, fmt, "what_if.xlsx")]
                names.append(f"what_if/ ({len(prepared)} variant folder{'s' if len(prepared) > 1 else ''})")
            record = run_record(
                scn, command=["dcplan", *sys.argv[1:]], override_sources=sources, solver_options={**scn.solver_options, **options},
                started_at=started, phase_seconds=phases,
            )
            names.append(write_run_record(stage, record).name)
    except OutputError as e:
        report_output_error(e)
    except InputError as e:  # the LP's coefficients out of range (solve/magnitudes.py)
        report_input_error(e)
        raise typer.Exit(1) from None
    except SolveError as e:
        err.print(str(e), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(3) from None
    console.quiet = False
    console.print(f"wrote {len(names)} files to {out}/")


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
    """Print cost, compute online per year, unmet demand and the top binding constraints, ranked
    by the value of one more unit that holds (the shadow price beside it where that differs)."""
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
    b = Table(title=f"top {top_n} binding constraints per year (value of one more unit that holds, USD)")
    cols: tuple[tuple[str, JustifyMethod], ...] = (
        ("year", "right"), ("constraint", "left"), ("where", "left"), ("USD per unit", "right"), ("shadow price", "right"),
    )
    for c, j in cols:
        b.add_column(c, justify=j)
    from dcplan.results.realised import holds_value

    binding = res.binding.assign(value_holds=holds_value(res.binding))
    for y, g in binding.groupby("year"):
        g = g.sort_values("value_holds", ascending=False, kind="stable")
        for i, r in enumerate(g.head(top_n).itertuples()):
            dual, v = r.shadow_price_usd_per_unit, r.value_holds
            note = "" if abs(dual - v) <= 1e-6 * max(abs(dual), 1.0) else f"{dual:,.0f}" + (" (degenerate)" if _flag(r) else "")
            b.add_row(str(y) if i == 0 else "", r.family, r.where, f"{v:,.0f} / {r.unit}", note)
    if res.binding.empty:
        console.print("no global or regional constraint binds in any year")
    else:
        console.print(b)
    if not res.training.empty:
        print_training(res.training)


def _flag(r) -> bool:
    """True if binding row `r` is marked degenerate (its shadow price does not hold); NA is not."""
    import pandas as pd

    d = getattr(r, "degenerate", False)
    return bool(pd.notna(d) and d)


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
app.command()(compare)
app.command("largest-run")(largest_run)
app.command("sweep")(sweep)
app.command("sweep-report")(sweep_report)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
