"""Expressions shared by several constraint families."""

from __future__ import annotations

from pyomo.environ import Expression

from dcplan.model.sets import ModelSets


def online(m, sets: ModelSets, asset: str, site: str, year: int):
    """Capacity of `asset` at `site` in service in `year`: pipeline + builds online (eq. O1),
    plus the fixed-at-zero 'one year earlier' builds (eq. L1) that price lead times."""
    # builtin sum from the pipeline term: for these few-term sums ~2x faster than quicksum (benchmarks/)
    terms = [m.build[asset, site, v] for v in sets.builds_online(asset, site, year)]
    terms += [m.early[asset, site, v] for v in sets.early_online(asset, site, year)]
    return sum(terms, m.pipeline_online[asset, site, year])


def online_capacity(m, sets: ModelSets, asset: str):
    """`online` of `asset` for every site and year as one named Pyomo Expression, indexed
    [site, year] and built once per model (eq. O1): constraints of every time slice share it,
    and the compiler turns it into matrix terms once instead of once per slice."""
    name = f"online_capacity_{asset}"
    comp = m.component(name)
    if comp is None:
        idx = [(s, y) for s in sets.sites for y in sets.years]
        comp = Expression(idx, rule=lambda m, s, y: online(m, sets, asset, s, y),
                          doc=f"{asset} capacity in service (eq. O1), MW (MVA for transformers)")
        m.add_component(name, comp)
    return comp


def can_have(sets: ModelSets, m, asset: str, site: str, year: int) -> bool:
    """True if `asset` at `site` can have any capacity in `year` (pipeline or a build); read from
    the sets (``grid_cols``), never from parameter values, so it is structure."""
    return sets.can_have(asset, site, year)
