"""Facility power balance: IT x PUE met by grid draw and on-site technologies (eq. P1-P4)."""

from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var, quicksum

from dcplan.model.components.common import can_have, online, online_capacity
from dcplan.model.sets import ModelSets

PROVIDES = ("GRID", "grid", "onsite")
NEEDS = ("it_mw", "build", "early")


def add(m, sets: ModelSets) -> None:
    """P1 power_balance[s,y,t], P2 grid_capacity[s,y,t], P3 onsite_capacity[k,s,y,t],
    P4 firm_capacity[s,y,t] (sites without a grid tie)."""
    T = list(sets.slices)
    grid_idx = [(s, y, t) for s in sets.sites for y in sets.years if can_have(sets, m, "grid_interconnection", s, y) for t in T]
    dispatchable = set(sets.dispatchable)
    onsite_idx = [(k, s, y, t) for k, s, y in sets.onsite_online if k in dispatchable for t in T]
    m.GRID = grid_idx
    m.grid = Var(grid_idx, within=NonNegativeReals, doc="MW drawn from the grid in time slice t")
    m.onsite = Var(onsite_idx, within=NonNegativeReals, doc="MW generated on site by technology k in time slice t")
    grid_set = set(grid_idx)
    techs_at: dict[tuple[str, int], list[str]] = {}  # technologies with capacity at (s, y)
    for k, s, y in sets.onsite_online:
        techs_at.setdefault((s, y), []).append(k)
    used = {(s, y) for _, s, y in sets.use}

    def balance(m, s, y, t):
        if (s, y) not in used:
            return Constraint.Skip
        gen = quicksum(m.onsite[k, s, y, t] for k in techs_at.get((s, y), ()) if k in dispatchable)
        supply = (m.grid[s, y, t] if (s, y, t) in grid_set else 0) + gen
        return m.pue[s] * m.it_mw[s, y, t] <= supply

    grid_cap = online_capacity(m, sets, "grid_interconnection")
    m.power_balance = Constraint([(s, y, t) for s in sets.sites for y in sets.years for t in T], rule=balance)
    m.grid_capacity = Constraint(
        grid_idx, rule=lambda m, s, y, t: m.grid[s, y, t] <= grid_cap[s, y]
    )
    m.onsite_capacity = Constraint(
        onsite_idx, rule=lambda m, k, s, y, t: m.onsite[k, s, y, t] <= m.tech_availability[k, t] * online(m, sets, k, s, y)
    )

    def firm(m, s, y, t):
        credit = quicksum(m.tech_capacity_credit[k, t] * online(m, sets, k, s, y) for k in techs_at.get((s, y), ()))
        return (1 + m.islanded_reserve_margin) * m.pue[s] * m.it_mw[s, y, t] <= credit

    m.firm_capacity = Constraint([(s, y, t) for s, y in sets.islanded for t in T], rule=firm)
