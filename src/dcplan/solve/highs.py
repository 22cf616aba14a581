"""Compile a Pyomo LP to matrix form and solve it with HiGHS (highspy), in memory.

A :class:`~dcplan.solve.parametric.ParametricLP` records once per structure how every mutable
parameter reaches ``c, A`` and the bounds; the arrays go to ``highspy`` as one ``HighsLp``.
Values and duals are mapped back to the Pyomo variables and to ``model.dual`` only when the full
results are wanted. After parameters change, :meth:`HighsLP.update` recomputes the arrays with
numpy, hands HiGHS only what changed, and re-solves from the previous basis.
:func:`compile_lp` (Pyomo's ``LinearStandardFormCompiler``) is kept as the oracle the tests
hold the parametric arrays against.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
from pyomo.common.collections import ComponentMap
from pyomo.core.base.param import Param
from pyomo.core.base.var import Var
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from dcplan.scenario.solver_options import quiet_highs
from dcplan.solve.parametric import Arrays, ParametricLP

log = logging.getLogger(__name__)
INF = highspy.kHighsInf
IPM_MIN_COLUMNS = 20_000
"""Cold solves of LPs with more columns than this use HiGHS's interior point method."""


def _iterations(info) -> int:
    """Iterations of one HiGHS run: simplex, interior point and crossover together (HiGHS reports
    -1 for a method that did not run)."""
    counts = (info.simplex_iteration_count, info.ipm_iteration_count, info.crossover_iteration_count)
    return sum(max(int(c), 0) for c in counts)


def _vector(values: list) -> np.ndarray:
    """A float array from one of highspy's solution lists (``np.fromiter``: ~4x ``np.asarray``)."""
    return np.fromiter(values, np.float64, len(values))


@dataclass
class Solution:
    """What one HiGHS run returned."""

    status: str
    objective: float
    solve_seconds: float
    iterations: int
    warm_started: bool = False
    stats: dict = field(default_factory=dict)

    @property
    def optimal(self) -> bool:
        return self.status == "Optimal"


@dataclass
class _Compiled:
    c: np.ndarray
    offset: float
    A: Any  # scipy.sparse.csc_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    rows: list  # (ConstraintData, multiplier)
    columns: list  # VarData

    def same_structure(self, other: _Compiled) -> bool:
        return (
            len(self.rows) == len(other.rows)
            and len(self.columns) == len(other.columns)
            and all(a[0] is b[0] and a[1] == b[1] for a, b in zip(self.rows, other.rows, strict=False))
            and all(a is b for a, b in zip(self.columns, other.columns, strict=False))
        )


def compile_lp(model) -> _Compiled:
    """Compile `model` (one minimisation objective) to matrix form with row and column bounds."""
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    n = len(info.columns)
    c = np.asarray(info.c.toarray()).reshape(-1)[:n] if info.c.shape[0] else np.zeros(n)
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    rhs = np.asarray(info.rhs, dtype=float)
    mult = np.array([r[1] for r in info.rows], dtype=int)
    row_lower = np.where(mult >= 0, -INF, rhs)
    row_lower = np.where(mult == 0, rhs, row_lower)
    row_upper = np.where(mult <= 0, INF, rhs)
    row_upper = np.where(mult == 0, rhs, row_upper)
    col_lower = np.array([-INF if v.lb is None else v.lb for v in info.columns], dtype=float)
    col_upper = np.array([INF if v.ub is None else v.ub for v in info.columns], dtype=float)
    A = info.A.tocsc()
    A.sort_indices()
    return _Compiled(c, offset, A, row_lower, row_upper, col_lower, col_upper, list(info.rows), list(info.columns))


def new_highs() -> highspy.Highs:
    """A silent ``highspy.Highs``: its banner goes to stderr, never to stdout, and output is off."""
    return quiet_highs()


SOLVER_LOG_STDERR = "-"
"""Value of the ``solver_log`` option that streams HiGHS's log to stderr."""


def highs_options(options: dict | None) -> dict:
    """HiGHS options with dcplan's ``solver_log`` (a file path, or ``-`` for stderr) turned into
    HiGHS's own log options; HiGHS never writes to stdout."""
    out = dict(options or {})
    target = out.pop("solver_log", None)
    if target:
        out.update(output_flag=True, log_to_console=False, log_file="/dev/stderr" if target == SOLVER_LOG_STDERR else str(target))
    return out


def highs_lp(lp: _Compiled) -> highspy.HighsLp:
    """The compiled LP as one ``highspy.HighsLp`` (column-wise matrix), ready for ``passModel``."""
    h = highspy.HighsLp()
    h.num_col_ = len(lp.columns)
    h.num_row_ = len(lp.rows)
    h.col_cost_ = lp.c
    h.offset_ = lp.offset
    h.col_lower_ = lp.col_lower
    h.col_upper_ = lp.col_upper
    h.row_lower_ = lp.row_lower
    h.row_upper_ = lp.row_upper
    h.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    h.a_matrix_.start_ = lp.A.indptr
    h.a_matrix_.index_ = lp.A.indices
    h.a_matrix_.value_ = lp.A.data
    return h


def fresh_highs(lp: _Compiled, options: dict | None = None) -> highspy.Highs:
    """A new silent ``highspy.Highs`` holding the compiled LP with `options` set: the floor the
    benchmarks hold dcplan's own hand-off against."""
    h = new_highs()
    for k, v in (options or {}).items():
        h.setOptionValue(k, v)
    h.passModel(highs_lp(lp))
    return h


@dataclass
class Start:
    """A starting point kept for later warm starts (:meth:`HighsLP.keep`): HiGHS's optimal basis
    and the LP numbers it was optimal for. The arrays are the LP's own (never changed in place)."""

    basis: Any  # highspy.HighsBasis
    c: np.ndarray
    a_values: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray


class HighsLP:
    """A Pyomo LP held in HiGHS: solve, load results back, update parameters and re-solve.

    The arrays come from a :class:`~dcplan.solve.parametric.ParametricLP` recorded once per
    structure, so :meth:`update` maps new parameter values to the LP's numbers with numpy and
    hands HiGHS only what changed, keeping the basis (no Pyomo compile per variant).
    """

    def __init__(self, model, options: dict | None = None, values: dict | None = None):
        self.model = model
        self.highs = new_highs()
        options = highs_options(options)
        self._user_solver = "solver" in options
        self._user_strategy = "simplex_strategy" in options
        if "threads" in options:  # HiGHS's thread pool is global: restart it at the asked size
            highspy.Highs.resetGlobalScheduler(True)
        for k, v in options.items():
            self.highs.setOptionValue(k, v)
        t0 = time.perf_counter()
        self.par = ParametricLP(model)
        self.lp = self._compiled(self.par.arrays(values if values is not None else self._pyomo_values()))
        self.compile_seconds = time.perf_counter() - t0
        self._pass(self.lp)
        self._has_basis = False
        self._loaded = False
        self.solution: highspy.HighsSolution | None = None
        self.last_update: dict = {}
        self._basis_changes: dict = {}  # what changed since the basis the next solve starts from
        self.row_activity: dict = {}
        self.col_dual = ComponentMap()

    def _pyomo_values(self) -> np.ndarray:
        """The parameter vector as the Pyomo model holds it now."""
        P = np.empty(self.par.n_params + 1)
        P[-1] = 1.0
        for p in self.model.component_objects(Param, active=True, descend_into=True):
            if p.mutable:
                start = next(b[1] for b in self.par.blocks if b[0] == p.local_name)
                P[start : start + len(p)] = [float(pd.value) for pd in p.values()]
        return P

    def _compiled(self, a: Arrays) -> _Compiled:
        return _Compiled(
            a.c, a.offset, self.par.matrix(a.a_values), a.row_lower, a.row_upper, a.col_lower, a.col_upper,
            self.par.rows, self.par.columns,
        )

    # ------------------------------------------------------------------------------------------
    def _pass(self, lp: _Compiled) -> None:
        self.highs.passModel(highs_lp(lp))

    def update(self, values: dict | np.ndarray | None = None) -> dict:
        """Map new parameter `values` (``param_values`` dict; default: the Pyomo model's current
        values; entries that are not polynomials in the parameters always read the Pyomo model, see
        ``ParametricLP.needs_pyomo_values``) to the LP's arrays and hand HiGHS the differences in a few batched calls.

        Costs and bounds: ``changeColsCost`` / ``changeRowsBounds`` / ``changeColsBounds``. Matrix
        coefficients: the whole model is passed again and the previous basis set back (highspy has
        no batched coefficient change). Either way the next :meth:`solve` is a warm start.
        Returns counts of what changed.
        """
        t0 = time.perf_counter()
        if values is None:
            values = self._pyomo_values()
        new = self.par.arrays(values)
        old = self.lp
        h = self.highs
        da = np.flatnonzero(new.a_values != old.A.data)
        out: dict[str, int | bool] = {"rebuilt": False}
        if len(da):
            basis = h.getBasis() if self._has_basis else None
            self.lp = self._compiled(new)
            self._pass(self.lp)
            if basis is not None:
                h.setBasis(basis)
            out.update(coefficients=len(da), passed_model=True)
        else:
            dc = np.flatnonzero(new.c != old.c)
            if len(dc):
                h.changeColsCost(len(dc), dc.astype(np.int32), new.c[dc])
            if new.offset != old.offset:
                h.changeObjectiveOffset(new.offset)
            dr = np.flatnonzero((new.row_lower != old.row_lower) | (new.row_upper != old.row_upper))
            if len(dr):
                h.changeRowsBounds(  # type: ignore[attr-defined]  # in highspy, missing from its stubs
                    len(dr), dr.astype(np.int32), new.row_lower[dr], new.row_upper[dr]
                )
            dcol = np.flatnonzero((new.col_lower != old.col_lower) | (new.col_upper != old.col_upper))
            if len(dcol):
                h.changeColsBounds(len(dcol), dcol.astype(np.int32), new.col_lower[dcol], new.col_upper[dcol])
            old.c, old.offset, old.row_lower, old.row_upper = new.c, new.offset, new.row_lower, new.row_upper
            old.col_lower, old.col_upper = new.col_lower, new.col_upper
            out.update(costs=len(dc), row_bounds=len(dr), col_bounds=len(dcol), coefficients=0, passed_model=False)
        self.update_seconds = time.perf_counter() - t0
        self.last_update = out
        self._basis_changes = out
        return out

    @property
    def has_basis(self) -> bool:
        """The next solve starts from a basis (an earlier optimal one, or one set by start_from)."""
        return self._has_basis

    def keep(self) -> Start:
        """The last optimal basis with the LP numbers it is optimal for, to start a later solve
        from (:meth:`start_from`)."""
        if not self._has_basis:
            raise RuntimeError("HighsLP.keep: no optimal basis yet; solve() first")
        lp = self.lp
        return Start(self.highs.getBasis(), lp.c, lp.A.data, lp.row_lower, lp.row_upper, lp.col_lower, lp.col_upper)

    def start_from(self, start: Start) -> None:
        """Make the next :meth:`solve` start from `start`'s basis instead of the last one (after
        :meth:`update` has handed HiGHS the new numbers). What differs from the numbers `start` was
        optimal for decides the warm simplex variant, as after an update."""
        self.highs.setBasis(start.basis)
        lp = self.lp
        coefficients = int(np.count_nonzero(lp.A.data != start.a_values))
        self._basis_changes = {
            "costs": int(np.count_nonzero(lp.c != start.c)),
            "row_bounds": int(np.count_nonzero((lp.row_lower != start.row_lower) | (lp.row_upper != start.row_upper))),
            "col_bounds": int(np.count_nonzero((lp.col_lower != start.col_lower) | (lp.col_upper != start.col_upper))),
            "coefficients": coefficients, "passed_model": coefficients > 0,
        }
        self._has_basis = True

    def _costs_only(self) -> bool:
        """Since the basis the next solve starts from, only costs (or the offset) changed."""
        u = self._basis_changes
        return bool(u) and not u.get("passed_model") and u.get("costs", 0) > 0 and not u.get("row_bounds") \
            and not u.get("col_bounds")

    # ------------------------------------------------------------------------------------------
    def solve(self, load: bool = True) -> Solution:
        """Run HiGHS; on an optimal answer keep the solution arrays (:attr:`solution`) and, if
        `load`, load values into the Pyomo variables and duals into ``model.dual``
        (d objective / d right-hand side, per constraint); see :meth:`load`."""
        warm = self._has_basis
        if not self._user_solver:
            # cold and large: interior point + crossover (measured ~2.6x faster than dual simplex at
            # 80k columns, benchmarks/bench_solve.py); warm: dual simplex from the previous basis
            big = len(self.lp.columns) > IPM_MIN_COLUMNS
            self.highs.setOptionValue("solver", "ipm" if (big and not warm) else "simplex")
        if warm and not self._user_solver and not self._user_strategy:
            # after cost changes only the basis stays primal feasible: primal simplex (on the default,
            # 16 iterations in 0.08 s against dual's 205 in 0.24 s); after bounds or coefficients
            # change it stays dual feasible: dual simplex (7 iterations against primal's ~5,800)
            self.highs.setOptionValue("simplex_strategy", 4 if self._costs_only() else 1)
        t0 = time.perf_counter()
        self.highs.run()
        dt = time.perf_counter() - t0
        h = self.highs
        status = h.modelStatusToString(h.getModelStatus())
        info = h.getInfo()
        sol = Solution(
            status=status,
            objective=float(info.objective_function_value),
            solve_seconds=dt,
            iterations=_iterations(info),
            warm_started=warm,
            stats={
                "rows": len(self.lp.rows), "columns": len(self.lp.columns), "nonzeros": int(self.lp.A.nnz),
                "simplex_iterations": max(int(info.simplex_iteration_count), 0),
                "ipm_iterations": max(int(info.ipm_iteration_count), 0),
                "crossover_iterations": max(int(info.crossover_iteration_count), 0),
            },
        )
        self.solution = h.getSolution()
        self._loaded = False
        if sol.optimal:
            self._has_basis = True
            if load:
                self.load()
        return sol

    def _last_solution(self) -> highspy.HighsSolution:
        if self.solution is None:
            raise RuntimeError("HighsLP: no solution yet; call solve() first")
        return self.solution

    def labels(self) -> tuple[list[tuple[str, object]], list[tuple[str, object]]]:
        """(component name, index) of every LP column and row, in LP order."""
        cols = [(v.parent_component().local_name, v.index()) for v in self.lp.columns]
        rows = [(c.parent_component().local_name, c.index()) for c, _ in self.lp.rows]
        return cols, rows

    def arrays(self) -> dict[str, np.ndarray]:
        """The last solution and the LP's cost vector as numpy arrays (no Pyomo involved)."""
        s = self._last_solution()
        return {
            "cost": self.lp.c, "col_value": _vector(s.col_value), "col_dual": _vector(s.col_dual),
            "row_dual": _vector(s.row_dual), "row_upper_finite": self.lp.row_upper < INF,
        }

    def load(self) -> None:
        """Write the last solution into the Pyomo model (values, ``model.dual``, row activity)."""
        if self._loaded:
            return
        s = self._last_solution()
        self._loaded = True
        x = np.asarray(s.col_value)
        for v in self.model.component_data_objects(Var, descend_into=True):
            if not v.fixed:
                v.set_value(0.0, skip_validation=True)
        for v, val in zip(self.lp.columns, x, strict=False):
            v.set_value(float(val), skip_validation=True)
        self.col_dual = ComponentMap(zip(self.lp.columns, map(float, np.asarray(s.col_dual)), strict=False))
        duals = np.asarray(s.row_dual)
        d = self.model.dual
        d.clear()
        for (con, _), y in zip(self.lp.rows, duals, strict=False):
            d[con] = d.get(con, 0.0) + float(y)
        self.row_activity = {}
        lo, up = self.lp.row_lower, self.lp.row_upper
        for k, ((con, _), a) in enumerate(zip(self.lp.rows, np.asarray(s.row_value), strict=False)):
            rhs = up[k] if up[k] < INF else lo[k]
            self.row_activity[con] = (float(rhs), float(a))
