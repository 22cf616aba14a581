"""Key figures of one solved scenario as compact rows (kpi, item, year, value) for the sweep store.

The one adapter between the sweep and the model's results: `record_from(results, groups)`.
Rows are plain tuples of str/int/float so a worker returns them cheaply (never Pyomo objects).
`year` is -1 for a figure over the whole horizon.
"""

from __future__ import annotations

from collections.abc import Iterable

KPI_ROWS: dict[str, tuple[str, ...]] = {
    "cost": ("objective_usd", "plan_cost_usd", "unserved_cost_usd", "plan_cost_pv_usd"),  # unserved: penalty categories
    "compute": ("online_h100e", "demand_h100e"),
    "unmet": ("unmet_h100e",),
    "capacity": ("online_capacity",),
    "energy": ("energy_mwh",),
    "shadow_prices": ("shadow_price_usd_per_unit",),
    "binding": ("binding",),
}
"""The KPIs each group of the spec's `kpis:` records (docs/sweeps.md gives their meaning)."""

Row = tuple[str, str, int, float]


def record_from(res, groups: Iterable[str]) -> tuple[float, list[Row]]:
    """(objective in USD, KPI rows) of a solved scenario for the KPI `groups`, from the engine's
    compact KeyFigures (`Plan.resolve(scn, results="key")`) or from full Results."""
    if hasattr(res, "compute_online_h100e"):
        return _from_key_figures(res, set(groups))
    groups = set(groups)
    rows: list[Row] = []
    if "cost" in groups:
        from dcplan.model.registry import is_penalty

        c = res.costs
        penalty = c["category"].map(is_penalty).astype(bool)
        unserved = float(c.loc[penalty, "cost_pv_usd"].sum())
        total = float(c["cost_pv_usd"].sum())
        rows += [("objective_usd", "", -1, float(res.objective_usd)), ("plan_cost_usd", "", -1, total - unserved),
                 ("unserved_cost_usd", "", -1, unserved)]
        by_year = c.loc[~penalty].groupby("year")["cost_pv_usd"].sum().reindex(res.compute["year"], fill_value=0.0)
        rows += [("plan_cost_pv_usd", "", int(y), float(v)) for y, v in by_year.items()]
    comp = res.compute
    if "compute" in groups:
        rows += [("online_h100e", "", int(y), float(v)) for y, v in zip(comp["year"], comp["online_h100e"], strict=True)]
        rows += [("demand_h100e", "", int(y), float(v)) for y, v in zip(comp["year"], comp["demand_h100e"], strict=True)]
    if "unmet" in groups:
        rows += [("unmet_h100e", "", int(y), float(v)) for y, v in zip(comp["year"], comp["unmet_h100e"], strict=True)]
    if "capacity" in groups:
        cap = res.capacity.groupby(["asset", "year"])["online"].sum()
        rows += [("online_capacity", str(a), int(y), float(v)) for (a, y), v in cap.items()]
    if "energy" in groups:
        e = res.power.groupby("year")["energy_mwh"].sum()
        rows += [("energy_mwh", "", int(y), float(v)) for y, v in e.items()]
    b = res.bottlenecks
    if "shadow_prices" in groups:  # the family's highest raw dual, as the key figures give it
        top = "max_shadow_price_usd_per_unit" if "max_shadow_price_usd_per_unit" in b.columns else "shadow_price_usd_per_unit"
        rows += [("shadow_price_usd_per_unit", str(f), int(y), float(v))
                 for f, y, v in zip(b["family"], b["year"], b[top], strict=True)]
    if "binding" in groups:
        rows += [("binding", str(f), int(y), float(bool(v))) for f, y, v in zip(b["family"], b["year"], b["binding"], strict=True)]
    return float(res.objective_usd), rows


def _from_key_figures(kf, groups: set[str]) -> tuple[float, list[Row]]:
    """The same rows from a KeyFigures (results/key_figures.py); energy TWh -> MWh."""
    rows: list[Row] = []
    if "cost" in groups:
        rows += [("objective_usd", "", -1, float(kf.objective_usd)), ("plan_cost_usd", "", -1, float(kf.plan_cost_usd)),
                 ("unserved_cost_usd", "", -1, float(kf.unserved_cost_usd))]
        rows += [("plan_cost_pv_usd", "", int(y), float(v)) for y, v in kf.plan_cost_pv_usd.items()]
    if "compute" in groups:
        rows += [("online_h100e", "", int(y), float(v)) for y, v in kf.compute_online_h100e.items()]
        rows += [("demand_h100e", "", int(y), float(v)) for y, v in kf.demand_h100e.items()]
    if "unmet" in groups:
        rows += [("unmet_h100e", "", int(y), float(v)) for y, v in kf.unmet_h100e.items()]
    if "capacity" in groups:
        rows += [("online_capacity", str(a), int(y), float(v)) for a, by in kf.mw_online.items() for y, v in by.items()]
    if "energy" in groups:
        rows += [("energy_mwh", "", int(y), float(v) * 1e6) for y, v in kf.energy_twh.items()]
    years = sorted(kf.compute_online_h100e)
    families = [f for f in kf.shadow_prices if f not in _PRICE_FAMILIES]
    if "shadow_prices" in groups:
        rows += [("shadow_price_usd_per_unit", str(f), int(y), float(v)) for f in families
                 for y, v in kf.shadow_prices[f].items()]
    if "binding" in groups:
        rows += [("binding", str(f), int(y), float(f in kf.binding.get(y, ()))) for f in families for y in years]
    return float(kf.objective_usd), rows


_PRICE_FAMILIES = ("demand_balance", "regional_balance", "power_balance")
"""Balances price a quantity; they are not limits, so neither their price nor 'binding' is a KPI here."""
