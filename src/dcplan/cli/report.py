"""`dcplan report RESULTS_DIR`: the self-contained HTML report of a results folder.

Registered on the main `dcplan` app in `dcplan/cli/__init__.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)


def report(
    results_dir: Annotated[Path, typer.Argument(help="results folder written by `dcplan run --out DIR`")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="HTML file to write (default RESULTS_DIR/report.html)")
    ] = None,
    found_superclusters: Annotated[
        bool, typer.Option("--found-superclusters", help="also outline superclusters found from the fiber graph on the map")
    ] = False,
) -> None:
    """Write one self-contained HTML report (summary, bottleneck timeline, charts, map, tables) of a results folder."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed; the report only saves PNGs
    from dcplan.reports.html import write_report
    from dcplan.reports.load import ResultsNotFound

    try:
        path = write_report(results_dir, out, found_superclusters)
    except ResultsNotFound as e:
        err.print(f"[red]no report: {e}[/red]", soft_wrap=True)
        raise typer.Exit(1) from None
    size = path.stat().st_size / 1e6
    console.print(
        f"wrote {path} ({size:,.1f} MB, self-contained: open it in any browser, no network needed)", soft_wrap=True
    )


def compare(
    results_dirs: Annotated[list[Path], typer.Argument(help="two or more results folders; the first is the reference")],
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write")] = Path("compare.html"),
) -> None:
    """Compare runs side by side (cost split, compute, unmet, capacity, energy, binding) in one HTML page."""
    import matplotlib

    matplotlib.use("Agg")
    from dcplan.reports.compare import compare as compare_runs
    from dcplan.reports.load import ResultsNotFound

    if len(results_dirs) < 2:
        err.print("compare needs at least two results folders; nothing was written")
        raise typer.Exit(2)
    if out.is_dir() or (out.parent.exists() and not out.parent.is_dir()):
        err.print(f"--out {out}: expected an HTML file path, got a folder or a path under a file; nothing was written",
                  markup=False, soft_wrap=True)
        raise typer.Exit(2)
    try:
        c = compare_runs(results_dirs)
    except ResultsNotFound as e:
        err.print(f"no comparison: {e}; nothing was written", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(c.to_html(), encoding="utf-8")
    tmp.replace(out)
    k = c.key_figures
    for r in k.itertuples():
        console.print(f"{r.run}: plan cost ${r.plan_cost_usd / 1e9:,.1f} bn, unserved ${r.unserved_value_usd / 1e9:,.1f} bn, "
                      f"online {r.last_year} {r.online_h100e_last_year / 1e6:,.2f} M H100e", markup=False, highlight=False)
    console.print(f"wrote {out} ({out.stat().st_size / 1e6:,.1f} MB, self-contained)", markup=False, soft_wrap=True)
