"""Regional headroom for large loads, shared by the region's sites (eq. H1)."""

from __future__ import annotations

from pyomo.environ import Constraint, quicksum

from dcplan.model.sets import ModelSets


def add(m, sets: ModelSets) -> None:
    """H1 regional_headroom[r,y]: sum of grid draw of the region's sites <= headroom."""
    sites_of: dict[tuple[str, int], list[str]] = {}
    for s, y in m.GRID:
        sites_of.setdefault((sets.site_region[s], y), []).append(s)
    m.regional_headroom = Constraint(
        sorted(sites_of), rule=lambda m, r, y: quicksum(m.grid[s, y] for s in sites_of[r, y]) <= m.headroom_mw[r, y]
    )
