"""Per-region cap on new grid interconnection energised per year (eq. I1)."""

from __future__ import annotations

from pyomo.environ import Constraint, quicksum

from dcplan.model.components.transformers import _arrivals
from dcplan.model.sets import ModelSets

PROVIDES = ()
NEEDS = ("build", "early")


def add(m, sets: ModelSets) -> None:
    """I1 interconnection_cap[r,y]: new interconnection online in y in region r <= cap."""
    new: dict[tuple[str, int], list[tuple[str, str, int]]] = {}
    for y, items in _arrivals(sets, "grid_interconnection").items():
        for var, s, v in items:
            new.setdefault((sets.site_region[s], y), []).append((var, s, v))
    m.interconnection_cap = Constraint(
        sorted(new),
        rule=lambda m, r, y: quicksum(m.component(var)["grid_interconnection", s, v] for var, s, v in new[r, y])
        <= m.interconnection_cap_mw[r],
    )
