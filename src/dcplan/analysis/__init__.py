"""Analyses of one scenario built on `Plan`: what-if (one change, compared with the base) and the
largest training run a campus or supercluster can host."""

from dcplan.analysis.largest_run import (
    LargestRun,
    campus_and_supercluster_runs,
    compare_campus_and_supercluster,
    comparison_table,
    largest_training_run,
    limits_table,
)
from dcplan.analysis.what_if import PreparedWhatIf, WhatIf, prepare_what_if, what_if
from dcplan.scenario.changes import Change, parse_change, parse_changes

__all__ = [
    "Change", "LargestRun", "WhatIf", "campus_and_supercluster_runs", "compare_campus_and_supercluster",
    "PreparedWhatIf", "comparison_table", "largest_training_run", "limits_table", "parse_change", "parse_changes",
    "prepare_what_if", "what_if",
]
