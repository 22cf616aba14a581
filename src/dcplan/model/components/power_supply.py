"""Facility power balance: IT x PUE met by grid draw and on-site gas (eq. P1-P3)."""

from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var

from dcplan.model.components.common import can_have, online
from dcplan.model.sets import ModelSets


def add(m, sets: ModelSets) -> None:
    """P1 power_balance[s,y], P2 grid_capacity[s,y], P3 turbine_capacity[s,y]."""
    grid_idx = [(s, y) for s in sets.sites for y in sets.years if can_have(sets, m, "grid_interconnection", s, y)]
    gas_idx = [(s, y) for s in sets.sites for y in sets.years if can_have(sets, m, "gas_turbine", s, y)]
    m.GRID = grid_idx
    m.grid = Var(grid_idx, within=NonNegativeReals, doc="peak MW drawn from the grid")
    m.gas = Var(gas_idx, within=NonNegativeReals, doc="peak MW generated on site by gas turbines")
    grid_set, gas_set = set(grid_idx), set(gas_idx)
    used = {(s, y) for _, s, y in sets.use}

    def balance(m, s, y):
        if (s, y) not in used:
            return Constraint.Skip
        supply = (m.grid[s, y] if (s, y) in grid_set else 0) + (m.gas[s, y] if (s, y) in gas_set else 0)
        return m.pue[s] * m.it_mw[s, y] <= supply

    m.power_balance = Constraint([(s, y) for s in sets.sites for y in sets.years], rule=balance)
    m.grid_capacity = Constraint(
        grid_idx, rule=lambda m, s, y: m.grid[s, y] <= online(m, sets, "grid_interconnection", s, y)
    )
    m.turbine_capacity = Constraint(
        gas_idx, rule=lambda m, s, y: m.gas[s, y] <= m.turbine_availability * online(m, sets, "gas_turbine", s, y)
    )
