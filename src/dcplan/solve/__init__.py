"""Hand the model to HiGHS in memory and map the answer back to Pyomo names."""

from dcplan.solve.highs import HighsLP, Solution

__all__ = ["HighsLP", "Solution"]
