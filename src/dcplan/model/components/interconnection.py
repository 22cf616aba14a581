"""Per-region cap on new grid interconnection energised per year (eq. I1)."""

from __future__ import annotations

from pyomo.environ import Constraint, quicksum

from dcplan.model.sets import ModelSets


def add(m, sets: ModelSets) -> None:
    """I1 interconnection_cap[r,y]: new interconnection online in y in region r <= cap."""
    new: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for a, s, v in sets.build:
        if a == "grid_interconnection":
            new.setdefault((sets.site_region[s], v + sets.lead[a, s]), []).append((s, v))
    m.interconnection_cap = Constraint(
        sorted(new),
        rule=lambda m, r, y: quicksum(m.build["grid_interconnection", s, v] for s, v in new[r, y])
        <= m.interconnection_cap_mw[r],
    )
