"""Datacenter shells: IT load within shell capacity online; site build limits (eq. S1-S2)."""

from __future__ import annotations

from pyomo.environ import Constraint, quicksum

from dcplan.model.components.common import online
from dcplan.model.sets import SITE_MAX_COLUMN, ModelSets


def add(m, sets: ModelSets) -> None:
    """S1 shell_capacity[s,y,t]: IT MW <= shell MW online. S2 site_max[a,s]: builds <= room left."""

    used = {(s, y) for _, s, y in sets.use}

    def shell(m, s, y, t):
        if (s, y) not in used:
            return Constraint.Skip
        return m.it_mw[s, y, t] <= online(m, sets, "shell", s, y)

    m.shell_capacity = Constraint([(s, y, t) for s in sets.sites for y in sets.years for t in sets.slices], rule=shell)

    terms: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for a, s, y in sets.build:
        terms.setdefault((a, s), []).append(("build", y))
    for a, s, y in sets.early:
        terms.setdefault((a, s), []).append(("early", y))
    idx = [(a, s) for a, s in terms if a in SITE_MAX_COLUMN]
    m.site_max = Constraint(
        idx, rule=lambda m, a, s: quicksum(m.component(v)[a, s, y] for v, y in terms[a, s]) <= m.site_room_mw[a, s]
    )

