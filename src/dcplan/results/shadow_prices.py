"""Shadow prices of every constraint family, in the planner's units (see docs/formulation.md)."""

from __future__ import annotations

import pandas as pd

from dcplan.model.registry import COLUMN_FAMILIES, ROW_FAMILIES, not_limits
from dcplan.results.realised import HOLDS_COLUMNS, ONE_UNIT_RESOLVES, add_realised, holds_value
from dcplan.scenario.scenario import Scenario
from dcplan.scenario.schema import TRANSFORMER_ASSETS


BINDING_TOL_USD = 1e-3
"""A constraint binds when relaxing it by one unit is worth more than this (USD)."""


def shadow_prices(
    scn: Scenario, m, activity: dict, col_dual=None, ranger=None, one_unit_resolves: int = ONE_UNIT_RESOLVES
) -> pd.DataFrame:
    """Tidy table of duals: one row per constraint of each family.

    Columns: family, equation, label, scope, region, site, asset, generation, year, unit,
    dual (d objective / d rhs, PV $M per LP unit), shadow_price_usd_per_unit (value of relaxing
    by one unit, in year-y dollars), shadow_price_pv_usd_per_unit (discounted to the start
    year), rhs, activity, slack, binding, and per limit-year whether that value holds:
    holds_for_units, realised_usd_per_unit, realised_pv_usd_per_unit, realised_by, degenerate
    (results/realised.py; from `ranger`, a ``dcplan.solve.ranging.Ranger`` of the solve, with at
    most `one_unit_resolves` re-solves; unchecked without one). `activity` maps each constraint
    to (rhs, activity) of its compiled row (constants moved to the right-hand side, variables on
    the left).
    """
    rows = []
    items = []
    loc_region = getattr(getattr(m, "_dcplan_sets", None), "location_region", {})
    for name, fam in ROW_FAMILIES.items():
        comp = m.component(name)
        if comp is None:
            continue
        for idx, con in comp.items():
            idx = idx if isinstance(idx, tuple) else (idx,)
            key = dict(zip(fam.index, idx, strict=False))
            if "location" in key:  # a contract's location (region or named plant): report its region, the plant as site
                loc = str(key.pop("location"))
                key["region"] = loc_region.get(loc, loc)
                if loc != key["region"]:
                    key["plant"] = loc
            dual = float(m.dual.get(con, 0.0))
            upper = con.upper is not None
            rhs, act = activity.get(con, (float("nan"), float("nan")))
            pv = (-dual if upper else dual) * 1e6 * fam.lp_per_unit
            year = key.get("year")
            nominal = pv / scn.discount_factor(year) if year is not None else pv
            items.append(con)
            rows.append(
                {
                    "family": name,
                    "equation": fam.equation,
                    "label": fam.label,
                    "scope": fam.scope,
                    "region": key.get("region", scn.site_region.get(key["site"]) if "site" in key else _arc_from(key)),
                    "site": key.get("site", key.get("plant")),
                    "asset": key.get("asset"),
                    "generation": key.get("generation"),
                    "corridor": key.get("arc", key.get("corridor")) or (f"{key['site']}-{key['site_b']}" if "site_b" in key else None),
                    "year": year,
                    "slice": key.get("slice"),
                    "unit": fam.unit,
                    "dual": dual,
                    "shadow_price_usd_per_unit": nominal,
                    "shadow_price_pv_usd_per_unit": pv,
                    "rhs": rhs / fam.lp_per_unit,
                    "activity": act / fam.lp_per_unit,
                    "slack": (rhs - act if upper else act - rhs) / fam.lp_per_unit,
                    "binding": abs(pv) > BINDING_TOL_USD,
                }
            )
    cols, col_items = _column_prices(scn, m, col_dual or {})
    rows += cols
    items += col_items
    df = pd.DataFrame(rows)
    if len(df):
        df["year"] = df["year"].astype("Int64")
    sets = getattr(m, "_dcplan_sets", None)
    runs = sets.training.members if sets is not None else {}  # each run's limits are ranked (largest-run mode)
    return add_realised(df, items, ranger, KEY_COLUMNS, scn.discount_factor, one_unit_resolves, runs=runs)


def _arc_from(key: dict) -> str | None:
    arc = key.get("arc")
    return arc.split("->")[0] if isinstance(arc, str) and "->" in arc else None


KEY_COLUMNS = ["family", "equation", "label", "scope", "region", "site", "asset", "generation", "corridor", "year", "unit"]


def annual(sp: pd.DataFrame) -> pd.DataFrame:
    """Shadow prices summed over time slices: the value of one more unit of a limit in every
    slice of its year (for limits that hold slice by slice); `binding` if any slice binds,
    `slices_binding` how many. The columns on whether that value holds are per limit-year
    already: taken as they are."""
    if sp.empty or "slice" not in sp.columns:
        return sp
    keys = [c for c in KEY_COLUMNS if c in sp.columns]
    g = sp.groupby(keys, dropna=False, sort=False)
    out = g.agg(
        dual=("dual", "sum"),
        shadow_price_usd_per_unit=("shadow_price_usd_per_unit", "sum"),
        shadow_price_pv_usd_per_unit=("shadow_price_pv_usd_per_unit", "sum"),
        rhs=("rhs", "max"),
        activity=("activity", "max"),
        slack=("slack", "min"),
        binding=("binding", "any"),
        slices_binding=("binding", "sum"),
        **{c: (c, "first") for c in HOLDS_COLUMNS if c in sp.columns},
    ).reset_index()
    return out


def _column_prices(scn: Scenario, m, col_dual) -> tuple[list[dict], list]:
    """Rows for the 'one year earlier' columns: the value of bringing one unit forward a year
    is minus the reduced cost of its fixed-at-zero column (never below zero: an option unused).
    Returns the rows and their columns (Pyomo variable data)."""
    sets = m._dcplan_sets
    rows, items = [], []
    specs = (
        ("lead_time", m.early, sets.early, lambda a, s, v: v + sets.lead[a, s] - 1),
        ("gpu_availability", m.early_ship, sets.early_ship, lambda g, s, v: v),
    )
    for name, var, index, year_of in specs:
        fam = COLUMN_FAMILIES[name]
        for idx in index:
            rc = float(col_dual.get(var[idx], 0.0)) if var[idx] in col_dual else 0.0
            year = year_of(*idx)
            key = dict(zip(fam.index, (*idx[:2], year), strict=False))
            pv = max(-rc, 0.0) * 1e6 * fam.lp_per_unit
            unit = "MVA" if key.get("asset") in TRANSFORMER_ASSETS else fam.unit
            items.append(var[idx])
            rows.append(
                {
                    "family": name, "equation": fam.equation, "label": fam.label, "scope": fam.scope,
                    "region": scn.site_region.get(key["site"]), "site": key["site"], "asset": key.get("asset"),
                    "generation": key.get("generation"), "corridor": None, "year": year, "slice": None, "unit": unit, "dual": rc,
                    "shadow_price_usd_per_unit": pv / scn.discount_factor(year), "shadow_price_pv_usd_per_unit": pv,
                    "rhs": 0.0, "activity": 0.0, "slack": 0.0, "binding": pv > BINDING_TOL_USD,
                }
            )
    return rows, items


def where_column(sp: pd.DataFrame, nowhere: str = "world/US") -> pd.Series:
    """Where each shadow-price row's limit is, for tables and lists: the corridor, site or region
    (`nowhere` for a global one), with the asset ("gas_cc @ s1") or GPU generation in front
    where the family has one, and a technology family's delivery cap named by the family."""
    where = sp["site"].astype(object).where(sp["site"].notna(), sp["region"].astype(object))
    if "corridor" in sp.columns:
        where = sp["corridor"].astype(object).where(sp["corridor"].notna(), where)
    where = where.where(where.notna(), nowhere).astype(object)
    if "asset" in sp.columns:
        has_asset = sp["family"].isin(["lead_time", "onsite_capacity", "contract_capacity"]) & sp["asset"].notna()
        asset = sp.loc[has_asset, "asset"].astype(str)  # astype: an all-empty column is float
        where.loc[has_asset] = asset + " @ " + where.loc[has_asset].astype(str)
    if "generation" in sp.columns:
        has_gen = sp["family"].eq("gpu_availability") & sp["generation"].notna()
        gen = sp.loc[has_gen, "generation"].astype(str)
        where.loc[has_gen] = gen + " @ " + where.loc[has_gen].astype(str)
    if "asset" in sp.columns:  # a technology family's delivery cap: where = the family
        fam_rows = sp["family"].eq("power_delivery") & sp["asset"].notna()
        where.loc[fam_rows] = sp.loc[fam_rows, "asset"].astype(str)
    return where


def binding_summary(sp: pd.DataFrame, scopes=("global", "region")) -> pd.DataFrame:
    """Per year, the binding global and regional constraints, highest value of one more unit
    that holds first (``realised_usd_per_unit``; the shadow price where unchecked)."""
    if sp.empty:
        return sp
    sp = annual(sp)
    # balances and definitional rows price quantities (marginal cost of compute, regional power price,
    # run compute); they are not limits (model/registry.py roles)
    b = sp[sp["binding"] & sp["scope"].isin(scopes) & ~sp["family"].isin(not_limits())].copy()
    b["where"] = where_column(b)
    b["realised_usd_per_unit"] = holds_value(b)
    b = b.sort_values(["year", "realised_usd_per_unit", "shadow_price_usd_per_unit"], ascending=[True, False, False])
    cols = ["year", "family", "label", "where", "unit", "realised_usd_per_unit", "shadow_price_usd_per_unit", "rhs"]
    cols += [c for c in ("degenerate", "holds_for_units", "realised_by") if c in b.columns]
    return b[cols].reset_index(drop=True)
