"""Results of a solve: tidy DataFrames, shadow prices, files on disk."""

from dcplan.results.results import Results, extract_results

__all__ = ["Results", "extract_results"]
