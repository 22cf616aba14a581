"""Power technologies beyond the site: contracted supply delivered in a region, named plants,
and delivery caps per technology family (eq. U1, P5, P6)."""

from __future__ import annotations

from pyomo.environ import Constraint, NonNegativeReals, Var, quicksum

from dcplan.model.sets import ModelSets

PROVIDES = ("cdisp", "contract")
NEEDS = ("build", "early")


def add(m, sets: ModelSets) -> None:
    """P5 contract_capacity[k,l,y,t], P6 plant_max[k,l], U1 power_delivery[f,y]."""
    T = list(sets.slices)
    m.contract = Var(sets.contract, within=NonNegativeReals, doc="MW of contracted technology k at location l decided in y")
    dispatchable = set(sets.dispatchable)
    cidx = [(k, loc, y, t) for k, loc, y in sets.contract_online if k in dispatchable for t in T]
    m.cdisp = Var(cidx, within=NonNegativeReals, doc="MW a contract delivers to its region's grid in slice t")

    def contracted(m, k, loc, y):
        return quicksum(m.contract[k, loc, v] for v in sets.contracts_online(k, loc, y))

    m.contract_capacity = Constraint(
        cidx, rule=lambda m, k, loc, y, t: m.cdisp[k, loc, y, t] <= m.tech_availability[k, t] * contracted(m, k, loc, y)
    )
    years_of: dict[tuple[str, str], list[int]] = {}
    for k, loc, v in sets.contract:
        years_of.setdefault((k, loc), []).append(v)
    m.plant_max = Constraint(
        [i for i in sets.plant_locations if i in years_of],
        rule=lambda m, k, loc: quicksum(m.contract[k, loc, v] for v in years_of[k, loc]) <= m.plant_capacity_mw[k, loc],
    )
    # U1: MW of a family arriving (online) in year y, on site (builds and early builds) or contracted
    arrivals: dict[tuple[str, int], list] = {}
    for a, s, v in sets.build:
        if a in sets.tech_family:
            arrivals.setdefault((sets.tech_family[a], v + sets.lead[a, s]), []).append(m.build[a, s, v])
    for a, s, v in sets.early:
        if a in sets.tech_family:
            arrivals.setdefault((sets.tech_family[a], v + sets.lead[a, s] - 1), []).append(m.early[a, s, v])
    for k, loc, v in sets.contract:
        arrivals.setdefault((sets.tech_family[k], v + sets.contract_lead[k, loc]), []).append(m.contract[k, loc, v])
    m.power_delivery = Constraint(
        [i for i in sets.delivery_caps if i in arrivals],
        rule=lambda m, f, y: quicksum(arrivals[f, y]) <= m.delivery_cap_mw[f, y],
    )
