"""Scenario inputs: schemas, loading, overrides and validation."""

from dcplan.scenario.load import load_scenario, scenario_from_tables
from dcplan.scenario.scenario import Scenario

__all__ = ["Scenario", "load_scenario", "scenario_from_tables"]
