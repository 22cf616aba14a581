"""The main entry point: a scenario built once, solved, and re-solved after parameter changes."""

from __future__ import annotations

import logging
import time

from dcplan.errors import SolveError
from dcplan.model.build import build_model, update_params
from dcplan.model.coefficients import param_values
from dcplan.model.sets import build_sets
from dcplan.results.results import Results, extract_results
from dcplan.scenario.load import load_scenario
from dcplan.scenario.scenario import Scenario
from dcplan.solve.highs import HighsLP

log = logging.getLogger(__name__)


class Plan:
    """A scenario's LP held in HiGHS.

    >>> plan = Plan(load_scenario())          # doctest: +SKIP
    >>> res = plan.solve()                    # doctest: +SKIP
    >>> res2 = plan.resolve(plan.scenario.with_overrides({"planner_share.cowos": 0.7}))  # doctest: +SKIP
    """

    def __init__(self, scenario: Scenario, highs_options: dict | None = None):
        """`highs_options` (HiGHS option: value) apply on top of the scenario's ``solver:`` options."""
        t0 = time.perf_counter()
        self.scenario = scenario
        self.highs_options = dict(highs_options or {})
        self.sets = build_sets(scenario)
        self.model = build_model(scenario, self.sets)
        self.build_seconds = time.perf_counter() - t0
        self.lp = HighsLP(self.model, {**scenario.solver_options, **self.highs_options})
        log.info(
            "built the LP of '%s': %s rows, %s columns in %.1f s", scenario.name, f"{len(self.lp.lp.rows):,}",
            f"{len(self.lp.lp.columns):,}", self.build_seconds + self.lp.compile_seconds,
        )

    def solve(self) -> Results:
        """Solve and return results; raise SolveError if HiGHS finds no optimum."""
        sol = self.lp.solve()
        log.info("solved '%s': %s in %.1f s%s", self.scenario.name, sol.status, sol.solve_seconds, " (warm start)" if sol.warm_started else "")
        if not sol.optimal:
            if "nfeasible" in sol.status:
                d = self.diagnose()
                raise SolveError(sol.status, d.message(), diagnosis=d)
            if "ime limit" in sol.status:
                limit = {**self.scenario.solver_options, **self.highs_options}.get("time_limit")
                raise SolveError(
                    sol.status,
                    f"HiGHS stopped at the time limit ({limit:g} s) before reaching an optimum; raise --time-limit "
                    "(or the solver's time_limit option) or leave it unset" if limit is not None else
                    "HiGHS stopped at its time limit before reaching an optimum; raise the time_limit option",
                )
            raise SolveError(
                sol.status,
                "with unmet demand allowed at its penalty the formulation is feasible by construction, so this "
                "points at numerically extreme inputs; run `dcplan validate` and check the magnitudes",
            )
        sol.stats.update(build_seconds=round(self.build_seconds, 4), compile_seconds=round(self.lp.compile_seconds, 4))
        return extract_results(self.scenario, self.model, self.sets, sol, self.lp.row_activity, self.lp.col_dual)

    def diagnose(self):
        """Explain an infeasible scenario: elastic mode (what must give, by family and year) and
        HiGHS's irreducible infeasible subset. See solve/diagnose.py."""
        from dcplan.solve.diagnose import diagnose

        return diagnose(self.lp)

    def resolve(self, scenario: Scenario) -> Results:
        """Solve `scenario` reusing this model: same structure -> update parameters and warm-start
        from the previous basis; different structure (horizon, lead times, ids) -> rebuild."""
        sets = build_sets(scenario)
        if sets.signature() != self.sets.signature() or scenario.solver_options != self.scenario.solver_options:
            self.__init__(scenario, self.highs_options)
            return self.solve()
        self.scenario = scenario
        self.sets = sets
        update_params(self.model, param_values(scenario, sets))
        self.lp.last_update = self.lp.update()
        return self.solve()


def run(scenario: Scenario | str | None = None, overrides: dict | None = None) -> Results:
    """Load (if needed), build and solve a scenario; the bundled default when None."""
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
    if isinstance(scenario, Scenario) and overrides:
        scn = scn.with_overrides(overrides)
    return Plan(scn).solve()
