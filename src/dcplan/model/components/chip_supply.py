"""CoWoS packaging and HBM supply caps on GPU shipments, with optional expansion (eq. C1-C3)."""

from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var, quicksum

from dcplan.model.sets import ModelSets

PROVIDES = ("expand",)
NEEDS = ("EXPAND", "ship", "early_ship")


def add(m, sets: ModelSets) -> None:
    """C1 cowos_supply[y], C2 hbm_supply[y], C3 cowos_allocation[g,y] (a generation's wafers are at most
    its vendor's share of the planner's CoWoS, for generations in cowos_allocation.csv)."""
    m.expand = Var(m.EXPAND, within=NonNegativeReals, doc="CoWoS (k wafers/yr) or HBM (k stacks/yr) capacity funded")
    ships: dict[int, list[tuple[str, str]]] = {}
    for g, s, y in sets.ship:
        ships.setdefault(y, []).append((g, s))
    early: dict[int, list[tuple[str, str]]] = {}
    for g, s, y in sets.early_ship:
        early.setdefault(y, []).append((g, s))

    def expansion(m, kind, y):
        return quicksum(m.expand[kind, v] for v in sets.expansions_online(kind, y))

    def cowos(m, y):
        if not ships.get(y) and not early.get(y):
            return Constraint.Skip
        used = quicksum(m.wafers_per_gpu[g] * m.ship[g, s, y] for g, s in ships.get(y, ())) + quicksum(
            m.wafers_per_gpu[g] * m.early_ship[g, s, y] for g, s in early.get(y, ())
        )
        return used <= m.cowos_supply_kwafers[y] + expansion(m, "cowos", y)

    def hbm(m, y):
        if not ships.get(y) and not early.get(y):
            return Constraint.Skip
        used = quicksum(m.hbm_stacks_per_gpu[g] * m.ship[g, s, y] for g, s in ships.get(y, ())) + quicksum(
            m.hbm_stacks_per_gpu[g] * m.early_ship[g, s, y] for g, s in early.get(y, ())
        )
        return used <= m.hbm_supply_kstacks[y] + expansion(m, "hbm", y)

    m.cowos_supply = Constraint(sets.years, rule=cowos)
    m.hbm_supply = Constraint(sets.years, rule=hbm)

    def allocation(m, g, y):
        rows = [s for gg, s in ships.get(y, ()) if gg == g]
        rows_early = [s for gg, s in early.get(y, ()) if gg == g]
        if not rows and not rows_early:
            return Constraint.Skip
        used = quicksum(m.wafers_per_gpu[g] * m.ship[g, s, y] for s in rows) + quicksum(
            m.wafers_per_gpu[g] * m.early_ship[g, s, y] for s in rows_early
        )
        return used <= m.cowos_allocation_share[g] * m.cowos_supply_kwafers[y]

    m.cowos_allocation = Constraint([(g, y) for g in sets.cowos_allocated for y in sets.years], rule=allocation)
