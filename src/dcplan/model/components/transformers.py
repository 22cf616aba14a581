"""Large power transformers: MVA per MW of grid draw; national deliveries cap (eq. T1-T2)."""

from __future__ import annotations

from pyomo.environ import Constraint, quicksum

from dcplan.model.components.common import online_capacity
from dcplan.model.sets import ModelSets

PROVIDES = ()
NEEDS = ("GRID", "grid", "build", "early")


def add(m, sets: ModelSets) -> None:
    """T1 transformer_capacity[s,y,t], T2 transformer_supply[y]."""
    cap = online_capacity(m, sets, "transformer")
    m.transformer_capacity = Constraint(
        m.GRID, rule=lambda m, s, y, t: m.mva_per_mw * m.grid[s, y, t] <= cap[s, y]
    )
    _delivery_cap(m, sets, "transformer", "transformer_supply", m.transformer_supply_mva)


def _delivery_cap(m, sets: ModelSets, asset: str, name: str, cap) -> None:
    """Sum over sites of `asset` delivered (online) in year y <= cap[y] (early builds included)."""
    arrivals = _arrivals(sets, asset)
    con = Constraint(
        sorted(arrivals), rule=lambda m, y: quicksum(m.component(var)[asset, s, v] for var, s, v in arrivals[y]) <= cap[y]
    )
    setattr(m, name, con)


def _arrivals(sets: ModelSets, asset: str) -> dict[int, list[tuple[str, str, int]]]:
    """Year -> (variable name, site, decision year) of every `asset` build arriving that year."""
    arrivals: dict[int, list[tuple[str, str, int]]] = {}
    for a, s, v in sets.build:
        if a == asset:
            arrivals.setdefault(v + sets.lead[a, s], []).append(("build", s, v))
    for a, s, v in sets.early:
        if a == asset:
            arrivals.setdefault(v + sets.lead[a, s] - 1, []).append(("early", s, v))
    return arrivals
