"""Compute demand with penalised unmet demand (eq. D1)."""

from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var

from dcplan.model.sets import ModelSets


def add(m, sets: ModelSets) -> None:
    """D1 demand_balance[y]: compute in use + unmet >= demand. With demand.hard_target the
    unmet variable is fixed at 0 (bounds (0, 0)), so a shortfall makes the scenario infeasible."""
    bounds = (0, 0) if sets.hard_target else (0, None)
    m.unmet = Var(sets.years, within=NonNegativeReals, bounds=bounds, doc="unmet compute demand, thousand H100e")
    m.demand_balance = Constraint(
        sets.years, rule=lambda m, y: m.compute_kh100e[y] + m.unmet[y] >= m.demand_kh100e[y]
    )
