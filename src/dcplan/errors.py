"""Errors a user can act on: bad input and infeasible scenarios."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    """One problem in one place of the input: file, row (1-based CSV line), column."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class InputError(ValueError):
    """Raised when a scenario's inputs are invalid; carries every problem found."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the scenario inputs:\n{lines}")


class SolveError(RuntimeError):
    """Raised when HiGHS does not return an optimal solution; `diagnosis` says why when it can
    (a :class:`dcplan.solve.diagnose.Diagnosis` for infeasible scenarios)."""

    def __init__(self, status: str, explanation: str = "", diagnosis=None):
        self.status = status
        self.explanation = explanation
        self.diagnosis = diagnosis
        msg = f"the model was not solved to optimality: {status}"
        if explanation:
            msg += f"\n{explanation}"
        super().__init__(msg)


class OutputError(ValueError):
    """Raised when a results folder cannot be written (a file in the way, no permission, a
    folder dcplan did not write, or another run holding it); nothing has been written."""
