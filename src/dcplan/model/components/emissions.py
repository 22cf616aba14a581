"""CO2 from on-site and contracted generation, capped nationally or by state (eq. E1)."""

from __future__ import annotations

from pyomo.environ import Constraint, quicksum

from dcplan.model.sets import ModelSets

PROVIDES = ()
NEEDS = ("onsite", "cdisp")


def emissions_kt(m, sets: ModelSets) -> dict[tuple[str, int], list]:
    """(region, year) -> terms of CO2 (kt) emitted there: dispatch MW x hours x LF x t/MWh."""
    out: dict[tuple[str, int], list] = {}
    for k, s, y, t in m.onsite:
        out.setdefault((sets.site_region[s], y), []).append(m.co2_kt_per_mw[k, t] * m.onsite[k, s, y, t])
    for k, loc, y, t in m.cdisp:
        out.setdefault((sets.location_region[loc], y), []).append(m.co2_kt_per_mw[k, t] * m.cdisp[k, loc, y, t])
    return out


def add(m, sets: ModelSets) -> None:
    """E1 co2_cap[scope,y]: CO2 of the scope ('US' or a region) in year y <= cap (kt)."""
    by = emissions_kt(m, sets)

    def cap(m, scope, y):
        terms = [x for (r, yy), xs in by.items() if yy == y and (scope == "US" or r == scope) for x in xs]
        if not terms:
            return Constraint.Skip
        return quicksum(terms) <= m.co2_cap_kt[scope, y]

    m.co2_cap = Constraint(sets.co2_caps, rule=cap)
