"""Batch sensitivity sweeps: spec, samplers, runner, store and report (docs/sweeps.md).

What-if and the largest-run mode are analyses of one scenario: see :mod:`dcplan.analysis`.

>>> data = load("sweeps/lead-times")      # doctest: +SKIP
>>> data.parameters, data.kpis            # doctest: +SKIP
"""

from dcplan.sweeps.store import SweepData, load

__all__ = ["SweepData", "load"]
