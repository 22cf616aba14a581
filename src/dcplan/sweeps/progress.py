"""Sweep progress: a rich bar on a terminal (done/total, rate, ETA, failures), plain periodic
lines otherwise (logs, CI, `nohup`)."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class SweepProgress:
    """Feed it the runner's `on_start` and `on_record` callbacks; use as a context manager."""

    def __init__(self, name: str, console: Console | None = None, every_seconds: float = 10.0):
        self.name = name
        self.console = console or Console(stderr=True)
        self.every = every_seconds
        self.total = self.done = self.failed = self.skipped = 0
        self.t0 = self._last = time.monotonic()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> SweepProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----- callbacks ---------------------------------------------------------------------------
    def start(self, result) -> None:
        """The runner knows the work: `result.n_scenarios` in all, `result.skipped` already done."""
        self.total, self.skipped = result.n_scenarios, result.skipped
        self.t0 = self._last = time.monotonic()
        if self.skipped:
            self.console.print(f"sweep {self.name}: {self.skipped} of {self.total} scenarios already done; running the rest",
                               highlight=False)
        if self.console.is_terminal:
            self._bar = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(), TimeElapsedColumn(),
                TextColumn("[red]{task.fields[failures]}"), console=self.console, transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.name, total=self.total, completed=self.skipped, rate="", failures="")
        else:
            self.console.print(f"sweep {self.name}: {self.total - self.skipped} scenarios to run", highlight=False)

    def record(self, rec: dict) -> None:
        """One scenario finished."""
        self.done += 1
        self.failed += rec.get("status") != "optimal"
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=1, rate=f"{self.rate:.2f}/s",
                             failures=f"{self.failed} failed" if self.failed else "")
        elif time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            self.console.print(self.line(), highlight=False)

    # ----- text --------------------------------------------------------------------------------
    @property
    def rate(self) -> float:
        dt = time.monotonic() - self.t0
        return self.done / dt if dt > 0 else 0.0

    def line(self) -> str:
        """One plain progress line: done/total, failures, rate, ETA."""
        n = self.skipped + self.done
        left = self.total - n
        eta = f"{left / self.rate:,.0f} s" if self.rate > 0 else "?"
        return (f"sweep {self.name}: {n}/{self.total} done, {self.failed} failed, {self.rate:.2f} scenarios/s, "
                f"ETA {eta}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        elif self.total:
            self.console.print(self.line(), highlight=False)
