"""Batch sensitivity sweeps: spec, samplers, runner, store and report (docs/sweeps.md).

What-if and the largest-run mode are analyses of one scenario: see :mod:`dcplan.analysis`.
"""
