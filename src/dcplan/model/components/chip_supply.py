"""CoWoS packaging and HBM supply caps on GPU shipments, with optional expansion (eq. C1-C2)."""

from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var, quicksum

from dcplan.model.sets import ModelSets


def add(m, sets: ModelSets) -> None:
    """C1 cowos_supply[y], C2 hbm_supply[y]."""
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
