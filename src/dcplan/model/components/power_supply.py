"""Facility power balance: IT x PUE met by grid draw and on-site gas (eq. P1-P3)."""

from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var

from dcplan.model.components.common import can_have, online
from dcplan.model.sets import ModelSets


def add(m, sets: ModelSets) -> None:
    """P1 power_balance[s,y,t], P2 grid_capacity[s,y,t], P3 turbine_capacity[s,y,t]."""
    T = list(sets.slices)
    grid_idx = [(s, y, t) for s in sets.sites for y in sets.years if can_have(sets, m, "grid_interconnection", s, y) for t in T]
    gas_idx = [(s, y, t) for s in sets.sites for y in sets.years if can_have(sets, m, "gas_turbine", s, y) for t in T]
    m.GRID = grid_idx
    m.grid = Var(grid_idx, within=NonNegativeReals, doc="MW drawn from the grid in time slice t")
    m.gas = Var(gas_idx, within=NonNegativeReals, doc="MW generated on site by gas turbines in time slice t")
    grid_set, gas_set = set(grid_idx), set(gas_idx)
    used = {(s, y) for _, s, y in sets.use}

    def balance(m, s, y, t):
        if (s, y) not in used:
            return Constraint.Skip
        supply = (m.grid[s, y, t] if (s, y, t) in grid_set else 0) + (m.gas[s, y, t] if (s, y, t) in gas_set else 0)
        return m.pue[s] * m.it_mw[s, y, t] <= supply

    m.power_balance = Constraint([(s, y, t) for s in sets.sites for y in sets.years for t in T], rule=balance)
    m.grid_capacity = Constraint(
        grid_idx, rule=lambda m, s, y, t: m.grid[s, y, t] <= online(m, sets, "grid_interconnection", s, y)
    )
    m.turbine_capacity = Constraint(
        gas_idx, rule=lambda m, s, y, t: m.gas[s, y, t] <= m.turbine_availability * online(m, sets, "gas_turbine", s, y)
    )
