"""Regional power supply for large loads: headroom and the regional balance (eq. H1, H2);
contracted supply (P5) delivered in a region enters its balance."""

from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var, quicksum

from dcplan.model.sets import ModelSets

PROVIDES = ("GEN", "gen")
NEEDS = ("GRID", "grid", "flow", "cdisp")


def add(m, sets: ModelSets) -> None:
    """H1 regional_headroom[r,y,t]: power the region supplies to large loads <= its headroom.
    H2 regional_balance[r,y,t]: supply + imports x (1 - loss) - exports >= sites' grid draw."""
    T = list(sets.slices)
    sites_of: dict[tuple[str, int, str], list[str]] = {}
    for s, y, t in m.GRID:
        sites_of.setdefault((sets.site_region[s], y, t), []).append(s)
    contracts_of: dict[tuple[str, int, str], list[tuple[str, str]]] = {}
    for k, loc, y, t in m.cdisp:
        contracts_of.setdefault((sets.location_region[loc], y, t), []).append((k, loc))
    on_network = {r for _, a, b in sets.arcs for r in (a, b)}
    regions = sorted({r for r, _, _ in sites_of} | on_network)
    idx = [(r, y, t) for r in regions for y in sets.years for t in T]
    m.GEN = idx
    m.gen = Var(idx, within=NonNegativeReals, doc="MW the region's grid supplies to large loads (local or exported)")
    m.regional_headroom = Constraint(idx, rule=lambda m, r, y, t: m.gen[r, y, t] <= m.headroom_mw[r, y, t])
    inflow: dict[str, list[str]] = {}
    outflow: dict[str, list[str]] = {}
    for arc, a, b in sets.arcs:
        outflow.setdefault(a, []).append(arc)
        inflow.setdefault(b, []).append(arc)

    def balance(m, r, y, t):
        draw = quicksum(m.grid[s, y, t] for s in sites_of.get((r, y, t), ()))
        imports = quicksum(m.arc_efficiency[a] * m.flow[a, y, t] for a in inflow.get(r, ()))
        exports = quicksum(m.flow[a, y, t] for a in outflow.get(r, ()))
        contracted = quicksum(m.cdisp[k, loc, y, t] for k, loc in contracts_of.get((r, y, t), ()))
        if not sites_of.get((r, y, t)) and not inflow.get(r) and not outflow.get(r):
            return Constraint.Skip
        return m.gen[r, y, t] + contracted + imports - exports >= draw

    m.regional_balance = Constraint(idx, rule=balance)
