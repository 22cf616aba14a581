"""Large power transformers: HV step-down units per MW of grid draw (eq. T1), generator step-up
units (GSUs) per MW of new on-site generation (eq. T3), and the national deliveries both
classes share (eq. T2)."""

from __future__ import annotations

from pyomo.environ import Constraint, quicksum

from dcplan.model.components.common import online_capacity
from dcplan.model.sets import ModelSets
from dcplan.scenario.schema import GSU_ASSET, TRANSFORMER_ASSETS

PROVIDES = ()
NEEDS = ("GRID", "grid", "build", "early")


def add(m, sets: ModelSets) -> None:
    """T1 transformer_capacity[s,y,t], T2 transformer_supply[y], T3 gsu_capacity[s,y]."""
    cap = online_capacity(m, sets, "transformer")
    m.transformer_capacity = Constraint(
        m.GRID, rule=lambda m, s, y, t: m.mva_per_mw * m.grid[s, y, t] <= cap[s, y]
    )
    _delivery_cap(m, sets, TRANSFORMER_ASSETS, "transformer_supply", m.transformer_supply_mva)
    _gsu_capacity(m, sets)


def _gsu_capacity(m, sets: ModelSets) -> None:
    """T3: GSU MVA in service >= sum over technologies k of gsu_mva_per_mw[k] x MW of k built
    (decided in the horizon, early twins included) and in service; pipeline generation comes
    with its own GSUs."""
    terms: dict[tuple[str, int], list] = {}
    for k in sets.gsu_techs:
        for s in sets.sites:
            for y in sets.years:
                new = [m.build[k, s, v] for v in sets.builds_online(k, s, y)]
                new += [m.early[k, s, v] for v in sets.early_online(k, s, y)]
                if new:
                    terms.setdefault((s, y), []).append(m.gsu_mva_per_mw[k] * quicksum(new))
    if not terms:
        return
    cap = online_capacity(m, sets, GSU_ASSET)
    m.gsu_capacity = Constraint(sorted(terms), rule=lambda m, s, y: quicksum(terms[s, y]) <= cap[s, y])


def _delivery_cap(m, sets: ModelSets, assets: tuple[str, ...], name: str, cap) -> None:
    """Sum over sites and `assets` of capacity delivered (online) in year y <= cap[y] (early builds included)."""
    arrivals: dict[int, list[tuple[str, str, str, int]]] = {}
    for a in assets:
        for y, items in _arrivals(sets, a).items():
            arrivals.setdefault(y, []).extend((var, a, s, v) for var, s, v in items)
    con = Constraint(
        sorted(arrivals), rule=lambda m, y: quicksum(m.component(var)[a, s, v] for var, a, s, v in arrivals[y]) <= cap[y]
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
