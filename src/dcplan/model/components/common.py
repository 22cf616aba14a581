"""Expressions shared by several constraint families."""

from __future__ import annotations

from pyomo.environ import quicksum

from dcplan.model.sets import ModelSets


def online(m, sets: ModelSets, asset: str, site: str, year: int):
    """Capacity of `asset` at `site` in service in `year`: pipeline + builds online (eq. O1),
    plus the fixed-at-zero 'one year earlier' builds (eq. L1) that price lead times."""
    return (
        m.pipeline_online[asset, site, year]
        + quicksum(m.build[asset, site, v] for v in sets.builds_online(asset, site, year))
        + quicksum(m.early[asset, site, v] for v in sets.early_online(asset, site, year))
    )


def can_have(sets: ModelSets, m, asset: str, site: str, year: int) -> bool:
    """True if `asset` at `site` can have any capacity in `year` (pipeline or a build); read from
    the sets (``grid_cols``), never from parameter values, so it is structure."""
    return sets.can_have(asset, site, year)
