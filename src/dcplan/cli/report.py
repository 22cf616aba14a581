"""`dcplan report RESULTS_DIR`: the self-contained HTML report of a results folder.

Registered on the main `dcplan` app in `dcplan/cli/__init__.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)


def report(
    results_dir: Annotated[Path, typer.Argument(help="results folder written by `dcplan run --out DIR`")],
    out: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="HTML file to write (default RESULTS_DIR/report.html)")
    ] = None,
) -> None:
    """Write one self-contained HTML report (summary, bottleneck timeline, charts, map, tables) of a results folder."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed; the report only saves PNGs
    from dcplan.reports.html import write_report
    from dcplan.reports.load import ResultsNotFound

    try:
        path = write_report(results_dir, out)
    except ResultsNotFound as e:
        err.print(f"[red]no report: {e}[/red]", soft_wrap=True)
        raise typer.Exit(1)
    size = path.stat().st_size / 1e6
    console.print(
        f"wrote {path} ({size:,.1f} MB, self-contained: open it in any browser, no network needed)", soft_wrap=True
    )
