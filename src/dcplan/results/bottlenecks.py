"""Bottleneck timeline: for each year and constraint family, what binds and what it is worth."""

from __future__ import annotations

import pandas as pd

from dcplan.model.registry import FAMILIES, timeline_families
from dcplan.results.shadow_prices import annual

TIMELINE_FAMILIES = timeline_families()
"""Families shown in the timeline, in display order (model/registry.py; those absent from a run are skipped)."""


def bottleneck_timeline(shadow_prices: pd.DataFrame) -> pd.DataFrame:
    """One row per (family, year): does any member bind, the highest shadow price (value of one
    more unit, year-y USD) and where it is, how many members bind, and the planner's unit.

    For a family with many members (regions, sites) relaxing "the family by one unit" is worth
    the highest member's shadow price, so that is the value shown.
    """
    sp = annual(shadow_prices)
    sp = sp[sp["family"].isin(TIMELINE_FAMILIES) & sp["year"].notna()].copy()
    cols = ["family", "label", "year", "unit", "binding", "shadow_price_usd_per_unit", "where", "n_binding", "n_members"]
    if sp.empty:
        return pd.DataFrame(columns=cols)
    where = sp["site"].astype(object).where(sp["site"].notna(), sp["region"].astype(object))
    if "corridor" in sp.columns:
        where = sp["corridor"].astype(object).where(sp["corridor"].notna(), where)
    sp["where"] = where.where(where.notna(), "world/US")
    if "asset" in sp.columns:
        has_asset = sp["family"].isin(["lead_time", "onsite_capacity", "contract_capacity"]) & sp["asset"].notna()
        asset = sp.loc[has_asset, "asset"].astype(str)  # astype: an all-empty column is float
        sp.loc[has_asset, "where"] = asset + " @ " + sp.loc[has_asset, "where"].astype(str)
    if "generation" in sp.columns:
        has_gen = sp["family"].eq("gpu_availability") & sp["generation"].notna()
        gen = sp.loc[has_gen, "generation"].astype(str)
        sp.loc[has_gen, "where"] = gen + " @ " + sp.loc[has_gen, "where"].astype(str)
    if "asset" in sp.columns:  # a technology family's delivery cap: where = the family
        fam_rows = sp["family"].eq("power_delivery") & sp["asset"].notna()
        sp.loc[fam_rows, "where"] = sp.loc[fam_rows, "asset"].astype(str)
    rows = []
    for (fam, year), g in sp.groupby(["family", "year"], sort=False):
        top = g.loc[g["shadow_price_usd_per_unit"].idxmax()]
        rows.append(
            {
                "family": fam,
                "label": top["label"],
                "year": int(year),
                "unit": top["unit"],
                "binding": bool(g["binding"].any()),
                "shadow_price_usd_per_unit": float(max(top["shadow_price_usd_per_unit"], 0.0)) + 0.0,
                "where": top["where"] if g["binding"].any() else "",
                "n_binding": int(g["binding"].sum()),
                "n_members": int(len(g)),
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    out["_o"] = out["family"].map(lambda f: FAMILIES[f].order)
    return out.sort_values(["_o", "year"]).drop(columns="_o").reset_index(drop=True)


def timeline_matrix(timeline: pd.DataFrame) -> pd.DataFrame:
    """Family × year matrix of shadow prices (0 where slack), for a heat map."""
    if timeline.empty:
        return pd.DataFrame()
    m = timeline.pivot_table(index="family", columns="year", values="shadow_price_usd_per_unit", aggfunc="max", sort=False)
    m = m.fillna(0.0)
    return m.where(m > 0, 0.0)
