"""dcplan: plan AI datacenter build-out under power and supply-chain limits."""

from dcplan.errors import InputError, InputProblem, SolveError
from dcplan.model import build_model, build_sets
from dcplan.plan import Plan, run
from dcplan.results import Results
from dcplan.scenario import Scenario, load_scenario, scenario_from_tables

__all__ = [
    "InputError", "InputProblem", "Plan", "Results", "Scenario", "SolveError",
    "build_model", "build_sets", "load_scenario", "run", "scenario_from_tables",
]
__version__ = "0.1.0"
