"""Shadow prices of every constraint family, in the planner's units (see docs/formulation.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dcplan.scenario.scenario import Scenario


@dataclass(frozen=True)
class Family:
    """A constraint family: what it means, the unit of its right-hand side, LP units per unit."""

    equation: str
    label: str
    unit: str
    lp_per_unit: float
    scope: str  # global / region / site
    index: tuple[str, ...]


FAMILIES: dict[str, Family] = {
    "demand_balance": Family("D1", "compute demand", "H100e-year", 1e-3, "global", ("year", "slice")),
    "cowos_supply": Family("C1", "CoWoS wafers", "wafer", 1e-3, "global", ("year",)),
    "hbm_supply": Family("C2", "HBM stacks", "stack", 1e-3, "global", ("year",)),
    "transformer_supply": Family("T2", "transformer deliveries", "MVA", 1.0, "global", ("year",)),
    "turbine_supply": Family("U1", "gas turbine deliveries", "MW", 1.0, "global", ("year",)),
    "interconnection_cap": Family("I1", "new interconnection per year", "MW", 1.0, "region", ("region", "year")),
    "regional_headroom": Family("H1", "regional large-load headroom", "MW", 1.0, "region", ("region", "year", "slice")),
    "regional_balance": Family("H2", "regional power balance", "MW", 1.0, "region", ("region", "year", "slice")),
    "transmission_capacity": Family("X1", "transmission capacity", "MW", 1.0, "region", ("arc", "year", "slice")),
    "training_demand": Family("R1", "training run hosted in its supercluster", "H100e-year", 1e-3, "global", ("year", "slice")),
    "training_site": Family("R2", "site compute for the training run", "H100e-year", 1e-3, "site", ("site", "year", "slice")),
    "fiber_capacity": Family("R3", "fiber bandwidth", "Tbps", 1.0, "site", ("site", "site_b", "year", "slice")),
    "transmission_max": Family("X2", "transmission expansion limit", "MW", 1.0, "region", ("corridor",)),
    "site_max": Family("S2", "site build limit", "MW", 1.0, "site", ("asset", "site")),
    "shell_capacity": Family("S1", "datacenter shell capacity", "MW", 1.0, "site", ("site", "year", "slice")),
    "power_balance": Family("P1", "site power balance", "MW", 1.0, "site", ("site", "year", "slice")),
    "grid_capacity": Family("P2", "grid interconnection capacity", "MW", 1.0, "site", ("site", "year", "slice")),
    "turbine_capacity": Family("P3", "on-site turbine capacity", "MW", 1.0, "site", ("site", "year", "slice")),
    "transformer_capacity": Family("T1", "site transformer capacity", "MVA", 1.0, "site", ("site", "year", "slice")),
    "gpu_in_use_upper": Family("G2", "installed GPUs", "GPU", 1e-3, "site", ("generation", "site", "year", "slice")),
    "gpu_must_run": Family("G4", "installed GPUs must run", "GPU", 1e-3, "site", ("generation", "site", "year", "slice")),
}

COLUMN_FAMILIES: dict[str, Family] = {
    "lead_time": Family("L1", "lead time (capacity one year earlier)", "MW", 1.0, "site", ("asset", "site", "year")),
    "gpu_availability": Family("L2", "GPU generation one year earlier", "GPU", 1e-3, "site", ("generation", "site", "year")),
}
"""Families priced by the reduced cost of a fixed-at-zero column (eq. L1, L2) rather than a row."""

BINDING_TOL_USD = 1e-3
"""A constraint binds when relaxing it by one unit is worth more than this (USD)."""


def shadow_prices(scn: Scenario, m, activity: dict, col_dual=None) -> pd.DataFrame:
    """Tidy table of duals: one row per constraint of each family.

    Columns: family, equation, label, scope, region, site, asset, generation, year, unit,
    dual (d objective / d rhs, PV $M per LP unit), shadow_price_usd_per_unit (value of relaxing
    by one unit, in year-y dollars), shadow_price_pv_usd_per_unit (discounted to the start
    year), rhs, activity, slack, binding. `activity` maps each constraint to (rhs, activity) of
    its compiled row (constants moved to the right-hand side, variables on the left).
    """
    rows = []
    for name, fam in FAMILIES.items():
        comp = m.component(name)
        if comp is None:
            continue
        for idx, con in comp.items():
            idx = idx if isinstance(idx, tuple) else (idx,)
            key = dict(zip(fam.index, idx))
            dual = float(m.dual.get(con, 0.0))
            upper = con.upper is not None
            rhs, act = activity.get(con, (float("nan"), float("nan")))
            pv = (-dual if upper else dual) * 1e6 * fam.lp_per_unit
            year = key.get("year")
            nominal = pv / scn.discount_factor(year) if year is not None else pv
            rows.append(
                {
                    "family": name,
                    "equation": fam.equation,
                    "label": fam.label,
                    "scope": fam.scope,
                    "region": key.get("region", scn.site_region.get(key.get("site"), None) if "site" in key else _arc_from(key)),
                    "site": key.get("site"),
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
    rows += _column_prices(scn, m, col_dual or {})
    df = pd.DataFrame(rows)
    if len(df):
        df["year"] = df["year"].astype("Int64")
    return df


def _arc_from(key: dict) -> str | None:
    arc = key.get("arc")
    return arc.split("->")[0] if isinstance(arc, str) and "->" in arc else None


KEY_COLUMNS = ["family", "equation", "label", "scope", "region", "site", "asset", "generation", "corridor", "year", "unit"]


def annual(sp: pd.DataFrame) -> pd.DataFrame:
    """Shadow prices summed over time slices: the value of one more unit of a limit in every
    slice of its year (for limits that hold slice by slice); `binding` if any slice binds."""
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
    ).reset_index()
    return out


def _column_prices(scn: Scenario, m, col_dual) -> list[dict]:
    """Rows for the 'one year earlier' columns: the value of bringing one unit forward a year
    is minus the reduced cost of its fixed-at-zero column (never below zero: an option unused)."""
    sets = m._dcplan_sets
    rows = []
    specs = (
        ("lead_time", m.early, sets.early, lambda a, s, v: v + sets.lead[a, s] - 1),
        ("gpu_availability", m.early_ship, sets.early_ship, lambda g, s, v: v),
    )
    for name, var, index, year_of in specs:
        fam = COLUMN_FAMILIES[name]
        for idx in index:
            rc = float(col_dual.get(var[idx], 0.0)) if var[idx] in col_dual else 0.0
            year = year_of(*idx)
            key = dict(zip(fam.index, (*idx[:2], year)))
            pv = max(-rc, 0.0) * 1e6 * fam.lp_per_unit
            unit = "MVA" if key.get("asset") == "transformer" else fam.unit
            rows.append(
                {
                    "family": name, "equation": fam.equation, "label": fam.label, "scope": fam.scope,
                    "region": scn.site_region.get(key["site"]), "site": key["site"], "asset": key.get("asset"),
                    "generation": key.get("generation"), "corridor": None, "year": year, "slice": None, "unit": unit, "dual": rc,
                    "shadow_price_usd_per_unit": pv / scn.discount_factor(year), "shadow_price_pv_usd_per_unit": pv,
                    "rhs": 0.0, "activity": 0.0, "slack": 0.0, "binding": pv > BINDING_TOL_USD,
                }
            )
    return rows


def binding_summary(sp: pd.DataFrame, scopes=("global", "region")) -> pd.DataFrame:
    """Per year, the binding global and regional constraints, highest shadow price first."""
    if sp.empty:
        return sp
    sp = annual(sp)
    # balances price quantities (marginal cost of compute, regional power price); they are not limits
    b = sp[sp["binding"] & sp["scope"].isin(scopes) & ~sp["family"].isin(["demand_balance", "regional_balance"])].copy()
    where = b["region"].astype(object)
    if "corridor" in b.columns:
        where = b["corridor"].astype(object).where(b["corridor"].notna(), where)
    b["where"] = where.where(where.notna(), "world/US")
    b = b.sort_values(["year", "shadow_price_usd_per_unit"], ascending=[True, False])
    return b[["year", "family", "label", "where", "unit", "shadow_price_usd_per_unit", "rhs"]].reset_index(drop=True)
