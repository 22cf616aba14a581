"""Answers a planner can read: bottleneck timeline, plots, maps, HTML report."""
