"""Transmission between regions: transport-model flows within capacity, with expansion (eq. X1, X2)."""

from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var, quicksum

from dcplan.model.sets import ModelSets

PROVIDES = ("flow", "xexp")
NEEDS = ()


def add(m, sets: ModelSets) -> None:
    """X1 transmission_capacity[arc,y,t]: flow <= existing + expansion online.
    X2 transmission_max[c]: total expansion of corridor c <= its max_expansion_mw.
    Flows (MW sent from the arc's origin) enter H2; losses and wheeling apply per MW sent."""
    T = list(sets.slices)
    idx = [(a, y, t) for a, _, _ in sets.arcs for y in sets.years for t in T]
    m.flow = Var(idx, within=NonNegativeReals, doc="MW sent over a transmission arc in time slice t")
    m.xexp = Var(sets.tx_expand, within=NonNegativeReals, doc="transmission capacity added to a corridor (MW, both ways)")
    m.transmission_capacity = Constraint(
        idx,
        rule=lambda m, a, y, t: m.flow[a, y, t]
        <= m.arc_capacity_mw[a] + quicksum(m.xexp[sets.arc_corridor[a], v] for v in sets.tx_expansions_online(sets.arc_corridor[a], y)),
    )
    years_of: dict[str, list[int]] = {}
    for c, v in sets.tx_expand:
        years_of.setdefault(c, []).append(v)
    m.transmission_max = Constraint(
        sorted(years_of), rule=lambda m, c: quicksum(m.xexp[c, v] for v in years_of[c]) <= m.tx_max_expansion_mw[c]
    )
