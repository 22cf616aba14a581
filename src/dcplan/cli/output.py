"""Command-line output shared by every dcplan command: -v/-q, logging to stderr, solver options."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer
from rich.console import Console

VerboseOpt = Annotated[int, typer.Option("--verbose", "-v", count=True, help="more detail on stderr (-vv for debug)")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="print only warnings, errors and the last line")]
ThreadsOpt = Annotated[int | None, typer.Option("--threads", min=1, help="HiGHS threads (HiGHS's default otherwise)")]
TimeLimitOpt = Annotated[float | None, typer.Option("--time-limit", min=0.0, help="seconds HiGHS may spend per solve")]
SolverLogOpt = Annotated[
    str | None, typer.Option("--solver-log", help="write HiGHS's log to this file ('-' for stderr); HiGHS never writes to stdout")
]


def setup_output(verbose: int = 0, quiet: bool = False, *consoles: Console) -> None:
    """Route dcplan's log records to stderr: warnings with -q, progress by default, detail with -v,
    debug with -vv; -q also silences the summary tables on stdout."""
    level = logging.WARNING if quiet else (logging.INFO if verbose < 2 else logging.DEBUG)
    logger = logging.getLogger("dcplan")
    for h in list(logger.handlers):
        if getattr(h, "_dcplan_cli", False):
            logger.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)  # the stderr of this invocation (test runners swap it)
    handler.setFormatter(logging.Formatter("%(message)s" if verbose == 0 else "%(asctime)s %(name)s: %(message)s", "%H:%M:%S"))
    handler._dcplan_cli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    # module detail (build and solve times) only with -v; progress of multi-solve commands always
    logging.getLogger("dcplan.plan").setLevel(logging.NOTSET if verbose else logging.WARNING)
    for c in consoles:
        c.quiet = quiet




def solver_items(threads: int | None, time_limit: float | None, items: list[str] | None) -> list[str]:
    """--threads and --time-limit as HiGHS ``KEY=VALUE`` options, before any --solver-option (which
    wins), for the one parser of solver options (scenario/solver_options.py)."""
    out = [] if threads is None else [f"threads={int(threads)}"]
    out += [] if time_limit is None else [f"time_limit={float(time_limit)!r}"]
    return out + list(items or [])
