"""dcplan: plan AI datacenter build-out under power and supply-chain limits."""

from dcplan.errors import InputError, InputProblem, SolveError
from dcplan.model import build_model, build_sets
from dcplan.paths import example_scenario_dir
from dcplan.plan import Plan, run
from dcplan.reports.compare import Comparison, compare
from dcplan.reports.load import read_results
from dcplan.results import Results
from dcplan.scenario import Scenario, load_scenario, scenario_from_tables

__all__ = [
    "Comparison", "InputError", "InputProblem", "Plan", "Results", "Scenario", "SolveError",
    "build_model", "build_sets", "compare", "example_scenario_dir", "load_scenario", "read_results", "run", "scenario_from_tables",
]
__version__ = "0.1.0"
