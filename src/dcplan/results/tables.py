"""Results as tidy pandas DataFrames, read off a solved model."""

from __future__ import annotations

import pandas as pd
from pyomo.environ import value

from dcplan.model.coefficients import HOURS_PER_YEAR, USD_PER_MUSD, unit_costs
from dcplan.model.sets import ModelSets
from dcplan.scenario.scenario import H100_REFERENCE_PFLOPS, Scenario
from dcplan.scenario.schema import ASSET_UNITS, SITE_ASSETS


def _v(var, idx) -> float:
    return float(var[idx].value or 0.0) if idx in var else 0.0


def capacity_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """Capacity by site, asset and year: built (decided that year), newly online, online."""
    rows = []
    for a in SITE_ASSETS:
        for s in sets.sites:
            for y in sets.years:
                built = _v(m.build, (a, s, y))
                new = sum(_v(m.build, (a, s, v)) for v in sets.builds_online(a, s, y) if v + sets.lead[a, s] == y)
                online = m.pipeline_online[a, s, y].value + sum(_v(m.build, (a, s, v)) for v in sets.builds_online(a, s, y))
                pipe = m.pipeline_online[a, s, y].value
                if built or online or new:
                    rows.append(
                        {
                            "site": s, "region": sets.site_region[s], "asset": a, "year": y,
                            "unit": ASSET_UNITS[a], "built": built, "new_online": new,
                            "pipeline_online": pipe, "online": online, "lead_time_years": sets.lead[a, s],
                        }
                    )
    return pd.DataFrame(rows, columns=["site", "region", "asset", "year", "unit", "built", "new_online", "pipeline_online", "online", "lead_time_years"])


def gpu_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """GPUs by site, generation and year: shipped, installed, in use, and their compute."""
    gp = scn.gpu_spec
    rows = []
    for g, s, y in sets.use:
        inst = m.gpu_pipeline_kgpu[g, s, y].value + sum(_v(m.ship, (g, s, v)) for v in sets.ships_alive(g, s, y))
        use = _v(m.use, (g, s, y))
        rows.append(
            {
                "site": s, "region": sets.site_region[s], "generation": g, "year": y,
                "shipped": _v(m.ship, (g, s, y)) * 1e3, "installed": inst * 1e3, "in_use": use * 1e3,
                "in_use_h100e": use * 1e3 * gp[g]["h100e_per_gpu"],
                "in_use_flops_per_s": use * 1e3 * gp[g]["dense_bf16_pflops_per_gpu"] * 1e15,
                "it_mw": use * gp[g]["it_power_kw_per_gpu"],
            }
        )
    return pd.DataFrame(rows, columns=["site", "region", "generation", "year", "shipped", "installed", "in_use", "in_use_h100e", "in_use_flops_per_s", "it_mw"])


def vintage_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """Installed GPUs by site, generation, vintage (year shipped) and year; retired vintages drop out."""
    rows = []
    for g, s, v in sets.ship:
        n = _v(m.ship, (g, s, v))
        if n:
            for y in range(v, min(scn.end_year, v + sets.gpu_life[g] - 1) + 1):
                rows.append({"site": s, "generation": g, "vintage": v, "year": y, "gpus": n * 1e3, "source": "planned"})
    for _, r in scn.tables["gpu_pipeline"].iterrows():
        g, s, v = r["generation"], r["site"], int(r["install_year"])
        for y in range(max(v, scn.start_year), min(scn.end_year, v + sets.gpu_life[g] - 1) + 1):
            rows.append({"site": s, "generation": g, "vintage": v, "year": y, "gpus": float(r["gpus"]), "source": "pipeline"})
    return pd.DataFrame(rows, columns=["site", "generation", "vintage", "year", "gpus", "source"])


def power_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """Power and energy by site and year (peak MW; energy at the load factor)."""
    lf = scn.params["operations.load_factor"]
    rows = []
    for s in sets.sites:
        for y in sets.years:
            it = float(value(m.it_mw[s, y]))
            grid, gas = _v(m.grid, (s, y)), _v(m.gas, (s, y))
            if not (it or grid or gas):
                continue
            rows.append(
                {
                    "site": s, "region": sets.site_region[s], "year": y, "it_mw": it,
                    "facility_mw": it * m.pue[s].value, "grid_mw": grid, "gas_mw": gas,
                    "grid_energy_mwh": grid * HOURS_PER_YEAR * lf, "gas_energy_mwh": gas * HOURS_PER_YEAR * lf,
                    "energy_mwh": (grid + gas) * HOURS_PER_YEAR * lf,
                }
            )
    return pd.DataFrame(rows, columns=["site", "region", "year", "it_mw", "facility_mw", "grid_mw", "gas_mw", "grid_energy_mwh", "gas_energy_mwh", "energy_mwh"])


def cost_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """Costs by category and year in USD (year-y dollars) and present value. Sums to the objective."""
    acc: dict[tuple[str, int], float] = {}
    groups = [
        ("ship", m.ship, sets.ship), ("build", m.build, sets.build), ("expand", m.expand, sets.expand),
        ("grid", m.grid, list(m.grid.keys())), ("gas", m.gas, list(m.gas.keys())),
        ("unmet", m.unmet, [(y,) for y in sets.years]),
    ]
    for name, var, index in groups:
        for i in index:
            x = _v(var, i if len(i) > 1 else i[0])
            if not x:
                continue
            for t in unit_costs(scn, sets, name, i):
                for y in t.years:
                    acc[t.category, y] = acc.get((t.category, y), 0.0) + x * t.musd_per_unit_year
    rows = [
        {"category": c, "year": y, "cost_usd": v * USD_PER_MUSD, "cost_pv_usd": v * USD_PER_MUSD * scn.discount_factor(y)}
        for (c, y), v in sorted(acc.items())
        if v != 0
    ]
    return pd.DataFrame(rows, columns=["category", "year", "cost_usd", "cost_pv_usd"])


def compute_table(scn: Scenario, m, sets: ModelSets, gpus: pd.DataFrame) -> pd.DataFrame:
    """Compute by year: demand, online (in use), installed, unmet; H100e and FLOP/s."""
    by_year = gpus.groupby("year")
    rows = []
    for y in sets.years:
        g = by_year.get_group(y) if y in by_year.groups else gpus.iloc[0:0]
        installed_h100e = float((g["installed"] * g["generation"].map(scn.gpus["h100e_per_gpu"])).sum()) if len(g) else 0.0
        rows.append(
            {
                "year": y,
                "demand_h100e": scn.demand_h100e_millions(y) * 1e6,
                "online_h100e": float(g["in_use_h100e"].sum()),
                "installed_h100e": installed_h100e,
                "unmet_h100e": _v(m.unmet, y) * 1e3,
                "online_flops_per_s": float(g["in_use_flops_per_s"].sum()),
                "online_gpus": float(g["in_use"].sum()),
            }
        )
    df = pd.DataFrame(rows)
    df["online_flops_per_s_check"] = df["online_h100e"] * H100_REFERENCE_PFLOPS * 1e15
    return df.drop(columns="online_flops_per_s_check")


def supply_chain_table(scn: Scenario, m, sets: ModelSets) -> pd.DataFrame:
    """CoWoS wafers and HBM stacks used vs available per year, with expansions online."""
    rows = []
    for y in sets.years:
        ex_c = sum(_v(m.expand, ("cowos", v)) for v in sets.expansions_online("cowos", y))
        ex_h = sum(_v(m.expand, ("hbm", v)) for v in sets.expansions_online("hbm", y))
        used_c = sum(_v(m.ship, (g, s, yy)) * m.wafers_per_gpu[g].value for g, s, yy in sets.ship if yy == y)
        used_h = sum(_v(m.ship, (g, s, yy)) * m.hbm_stacks_per_gpu[g].value for g, s, yy in sets.ship if yy == y)
        rows.append(
            {
                "year": y,
                "cowos_wafers_used": used_c * 1e3, "cowos_wafers_available": (m.cowos_supply_kwafers[y].value + ex_c) * 1e3,
                "cowos_wafers_expansion": ex_c * 1e3,
                "hbm_stacks_used": used_h * 1e3, "hbm_stacks_available": (m.hbm_supply_kstacks[y].value + ex_h) * 1e3,
                "hbm_stacks_expansion": ex_h * 1e3,
                "transformer_mva_available": m.transformer_supply_mva[y].value,
                "turbine_mw_available": m.turbine_supply_mw[y].value,
            }
        )
    return pd.DataFrame(rows)
