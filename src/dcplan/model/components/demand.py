"""Compute demand with penalised unmet demand (eq. D1)."""

from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var

from dcplan.model.sets import ModelSets


def add(m, sets: ModelSets) -> None:
    """D1 demand_balance[y,t]: compute in use + unmet >= demand, in every time slice. With demand.hard_target the
    unmet variable is fixed at 0 (bounds (0, 0)), so a shortfall makes the scenario infeasible."""
    bounds = (0, 0) if sets.hard_target else (0, None)
    idx = [(y, t) for y in sets.years for t in sets.slices]
    m.unmet = Var(idx, within=NonNegativeReals, bounds=bounds, doc="unmet compute demand in slice t, thousand H100e")
    m.demand_balance = Constraint(
        idx, rule=lambda m, y, t: m.compute_kh100e[y, t] + m.unmet[y, t] >= m.demand_kh100e[y]
    )
