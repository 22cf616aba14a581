"""The main entry point: a scenario built once, solved, and re-solved after parameter changes."""

from __future__ import annotations

import logging
import time
from typing import Literal, overload

from dcplan.errors import InputError, SolveError
from dcplan.model.build import build_model, update_params
from dcplan.model.coefficients import ParamCache
from dcplan.model.sets import sets_and_key
from dcplan.model.tracking import change_distance, changed_params
from dcplan.results.key_figures import KeyFigures, LabelIndex
from dcplan.results.realised import ONE_UNIT_RESOLVES
from dcplan.results.results import Results, extract_results
from dcplan.scenario.load import load_scenario
from dcplan.scenario.scenario import Scenario
from dcplan.solve.highs import HighsLP, Solution, Start
from dcplan.solve.magnitudes import magnitude_problems
from dcplan.solve.ranging import Ranger

ResultsKind = Literal["full", "key"]
StartKind = Literal["auto", "last", "first"]

log = logging.getLogger(__name__)


class Plan:
    """A scenario's LP held in HiGHS.

    >>> plan = Plan(load_scenario())          # doctest: +SKIP
    >>> res = plan.solve()                    # full Results (18 tables)
    >>> kf = plan.resolve(plan.scenario.with_overrides({"planner_share.cowos": 0.7}), results="key")  # doctest: +SKIP
    >>> kf.objective_usd, kf.unmet_h100e[2030], kf.binding[2030]      # doctest: +SKIP

    ``results="key"`` returns a :class:`~dcplan.results.key_figures.KeyFigures` (plain floats
    and dicts, picklable) read straight from HiGHS's arrays without touching the Pyomo model;
    :meth:`results` builds the full :class:`Results` of the last solve when it is wanted after all.
    Only the full results check which shadow prices hold (HiGHS ranging and up to
    `one_unit_resolves` one-unit re-solves on a scratch copy of the model, results/realised.py);
    key figures carry the raw duals.
    """

    def __init__(self, scenario: Scenario, highs_options: dict | None = None, one_unit_resolves: int = ONE_UNIT_RESOLVES):
        """`highs_options` (HiGHS option: value) apply on top of the scenario's ``solver:`` options;
        `one_unit_resolves` is the most one-unit re-solves the full results may spend checking
        shadow prices (0: HiGHS ranging only)."""
        self._build(scenario, highs_options, one_unit_resolves)

    def _build(self, scenario: Scenario, highs_options: dict | None, one_unit_resolves: int) -> None:
        """Build the sets, parameters, Pyomo model and HiGHS LP of `scenario` from scratch."""
        t0 = time.perf_counter()
        self.one_unit_resolves = int(one_unit_resolves)
        self.highs_options = dict(highs_options or {})
        self.scenario = scenario
        self.sets, self._sets_reads, self.structure_key = sets_and_key(scenario)
        self._param_cache = ParamCache()
        self.params = self._param_cache.values(scenario, self.sets, self.structure_key)
        self.model = build_model(scenario, self.sets, self.params)
        self.build_seconds = time.perf_counter() - t0
        self.lp = HighsLP(self.model, {**scenario.solver_options, **self.highs_options}, self.params)
        log.info(
            "built the LP of '%s': %s rows, %s columns in %.1f s", scenario.name, f"{len(self.lp.lp.rows):,}",
            f"{len(self.lp.lp.columns):,}", self.build_seconds + self.lp.compile_seconds,
        )
        self._params_in_model = True
        self.labels: LabelIndex | None = None
        self.rebuilt = True
        self.update_seconds = 0.0
        self.last_timings: dict[str, float] = {}
        """Seconds by stage of the last in-place re-solve: sets (+ key), params, update (arrays +
        HiGHS calls), highs (warm solve), key_figures (or full results)."""
        self._solution: Solution | None = None
        self._first: tuple[Scenario, Start] | None = None  # the first optimal solve of this structure and its basis
        self.start = "cold"
        """Which basis the last solve started from: 'cold' (none), 'last' (the previous solve's) or
        'first' (that of this structure's first optimal solve; see :meth:`resolve`)."""

    @overload
    def solve(self, results: Literal["full"] = "full") -> Results: ...
    @overload
    def solve(self, results: Literal["key"]) -> KeyFigures: ...
    @overload
    def solve(self, results: ResultsKind) -> Results | KeyFigures: ...

    def solve(self, results: ResultsKind = "full") -> Results | KeyFigures:
        """Solve; return the full Results (default) or, with ``results="key"``, the KeyFigures.
        Raise InputError if the LP's scaled coefficients are out of range (naming the inputs),
        SolveError if HiGHS finds no optimum."""
        problems = magnitude_problems(self.lp.lp, self.scenario)
        if problems:  # the LP's scaled coefficients out of range: name the inputs behind them
            raise InputError(problems)
        if not self.lp.has_basis:
            self.start = "cold"
        elif self.start == "cold":  # solve() again without a resolve: from the last basis
            self.start = "last"
        sol = self.lp.solve(load=results == "full")
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
        self._solution = sol
        if self._first is None:
            self._first = (self.scenario, self.lp.keep())
        return self.key_figures() if results == "key" else self.results()

    def results(self) -> Results:
        """The full Results of the last solve (writes the solution into the Pyomo model once)."""
        if self._solution is None:
            raise RuntimeError("nothing solved yet: call solve() or resolve() first")
        self._sync_model()
        self.lp.load()
        ranger = Ranger(self.lp)  # a scratch copy of the HiGHS model: self.lp is left as it is
        res = extract_results(
            self.scenario, self.model, self.sets, self._solution, self.lp.row_activity, self.lp.col_dual,
            ranger=ranger, one_unit_resolves=self.one_unit_resolves,
        )
        res.solver.update(
            one_unit_resolves=ranger.resolves, ranging_seconds=round(ranger.seconds, 4),
            ranging_cpu_seconds=round(ranger.cpu_seconds, 4),
        )
        return res

    def key_figures(self) -> KeyFigures:
        """Key figures of the last solve, from HiGHS's solution arrays (see results/key_figures.py)."""
        sol = self._solution
        if sol is None:
            raise RuntimeError("nothing solved yet: call solve() or resolve() first")
        if self.labels is None:
            self.labels = LabelIndex(self.sets, *self.lp.labels(), assets=self.scenario.site_assets)
        solver = {
            "status": sol.status, "solve_seconds": round(sol.solve_seconds, 6), "iterations": sol.iterations,
            "warm_started": sol.warm_started, "start": self.start, "rebuilt": self.rebuilt, "update_seconds": round(self.update_seconds, 6),
            **sol.stats,
        }
        return self.labels.figures(
            self.scenario, self.params, status=sol.status, objective_musd=sol.objective, solver=solver, **self.lp.arrays()
        )

    def diagnose(self):
        """Explain an infeasible scenario: elastic mode (what must give, by family and year) and
        HiGHS's irreducible infeasible subset. See solve/diagnose.py."""
        from dcplan.solve.diagnose import diagnose

        self._sync_model()
        return diagnose(self.lp)

    def _sync_model(self) -> None:
        """Write the current parameter values into the Pyomo model (skipped by key-figure re-solves)."""
        if not self._params_in_model:
            update_params(self.model, self.params)
            self._params_in_model = True

    def _nearer_first(self, scenario: Scenario, previous: Scenario) -> bool:
        """`scenario` is nearer the first solve's scenario than `previous` (the one solved last) by
        ``model/tracking.py: change_distance``; False when either distance is unknown."""
        assert self._first is not None
        to_first, to_last = change_distance(scenario, self._first[0]), change_distance(scenario, previous)
        return to_first is not None and to_last is not None and to_first < to_last

    def shares_sets(self, scenario: Scenario) -> bool:
        """True when `scenario` differs from this plan's scenario only in parameters and tables its
        sets did not read: it has this plan's sets and structure key, known without computing them.
        False: unknown (``model.sets.sets_and_key`` tells)."""
        changed = changed_params(scenario, self.scenario)
        return changed is not None and not changed & self._sets_reads

    @overload
    def resolve(self, scenario: Scenario, results: Literal["full"] = "full", start: StartKind = "auto") -> Results: ...
    @overload
    def resolve(self, scenario: Scenario, results: Literal["key"], start: StartKind = "auto") -> KeyFigures: ...
    @overload
    def resolve(self, scenario: Scenario, results: ResultsKind, start: StartKind = "auto") -> Results | KeyFigures: ...

    def resolve(self, scenario: Scenario, results: ResultsKind = "full", start: StartKind = "auto") -> Results | KeyFigures:
        """Solve `scenario` reusing this model: same structure (equal ``ModelSets.structure_key``)
        -> update parameters and warm-start; any structural change (horizon, lead times, ids, a
        site's region, pipeline timing that opens a column, ...) or other solver options -> rebuild,
        keeping the HiGHS options this plan was made with. `results` as for :meth:`solve`.

        `start` is the basis a warm start begins from: ``"last"``, the previous solve's;
        ``"first"``, that of the first optimal solve of this structure (the base of a what-if
        series); ``"auto"`` (default), the first when `scenario` is nearer the first solve's
        scenario than the previous one (``model/tracking.py: change_distance``: the relative
        changes of its parameters, 1 per replaced table; so the next variant of a one-at-a-time
        series, each a change of the base, starts from the base), else the last. The answer is the same
        either way, only the iterations differ (:attr:`start` says which was used)."""
        t0 = time.perf_counter()
        previous = self.scenario
        if self.shares_sets(scenario):
            sets, key = self.sets, self.structure_key  # a parameter-only variant the sets do not read
        else:
            sets, reads, key = sets_and_key(scenario)
            if key == self.structure_key:
                self._sets_reads = reads
        t1 = time.perf_counter()
        if key != self.structure_key or scenario.solver_options != self.scenario.solver_options:
            self._build(scenario, self.highs_options, self.one_unit_resolves)
            return self.solve(results)
        self.scenario = scenario
        self.sets = sets
        self.params = self._param_cache.values(scenario, sets, key)
        t2 = time.perf_counter()
        self._params_in_model = False
        if self.lp.par.needs_pyomo_values:
            self._sync_model()
        self.lp.update(self.params)  # HighsLP keeps what changed (last_update)
        self.start = "last"
        if self._first is not None and start != "last" and (start == "first" or self._nearer_first(scenario, previous)):
            self.lp.start_from(self._first[1])
            self.start = "first"
        self.rebuilt = False
        t3 = time.perf_counter()
        self.update_seconds = t3 - t0
        out = self.solve(results)
        sol = self._solution
        self.last_timings = {
            "sets": t1 - t0, "params": t2 - t1, "update": t3 - t2, "highs": sol.solve_seconds if sol else 0.0,
            "key_figures": time.perf_counter() - t3 - (sol.solve_seconds if sol else 0.0),
        }
        return out


def run(scenario: Scenario | str | None = None, overrides: dict | None = None) -> Results:
    """Load (if needed), build and solve a scenario; the bundled default when None."""
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
    if isinstance(scenario, Scenario) and overrides:
        scn = scn.with_overrides(overrides)
    return Plan(scn).solve()
