"""`dcplan sweep SPEC --out DIR` and `dcplan sweep-report DIR` (see docs/sweeps.md).

Registered on the main `dcplan` app in `dcplan/cli/__init__.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dcplan.cli.common import console, err, report_input_error


def _report_error(e, what: str) -> None:
    """Every problem on its own line, unwrapped, under a header naming what was wrong."""
    err.print(f"[bold red]{len(e.problems)} problem(s) in the {what}; nothing was run:[/bold red]")
    for p in e.problems:
        err.print(f"  - {p}", markup=False, highlight=False, soft_wrap=True)


def sweep(
    spec: Annotated[Path, typer.Argument(help="sweep spec (YAML; see docs/sweeps.md)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="sweep folder (created; rerun the same command to resume)")],
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", help="local worker processes (default: cores; 0: in this process)")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="join a running Dask cluster, e.g. tcp://host:8786")
    ] = None,
    recycle_after: Annotated[
        int | None, typer.Option("--recycle-after", help="restart each local worker's process after N scenarios "
                                 "(default 200; 0: never; not applied with --scheduler)")
    ] = None,
    order: Annotated[
        str, typer.Option("--order", help="order of the scenarios within a structure group, for warm starts: auto "
                          "(a chain weighted by a probe of iteration costs on large groups), chain (unweighted), "
                          "design (docs/sweeps.md, 'Why this order'); answers do not depend on it")
    ] = "auto",
) -> None:
    """Run a batch sensitivity sweep into OUT: each scenario is stored as it finishes; rerunning the
    same command skips finished scenarios. Failed scenarios are recorded with their reason."""
    from dcplan.errors import InputError
    from dcplan.sweeps.progress import SweepProgress
    from dcplan.sweeps.runner import RECYCLE_AFTER, SweepInterrupted, run_sweep
    from dcplan.sweeps.spec import load_spec

    if workers is not None and workers < 0:
        err.print("[red]--workers must be >= 0[/red]")
        raise typer.Exit(2) from None
    if recycle_after is not None and recycle_after < 0:
        err.print("[red]--recycle-after must be >= 0[/red]")
        raise typer.Exit(2) from None
    from dcplan.sweeps.order import ORDERS

    if order not in ORDERS:
        err.print(f"[red]--order must be one of {', '.join(ORDERS)}, not {order!r}[/red]", highlight=False)
        raise typer.Exit(2) from None
    if recycle_after and scheduler:
        err.print("note: --recycle-after is not applied with --scheduler (that cluster's workers are not restarted)")
    try:
        s = load_spec(spec)
    except InputError as e:
        _report_error(e, "sweep spec")
        raise typer.Exit(1) from None
    prog = SweepProgress(s.name, err)
    try:
        with prog:
            res = run_sweep(s, out, workers=workers, scheduler=scheduler, on_record=prog.record, on_start=prog.start,
                            recycle_after=RECYCLE_AFTER if recycle_after is None else recycle_after, order=order)
    except SweepInterrupted as e:
        r = e.result
        err.print(f"stopped: {r.skipped + r.done} of {r.n_scenarios} scenarios are stored in {out}/; "
                  "run the same command again to finish the rest", highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None
    except InputError as e:
        report_input_error(e)
        raise typer.Exit(1) from None
    bad = ", ".join(f"{n} {k}" for k, n in sorted(res.statuses.items()) if k != "optimal")
    console.print(
        f"sweep '{s.name}': {res.done} scenarios solved in {res.seconds:,.1f} s"
        + (f" ({res.skipped} already done)" if res.skipped else "")
        + (f"; failed: {bad} (status and reason in the store)" if bad else "")
        + (f"; {res.restarts} worker restarts" if res.restarts else "")
        + (f"; ordered by a probe of {len(res.order['order_weights'])} paths ({res.order['probe_seconds']:,.1f} s)"
           if res.order.get("order") == "probe" else "")
        + f"; results in {out}/ (dcplan sweep-report {out})",
        highlight=False, soft_wrap=True,
    )


def sweep_report(
    folder: Annotated[Path, typer.Argument(help="sweep folder written by `dcplan sweep SPEC --out DIR`")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="HTML file (default DIR/report.html; PNGs beside it)")
    ] = None,
) -> None:
    """Write one self-contained HTML page (and PNGs) of a sweep: tornado charts, fan charts, binding
    frequency, Morris mu*/sigma, best and worst scenarios."""
    import matplotlib

    matplotlib.use("Agg")
    from dcplan.errors import InputError
    from dcplan.sweeps.report import write_sweep_report

    try:
        path = write_sweep_report(folder, out)
    except InputError as e:
        _report_error(e, "sweep folder")
        raise typer.Exit(1) from None
    console.print(f"wrote {path} ({path.stat().st_size / 1e6:,.1f} MB, self-contained) and its PNGs", soft_wrap=True)
