"""Datacenter shells: IT load within shell capacity online; site build limits (eq. S1-S2)."""

from __future__ import annotations

from pyomo.environ import Constraint, quicksum

from dcplan.model.components.common import online
from dcplan.model.sets import SITE_MAX_COLUMN, ModelSets


def add(m, sets: ModelSets) -> None:
    """S1 shell_capacity[s,y]: IT MW <= shell MW online. S2 site_max[a,s]: builds <= room left."""

    used = {(s, y) for _, s, y in sets.use}

    def shell(m, s, y):
        if (s, y) not in used:
            return Constraint.Skip
        return m.it_mw[s, y] <= online(m, sets, "shell", s, y)

    m.shell_capacity = Constraint([(s, y) for s in sets.sites for y in sets.years], rule=shell)

    idx = [(a, s) for a, s in sets.site_assets if a in SITE_MAX_COLUMN]
    years_of: dict[tuple[str, str], list[int]] = {}
    for a, s, y in sets.build:
        years_of.setdefault((a, s), []).append(y)
    m.site_max = Constraint(
        idx, rule=lambda m, a, s: quicksum(m.build[a, s, y] for y in years_of[a, s]) <= m.site_room_mw[a, s]
    )

