"""Compute demand, served or left unserved tranche by tranche at its value (eq. D1-D2)."""

from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var, quicksum

from dcplan.model.sets import ModelSets

PROVIDES = ("unmet",)
NEEDS = ("compute_kh100e",)


def add(m, sets: ModelSets) -> None:
    """D1 demand_balance[y,t]: compute in use + unserved demand of every tranche >= demand, in
    every time slice. D2: unserved demand of tranche k is at most its share of the year's demand,
    a bound on unmet[y,t,k] (a mutable parameter, so sweeps change it in place). With
    demand.hard_target the unmet variables are fixed at 0, so a shortfall makes the scenario
    infeasible."""
    idx = [(y, t, k) for y in sets.years for t in sets.slices for k in sets.tranches]

    def bounds(m, y, t, k):
        return (0, 0) if sets.hard_target else (0, m.tranche_kh100e[y, k])

    m.unmet = Var(idx, within=NonNegativeReals, bounds=bounds, doc="unserved compute demand of tranche k in slice t, thousand H100e")
    m.demand_balance = Constraint(
        [(y, t) for y in sets.years for t in sets.slices],
        rule=lambda m, y, t: m.compute_kh100e[y, t] + quicksum(m.unmet[y, t, k] for k in sets.tranches) >= m.demand_kh100e[y],
    )
