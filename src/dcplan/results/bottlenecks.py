"""Bottleneck timeline: for each year and constraint family, what binds and what it is worth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dcplan.model.registry import FAMILIES, timeline_families
from dcplan.results.realised import EXACT, holds_value
from dcplan.results.shadow_prices import BINDING_TOL_USD, annual, where_column

TIE_DIGITS = 6
"""Members whose values agree to this many digits (of the family-year's top value) tie: then a
binding member wins, then one whose value is exact (not a ranging bound), then one whose shadow
price holds, then the higher shadow price."""
TIMELINE_FAMILIES = timeline_families()
"""Families shown in the timeline, in display order (model/registry.py; those absent from a run are skipped)."""


def bottleneck_timeline(shadow_prices: pd.DataFrame) -> pd.DataFrame:
    """One row per (family, year): does any member bind, the value of one more unit that holds
    (year-y USD) and where, how many members bind, and the planner's unit.

    For a family with many members (regions, sites) relaxing "the family by one unit" is worth
    the most valuable member's one-unit value, so that member is shown: ranked by
    ``realised_usd_per_unit`` (what relaxing that one limit by one unit realises; the shadow
    price where unchecked), not by the raw dual, which at a degenerate optimum can be far
    above it (results/realised.py). Columns: ``realised_usd_per_unit``,
    ``shadow_price_usd_per_unit`` and ``holds_for_units`` of that member, ``degenerate`` (its
    value is under half its shadow price: every binding member's is),
    ``max_shadow_price_usd_per_unit`` (the highest member's dual, as ``KeyFigures``),
    ``n_binding``, ``n_degenerate`` (binding members found degenerate), ``n_unchecked`` (binding
    members with a higher shadow price whose one-unit value was not measured: the value shown is
    then the best found, a lower bound), ``n_members``.
    """
    sp = annual(shadow_prices)
    sp = sp[sp["family"].isin(TIMELINE_FAMILIES) & sp["year"].notna()].copy()
    cols = [
        "family", "label", "year", "unit", "binding", "realised_usd_per_unit", "shadow_price_usd_per_unit", "degenerate",
        "holds_for_units", "where", "max_shadow_price_usd_per_unit", "n_binding", "n_degenerate", "n_unchecked", "n_members",
    ]
    if sp.empty:
        return pd.DataFrame(columns=cols)
    sp["where"] = where_column(sp)
    sp["_value"] = holds_value(sp).where(sp["binding"].astype(bool), 0.0)
    deg = sp["degenerate"] if "degenerate" in sp.columns else pd.Series(False, index=sp.index)
    sp["_deg"] = deg.astype("boolean").fillna(False).astype(bool) & sp["binding"].astype(bool)
    holds = sp["holds_for_units"] if "holds_for_units" in sp.columns else pd.Series(float("nan"), index=sp.index)
    sp["_holds"] = holds.astype(float)
    by = sp["realised_by"] if "realised_by" in sp.columns else pd.Series("", index=sp.index)
    sp["_exact"] = by.isin(EXACT)
    keys = ["family", "year"]
    g = sp.groupby(keys, sort=False)
    scale = g["_value"].transform("max").clip(lower=BINDING_TOL_USD)
    sp["_rank"] = (sp["_value"] / scale).round(TIE_DIGITS)  # equal within solver noise: a tie
    sp["_bind"] = sp["binding"].astype(bool)
    top = sp.sort_values(
        ["_rank", "_bind", "_exact", "_deg", "shadow_price_usd_per_unit"], ascending=[False, False, False, True, False], kind="stable"
    )
    top = top.drop_duplicates(keys).set_index(keys)
    agg = g.agg(
        binding=("_bind", "any"), n_binding=("_bind", "sum"), n_degenerate=("_deg", "sum"), n_members=("_bind", "size"),
        max_shadow=("shadow_price_usd_per_unit", "max"),
    )
    best = top["_value"].reindex(agg.index)
    over = sp.join(best.rename("_best"), on=keys)
    sp["_unchecked"] = sp["_bind"] & ~sp["_exact"] & (sp["shadow_price_usd_per_unit"] > over["_best"] * (1 + 1e-9))
    agg["n_unchecked"] = sp.groupby(keys, sort=False)["_unchecked"].sum()
    t = top.reindex(agg.index)
    bind = agg["binding"].to_numpy(bool)
    out = pd.DataFrame({
        "family": agg.index.get_level_values("family"),
        "label": t["label"].to_numpy(),
        "year": agg.index.get_level_values("year").astype(int),
        "unit": t["unit"].to_numpy(),
        "binding": bind,
        "realised_usd_per_unit": t["_value"].clip(lower=0.0).to_numpy(float) + 0.0,
        "shadow_price_usd_per_unit": t["shadow_price_usd_per_unit"].clip(lower=0.0).to_numpy(float) + 0.0,
        "degenerate": t["_deg"].to_numpy(bool) & bind,
        "holds_for_units": np.where(bind, t["_holds"].to_numpy(float), np.nan),
        "where": np.where(bind, t["where"].to_numpy(object), ""),
        "max_shadow_price_usd_per_unit": agg["max_shadow"].clip(lower=0.0).to_numpy(float) + 0.0,
        "n_binding": agg["n_binding"].astype(int).to_numpy(),
        "n_degenerate": agg["n_degenerate"].astype(int).to_numpy(),
        "n_unchecked": agg["n_unchecked"].astype(int).to_numpy(),
        "n_members": agg["n_members"].astype(int).to_numpy(),
    }, columns=cols)
    out["_o"] = out["family"].map(lambda f: FAMILIES[f].order)
    return out.sort_values(["_o", "year"]).drop(columns="_o").reset_index(drop=True)


def timeline_matrix(timeline: pd.DataFrame) -> pd.DataFrame:
    """Family × year matrix of the value of one more unit that holds (0 where slack), for a heat map."""
    if timeline.empty:
        return pd.DataFrame()
    value = "realised_usd_per_unit" if "realised_usd_per_unit" in timeline.columns else "shadow_price_usd_per_unit"
    m = timeline.pivot_table(index="family", columns="year", values=value, aggfunc="max", sort=False)
    m = m.fillna(0.0)
    return m.where(m > 0, 0.0)
