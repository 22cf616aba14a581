"""Datacenter shells: IT load within shell capacity online; site build limits (eq. S1-S2)."""

from __future__ import annotations

from pyomo.environ import Constraint, quicksum

from dcplan.model.components.common import online_capacity
from dcplan.model.sets import SITE_MAX_COLUMN, ModelSets

PROVIDES = ()
NEEDS = ("it_mw", "build", "early")


def add(m, sets: ModelSets) -> None:
    """S1 shell_capacity[s,y,t]: IT MW <= shell MW online. S2 site_max[a,s]: builds <= room left
    (a = shell, grid_interconnection, or a sites.csv limit column shared by on-site technologies)."""

    used = {(s, y) for _, s, y in sets.use}
    cap = online_capacity(m, sets, "shell")

    def shell(m, s, y, t):
        if (s, y) not in used:
            return Constraint.Skip
        return m.it_mw[s, y, t] <= cap[s, y]

    m.shell_capacity = Constraint([(s, y, t) for s in sets.sites for y in sets.years for t in sets.slices], rule=shell)

    terms: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for a, s, y in sets.build:
        terms.setdefault((a, s), []).append(("build", y))
    for a, s, y in sets.early:
        terms.setdefault((a, s), []).append(("early", y))
    # on-site technologies sharing a sites.csv limit (e.g. max_onsite_gas_mw) form one group
    groups: dict[tuple[str, str], list[tuple[str, str, int]]] = {}
    for (a, s), ts in terms.items():
        key = a if a in SITE_MAX_COLUMN else sets.site_limit.get(a)
        if key is not None:
            groups.setdefault((key, s), []).extend((a, v, y) for v, y in ts)
    m.site_max = Constraint(
        list(groups), rule=lambda m, a, s: quicksum(m.component(v)[k, s, y] for k, v, y in groups[a, s]) <= m.site_room_mw[a, s]
    )

