"""What every `dcplan` subcommand shares: the consoles, `--set` parsing and input-error printing."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from dcplan.errors import InputError, InputProblem, OutputError

console = Console()
err = Console(stderr=True)


def parse_set_options(items: list[str] | None) -> dict:
    """`--set PATH=VALUE` options as overrides; VALUE is kept as text (an empty VALUE is a blank
    cell) and parsed by the type of what it sets, as in scenario.yaml (so `040` is 40, and `no`
    is not a number). Raises InputError naming every malformed option."""
    out, problems = {}, []
    for it in items or []:
        k, eq, v = it.partition("=")
        if not eq or not k.strip():
            problems.append(InputProblem("--set", f"'{it}': expected PATH=VALUE, e.g. lead_time_years.shell=3"))
            continue
        out[k.strip()] = v.strip() or None
    if problems:
        raise InputError(problems)
    return out


def with_solver_options(scn, items: list[str] | None):
    """`scn` with `--solver-option KEY=VALUE` options over its scenario.yaml `solver:` ones.
    Raises InputError naming every bad option."""
    if not items:
        return scn
    from dataclasses import replace

    from dcplan.scenario.solver_options import parse_solver_options

    opts = parse_solver_options(items, origin="--solver-option", key_prefix="")
    return replace(scn, solver_options={**scn.solver_options, **opts})


def load_cli_scenario(scenario, set_: list[str] | None, solver: list[str]):
    """The scenario a subcommand solves: `--set` overrides and solver options (`solver`, as from
    output.solver_items) applied; returns (scenario, the parsed --set overrides). Raises InputError."""
    from dcplan.scenario.load import load_scenario

    set_overrides = parse_set_options(set_)
    return with_solver_options(load_scenario(scenario, set_overrides), solver), set_overrides


def report_input_error(e: InputError) -> None:
    """Print every problem on its own line as `file, row N, column 'c': message` (no wrapping,
    no markup, so the lines can be searched and copied)."""
    err.print(f"[bold red]{len(e.problems)} problem(s) in the scenario inputs; nothing was written:[/bold red]")
    for p in e.problems:
        err.print(f"  - {p}", markup=False, highlight=False, soft_wrap=True)


def report_output_error(e: OutputError) -> NoReturn:
    """Print why the results folder cannot be written and exit 2 (nothing was written)."""
    err.print(f"cannot write results: {e}; nothing was written", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)
